"""Staff pages: the approvals queue, closures, and the rules in force on a resource."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now, today
from booking.errors import DomainError
from booking.models import KINDS
from booking.services import catalogue, reservations
from booking.services.catalogue import (
    ResourceFilter,
    describe_rules,
    get_resource,
    list_resources,
    resource_names,
    rules_of,
    site_zone,
)
from booking.services.reservations import BookingQuery
from booking.web.blueprint import or_404
from booking.web.session import for_those_who_can, me
from rules.localtime import LocalTimeError, localize
from rules.wording import rules_in_words

blp = Blueprint("staff", __name__, url_prefix="/staff")


@blp.get("/approvals")
@for_those_who_can("manage_catalogue")
def approval_queue() -> str:
    """Bookings waiting for approval, soonest deadline first."""
    waiting = reservations.list_bookings(me(), BookingQuery(status=("pending",), limit=1000))
    waiting.sort(key=lambda b: (b.approval_due_at or b.start, b.start))
    return render_template("staff/approvals.html", waiting=waiting, names=resource_names())


@blp.post("/approvals/<int:booking_id>/<any(approve, reject):decision>")
@for_those_who_can("manage_catalogue")
def decide(booking_id: int, decision: str) -> BaseResponse:
    reason = request.form.get("reason", "").strip()[:500] or None
    try:
        if decision == "approve":
            made = reservations.approve_booking(me(), booking_id, reason, now())
        elif reason is None:
            flash("Say why it is rejected: the booker sees the reason.")
            return redirect(url_for("staff.approval_queue"))
        else:
            made = reservations.reject_booking(me(), booking_id, reason, now())
        flash(f"{made.title}: {'approved' if decision == 'approve' else 'rejected'}.")
    except DomainError as refused:
        flash(refused.detail)
    return redirect(url_for("staff.approval_queue"))


def _closure_page(errors: dict[str, str], form: dict[str, str]) -> str:
    user, moment = me(), now()
    return render_template(
        "staff/closures.html",
        closures=catalogue.list_closures(user, None, moment, None),
        resources=list_resources(user, ResourceFilter()),
        names=resource_names(),
        today=today().isoformat(),
        errors=errors,
        form=form,
    )


@blp.get("/closures")
@for_those_who_can("manage_catalogue")
def closure_list() -> str:
    return _closure_page({}, {})


def _instant(day: str, clock: str) -> datetime:
    return localize(
        datetime.combine(date.fromisoformat(day), time.fromisoformat(clock)), site_zone()
    )


@blp.post("/closures")
@for_those_who_can("manage_catalogue")
def add_closure() -> BaseResponse | tuple[str, int]:
    fields = ("resource_id", "start_date", "start_time", "end_date", "end_time", "reason")
    form = {key: request.form.get(key, "").strip() for key in fields}
    errors: dict[str, str] = {}
    try:
        start = _instant(form["start_date"], form["start_time"] or "00:00")
    except (ValueError, LocalTimeError):
        errors["start"] = "Give the first day (and a time, or midnight)."
    try:
        end = _instant(form["end_date"], form["end_time"] or "00:00")
    except (ValueError, LocalTimeError):
        errors["end"] = "Give the day it reopens (and a time, or midnight)."
    if not form["reason"]:
        errors["reason"] = "Say why: bookers see it."
    if not errors and end <= start:
        errors["end"] = "It must reopen after it closes."
    resource_id = int(form["resource_id"]) if form["resource_id"].isdigit() else None
    if errors:
        return _closure_page(errors, form), 422
    try:
        made = catalogue.create_closure(me(), resource_id, start, end, form["reason"], now())
        hit = len(made.affected_bookings or [])
        flash(f"Closed. {hit} booking(s) fall inside it: let their bookers know.")
    except DomainError as refused:
        flash(refused.detail)
    return redirect(url_for("staff.closure_list"))


@blp.post("/closures/<int:closure_id>/delete")
@for_those_who_can("manage_catalogue")
def remove_closure(closure_id: int) -> BaseResponse:
    try:
        catalogue.delete_closure(me(), closure_id)
        flash("The closure is lifted.")
    except DomainError as refused:
        flash(refused.detail)
    return redirect(url_for("staff.closure_list"))


@blp.get("/resources")
@for_those_who_can("run_reception")
def resource_list() -> str:
    resources = list_resources(me(), ResourceFilter())
    return render_template(
        "staff/resources.html", resources=resources, kinds=KINDS, errors={}, typed={}
    )


@blp.get("/resources/<int:resource_id>")
@for_those_who_can("run_reception")
def resource_rules(resource_id: int) -> str:
    resource = or_404(get_resource, resource_id)
    said = rules_in_words(rules_of(resource))
    return render_template(
        "staff/rules.html", resource=resource, rules=describe_rules(resource), said=said
    )
