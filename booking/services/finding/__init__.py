"""Finding free time: availability of one resource, the search across the catalogue, and
what calendar pages show."""

from booking.services.finding.availability import (
    Match,
    Offers,
    needing_training,
    resource_availability,
    resource_offers,
    search_availability,
)
from booking.services.finding.calendar import (
    Entry,
    Lane,
    Opening,
    days_from,
    own_lane,
    resource_lanes,
)

__all__ = [
    "Entry",
    "Lane",
    "Match",
    "Offers",
    "Opening",
    "days_from",
    "needing_training",
    "own_lane",
    "resource_availability",
    "resource_lanes",
    "resource_offers",
    "search_availability",
]
