"""Session prompts on SQLite and PostgreSQL: frontmatter checked, kept as plain data."""

from __future__ import annotations

import pytest

from statusboard.domain.errors import ValidationError
from statusboard.wiring import App

PROMPT = (
    "---\nsession_id: sess_001\ntoken_budget: 50000\nschema_version: 1.2\ndate: 2025-10-01\n---\nPrompt content...\n"
)


def test_a_prompt_is_recorded_with_its_frontmatter(app: App) -> None:
    prompt = app.session_prompts.record("claude-code", "sess_001", PROMPT)
    assert prompt["content"] == PROMPT and prompt["schema_version"] == "1.2"
    assert prompt["frontmatter"] == {
        "session_id": "sess_001",
        "token_budget": 50000,
        "schema_version": 1.2,
        "date": "2025-10-01",  # dates stay the text they were written as
    }
    listed = app.session_prompts.list("sess_001")
    assert listed["total_count"] == 1 and listed["prompts"][0] == prompt
    assert app.session_prompts.list("other")["total_count"] == 0
    (entry,) = [c for c in app.changes.list_changes()["changes"] if c["entity"] == "session_prompt"]
    assert entry["entity_id"] == prompt["id"]


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("no frontmatter\n", 1, "must start with YAML frontmatter"),
        ("---\nschema_version: 1\n", 1, "not closed"),
        ("---\ntoken_budget: 5\n---\nbody", 2, "schema_version"),
        ("---\nschema_version: 1\nlist: [a, b\n---\n", 3, "malformed frontmatter"),
        ("---\nschema_version: 1\na: 1\n  b: 2\n---\n", 4, "malformed frontmatter"),
        ("---\nschema_version: 1\nx: !!python/object/apply:os.system [ls]\n---\n", 3, "malformed frontmatter"),
        ("---\nschema_version: 1\na: &x [1, 2]\nb: *x\n---\n", 4, "aliases"),
        ("---\n- just\n- a list\n---\n", 2, "mapping"),
    ],
)
def test_bad_frontmatter_is_refused_naming_its_line(app: App, content: str, line: int, words: str) -> None:
    with pytest.raises(ValidationError) as exc:
        app.session_prompts.record("claude-code", "sess_001", content)
    assert exc.value.details["field"] == "content"
    message = exc.value.details["errors"][0]["message"]
    assert message.startswith(f"line {line}:") and words in message, message
    assert app.session_prompts.list()["total_count"] == 0


def test_non_text_keys_and_non_finite_numbers_are_refused(app: App) -> None:
    for content in ("---\nschema_version: 1\n1: one\n---\n", "---\nschema_version: 1\nx: .inf\n---\n"):
        with pytest.raises(ValidationError):
            app.session_prompts.record("a", "s", content)
