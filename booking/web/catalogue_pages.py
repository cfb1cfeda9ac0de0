"""The catalogue in the pages (facility managers and admins): adding a resource anywhere
in the building's tree, and changing one: renaming, moving (checked for clashes as the
API checks it), resizing, its features, and retiring it (no new bookings; its bookings and
history stay). What is typed is loaded by the API's own schemas."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now
from booking.errors import DomainError, InvalidFieldsError
from booking.models import KINDS
from booking.schemas.resources import ResourcePatchSchema, ResourceSchema
from booking.services import catalogue
from booking.services.catalogue import ResourceFilter
from booking.web.blueprint import in_words, local_time, or_404
from booking.web.forms import read_form
from booking.web.session import for_those_who_can, me
from booking.web.staff import blp

FIELDS = ("name", "kind", "parent_id", "capacity", "quantity", "features", "bookable")


def _typed() -> dict[str, Any]:
    """The resource form as the API's schema takes it (numbers, a list of features)."""
    form = request.form
    typed: dict[str, Any] = {k: form.get(k, "").strip() for k in ("name", "kind")}
    for number in ("parent_id", "capacity", "quantity"):
        value = form.get(number, "").strip()
        typed[number] = int(value) if value.isdigit() else (value or None)
    typed["quantity"] = typed["quantity"] or 1
    typed["features"] = [f.strip() for f in form.get("features", "").split(",") if f.strip()]
    typed["bookable"] = form.get("bookable") == "yes"
    return typed


def _refused(refused: DomainError) -> dict[str, list[str]]:
    if isinstance(refused, InvalidFieldsError):
        return dict(refused.extra["errors"])
    names = catalogue.resource_names()
    clashes = [
        f"{names.get(c['resource_id'], 'A resource')} is booked {local_time(c['start'])}–"
        f"{local_time(c['end'], 'time')}"
        for c in refused.extra.get("conflicts", [])[:5]
    ]
    return {"form": [in_words(refused), *clashes]}


def _tree() -> list[Any]:
    return catalogue.list_resources(me(), ResourceFilter())


@blp.post("/resources")
@for_those_who_can("manage_catalogue")
def add_resource() -> BaseResponse | tuple[str, int]:
    """Add a resource where the form says, bookable or not."""
    typed = _typed()
    try:
        made = catalogue.create_resource(me(), read_form(ResourceSchema(), typed), now())
    except DomainError as refused:
        page = render_template("staff/resources.html", resources=_tree(), kinds=KINDS,
                               errors=_refused(refused), typed=typed)  # fmt: skip
        return page, refused.status
    flash(f"Added {made.name}.")
    return redirect(url_for("staff.resource_list"))


@blp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@for_those_who_can("manage_catalogue")
def edit_resource(resource_id: int) -> BaseResponse | str | tuple[str, int]:
    """Change a resource: name, place in the tree, size, features; retire it."""
    resource = or_404(catalogue.get_resource, resource_id)
    places = [r for r in _tree() if f"/{resource.id}/" not in r.path]
    if request.method == "GET":
        return render_template("staff/resource_edit.html", resource=resource, places=places,
                               errors={})  # fmt: skip
    typed = _typed()
    typed.pop("kind")
    try:
        changes = read_form(ResourcePatchSchema(partial=True), typed)
        catalogue.update_resource(me(), resource.id, changes, now())
    except DomainError as refused:
        page = render_template("staff/resource_edit.html", resource=resource, places=places,
                               errors=_refused(refused))  # fmt: skip
        return page, refused.status
    flash(f"Saved {typed['name']}.")
    return redirect(url_for("staff.resource_list"))
