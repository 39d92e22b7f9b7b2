"""migrate_from_markdown reads only a regular file inside the project (the status file's
directory, the git repository) and writes its `.backup` as a new file beside it, never through a
link; what it reports never quotes the file (docs/security.md, Files)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from statusboard.config import Settings
from statusboard.domain.errors import ValidationError
from statusboard.services import migration
from statusboard.wiring import App, build_app
from tests.conftest import mcp_client
from tests.support.legacy_files import legacy_status_file

SECRET = "sk-live-0123456789abcdef"


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory outside the project, with a text file and a binary file in it."""
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "notes.md").write_text(legacy_status_file(vendors=1, deployments=0, enhancements=0, prompts=0))
    (outside / "key.bin").write_bytes(b"\xff\xfe" + SECRET.encode())
    return outside


def refusal(app: App, path: str | Path) -> str:
    with pytest.raises(ValidationError) as refused:
        app.migration.migrate("migrator", str(path))
    assert refused.value.details["field"] == "path"
    return refused.value.message


def test_anything_but_a_regular_file_inside_the_project_is_refused_alike(
    app: App, tmp_path: Path, elsewhere: Path
) -> None:
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "pipe.md")  # opening it for reading would wait for a writer
    (tmp_path / "out.md").symlink_to(elsewhere / "notes.md")
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    paths = [
        elsewhere / "notes.md",  # exists, is text
        elsewhere / "key.bin",  # exists, is not text
        elsewhere / "missing.md",
        tmp_path / "missing.md",
        tmp_path / "sub",
        tmp_path / "pipe.md",
        tmp_path / "out.md",
        tmp_path / "zero.md",
        tmp_path / "sub" / ".." / ".." / elsewhere.name / "notes.md",
        "/etc/passwd",
        tmp_path,
    ]
    messages = {refusal(app, path) for path in paths}
    assert len(messages) == 1  # nothing tells what lies outside, or whether it exists
    assert SECRET not in messages.pop()
    assert not list(elsewhere.glob("*.backup")) and not list(tmp_path.glob("*.backup"))


def test_a_file_in_the_git_repository_is_inside_the_project(database_url: str, tmp_path: Path) -> None:
    status_dir, repository = tmp_path / "status", tmp_path / "repo"
    status_dir.mkdir()
    (repository / "docs").mkdir(parents=True)
    source = repository / "docs" / "old_status.md"
    source.write_text(legacy_status_file(vendors=2, deployments=1, enhancements=1, prompts=1))
    settings = Settings(
        database_url=database_url, markdown_path=str(status_dir / "status.md"), git_repo=str(repository)
    )
    app = build_app(settings)
    try:
        report = app.migration.migrate("migrator", str(source))
        assert report["success"] and report["backup_path"] == str(source) + ".backup"
        assert refusal(app, tmp_path / "elsewhere.md") == refusal(app, tmp_path)
    finally:
        app.close()


def test_the_backup_replaces_a_link_of_its_name_and_never_writes_through_it(
    app: App, tmp_path: Path, elsewhere: Path
) -> None:
    victim = elsewhere / "victim"
    victim.write_text("keep me")
    victim.chmod(0o600)
    source = tmp_path / ".project_status.md"
    source.write_text(legacy_status_file(vendors=1, deployments=0, enhancements=0, prompts=0))
    source.chmod(0o640)
    (tmp_path / ".project_status.md.backup").symlink_to(victim)
    report = app.migration.migrate("migrator", str(source))
    backup = Path(report["backup_path"])
    assert victim.read_text() == "keep me" and stat.S_IMODE(victim.stat().st_mode) == 0o600
    assert not backup.is_symlink() and backup.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".project")) == [
        ".project_status.md",
        ".project_status.md.backup",
    ]  # no temporary file left behind


def test_the_backup_is_a_new_file_even_where_one_was_linked_to_another(app: App, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("unrelated")
    source = tmp_path / "status.md"
    source.write_text(legacy_status_file(vendors=1, deployments=0, enhancements=0, prompts=0))
    os.link(other, tmp_path / "status.md.backup")  # the same file under two names
    app.migration.migrate("migrator", str(source))
    assert other.read_text() == "unrelated"
    assert (tmp_path / "status.md.backup").read_bytes() == source.read_bytes()


def test_a_file_over_the_size_bound_is_refused(app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "status.md"
    source.write_text(legacy_status_file(vendors=1, deployments=0, enhancements=0, prompts=0))
    monkeypatch.setattr(migration, "MAX_SOURCE_BYTES", source.stat().st_size - 1)
    assert "larger than" in refusal(app, source)
    assert not (tmp_path / "status.md.backup").exists()


@pytest.mark.anyio
async def test_no_report_or_error_quotes_the_file(app: App, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"API_KEY={SECRET}\nPASSWORD='{SECRET}'\n")
    text = legacy_status_file(vendors=1, deployments=1, enhancements=0, prompts=0)
    text = text.replace("## Vendors", f"stray line {SECRET}\n## Vendors").replace(
        "- Vendors: vendor_0", f"- Vendors: vendor_0\n- Work Items: #{SECRET}"
    )
    (tmp_path / "status.md").write_text(text + f"\n### Session 2025-10-01\n---\nsession_id: [{SECRET}\n---\nbody\n")
    (tmp_path / "binary.md").write_bytes(SECRET.encode() + b"\xff")
    async with mcp_client(app, "admin") as client:
        results = [
            await client.call_tool("migrate_from_markdown", {"path": name, "dry_run": True})
            for name in (".env", "status.md", "binary.md", "/etc/passwd")
        ]
    answers = [result.structured_content or {} for result in results]
    assert answers[0]["dry_run"] is True  # read, and nothing in it looked like an entry
    reasons = sorted({error["message"] for error in answers[1]["errors"]})
    assert reasons == ["malformed frontmatter: expected … or …, but got …", "unknown work item #…: not linked"]
    assert answers[2]["error"] == answers[3]["error"] == "ValidationError"
    assert SECRET not in json.dumps(answers)
    assert "sk-live" not in json.dumps(answers)
