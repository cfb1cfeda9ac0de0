"""The rules in force on a resource and the circumstances they weigh, read from the database.

Rules are inherited: the site's defaults (``[rules]`` in the configuration), then each
ancestor from the building down, then the resource itself; each rule is taken from the
nearest level that sets it. Closures of the site, of an ancestor or of the resource all
close it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, or_, select

from booking.extensions import db
from booking.models import Booking, Certification, Closure, Resource, User
from booking.services.core import occupying, overlapping, spans_overlap
from rules import (
    Circumstances,
    Claim,
    Interval,
    Layer,
    Quota,
    RuleSet,
    bank_holidays,
    effective_rules,
    periods,
)
from rules import Closure as ClosedTime
from rules.localtime import from_wall_clock
from rules.rulesets import chosen_rules


def site_zone() -> ZoneInfo:
    """The site's time zone, in which every rule is read."""
    return ZoneInfo(current_app.config["SITE_TIMEZONE"])


def site_layer() -> Layer:
    """The site's default rules (``[rules]`` in the configuration), beneath every level."""
    return Layer(None, current_app.config["SITE_RULES"])


#: The queries every booking runs, built once with their values as parameters.
_RULES_OF = select(Resource.id, Resource.rules).where(
    Resource.id.in_(bindparam("ids", expanding=True))
)
_CLOSURES_OF = select(Closure.start, Closure.end, Closure.reason).where(
    or_(
        Closure.resource_id.is_(None),
        Closure.resource_id.in_(bindparam("lineage", expanding=True)),
    ),
    spans_overlap(Closure.start, Closure.end, bindparam("start"), bindparam("end")),
)


def layers_of(resource: Resource, ancestors: Sequence[Resource] | None = None) -> list[Layer]:
    """The levels whose rules apply to ``resource``: site, ancestors from the root, itself.

    ``ancestors`` may be given when the caller has them (in any order); otherwise they
    are read in one query.
    """
    ids = resource.ancestor_ids
    if ancestors is None and not ids:
        found = {}  # a resource at the top has no levels above it to read
    elif ancestors is None:
        found = {rid: rules for rid, rules in db.session.execute(_RULES_OF, {"ids": ids})}
    else:
        found = {a.id: a.rules for a in ancestors}
    layers = [site_layer()]
    layers.extend(Layer(rid, found[rid]) for rid in ids if found.get(rid))
    layers.append(Layer(resource.id, resource.rules or {}))
    return layers


def rules_of(resource: Resource) -> RuleSet:
    """The typed rules in force on ``resource``."""
    return effective_rules(layers_of(resource))


def site_rules() -> RuleSet:
    """The site's default rules (``[rules]`` in the configuration)."""
    return effective_rules([site_layer()])


class RuleBook:
    """The rules in force on every resource, kept with the catalogue (``current_catalogue().
    rules``): each distinct combination of the rules set above and on a resource is worked
    out once (most resources share a few), so the ``RuleSet`` values are shared; read its
    values, and ``describe_rules`` for where each came from."""

    def __init__(self, set_at: dict[int, str], lineages: dict[int, list[int]]) -> None:
        #: Each resource's own rules as the database holds them (JSON text), where set.
        self.set_at = set_at
        #: Each resource's ancestors, from the root.
        self.lineages = lineages
        self.memo: dict[tuple[int | str, ...], RuleSet] = {}
        self.resolved: dict[int, RuleSet] = {}  # by resource, as looked up so far

    def rules_for(self, resource_id: int) -> RuleSet:
        found = self.resolved.get(resource_id)
        if found is not None:
            return found
        chain = [rid for rid in self.lineages[resource_id] if rid in self.set_at]
        own = self.set_at.get(resource_id)
        key: tuple[int | str, ...] = (*chain, own or "")
        if key not in self.memo:
            layers = [site_layer(), *(Layer(rid, json.loads(self.set_at[rid])) for rid in chain)]
            if own:
                layers.append(Layer(resource_id, json.loads(own)))
            self.memo[key] = effective_rules(layers)
        found = self.resolved[resource_id] = self.memo[key]
        return found


def describe_rules(resource: Resource) -> dict[str, dict[str, Any]]:
    """The effective rules as the API shows them: each value and the level it came from."""
    ancestors = _ancestors(resource)
    names = {a.id: a.name for a in ancestors} | {resource.id: resource.name}
    shown: dict[str, dict[str, Any]] = {}
    for rule, (value, source) in chosen_rules(layers_of(resource, ancestors)).items():
        origin: dict[str, Any] = {"level": "site"}
        if source is not None:
            level = "resource" if source == resource.id else "ancestor"
            origin = {"level": level, "resource_id": source, "name": names.get(source)}
        shown[rule] = {"value": value, "source": origin}
    return shown


