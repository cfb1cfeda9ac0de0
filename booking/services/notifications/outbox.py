"""The outbox: messages written with the change they report, claimed and settled by
the sender.

A message is claimed by one sender at a time: the claim selects due messages ``FOR
UPDATE SKIP LOCKED`` on PostgreSQL (a second sender skips them), and on SQLite inside
the write transaction that serialises writers; either way the conditional update that
marks them ``sending`` leaves a message another sender took alone. A claim is a lease:
a sender that dies mid-batch leaves its messages ``sending`` until ``lease_until``, and
the next run sends them then, so nothing is lost across a restart (a message whose
delivery was under way at the very instant of the crash may go out twice; its
Message-ID is the same both times). A failed delivery is retried with exponential
backoff and marked ``failed`` after ``mail.max_attempts``; staff see it and may queue
it again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, select, update

from booking.access import require
from booking.errors import NotFoundError, StateConflictError
from booking.extensions import db
from booking.models import Notification, User
from booking.services.core import transactional
from booking.services.notifications.audience import Kind, Person
from booking.services.notifications.composing import Content

#: How long a claimed message stays with its sender before another may take it.
LEASE = timedelta(minutes=5)
#: The wait after the first failure; it doubles with each further one, up to ``LONGEST_WAIT``.
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


def write(
    kind: Kind, person: Person, content: Content, invitation: dict[str, str] | None, now: datetime
) -> Notification:
    """Add a message to the outbox in the current transaction."""
    payload = {**content.payload, "recipient": person.name}
    if invitation is not None:
        payload.update(invitation)
    message = Notification(
        kind=kind,
        user_id=person.id,
        to_address=person.email,
        subject=content.subject[:300],
        booking_id=content.booking_id,
        payload=payload,
        status="queued",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(message)
    return message


def claim_ids(
    waiting: Select[int], key: Any, still: ColumnElement[bool], **values: object
) -> list[int]:
    """Claim the rows ``waiting`` selects (ids from ``key``), skipping rows another
    transaction holds (``FOR UPDATE SKIP LOCKED``; SQLite's one writer holds them all),
    by setting ``values`` where ``still`` holds: a row another sender took meanwhile is
    left alone. The ids claimed, in order."""
    ids = list(db.session.scalars(waiting.with_for_update(skip_locked=True)))
    if not ids:
        return []
    claimed = (
        update(key.class_)
        .where(key.in_(ids), still)
        .values(**values)
        .returning(key)
        .execution_options(synchronize_session=False)
    )
    return sorted(db.session.scalars(claimed))


@transactional
def claim(now: datetime, size: int) -> list[Notification]:
    """Take up to ``size`` due messages (and any whose sender's lease ran out) for this
    sender, oldest first."""
    due = (
        select(Notification.id)
        .where(Notification.status == "queued", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(size)
    )
    lapsed = (
        select(Notification.id)
        .where(Notification.status == "sending", Notification.lease_until <= now)
        .order_by(Notification.id)
        .limit(size)
    )
    values = {"lease_until": now + LEASE, "attempts": Notification.attempts + 1}
    taken = claim_ids(lapsed, Notification.id, Notification.lease_until <= now, **values)
    if len(taken) < size:
        due = due.limit(size - len(taken))
        taken += claim_ids(
            due, Notification.id, Notification.status == "queued", status="sending", **values
        )
    query = select(Notification).where(Notification.id.in_(taken)).order_by(Notification.id)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


@dataclass(frozen=True)
class Outcome:
    """How one delivery went: ``error`` is ``None`` when it went; ``final`` when trying
    again cannot help (an address the server refuses, a message it cannot take)."""

    notification_id: int
    attempts: int
    error: str | None = None
    final: bool = False


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones."""
    doublings = min(max(0, attempts - 1), 16)  # 2**16 minutes is past the longest wait
    return min(LONGEST_WAIT, FIRST_WAIT * (1 << doublings))


@transactional
def settle(outcomes: Sequence[Outcome], now: datetime) -> None:
    """Record how each delivery went: sent, queued again after its wait, or failed.
    A message whose lease passed to another sender meanwhile is left to that one."""
    limit = current_app.config["MAIL_MAX_ATTEMPTS"]
    sent: dict[int, list[int]] = defaultdict(list)  # by attempts: one UPDATE for each
    for outcome in outcomes:
        if outcome.error is None:
            sent[outcome.attempts].append(outcome.notification_id)
            continue
        if outcome.final or outcome.attempts >= limit:
            values: dict[str, object] = {"status": "failed"}
        else:
            values = {"status": "queued", "next_attempt_at": now + backoff(outcome.attempts)}
        _set_if_still_mine(
            [outcome.notification_id],
            outcome.attempts,
            lease_until=None,
            last_error=outcome.error[:2000],
            **values,
        )
    for attempts, ids in sent.items():
        _set_if_still_mine(
            ids, attempts, status="sent", sent_at=now, lease_until=None, last_error=None
        )


def _set_if_still_mine(ids: Sequence[int], attempts: int, **values: object) -> None:
    """Update claimed messages this sender still holds (status and tries unchanged)."""
    mine = update(Notification).where(
        Notification.id.in_(ids),
        Notification.status == "sending",
        Notification.attempts == attempts,
    )
    db.session.connection().execute(mine.values(**values))


@dataclass(frozen=True)
class OutboxQuery:
    """Filters of the outbox listing."""

    status: str | None = None
    to: str | None = None
    limit: int = 500
    offset: int = 0


def list_notifications(actor: User, query: OutboxQuery) -> list[Notification]:
    """The outbox, newest first (facility managers, admins)."""
    require(actor, "read_outbox")
    stmt = select(Notification)
    if query.status is not None:
        stmt = stmt.where(Notification.status == query.status)
    if query.to is not None:
        stmt = stmt.where(Notification.to_address == query.to.strip().lower())
    stmt = stmt.order_by(Notification.id.desc()).limit(query.limit).offset(query.offset)
    return list(db.session.scalars(stmt))


@transactional
def retry_notification(actor: User, notification_id: int, now: datetime) -> Notification:
    """Queue a failed message again, with its tries counted afresh."""
    require(actor, "read_outbox", "retry messages")
    message = db.session.get(Notification, notification_id, with_for_update=True)
    if message is None:
        raise NotFoundError("No such message.")
    if message.status != "failed":
        raise StateConflictError(
            f"Only a failed message can be sent again; this one is {message.status}.",
            code="not_failed",
        )
    message.status, message.attempts, message.next_attempt_at = "queued", 0, now
    return message
