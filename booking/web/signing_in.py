"""Signing in and out of the web pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.access import can
from booking.clock import now
from booking.models import User
from booking.services import people
from booking.web.blueprint import blp
from booking.web.session import forget, remember, same_site, signed_in_user


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, or "" for one's own start."""
    return same_site(target, "")


def start_page(user: User) -> str:
    """Where a person starts their day: the front desk's board for those who run it and
    not the catalogue (reception); finding and booking for everyone else."""
    if can(user, "run_reception") and not can(user, "manage_catalogue"):
        return url_for("reception.board")
    return url_for("web.find")


@blp.get("/")
def home() -> BaseResponse:
    user = signed_in_user()
    return redirect(start_page(user) if user else url_for("web.sign_in"))


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> BaseResponse | tuple[str, int] | str:
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("sign_in.html", next=target, email="", error=None)
    email = request.form.get("email", "")
    try:
        user = people.sign_in(email, request.form.get("password", ""), now())
    except (people.SignInRefusedError, people.TooManyAttemptsError) as refused:
        page = render_template("sign_in.html", next=target, email=email, error=refused.detail)
        return page, refused.status
    remember(user)
    return redirect(target or start_page(user))


@blp.post("/sign-out")
def sign_out() -> BaseResponse:
    forget()
    flash("You are signed out.")
    return redirect(url_for("web.sign_in"))
