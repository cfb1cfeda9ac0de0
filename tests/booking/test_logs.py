"""Request ids on every response; one log line per request and per job run."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking import jobs
from booking.logs import JsonLines, PlainLines, configure_logging
from tests.booking.test_displays import path_of, register
from tests.conftest import Factory


class Lines(logging.Handler):
    """The JSON lines ``booking`` loggers write, as a collector would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonLines())
        self.text: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.text.append(self.format(record))

    def parsed(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.text]


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("booking")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_every_response_carries_a_request_id(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/api/v1/resources").headers["X-Request-ID"]
    assert len(first) == 32 and first != second
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc:9"})
    assert kept.headers["X-Request-ID"] == "lb-1234.abc:9"
    for unfit in ("", "x" * 129, "a b", "id;forged=1", "é"):
        answer = client.get("/healthz", headers={"X-Request-ID": unfit})
        assert answer.headers["X-Request-ID"] != unfit
        assert len(answer.headers["X-Request-ID"]) == 32
    refused = client.get("/api/v1/resources?q=%00", headers={"X-Request-ID": "r-1"})
    assert refused.status_code in (401, 422) and refused.headers["X-Request-ID"] == "r-1"


def test_one_json_line_a_request_with_its_route_never_its_secrets(
    client: FlaskClient, make: Factory, lines: Lines
) -> None:
    member = make.user()
    headers = make.headers(member)
    token = headers["Authorization"].split()[1]
    answer = client.get("/api/v1/resources", headers={**headers, "X-Request-ID": "req-7"})
    assert answer.status_code == 200
    shown = register(client, make, make.resource().id)
    secret = path_of(shown["url"]).split("/")[2]
    assert client.get(path_of(shown["url"]) + "/live?x=1").status_code == 200
    assert client.get("/no/such/page").status_code == 404
    logged = [line for line in lines.parsed() if line["logger"] == "booking.requests"]
    listed, _, display, missing = logged
    assert listed["request_id"] == "req-7" and listed["method"] == "GET"
    assert listed["route"] == "/api/v1/resources" and listed["status"] == 200
    assert listed["actor_id"] == member.id
    assert isinstance(listed["duration_ms"], float) and listed["duration_ms"] >= 0
    assert display["route"] == "/d/<string:secret>/live" and display["actor_id"] is None
    assert missing["route"] is None and missing["status"] == 404
    written = "\n".join(lines.text)
    assert secret not in written and token not in written and "x=1" not in written


def test_a_page_request_names_the_signed_in_user(app: Flask, make: Factory, lines: Lines) -> None:
    member = make.user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"], session["version"] = member.id, 0
    assert client.get("/bookings").status_code == 200
    line = [x for x in lines.parsed() if x["logger"] == "booking.requests"][-1]
    assert line["route"] == "/bookings" and line["actor_id"] == member.id


def test_a_job_run_is_one_line_with_what_it_did(app: Flask, lines: Lines) -> None:
    jobs._scheduled_run(app, "release-no-shows")
    (line,) = [x for x in lines.parsed() if x["logger"] == "booking.jobs"]
    assert line["job"] == "release-no-shows" and line["changed"] == 0
    assert isinstance(line["duration_ms"], float) and "release-no-shows" in str(line["message"])


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "kind"), [(Terminal(), PlainLines), (io.StringIO(), JsonLines)])
def test_plain_text_at_a_terminal_json_lines_elsewhere(
    stream: io.StringIO, kind: type[logging.Formatter], monkeypatch: pytest.MonkeyPatch
) -> None:
    logger = logging.getLogger("booking")
    root = logging.getLogger()
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(logger, "propagate", True)
    monkeypatch.setattr(logger, "level", logger.level)
    configure_logging(stream)
    (handler,) = logger.handlers
    assert isinstance(handler.formatter, kind) and logger.propagate is False
    logging.getLogger("booking.requests").info("GET / 200", extra={"fields": {"status": 200}})
    written = stream.getvalue()
    if kind is JsonLines:
        assert json.loads(written)["status"] == 200
    else:
        assert written.rstrip().endswith("GET / 200 status=200")
    configure_logging(stream)  # once: a second call adds nothing
    assert len(logger.handlers) == 1
