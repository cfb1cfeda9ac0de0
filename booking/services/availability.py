"""Free and busy time under the rules: of one resource, and a search across the catalogue.

Free time is what a booking may take: open by the rules (opening hours, closures, bank
holidays, notice and advance) and clear of other bookings with their buffers and the
resource's own. A search's ``first_fit`` is a booking the caller could make as offered;
quotas are left to the booking itself, as they depend on what else is booked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from booking.extensions import db
from booking.models import Closure, Resource, User
from booking.models.resources import ancestors_on_path
from booking.services.claims import load_claims, overlapping, related_bookings, target_of
from booking.services.resources import ResourceFilter, get_resource, list_resources
from booking.services.rulebook import certifications_of, circumstances_for, rules_of, site_zone
from rules import (
    Availability,
    Circumstances,
    Claim,
    Interval,
    Layer,
    RuleSet,
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
    claims = load_claims(related_bookings(resource), claims_window(window, rules))
    open_time = bookable_time(rules, window, context) if resource.bookable else []
    return find_availability(target_of(resource), claims, window, open_time, rules)


@dataclass(frozen=True)
class Match:
    """A resource with free time in the searched window, and its earliest fit."""

    resource: Resource
    availability: Availability
    first_fit: Interval


@dataclass
class _Catalogue:
    """The whole tree read once: which ids are bookable, what lies below each, their rules."""

    bookable: set[int]
    descendants: dict[int, list[int]]
    rules: dict[int, Mapping[str, Any]]
    memo: dict[tuple[int, ...], RuleSet]

    @classmethod
    def read(cls) -> _Catalogue:
        bookable: set[int] = set()
        descendants: dict[int, list[int]] = defaultdict(list)
        rules: dict[int, Mapping[str, Any]] = {}
        rows = db.session.execute(
            select(Resource.id, Resource.path, Resource.bookable, Resource.rules)
        )
        for rid, path, is_bookable, own in rows:
            if is_bookable:
                bookable.add(rid)
            if own:
                rules[rid] = own
            for ancestor in ancestors_on_path(path):
                descendants[ancestor].append(rid)
        return cls(bookable, descendants, rules, {})

    def rules_of(self, resource: Resource) -> RuleSet:
        """Effective rules, computed once per distinct chain of levels that set rules."""
        chain = tuple(rid for rid in [*resource.ancestor_ids, resource.id] if rid in self.rules)
        if chain not in self.memo:
            site = Layer(None, current_app.config["SITE_RULES"])
            layers = [site, *(Layer(rid, self.rules[rid]) for rid in chain)]
            self.memo[chain] = effective_rules(layers)
        return self.memo[chain]

    def related(self, resource: Resource) -> list[int]:
        """The resource, its bookable ancestors and its descendants: whose claims block it."""
        above = [a for a in resource.ancestor_ids if a in self.bookable]
        return [*above, resource.id, *self.descendants[resource.id]]


def _closures(window: Interval) -> dict[int | None, list[ClosedTime]]:
    found: dict[int | None, list[ClosedTime]] = defaultdict(list)
    query = select(Closure.resource_id, Closure.start, Closure.end, Closure.reason).where(
        overlapping(Closure.start, Closure.end, window)
    )
    for rid, start, end, reason in db.session.execute(query):
        found[rid].append(ClosedTime(Interval(start, end), reason))
    return found


def _claims_by_resource(window: Interval) -> dict[int, list[Claim]]:
    claims: dict[int, list[Claim]] = defaultdict(list)
    for claim in load_claims(None, window):
        claims[claim.resource_id].append(claim)
    return claims


def search_availability(
    actor: User,
    window: Interval,
    duration: timedelta,
    filters: ResourceFilter,
    now: datetime,
    limit: int = 50,
) -> list[Match]:
    """Bookable resources matching ``filters`` where ``actor`` can book ``duration``.

    Ordered by earliest fit, then name. Four queries (the tree with its rules, the
    matching resources, the closures and the bookings of the window); rules and the
    hierarchy are applied in memory. A resource needing a certification the caller
    lacks is left out.
    """
    catalogue = _Catalogue.read()
    candidates = list_resources(replace(filters, bookable=True))
    zone = site_zone()
    holidays = bank_holidays(window, zone)
    closures = _closures(window)
    certifications: dict[str, date | None] | None = None
    rules_by_id = {r.id: catalogue.rules_of(r) for r in candidates}
    before = max((r.buffer_before for r in rules_by_id.values()), default=timedelta(0))
    after = max((r.buffer_after for r in rules_by_id.values()), default=timedelta(0))
    claims = _claims_by_resource(window.padded(before, after))
    matches: list[Match] = []
    for resource in candidates:
        rules = rules_by_id[resource.id]
        shut = [
            c for rid in (None, *resource.ancestor_ids, resource.id) for c in closures.get(rid, ())
        ]
        context = Circumstances(now, zone, holidays if rules.closed_on_bank_holidays else {}, shut)
        mine: Sequence[Claim] = [
            c for rid in catalogue.related(resource) for c in claims.get(rid, ())
        ]
        open_time = bookable_time(rules, window, context)
        availability = find_availability(target_of(resource), mine, window, open_time, rules)
        fit = first_fit(availability, duration, rules, context)
        if fit is None:
            continue
        if rules.required_certification:
            if certifications is None:
                certifications = certifications_of(actor)
            held = replace(context, certifications=certifications)
            if check_certification(fit, rules, held):
                continue
        matches.append(Match(resource, availability, fit))
    matches.sort(key=lambda m: (m.first_fit.start, m.resource.name, m.resource.id))
    return matches[:limit]
