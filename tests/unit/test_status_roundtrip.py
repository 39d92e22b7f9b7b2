"""Write → read → write gives the same file, for any data the database can hold."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from statusboard.domain.deployments import KNOWN_TESTS
from statusboard.domain.entry_pairing import deployment_key, prompt_key
from statusboard.domain.parsed_status import ParsedStatus, as_status_data
from statusboard.domain.session_prompts import parse_frontmatter
from statusboard.domain.status_markdown import StatusData, render
from statusboard.domain.status_parser import parse_status_file
from statusboard.domain.vendors import FORMATS, name_key
from statusboard.domain.work_items import MAX_DEPTH, git_branch

PROPERTY = settings(max_examples=150, deadline=None, database=None)

PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))
TRICKY = st.sampled_from(
    [
        ":",
        ": ",
        "(",
        ")",
        " (",
        "[",
        "]",
        "#",
        " #",
        ",",
        ", ",
        " , ",
        ",  ",
        "\\",
        "\\n",
        "-",
        "- ",
        "## ",
        "é",
        "漢字",
        "\u2028",
        "✓",
        "operational",
        "broken",
        " v1",
        " manifest ✗",
        "Priority: High",
        "Q1 2026",
        "(active) #x",
    ]
)


def text_pieces(max_pieces: int = 6) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.text(PRINTABLE, max_size=6), TRICKY), max_size=max_pieces).map("".join)


def single_line(max_size: int) -> st.SearchStrategy[str]:
    """Text as SingleLine stores it: trimmed, not blank, no control characters."""
    return text_pieces().map(lambda text: text.strip()[:max_size].strip()).filter(bool)


def ids(count: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.uuids().map(str), min_size=count, max_size=count, unique=True)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


COMMITS = st.from_regex(r"[0-9a-f]{7,40}", fullmatch=True)
PR_NUMBERS = st.integers(1, 10**6)


def is_branch(value: str) -> bool:
    try:
        git_branch(value)
    except ValueError:
        return False
    return True


BRANCHES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_/(),#.-]{0,30}", fullmatch=True).filter(is_branch)


# --- vendors --------------------------------------------------------------------------------


@st.composite
def vendor_metadata(draw: st.DrawFn) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if draw(st.booleans()):
        total = draw(st.integers(0, 10_000))
        passing = draw(st.integers(0, total))
        metadata["test_results"] = {
            "passing": passing,
            "total": total,
            "skipped": draw(st.integers(0, total - passing)),
        }
    if draw(st.booleans()):
        metadata["format_support"] = {name: draw(st.booleans()) for name in FORMATS}
    if draw(st.booleans()):
        metadata["extractor_version"] = draw(st.from_regex(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,49}", fullmatch=True))
    if draw(st.booleans()):
        metadata["manifest_compliant"] = draw(st.booleans())
    return metadata


def cut_only_one_way(names: list[str]) -> bool:
    """Whether no name starts with other names joined by ", ".

    Otherwise a deployment's "- Vendors: a, b" could mean the vendor "a, b" or the vendors
    "a" and "b": an ambiguity of the format itself, which the reader reports as a problem.
    """
    keys = {name_key(name) for name in names}
    for name in names:
        parts = name.split(", ")
        if any(name_key(", ".join(parts[:end])) in keys for end in range(1, len(parts))):
            return False
    return True


@st.composite
def vendors(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(single_line(100), max_size=6, unique_by=name_key).filter(cut_only_one_way))
    return [
        {"name": name, "status": draw(st.sampled_from(["operational", "broken"])), "metadata": draw(vendor_metadata())}
        for name in names
    ]


# --- deployments ----------------------------------------------------------------------------

# A few shared values make deployments that tie on render's sort key.
SHARED_TIMES = [datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 10, 1, 14, 3, 7, tzinfo=UTC)]
TIMES = st.sampled_from(SHARED_TIMES) | st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
TEST_NAMES = st.sampled_from(KNOWN_TESTS) | st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,31}", fullmatch=True)


@st.composite
def deployment(draw: st.DrawFn, deployment_id: str, vendor_names: list[str]) -> dict[str, Any]:
    commit = draw(st.sampled_from(["abc1234"]) | COMMITS)
    pr_number = draw(maybe(st.sampled_from([100]) | PR_NUMBERS))
    optional = {
        "pr_number": pr_number,
        "pr_title": draw(maybe(single_line(200))),
        "test_summary": draw(maybe(st.dictionaries(TEST_NAMES, st.integers(0, 10**6), max_size=4))),
        "constitutional_compliance": draw(maybe(st.booleans())),
    }
    metadata = {"commit_hash": commit, **{key: value for key, value in optional.items() if value is not None}}
    affected = draw(st.lists(st.sampled_from(vendor_names), unique=True)) if vendor_names else []
    return {
        "id": deployment_id,
        "timestamp": draw(TIMES).isoformat(),
        "commit_hash": commit,
        "pr_number": pr_number,
        "metadata": metadata,
        "affected_vendors": [{"name": name} for name in sorted(affected, key=name_key)],
        "related_work_items": [{"id": item_id} for item_id in sorted(draw(st.lists(st.uuids().map(str), max_size=3)))],
    }


@st.composite
def deployments(draw: st.DrawFn, vendor_names: list[str]) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 6))
    return [draw(deployment(deployment_id, vendor_names)) for deployment_id in draw(ids(count))]


# --- enhancements ---------------------------------------------------------------------------

MULTILINE = st.lists(text_pieces(4), max_size=4).map("\n".join)


@st.composite
def enhancements(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 5))
    return [
        {
            "id": enhancement_id,
            "title": draw(single_line(200)),
            "priority": draw(st.sampled_from(["high", "medium", "low"])),
            "status": draw(st.sampled_from(["planned", "approved", "in_progress", "completed"])),
            "target_quarter": f"{draw(st.integers(2000, 2100))}-Q{draw(st.integers(1, 4))}",
            "description": draw(maybe(MULTILINE)),
            "requires_principles": draw(st.lists(single_line(200), max_size=3)),
            "depends_on": draw(st.lists(st.uuids().map(str), max_size=3)),
        }
        for enhancement_id in draw(ids(count))
    ]


# --- work items -----------------------------------------------------------------------------

TITLES = st.lists(text_pieces(4), min_size=1, max_size=3).map(lambda lines: "\n".join(lines)[:200])
TITLES = TITLES.filter(lambda text: bool(text.strip()))


@st.composite
def work_item(draw: st.DrawFn, item_id: str, parent_id: str | None, depth: int) -> dict[str, Any]:
    return {
        "id": item_id,
        "parent_id": parent_id,
        "depth": depth,
        "item_type": draw(st.sampled_from(["project", "session", "task", "research"])),
        "title": draw(TITLES),
        "status": draw(st.sampled_from(["active", "completed", "blocked"])),
        "priority": draw(maybe(st.sampled_from(["high", "medium", "low"]))),
        "branch_name": draw(maybe(BRANCHES)),
        "commit_hash": draw(maybe(COMMITS)),
        "pr_number": draw(maybe(PR_NUMBERS)),
    }


@st.composite
def work_items(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A forest up to MAX_DEPTH deep, with orphans (their parent archived), in any creation order."""
    count = draw(st.integers(0, 12))
    item_ids = draw(ids(2 * count))
    items: list[dict[str, Any]] = []
    for item_id, missing_parent_id in zip(item_ids[:count], item_ids[count:], strict=True):
        parents = [item for item in items if item["depth"] < MAX_DEPTH]
        kind = draw(st.sampled_from(["root", "orphan", "child"] if parents else ["root", "orphan"]))
        if kind == "child":
            parent = draw(st.sampled_from(parents))
            items.append(draw(work_item(item_id, parent["id"], parent["depth"] + 1)))
        elif kind == "orphan":
            items.append(draw(work_item(item_id, missing_parent_id, draw(st.integers(1, MAX_DEPTH)))))
        else:
            items.append(draw(work_item(item_id, None, 0)))
    return list(draw(st.permutations(items)))


