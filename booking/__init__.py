"""The HWIC booking service: rooms, labs, desks and instruments of the Health and
Wellbeing Innovation Centre, booked without ever booking anything twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from booking import api, cli, edge, errors, limits, logs, web
from booking.config import check_site_rules, load_settings
from booking.database import engine_options, is_migrated_object, polls_binds
from booking.extensions import db, migrate

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides every other source (for tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_settings())
    if config:
        app.config.update(config)
        check_site_rules(app.config["SITE_RULES"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'booking.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["DATABASE_URL"])
    app.config["SQLALCHEMY_BINDS"] = polls_binds(app.config["DATABASE_URL"])
    app.config["SQLALCHEMY_ECHO"] = app.config["DATABASE_ECHO"]
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["SITE_HOSTS"], app.config["SITE_URL"])
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    if proxies := app.config["SITE_PROXIES"]:
        # the client's address and scheme as the proxies in front report them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=MIGRATIONS,
        render_as_batch=True,
        compare_type=True,
        include_name=is_migrated_object,
    )
    logs.init_app(app)
    edge.init_app(app)
    api.init_app(app)
    errors.init_app(app)
    web.init_app(app, list(api.BLUEPRINTS))
    limits.init_app(app)
    cli.init_app(app)
    return app


def trusted_hosts(hosts: list[str], site_url: str) -> list[str]:
    """The host names requests may come to: ``[site] hosts`` and ``[site] url``'s."""
    named = urlsplit(site_url).hostname if site_url else None
    return [*hosts, *([named] if named else [])]


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in the instance folder, made on first start."""
    import secrets

    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
