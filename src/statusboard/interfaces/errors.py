"""One mapping from our errors to what each interface sends: MCP error bodies, exit codes."""

from __future__ import annotations

import logging
from typing import Any

import pydantic

from statusboard.domain.errors import StatusboardError
from statusboard.domain.validation import from_pydantic

log = logging.getLogger(__name__)

EXIT_CODES: dict[str, int] = {
    "ValidationError": 2,
    "NotFoundError": 3,
    "VersionConflictError": 4,
    "ClaimConflictError": 5,
    "LeaseExpiredError": 5,
    "DatabaseUnavailableError": 6,
    "PermissionDeniedError": 8,
    "InternalError": 1,
}


def as_statusboard_error(exc: BaseException) -> StatusboardError | None:
    """Translates the foreign errors we understand; None for a genuine bug. Database errors
    never get here: storage translates them at its edge (storage/errors.py)."""
    if isinstance(exc, StatusboardError):
        return exc
    if isinstance(exc, pydantic.ValidationError):
        return from_pydantic(exc)
    return None


def error_body(exc: BaseException) -> dict[str, Any]:
    known = as_statusboard_error(exc)
    if known is None:
        log.exception("unexpected error", exc_info=exc)
        return {
            "success": False,
            "error": "InternalError",
            "message": f"internal error: {type(exc).__name__}",
            "details": {},
        }
    return {"success": False, "error": known.code, "message": known.message, "details": known.details}


def exit_code(exc: BaseException) -> int:
    known = as_statusboard_error(exc)
    return 1 if known is None else EXIT_CODES.get(known.code, 1)