# --- session prompts ------------------------------------------------------------------------

PROMPT_LINES = st.one_of(
    st.text(PRINTABLE, max_size=20),
    text_pieces(4),
    st.sampled_from(["#", "# Project Status", "## Vendors (1 total)", "### Session 2025-10-01", "\\# x"]),
    st.sampled_from(["\\\\## y", "\\", "---", "", "  ## indented", "- Commit: abc1234", " "]),
)


@st.composite
def session_prompt(draw: st.DrawFn) -> dict[str, Any]:
    session_id = draw(single_line(100))
    fields: dict[str, Any] = {"schema_version": draw(st.sampled_from([1, "1.0", 2]))}
    if draw(st.booleans()):
        fields["session_id"] = draw(st.sampled_from([session_id]) | single_line(100))
    if draw(st.booleans()):
        fields["note"] = draw(text_pieces(4))
    yaml_text = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    comment = "# a YAML comment\n" if draw(st.booleans()) else ""
    body = "\n".join(draw(st.lists(PROMPT_LINES, max_size=8)))
    content = f"---\n{comment}{yaml_text}---\n{body}" + draw(st.sampled_from(["", "\n"]))
    frontmatter, _ = parse_frontmatter(content)
    recorded_at = draw(st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)))
    return {
        "recorded_at": recorded_at.isoformat(),
        "session_id": session_id,
        "frontmatter": frontmatter,
        "content": content,
    }


# --- the property ---------------------------------------------------------------------------


