"""The project configuration singleton on SQLite and PostgreSQL: read, versioned update, validated values."""

from __future__ import annotations

from typing import Any

import pytest

from statusboard.domain.errors import ValidationError, VersionConflictError
from statusboard.domain.project_configuration import ConfigurationChanges
from statusboard.domain.validation import validated
from statusboard.wiring import App


def update(app: App, version: int, **fields: Any) -> dict[str, Any]:
    return app.configuration.update("claude-code", version, validated(ConfigurationChanges, fields))


def test_one_row_starting_at_version_1(app: App) -> None:
    config = app.configuration.get()
    assert config["version"] == 1 and config["git_branch"] is None


def test_updates_are_versioned_and_null_clears(app: App) -> None:
    first = update(app, 1, git_branch="feature/x", git_head="abc1234", git_dirty=True, default_token_budget=50000)
    assert first["version"] == 2 and first["git_branch"] == "feature/x" and first["updated_by"] == "claude-code"
    second = update(app, 2, git_dirty=None, health_status="degraded", active_context_type="session")
    assert second["git_dirty"] is None and second["git_branch"] == "feature/x" and second["health_status"] == "degraded"
    with pytest.raises(VersionConflictError) as exc:
        update(app, 2, git_dirty=False)
    assert exc.value.details["actual_version"] == 3 and exc.value.details["current"]["health_status"] == "degraded"
    assert app.configuration.get() == second
    (entry,) = [c for c in app.changes.list_changes()["changes"] if c["version"] == 3]
    assert entry["entity"] == "project_configuration" and entry["fields"]["git_dirty"] is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"git_head": "XYZ"}, "git_head"),
        ({"git_branch": "bad..branch"}, "git_branch"),
        ({"default_token_budget": 10}, "default_token_budget"),
        ({"health_status": "fine"}, "health_status"),
        ({"active_context_type": "epic"}, "active_context_type"),
        ({"git_dirty": "yes"}, "git_dirty"),
        ({"theme": "dark"}, "theme"),
    ],
)
def test_bad_values_are_refused(app: App, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        update(app, 1, **fields)
    assert exc.value.details["field"] == field
    assert app.configuration.get()["version"] == 1


def test_an_empty_update_is_refused(app: App) -> None:
    with pytest.raises(ValidationError):
        update(app, 1)
