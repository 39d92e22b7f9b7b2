"""docs/architecture.md stays in step with the tree: every module over 100 lines is named there,
and every module it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "src" / "statusboard"
DOC = (ROOT / "docs" / "architecture.md").read_text()
NAMED_MODULE = re.compile(r"`((?:[a-z_]+/)*[a-z0-9_]+\.py)`")
SIZE_THAT_NEEDS_A_LINE = 100


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def _named_in_doc() -> set[str]:
    return set(NAMED_MODULE.findall(DOC))


def test_every_module_over_100_lines_is_named_in_the_architecture_doc() -> None:
    big = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if _lines(path) > SIZE_THAT_NEEDS_A_LINE}
    missing = sorted(big - _named_in_doc())
    assert not missing, f"docs/architecture.md does not say what these modules own: {missing}"


def test_every_module_the_architecture_doc_names_exists() -> None:
    # Paths only: a bare name is a small module of the package just named; milestones are the how-to's example.
    named = {name for name in _named_in_doc() if "/" in name and "milestone" not in name}
    gone = sorted(name for name in named if not (PACKAGE / name).is_file() and not (ROOT / name).is_file())
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"


def test_the_architecture_doc_says_how_to_add_an_entity() -> None:
    section = DOC.split("## How to add an entity", 1)[1].split("\n## ", 1)[0]
    steps = re.findall(r"^\d+\. ", section, flags=re.MULTILINE)
    assert len(steps) >= 5, "the section lists the files a new entity touches, step by step"
    for existing in re.findall(r"`((?:[a-z_]+/)+[a-z_]+\.py)`", section):
        if "milestone" not in existing:
            assert (PACKAGE / existing).is_file(), existing
