"""The people pages: an admin's list of everyone, inviting someone new, and each person's
data exported or erased; and anyone's own data, downloaded from their account page."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.access import ROLES
from booking.clock import now
from booking.errors import DomainError, InvalidFieldsError
from booking.responses import json_response
from booking.services import people
from booking.web.blueprint import blp as pages
from booking.web.blueprint import in_words, or_404
from booking.web.session import for_those_who_can, me, signed_in
from booking.web.staff import blp


def _download(user_id: int) -> Response:
    data = or_404(people.export_person, me(), user_id, now())
    answer = json_response(data)
    answer.headers["Content-Disposition"] = f'attachment; filename="personal-data-{user_id}.json"'
    return answer


@pages.get("/account/data.json")
@signed_in
def my_data() -> Response:
    """Everything held about oneself, as a JSON file."""
    return _download(me().id)


def _page(errors: dict[str, list[str]] | None = None, typed: dict[str, str] | None = None) -> str:
    user = me()
    return render_template(
        "staff/people.html",
        everyone=people.list_users(user),
        tenants=people.list_tenants(user),
        roles=ROLES,
        errors=errors or {},
        typed=typed or {},
    )


@blp.route("/people", methods=["GET", "POST"])
@for_those_who_can("manage_people")
def people_page() -> BaseResponse | str | tuple[str, int]:
    """Everyone, and the form that invites someone new (they are mailed a link)."""
    if request.method == "GET":
        return _page()
    typed = {k: request.form.get(k, "").strip() for k in ("email", "name", "role", "tenant_id")}
    tenant = int(typed["tenant_id"]) if typed["tenant_id"].isdigit() else None
    try:
        if "@" not in typed["email"] or not typed["name"] or typed["role"] not in ROLES:
            raise InvalidFieldsError({"email": ["Give an e-mail address, a name and a role."]})
        made = people.create_user(me(), typed["email"], typed["name"], typed["role"], tenant, now())
    except InvalidFieldsError as refused:
        return _page(refused.extra["errors"], typed), 422
    except DomainError as refused:
        return _page({"email": [in_words(refused)]}, typed), refused.status
    flash(f"{made.name} is invited: we have e-mailed {made.email} a link to choose a password.")
    return redirect(url_for("staff.people_page"))


@blp.get("/people/<int:user_id>/data.json")
@for_those_who_can("manage_people")
def person_data(user_id: int) -> Response:
    return _download(user_id)


@blp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@for_those_who_can("manage_people")
def erase(user_id: int) -> BaseResponse | str:
    """Ask first; then pseudonymise the person, keeping their bookings for the accounts."""
    person = or_404(people.get_user, user_id)
    if request.method == "GET":
        return render_template("staff/erase.html", person=person)
    try:
        people.erase_person(me(), user_id, now())
        flash(f"Erased: the account is now “Erased user {user_id}”.")
    except DomainError as refused:
        flash(in_words(refused))
    return redirect(url_for("staff.people_page"))
