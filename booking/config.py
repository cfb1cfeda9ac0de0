"""Configuration: defaults, then ``config.toml`` (or ``BOOKING_CONFIG``), then ``BOOKING_*``.

The TOML file has sections; ``[database] url`` becomes the Flask setting
``DATABASE_URL`` and is overridden by the environment variable ``BOOKING_DATABASE_URL``.
``[rules]`` is the site's default booking rules, as one table (``SITE_RULES``;
``BOOKING_SITE_RULES`` takes a TOML inline table).
Every key is known and typed: a typo or a wrong type stops start-up with a message
naming the file and the key, rather than being ignored.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import limits.storage
from limits import parse_many

from rules import RulesError, check_rules
from rules.durations import DurationError, parse_duration

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = PROJECT_ROOT / "config.toml"
ENV_PREFIX = "BOOKING_"

#: Every setting: its Flask name, its type and its default.
DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "Health and Wellbeing Innovation Centre",
    "SITE_TIMEZONE": "Europe/London",
    "SITE_URL": "",  # empty: feed URLs use the host the request came to
    # Host names requests may come to (besides [site] url's); any other Host is a 400,
    # so no link the service builds can point elsewhere.
    "SITE_HOSTS": ["localhost", "127.0.0.1"],
    # How many reverse proxies stand in front (each adds X-Forwarded-For/-Proto); 0 when
    # clients connect directly. Sign-in limits and HSTS read the address and scheme they give.
    "SITE_PROXIES": 0,
    "DATABASE_URL": "",  # empty: SQLite file in the instance folder
    "DATABASE_ECHO": False,
    "SECRET_KEY": "",
    "API_MAX_WINDOW_DAYS": 366,
    "API_PAGE_SIZE": 500,
    "BOOKINGS_HOLD_FOR": "PT15M",
    "WAITLIST_OFFER_FOR": "PT30M",
    "BOOKINGS_APPROVE_WITHIN": "P3D",
    "RECEPTION_CHECK_IN_FROM": "PT15M",
    "DISPLAYS_POLL": "PT15S",
    "VISITORS_KEEP_DAYS": 30,
    "DISPLAYS_FRAME_ANCESTORS": "*",
    "SCHEDULER_EVERY": "PT1M",
    "FEEDS_DAYS_BACK": 90,
    "FEEDS_DAYS_AHEAD": 548,
    "FEEDS_KEEP_CANCELLED_DAYS": 30,
    "FEEDS_REFRESH": "PT1H",
    "MAIL_BACKEND": "file",  # smtp, or file: .eml files under instance/mail
    "MAIL_HOST": "localhost",
    "MAIL_PORT": 25,
    "MAIL_TLS": "none",  # none, starttls or ssl
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "Health and Wellbeing Innovation Centre <bookings@hwic.example>",
    "MAIL_REMINDER_BEFORE": "PT24H",
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_TIMEOUT": 30,
    "MAIL_CONNECTIONS": 4,
    "LIMITS_API": "1200/minute",  # per API token
    "LIMITS_SIGN_IN": "10/minute",  # failed sign-ins per address
    "LIMITS_STORAGE": "memory://",  # per worker; redis://… holds across workers and hosts
    "SITE_RULES": {},
}

#: The settings whose value is one of a few words.
CHOICES = {"MAIL_BACKEND": ("smtp", "file"), "MAIL_TLS": ("none", "starttls", "ssl")}


#: Settings that are ISO 8601 durations.
DURATIONS = (
    "BOOKINGS_HOLD_FOR",
    "WAITLIST_OFFER_FOR",
    "BOOKINGS_APPROVE_WITHIN",
    "RECEPTION_CHECK_IN_FROM",
    "DISPLAYS_POLL",
    "SCHEDULER_EVERY",
    "FEEDS_REFRESH",
    "MAIL_REMINDER_BEFORE",
)


class ConfigError(SystemExit):
    """A configuration that cannot be used; stops start-up with its message."""

    def __init__(self, message: str) -> None:
        super().__init__(f"booking: configuration error: {message}")


def _flatten(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for section, values in data.items():
        if not isinstance(values, Mapping):
            raise ConfigError(f"{source}: [{section}] must be a table of settings")
        if section == "rules":
            flat["SITE_RULES"] = dict(values)
            continue
        for key, value in values.items():
            flat[f"{section}_{key}".upper()] = value
    return flat


def _check(settings: Mapping[str, Any], source: str) -> None:
    for key, value in settings.items():
        if key not in DEFAULTS:
            section, _, name = key.lower().partition("_")
            raise ConfigError(f"{source}: unknown setting '{name}' in [{section}]")
        expected = type(DEFAULTS[key])
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{source}: {key} must be {expected.__name__}, not {value!r}")


def read_file(path: Path) -> dict[str, Any]:
    """Settings from the TOML file at ``path``, checked against ``DEFAULTS``."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: no such file") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from error
    settings = _flatten(data, str(path))
    _check(settings, str(path))
    return settings


