"""The usage and charges reports, checked against slow references worked out here from
the raw bookings, and closed months with their adjustments."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import holidays

from booking.extensions import db
from booking.models import Booking
from booking.schemas.reports import ChargesReportSchema, FunderReportSchema, UsageReportSchema
from tests.booking.centre import (
    AFTER,
    CLOSURE,
    FIRST,
    LAST,
    LONDON,
    local,
)
from tests.conftest import Factory


def open_seconds_reference(day_from: date, day_to: date, closure: tuple | None = None) -> float:
    """Weekdays 08:00–18:00 London, not England's bank holidays, less a closure."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=[2027])
    total, day = 0.0, day_from
    while day <= day_to:
        if day.weekday() < 5 and day not in bank:
            start, end = local(day, 8), local(day, 18)
            total += (end - start).total_seconds()
            if closure:
                overlap = min(end, closure[1]) - max(start, closure[0])
                total -= max(overlap.total_seconds(), 0)
        day += timedelta(days=1)
    return total


def usage(client, headers, group_by: str, first=FIRST, last=LAST, **extra):
    query = {"from": first.isoformat(), "to": last.isoformat(), "group_by": group_by, **extra}
    answer = client.get("/api/v1/reports/usage", query_string=query, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


HELD = ("confirmed", "checked_in", "completed", "no_show")


def usage_reference(bookings, key) -> dict:
    groups: dict = defaultdict(lambda: defaultdict(float))
    people: dict = defaultdict(set)
    for b in bookings:
        g = groups[key(b)]
        if b.status in HELD:
            g["booked"] += (b.end - b.start).total_seconds() * b.units
            g["bookings"] += 1
            people[key(b)].add(b.user_id)
        if b.checked_in_at is not None:
            g["used"] += ((b.checked_out_at or b.end) - b.checked_in_at).total_seconds() * b.units
        g["no_shows"] += b.status == "no_show"
        g["late"] += b.status == "cancelled" and b.late_cancellation
    return {k: {**v, "people": len(people[k])} for k, v in groups.items()}


def test_usage_by_resource_agrees_with_the_raw_bookings(app, client, make: Factory, centre):
    staff = make.headers(make.user("facility_manager"))
    report = usage(client, staff, "resource")
    with app.app_context():
        assert report == UsageReportSchema().dump(UsageReportSchema().load(report))
    reference = usage_reference(centre["bookings"], lambda b: b.resource_id)
    open_all = open_seconds_reference(FIRST, LAST)
    rows = {row["key"]: row for row in report["groups"]}
    for name, resource in centre["resources"].items():
        row, ref = rows[resource.id], reference.get(resource.id, {})
        assert row["label"] == resource.name
        assert row["booked_hours"] == round(ref.get("booked", 0) / 3600, 2)
        assert row["used_hours"] == round(ref.get("used", 0) / 3600, 2)
        assert row["bookings"] == ref.get("bookings", 0)
        assert row["no_shows"] == ref.get("no_shows", 0)
        assert row["late_cancellations"] == ref.get("late", 0)
        assert row["people"] == ref.get("people", 0)
        closure = CLOSURE if name == "room" else None
        expected_open = open_seconds_reference(FIRST, LAST, closure) * resource.quantity
        assert row["open_hours"] == round(expected_open / 3600, 2), name
        assert row["utilisation"] == round(ref.get("booked", 0) / expected_open, 4)
    # 45 weekdays, less Good Friday and Easter Monday, of ten hours
    assert open_all == 43 * 10 * 3600


def test_usage_by_month_tenant_sector_and_kind(client, make: Factory, centre):
    staff = make.headers(make.user("reception"))
    zone_month = lambda b: b.start.astimezone(LONDON).strftime("%Y-%m")  # noqa: E731
    by_month = {row["key"]: row for row in usage(client, staff, "month")["groups"]}
    reference = usage_reference(centre["bookings"], zone_month)
    assert set(by_month) == {"2027-03", "2027-04"}
    for month, row in by_month.items():
        assert row["bookings"] == reference[month]["bookings"]
        assert row["booked_hours"] == round(reference[month]["booked"] / 3600, 2)
    by_tenant = usage(client, staff, "tenant")["groups"]
    assert {row["label"] for row in by_tenant} >= {"Trust", "Medtech"}
    assert sum(row["bookings"] for row in by_tenant) == sum(
        r["bookings"] for r in by_month.values()
    )
    by_sector = {row["key"]: row for row in usage(client, staff, "sector")["groups"]}
    assert set(by_sector) == {"nhs", "university", "private", "public", "third_sector"}
    nhs_people = {u.id for u in centre["people"] if u.tenant_id == centre["people"][0].tenant_id}
    nhs_ref = usage_reference(
        [b for b in centre["bookings"] if b.user_id in nhs_people], lambda b: 1
    )
    assert by_sector["nhs"]["bookings"] == nhs_ref[1]["bookings"]
    by_kind = {row["key"]: row for row in usage(client, staff, "kind")["groups"]}
    assert by_kind["room"]["bookings"] == sum(
        1 for b in centre["bookings"] if b.status in HELD and b.resource_id in
        (centre["resources"]["room"].id, centre["resources"]["free"].id)
    )  # fmt: skip


def test_a_member_sees_only_their_own_usage_and_a_tenant_admin_their_tenants(
    client, make: Factory, centre
):
    nhs, private, nhs_admin = centre["people"]
    mine = usage(client, make.headers(private), "month")["groups"]
    own = usage_reference([b for b in centre["bookings"] if b.user_id == private.id], zone_of_month)
    assert {r["key"]: r["bookings"] for r in mine} == {k: v["bookings"] for k, v in own.items()}
    team = usage(client, make.headers(nhs_admin), "tenant")["groups"]
    assert [row["label"] for row in team] == ["Trust"]


def zone_of_month(b) -> str:
    return b.start.astimezone(LONDON).strftime("%Y-%m")


def charges(client, headers, first=FIRST, last=LAST, **extra):
    query = {"from": first.isoformat(), "to": last.isoformat(), **extra}
    return client.get("/api/v1/reports/charges", query_string=query, headers=headers)


def charge_reference(b, tier: str, resource_name: str) -> tuple[str, int] | None:
    """What one booking costs, worked out the long way."""
    rate = {"nhs": 1200}.get(tier, 3000)
    if resource_name == "free":
        return None
    seconds = (b.end - b.start).total_seconds()
    percent, reason = 100, "booked"
    if b.status == "no_show":
        reason = "no_show"
    elif b.status == "cancelled":
        if not b.late_cancellation:
            return None
        reason, percent = "late_cancellation", 50
    elif b.status not in HELD:
        return None
    elif resource_name == "lab" and b.checked_in_at is not None:
        reason = "used"
        seconds = ((b.checked_out_at or b.end) - b.checked_in_at).total_seconds()
    if resource_name == "lab":
        seconds = max(seconds, 30 * 60)
    exact = rate * seconds * b.units * percent / 360000
    return reason, int(exact + 0.5)


def test_charges_agree_with_the_raw_bookings_and_totals_sum_their_lines(
    app, client, make: Factory, centre
):
    answer = charges(client, make.headers(make.user("facility_manager")))
    assert answer.status_code == 200
    report = answer.get_json()
    with app.app_context():
        assert report == ChargesReportSchema().dump(ChargesReportSchema().load(report))
    assert report["currency"] == "GBP"
    names = {r.id: n for n, r in centre["resources"].items()}
    nhs_tenant = centre["people"][0].tenant_id
    expected = {}
    for b in centre["bookings"]:
        tier = "nhs" if b.tenant_id == nhs_tenant else "standard"
        found = charge_reference(b, tier, names[b.resource_id])
        if found is not None:
            expected[b.id] = found
    lines = {line["booking_id"]: (line["reason"], line["amount"]) for line in report["lines"]}
    assert lines == expected
    assert all(isinstance(line["amount"], int) for line in report["lines"])
    for total in report["totals"]:
        mine = [l["amount"] for l in report["lines"] if l["tenant_id"] == total["tenant_id"]]  # noqa: E741
        assert total["amount"] == sum(mine)
    assert sum(t["amount"] for t in report["totals"]) == sum(a for _, a in expected.values())


def test_who_sees_which_money(client, make: Factory, centre):
    nhs, private, nhs_admin = centre["people"]
    refused = charges(client, make.headers(make.user("reception")))
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    own = charges(client, make.headers(private)).get_json()
    assert own["lines"] and {line["tenant_id"] for line in own["lines"]} == {private.tenant_id}
    assert all(
        b.user_id == private.id for b in centre["bookings"] if b.id in
        {line["booking_id"] for line in own["lines"]}
    )  # fmt: skip
    team = charges(client, make.headers(nhs_admin)).get_json()
    assert {line["tenant_id"] for line in team["lines"]} == {nhs_admin.tenant_id}
    other = charges(client, make.headers(nhs_admin), tenant_id=private.tenant_id)
    assert other.status_code == 403
    chosen = charges(client, make.headers(make.user("admin")), tenant_id=private.tenant_id)
    assert {line["tenant_id"] for line in chosen.get_json()["lines"]} == {private.tenant_id}


def test_the_charges_csv_is_what_an_accounting_package_imports(client, make: Factory, centre):
    headers = {**make.headers(make.user("facility_manager")), "Accept": "text/csv"}
    answer = charges(client, headers)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert list(rows[0]) == [
        "month", "booking_id", "tenant_id", "tenant", "cost_code", "resource_id", "resource",
        "start", "end", "hours", "reason", "rate_pence", "percent", "amount_pence", "adjustment",
    ]  # fmt: skip
    as_json = charges(client, make.headers(make.user("facility_manager"))).get_json()
    assert sum(int(r["amount_pence"]) for r in rows) == sum(t["amount"] for t in as_json["totals"])
    assert {r["tenant"] for r in rows} == {"Trust", "Medtech"}
    assert all(not r["cost_code"].startswith("=") for r in rows)  # a formula is defused
    answer = client.get(
        "/api/v1/reports/usage",
        query_string={"from": "2027-03-01", "to": "2027-03-31"},
        headers=headers,
    )
    assert answer.mimetype == "text/csv" and answer.get_data(as_text=True).startswith("group,label")


def test_bad_periods_are_refused_in_words(client, make: Factory):
    headers = make.headers(make.user("facility_manager"))
    for query in (
        {"from": "2027-04-01", "to": "2027-03-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
        {"from": "2027-04-01"},
        {"from": "2027-04-01", "to": "2027-04-30", "group_by": "colour"},
    ):
        answer = client.get("/api/v1/reports/usage", query_string=query, headers=headers)
        assert answer.status_code == 422, query
        assert answer.get_json()["errors"]


def close(client, headers, month: str):
    return client.post("/api/v1/billing/periods", json={"month": month}, headers=headers)


def test_a_closed_month_is_frozen_and_later_changes_are_adjusted_next_month(
    app, client, make: Factory, centre
):
    manager = make.headers(make.user("facility_manager"))
    march = lambda: charges(client, manager, date(2027, 3, 1), date(2027, 3, 31)).get_json()  # noqa: E731
    april = lambda: charges(client, manager, date(2027, 4, 1), date(2027, 4, 30)).get_json()  # noqa: E731
    before = march()
    done = close(client, manager, "2027-03")
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["month"] == "2027-03"
    refused = close(client, manager, "2027-03")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "month_closed")
    refused = close(client, manager, "2027-05")
    assert refused.get_json()["code"] in ("month_not_over", "month_out_of_order")
    # A rate change is not a change to a booking: March stays as it was invoiced.
    assert march() == before
    # A March booking is found to be a no-show after all; one charged is refunded.
    charged = next(l for l in before["lines"] if l["reason"] == "booked")  # noqa: E741
    with app.app_context():
        booking = db.session.get(Booking, charged["booking_id"])
        booking.status, booking.updated_at = "rejected", AFTER + timedelta(hours=1)
        db.session.commit()
    app.config["FIXED_NOW"] = AFTER + timedelta(hours=2)
    assert march() == before
    adjusted = [l for l in april()["lines"] if l["adjustment"]]  # noqa: E741
    assert [(l["booking_id"], l["amount"], l["month"]) for l in adjusted] == [  # noqa: E741
        (charged["booking_id"], -charged["amount"], "2027-04")
    ]
    assert close(client, manager, "2027-04").status_code == 201
    assert [l for l in april()["lines"] if l["adjustment"]] == adjusted  # noqa: E741
    periods = client.get("/api/v1/billing/periods", headers=manager).get_json()
    assert [p["month"] for p in periods] == ["2027-04", "2027-03"]
    member = make.headers(centre["people"][1])
    assert close(client, member, "2027-05").status_code == 403


def test_a_month_under_way_cannot_close_and_months_close_in_order(app, client, make: Factory):
    manager = make.headers(make.user("admin"))
    app.config["FIXED_NOW"] = datetime(2027, 3, 31, 22, 59, tzinfo=UTC)  # 23:59 BST
    refused = close(client, manager, "2027-03")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "month_not_over")
    app.config["FIXED_NOW"] = datetime(2027, 3, 31, 23, 0, tzinfo=UTC)  # midnight in London
    assert close(client, manager, "2027-03").status_code == 201
    app.config["FIXED_NOW"] = datetime(2027, 6, 1, 9, tzinfo=UTC)
    refused = close(client, manager, "2027-05")
    assert refused.get_json()["code"] == "month_out_of_order"
    assert "2027-04" in refused.get_json()["detail"]
    assert close(client, manager, "2027-13").status_code == 422


