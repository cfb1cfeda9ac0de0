"""Command-line interface: ``flask --app booking <command>``; each a thin wrapper."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from booking import jobs as background
from booking import seeding, seeding_history
from booking.clock import now
from booking.errors import DomainError
from booking.logs import PLAIN
from booking.models import ROLES
from booking.services import operations, people

users = AppGroup("users", help="Manage users.")
tokens = AppGroup("tokens", help="Manage API tokens.")
jobs = AppGroup("jobs", help="Run the background jobs by hand.")


def _fail(error: DomainError) -> click.ClickException:
    problems = getattr(error, "extra", {}).get("errors")
    return click.ClickException(f"{error.detail} {problems or ''}".strip())


@click.command("seed")
@with_appcontext
@click.option("--history/--no-history", default=True, help="The last 13 weeks of bookings too.")
def seed_command(history: bool) -> None:
    """Create the demo catalogue and demo users, and unless told not to the last 13 weeks
    of bookings the reports show (safe to run again: nothing is added twice)."""
    demo = seeding.seed_demo(current_app.config["SECRET_KEY"], now())
    past = seeding_history.seed_history(now()) if history else 0
    if past:
        click.echo(f"Wrote {past} past bookings of the last 13 weeks, for the reports.")
    click.echo(f"Seeded the demo catalogue and {len(demo)} demo users (password, API token):")
    for user in demo:
        click.echo(f"  {user.role:<17} {user.email:<34} {user.password}  {user.token}")


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--tenant", default=None, help="Tenant name; created if it does not exist.")
def create_user(email: str, name: str, role: str, tenant: str | None) -> None:
    """Create a user."""
    try:
        user = people.create_user_from_cli(email, name, role, tenant, now())
    except DomainError as error:
        raise _fail(error) from error
    click.echo(f"Created user {user.id} <{user.email}> as {user.role}.")


@users.command("set-password")
@click.argument("email")
def set_password(email: str) -> None:
    """Set EMAIL's password for the web pages (asked twice; read from standard input
    when piped)."""
    stdin = sys.stdin
    if stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:  # piped: the password and its repetition, one line each
        password, again = (stdin.readline().rstrip("\r\n") for _ in range(2))
        if password != again:
            raise click.ClickException("The two passwords do not match.")
    try:
        people.set_password(email, password)
    except DomainError as error:
        raise _fail(error) from error
    click.echo(f"Password set for {email}.")


@tokens.command("create")
@click.argument("email")
def create_token(email: str) -> None:
    """Print a new API token for EMAIL, alone, as the last line."""
    try:
        click.echo(people.issue_token_for_email(email, now()))
    except DomainError as error:
        raise _fail(error) from error


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the background jobs in the foreground (one process per deployment)."""
    logging.basicConfig(level=logging.INFO, format=PLAIN)
    background.run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


def _instant(text: str | None) -> datetime | None:
    """An aware ISO 8601 instant from the command line (``None`` when not given)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time.") from error
    if moment.tzinfo is None:
        raise click.BadParameter("Give the time with its offset, e.g. 2026-12-01T09:00+00:00.")
    return moment


@jobs.command("run")
@click.argument("name", type=click.Choice(list(background.JOBS)))
@click.option("--at", "at", default=None, help="Run as if at this aware ISO 8601 instant.")
def run_job(name: str, at: str | None) -> None:
    """Run the job NAME once, now (or as if at --at)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(background.describe(name, background.run_job(app, name, _instant(at))))


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(file: Path, overwrite: bool) -> None:
    """Back the whole database up to FILE, safely while the service runs."""
    try:
        size = operations.backup(file, overwrite=overwrite)
    except DomainError as error:
        raise _fail(error) from error
    click.echo(f"Backed up to {file} ({size:,} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a database that is not empty.")
@with_appcontext
def restore_command(file: Path, replace: bool) -> None:
    """Restore the database from FILE (a backup); refuses a database with data unless
    --replace. Stop the service and the scheduler first."""
    try:
        restored = operations.restore(file, replace=replace)
    except DomainError as error:
        raise _fail(error) from error
    rows = ", ".join(f"{count} {table}" for table, count in restored.rows.items())
    click.echo(f"Restored {file}: {rows}; schema {restored.schema}.")
    if restored.schema != restored.newest:
        click.echo(
            f"The backup's schema is {restored.schema}; this version needs {restored.newest}: "
            "run `flask --app booking db upgrade` before serving."
        )


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(seed_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(jobs)
    app.cli.add_command(scheduler_command)
