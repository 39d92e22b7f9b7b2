"""The status file reader: the contract's example, files as people write them, and bad lines."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from statusboard.domain.parsed_status import (
    CountMismatch,
    HeaderCount,
    ParsedStatus,
    Problem,
    as_status_data,
)
from statusboard.domain.status_markdown import render
from statusboard.domain.status_parser import parse_status_file

CONTRACT_EXAMPLE = """\
# Project Status
## Vendors (2 total)
- vendor_1: operational (10/12 tests passed, 2 skipped) [Excel, CSV] v1.2.3
- vendor_2: broken (5/10 tests passed, 0 skipped) [PDF, OCR] v2.0.1
## Deployments (1 total)
### 2025-10-01 - PR #100
- Commit: abc1234
- Work Items: #T001, #T002
- Vendors: vendor_1, vendor_2
- Tests: 45 passed, 0 failed
- Constitutional Compliance: ✓
## Future Enhancements (1 total)
- Enhancement A (Priority: High, Q1 2026)
## Session Prompts (1 total)
### Session 2025-10-01
---
session_id: sess_001
token_budget: 50000
---
Prompt content...
"""


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def line_number(text: str, exact_line: str) -> int:
    return lines_of(text).index(exact_line) + 1


def test_the_contract_example_reads_entry_for_entry() -> None:
    parsed = parse_status_file(CONTRACT_EXAMPLE)

    vendor_1, vendor_2 = parsed.vendors
    assert (vendor_1.name, vendor_1.status, vendor_1.line) == ("vendor_1", "operational", 3)
    assert vendor_1.metadata == {
        "test_results": {"passing": 10, "total": 12, "skipped": 2},
        "format_support": {"excel": True, "csv": True, "pdf": False, "ocr": False},
        "extractor_version": "1.2.3",
    }
    assert vendor_2.status == "broken"
    assert vendor_2.metadata["format_support"] == {"excel": False, "csv": False, "pdf": True, "ocr": True}

    (deployment,) = parsed.deployments
    assert deployment.timestamp == datetime(2025, 10, 1, tzinfo=UTC)
    assert (deployment.pr_number, deployment.pr_title, deployment.commit_hash) == (100, None, "abc1234")
    assert deployment.work_item_refs == ("T001", "T002")
    assert deployment.vendor_names == ("vendor_1", "vendor_2")
    assert deployment.test_summary == {"passed": 45, "failed": 0}
    assert deployment.constitutional_compliance is True
    assert deployment.line == 6

    (enhancement,) = parsed.enhancements
    assert (enhancement.id, enhancement.title, enhancement.priority) == (None, "Enhancement A", "high")
    assert (enhancement.target_quarter, enhancement.status, enhancement.line) == ("2026-Q1", "planned", 13)

    assert parsed.header_counts == {
        "vendors": HeaderCount(2, 2),
        "deployments": HeaderCount(1, 5),
        "enhancements": HeaderCount(1, 12),
        "session_prompts": HeaderCount(1, 14),
    }
    assert parsed.count_mismatches == []


def test_the_contract_example_prompt_reads_without_schema_version() -> None:
    """Legacy prompts predate schema_version; the migration records them as unversioned."""
    parsed = parse_status_file(CONTRACT_EXAMPLE)

    assert parsed.problems == ()
    (prompt,) = parsed.session_prompts
    assert (prompt.date, prompt.session_id, prompt.line) == (date(2025, 10, 1), "sess_001", 15)
    assert prompt.frontmatter == {"session_id": "sess_001", "token_budget": 50000}
    assert prompt.content == "---\nsession_id: sess_001\ntoken_budget: 50000\n---\nPrompt content...\n"


MESSY = """\

# Project Status


## Session Prompts
### Session 2025-10-02 (session_id: sess_9)

---
schema_version: 1
---
Do the thing.

\\## not a header
## Future Enhancements (5 total)
- Enhancement B (priority: HIGH, 2026-Q1)

  - Description: first line\\nsecond \\\\ line
  - Depends on: #B0, #B1
- Enhancement C (Priority: low, q3 2026, Status: In Progress)
## Notes kept by hand
- anything here is ignored
## Vendors (3 total)

- Vendor One: Operational (45/50 tests passed, 5 skipped) [excel, pdf] manifest ✗
- vendor two: broken

## Deployments
### 2025-10-01 - PR #100
- Commit: ABC1234
- Tests: 45 passed, 0 failed
- Constitutional Compliance: ✗