def test_a_cancellation_inside_the_window_is_marked_late(app, client, make: Factory):
    room = make.resource(rules={"rates": {"standard": 1000}, "late_cancel_within": "P1D",
                                "late_cancel_percent": 100})  # fmt: skip
    user = make.user()
    headers = make.headers(user)
    soon = make.booking(room, user, datetime(2026, 11, 25, 8, tzinfo=UTC),
                        datetime(2026, 11, 25, 9, tzinfo=UTC))  # fmt: skip
    later = make.booking(room, user, datetime(2026, 11, 26, 10, tzinfo=UTC),
                         datetime(2026, 11, 26, 11, tzinfo=UTC))  # fmt: skip
    for booking in (soon, later):
        assert (
            client.post(f"/api/v1/bookings/{booking.id}/cancel", headers=headers).status_code == 200
        )
    with app.app_context():
        marked = {b.id: (b.late_cancellation, b.cancelled_at) for b in db.session.query(Booking)}
    assert marked[soon.id][0] is True and marked[later.id][0] is False
    assert marked[soon.id][1] is not None
    lines = charges(client, headers, date(2026, 11, 1), date(2026, 11, 30)).get_json()["lines"]
    assert [(l["booking_id"], l["reason"], l["amount"]) for l in lines] == [  # noqa: E741
        (soon.id, "late_cancellation", 1000)
    ]


