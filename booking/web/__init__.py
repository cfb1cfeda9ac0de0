"""The web pages: server-rendered (Jinja) on the same services as the API.

Signed-in people are kept in Flask's signed session cookie (HttpOnly, SameSite=Lax, and
Secure when the site's address, ``[site] url``, is https). Every form carries a CSRF
token (Flask-WTF); the API, authenticated by bearer tokens, is exempt.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect

from booking.web import (  # noqa: F401 - their views join blp
    account,
    auditing,
    calendar_pages,
    catalogue_pages,
    changing,
    door,
    finding,
    my_bookings,
    notifications,
    organisations,
    people_pages,
    reception,
    reports,
    rules_editor,
    screens,
    signing_in,
    staff,
    statements,
    team,
    training,
    visits,
    waiting,
    wall,
)
from booking.web.blueprint import blp
from booking.web.headers import protective_headers
from booking.web.session import register_session

csrf = CSRFProtect()


def init_app(app: Flask, api_blueprints: list[Blueprint]) -> None:
    """Register the pages, the session cookie's settings and CSRF protection."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = str(app.config["SITE_URL"]).startswith("https://")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    csrf.init_app(app)
    for blueprint in api_blueprints:
        csrf.exempt(blueprint)
    csrf.exempt(notifications.unsubscribing)  # mail apps post it without a session
    register_session(app)
    app.register_blueprint(blp)
    app.register_blueprint(reception.blp)
    app.register_blueprint(staff.blp)
    app.register_blueprint(reports.blp)
    app.register_blueprint(notifications.unsubscribing)
    app.register_blueprint(screens.blp)
    app.after_request(protective_headers)
