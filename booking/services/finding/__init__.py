"""Finding free time: availability of one resource and the search across the catalogue."""

from booking.services.finding.availability import Match, resource_availability, search_availability

__all__ = [
    "Match",
    "resource_availability",
    "search_availability",
]
