"""Training in the pages: asking for it from a booking form, and the facility managers'
page of requests, certifications running out and everyone's certifications, where a
certification is recorded (which answers the request)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now, today
from booking.errors import DomainError
from booking.services import catalogue
from booking.services.people import list_users
from booking.web.blueprint import blp as pages
from booking.web.blueprint import in_words
from booking.web.session import for_those_who_can, me, signed_in
from booking.web.staff import blp


@pages.post("/book/<int:resource_id>/request-training")
@signed_in
def ask_for_training(resource_id: int) -> BaseResponse:
    """Ask for the training a resource requires; the facility managers are told."""
    try:
        _, new = catalogue.request_training(me(), resource_id, now())
    except DomainError as refused:
        if refused.status == 404:
            abort(404)
        flash(in_words(refused))
    else:
        flash(
            "Asked: the facilities team will arrange your training. You can book here "
            "once it is recorded."
            if new
            else "You have asked already; the facilities team has your request."
        )
    return redirect(url_for("web.book", resource_id=resource_id))


@blp.get("/training")
@for_those_who_can("manage_catalogue")
def training_page() -> str:
    user = me()
    return render_template(
        "staff/training.html",
        training=catalogue.training_overview(user, today()),
        everyone=list_users(user),
        today=today(),
    )


@blp.post("/training")
@for_those_who_can("manage_catalogue")
def record_training() -> BaseResponse:
    """Record (or renew) someone's certification, until a date or for good."""
    form = request.form
    user_id = int(form["user_id"]) if form.get("user_id", "").isdigit() else 0
    code = form.get("code", "").strip()[:100]
    try:
        expires = date.fromisoformat(form["expires_on"]) if form.get("expires_on") else None
    except ValueError:
        flash("Give the date it runs out as a date, or leave it empty.")
        return redirect(url_for("staff.training_page"))
    if not code:
        flash("Name the certification, e.g. biosafety-cabinet.")
        return redirect(url_for("staff.training_page"))
    try:
        held, _ = catalogue.grant_certification(me(), user_id, code, expires, now())
        until = f" until {expires.strftime('%-d %B %Y')}" if expires else ""
        flash(f"Recorded: {code}{until}.")
    except DomainError as refused:
        flash(in_words(refused))
    return redirect(url_for("staff.training_page"))