def test_tenants_have_a_sector_and_tier_and_bookings_a_cost_code(client, make: Factory):
    admin = make.headers(make.user("admin"))
    made = client.post("/api/v1/tenants", json={"name": "Uni Lab", "sector": "university"},
                       headers=admin)  # fmt: skip
    assert made.status_code == 201
    assert (made.get_json()["sector"], made.get_json()["rate_tier"]) == ("university", "standard")
    tenant_id = made.get_json()["id"]
    changed = client.patch(f"/api/v1/tenants/{tenant_id}", json={"rate_tier": "academic"},
                           headers=admin)  # fmt: skip
    assert changed.get_json()["rate_tier"] == "academic"
    assert changed.get_json()["sector"] == "university"
    bad = client.patch(f"/api/v1/tenants/{tenant_id}", json={"sector": "charity"}, headers=admin)
    assert bad.status_code == 422 and "sector" in bad.get_json()["errors"]
    member = make.user()
    refused = client.patch(f"/api/v1/tenants/{member.tenant_id}", json={"sector": "nhs"},
                           headers=make.headers(member))  # fmt: skip
    assert refused.status_code == 403
    room = make.resource()
    booked = client.post(
        "/api/v1/bookings",
        json={"resource_id": room.id, "title": "Assay", "cost_code": "PO-2231",
              "start": "2026-11-30T10:00:00Z", "end": "2026-11-30T11:00:00Z"},
        headers=make.headers(member),
    )  # fmt: skip
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["cost_code"] == "PO-2231"


