"""Displays by the rooms, and resources' QR codes."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for

from booking.addresses import public_url
from booking.api.context import actor, now, v1_blueprint
from booking.models import Display
from booking.schemas.displays import DisplaySchema, NewDisplaySchema
from booking.services import displays

blp = v1_blueprint("displays", __name__, "Displays and QR codes")

SVG = "image/svg+xml"
SVG_DOC: dict[str, Any] = {
    "schema": {"type": "string"},
    "content_type": SVG,
    "success": True,
    "description": "The QR code (SVG) of the resource's own page, /r/<id>",
}


@blp.post("/displays")
@blp.arguments(DisplaySchema())
@blp.response(201, NewDisplaySchema())
def register_display(data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Register a display by a resource (facility managers and admins). The answer's
    `url` opens its page without signing in; it is shown this once."""
    made = displays.register_display(actor(), data["resource_id"], data["name"], now())
    shown = {name: getattr(made.display, name) for name in DisplaySchema().fields}
    shown["url"] = public_url(url_for("screens.show", secret=made.secret))
    return shown, 201, {"Location": url_for("displays.list_displays")}


@blp.get("/displays")
@blp.response(200, DisplaySchema(many=True))
def list_displays() -> list[Display]:
    """Every display, those in service first (their URLs are not shown again)."""
    return displays.list_displays(actor())


@blp.delete("/displays/<id:display_id>")
@blp.response(204)
def revoke_display(display_id: int) -> None:
    """Close a display's URL for good: from now on it answers 404."""
    displays.revoke_display(actor(), display_id, now())


@blp.get("/resources/<id:resource_id>/qr.svg")
@blp.alt_response(200, **SVG_DOC)
def resource_qr(resource_id: int) -> Response:
    """The QR code that opens the resource's page, where people check in or book it
    now (staff)."""
    user = actor()
    label = displays.labels_for(user, resource_id)
    svg = displays.qr_svg(public_url(label.path), f"{label.name}: check in or book", sized=True)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + svg, mimetype=SVG)
