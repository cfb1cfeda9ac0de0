"""Typed SQLAlchemy models, one module per aggregate."""

from booking.models.billing import BillingPeriod, ChargeLine
from booking.models.bookings import OCCUPYING, STATUSES, Booking, BookingEvent
from booking.models.displays import Display
from booking.models.notifications import (
    DELIVERY_STATUSES,
    TOPICS,
    Notification,
    OutboxEvent,
    Preferences,
)
from booking.models.people import (
    ROLES,
    SECTORS,
    AccountEvent,
    ApiToken,
    FeedKey,
    FeedState,
    PasswordReset,
    SignInAttempt,
    Tenant,
    User,
)
from booking.models.policies import Certification, Closure, TrainingRequest
from booking.models.resources import KINDS, CatalogueVersion, Resource
from booking.models.series import Series
from booking.models.visitors import VISITOR_STATUSES, Visitor
from booking.models.waitlist import WAITLIST_STATUSES, WaitlistEntry

__all__ = [
    "SECTORS",
    "BillingPeriod",
    "ChargeLine",
    "VISITOR_STATUSES",
    "Visitor",
    "Display",
    "DELIVERY_STATUSES",
    "TOPICS",
    "Notification",
    "OutboxEvent",
    "Preferences",
    "KINDS",
    "OCCUPYING",
    "ROLES",
    "STATUSES",
    "ApiToken",
    "Booking",
    "CatalogueVersion",
    "BookingEvent",
    "Certification",
    "TrainingRequest",
    "Closure",
    "FeedKey",
    "FeedState",
    "Resource",
    "Series",
    "AccountEvent",
    "PasswordReset",
    "SignInAttempt",
    "Tenant",
    "User",
    "WAITLIST_STATUSES",
    "WaitlistEntry",
]
import booking.models.sequencing  # noqa: E402,F401 - registers the listener
