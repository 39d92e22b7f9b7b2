"""docs/reference.md's Errors table (from domain/errors.py and the exit codes of
interfaces/errors.py) and Limits table (from the constants that enforce them)."""

from __future__ import annotations

from statusboard.domain.answers import MAX_ANSWER_BYTES
from statusboard.domain.claims import DEFAULT_LEASE_SECONDS, MAX_LEASE_SECONDS
from statusboard.domain.errors import StatusboardError
from statusboard.domain.limits import (
    COLUMN_INT_MAX,
    FREE_TEXT_MAX,
    LIST_MAX,
    MAX_SAFE_INTEGER,
    NAME_MAX,
    OBJECT_MAX_BYTES,
    OBJECT_MAX_DEPTH,
    PROMPT_CONTENT_MAX,
    TITLE_MAX,
)
from statusboard.domain.session_prompts import MAX_FRONTMATTER_BYTES, MAX_FRONTMATTER_DEPTH
from statusboard.domain.work_items import MAX_DEPTH
from statusboard.interfaces.errors import EXIT_CODES
from statusboard.interfaces.reference.schema_text import row
from statusboard.services.migration import MAX_SOURCE_BYTES
from statusboard.services.work_items import MAX_DESCENDANTS


def error_codes() -> list[type[StatusboardError]]:
    """Every error a caller can get, in the order domain/errors.py defines them."""
    return StatusboardError.__subclasses__()


def errors_section() -> str:
    rows = ["| `error` | when | `details` | exit status of a command |", "|---|---|---|---|"]
    for error in error_codes():
        if not error.when or not error.details_keys:
            raise ValueError(f"{error.code} does not say when it is returned and what its details hold")
        details = ", ".join(f"`{key}`" for key in error.details_keys)
        cells = [f"`{error.code}`", error.when, details, str(EXIT_CODES[error.code])]
        rows.append(row(*cells))
    return "\n".join(rows)


def limits_section() -> str:
    rows = ["| what | limit |", "|---|---|", *(row(what, limit) for what, limit in _limits())]
    return "\n".join(rows)


def _limits() -> list[tuple[str, str]]:
    return [
        ("titles (work items, enhancements, a deployment's `pr_title`)", f"1 to {TITLE_MAX:,} characters"),
        ("names (vendors, `session_id`, `created_by`, client names)", f"1 to {NAME_MAX:,} characters"),
        (
            "free text (descriptions, `findings_summary`, the entries of metadata lists)",
            f"at most {FREE_TEXT_MAX:,} characters; narrower where an argument's constraints say so",
        ),
        ("session prompt `content`", f"at most {PROMPT_CONTENT_MAX:,} characters"),
        ("lists", f"at most {LIST_MAX:,} entries; fewer where an argument's constraints say so"),
        (
            "`metadata`",
            f"a JSON object of at most {OBJECT_MAX_BYTES // 1024} KB (compact UTF-8 JSON) and {OBJECT_MAX_DEPTH} "
            "levels; only the keys its argument lists",
        ),
        (
            "YAML frontmatter of a session prompt",
            f"at most {MAX_FRONTMATTER_BYTES // 1024} KB and {MAX_FRONTMATTER_DEPTH} levels, checked on the raw "
            "text before it is parsed, so a hostile one is refused at once, with its line (brackets count "
            "wherever they stand, even inside quoted text)",
        ),
        (
            "integers",
            f"within ±(2^53 - 1) = ±{MAX_SAFE_INTEGER:,}, inside `metadata` and frontmatter too; "
            "narrower where an argument's constraints say so",
        ),
        ("pull request numbers, a vendor's test counts", f"at most {COLUMN_INT_MAX:,}"),
        ("numbers", "finite"),
        ("timestamps", "ISO 8601 with an offset or `Z`; kept as the same instant in UTC; years 1970 to 9999"),
        ("the work-item hierarchy", f"at most {MAX_DEPTH} levels below the root (`depth` 0 to {MAX_DEPTH})"),
        ("a claim's lease", f"1 to {MAX_LEASE_SECONDS:,} seconds; {DEFAULT_LEASE_SECONDS} unless `lease_seconds` says"),
        (
            "the rows of an answer that carries `has_more`",
            f"about {MAX_ANSWER_BYTES:,} bytes of rows (at least one row), whatever `limit` says",
        ),
        (
            "the descendants `query_work_item` returns",
            f"at most {MAX_DESCENDANTS:,}; `children_truncated` says when there were more",
        ),
        ("the file `migrate_from_markdown` reads", f"at most {MAX_SOURCE_BYTES // (1024 * 1024)} MiB"),
        (
            "the client's declared name (`clientInfo.name`), where it is the actor",
            f"1 to {NAME_MAX} printable characters (no line breaks or other control characters)",
        ),
    ]
