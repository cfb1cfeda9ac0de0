"""Calendar feeds: the caller's feed URLs, rotating them, and the feeds themselves.

The feed URLs carry their secret, so calendar apps fetch them with no header; an unknown
or rotated secret is a 404. Feeds answer ``ETag``/``Last-Modified`` and 304 to a poll
whose validators still match.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from booking.addresses import public_url
from booking.api.context import actor, now, v1_blueprint
from booking.schemas.feeds import FeedLinksSchema
from booking.services import feeds
from booking.services.feeds import FeedBody

blp = v1_blueprint("feeds", __name__, "Calendar feeds")

CALENDAR = "text/calendar; charset=utf-8"
FEED_DOC: dict[str, Any] = {
    "schema": {"type": "string"},
    "content_type": "text/calendar",
    "success": True,
    "description": "The feed (RFC 5545)",
}
NO_TOKEN: dict[str, Any] = {"security": []}


def _link(path: str) -> dict[str, str]:
    url = public_url(path)
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _links(secret: str, has_tenant: bool) -> dict[str, Any]:
    mine = url_for("feeds.mine_feed", secret=secret)
    return {
        "mine": _link(mine),
        "tenant": _link(url_for("feeds.tenant_feed", secret=secret)) if has_tenant else None,
        "resource": _link(mine.removesuffix("mine.ics") + "resources/{resource_id}.ics"),
    }


@blp.get("/feeds")
@blp.response(200, FeedLinksSchema())
def list_feeds() -> dict[str, Any]:
    """Your feed URLs, to subscribe to in a calendar app (https and webcal forms); the
    resource URL holds `{resource_id}` to fill in."""
    user = actor()
    return _links(feeds.feed_secret(user, now()), user.tenant_id is not None)


@blp.post("/feeds/rotate")
@blp.response(200, FeedLinksSchema())
def rotate_feeds() -> dict[str, Any]:
    """New feed URLs; the old ones answer 404 from now on."""
    user = actor()
    return _links(feeds.rotate_feed_secret(user, now()), user.tenant_id is not None)


def _answer(secret: str, kind: str, resource_id: int | None = None) -> Response:
    feed: FeedBody = feeds.feed_body(secret, kind, now(), resource_id)
    response = Response(feed.body, content_type=CALENDAR)
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.make_conditional(request.environ)  # in place: a 304 where the client is current
    return response


@blp.get("/feeds/<string:secret>/mine.ics")
@blp.doc(**NO_TOKEN)
@blp.alt_response(200, **FEED_DOC)
@blp.alt_response(304, description="Not modified since the validators sent")
def mine_feed(secret: str) -> Response:
    """The bookings made for the feed's owner."""
    return _answer(secret, "mine")


@blp.get("/feeds/<string:secret>/tenant.ics")
@blp.doc(**NO_TOKEN)
@blp.alt_response(200, **FEED_DOC)
@blp.alt_response(304, description="Not modified since the validators sent")
def tenant_feed(secret: str) -> Response:
    """The bookings of the owner's tenant; those the owner may not see show as "Booked"."""
    return _answer(secret, "tenant")


@blp.get("/feeds/<string:secret>/resources/<id:resource_id>.ics")
@blp.doc(**NO_TOKEN)
@blp.alt_response(200, **FEED_DOC)
@blp.alt_response(304, description="Not modified since the validators sent")
def resource_feed(secret: str, resource_id: int) -> Response:
    """One resource's bookings; those the owner may not see show as "Booked"."""
    return _answer(secret, "resource", resource_id)