def assert_reads_back(data: StatusData) -> None:
    text = render(data)
    parsed = parse_status_file(text)
    assert parsed.problems == ()
    assert parsed.count_mismatches == []
    assert render(as_status_data(parsed)) == text
    assert_keys_read_back(data, parsed)


def assert_keys_read_back(data: StatusData, parsed: ParsedStatus) -> None:
    """What is read back names the same rows as what was written: the keys a migration finds
    entries without ids by are the same computed from the data and from the file."""
    written = Counter(
        deployment_key(datetime.fromisoformat(d["timestamp"]), d["commit_hash"], d["pr_number"])
        for d in data.deployments
    )
    assert Counter(deployment_key(d.timestamp, d.commit_hash, d.pr_number) for d in parsed.deployments) == written
    recorded = Counter(
        prompt_key(datetime.fromisoformat(p["recorded_at"]).astimezone(UTC).date(), p["session_id"], p["content"])
        for p in data.session_prompts
    )
    assert Counter(prompt_key(p.date, p.session_id, p.content) for p in parsed.session_prompts) == recorded


@st.composite
def vendors_and_deployments(draw: st.DrawFn) -> StatusData:
    vendor_rows = draw(vendors())
    return StatusData(vendors=vendor_rows, deployments=draw(deployments([vendor["name"] for vendor in vendor_rows])))


@PROPERTY
@given(vendors_and_deployments())
def test_vendors_and_deployments_read_back(data: StatusData) -> None:
    assert_reads_back(data)


@PROPERTY
@given(enhancements())
def test_enhancements_read_back(rows: list[dict[str, Any]]) -> None:
    assert_reads_back(StatusData(enhancements=rows))


@PROPERTY
@given(work_items())
def test_work_items_read_back(rows: list[dict[str, Any]]) -> None:
    assert_reads_back(StatusData(work_items=rows))


@PROPERTY
@given(st.lists(session_prompt(), max_size=4))
def test_session_prompts_read_back(rows: list[dict[str, Any]]) -> None:
    assert_reads_back(StatusData(session_prompts=rows))


@settings(max_examples=50, deadline=None, database=None)
@given(vendors_and_deployments(), enhancements(), work_items(), st.lists(session_prompt(), max_size=3))
def test_a_whole_file_reads_back(
    partial: StatusData, enhancement_rows: list[Any], item_rows: list[Any], prompt_rows: list[Any]
) -> None:
    partial.enhancements, partial.work_items, partial.session_prompts = enhancement_rows, item_rows, prompt_rows
    assert_reads_back(partial)


@st.composite
def damaged_files(draw: st.DrawFn) -> str:
    """A written file with lines dropped, doubled, cut short, indented or inserted."""
    data = draw(vendors_and_deployments())
    data.enhancements, data.work_items = draw(enhancements()), draw(work_items())
    data.session_prompts = draw(st.lists(session_prompt(), max_size=2))
    lines = render(data).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines) - 1))
        damage = draw(st.sampled_from(["drop", "double", "cut", "indent", "insert"]))
        if damage == "drop":
            del lines[at]
        elif damage == "double":
            lines.insert(at, lines[at])
        elif damage == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        elif damage == "indent":
            lines[at] = "  " + lines[at]
        else:
            lines.insert(at, draw(PROMPT_LINES))
    return "\n".join(lines)


@settings(max_examples=100, deadline=None, database=None)
@given(damaged_files())
def test_a_damaged_file_is_read_without_raising_and_what_is_read_renders(text: str) -> None:
    parsed = parse_status_file(text)

    render(as_status_data(parsed))
    assert all(1 <= problem.line <= len(text.split("\n")) for problem in parsed.problems)


# --- cases the writer once got wrong --------------------------------------------------------


def deployment_at(deployment_id: str, timestamp: str, pr_number: int) -> dict[str, Any]:
    return {
        "id": deployment_id,
        "timestamp": timestamp,
        "commit_hash": "abc1234",
        "pr_number": pr_number,
        "metadata": {"commit_hash": "abc1234", "pr_number": pr_number},
    }


def test_deployments_within_one_second_keep_their_order() -> None:
    """The file shows seconds; ordering on the hidden fractions would swap these on reading back."""
    data = StatusData(
        deployments=[
            deployment_at("a", "2025-10-01T14:03:07.900000+00:00", 1),
            deployment_at("b", "2025-10-01T14:03:07.100000+00:00", 2),
        ]
    )
    assert_reads_back(data)


def test_a_work_item_title_with_a_line_break_reads_back() -> None:
    item = {
        "id": "a",
        "parent_id": None,
        "depth": 0,
        "item_type": "task",
        "title": "two\nlines \\n",
        "status": "active",
    }
    assert_reads_back(StatusData(work_items=[{**item, "branch_name": None, "commit_hash": None, "pr_number": None}]))
