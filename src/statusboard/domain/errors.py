"""The errors a caller can see. Each carries the contract's error code and details.

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
from typing import Any


class StatusboardError(Exception):
    code = "StatusboardError"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}


class ValidationError(StatusboardError):
    code = "ValidationError"

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

    def __init__(self, entity: str, *, id: str | None = None, name: str | None = None) -> None:
        key, value = ("id", id) if id is not None else ("name", name)
        super().__init__(f"{entity} not found: {value}", {"entity": entity, key: value})


class VersionConflictError(StatusboardError):
    code = "VersionConflictError"

    def __init__(self, expected: int, actual: int, current: Mapping[str, Any]) -> None:
        super().__init__(
            f"version mismatch: expected {expected}, actual {actual}",
            {"expected_version": expected, "actual_version": actual, "current": current},
        )


class ClaimConflictError(StatusboardError):
    code = "ClaimConflictError"

    def __init__(self, holder: str, expires_at: str) -> None:
        super().__init__(f"busy: claimed by {holder} until {expires_at}", {"holder": holder, "expires_at": expires_at})


class LeaseExpiredError(StatusboardError):
    code = "LeaseExpiredError"

    def __init__(self, holder: str | None) -> None:
        super().__init__("claim token is no longer valid", {"holder": holder})


class DatabaseUnavailableError(StatusboardError):
    code = "DatabaseUnavailableError"

    def __init__(self, reason: str, layers_tried: list[str]) -> None:
        super().__init__(f"database unavailable: {reason}", {"layers_tried": layers_tried})


class PermissionDeniedError(StatusboardError):
    code = "PermissionDeniedError"

    def __init__(self, role: str, tool: str, needed: str) -> None:
        super().__init__(f"the role {role} may not call {tool} (it needs {needed})", {"role": role, "tool": tool})