def _ancestors(resource: Resource) -> list[Resource]:
    return list(db.session.scalars(select(Resource).where(Resource.id.in_(resource.ancestor_ids))))


def closures_of(resource: Resource, window: Interval) -> list[ClosedTime]:
    """Closures overlapping ``window`` that close ``resource``: site-wide, of an ancestor,
    or of the resource itself."""
    values = {
        "lineage": [*resource.ancestor_ids, resource.id],
        "start": window.start,
        "end": window.end,
    }
    rows = db.session.execute(_CLOSURES_OF, values)
    return [ClosedTime(Interval(s, e), reason) for s, e, reason in rows]


def certifications_of(user: User) -> dict[str, date | None]:
    """The user's certification codes and their expiry dates."""
    rows = db.session.execute(
        select(Certification.code, Certification.expires_on).where(Certification.user_id == user.id)
    )
    return {code: expires_on for code, expires_on in rows}


def _subtree_path(resource: Resource, source: int) -> str:
    parts = resource.path.strip("/").split("/")
    return "/" + "/".join(parts[: parts.index(str(source)) + 1]) + "/"


def counted_bookings(
    resource: Resource,
    rules: RuleSet,
    beneficiary: User,
    interval: Interval,
    now: datetime,
    *,
    excluding: Collection[int] = (),
) -> dict[Quota, list[Claim]]:
    """Per quota, the bookings it already counts in the periods ``interval`` falls in:
    occupying bookings of the same tenant (or user) on the resources the quota covers."""
    counted: dict[Quota, list[Claim]] = {}
    zone = site_zone()
    for quota in rules.quotas:
        if quota.scope == "tenant" and beneficiary.tenant_id is None:
            continue  # the centre's own staff belong to no tenant
        spans = periods(interval, quota.period, zone)
        query = select(Booking.id, Booking.resource_id, Booking.start, Booking.end, Booking.units)
        query = query.where(
            occupying(now),
            overlapping(Booking.start, Booking.end, Interval(spans[0].start, spans[-1].end)),
            Booking.tenant_id == beneficiary.tenant_id
            if quota.scope == "tenant"
            else Booking.user_id == beneficiary.id,
        )
        if quota.source is not None:
            below = select(Resource.id).where(
                Resource.path.startswith(_subtree_path(resource, quota.source))
            )
            query = query.where(Booking.resource_id.in_(below))
        if excluding:
            query = query.where(Booking.id.not_in(excluding))
        counted[quota] = [
            Claim(rid, Interval(start, end), units, bid)
            for bid, rid, start, end, units in db.session.execute(query)
        ]
    return counted


def standing_circumstances(
    resource: Resource,
    rules: RuleSet,
    interval: Interval,
    now: datetime,
    beneficiary: User | None = None,
) -> Circumstances:
    """What the rules engine weighs for ``resource`` during ``interval`` that no booking
    changes: bank holidays, closures and (with a ``beneficiary``) their certifications.
    It may be read before a booking's write transaction begins (see ``create_booking``)."""
    zone = site_zone()
    who = beneficiary
    return Circumstances(
        now=now,
        zone=zone,
        bank_holidays=bank_holidays(interval, zone) if rules.closed_on_bank_holidays else {},
        closures=closures_of(resource, interval),
        certifications=certifications_of(who) if who and rules.required_certification else {},
    )


def circumstances_for(
    resource: Resource,
    rules: RuleSet,
    interval: Interval,
    now: datetime,
    beneficiary: User | None = None,
    *,
    excluding: Collection[int] = (),
    exempt: frozenset[str] = frozenset(),
    standing: Circumstances | None = None,
) -> Circumstances:
    """Everything the rules engine weighs for ``resource`` during ``interval``; with a
    ``beneficiary`` (who the booking is for), their certifications and quota use too.
    ``standing`` is ``standing_circumstances`` when the caller has read them already."""
    if standing is None:
        standing = standing_circumstances(resource, rules, interval, now, beneficiary)
    if beneficiary is None:
        return replace(standing, exempt=exempt)
    counted = counted_bookings(resource, rules, beneficiary, interval, now, excluding=excluding)
    return replace(standing, counted=counted, exempt=exempt)


def local_day(day: date) -> Interval:
    """The instants of local calendar day ``day`` (23 or 25 hours on the change days)."""
    zone = site_zone()
    midnight = datetime(day.year, day.month, day.day)
    return Interval(from_wall_clock(midnight, zone), from_wall_clock(midnight + timedelta(1), zone))
