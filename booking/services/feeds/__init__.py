"""Calendar feeds: their secrets, what each shows and the conditional answers calendar apps
poll."""

from booking.services.feeds.content import (
    booking_event,
    ended_series_event,
    location_of,
    series_feed_event,
)
from booking.services.feeds.serving import FeedBody, feed_body, feed_secret, rotate_feed_secret

__all__ = [
    "FeedBody",
    "booking_event",
    "ended_series_event",
    "feed_body",
    "feed_secret",
    "location_of",
    "rotate_feed_secret",
    "series_feed_event",
]
