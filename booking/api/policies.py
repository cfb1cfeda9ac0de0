"""Closures and certifications: what the rules read besides the catalogue."""

from typing import Any

from flask_smorest import Blueprint

from booking.api.context import actor, now
from booking.models import Certification, Closure
from booking.schemas.policies import (
    CertificationSchema,
    ClosureImportResultSchema,
    ClosureImportSchema,
    ClosureQuerySchema,
    ClosureSchema,
)
from booking.services import certifications, closures
from booking.services.closures import ImportResult

blp = Blueprint(
    "policies", __name__, url_prefix="/api/v1", description="Closures and certifications"
)


@blp.get("/closures")
@blp.arguments(ClosureQuerySchema(), location="query")
@blp.response(200, ClosureSchema(many=True))
def list_closures(args: dict[str, Any]) -> list[Closure]:
    """Closures by start; with ``resource_id``, those that shut that resource."""
    actor()
    return closures.list_closures(args.get("resource_id"), args.get("start"), args.get("end"))


@blp.post("/closures")
@blp.arguments(ClosureSchema())
@blp.response(201, ClosureSchema())
def create_closure(data: dict[str, Any]) -> Closure:
    """Shut a resource or the site (facility manager, admin); lists bookings inside it."""
    return closures.create_closure(actor(), now=now(), **data)


@blp.post("/closures/import")
@blp.arguments(ClosureImportSchema())
@blp.response(200, ClosureImportResultSchema())
def import_closures(data: dict[str, Any]) -> ImportResult:
    """Closures from an .ics file (facility manager, admin), for a resource or the whole
    site; recurring events are expanded up to the booking horizon. Importing the same
    file again changes nothing. Lists the open bookings that fall inside them."""
    return closures.import_closures(actor(), data["calendar"], data["resource_id"], now())


@blp.delete("/closures/<id:closure_id>")
@blp.response(204)
def delete_closure(closure_id: int) -> None:
    """Lift a closure (facility manager, admin)."""
    closures.delete_closure(actor(), closure_id)


@blp.get("/users/<id:user_id>/certifications")
@blp.response(200, CertificationSchema(many=True))
def list_certifications(user_id: int) -> list[Certification]:
    """A user's certifications (themself, staff, or their tenant admin)."""
    return certifications.list_certifications(actor(), user_id)


@blp.post("/users/<id:user_id>/certifications")
@blp.arguments(CertificationSchema())
@blp.response(201, CertificationSchema())
@blp.alt_response(200, schema=CertificationSchema(), description="An existing one renewed")
def grant_certification(data: dict[str, Any], user_id: int) -> tuple[Certification, int]:
    """Record a certification, or renew one held (facility manager, admin)."""
    found, created = certifications.grant_certification(
        actor(), user_id, data["code"], data["expires_on"], now()
    )
    return found, 201 if created else 200


@blp.delete("/users/<id:user_id>/certifications/<string:code>")
@blp.response(204)
def revoke_certification(user_id: int, code: str) -> None:
    """Withdraw a certification (facility manager, admin)."""
    certifications.revoke_certification(actor(), user_id, code)
