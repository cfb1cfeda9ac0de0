"""Free and busy time under the rules: of one resource, and a search across the catalogue.

Free time is what a booking may take: open by the rules (opening hours, closures, bank
holidays, notice and advance) and clear of other bookings with their buffers and the
resource's own. A search's ``first_fit`` is a booking the caller could make as offered;
quotas are left to the booking itself, as they depend on what else is booked.
"""

from __future__ import annotations

import functools
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from booking.access import require
from booking.models import Booking, Resource, User
from booking.services.catalogue import (
    Catalogue,
    ResourceFilter,
    ResourceSummary,
    certifications_of,
    circumstances_for,
    closures_in_force,
    current_catalogue,
    get_resource,
    list_resource_summaries,
    rules_of,
    site_zone,
)
from booking.services.core import load_claims, related_bookings, target_of
from rules import (
    Availability,
    Circumstances,
    Claim,
    Interval,
    RuleSet,
    Target,
    bank_holidays,
    bookable_time,
    claims_window,
    find_availability,
    first_fit,
)
from rules.policies import check_certification, lacking_training


def _availability_of(
    resource: Resource, window: Interval, now: datetime
) -> tuple[Availability, RuleSet, Circumstances]:
    rules = rules_of(resource)
    context = circumstances_for(resource, rules, window, now)
    claims = load_claims(related_bookings(resource), claims_window(window, rules), now)
    open_time = bookable_time(rules, window, context) if resource.bookable else []
    found = find_availability(target_of(resource), claims, window, open_time, rules)
    return found, rules, context


def resource_availability(
    actor: User, resource_id: int, window: Interval, now: datetime
) -> Availability:
    """Free, busy and closed time of one resource; one that cannot be booked is never free."""
    require(actor, "see_catalogue")
    return _availability_of(get_resource(resource_id), window, now)[0]


@dataclass(frozen=True, slots=True)
class Offers:
    """A resource's free stretches in a window, each with the earliest booking of the
    length asked for that the rules accept for the asker (None where there is none), and
    why the asker cannot book it at all, if so (a certification they lack)."""

    free: list[Interval]
    fits: tuple[Interval | None, ...]
    refused: str | None


def resource_offers(
    actor: User, resource: Resource, window: Interval, duration: timedelta, now: datetime
) -> Offers:
    """What a calendar offers of ``resource`` to ``actor`` in ``window``."""
    found, rules, context = _availability_of(resource, window, now)
    held = certifications_of(actor) if rules.required_certification else {}
    refused = lacking_training(rules, held, now, context.zone)
    if refused:
        return Offers(found.free, (None,) * len(found.free), refused)
    return Offers(found.free, stretch_fits(found, duration, rules, context), None)


@dataclass(frozen=True, slots=True)
class Match:
    """A resource with free time in the searched window, and its earliest fit."""

    resource: ResourceSummary
    availability: Availability
    first_fit: Interval
    #: For each free stretch (``availability.free``, in order), the earliest booking of
    #: the length asked for that the rules accept in it, or None: what a timeline offers.
    #: Worked out only when asked for (``offers``): the API answers the free stretches
    #: and the first fit, and working these out made a week's search of the whole
    #: building take half as long again.
    fits: tuple[Interval | None, ...] = ()


def _claims_span(staged: Sequence[_Candidate], window: Interval) -> Interval:
    """The window widened by the widest buffers: the claims that can touch it."""
    before = max((c.rules.buffer_before for c in staged), default=timedelta(0))
    after = max((c.rules.buffer_after for c in staged), default=timedelta(0))
    return window.padded(before, after)


def stretch_fits(
    availability: Availability, duration: timedelta, rules: RuleSet, context: Circumstances
) -> tuple[Interval | None, ...]:
    """Each free stretch's earliest booking of ``duration`` the rules accept, or None."""
    return tuple(
        first_fit(replace(availability, free=[stretch]), duration, rules, context)
        for stretch in availability.free
    )


