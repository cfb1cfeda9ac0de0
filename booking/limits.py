"""Rate limits (Flask-Limiter): the API per token and signing in per address.

``[limits] api`` (default ``1200/minute``) counts every request that carries a bearer
token, keyed by the token's digest (never the token). ``[limits] sign_in`` (default
``10/minute``) counts the failed sign-ins from one address: a correct password never
uses up the allowance, but once it is spent even a correct one waits. Over a limit the
API answers 429 problem+json (code ``rate_limited``) and the sign-in page says so in
words; both send ``Retry-After`` in seconds.

``[limits] storage`` is ``memory://`` by default: each worker process counts on its own,
so with N workers a client can make up to N times the limit. A shared store
(``redis://host:6379``, with the ``redis`` package installed) makes the limits hold
across every worker and host of a deployment.

Each application gets its own limiter, so two apps in one process (tests) never share
counts.
"""

from __future__ import annotations

import math
import time
from typing import Any, cast

from flask import Flask, Response, current_app, render_template, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from booking.errors import problem
from booking.services.people import digest
from booking.web import signing_in

#: The page whose failed posts count against ``[limits] sign_in``.
SIGN_IN = "web.sign_in"
#: Asking for a password link, which counts every post against ``[limits] sign_in`` (from
#: its own allowance, shared by the page and the API).
PASSWORD_LINKS = ("web.forgot_password", "people.ask_for_password_reset")
#: The machine-readable code of a 429.
CODE = "rate_limited"


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _by_token() -> str:
    token = _bearer()
    return f"token:{digest(token)}" if token else "anonymous"


def _by_address() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def _signed_in(response: Response) -> bool:
    return response.status_code < 400


def retry_after(limiter: Limiter) -> int:
    """Whole seconds until the breached limit lets a request through again (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 1
    reset, _ = current.window  # when the oldest counted request leaves the window
    return min(current.limit.get_expiry(), max(1, math.ceil(reset - time.time())))


def _limiter() -> Limiter:
    limiter: Limiter = current_app.extensions["booking_limiter"]
    return limiter


def _refused(error: RateLimitExceeded) -> Response:
    wait = retry_after(_limiter())
    if request.endpoint == PASSWORD_LINKS[0]:
        page = render_template(
            "forgot_password.html",
            error=f"Too many requests from this address. Try again in {wait} seconds.",
        )
        response = current_app.response_class(page, status=429, mimetype="text/html")
    elif request.endpoint == SIGN_IN:
        message = (
            "Too many failed sign-ins from this address. "
            f"Try again in {wait} second{'s' if wait != 1 else ''}."
        )
        page = render_template(
            "sign_in.html",
            next=request.values.get("next", ""),
            email=request.form.get("email", ""),
            error=message,
        )
        response = current_app.response_class(page, status=429, mimetype="text/html")
    else:
        response = problem(
            429,
            CODE,
            "Too many requests",
            f"{'This address' if _bearer() is None else 'This API token'} has used its "
            f"allowance ({error.limit.limit}); try again in {wait} "
            f"second{'s' if wait != 1 else ''}. Nothing was changed.",
            retry_after=wait,
        )
    response.headers["Retry-After"] = str(wait)
    return response


def init_app(app: Flask) -> None:
    """Give ``app`` its limiter; call after the pages are registered."""
    limiter = Limiter(
        _by_token,
        app=app,
        # one allowance per token across every endpoint (default limits count per route)
        application_limits=[app.config["LIMITS_API"]],
        application_limits_exempt_when=lambda: _bearer() is None,
        storage_uri=app.config["LIMITS_STORAGE"],
        strategy="moving-window",
        headers_enabled=False,
        key_prefix="booking",
    )
    app.extensions["booking_limiter"] = limiter
    failed_sign_ins = limiter.limit(
        app.config["LIMITS_SIGN_IN"],
        key_func=_by_address,
        methods=["POST"],
        deduct_when=lambda response: not _signed_in(response),
    )
    app.view_functions[SIGN_IN] = failed_sign_ins(signing_in.sign_in)
    asking = limiter.shared_limit(
        app.config["LIMITS_SIGN_IN"], scope="password_links", key_func=_by_address,
        methods=["POST"],
    )  # fmt: skip
    for endpoint in PASSWORD_LINKS:
        app.view_functions[endpoint] = cast(Any, asking(app.view_functions[endpoint]))
    app.register_error_handler(RateLimitExceeded, _refused)
