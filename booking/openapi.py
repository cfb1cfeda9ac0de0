"""The OpenAPI document tells the truth about errors.

Every error the service sends is ``application/problem+json`` (RFC 9457, see
``booking.errors``), so every error response the document names is too, with the
``Problem`` schema. Operations that take a bearer token also list 401 (with its
``WWW-Authenticate`` header) and 429 (with ``Retry-After``); the public ones (health,
metrics, feeds by their secret) say ``security: []`` and list neither.
"""

from __future__ import annotations

import http
from typing import Any

from apispec import BasePlugin
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields

from booking.errors import PROBLEM_JSON

#: Headers some error statuses always carry.
ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "How to authenticate: a bearer token",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Whole seconds until a request will be let through again",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds after which to ask again",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


class ProblemSchema(Schema):
    """An error: what went wrong in words (``title``, ``detail``) and for programs
    (``code``, the same as the end of ``type``), with members of its own per code."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"example": "/problems/booking_conflict"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True, metadata={"example": "booking_conflict"})
    errors = fields.Dict(metadata={"description": "invalid_fields: messages per field"})
    violations = fields.List(
        fields.Dict(), metadata={"description": "rule_violation: every rule broken"}
    )
    conflicts = fields.List(fields.Dict(), metadata={"description": "busy time (never whose)"})
    alternatives = fields.List(
        fields.Dict(),
        metadata={"description": "free times nearby: resource_id, name, start, end"},
    )
    retry_after = fields.Integer(metadata={"description": "rate_limited: seconds to wait"})


class _BearerErrors(BasePlugin):
    """Adds 401 and 429 to every operation that takes a bearer token."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for operation in (operations or {}).values():
            if not isinstance(operation, dict) or operation.get("security") == []:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", http.HTTPStatus.UNAUTHORIZED.name)
            responses.setdefault("429", http.HTTPStatus.TOO_MANY_REQUESTS.name)


class ProblemApi(Api):
    """flask-smorest's ``Api`` whose error responses are problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, **options: Any) -> None:
        extra = [*options.pop("extra_plugins", ()), _BearerErrors()]
        super()._init_spec(extra_plugins=extra, **options)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                if status in ERROR_HEADERS:
                    response["headers"] = ERROR_HEADERS[status]
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)
