"""Admins' pages for the people and organisations of the centre: editing a person (name,
role, organisation, deactivation) and the tenants (name, sector, rate tier). What is
typed is checked by the API's own schemas, and refused field by field in place."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.access import ROLES
from booking.clock import now
from booking.errors import DomainError, InvalidFieldsError
from booking.models import SECTORS, User
from booking.schemas.people import TenantPatchSchema, TenantSchema, UserPatchSchema
from booking.services import people
from booking.web.blueprint import in_words, or_404
from booking.web.forms import read_form
from booking.web.session import for_those_who_can, me
from booking.web.staff import blp


def _refusal(refused: DomainError) -> dict[str, list[str]]:
    if isinstance(refused, InvalidFieldsError):
        return dict(refused.extra["errors"])
    return {"form": [in_words(refused)]}


def _person(person: User, errors: dict[str, list[str]], new_token: str | None = None) -> str:
    return render_template(
        "staff/person.html", person=person, tenants=people.list_tenants(me()), roles=ROLES,
        errors=errors, tokens=people.tokens_of(person), new_token=new_token,
    )  # fmt: skip


@blp.post("/people/<int:user_id>/tokens")
@for_those_who_can("manage_people")
def person_token(user_id: int) -> str | tuple[str, int]:
    """A new API token for someone (an integration's account), shown this once."""
    try:
        person = people.get_user(user_id)
        _, raw = people.issue_token(me(), person.id, now())
    except DomainError as refused:
        if refused.status == 404:
            abort(404)
        return _person(people.get_user(user_id), _refusal(refused)), refused.status
    return _person(person, {}, new_token=raw)


@blp.route("/people/<int:user_id>", methods=["GET", "POST"])
@for_those_who_can("manage_people")
def person_page(user_id: int) -> BaseResponse | str | tuple[str, int]:
    """One person: name, role, organisation, and whether they may sign in."""
    person = or_404(people.get_user, user_id)
    if request.method == "GET":
        return _person(person, {})
    form = request.form
    typed = {"name": form.get("name", ""), "role": form.get("role", ""),
             "tenant_id": int(form["tenant_id"]) if form.get("tenant_id", "").isdigit() else None,
             "active": form.get("active") == "yes"}  # fmt: skip
    try:
        people.update_user(me(), person.id, read_form(UserPatchSchema(), typed), now())
    except DomainError as refused:
        return _person(person, _refusal(refused)), refused.status
    flash(f"Saved: {typed['name']}.")
    return redirect(url_for("staff.people_page"))


@blp.route("/tenants", methods=["GET", "POST"])
@for_those_who_can("manage_people")
def tenants_page() -> BaseResponse | str | tuple[str, int]:
    """The organisations, and adding one."""
    user = me()

    def page(errors: dict[str, list[str]], typed: dict[str, str]) -> str:
        return render_template("staff/tenants.html", tenants=people.list_tenants(user),
                               sectors=SECTORS, errors=errors, typed=typed)  # fmt: skip

    if request.method == "GET":
        return page({}, {})
    typed = {k: request.form.get(k, "").strip() for k in ("name", "sector", "rate_tier")}
    try:
        made = people.create_tenant(user, now=now(), **read_form(TenantSchema(), typed))
    except DomainError as refused:
        return page(_refusal(refused), typed), refused.status
    flash(f"Added {made.name}.")
    return redirect(url_for("staff.tenants_page"))


@blp.post("/tenants/<int:tenant_id>")
@for_those_who_can("manage_people")
def tenant_change(tenant_id: int) -> BaseResponse | tuple[str, int]:
    """Rename an organisation or set its sector or rate tier."""
    typed = {k: request.form.get(k, "").strip() for k in ("name", "sector", "rate_tier")}
    try:
        people.update_tenant(me(), tenant_id, read_form(TenantPatchSchema(), typed))
    except DomainError as refused:
        if refused.status == 404:
            abort(404)
        flash(" ".join(m for ms in _refusal(refused).values() for m in ms))
    else:
        flash(f"Saved: {typed['name']}.")
    return redirect(url_for("staff.tenants_page"))
