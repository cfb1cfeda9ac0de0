"""Every request's id, and one log line for each request and each job run.

A response carries ``X-Request-ID``: the request's own when it sent one that is fit to
log (1–128 letters, digits and ``._:-``), otherwise a new random one. The request's line
(logger ``booking.requests``) holds that id, the method, the route's template (never
the path as sent, so a feed's or display's secret, a token or a query string is never
written), the status, the duration in milliseconds and the signed-in user's id.

Lines are JSON, one object per line, for a log collector; plain text when the output
is a terminal. ``configure_logging`` sets up the ``booking`` loggers so once per
process; a deployment that configures logging itself keeps its own.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from flask import Flask, Response, g, request

from booking import metrics

REQUEST_ID = "X-Request-ID"
_FIT = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
#: What a record carries for its JSON line (``extra={FIELDS: {...}}``).
FIELDS = "fields"
#: A line for a person at a terminal (also the scheduler's format for other loggers).
PLAIN = "%(asctime)s %(name)s: %(message)s"

log = logging.getLogger("booking.requests")


class JsonLines(logging.Formatter):
    """A record as one JSON object: time (UTC), level, logger, message and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, FIELDS, {}),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class PlainLines(logging.Formatter):
    """A record for a person at a terminal: time, logger, message, then its fields."""

    def __init__(self) -> None:
        super().__init__(PLAIN)

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, FIELDS, {})
        extra = " ".join(f"{key}={value}" for key, value in fields.items())
        return f"{super().format(record)} {extra}".rstrip()


def configure_logging(stream: Any = None) -> None:
    """Give the ``booking`` loggers one handler (JSON lines, or plain text on a
    terminal) unless they have one already or the deployment set up the root logger."""
    logger = logging.getLogger("booking")
    if logger.handlers or logging.getLogger().handlers:
        return
    out = stream or sys.stderr
    handler = logging.StreamHandler(out)
    handler.setFormatter(PlainLines() if out.isatty() else JsonLines())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # a root handler added later must not write each line twice


def _begin() -> None:
    sent = request.headers.get(REQUEST_ID, "")
    g.request_id = sent if _FIT.fullmatch(sent) else uuid.uuid4().hex
    g.request_began = time.perf_counter()


def _actor_id() -> int | None:
    for name in ("actor", "user"):  # the API's bearer, the pages' session
        user = g.get(name)
        if user is not None:
            return int(user.id)
    return None


def _end(response: Response) -> Response:
    response.headers[REQUEST_ID] = g.request_id  # _begin runs first for every request
    rule = request.url_rule.rule if request.url_rule is not None else None
    seconds = time.perf_counter() - g.request_began
    fields = {
        "request_id": g.request_id,
        "method": request.method,
        "route": rule,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 2),
        "actor_id": _actor_id(),
    }
    route = rule or "(no route)"
    metrics.observe_request(route, request.method, response.status_code, seconds)
    log.info("%s %s %s", request.method, route, response.status_code, extra={FIELDS: fields})
    return response


def init_app(app: Flask) -> None:
    """Give every request an id and every response its header and log line."""
    app.before_request(_begin)  # registered first: before the edge's checks
    app.after_request(_end)
    configure_logging()