def test_the_funder_report_counts_organisations_and_hours_by_quarter_and_sector(
    app, client, make: Factory, centre
):
    staff = make.headers(make.user("reception"))
    query = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
    answer = client.get("/api/v1/reports/funder", query_string=query, headers=staff)
    assert answer.status_code == 200
    report = answer.get_json()
    with app.app_context():
        assert report == FunderReportSchema().dump(FunderReportSchema().load(report))
    rows = {(row["quarter"], row["sector"]): row for row in report["rows"]}
    assert len(rows) == 2 * 5  # Q1 and Q2, every sector, zeros included
    nhs_tenant = centre["people"][0].tenant_id
    for quarter, months in (("2027-Q1", ("2027-03",)), ("2027-Q2", ("2027-04",))):
        for sector, is_nhs in (("nhs", True), ("private", False)):
            held = [
                b for b in centre["bookings"]
                if b.status in HELD and zone_of_month(b) in months
                and (b.tenant_id == nhs_tenant) == is_nhs
            ]  # fmt: skip
            row = rows[(quarter, sector)]
            assert row["organisations"] == len({b.tenant_id for b in held}) == 1
            assert row["people"] == len({b.user_id for b in held})
            assert row["bookings"] == len(held)
            seconds = sum((b.end - b.start).total_seconds() * b.units for b in held)
            assert row["booked_hours"] == round(seconds / 3600, 2)
        assert rows[(quarter, "university")]["organisations"] == 0
    as_csv = client.get(
        "/api/v1/reports/funder", query_string=query, headers={**staff, "Accept": "text/csv"}
    ).get_data(as_text=True)
    assert as_csv.startswith("quarter,sector,organisations,people,bookings,booked_hours")
    tenant = make.headers(centre["people"][2])
    assert (
        client.get("/api/v1/reports/funder", query_string=query, headers=tenant).status_code == 403
    )