def _parse_env_value(key: str, raw: str) -> Any:
    expected = type(DEFAULTS[key])
    if expected is str:
        return raw
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"{ENV_PREFIX}{key}={raw!r} is not a valid {expected.__name__}"
        ) from error


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings from ``BOOKING_*`` variables that name a known setting."""
    settings = {
        key: _parse_env_value(key, environ[ENV_PREFIX + key])
        for key in DEFAULTS
        if ENV_PREFIX + key in environ
    }
    _check(settings, "environment")
    return settings


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The effective settings: defaults, then the config file, then the environment."""
    environ = os.environ if environ is None else environ
    path = Path(environ.get("BOOKING_CONFIG") or DEFAULT_FILE)
    settings = dict(DEFAULTS)
    if path.exists() or "BOOKING_CONFIG" in environ:
        settings.update(read_file(path))
    settings.update(read_environment(environ))
    try:
        ZoneInfo(settings["SITE_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"unknown time zone {settings['SITE_TIMEZONE']!r}") from error
    check_site_rules(settings["SITE_RULES"])
    for key in DURATIONS:
        section, _, name = key.lower().partition("_")
        try:
            length = parse_duration(settings[key])
        except DurationError as error:
            raise ConfigError(f"[{section}] {name}: {error}") from error
        if key in ("SCHEDULER_EVERY", "FEEDS_REFRESH") and length < timedelta(seconds=1):
            raise ConfigError(f"[{section}] {name}: must be at least a second")
    for key, allowed in CHOICES.items():
        if settings[key] not in allowed:
            section, _, name = key.lower().partition("_")
            raise ConfigError(f"[{section}] {name}: must be one of {', '.join(allowed)}")
    for key, low, high in (
        ("MAIL_MAX_ATTEMPTS", 1, 100),
        ("MAIL_TIMEOUT", 1, 600),
        ("MAIL_CONNECTIONS", 1, 32),
    ):
        if not low <= settings[key] <= high:
            section, _, name = key.lower().partition("_")
            raise ConfigError(f"[{section}] {name}: must be a whole number from {low} to {high}")
    _check_limits(settings)
    for key in ("FEEDS_DAYS_BACK", "FEEDS_DAYS_AHEAD", "FEEDS_KEEP_CANCELLED_DAYS"):
        if not 0 <= settings[key] <= 3660:
            section, _, name = key.lower().partition("_")
            raise ConfigError(f"[{section}] {name}: must be a number of days from 0 to 3660")
    return settings


def _check_limits(settings: Mapping[str, Any]) -> None:
    """The rate limits are rates Flask-Limiter reads, kept where it can keep them, and
    the proxies trusted for the client's address a plausible number."""
    for key in ("LIMITS_API", "LIMITS_SIGN_IN"):
        try:
            rates = parse_many(settings[key])
        except ValueError:
            rates = []
        if not rates:
            raise ConfigError(
                f"[limits] {key[7:].lower()}: {settings[key]!r} is not a rate such as '10/minute'"
            )
    if urlsplit(settings["LIMITS_STORAGE"]).scheme not in getattr(limits.storage, "SCHEMES", ()):
        raise ConfigError(
            f"[limits] storage: {settings['LIMITS_STORAGE']!r} is not a storage Flask-Limiter "
            "knows (memory://, redis://host:port, …)"
        )
    if not 0 <= settings["SITE_PROXIES"] <= 5:
        raise ConfigError("[site] proxies: must be a whole number from 0 to 5")


def check_site_rules(rules: Mapping[str, Any]) -> None:
    """Stop start-up when the site's default rules are not valid rules."""
    try:
        check_rules(rules)
    except RulesError as error:
        raise ConfigError(f"[rules]: {error}") from error
