"""Free and busy time under the rules: of one resource, and a search across the catalogue.

Free time is what a booking may take: open by the rules (opening hours, closures, bank
holidays, notice and advance) and clear of other bookings with their buffers and the
resource's own. A search's ``first_fit`` is a booking the caller could make as offered;
quotas are left to the booking itself, as they depend on what else is booked.
"""

from __future__ import annotations

import json
from bisect import insort
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Text, cast, select

from booking.extensions import db
from booking.models import Booking, Closure, Resource, User
from booking.models.resources import ancestors_on_path
from booking.services.claims import load_claims, overlapping, related_bookings, target_of
from booking.services.resources import (
    ResourceFilter,
    ResourceSummary,
    get_resource,
    list_resource_summaries,
)
from booking.services.rulebook import (
    certifications_of,
    circumstances_for,
    rules_of,
    site_layer,
    site_zone,
)
from rules import (
    Availability,
    Circumstances,
    Claim,
    Interval,
    Layer,
    RuleSet,
    Target,
    bank_holidays,
    bookable_time,
    claims_window,
    effective_rules,
    find_availability,
    first_fit,
)
from rules import Closure as ClosedTime
from rules.policies import check_certification


def resource_availability(resource_id: int, window: Interval, now: datetime) -> Availability:
    """Free, busy and closed time of one resource; one that cannot be booked is never free."""
    resource = get_resource(resource_id)
    rules = rules_of(resource)
    context = circumstances_for(resource, rules, window, now)
    claims = load_claims(related_bookings(resource), claims_window(window, rules), now)
    open_time = bookable_time(rules, window, context) if resource.bookable else []
    return find_availability(target_of(resource), claims, window, open_time, rules)


@dataclass(frozen=True, slots=True)
class Match:
    """A resource with free time in the searched window, and its earliest fit."""

    resource: ResourceSummary
    availability: Availability
    first_fit: Interval


@dataclass
class _Catalogue:
    """The whole tree read once: which ids are bookable, what lies below each, their rules."""

    bookable: set[int]
    descendants: dict[int, list[int]]
    #: Each resource's own rules as the database holds them (JSON text), when it has any.
    rules: dict[int, str]
    memo: dict[tuple[int | str, ...], RuleSet]

    @classmethod
    def read(cls) -> _Catalogue:
        bookable: set[int] = set()
        descendants: dict[int, list[int]] = defaultdict(list)
        rules: dict[int, str] = {}
        # the rules are read as text: most resources share a few combinations, and only
        # each distinct one needs decoding (see rules_of)
        rows = db.session.execute(
            select(Resource.id, Resource.path, Resource.bookable, cast(Resource.rules, Text))
        )
        for rid, path, is_bookable, own in rows:
            if is_bookable:
                bookable.add(rid)
            if own and own not in ("{}", "null"):
                rules[rid] = own
            for ancestor in ancestors_on_path(path):
                descendants[ancestor].append(rid)
        return cls(bookable, descendants, rules, {})

    def rules_of(self, resource: ResourceSummary, ancestors: list[int]) -> RuleSet:
        """Effective rules, worked out once per distinct combination of rules set above
        and on the resource. Resources sharing a combination share one ``RuleSet``; the
        search reads only its values, never ``sources``."""
        chain = [rid for rid in ancestors if rid in self.rules]
        own = self.rules.get(resource.id)
        key: tuple[int | str, ...] = (*chain, own or "")
        if key not in self.memo:
            layers = [site_layer(), *(Layer(rid, json.loads(self.rules[rid])) for rid in chain)]
            if own:
                layers.append(Layer(resource.id, json.loads(own)))
            self.memo[key] = effective_rules(layers)
        return self.memo[key]

    def related(self, resource: ResourceSummary, ancestors: list[int]) -> list[int]:
        """The resource, its bookable ancestors and its descendants: whose claims block it."""
        above = [a for a in ancestors if a in self.bookable]
        return [*above, resource.id, *self.descendants[resource.id]]


