"""The audit log: every change to a booking, who made it and when."""

from __future__ import annotations

from typing import Any

from booking.api.context import actor, v1_blueprint
from booking.schemas.audit import AuditEntrySchema, AuditQuerySchema
from booking.services.core import AuditFilter, AuditRow, read_audit

blp = v1_blueprint("audit", __name__, "The audit log")


@blp.get("/audit")
@blp.arguments(AuditQuerySchema(), location="query")
@blp.response(200, AuditEntrySchema(many=True))
def audit_log(args: dict[str, Any]) -> list[AuditRow]:
    """Changes to bookings, newest first, filtered by booking, resource, who made them
    and when (``from``, ``to``); facility managers and admins."""
    return read_audit(actor(), AuditFilter(**args))