def _claims_by_resource(
    of: Collection[int] | None, window: Interval, now: datetime
) -> dict[int, list[Claim]]:
    claims: dict[int, list[Claim]] = defaultdict(list)
    condition = None if of is None else Booking.resource_id.in_(of)
    for claim in load_claims(condition, window, now):
        claims[claim.resource_id].append(claim)
    return claims


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A resource the search may offer, with what its free time depends on."""

    resource: ResourceSummary
    rules: RuleSet
    context: Circumstances
    open_time: list[Interval]
    related: list[int]

    def blocking(self, claims: dict[int, list[Claim]]) -> list[Claim]:
        """Its claims and those of what blocks it, of ``claims`` by resource."""
        if len(self.related) == 1:  # most resources: none above or below is bookable
            return claims.get(self.related[0], [])
        return [claim for rid in self.related for claim in claims.get(rid, ())]

    @property
    def earliest(self) -> tuple[datetime, str, int]:
        """The best rank its fit could have: no fit starts before the resource opens."""
        return (self.open_time[0].start, self.resource.name, self.resource.id)


def _stage(
    catalogue: Catalogue, resources: Sequence[ResourceSummary], window: Interval, now: datetime
) -> list[_Candidate]:
    """The ``resources`` of ``catalogue`` that open during ``window``, in order of the
    earliest they open."""
    book, layout = catalogue.rules, catalogue.layout
    zone = site_zone()
    holidays = bank_holidays(window, zone)
    shutting = closures_in_force(window, book.lineages)
    # The circumstances and open time depend only on the rules and the closures, which
    # most resources share: each distinct pair is worked out once.
    shared: dict[tuple[int, int], tuple[Circumstances, list[Interval]]] = {}
    staged = []
    for resource in resources:
        rules, shut = book.rules_for(resource.id), shutting(resource)
        key = (id(rules), id(shut))
        if key not in shared:
            days_off = holidays if rules.closed_on_bank_holidays else {}
            context = Circumstances(now, zone, days_off, shut)
            shared[key] = (context, bookable_time(rules, window, context))
        context, open_time = shared[key]
        if open_time:
            related = layout.related(resource.id)
            staged.append(_Candidate(resource, rules, context, open_time, related))
    staged.sort(key=lambda candidate: candidate.earliest)
    return staged


def search_availability(
    actor: User,
    window: Interval,
    duration: timedelta,
    filters: ResourceFilter,
    now: datetime,
    limit: int = 50,
    *,
    offers: bool = False,
) -> list[Match]:
    """Bookable resources matching ``filters`` where ``actor`` can book ``duration``,
    with ``Match.fits`` too when ``offers`` (for a timeline: see ``Match``).

    Ordered by earliest fit, then name; at most ``limit``. Resources are examined in
    the order they open, and the search stops once ``limit`` fits are found that no
    resource left could beat, reading the bookings of only the resources it examines
    (in batches). Rules and the hierarchy are applied in memory. A resource needing a
    certification the caller lacks is left out.
    """
    catalogue = current_catalogue()
    resources = list_resource_summaries(replace(filters, bookable=True), catalogue)
    staged = _stage(catalogue, resources, window, now)
    claims_span = _claims_span(staged, window)
    batch_size = max(limit + limit // 4, 64)
    certifications = functools.cache(lambda: certifications_of(actor))  # read if needed
    matches: list[Match] = []
    ranks: list[tuple[datetime, str, int]] = []  # each match's, in the same order
    for first in range(0, len(staged), batch_size):
        batch = staged[first : first + batch_size]
        if len(matches) >= limit and batch[0].earliest > ranks[-1]:
            break
        whole = first == 0 and len(batch) == len(staged)
        ids = None if whole else {rid for candidate in batch for rid in candidate.related}
        claims = _claims_by_resource(ids, claims_span, now)
        for candidate in batch:
            if len(matches) >= limit and candidate.earliest > ranks[-1]:
                break
            match = _match(candidate, claims, window, duration, certifications, offers)
            if match is None:
                continue
            rank = (match.first_fit.start, match.resource.name, match.resource.id)
            at = bisect(ranks, rank)
            ranks.insert(at, rank)
            matches.insert(at, match)
            del ranks[limit:], matches[limit:]
    return matches


def _match(
    candidate: _Candidate,
    claims: dict[int, list[Claim]],
    window: Interval,
    duration: timedelta,
    certifications: Callable[[], dict[str, date | None]],
    offers: bool,
) -> Match | None:
    """``candidate`` as the search offers it to someone holding ``certifications()``
    (read only if needed), given every claim it examines by resource; None if it has
    no fit for them."""
    resource, rules, context = candidate.resource, candidate.rules, candidate.context
    target = Target(resource.id, resource.quantity)
    blocking = candidate.blocking(claims)
    availability = find_availability(target, blocking, window, candidate.open_time, rules)
    fit = first_fit(availability, duration, rules, context)
    if fit is None:
        return None
    if rules.required_certification:
        held = replace(context, certifications=certifications())
        if check_certification(fit, rules, held):
            return None
    fits = stretch_fits(availability, duration, rules, context) if offers else ()
    return Match(resource, availability, fit, fits)


def needing_training(
    actor: User, filters: ResourceFilter, now: datetime
) -> list[tuple[ResourceSummary, str]]:
    """The bookable resources matching ``filters`` that ``actor`` may not book yet for want
    of a certification (which the search leaves out), each with the reason in words."""
    catalogue, zone = current_catalogue(), site_zone()
    held: dict[str, date | None] | None = None
    found = []
    for resource in list_resource_summaries(replace(filters, bookable=True), catalogue):
        rules = catalogue.rules.rules_for(resource.id)
        if not rules.required_certification:
            continue
        if held is None:
            held = certifications_of(actor)
        refused = lacking_training(rules, held, now, zone)
        if refused:
            found.append((resource, refused))
    return found
