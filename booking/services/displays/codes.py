"""QR codes: a resource's (its door page, ``/r/<id>``), sheets of labels to print, and
the check-in codes reception's kiosk reads.

A booking's check-in code is ``B<id>-<six characters>``, a visitor's ``V<id>-…``: the
characters are a keyed digest (HMAC with the ``SECRET_KEY``) of what and which, so a code
cannot be guessed from an id and a mistyped one checks nobody in. It is short enough to
read out or type.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from datetime import datetime

import segno
from flask import current_app
from sqlalchemy import select

from booking.access import require
from booking.errors import InvalidFieldsError, NotFoundError
from booking.extensions import db
from booking.models import Booking, Resource, User, Visitor
from booking.models.resources import tree_order
from booking.services import reservations, visitors
from booking.services.catalogue import resource_names

CODE = re.compile(r"([BV])(\d{1,12})-([A-Z2-7]{6})")
#: What each code's letter names, and the word its digest is made over.
KINDS = {"B": "check-in", "V": "visitor"}


@functools.lru_cache(maxsize=1024)
def qr_svg(text: str, title: str, *, scale: int = 4, sized: bool = False) -> str:
    """``text`` as a QR code in SVG (error correction M, the quiet zone kept), titled for
    screen readers; it fills the width a page gives it, or is ``scale`` pixels a module
    when ``sized``. The same code is drawn once per process."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=scale,
        border=4,
        title=title,
        svgclass="qr",
        lineclass=None,
        omitsize=not sized,
        xmldecl=False,
    )
    return out.getvalue().decode()


def door_path(resource_id: int) -> str:
    """The path a resource's QR code opens."""
    return f"/r/{resource_id}"


@dataclass(frozen=True, slots=True)
class Label:
    """One resource's label: its code opens ``path``; ``place`` names where it is."""

    resource_id: int
    name: str
    place: str
    path: str


def _label(resource: Resource, names: dict[int, str]) -> Label:
    place = " › ".join(names[i] for i in resource.ancestor_ids if i in names)
    return Label(resource.id, resource.name, place, door_path(resource.id))


def labels(actor: User, under: int | None) -> tuple[str, list[Label]]:
    """Labels for every bookable resource at or below ``under`` (all, when ``None``), in
    the building's order, and what the sheet is of."""
    require(actor, "print_codes")
    query = select(Resource).where(Resource.bookable.is_(True))
    heading = "Every bookable resource"
    if under is not None:
        top = db.session.get(Resource, under)
        if top is None:
            raise NotFoundError("No such floor or zone.")
        query = query.where(Resource.path.startswith(top.path))
        heading = top.name
    names = resource_names()
    found = sorted(db.session.scalars(query), key=lambda resource: tree_order(resource.path))
    return heading, [_label(resource, names) for resource in found]


def labels_for(actor: User, resource_id: int) -> Label:
    """One resource's label."""
    require(actor, "print_codes")
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        raise NotFoundError("No such resource.")
    return _label(resource, resource_names())


def _mac(letter: str, number: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"{KINDS[letter]}:{number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:6]


def check_in_code(booking_id: int) -> str:
    """The code reception's kiosk checks booking ``booking_id`` in by."""
    return f"B{booking_id}-{_mac('B', booking_id)}"


def visitor_code(visitor_id: int) -> str:
    """The code reception's kiosk signs visitor ``visitor_id`` in by."""
    return f"V{visitor_id}-{_mac('V', visitor_id)}"


def read_code(code: str) -> tuple[str, int]:
    """What a code (typed, or read from its QR code) names: ``("B", booking id)`` or
    ``("V", visitor id)``; 422 if it is not one."""
    found = CODE.search(code.strip().upper().replace(" ", ""))
    if found is None:
        raise InvalidFieldsError(
            {"code": ["That is not a check-in code: it looks like B123-ABCDEF or V45-ABCDEF."]}
        )
    letter, number, mac = found.group(1), int(found.group(2)), found.group(3)
    if not hmac.compare_digest(mac, _mac(letter, number)):
        raise InvalidFieldsError({"code": ["That is not a check-in code: check it for typos."]})
    return letter, number


def booking_of_code(code: str) -> int:
    """The booking a check-in code names; 422 if it names none."""
    letter, number = read_code(code)
    if letter != "B":
        raise InvalidFieldsError({"code": ["That is not a check-in code of a booking."]})
    return number


@dataclass(frozen=True, slots=True)
class CheckedIn:
    """What the kiosk checked in: a booking, or a visitor signed in."""

    booking: Booking | None = None
    visitor: Visitor | None = None


def check_in_by_code(actor: User, code: str, now: datetime, *, briefed: bool = False) -> CheckedIn:
    """Check in the booking, or sign in the visitor, that ``code`` names, at reception's
    kiosk (``briefed``: the visitor was given their lab's safety briefing)."""
    require(actor, "run_reception")
    letter, number = read_code(code)
    if letter == "V":
        return CheckedIn(visitor=visitors.arrive(actor, number, now, briefed=briefed))
    return CheckedIn(booking=reservations.check_in(actor, number, now))