def _closures(window: Interval) -> dict[int | None, list[ClosedTime]]:
    found: dict[int | None, list[ClosedTime]] = defaultdict(list)
    query = select(Closure.resource_id, Closure.start, Closure.end, Closure.reason).where(
        overlapping(Closure.start, Closure.end, window)
    )
    for rid, start, end, reason in db.session.execute(query):
        found[rid].append(ClosedTime(Interval(start, end), reason))
    return found


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

    @property
    def earliest(self) -> tuple[datetime, str, int]:
        """The best rank its fit could have: no fit starts before the resource opens."""
        return (self.open_time[0].start, self.resource.name, self.resource.id)


def _rank(match: Match) -> tuple[datetime, str, int]:
    return (match.first_fit.start, match.resource.name, match.resource.id)


def _stage(
    resources: Sequence[ResourceSummary], window: Interval, now: datetime
) -> list[_Candidate]:
    """The resources that open during ``window``, in order of the earliest they open."""
    catalogue = _Catalogue.read()
    zone = site_zone()
    holidays = bank_holidays(window, zone)
    closures = _closures(window)
    # The circumstances and open time depend only on the rules and the closures, which
    # most resources share: each distinct pair is worked out once.
    shared: dict[tuple[int, tuple[ClosedTime, ...]], tuple[Circumstances, list[Interval]]] = {}
    staged = []
    for resource in resources:
        ancestors = resource.ancestor_ids
        rules = catalogue.rules_of(resource, ancestors)
        shut = tuple(c for rid in (None, *ancestors, resource.id) for c in closures.get(rid, ()))
        key = (id(rules), shut)
        if key not in shared:
            days_off = holidays if rules.closed_on_bank_holidays else {}
            context = Circumstances(now, zone, days_off, shut)
            shared[key] = (context, bookable_time(rules, window, context))
        context, open_time = shared[key]
        if open_time:
            related = catalogue.related(resource, ancestors)
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
) -> list[Match]:
    """Bookable resources matching ``filters`` where ``actor`` can book ``duration``.

    Ordered by earliest fit, then name; at most ``limit``. Resources are examined in
    the order they open, and the search stops once ``limit`` fits are found that no
    resource left could beat, reading the bookings of only the resources it examines
    (in batches). Rules and the hierarchy are applied in memory. A resource needing a
    certification the caller lacks is left out.
    """
    resources = list_resource_summaries(replace(filters, bookable=True))
    staged = _stage(resources, window, now)
    before = max((c.rules.buffer_before for c in staged), default=timedelta(0))
    after = max((c.rules.buffer_after for c in staged), default=timedelta(0))
    claims_span = window.padded(before, after)
    batch_size = max(limit + limit // 4, 64)
    certifications: dict[str, date | None] | None = None
    matches: list[Match] = []
    for first in range(0, len(staged), batch_size):
        batch = staged[first : first + batch_size]
        if len(matches) >= limit and batch[0].earliest > _rank(matches[-1]):
            break
        whole = first == 0 and len(batch) == len(staged)
        ids = None if whole else {rid for candidate in batch for rid in candidate.related}
        claims = _claims_by_resource(ids, claims_span, now)
        for candidate in batch:
            if len(matches) >= limit and candidate.earliest > _rank(matches[-1]):
                break
            resource, rules, context = candidate.resource, candidate.rules, candidate.context
            mine = [c for rid in candidate.related for c in claims.get(rid, ())]
            target = Target(resource.id, resource.quantity)
            availability = find_availability(target, mine, window, candidate.open_time, rules)
            fit = first_fit(availability, duration, rules, context)
            if fit is None:
                continue
            if rules.required_certification:
                if certifications is None:
                    certifications = certifications_of(actor)
                held = replace(context, certifications=certifications)
                if check_certification(fit, rules, held):
                    continue
            insort(matches, Match(resource, availability, fit), key=_rank)
            del matches[limit:]
    return matches
