"""Closures and certifications: what the rules read besides the catalogue."""

from typing import Any

from booking.api.context import actor, now, v1_blueprint
from booking.models import Certification, Closure
from booking.schemas.policies import (
    CertificationSchema,
    ClosureImportResultSchema,
    ClosureImportSchema,
    ClosureQuerySchema,
    ClosureSchema,
)
from booking.services import catalogue
from booking.services.catalogue import ImportResult

blp = v1_blueprint("policies", __name__, "Closures and certifications")


@blp.get("/closures")
@blp.arguments(ClosureQuerySchema(), location="query")
@blp.response(200, ClosureSchema(many=True))
def list_closures(args: dict[str, Any]) -> list[Closure]:
    """Closures by start; with ``resource_id``, those that shut that resource."""
    resource_id, start, end = args.get("resource_id"), args.get("start"), args.get("end")
    return catalogue.list_closures(actor(), resource_id, start, end)


@blp.post("/closures")
@blp.arguments(ClosureSchema())
@blp.response(201, ClosureSchema())
def create_closure(data: dict[str, Any]) -> Closure:
    """Shut a resource or the site (facility manager, admin); lists bookings inside it."""
    return catalogue.create_closure(actor(), now=now(), **data)


@blp.post("/closures/import")
@blp.arguments(ClosureImportSchema())
@blp.response(200, ClosureImportResultSchema())
def import_closures(data: dict[str, Any]) -> ImportResult:
    """Closures from an .ics file (facility manager, admin), for a resource or the whole
    site; recurring events are expanded up to the booking horizon. Importing the same
    file again changes nothing. Lists the open bookings that fall inside them."""
    return catalogue.import_closures(actor(), data["calendar"], data["resource_id"], now())


@blp.delete("/closures/<id:closure_id>")
@blp.response(204)
def delete_closure(closure_id: int) -> None:
    """Lift a closure (facility manager, admin)."""
    catalogue.delete_closure(actor(), closure_id)


@blp.get("/users/<id:user_id>/certifications")
@blp.response(200, CertificationSchema(many=True))
def list_certifications(user_id: int) -> list[Certification]:
    """A user's certifications (themself, staff, or their tenant admin)."""
    return catalogue.list_certifications(actor(), user_id)


@blp.post("/users/<id:user_id>/certifications")
@blp.arguments(CertificationSchema())
@blp.response(201, CertificationSchema())
@blp.alt_response(200, schema=CertificationSchema(), description="An existing one renewed")
def grant_certification(data: dict[str, Any], user_id: int) -> tuple[Certification, int]:
    """Record a certification, or renew one held (facility manager, admin)."""
    found, created = catalogue.grant_certification(
        actor(), user_id, data["code"], data["expires_on"], now()
    )
    return found, 201 if created else 200


@blp.delete("/users/<id:user_id>/certifications/<string:code>")
@blp.response(204)
def revoke_certification(user_id: int, code: str) -> None:
    """Withdraw a certification (facility manager, admin)."""
    catalogue.revoke_certification(actor(), user_id, code)
