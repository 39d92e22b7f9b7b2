"""The errors a caller can see. Each carries the contract's error code and details, and says
when it is returned (`when`) and which details keys it may carry (`details_keys`): the Errors
table of docs/reference.md is generated from them.

StatusboardError
 ├── ValidationError          bad input (details: field, errors[{field, message}])
 ├── NotFoundError            no such id or name (details: entity, id | name)
 ├── VersionConflictError     stale version (details: expected_version, actual_version, current)
 ├── ClaimConflictError       claimed by someone else (details: holder, expires_at)
 ├── LeaseExpiredError        claim token no longer valid (details: holder)
 ├── DatabaseUnavailableError no layer could serve the request (details: layers_tried)
 └── PermissionDeniedError    the caller's role may not call the tool (details: role, tool)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class StatusboardError(Exception):
    code = "StatusboardError"
    when: ClassVar[str] = ""
    details_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}


class ValidationError(StatusboardError):
    code = "ValidationError"
    when = (
        "bad input: a wrong type, a value out of range, an unknown argument or metadata key, a bad commit hash, "
        "a hierarchy deeper than 5 levels, a cycle, malformed YAML frontmatter, a file outside the project"
    )
    details_keys = ("field", "errors")

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        if not errors:
            raise ValueError("a ValidationError needs at least one error")
        listed = [{"field": field, "message": message} for field, message in errors]
        summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in listed)
        super().__init__(summary, {"field": listed[0]["field"], "errors": listed})

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([(field, message)])


class NotFoundError(StatusboardError):
    code = "NotFoundError"
    when = "no entity has that id or name"
    details_keys = ("entity", "id", "name")

    def __init__(self, entity: str, *, id: str | None = None, name: str | None = None) -> None:
        key, value = ("id", id) if id is not None else ("name", name)
        super().__init__(f"{entity} not found: {value}", {"entity": entity, key: value})


class VersionConflictError(StatusboardError):
    code = "VersionConflictError"
    when = "the `version` given is not the current one"
    details_keys = ("expected_version", "actual_version", "current")

    def __init__(self, expected: int, actual: int, current: Mapping[str, Any]) -> None:
        super().__init__(
            f"version mismatch: expected {expected}, actual {actual}",
            {"expected_version": expected, "actual_version": actual, "current": current},
        )


class ClaimConflictError(StatusboardError):
    code = "ClaimConflictError"
    when = "someone holds a live claim on the item and the call did not pass its `claim_token`"
    details_keys = ("holder", "expires_at")

    def __init__(self, holder: str, expires_at: str) -> None:
        super().__init__(f"busy: claimed by {holder} until {expires_at}", {"holder": holder, "expires_at": expires_at})


class LeaseExpiredError(StatusboardError):
    code = "LeaseExpiredError"
    when = "the `claim_token` given is no longer valid: expired, released or taken over"
    details_keys = ("holder",)

    def __init__(self, holder: str | None) -> None:
        super().__init__("claim token is no longer valid", {"holder": holder})


class DatabaseUnavailableError(StatusboardError):
    code = "DatabaseUnavailableError"
    when = "the primary database does not answer and no fallback layer can serve the call"
    details_keys = ("layers_tried",)

    def __init__(self, reason: str, layers_tried: list[str]) -> None:
        super().__init__(f"database unavailable: {reason}", {"layers_tried": layers_tried})


class PermissionDeniedError(StatusboardError):
    code = "PermissionDeniedError"
    when = "the caller's role may not make this call"
    details_keys = ("role", "tool")

    def __init__(self, role: str, tool: str, needed: str) -> None:
        super().__init__(f"the role {role} may not call {tool} (it needs {needed})", {"role": role, "tool": tool})
