"""Configuration: defaults, then the file, then the environment; bad files stop start-up."""

from pathlib import Path

import pytest

from booking import create_app
from booking.config import ConfigError, load_settings


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def test_defaults_work_without_any_file(tmp_path: Path):
    settings = load_settings({"BOOKING_CONFIG": write(tmp_path, "")})
    assert settings["SITE_TIMEZONE"] == "Europe/London"
    assert settings["DATABASE_URL"] == ""


def test_file_then_environment(tmp_path: Path):
    path = write(tmp_path, '[database]\nurl = "sqlite:////tmp/a.db"\n[api]\npage_size = 50\n')
    settings = load_settings(
        {"BOOKING_CONFIG": path, "BOOKING_DATABASE_URL": "sqlite:////tmp/b.db"}
    )
    assert settings["DATABASE_URL"] == "sqlite:////tmp/b.db"
    assert settings["API_PAGE_SIZE"] == 50
    assert (
        load_settings({"BOOKING_CONFIG": path, "BOOKING_API_PAGE_SIZE": "75"})["API_PAGE_SIZE"]
        == 75
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[database\nurl = 1", "not valid TOML"),
        ('[database]\nulr = "x"', "unknown setting 'ulr' in [database]"),
        ("[database]\nurl = 5", "DATABASE_URL must be str"),
        ('[site]\ntimezone = "Mars/Olympus"', "unknown time zone"),
        ('database = "x"', "must be a table"),
        ('[rules]\nslot = "half an hour"', "[rules]: slot"),
        ('[rules]\nopening_hours = {mon = ["18:00-08:00"]}', "ends before it starts"),
        ('[rules]\ncolour = "blue"', "unknown rule 'colour'"),
    ],
)
def test_bad_file_stops_start_up_with_a_clear_message(tmp_path: Path, monkeypatch, text, message):
    monkeypatch.setenv("BOOKING_CONFIG", write(tmp_path, text))
    with pytest.raises(ConfigError, match="configuration error") as raised:
        create_app()
    assert message in str(raised.value.code)


def test_missing_named_file_is_an_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="no such file"):
        load_settings({"BOOKING_CONFIG": str(tmp_path / "nope.toml")})


def test_bad_environment_value_is_an_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="BOOKING_API_PAGE_SIZE"):
        load_settings({"BOOKING_CONFIG": write(tmp_path, ""), "BOOKING_API_PAGE_SIZE": "lots"})


def test_shipped_config_file_is_valid():
    settings = load_settings({})
    assert settings["SITE_NAME"] == "Health and Wellbeing Innovation Centre"


def test_site_rules_come_from_the_file_and_the_environment(tmp_path: Path):
    path = write(tmp_path, '[rules]\nmax_advance = "P90D"\nslot = "PT15M"\n')
    assert load_settings({"BOOKING_CONFIG": path})["SITE_RULES"] == {
        "max_advance": "P90D",
        "slot": "PT15M",
    }
    from_env = load_settings(
        {"BOOKING_CONFIG": path, "BOOKING_SITE_RULES": '{min_notice = "PT1H"}'}
    )
    assert from_env["SITE_RULES"] == {"min_notice": "PT1H"}
    assert load_settings({})["SITE_RULES"]["max_advance"] == "P365D"  # the shipped defaults
