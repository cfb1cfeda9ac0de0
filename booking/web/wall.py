"""Staff pages for what hangs on walls: displays by the rooms and sheets of QR labels;
and reception's kiosk, which checks bookings in by their codes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from booking.addresses import public_url
from booking.clock import now
from booking.errors import DomainError
from booking.extensions import db
from booking.models import Resource
from booking.services import displays
from booking.services.catalogue import resource_names
from booking.web import reception, staff
from booking.web.blueprint import in_words
from booking.web.session import for_those_who_can, me

#: Kinds a sheet of labels may be printed for.
AREAS = ("building", "floor", "zone", "lab", "room")


def _displays_page(made: displays.NewDisplay | None = None) -> str:
    url = public_url(url_for("screens.show", secret=made.secret)) if made else None
    return render_template(
        "staff/displays.html",
        shown=displays.list_displays(me()),
        names=resource_names(),
        made=made,
        url=url,
    )


@staff.blp.get("/displays")
@for_those_who_can("manage_displays")
def display_list() -> str:
    return _displays_page()


@staff.blp.post("/displays")
@for_those_who_can("manage_displays")
def register_display() -> str | BaseResponse:
    """Register a display; its URL is shown on the page this once."""
    name = request.form.get("name", "").strip()[:200]
    try:
        resource_id = int(request.form.get("resource_id", ""))
    except ValueError:
        resource_id = 0
    if not name or not resource_id:
        flash("Name the display and choose the resource it stands by.")
        return redirect(url_for("staff.display_list"))
    try:
        made = displays.register_display(me(), resource_id, name, now())
    except DomainError as refused:
        flash(in_words(refused))
        return redirect(url_for("staff.display_list"))
    return _displays_page(made)


@staff.blp.post("/displays/<int:display_id>/revoke")
@for_those_who_can("manage_displays")
def revoke_display(display_id: int) -> BaseResponse:
    try:
        gone = displays.revoke_display(me(), display_id, now())
        flash(f"{gone.name}: switched off; its address no longer opens.")
    except DomainError as refused:
        flash(in_words(refused))
    return redirect(url_for("staff.display_list"))


@staff.blp.get("/labels")
@for_those_who_can("print_codes")
def label_sheet() -> str:
    """A printable sheet of QR labels for a floor, zone or lab (or the whole building)."""
    try:
        under = int(request.args["under"]) if request.args.get("under") else None
    except ValueError:
        under = None
    areas = db.session.scalars(
        select(Resource).where(Resource.kind.in_(AREAS)).order_by(Resource.path)
    )
    try:
        heading, labels = displays.labels(me(), under)
    except DomainError:
        heading, labels = displays.labels(me(), None)
    codes = {
        label.resource_id: displays.qr_svg(public_url(label.path), f"{label.name}: QR code")
        for label in labels
    }
    return render_template(
        "staff/labels.html",
        heading=heading,
        labels=labels,
        codes=codes,
        areas=list(areas),
        under=under,
        site=public_url(""),
    )


@reception.blp.route("/kiosk", methods=["GET", "POST"])
@for_those_who_can("run_reception")
def kiosk() -> str | tuple[str, int]:
    """Reception's tablet: scan or type a booking's check-in code or a visitor's code."""
    if request.method == "GET":
        return render_template("reception/kiosk.html", done=None, error=None, code="")
    code = request.form.get("code", "")[:200]
    briefed = request.form.get("briefed") == "yes"
    try:
        done = displays.check_in_by_code(me(), code, now(), briefed=briefed)
    except DomainError as refused:
        told = in_words(refused)
        page = render_template("reception/kiosk.html", done=None, error=told, code=code)
        return page, refused.status
    return render_template("reception/kiosk.html", done=done, error=None, code="")
