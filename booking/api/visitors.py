"""Visitors: told of by their hosts, signed in and out at reception."""

from __future__ import annotations

from typing import Any

from flask import url_for

from booking.api.context import actor, now, v1_blueprint
from booking.models import Visitor
from booking.schemas.visitors import (
    ArrivalSchema,
    CountsQuerySchema,
    VisitorCountSchema,
    VisitorQuerySchema,
    VisitorSchema,
)
from booking.services import visitors
from booking.services.visitors import VisitorDraft

blp = v1_blueprint("visitors", __name__, "Visitors")


@blp.post("/visitors")
@blp.arguments(VisitorSchema())
@blp.response(201, VisitorSchema())
def register_visitor(data: dict[str, Any]) -> tuple[Visitor, int, dict[str, str]]:
    """Tell reception of a visitor: for a host of one's own tenant (reception: anyone),
    perhaps for a booking. With `arrive` (reception) a walk-in, signed in at once and
    their host told."""
    visitor = visitors.register_visitor(actor(), VisitorDraft(**data), now())
    return visitor, 201, {"Location": url_for("visitors.get_visitor", visitor_id=visitor.id)}


@blp.get("/visitors")
@blp.arguments(VisitorQuerySchema(), location="query")
@blp.response(200, VisitorSchema(many=True))
def list_visitors(args: dict[str, Any]) -> list[Visitor]:
    """Visitors the caller may see (staff: all; others: their tenant's), by expected
    time; `date` a local day, `q` part of a name."""
    return visitors.list_visitors(actor(), args.get("date"), args.get("status"), args.get("q"))


@blp.get("/visitors/counts")
@blp.arguments(CountsQuerySchema(), location="query")
@blp.response(200, VisitorCountSchema(many=True))
def visitor_counts(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Visits that happened (signed in), per tenant and month, erased ones included."""
    rows = visitors.visitor_counts(actor(), args["start"], args["end"])
    return [{"tenant": tenant, "month": month, "visits": n} for tenant, month, n in rows]


@blp.get("/visitors/<id:visitor_id>")
@blp.response(200, VisitorSchema())
def get_visitor(visitor_id: int) -> Visitor:
    """One visitor (404 when the caller may not see them)."""
    return visitors.get_visitor(actor(), visitor_id)


@blp.post("/visitors/<id:visitor_id>/arrive")
@blp.arguments(ArrivalSchema(), required=False)
@blp.response(200, VisitorSchema())
def arrive(data: dict[str, Any], visitor_id: int) -> Visitor:
    """Sign a visitor in (reception); their host is told by e-mail. Refused with
    `briefing_required` until the booked resource's safety briefing is ticked."""
    return visitors.arrive(actor(), visitor_id, now(), briefed=bool(data.get("briefed")))


@blp.post("/visitors/<id:visitor_id>/leave")
@blp.response(200, VisitorSchema())
def leave(visitor_id: int) -> Visitor:
    """Sign a visitor out (reception)."""
    return visitors.leave(actor(), visitor_id, now())


@blp.post("/visitors/<id:visitor_id>/cancel")
@blp.response(200, VisitorSchema())
def cancel(visitor_id: int) -> Visitor:
    """They are not coming after all (their host's tenant, or reception)."""
    return visitors.cancel_visit(actor(), visitor_id, now())
