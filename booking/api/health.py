"""Liveness (``/healthz``: no database), readiness (``/readyz``: the database answers
and its schema is the newest) and ``/metrics`` (Prometheus); none needs authentication."""

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from booking import metrics
from booking.clock import now
from booking.errors import RETRY_AFTER_SECONDS, problem
from booking.responses import json_response
from booking.services.operations import check_readiness, outbox_backlog

METRICS_DOC: dict[str, Any] = {
    "schema": {"type": "string"},
    "content_type": "text/plain",
    "success": True,
    "description": "Prometheus text format: requests, bookings made and refused, job runs, "
    "the outbox backlog",
}

blp = Blueprint("health", __name__, description="Liveness and readiness")


@blp.route("/healthz")
@blp.doc(security=[])
@blp.response(200)
def healthz() -> dict[str, str]:
    """The service is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.doc(security=[])
@blp.response(200)
@blp.alt_response(
    503,
    response="SERVICE_UNAVAILABLE",
    description="Not ready (problem+json, code not_ready): the database does not answer, "
    "or its schema is not at the newest migration; schema and newest say which.",
)
def readyz() -> Response:
    """Ready to serve: 200, or 503 (with ``Retry-After``) saying what is missing."""
    found = check_readiness()
    if not found.ready:
        response = problem(
            503,
            "not_ready",
            "Not ready",
            found.problem or "Not ready.",
            schema=found.schema,
            newest=found.newest,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return json_response({"status": "ok", "schema": found.schema, "newest": found.newest})


@blp.route("/metrics")
@blp.doc(security=[])
@blp.alt_response(200, **METRICS_DOC)
def metrics_view() -> Response:
    """Counts for monitoring (every gunicorn worker's, with ``PROMETHEUS_MULTIPROC_DIR``)."""
    body, content_type = metrics.exposition(outbox_backlog(now()))
    return Response(body, content_type=content_type)
