"""The HTTP API under /api/v1, documented at /api/v1/openapi.json."""

from flask import Flask

from booking.api import bookings, health, people, resources
from booking.extensions import api

BLUEPRINTS = (health.blp, people.blp, resources.blp, bookings.blp)


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
    api.init_app(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
