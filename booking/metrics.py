"""Prometheus metrics (prometheus-client), served at ``GET /metrics``.

- ``booking_http_requests_total`` and ``booking_http_request_duration_seconds``: every
  request by route template (never the path as sent), method and status;
- ``booking_bookings_created_total`` and ``booking_bookings_refused_total`` (by ``code``):
  bookings made through any path (API, pages, series), and the refusals of requests to
  make them;
- ``booking_job_runs_total``, ``booking_job_duration_seconds`` and
  ``booking_job_changed_total`` by ``job``: the scheduler's runs;
- ``booking_outbox_messages`` (by ``status``: queued, sending, failed),
  ``booking_outbox_events_waiting`` and ``booking_outbox_oldest_queued_seconds``: read
  from the database at each scrape, so every worker reports the same backlog.

Under gunicorn each worker is a process: with ``PROMETHEUS_MULTIPROC_DIR`` set (the
project's ``gunicorn.conf.py`` sets it) every worker, and a scheduler given the same
directory, writes its counts there and a scrape of any worker adds them all up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

from booking.errors import DomainError
from booking.events import BookingsMade, subscribe

if TYPE_CHECKING:
    from booking.services.operations import Backlog

disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series

P = ParamSpec("P")
R = TypeVar("R")

#: Seconds: from a quick poll (1 ms) to a slow report (10 s).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("booking_http_requests", "Requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "booking_http_request_duration_seconds",
    "Time to answer a request",
    ["route", "method"],
    buckets=BUCKETS,
)
CREATED = Counter("booking_bookings_created", "Bookings made")
REFUSED = Counter("booking_bookings_refused", "Requests to book refused", ["code"])
JOB_RUNS = Counter("booking_job_runs", "Scheduled job runs", ["job"])
JOB_CHANGED = Counter("booking_job_changed", "Things a job run changed", ["job"])
JOB_DURATION = Histogram(
    "booking_job_duration_seconds", "Time a job run took", ["job"], buckets=BUCKETS
)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration."""
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)


def observe_job(job: str, changed: int, seconds: float) -> None:
    """Count one scheduled run of ``job``."""
    JOB_RUNS.labels(job).inc()
    JOB_CHANGED.labels(job).inc(changed)
    JOB_DURATION.labels(job).observe(seconds)


def counts_refusals(service: Callable[P, R]) -> Callable[P, R]:
    """Count each refusal (by its code) of a service that makes bookings."""

    @wraps(service)
    def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except DomainError as refused:
            REFUSED.labels(refused.code).inc()
            raise

    return counted


@subscribe(BookingsMade, after_commit=True)
def _count_made(event: BookingsMade) -> None:
    CREATED.inc(len(event.booking_ids))


class _BacklogCollector(Collector):
    """The outbox backlog as read for this scrape."""

    def __init__(self, backlog: Backlog) -> None:
        self.backlog = backlog

    def collect(self) -> Iterator[Metric]:
        messages = GaugeMetricFamily(
            "booking_outbox_messages", "Messages not yet delivered, by status", labels=["status"]
        )
        for status, count in self.backlog.messages.items():
            messages.add_metric([status], count)
        yield messages
        yield GaugeMetricFamily(
            "booking_outbox_events_waiting",
            "Booking changes not yet turned into messages",
            value=self.backlog.events_waiting,
        )
        yield GaugeMetricFamily(
            "booking_outbox_oldest_queued_seconds",
            "How long the oldest queued message has waited",
            value=self.backlog.oldest_queued_seconds,
        )


def exposition(backlog: Backlog) -> tuple[bytes, str]:
    """The text a scrape reads: this process's (or every worker's) counts, then the
    backlog; and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        counts = generate_latest(registry)
    else:
        counts = generate_latest(REGISTRY)
    extra = CollectorRegistry(auto_describe=True)
    extra.register(_BacklogCollector(backlog))
    return counts + generate_latest(extra), CONTENT_TYPE_LATEST
