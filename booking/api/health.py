"""Liveness: answers without authentication or database."""

from flask_smorest import Blueprint

blp = Blueprint("health", __name__, description="Liveness")


@blp.route("/healthz")
@blp.response(200)
def healthz() -> dict[str, str]:
    """The service is up."""
    return {"status": "ok"}
