"""docs/reference.md cannot drift from the code: its generated parts are what the generator renders
from the tool specs, the error classes and the limit constants, they cover every tool, argument,
result key and error code, and the hand-written Results and Errors prose names the keys the code
sends. No page points outside the repository."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from statusboard.domain.errors import (
    ClaimConflictError,
    DatabaseUnavailableError,
    LeaseExpiredError,
    NotFoundError,
    PermissionDeniedError,
    StatusboardError,
    ValidationError,
    VersionConflictError,
)
from statusboard.interfaces.errors import EXIT_CODES, error_body
from statusboard.interfaces.mcp.outputs import _FALLBACK_NOTE, FALLBACK_SOURCES, Envelope, output_schema
from statusboard.interfaces.mcp.schemas import input_schema
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.interfaces.reference.__main__ import main
from statusboard.interfaces.reference.document import REGENERATE, regenerated
from statusboard.interfaces.reference.refusals import error_codes

ROOT = Path(__file__).parents[2]
PAGE_PATH = ROOT / "docs" / "reference.md"
PAGE = PAGE_PATH.read_text(encoding="utf-8")

ERROR_EXAMPLES: list[StatusboardError] = [
    ValidationError([("title", "too long"), ("metadata.estimated_hours", "too many")]),
    NotFoundError("work_item", id="0b7e0bb4-1c1f-4c5e-9d55-1f0f3c0d0a11"),
    NotFoundError("vendor", name="vendor_a"),
    VersionConflictError(1, 2, {"id": "x"}),
    ClaimConflictError("claude-code", "2026-01-01T00:00:00+00:00"),
    LeaseExpiredError(None),
    DatabaseUnavailableError("connection refused", ["primary", "sqlite_cache"]),
    PermissionDeniedError("viewer", "create_work_item", "agent"),
]


def section(title: str) -> str:
    return PAGE.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_reference_is_what_the_generator_renders() -> None:
    assert regenerated(PAGE) == PAGE, f"docs/reference.md is out of date with the code: run {REGENERATE}"


def test_every_tool_has_its_section_and_every_argument_its_row() -> None:
    tools = section("Tools")
    for spec in TOOLS:
        own = tools.split(f"\n#### `{spec.name}`\n", 1)[1].split("\n#### ", 1)[0]
        assert spec.title in own and spec.description in own, spec.name
        for argument in input_schema(spec.args).get("properties", {}):
            assert f"\n| `{argument}` |" in own, f"{spec.name}({argument})"


def test_every_result_key_of_every_tool_is_in_a_result_shape() -> None:
    shapes = section("Results")
    documented = set(re.findall(r"^\| `(\w+)` \|", shapes, flags=re.MULTILINE))
    for spec in TOOLS:
        schema = output_schema(spec.output, spec.policy)
        answers = [schema] if "properties" in schema else schema["anyOf"]
        keys = {key for answer in answers for key in answer["properties"]} - set(Envelope.__annotations__)
        nested = {key for definition in schema.get("$defs", {}).values() for key in definition.get("properties", {})}
        assert keys | nested <= documented, (spec.name, sorted((keys | nested) - documented))


def test_the_results_section_names_the_envelope_and_what_a_degraded_answer_adds() -> None:
    results = section("Results")
    for key in Envelope.__annotations__:
        assert f"`{key}`" in results, key
    for source in ("database", *FALLBACK_SOURCES):
        assert f"`{source}`" in results, source
    for key in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", _FALLBACK_NOTE):
        assert f"`{key}`" in results, key


def test_the_examples_cover_every_error_code() -> None:
    assert {type(error) for error in ERROR_EXAMPLES} == set(error_codes())


@pytest.mark.parametrize("error", ERROR_EXAMPLES, ids=lambda error: f"{error.code}:{','.join(error.details)}")
def test_the_errors_table_gives_each_code_its_details_keys_and_exit_status(error: StatusboardError) -> None:
    assert set(error.details) <= set(error.details_keys), error.code
    row = next(line for line in section("Errors").splitlines() if line.startswith(f"| `{error.code}` |"))
    for key in error.details:
        assert f"`{key}`" in row, (error.code, key)
    assert row.endswith(f" | {EXIT_CODES[error.code]} |")


def test_the_errors_section_names_every_key_of_an_error_body_and_every_code_a_command_exits_with() -> None:
    errors = section("Errors")
    for key in error_body(NotFoundError("vendor", name="vendor_a")):
        assert f'"{key}"' in errors, key
    for code in EXIT_CODES:
        assert f"`{code}`" in errors, code


def test_every_link_within_the_page_leads_to_a_heading_on_it() -> None:
    slugs: Counter[str] = Counter()
    anchors = set()
    for heading in re.findall(r"^#+ (.+)$", PAGE, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        anchors.add(slug if not slugs[slug] else f"{slug}-{slugs[slug]}")
        slugs[slug] += 1
    for target in re.findall(r"\]\(#([^)]+)\)", PAGE):
        assert target in anchors, target


def test_check_refuses_a_stale_page_and_write_brings_it_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "reference.md"
    stale.write_text(PAGE.replace("| `version` | integer | required |", "| `version` | string | required |"))
    assert main(["--check", str(stale)]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert main(["--write", str(stale)]) == 0
    assert stale.read_text() == PAGE
    assert main(["--check", str(stale)]) == 0


def test_no_page_or_help_text_points_outside_the_repository() -> None:
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "src").rglob("*.py")]
    pointing = [
        str(path.relative_to(ROOT))
        for path in files
        if "../shared" in (text := path.read_text(encoding="utf-8")) or "CONTRACT.md" in text
    ]
    assert pointing == [], "the repository's docs must stand alone"
