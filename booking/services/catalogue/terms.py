"""A resource's terms for one person before they book: its rules in words, what is left of
their quotas, and whether they may book it at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from booking.models import Resource, User
from booking.services.catalogue.rulebook import (
    certifications_of,
    counted_bookings,
    rules_of,
    site_zone,
)
from rules import Interval
from rules.policies import lacking_training
from rules.quotas import used_now
from rules.wording import quota_left_words, rules_in_words


@dataclass(frozen=True, slots=True)
class Terms:
    """What a booking form says first. ``refused`` is why ``person`` cannot book it yet."""

    rules: dict[str, str]
    quotas_left: list[str] = field(default_factory=list)
    refused: str | None = None


def terms_for(person: User, resource: Resource, now: datetime) -> Terms:
    rules = rules_of(resource)
    zone = site_zone()
    moment = Interval(now, now + timedelta(seconds=1))
    held = certifications_of(person) if rules.required_certification else {}
    refused = lacking_training(rules, held, now, zone)
    counted = counted_bookings(resource, rules, person, moment, now) if rules.quotas else {}
    left = [
        quota_left_words(quota, *used_now(quota, claims, now, zone))
        for quota, claims in counted.items()
    ]
    return Terms(rules_in_words(rules), left, refused)
