"""The HTTP API under /api/v1, documented at /api/v1/openapi.json."""

from flask import Flask
from marshmallow import fields
from werkzeug.routing import IntegerConverter

from booking.api import (
    audit,
    bookings,
    displays,
    feeds,
    health,
    notifications,
    occupancy,
    people,
    policies,
    reports,
    resources,
    series,
    visitors,
    waitlist,
)
from booking.extensions import api
from booking.schemas.fields import MAX_ID, Duration

BLUEPRINTS = (
    health.blp,
    people.blp,
    resources.blp,
    bookings.blp,
    series.blp,
    policies.blp,
    occupancy.blp,
    feeds.blp,
    notifications.blp,
    waitlist.blp,
    displays.blp,
    visitors.blp,
    reports.blp,
    audit.blp,
)


class IdConverter(IntegerConverter):
    """``<id:name>``: a database id in a path; anything else is simply not found."""

    def __init__(self, map: object) -> None:  # noqa: A002 - werkzeug's name
        super().__init__(map, min=1, max=MAX_ID)  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    """Configure flask-smorest and register every blueprint."""
    app.config.setdefault("API_TITLE", "HWIC booking service")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    app.url_map.converters["id"] = IdConverter
    api.init_app(app)
    api.register_field(Duration, fields.String)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
