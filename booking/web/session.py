"""Who is signed in to the web pages, kept in the signed session cookie."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, session, url_for

from booking.access import Capability, can
from booking.extensions import db
from booking.models import User
from booking.services import people

F = TypeVar("F", bound=Callable[..., Any])


def signed_in_user() -> User | None:
    """The user signed in to this browser, if any: a session that signing out or a new
    password has ended (its version is behind the user's) signs in nobody."""
    if "user" not in g:
        user_id = session.get("user_id")
        user = db.session.get(User, user_id) if isinstance(user_id, int) else None
        if user is not None and session.get("version") != user.session_version:
            session.clear()
            user = None
        g.user = user
    return cast(User | None, g.user)


def remember(user: User) -> None:
    """Sign ``user`` in: a fresh session holding only their id and session version."""
    session.clear()
    session["user_id"] = user.id
    session["version"] = user.session_version
    g.user = user


def forget() -> None:
    """Sign out: every session of the signed-in user ends, copies of the cookie too."""
    user = signed_in_user()
    if user is not None:
        people.end_sessions(user.id)
    session.clear()
    g.user = None


def signed_in(view: F) -> F:
    """Send people who are not signed in to the sign-in page, then back here."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if signed_in_user() is None:
            return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def for_those_who_can(capability: Capability) -> Callable[[F], F]:
    """Only signed-in people who may ``capability``; anyone else gets a 403 page."""

    def decorate(view: F) -> F:
        @wraps(view)
        @signed_in
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = signed_in_user()
            if not can(user, capability):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def me() -> User:
    """The signed-in user, in a view that requires one."""
    user = signed_in_user()
    assert user is not None
    return user


def register_session(app: Flask) -> None:
    """Make the signed-in user available to every template."""

    @app.context_processor
    def user_in_templates() -> dict[str, Any]:
        return {"user": signed_in_user(), "can": can}


def same_site(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback``: where a form may send
    people next (``next``, ``back``) without becoming a way off the site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target.replace("\\", "/"))
        if not parts.netloc and not parts.scheme and not any(ord(c) < 32 for c in target):
            return target
    return fallback
