"""The headers every answer carries to protect the pages: what a page may load and run,
who may frame it, what a browser may guess, where addresses may leak, and https."""

from __future__ import annotations

from flask import Response, request

#: What a page may load: scripts, styles, images and connections from this site only, no
#: inline script (every script is a file in static/), no plugins, no <base>, forms posted
#: only here. Style attributes are allowed (a timeline's positions are data).
CONTENT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
#: How long browsers keep to https once they have seen it (a year).
HSTS = "max-age=31536000"


def content_policy(ancestors: str = "'none'") -> str:
    """The Content-Security-Policy of a page that may be framed by ``ancestors``."""
    return CONTENT_POLICY.format(ancestors=ancestors)


def protective_headers(response: Response) -> Response:
    """No page may be framed (display pages set their own ``frame-ancestors``), run inline
    script or load from elsewhere; no answer is read as another type than it says; no
    address leaks to other sites; over https, browsers are told to stay on it."""
    response.headers.setdefault("Content-Security-Policy", content_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
