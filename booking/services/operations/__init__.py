"""Running the service: readiness of the database for traffic."""

from booking.services.operations.readiness import check_readiness

__all__ = [
    "check_readiness",
]
