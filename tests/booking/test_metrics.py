"""``/metrics``: scraped and parsed as Prometheus does, in one process and across gunicorn's
workers. Counters belong to the process, so each test reads what its own actions added."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from booking.extensions import db
from booking.jobs import _scheduled_run
from booking.models import Notification
from tests.booking.test_races import body
from tests.conftest import NOW, Factory
from tests.postgres import _free_port

PROJECT = Path(__file__).resolve().parents[2]


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by name and labels."""
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain; version=")
    return samples(answer.get_data(as_text=True))


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_route_template_method_and_status(app, client, make: Factory):
    token = make.token(make.user())
    before = scrape(client)
    route = "/api/v1/bookings/<id:booking_id>"
    for _ in range(3):
        assert client.get("/api/v1/bookings/999", headers={"Authorization": f"Bearer {token}"})
    client.get("/api/v1/bookings/998")  # no token: 401
    after = scrape(client)
    assert (
        value(after, "booking_http_requests_total", route=route, method="GET", status="404")
        - (value(before, "booking_http_requests_total", route=route, method="GET", status="404"))
        == 3
    )
    assert (
        value(after, "booking_http_requests_total", route=route, method="GET", status="401")
        - (value(before, "booking_http_requests_total", route=route, method="GET", status="401"))
        == 1
    )
    count = "booking_http_request_duration_seconds_count"
    assert (
        value(after, count, route=route, method="GET")
        - value(before, count, route=route, method="GET")
        == 4
    )
    # The path as sent (with its id) is never a label.
    assert not any("999" in dict(labels).get("route", "") for _, labels in after)


def test_bookings_made_and_refused_are_counted_by_code(app, client, make: Factory):
    user = make.user()
    headers = {"Authorization": f"Bearer {make.token(user)}"}
    hours = {day: ["08:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    room = make.resource(kind="room", rules={"opening_hours": hours})
    before = scrape(client)
    assert (
        client.post("/api/v1/bookings", json=body(room.id, 7), headers=headers).status_code == 201
    )
    clash = client.post("/api/v1/bookings", json=body(room.id, 7), headers=headers)
    assert clash.status_code == 409
    sunday = client.post("/api/v1/bookings", json=body(room.id, 6), headers=headers)
    assert sunday.status_code == 422
    after = scrape(client)
    made = value(after, "booking_bookings_created_total") - value(
        before, "booking_bookings_created_total"
    )
    assert made == 1
    for code in ("booking_conflict", "rule_violation"):
        refused = value(after, "booking_bookings_refused_total", code=code)
        assert refused - value(before, "booking_bookings_refused_total", code=code) == 1


def test_job_runs_are_counted_with_their_duration(app, client):
    before = scrape(client)
    _scheduled_run(app, "expire-holds")
    after = scrape(client)
    for name in ("booking_job_runs_total", "booking_job_duration_seconds_count"):
        assert value(after, name, job="expire-holds") - value(before, name, job="expire-holds") == 1


def test_the_outbox_backlog_is_read_from_the_database(app, client, make: Factory):
    user = make.user()
    with app.app_context():
        for status, minutes_ago in (("queued", 90), ("queued", 5), ("failed", 600), ("sent", 1)):
            created = NOW - timedelta(minutes=minutes_ago)
            db.session.add(
                Notification(
                    kind="confirmed",
                    user_id=user.id,
                    to_address=user.email,
                    subject="s",
                    payload={},
                    status=status,
                    next_attempt_at=created,
                    created_at=created,
                )
            )
        db.session.commit()
    scraped = scrape(client)
    assert value(scraped, "booking_outbox_messages", status="queued") == 2
    assert value(scraped, "booking_outbox_messages", status="failed") == 1
    assert value(scraped, "booking_outbox_messages", status="sending") == 0
    assert value(scraped, "booking_outbox_oldest_queued_seconds") == 90 * 60
    assert ("booking_outbox_messages", (("status", "sent"),)) not in scraped


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def test_every_gunicorn_worker_is_counted_whichever_answers_the_scrape(sqlite_template, tmp_path):
    shutil.copy(sqlite_template, tmp_path / "booking.db")
    folder = tmp_path / "metrics"
    folder.mkdir()
    port = _free_port()
    environment = {
        **os.environ,
        "BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'booking.db'}",
        "BOOKING_SECRET_KEY": "test",
        "BOOKING_CONFIG": str(tmp_path / "none.toml"),
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    (tmp_path / "none.toml").write_text("")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4"]
        + ["--bind", f"127.0.0.1:{port}", "booking:create_app()"],
        cwd=PROJECT,
        env=environment,
        stderr=subprocess.DEVNULL,
    )
    watchdog = threading.Timer(120, server.kill)
    watchdog.start()
    try:
        for _ in range(600):  # until it answers (each try waits for the connection)
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                server.poll()
                assert server.returncode is None, "gunicorn stopped"
                threading.Event().wait(0.05)
        served = 1
        # Requests at once, so both workers take some.
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: _get(port, "/healthz")[0], range(200)))
        served += len(statuses)
        assert set(statuses) == {200}
        writers = {path.name for path in folder.glob("counter_*.db")}
        assert len(writers) >= 2, writers  # both workers answered some of them
        for _ in range(6):  # whichever worker answers, it reports the total
            status, text = _get(port, "/metrics")
            assert status == 200
            scraped = samples(text)
            key = ("booking_http_requests_total", (("method", "GET"), ("route", "/healthz"),
                                                   ("status", "200")))  # fmt: skip
            assert scraped.get(key) == served
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        watchdog.cancel()
    # The counts outlive the workers, as Prometheus expects of a counter.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(folder))
    total = registry.get_sample_value(
        "booking_http_requests_total", {"route": "/healthz", "method": "GET", "status": "200"}
    )
    assert total == served


def test_a_gunicorn_worker_sets_aside_what_loading_the_app_made(monkeypatch, tmp_path):
    """``post_worker_init`` freezes the start-up objects out of the collector's sight and
    leaves a request's objects to reference counting: the young generation is collected
    only past its threshold, the older ones as often as before."""
    import gc
    import runpy

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # read, never made, here
    settings = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    before = gc.get_threshold()
    gc.unfreeze()
    try:
        settings["post_worker_init"](object())
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (settings["YOUNG_COLLECTION_THRESHOLD"], *before[1:])
        assert settings["YOUNG_COLLECTION_THRESHOLD"] > before[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
