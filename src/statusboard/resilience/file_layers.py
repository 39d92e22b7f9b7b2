"""The last two fallback layers: the status file as committed in git, and the file on disk."""

from __future__ import annotations

import subprocess
from pathlib import Path

from statusboard.domain.parsed_status import as_status_data
from statusboard.domain.status_markdown import StatusData
from statusboard.domain.status_parser import parse_status_file

GIT_DEADLINE_S = 5.0


class LayerUnavailable(Exception):
    """This layer cannot answer: the reason says why (no repository, no file, …)."""


def from_git(repo: str | Path, markdown_path: str | Path) -> StatusData:
    """The status file as committed at HEAD of `repo`."""
    root = _git(repo, "rev-parse", "--show-toplevel").strip()
    target = Path(markdown_path).resolve()
    try:
        relative = target.relative_to(Path(root).resolve())
    except ValueError:
        raise LayerUnavailable(f"{target} is outside the git repository {root}") from None
    return _parse(_git(root, "show", f"HEAD:{relative.as_posix()}"))


def from_disk(markdown_path: str | Path) -> StatusData:
    try:
        text = Path(markdown_path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LayerUnavailable(f"cannot read {markdown_path}: {exc.strerror or exc}") from exc
    return _parse(text)


def _parse(text: str) -> StatusData:
    # The parser never raises: entries it cannot read are left out, which a fallback accepts.
    return as_status_data(parse_status_file(text))


def _git(repo: str | Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=GIT_DEADLINE_S, check=False
        )
    except FileNotFoundError:
        raise LayerUnavailable("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise LayerUnavailable(f"git did not answer within {GIT_DEADLINE_S:g} s") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise LayerUnavailable(reason)
    return done.stdout
