"""Running the service: readiness of the database for traffic, and the outbox backlog."""

from booking.services.operations.backlog import Backlog, outbox_backlog
from booking.services.operations.readiness import check_readiness

__all__ = [
    "Backlog",
    "check_readiness",
    "outbox_backlog",
]
