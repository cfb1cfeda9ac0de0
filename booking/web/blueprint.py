"""The pages' blueprint, what templates use to show times, and the error pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, render_template, request

from booking.errors import DomainError, problem
from booking.services.catalogue import site_zone

blp = Blueprint("web", __name__)
T = TypeVar("T")


@blp.app_template_filter("local")
def local_time(moment: datetime, style: str = "full") -> str:
    """An instant as people read it here: ``Tue 1 Dec 2026, 09:00`` (or just the time)."""
    shown = moment.astimezone(site_zone())
    if style == "time":
        return shown.strftime("%H:%M")
    if style == "date":
        return shown.strftime("%a %-d %b %Y")
    return shown.strftime("%a %-d %b %Y, %H:%M")


@blp.app_template_filter("pounds")
def pounds(pence: int) -> str:
    """Whole pence as people read money: ``£1,234.50``, ``−£12.00``."""
    sign = "−" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


@blp.app_template_filter("words")
def words(code: str) -> str:
    return code.replace("_", " ")


def in_words(refused: DomainError) -> str:
    """A refusal in the words it gives people: the rules' own messages when rules
    refused, what is wrong with each field, else its detail."""
    violations = [v["message"] for v in refused.extra.get("violations") or []]
    fields = [m for ms in (refused.extra.get("errors") or {}).values() for m in ms]
    return " ".join(violations + fields) or refused.detail


@blp.app_errorhandler(403)
def forbidden(error: Exception) -> Response | tuple[str, int]:
    if request.path.startswith("/api/"):
        return problem(403, "forbidden", "Not allowed", "Not allowed.")
    return render_template(
        "error.html", title="Not for you", message="This page is for the centre's staff."
    ), 403


@blp.app_errorhandler(404)
def not_found(error: Exception) -> Response | tuple[str, int]:
    if request.path.startswith("/api/"):
        return problem(404, "not_found", "Not found", "No such address.")
    return render_template("error.html", title="Not found", message="There is no such page."), 404


def or_404(read: Callable[..., T], *args: Any) -> T:
    """What ``read(*args)`` gives, or the "no such page" page for any refusal: a page never
    tells apart what does not exist from what the visitor may not see."""
    try:
        return read(*args)
    except DomainError:
        abort(404)
