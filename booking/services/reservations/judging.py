"""Judging bookings of one resource under its rules, against the time already claimed.

A ``Judge`` is prepared once for a resource, the person booked for and a span of time,
then asked about one booking or many (a series' occurrences). Each one accepted is
taken into account for those judged after it: its time is claimed and its hours count
towards the quotas.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from booking.errors import BookingConflictError, RuleViolationError
from booking.extensions import db
from booking.models import Resource, User
from booking.services.catalogue import circumstances_for, rules_of
from booking.services.core import (
    busy_time,
    claims_and_lapsed_holds,
    load_claims,
    lock_blocking_path,
    related_bookings,
    target_of,
)
from booking.services.reservations.holds import expire_lapsed_holds
from rules import (
    BookingRequest,
    Circumstances,
    Claim,
    Decision,
    Interval,
    ResourceFacts,
    RuleSet,
    decide,
    occupied_time,
)
from rules.conflicts import ClaimTimeline


def shape_of(resource: Resource) -> tuple[str, int, bool]:
    """The resource's place and size as read: what its clashes are worked out from."""
    return resource.path, resource.quantity, resource.bookable


def facts_of(resource: Resource) -> ResourceFacts:
    """The resource as the rules engine sees it."""
    return ResourceFacts(
        name=resource.name,
        bookable=resource.bookable,
        quantity=resource.quantity,
        capacity=resource.capacity,
    )


@dataclass
class Judge:
    """The rules, circumstances and claims that bookings of ``resource`` are judged by."""

    resource: Resource
    rules: RuleSet
    context: Circumstances
    timeline: ClaimTimeline

    @classmethod
    def prepare(
        cls,
        resource: Resource,
        beneficiary: User,
        span: Interval,
        now: datetime,
        *,
        excluding: Collection[int] = (),
        exempt: frozenset[str] = frozenset(),
        lock: bool = True,
        rules: RuleSet | None = None,
        standing: Circumstances | None = None,
        parts: Sequence[Interval] = (),
    ) -> Judge:
        """Read what judging bookings within ``span`` needs; bookings in ``excluding``
        (the ones being moved) are left out; ``rules`` and the ``standing`` circumstances
        (see ``standing_circumstances``) when the caller has read them.

        With ``lock`` the resource's blocking path stays locked until the transaction
        ends (``lock_blocking_path``), so nothing can claim the time between the judgement
        and the insert, and holds that have lapsed there are marked expired (they no
        longer hold time).

        ``parts``, when given, are the only stretches of ``span`` that will be judged (a
        series' dates): claims are read around each of them alone.
        """
        if lock and lock_blocking_path(resource) != shape_of(resource):
            # Moved, resized or made (un)bookable since it was read (a new booking reads
            # it before its write transaction): judged as it now is, where it now is.
            db.session.refresh(resource)
            lock_blocking_path(resource)
            rules, standing = None, None
        rules = rules_of(resource) if rules is None else rules
        claims = _read_claims(resource, rules, span, now, excluding, lock, parts)
        context = circumstances_for(
            resource,
            rules,
            span,
            now,
            beneficiary,
            excluding=excluding,
            exempt=exempt,
            standing=standing,
        )
        return cls(resource, rules, context, ClaimTimeline(claims))

    def judge(self, request: BookingRequest, exempt: frozenset[str] | None = None) -> Decision:
        """Every violation and clash of ``request``; ``exempt`` replaces the exemptions."""
        context = self.context if exempt is None else replace(self.context, exempt=exempt)
        occupied = occupied_time(request.interval, self.rules)
        claims = self.timeline.overlapping(occupied)
        return decide(
            request, facts_of(self.resource), self.rules, context, target_of(self.resource), claims
        )

    def accept(self, request: BookingRequest, decision: Decision) -> None:
        """Count ``request`` as booked for the requests judged after it."""
        self.timeline.add(Claim(self.resource.id, decision.occupied, request.units))
        for counted in self.context.counted.values():
            # the lists were read for this judge alone (see circumstances_for)
            counted.append(Claim(self.resource.id, request.interval, request.units))  # type: ignore[attr-defined]


def refuse(
    decision: Decision,
    *,
    override: bool,
    offer: Callable[[], Sequence[Mapping[str, Any]]] | None = None,
    waitlist: bool = False,
    asker: int | None = None,
) -> None:
    """Raise the refusal ``decision`` calls for: 422 for rule violations (unless
    overridden), 409 for clashes (never overridden), with what ``offer`` suggests instead
    and, with ``waitlist``, that the caller may wait for the time instead; the busy time
    of ``asker``'s own bookings is marked theirs."""
    if decision.violations and not override:
        raise RuleViolationError(
            [{"code": v.code, "message": v.message} for v in decision.violations]
        )
    if decision.conflicts:
        offers = offer() if offer else ()
        busy = busy_time(decision.conflicts, asker)
        raise BookingConflictError(busy, offers, waitlist=waitlist)


def _read_claims(
    resource: Resource,
    rules: RuleSet,
    span: Interval,
    now: datetime,
    excluding: Collection[int],
    lock: bool,
    parts: Sequence[Interval],
) -> list[Claim]:
    """The claims near ``span`` (around each of ``parts`` when given); under ``lock`` the
    holds that have lapsed there are marked expired first."""
    occupied = occupied_time(span, rules)
    if not lock:
        return load_claims(related_bookings(resource), occupied, now, excluding=excluding)
    windows = [occupied_time(part, rules) for part in parts] or occupied
    claims, lapsed = claims_and_lapsed_holds(resource, windows, now, excluding=excluding)
    if lapsed:
        expire_lapsed_holds(now, lapsed)
    return claims