def test_the_reports_page_overview_gives_each_report_as_it_is_alone(app, make: Factory, centre):
    """Months and sectors counted in one pass come to what each grouping gives on its own:
    people counted once per group, however many months or tenants their rows span."""
    from booking.models import User
    from booking.services import accounts

    staff = make.user("facility_manager")
    with app.app_context():
        for who in (staff.id, centre["people"][2].id):
            someone = db.session.get(User, who)
            seen = accounts.usage_overview(someone, FIRST, LAST)
            alone = {
                group: accounts.usage_report(someone, FIRST, LAST, group)
                for group in ("resource", "month", "sector")
            }
            assert seen.by_resource == alone["resource"]
            assert seen.by_month == alone["month"]
            assert seen.by_sector == alone["sector"]
            assert seen.heat == accounts.week_heatmap(someone, FIRST, LAST)
            assert sum(row.people for row in seen.by_month) > max(
                row.people for row in seen.by_sector
            )  # the same people in both months: counted in each month, once per sector


def test_after_refreshing_statistics_usage_by_resource_reads_the_resource_led_index(
    app, make: Factory, centre
):
    """SQLite plans from statistics only once ANALYZE has run; the ``refresh-statistics``
    job runs it, and the usage report by resource then reads ``ix_bookings_usage``,
    already grouped, instead of sorting the period's bookings. (PostgreSQL gathers its
    own statistics: the job leaves it alone.)"""
    from sqlalchemy import event

    from booking.jobs import describe, run_job
    from booking.models import User
    from booking.models.bookings import USAGE_INDEX
    from booking.services import accounts

    staff = make.user("facility_manager")
    with app.app_context():  # earlier months, as a centre in service has: 100 per resource
        earlier = []
        for k in range(1, 7):  # the period again, 70 days back each time: never overlapping
            back = timedelta(days=70 * k)
            earlier += [
                {**{c: getattr(b, c) for c in ("resource_id", "user_id", "tenant_id", "units",
                                               "exclusive", "created_at", "updated_at")},
                 "booked_by_id": b.user_id, "title": "Earlier", "status": "completed",
                 "start": b.start - back, "end": b.end - back,
                 "occupied_start": b.occupied_start - back, "occupied_end": b.occupied_end - back}
                for b in centre["bookings"]
            ]  # fmt: skip
        db.session.execute(db.insert(Booking), earlier)
        db.session.commit()
    changed = run_job(app, "refresh-statistics")
    assert changed == []
    assert describe("refresh-statistics", changed).endswith("statistics refreshed")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        assert db.session.execute(db.text("SELECT count(*) FROM sqlite_stat1")).scalar() > 0
        seen: list = []
        listener = lambda *args: seen.append(args[2:4])  # noqa: E731 - statement, parameters
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            accounts.usage_report(db.session.get(User, staff.id), FIRST, LAST, "resource")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        statement, parameters = next((s, p) for s, p in seen if 'AS "key"' in s)
        plan = db.session.execute(db.text("SELECT 1")).connection  # the same connection
        rows = plan.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
        said = " ".join(str(row[-1]) for row in rows)
        assert f"COVERING INDEX {USAGE_INDEX}" in said
        assert "TEMP B-TREE FOR GROUP BY" not in said
