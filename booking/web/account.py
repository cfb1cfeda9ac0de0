"""One's own account in the pages: who one is, changing one's password, and setting a
forgotten one through a link by e-mail (which answers alike for every address)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now
from booking.errors import InvalidFieldsError
from booking.models import User
from booking.services import people
from booking.web.blueprint import blp, or_404
from booking.web.session import me, remember, same_site, signed_in

#: Said after asking for a link, whether or not the address is known.
LINK_SENT = (
    "If that address has an account, we have sent it a link to set a new password. "
    "It works once, for an hour. Check your junk folder if it has not come in a few minutes."
)


def _new_password(errors: dict[str, list[str]]) -> str:
    """The new password typed twice, or a problem under ``new``/``again``."""
    new, again = request.form.get("new", ""), request.form.get("again", "")
    if new != again:
        errors.setdefault("again", []).append("The two passwords are not the same.")
    return new


def _account_page(user: User, errors: dict[str, list[str]], new_token: str | None = None) -> str:
    return render_template(
        "account.html", person=user, errors=errors, tokens=people.tokens_of(user),
        new_token=new_token,
    )  # fmt: skip


@blp.post("/account/tokens")
@signed_in
def new_token() -> str:
    """A new API token for oneself, shown this once on the page."""
    user = me()
    _, raw = people.issue_token(user, user.id, now())
    return _account_page(user, {}, new_token=raw)


@blp.post("/account/tokens/<int:token_id>/revoke")
@signed_in
def revoke_token(token_id: int) -> BaseResponse:
    or_404(people.revoke_token, me(), token_id, now())
    flash("Revoked: that token no longer works.")
    return redirect(same_site(request.form.get("back"), url_for("web.account")))


@blp.post("/account/name")
@signed_in
def rename() -> BaseResponse | tuple[str, int]:
    """Change one's own name."""
    try:
        user = people.rename_self(me().id, request.form.get("name", ""))
    except InvalidFieldsError as refused:
        return _account_page(me(), refused.extra["errors"]), 422
    flash(f"Saved: you are {user.name}.")
    return redirect(url_for("web.account"))


@blp.route("/account", methods=["GET", "POST"])
@signed_in
def account() -> BaseResponse | str | tuple[str, int]:
    """Who one is, and the form to change one's password."""
    user = me()
    if request.method == "GET":
        return _account_page(user, {})
    errors: dict[str, list[str]] = {}
    new = _new_password(errors)
    if not errors:
        try:
            user = people.change_password(user.id, request.form.get("current", ""), new)
        except InvalidFieldsError as refused:
            errors = refused.extra["errors"]
    if errors:
        return _account_page(user, errors), 422
    remember(user)  # this browser stays signed in; every other one is signed out
    flash("Your password is changed. Other browsers signed in as you are signed out.")
    return redirect(url_for("web.account"))


@blp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> str | tuple[str, int]:
    """Ask for a link to set a new password."""
    if request.method == "GET":
        return render_template("forgot_password.html", error=None)
    email = request.form.get("email", "").strip()
    if "@" not in email or len(email) > 320:
        page = render_template("forgot_password.html", error="Give your e-mail address.")
        return page, 422
    people.request_reset(email, now())
    return render_template("forgot_password.html", sent=LINK_SENT, error=None)


@blp.route("/reset-password/<secret>", methods=["GET", "POST"])
def reset_password(secret: str) -> BaseResponse | str | tuple[str, int]:
    """Set a password with a link from an e-mail: once, while it lasts."""
    if len(secret) > 100:
        abort(404)
    try:
        person = people.check_reset_link(secret, now())
    except people.ResetLinkError as refused:
        return render_template("reset_password.html", gone=refused.detail, errors={}), 410
    if request.method == "GET":
        return render_template("reset_password.html", person=person, errors={})
    errors: dict[str, list[str]] = {}
    new = _new_password(errors)
    if not errors:
        try:
            people.reset_password(secret, new, now())
        except InvalidFieldsError as refused:
            errors = {"new": refused.extra["errors"]["password"]}
        except people.ResetLinkError as refused:
            return render_template("reset_password.html", gone=refused.detail, errors={}), 410
    if errors:
        return render_template("reset_password.html", person=person, errors=errors), 422
    flash("Your password is set. Sign in with it.")
    return redirect(url_for("web.sign_in"))