### 2025-10-02 14:30
- Title: Second one
- Commit: DeadBeefCafe
- Vendors: Vendor One, vendor two
- Constitutional Compliance: ✘
"""


def test_a_hand_written_file_reads_despite_blank_lines_order_case_and_missing_sections() -> None:
    parsed = parse_status_file(MESSY)

    assert parsed.problems == ()
    assert parsed.work_items == ()
    assert [vendor.name for vendor in parsed.vendors] == ["Vendor One", "vendor two"]
    one, two = parsed.vendors
    assert one.status == "operational"
    assert one.metadata == {
        "test_results": {"passing": 45, "total": 50, "skipped": 5},
        "format_support": {"excel": True, "csv": False, "pdf": True, "ocr": False},
        "manifest_compliant": False,
    }
    assert (two.status, two.metadata) == ("broken", {})

    first, second = parsed.deployments
    assert (first.timestamp, first.pr_number, first.commit_hash) == (datetime(2025, 10, 1, tzinfo=UTC), 100, "abc1234")
    assert first.constitutional_compliance is False
    assert (second.timestamp, second.pr_number) == (datetime(2025, 10, 2, 14, 30, tzinfo=UTC), None)
    assert (second.pr_title, second.commit_hash) == ("Second one", "deadbeefcafe")
    assert second.vendor_names == ("Vendor One", "vendor two")
    assert second.constitutional_compliance is False

    b, c = parsed.enhancements
    assert (b.title, b.priority, b.target_quarter, b.status) == ("Enhancement B", "high", "2026-Q1", "planned")
    assert b.description == "first line\nsecond \\ line"
    assert b.depends_on == ("B0", "B1")
    assert (c.priority, c.target_quarter, c.status) == ("low", "2026-Q3", "in_progress")

    (prompt,) = parsed.session_prompts
    assert prompt.session_id == "sess_9"
    assert prompt.content == "---\nschema_version: 1\n---\nDo the thing.\n\n## not a header\n"
    assert prompt.line == line_number(MESSY, "### Session 2025-10-02 (session_id: sess_9)")


def test_header_counts_are_reported_when_they_disagree_with_the_entries() -> None:
    parsed = parse_status_file(MESSY)

    assert parsed.header_counts["vendors"] == HeaderCount(3, line_number(MESSY, "## Vendors (3 total)"))
    assert "deployments" not in parsed.header_counts
    assert parsed.entry_counts == {"session_prompts": 1, "enhancements": 2, "vendors": 2, "deployments": 2}
    assert sorted(parsed.count_mismatches, key=lambda mismatch: mismatch.section) == [
        CountMismatch("enhancements", 5, 2),
        CountMismatch("vendors", 3, 2),
    ]


HAND_WRITTEN_TREE = """\
## Work Items
- [Project] Root (active, priority: HIGH)
  - [task] Child (blocked, commit: ABCDEF1, branch: feat/x)
      - [task] Deep (active, PR #7)
  - [research] Sibling (completed)
- [session] Second root (active) #s2
    - [task] Under second (active) #u2
"""


def test_work_items_take_depth_from_indentation_and_the_nearest_shallower_item_as_parent() -> None:
    parsed = parse_status_file(HAND_WRITTEN_TREE)

    assert parsed.problems == ()
    root, child, deep, sibling, second, under = parsed.work_items
    assert (root.item_type, root.priority, root.depth, root.parent_line) == ("project", "high", 0, None)
    assert (child.status, child.commit_hash, child.branch_name) == ("blocked", "abcdef1", "feat/x")
    assert (child.depth, child.parent_line, child.parent_ref) == (1, root.line, None)
    assert (deep.depth, deep.parent_line, deep.pr_number) == (3, child.line, 7)
    assert (sibling.depth, sibling.parent_line) == (1, root.line)
    assert (second.id, second.depth, second.parent_ref) == ("s2", 0, None)
    assert (under.id, under.depth, under.parent_ref) == ("u2", 2, "s2")


def test_as_status_data_gives_placeholder_ids_only_where_render_needs_them() -> None:
    parsed = parse_status_file(HAND_WRITTEN_TREE + MESSY)

    data = as_status_data(parsed)

    ids = [item["id"] for item in data.work_items]
    assert ids == ["line-2", "line-3", "line-4", "line-5", "s2", "u2"]
    assert [item["parent_id"] for item in data.work_items] == [None, "line-2", "line-3", "line-2", None, "s2"]
    assert [enhancement["id"] for enhancement in data.enhancements] == [
        f"line-{enhancement.line}" for enhancement in parsed.enhancements
    ]
    assert "- Enhancement B (Priority: High, Q1 2026) #line-" in render(data)


def build(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_each_unreadable_entry_is_reported_with_its_line_and_reason_and_the_rest_is_read() -> None:
    text = build(
        "# Project Status",
        "## Vendors (3 total)",
        "- vendor_1: operational",
        "- vendor_3: degraded",  # 4
        "- vendor_4 is fine",  # 5
        "## Deployments (2 total)",
        "### yesterday - PR #5",  # 7
        "- Commit: abc1234",
        "### 2025-10-01 - PR #100",  # 9
        "- Commit: abc123...",  # 10
        "## Session Prompts (2 total)",
        "### Session 2025-10-01 (session_id: ok)",
        "---",
        "schema_version: 1",
        "---",
        "### Session 2025-10-02 (session_id: bad)",  # 16
        "",
        "---",  # 18
        "schema_version: 1",
        "x: &anchor 1",
        "y: *anchor",  # 21
        "---",
        "body",
    )

    parsed = parse_status_file(text)

    assert [(problem.line, problem.section) for problem in parsed.problems] == [
        (4, "vendors"),
        (5, "vendors"),
        (7, "deployments"),
        (10, "deployments"),
        (21, "session_prompts"),
    ]
    reasons = [problem.reason for problem in parsed.problems]
    assert reasons[0] == "unknown vendor status 'degraded': expected operational or broken"
    assert reasons[1].startswith("expected '- <name>: operational|broken")
    assert reasons[2].startswith("unreadable deployment time 'yesterday'")
    assert reasons[3] == "commit hash 'abc123...' is not 7-40 hexadecimal digits"
    assert reasons[4] == "aliases are not allowed in frontmatter"
    assert [vendor.name for vendor in parsed.vendors] == ["vendor_1"]
    assert parsed.deployments == ()
    assert [prompt.session_id for prompt in parsed.session_prompts] == ["ok"]
    assert parsed.entry_counts == {"vendors": 3, "deployments": 2, "session_prompts": 2}
    assert parsed.count_mismatches == []


def test_malformed_yaml_is_reported_at_its_line_in_the_file() -> None:
    text = build(
        "## Session Prompts",
        "### Session 2025-10-01 (session_id: s)",
        "---",
        "schema_version: 1",
        "a: 1",
        "  b: 2",  # 6
        "---",
    )

    (problem,) = parse_status_file(text).problems

    assert problem == Problem(6, "session_prompts", "malformed frontmatter: mapping values are not allowed here")


def test_more_unreadable_lines_each_name_what_is_wrong() -> None:
    text = build(
        "## Vendors",
        "- v: operational [Excel, Word]",  # 2
        "- w: operational (1/2 tests passed, 0 skipped) (3/4 tests passed, 0 skipped)",  # 3
        "- x: operational (5/2 tests passed, 0 skipped)",  # 4
        "stray text",  # 5
        "## Deployments",
        "- Commit: abc1234",  # 7
        "### 2025-10-01",  # 8
        "- Tests: many passed",  # 9
        "- Mood: good",  # 10
        "### 2025-10-02 - PR #0",  # 11
        "### 2025-10-03",  # 12
        "- Title: no commit",
        "## Future Enhancements",
        "- No attributes at all",  # 15
        "- Wrong priority (Priority: urgent, Q1 2026)",  # 16
        "- No quarter (Priority: low)",  # 17
        "- Bad requires (Priority: low, Q1 2026)",
        "  - Requires: [unclosed",  # 19
        "## Work Items",
        "- [epic] Unknown type (active) #a",  # 21
        "- [task] Bad status (paused) #b",  # 22
        "- [task] No attributes",  # 23
        "## Session Prompts",
        "text before any session",  # 25
        "### Session someday",  # 26
        "### Session 2025-10-01",  # 27
        "---",
        "schema_version: 1",
        "---",
        "### Session 2025-10-02 (session_id: x)",  # 31
        "no frontmatter",
    )

    parsed = parse_status_file(text)

    found = {problem.line: problem.reason for problem in parsed.problems}
    assert found == {
        2: "unknown format 'word': expected Excel, CSV, PDF or OCR",
        3: "test_results is given twice",
        4: "metadata.test_results: passing + skipped must not exceed total",
        5: "unexpected line outside a vendor line: 'stray text'",
        7: "unexpected line outside a deployment: '- Commit: abc1234'",
        9: "unreadable test count 'many passed': expected e.g. '45 passed'",
        10: "unknown deployment field 'mood'",
        11: "PR number must be at least 1, got 0",
        12: "deployment has no '- Commit:' line",
        15: "expected '- <title> (Priority: High, Q1 2026) #<id>'",
        16: "unknown priority 'urgent': expected one of high, medium, low",
        17: "enhancement has no target quarter",
        19: "unreadable principles '[unclosed': expected a JSON list of strings",
        21: "unknown work item type 'epic': expected one of project, session, task, research",
        22: "unknown work item status 'paused': expected one of active, completed, blocked",
        23: found[23],
        25: "unexpected line outside a session prompt: 'text before any session'",
        26: "unreadable session date 'someday': expected YYYY-MM-DD",
        27: "no session_id: neither '(session_id: …)' here nor in the frontmatter",
        32: "must start with YAML frontmatter: a line '---', the YAML, then a line '---'",
    }
    assert found[23].startswith("expected '- [<type>] <title> (<status>")
    assert (parsed.vendors, parsed.deployments, parsed.enhancements) == ((), (), ())
    assert (parsed.work_items, parsed.session_prompts) == ((), ())


def test_unknown_sections_are_skipped_silently() -> None:
    parsed = parse_status_file("## Roadmap (3 total)\n- whatever\n### 2025-10-01\n")

    assert parsed == ParsedStatus((), (), (), (), (), {}, {}, ())


FRAGMENTS = st.sampled_from(
    [
        "## Vendors (2 total)",
        "## Deployments",
        "## Future Enhancements (x total)",
        "## Work Items",
        "## Session Prompts",
        "### Session 2025-10-01",
        "### Session (session_id: )",
        "### 2025-13-45T99:00:00Z - PR #",
        "---",
        "schema_version: [",
        "- a: operational (1/0 tests passed) [] v manifest ?",
        "- Commit: zz",
        "- Vendors: , , ",
        "- x (Priority: , )",
        "  - Requires: [1, 2]",
        "  - Description: \\",
        "    - [task]  () #",
        "\t- [task] t (active, PR #-1) #a",
        "\\## escaped",
        "",
    ]
)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=30))
def test_no_input_makes_the_parser_raise(lines: list[str]) -> None:
    text = "\n".join(lines)

    parsed = parse_status_file(text)

    render(as_status_data(parsed))
    assert all(1 <= problem.line <= len(text.split("\n")) for problem in parsed.problems)


def test_vendor_names_containing_a_comma_are_cut_by_the_names_the_file_lists() -> None:
    text = build(
        "## Vendors",
        "- Smith, Jones & Co: operational",
        "- acme: broken",
        "## Deployments",
        "### 2025-10-01",
        "- Commit: abc1234",
        "- Vendors: acme, Smith, Jones & Co",
    )

    parsed = parse_status_file(text)

    assert parsed.problems == ()
    assert parsed.deployments[0].vendor_names == ("acme", "Smith, Jones & Co")


def test_a_vendor_list_that_cuts_two_ways_is_reported() -> None:
    text = build(
        "## Vendors",
        "- a: operational",
        "- b: operational",
        "- a, b: operational",
        "## Deployments",
        "### 2025-10-01",
        "- Commit: abc1234",
        "- Vendors: a, b",  # 8
    )

    parsed = parse_status_file(text)

    assert parsed.problems == (
        Problem(
            8, "deployments", "ambiguous vendor list 'a, b': vendor names containing ', ' can be cut more than one way"
        ),
    )


def test_a_repeated_id_is_reported_and_placeholders_never_take_a_written_id() -> None:
    text = build(
        "## Work Items",
        "- [task] A (active) #line-3",
        "  - [task] B (active)",
        "    - [task] A again (active) #line-3",  # 4
        "## Future Enhancements",
        "- E (Priority: low, Q1 2026) #e",
        "- E again (Priority: low, Q1 2026) #e",  # 7
    )

    parsed = parse_status_file(text)
    data = as_status_data(parsed)

    assert parsed.problems == (
        Problem(4, "work_items", "id 'line-3' is listed twice (first on line 2)"),
        Problem(7, "enhancements", "id 'e' is listed twice (first on line 6)"),
    )
    assert [(item["id"], item["parent_id"]) for item in data.work_items] == [("line-3", None), ("_line-3", "line-3")]
    assert "  - [task] B (active) #_line-3" in render(data)
