"""Recurring bookings: create a series, read it, and add a date back (changing and
cancelling are in ``series_changes``, the dates in ``series_dates``). Each use case runs in
one transaction.

Every occurrence is a booking judged by the same rules and conflict logic as a single
one, under the same lock: a series and single bookings racing for the same time cannot
both win. One occurrence is changed or cancelled through ``/bookings/<id>``; it stays
part of the series as an exception (its ``recurrence_id`` keeps the start the rule gave
it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from booking.errors import InvalidFieldsError, SeriesRefusedError
from booking.events import BookingsMade, publish
from booking.extensions import db
from booking.metrics import counts_refusals
from booking.models import Booking, Resource, Series, User
from booking.services.catalogue import rules_of
from booking.services.core import (
    is_occupying,
    transactional,
)
from booking.services.reservations.bookings import (
    BookingDraft,
    beneficiary_for,
    owner_of,
    resource_for,
)
from booking.services.reservations.judging import Judge, refuse
from booking.services.reservations.new_bookings import (
    details_of,
    new_booking,
    record_created,
    require_override,
)
from booking.services.reservations.series_dates import (
    SeriesView,
    Skipped,
    as_dict,
    bookings_of,
    expansion_of,
    horizon,
    parsed_rule,
    refusal_of,
    stored_expansion,
    view_of,
    visible_series,
)
from rules import BookingRequest, Decision, Interval


@dataclass
class SeriesDraft(BookingDraft):
    """A series as asked for: its first occurrence, the rule and what to do on a clash."""

    start: datetime  # a series has no walk-in: its first occurrence starts when asked
    rule: str = ""
    exdates: Sequence[datetime | date] = ()
    on_conflict: str = "fail"


def _occurrence(
    series: Series, interval: Interval, decision: Decision, actor: User, resource: Resource
) -> Booking:
    """A new booking of one of ``series``' dates (not yet added)."""
    fields = {"series_id": series.id, "recurrence_id": interval.start, **details_of(series)}
    return new_booking(
        actor=actor,
        owner=owner_of(series),
        resource=resource,
        interval=interval,
        decision=decision,
        fields=fields,
        now=series.updated_at,
    )


def _judged(
    judge: Judge, occurrences: Sequence[Interval], draft: SeriesDraft, asker: int
) -> tuple[list[tuple[Interval, Decision]], list[Skipped]]:
    """Each occurrence judged in turn, as if the ones accepted before it were booked: the
    accepted with their decisions, and the refused (clashes with ``asker``'s own
    bookings marked theirs)."""
    accepted: list[tuple[Interval, Decision]] = []
    skipped: list[Skipped] = []
    for interval in occurrences:
        request = BookingRequest(interval, draft.units, draft.attendees)
        decision = judge.judge(request)
        refusal = refusal_of(interval, decision, override=draft.override_rules, asker=asker)
        if refusal is None:
            judge.accept(request, decision)
            accepted.append((interval, decision))
        else:
            skipped.append(refusal)
    return accepted, skipped


@counts_refusals
@transactional
def create_series(actor: User, draft: SeriesDraft, now: datetime) -> SeriesView:
    """Book every occurrence of ``draft.rule`` or, with ``on_conflict`` ``skip``, the ones
    that can be booked; with ``fail`` one refused occurrence refuses them all."""
    resource = resource_for(draft.resource_id)
    beneficiary = beneficiary_for(actor, draft.on_behalf_of)
    require_override(actor, draft.override_rules)
    first = Interval(draft.start, draft.end)
    rule, rules = parsed_rule(draft.rule), rules_of(resource)
    expansion = expansion_of(rule, first, horizon(rules, now), draft.exdates)
    if not expansion.occurrences:
        raise InvalidFieldsError({"exdates": ["Every occurrence of the rule is left out."]})
    span = Interval(expansion.occurrences[0].start, expansion.occurrences[-1].end)
    judge = Judge.prepare(
        resource, beneficiary, span, now, rules=rules, parts=expansion.occurrences
    )
    accepted, skipped = _judged(judge, expansion.occurrences, draft, beneficiary.id)
    if skipped and (draft.on_conflict == "fail" or not accepted):
        raise SeriesRefusedError([as_dict(s) for s in skipped])
    series = Series(
        resource_id=resource.id,
        user_id=beneficiary.id,
        booked_by_id=actor.id,
        tenant_id=beneficiary.tenant_id,
        rule=rule.text,
        start=first.start,
        end=first.end,
        exdates=[slot.start.isoformat() for slot in expansion.excluded],
        title=draft.title,
        notes=draft.notes,
        cost_code=draft.cost_code,
        attendees=draft.attendees,
        units=draft.units,
        created_at=now,
        updated_at=now,
    )
    db.session.add(series)
    db.session.flush()
    made = [_occurrence(series, i, d, actor, resource) for i, d in accepted]
    db.session.add_all(made)
    db.session.flush()
    for booking, (_, decision) in zip(made, accepted, strict=True):
        record_created(booking, actor, now, decision)
    ids = tuple(booking.id for booking in made)
    publish(BookingsMade(actor_id=actor.id, at=now, booking_ids=ids, series_id=series.id))
    return replace(view_of(series, now), skipped=skipped)


def get_series(actor: User, series_id: int, now: datetime) -> SeriesView:
    """A series the caller may see (404 otherwise), its bookings and its missing dates."""
    return view_of(visible_series(actor, series_id), now)


@counts_refusals
@transactional
def add_occurrence(actor: User, series_id: int, start: datetime, now: datetime) -> Booking:
    """Book again a date of the series that was excluded, skipped or cancelled."""
    series = visible_series(actor, series_id)
    expansion = stored_expansion(series)
    slot = next(
        (s for s in [*expansion.occurrences, *expansion.excluded] if s.start == start), None
    )
    if slot is None:
        raise InvalidFieldsError({"start": ["Not a date of this series' rule."]})
    if any(b.recurrence_id == start and is_occupying(b, now) for b in bookings_of(series)):
        raise InvalidFieldsError({"start": ["That date of the series is booked already."]})
    resource = resource_for(series.resource_id)
    request = BookingRequest(slot, series.units, series.attendees)
    decision = Judge.prepare(resource, owner_of(series), slot, now).judge(request)
    refuse(decision, override=False)
    series.exdates = [text for text in series.exdates if text != start.isoformat()]
    series.updated_at = now
    booking = _occurrence(series, slot, decision, actor, resource)
    db.session.add(booking)
    db.session.flush()
    record_created(booking, actor, now, decision)
    publish(BookingsMade(actor_id=actor.id, at=now, booking_ids=(booking.id,)))
    return booking
