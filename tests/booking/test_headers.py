"""Security headers on every answer: a Content-Security-Policy with no inline script,
nosniff, no framing, a referrer kept on the site, and HSTS over https only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from booking.extensions import close_databases
from tests.booking.test_displays import policy
from tests.booking.test_web_hardening import signed_in_client
from tests.conftest import Factory, app_for

TEMPLATES = Path(__file__).resolve().parents[2] / "booking" / "templates"
PAGES = ("/sign-in", "/find", "/bookings", "/reception", "/healthz", "/api/v1/resources")


def test_pages_may_run_only_the_sites_own_script_files(app, make: Factory):
    staff = make.user(role="admin", tenant=None)
    client = signed_in_client(app, staff.id)
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == (401 if path.startswith("/api/") else 200), path
        found = policy(answer)
        assert found["script-src"] == "'self'", path  # no 'unsafe-inline', no other site
        assert found["default-src"] == "'self'"
        assert found["object-src"] == "'none'" and found["base-uri"] == "'none'"
        assert found["form-action"] == "'self'" and found["frame-ancestors"] == "'none'"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in answer.headers  # plain http


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_holds_inline_script(template: Path):
    text = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag, f"{template.name}: inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), f"{template.name}: an on… handler attribute"
    assert "javascript:" not in text


def test_https_answers_carry_hsts(app):
    answer = app.test_client().get("/sign-in", base_url="https://localhost")
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(("proxies", "expected"), [(0, False), (1, True)])
def test_behind_a_proxy_its_scheme_counts_only_when_configured(database_url, proxies, expected):
    app = app_for(database_url, SITE_PROXIES=proxies)
    answer = app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    with app.app_context():
        close_databases()
    assert ("Strict-Transport-Security" in answer.headers) is expected
