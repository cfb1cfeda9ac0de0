"""The outbox and a person's notification preferences as the API shows and accepts them."""

from marshmallow import Schema, fields, validate

from booking.models import DELIVERY_STATUSES
from booking.schemas.fields import Instant
from booking.schemas.paging import PageSchema


class NotificationSchema(Schema):
    id = fields.Integer(dump_only=True)
    to = fields.String(attribute="to_address", dump_only=True)
    subject = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    booking_id = fields.Integer(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    attempts = fields.Integer(dump_only=True)
    last_error = fields.String(dump_only=True, allow_none=True)
    next_attempt_at = Instant(dump_only=True)
    created_at = Instant(dump_only=True)
    sent_at = Instant(dump_only=True, allow_none=True)


class NotificationQuerySchema(PageSchema):
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    to = fields.String(validate=validate.Length(1, 320))


class PreferencesSchema(Schema):
    """Each topic on (hear about it) or off; a PATCH names only those it changes."""

    confirmations = fields.Boolean(metadata={"description": "Bookings confirmed or approved."})
    changes = fields.Boolean(
        metadata={
            "description": "Bookings moved, changed, cancelled by someone else, "
            "rejected, expired unapproved or released as no-shows."
        }
    )
    reminders = fields.Boolean(metadata={"description": "A reminder before each booking."})
    approvals = fields.Boolean(metadata={"description": "Bookings waiting for your approval."})
    waitlist = fields.Boolean(metadata={"description": "Waitlist offers."})
    visitors = fields.Boolean(metadata={"description": "Your visitors' arrival."})
