"""Reading the status file back: text in, records and problems out.

Reads what `status_markdown.render` writes and the legacy files people keep by hand (the
layout of tests/unit/test_status_parser.py's example, written loosely). Pure: no database, no
I/O, and no exception on bad input. An entry that cannot be read is left out and reported as a
`Problem` with its 1-based line number and the reason.

Choices where the format leaves room:
- Section names match case-insensitively ("Enhancements" also names the enhancements);
  unknown sections are skipped without a word, but an unexpected line inside a known
  section is a problem. A section that appears twice is read as one.
- `entry_counts` counts the entries found, read or not; a header's "(N total)" only
  produces a `CountMismatch` when it disagrees with that.
- A deployment, enhancement or session prompt with any unreadable line is left out whole.
- A deployment's "- Vendors:" line is split on ", ". When names in the Vendors section
  contain ", " themselves, the one way to cut the line into known names is taken; two
  ways is reported as a problem.
- Session prompt frontmatter need not carry schema_version: legacy files predate it.

The records it produces, and the way back to `StatusData`, are in `parsed_status.py`.
"""

from __future__ import annotations

from statusboard.domain.parsed_status import (
    DEPLOYMENTS,
    ENHANCEMENTS,
    SESSION_PROMPTS,
    VENDORS,
    WORK_ITEMS,
    ParsedStatus,
)
from statusboard.domain.status_parser.common import Reader, split_sections
from statusboard.domain.status_parser.deployments import KnownVendors, read_deployments
from statusboard.domain.status_parser.enhancements import read_enhancements
from statusboard.domain.status_parser.session_prompts import read_session_prompts
from statusboard.domain.status_parser.vendors import read_vendors
from statusboard.domain.status_parser.work_items import read_work_items

__all__ = ["parse_status_file"]


def parse_status_file(text: str) -> ParsedStatus:
    reader = Reader([], {})
    chunks, header_counts = split_sections(text.removeprefix("\ufeff"), reader)
    vendors = read_vendors(chunks.get(VENDORS, []), reader)
    known_vendors = KnownVendors.of(vendors)
    deployments = read_deployments(chunks.get(DEPLOYMENTS, []), known_vendors, reader)
    enhancements = read_enhancements(chunks.get(ENHANCEMENTS, []), reader)
    work_items = read_work_items(chunks.get(WORK_ITEMS, []), reader)
    prompts = read_session_prompts(chunks.get(SESSION_PROMPTS, []), reader)
    return ParsedStatus(
        vendors=tuple(vendors),
        deployments=tuple(deployments),
        enhancements=tuple(enhancements),
        work_items=tuple(work_items),
        session_prompts=tuple(prompts),
        header_counts=header_counts,
        entry_counts=reader.entry_counts,
        problems=tuple(sorted(reader.problems, key=lambda problem: problem.line)),
    )
