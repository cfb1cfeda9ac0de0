"""Display pages: a screen by a room, opened by its secret URL (no sign-in).

The page asks ``/d/<secret>/live`` every ``[displays] poll`` for what it shows, sending
the ETag it has: an unchanged day is a 304 that builds nothing. When the server does not
answer (a restart), the page keeps what it shows, says it is reconnecting, and asks
again; a revoked display is told so. Display pages alone may be framed, by the sites
``[displays] frame_ancestors`` names.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from booking.addresses import public_url
from booking.clock import now
from booking.errors import NotFoundError
from booking.services import displays
from booking.services.displays import Day, Poll
from booking.web.headers import content_policy
from rules.durations import parse_duration

blp = Blueprint("screens", __name__, url_prefix="/d")


def _framed(response: Response) -> Response:
    sources = current_app.config["DISPLAYS_FRAME_ANCESTORS"]
    response.headers["Content-Security-Policy"] = content_policy(sources)
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL is the secret
    response.cache_control.no_cache = True
    response.cache_control.private = True
    return response


def _opened(secret: str) -> Poll:
    try:
        return displays.open_display(secret, now())
    except NotFoundError:
        abort(404)


def _live(poll: Poll) -> tuple[str, Day]:
    day = displays.display_day(poll.display_id, now())
    door = public_url(displays.door_path(day.resource_id))
    qr = displays.qr_svg(door, f"Scan to check in or book {day.resource_name}")
    return render_template("display_live.html", day=day, qr=qr, door=door), day


@blp.get("/<string:secret>")
def show(secret: str) -> Response:
    """The display's full page."""
    poll = _opened(secret)
    every = parse_duration(current_app.config["DISPLAYS_POLL"]).total_seconds()
    live, day = _live(poll)
    page = render_template(
        "display.html", live=live, etag=poll.etag, secret=secret, every=every, title=day.title
    )
    response = Response(page, mimetype="text/html")
    response.set_etag(poll.etag)
    return _framed(response)


@blp.get("/<string:secret>/live")
def live(secret: str) -> Response:
    """What the display shows now, as an HTML fragment; 304 when its ETag is current."""
    poll = _opened(secret)
    if poll.etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(_live(poll)[0], mimetype="text/html")
    response.set_etag(poll.etag)
    return _framed(response)
