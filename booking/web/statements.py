"""The monthly statement: a tenant admin's month for their tenant, a member's for their
own bookings, any tenant's (or all) for facility managers and admins; with its CSV, the
charges CSV's columns. Reception sees no money."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from flask import Response, abort, render_template, request

from booking.access import can
from booking.clock import today
from booking.errors import DomainError
from booking.responses import csv_response
from booking.schemas.reports import CHARGE_COLUMNS, charge_row
from booking.services import accounts, people
from booking.services.accounts import Month, Statement
from booking.services.catalogue import site_zone
from booking.web.blueprint import in_words
from booking.web.reports import blp
from booking.web.session import me, signed_in


@dataclass(frozen=True)
class Asked:
    """The statement asked for: its month and, for the centre's staff, its tenant."""

    month: Month
    tenant_id: int | None
    problems: list[str]


def _asked() -> Asked:
    problems: list[str] = []
    try:
        first = accounts.parse_month(request.args.get("month") or f"{today():%Y-%m}")
    except DomainError as wrong:
        problems.append(in_words(wrong))
        first = today().replace(day=1)
    tenant_id: int | None = None
    asked = request.args.get("tenant_id", "")
    if asked.isdigit() and len(asked) < 10:
        tenant_id = int(asked)
    elif asked:
        problems.append("Choose a tenant from the list.")
    return Asked(accounts.month_of(first), tenant_id, problems)


def _statement(asked: Asked) -> Statement:
    """The statement asked for, as ``me()`` may see it (a PermissionDeniedError else)."""
    month = asked.month
    return accounts.charges_report(me(), month.first, month.last, asked.tenant_id)


@blp.get("/statement")
@signed_in
def statement_page() -> str | tuple[str, int]:
    """A month's charges: a tenant admin's tenant, a member's own bookings, any tenant
    (or all) for facility managers and admins. Reception sees no money."""
    asked, user = _asked(), me()
    try:
        statement = _statement(asked)
    except DomainError as refused:
        return render_template("error.html", title="Not for you", message=refused.detail), 403
    names = accounts.names_for(statement)
    by_code: dict[str, int] = defaultdict(int)
    for line in statement.lines:
        by_code[line.cost_code or ""] += line.charge.amount
    month = asked.month
    tenants = people.list_tenants(user) if can(user, "see_charges") else []
    chosen = {t.id: t.name for t in tenants}.get(asked.tenant_id) if asked.tenant_id else None
    if tenants and asked.tenant_id and chosen is None:
        asked.problems.append("There is no such tenant; choose one from the list.")
    return render_template(
        "statement.html",
        asked=asked,
        statement=statement,
        names=names,
        total=sum(statement.totals.values()),
        by_code=sorted(by_code.items()),
        closed=accounts.closed_months().get(month.name),
        tenants=tenants,
        chosen=chosen,
        month_before=accounts.month_of(month.first - timedelta(days=1)),
        month_after=accounts.month_of(month.last + timedelta(days=1)),
    )


@blp.get("/statement.csv")
@signed_in
def statement_csv() -> Response:
    asked = _asked()
    if asked.problems:
        abort(400)
    try:
        statement = _statement(asked)
    except DomainError:
        abort(403)
    names = accounts.names_for(statement)
    zone = site_zone()
    rows = (charge_row(line, names, zone) for line in statement.lines)
    return csv_response(rows, CHARGE_COLUMNS, f"statement-{asked.month.name}.csv")
