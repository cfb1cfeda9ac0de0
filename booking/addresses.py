"""The site's own addresses as people outside it reach them (feeds, displays, QR codes)."""

from __future__ import annotations

from flask import current_app, request


def public_url(path: str) -> str:
    """``path`` on this site: under ``[site] url`` when set, else the host the request
    came to (itself one of ``[site] hosts``)."""
    base = str(current_app.config["SITE_URL"]).rstrip("/") or request.host_url.rstrip("/")
    return base + path
