"""Running the service: readiness of the database for traffic, the outbox backlog, and
backups."""

from booking.services.operations.backlog import Backlog, outbox_backlog
from booking.services.operations.backups import BackupError, Restored, backup, restore
from booking.services.operations.readiness import check_readiness

__all__ = [
    "Backlog",
    "BackupError",
    "Restored",
    "backup",
    "restore",
    "check_readiness",
    "outbox_backlog",
]
