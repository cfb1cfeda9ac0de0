"""The catalogue and the availability of its resources."""

from typing import Any

from flask_smorest import Blueprint

from booking.api.context import actor, now
from booking.models import Resource
from booking.schemas.availability import (
    AvailabilitySchema,
    SearchQuerySchema,
    SearchResultSchema,
    WindowSchema,
)
from booking.schemas.resources import ResourcePatchSchema, ResourceQuerySchema, ResourceSchema
from booking.services import availability, resources
from booking.services.resources import ResourceFilter
from rules import Availability, Interval

blp = Blueprint(
    "resources", __name__, url_prefix="/api/v1", description="Catalogue and availability"
)


@blp.get("/resources")
@blp.arguments(ResourceQuerySchema(), location="query")
@blp.response(200, ResourceSchema(many=True))
def list_resources(args: dict[str, Any]) -> list[Resource]:
    """Resources, filtered by kind, parent, name, capacity and features."""
    actor()
    return resources.list_resources(ResourceFilter(**args))


@blp.post("/resources")
@blp.arguments(ResourceSchema())
@blp.response(201, ResourceSchema())
def create_resource(data: dict[str, Any]) -> Resource:
    """Add a resource to the catalogue (facility manager, admin)."""
    return resources.create_resource(actor(), data, now())


@blp.get("/resources/<id:resource_id>")
@blp.response(200, ResourceSchema())
def get_resource(resource_id: int) -> Resource:
    """One resource."""
    actor()
    return resources.get_resource(resource_id)


@blp.patch("/resources/<id:resource_id>")
@blp.arguments(ResourcePatchSchema(partial=True))
@blp.response(200, ResourceSchema())
def update_resource(data: dict[str, Any], resource_id: int) -> Resource:
    """Change a resource (facility manager, admin)."""
    return resources.update_resource(actor(), resource_id, data, now())


@blp.get("/resources/<id:resource_id>/availability")
@blp.arguments(WindowSchema(), location="query")
@blp.response(200, AvailabilitySchema())
def resource_availability(args: dict[str, Any], resource_id: int) -> Availability:
    """Free and busy time of one resource within ``[start, end)``."""
    actor()
    return availability.resource_availability(resource_id, Interval(args["start"], args["end"]))


@blp.get("/availability")
@blp.arguments(SearchQuerySchema(), location="query")
@blp.response(200, SearchResultSchema())
def search_availability(args: dict[str, Any]) -> dict[str, Any]:
    """Resources with a free stretch of at least ``duration``, earliest fit first."""
    actor()
    window = Interval(args.pop("start"), args.pop("end"))
    duration, limit = args.pop("duration"), args.pop("limit")
    matches = availability.search_availability(window, duration, ResourceFilter(**args), limit)
    return {"results": matches}
