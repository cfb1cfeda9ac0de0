"""Domain errors and the one handler that turns every error into problem+json (RFC 9457).

Each error carries its HTTP status and a stable machine-readable ``code``; the body's
``type`` is ``/problems/<code>``. No input reaches a 5xx: anything unexpected is logged
and answered as a 500 problem without internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, json, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from booking.schemas.fields import local_iso

PROBLEM_JSON = "application/problem+json"
#: How long a client is asked to wait while the database cannot be reached.
RETRY_AFTER_SECONDS = 30


class DomainError(Exception):
    """A refusal a user can meet: status, code, title and detail, plus extra members."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFoundError(DomainError):
    status, code, title = 404, "not_found", "Not found"


class PermissionDeniedError(DomainError):
    status, code, title = 403, "forbidden", "Not allowed"


class AuthenticationRequiredError(DomainError):
    status, code, title = 401, "unauthorized", "Authentication required"


class InvalidFieldsError(DomainError):
    """Input of the right shape that is still wrong, reported per field like schema errors."""

    status, code, title = 422, "invalid_fields", "Invalid input"

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        super().__init__(
            "Some fields are not valid.", errors={k: list(v) for k, v in errors.items()}
        )


class RuleViolationError(DomainError):
    """The booking rules refuse the request; ``violations`` lists every reason."""

    status, code, title = 422, "rule_violation", "Booking rules refuse this request"

    def __init__(self, violations: Sequence[Mapping[str, str]]) -> None:
        reasons = " ".join(v["message"] for v in violations)
        super().__init__(reasons, violations=list(violations))


class BookingConflictError(DomainError):
    """The time is taken; ``conflicts`` holds busy time only, never whose it is."""

    status, code, title = 409, "booking_conflict", "The time is already booked"

    def __init__(
        self,
        conflicts: Sequence[Mapping[str, Any]],
        alternatives: Sequence[Mapping[str, Any]] = (),
        *,
        waitlist: bool = False,
    ) -> None:
        extra: dict[str, Any] = {"waitlist": True} if waitlist else {}
        super().__init__(
            "The resource, or a resource it shares space with, is booked for part of that time.",
            conflicts=list(conflicts),
            alternatives=list(alternatives),
            **extra,
        )


class SeriesRefusedError(DomainError):
    """Occurrences of a series that cannot be booked or moved, each with its reasons.

    A 409 when any of them clashes with time already claimed (``conflicts`` holds that
    busy time), else a 422 for the rules they break (``violations``).
    """

    def __init__(self, occurrences: Sequence[Mapping[str, Any]]) -> None:
        conflicts = [c for o in occurrences for c in o.get("conflicts", ())]
        violations = list(
            {v["code"]: v for o in occurrences for v in o.get("violations", ())}.values()
        )
        if conflicts:
            self.status, self.code = 409, "series_conflict"
            self.title = "Occurrences of the series clash with existing bookings"
        else:
            self.status, self.code = 422, "series_rule_violation"
            self.title = "Booking rules refuse occurrences of the series"
        super().__init__(
            f"{len(occurrences)} occurrence(s) cannot be booked as asked; nothing was changed. "
            "See occurrences for each one's reasons.",
            occurrences=list(occurrences),
            conflicts=conflicts,
            violations=violations,
        )


class StateConflictError(DomainError):
    """The action does not fit the current state of the thing (e.g. already cancelled)."""

    status, title = 409, "Not possible in the current state"

    def __init__(self, detail: str, code: str = "invalid_state") -> None:
        super().__init__(detail)
        self.code = code


class MoveConflictError(DomainError):
    """Moving a resource would put its bookings under a resource booked at the same time;
    ``conflicts`` holds that resource's busy time."""

    status, code, title = 409, "move_conflict", "The move would make bookings clash"

    def __init__(self, conflicts: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(
            "Bookings of this resource (or of what lies below it) overlap bookings of the "
            "resource it would move under, which take everything below them.",
            conflicts=list(conflicts),
        )


class NotAcceptableError(DomainError):
    status, code, title = 406, "not_acceptable", "No acceptable representation"


class DuplicateError(DomainError):
    status, code, title = 409, "duplicate", "Already exists"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return local_iso(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    """A problem+json response."""
    body = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    response = current_app.response_class(
        json.dumps(body, default=_encode), status=status, mimetype=PROBLEM_JSON
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="hwic-booking"'
    return response


def _http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    extra: dict[str, Any] = {}
    detail = error.description or error.name or "Error"
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if status == 422 and messages:
        # webargs nests messages by location (json, query); fields are what clients need.
        errors: dict[str, Any] = {}
        for by_field in messages.values():
            errors.update(by_field)
        extra["errors"] = errors
        code = "invalid_fields"
        detail = "Some fields are not valid; see errors."
    if status == 400 and messages:
        detail = "The request body is not valid JSON."
        code = "malformed_body"
    response = problem(status, code, error.name or "Error", detail, **extra)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def init_app(app: Flask) -> None:
    """Register the problem+json handlers on ``app`` (after flask-smorest's own)."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> Response:
        return problem(error.status, error.code, error.title, error.detail, **error.extra)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        return _http_problem(error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_down(error: Exception) -> Response:
        app.logger.error("database unavailable: %s", error)
        detail = "The database cannot be reached just now; nothing was changed. Try again shortly."
        if request.path.startswith("/api/"):
            response = problem(503, "database_unavailable", "Service unavailable", detail)
        else:  # a page drawn without the database (the usual layout asks who is signed in)
            page = f"<!doctype html><html lang=en-GB><title>Unavailable</title><h1>{detail}</h1>"
            response = current_app.response_class(page, status=503, mimetype="text/html")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error", exc_info=error)
        return problem(500, "internal_error", "Internal error", "Something went wrong on our side.")
