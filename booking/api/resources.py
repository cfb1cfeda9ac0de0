"""The catalogue and the availability of its resources."""

from typing import Any

from flask import Response

from booking.api.context import actor, now, v1_blueprint
from booking.models import Resource
from booking.responses import json_response
from booking.schemas.availability import (
    AvailabilitySchema,
    SearchQuerySchema,
    SearchResultSchema,
    WindowSchema,
    dump_search_result,
)
from booking.schemas.resources import (
    ResourceDetailSchema,
    ResourcePatchSchema,
    ResourceQuerySchema,
    ResourceSchema,
)
from booking.services import catalogue, finding
from booking.services.catalogue import ResourceFilter
from rules import Availability, Interval

blp = v1_blueprint("resources", __name__, "Catalogue and availability")


@blp.get("/resources")
@blp.arguments(ResourceQuerySchema(), location="query")
@blp.response(200, ResourceSchema(many=True))
def list_resources(args: dict[str, Any]) -> list[Resource]:
    """Resources, filtered by kind, parent, name, capacity and features."""
    return catalogue.list_resources(actor(), ResourceFilter(**args))


@blp.post("/resources")
@blp.arguments(ResourceSchema())
@blp.response(201, ResourceSchema())
def create_resource(data: dict[str, Any]) -> Resource:
    """Add a resource to the catalogue (facility manager, admin)."""
    return catalogue.create_resource(actor(), data, now())


@blp.get("/resources/<id:resource_id>")
@blp.response(200, ResourceDetailSchema())
def get_resource(resource_id: int) -> Resource:
    """One resource, with its effective rules and where each came from."""
    return catalogue.get_resource_with_rules(actor(), resource_id)


@blp.patch("/resources/<id:resource_id>")
@blp.arguments(ResourcePatchSchema(partial=True))
@blp.response(200, ResourceSchema())
def update_resource(data: dict[str, Any], resource_id: int) -> Resource:
    """Change a resource (facility manager, admin)."""
    return catalogue.update_resource(actor(), resource_id, data, now())


@blp.get("/resources/<id:resource_id>/availability")
@blp.arguments(WindowSchema(), location="query")
@blp.response(200, AvailabilitySchema())
def resource_availability(args: dict[str, Any], resource_id: int) -> Availability:
    """Free, busy and closed time of one resource within ``[start, end)``, under its rules."""
    window = Interval(args["start"], args["end"])
    return finding.resource_availability(actor(), resource_id, window, now())


@blp.get("/availability")
@blp.arguments(SearchQuerySchema(), location="query")
@blp.response(200, SearchResultSchema())
def search_availability(args: dict[str, Any]) -> Response:
    """Resources the caller can book for ``duration`` in the window, earliest fit first."""
    window = Interval(args.pop("start"), args.pop("end"))
    duration, limit = args.pop("duration"), args.pop("limit")
    filters = ResourceFilter(**args)
    matches = finding.search_availability(actor(), window, duration, filters, now(), limit)
    return json_response(dump_search_result(matches))
