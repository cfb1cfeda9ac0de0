"""Editing a resource's own rules in the pages, as people write them ("30 minutes",
"08:00-18:00"), beside what it inherits and from where; a preview lists the bookings still
to come that the new rules would refuse before anything is saved."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now
from booking.errors import DomainError, InvalidFieldsError
from booking.models import Resource
from booking.schemas.resources import RulesSchema
from booking.services import catalogue
from booking.web.blueprint import in_words, or_404
from booking.web.forms import read_form
from booking.web.session import for_those_who_can, me
from booking.web.staff import blp
from rules.durations import DurationError, format_duration, parse_duration, parse_spoken_duration
from rules.rulesets import WEEKDAYS
from rules.wording import duration_words, rules_in_words

#: The rules this form edits; the others a resource sets (quotas, rates...) are kept.
DURATIONS = ("min_duration", "max_duration", "slot", "min_notice", "max_advance",
             "buffer_before", "buffer_after")  # fmt: skip
CHOICES = ("closed_on_bank_holidays", "requires_approval")
EDITED = (*DURATIONS, *CHOICES, "required_certification", "opening_hours")


def typed_from(own: dict[str, Any]) -> dict[str, str]:
    """The form's fields for a resource's own rules, in words."""
    typed = {name: duration_words(parse_duration(own[name])) for name in DURATIONS if name in own}
    typed |= {name: "yes" if own[name] else "no" for name in CHOICES if name in own}
    typed["required_certification"] = own.get("required_certification", "")
    hours = own.get("opening_hours")
    typed["opening_hours"] = "set" if hours is not None else "inherit"
    for day in WEEKDAYS:
        typed[f"hours_{day}"] = ", ".join((hours or {}).get(day, []))
    return typed


def _own_from(
    form: dict[str, str], kept: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The resource's own rules from the form (kept: those the form does not edit)."""
    own = {k: v for k, v in kept.items() if k not in EDITED}
    errors: dict[str, list[str]] = {}
    for name in DURATIONS:
        if text := form.get(name, "").strip():
            try:
                own[name] = format_duration(parse_spoken_duration(text))
            except DurationError as error:
                errors[name] = [str(error)]
    for name in CHOICES:
        if form.get(name) in ("yes", "no"):
            own[name] = form[name] == "yes"
    if code := form.get("required_certification", "").strip():
        own["required_certification"] = code
    if form.get("opening_hours") == "set":
        own["opening_hours"] = {
            day: [r.strip().replace(" ", "") for r in form.get(f"hours_{day}", "").split(",")
                  if r.strip()]
            for day in WEEKDAYS
        }  # fmt: skip
    try:
        read_form(RulesSchema(), own)
    except InvalidFieldsError as refused:
        for name, said in refused.extra["errors"].items():
            errors.setdefault(name, []).append(" ".join(said))
    return own, errors


def _page(resource: Resource, typed: dict[str, str], errors: dict[str, list[str]],
          affected: list[catalogue.Affected] | None = None) -> str:  # fmt: skip
    return render_template(
        "staff/rules_edit.html", resource=resource, rules=catalogue.describe_rules(resource),
        said=rules_in_words(catalogue.rules_of(resource)), typed=typed, errors=errors,
        affected=affected, weekdays=WEEKDAYS,
        durations=DURATIONS, choices=CHOICES,
    )  # fmt: skip


@blp.route("/resources/<int:resource_id>/rules", methods=["GET", "POST"])
@for_those_who_can("manage_catalogue")
def edit_rules(resource_id: int) -> BaseResponse | str | tuple[str, int]:
    """The form; "Preview" lists what the change would refuse, "Save" saves it."""
    resource = or_404(catalogue.get_resource, resource_id)
    if request.method == "GET":
        return _page(resource, typed_from(dict(resource.rules or {})), {})
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    own, errors = _own_from(typed, dict(resource.rules or {}))
    if errors:
        return _page(resource, typed, errors), 422
    if request.form.get("action") == "preview":
        return _page(resource, typed, {}, catalogue.preview_rules(me(), resource.id, own, now()))
    try:
        catalogue.set_rules(me(), resource.id, own, now())
    except DomainError as refused:
        return _page(resource, typed, {"form": [in_words(refused)]}), refused.status
    flash(f"Saved the rules of {resource.name}.")
    return redirect(url_for("staff.resource_rules", resource_id=resource.id))
