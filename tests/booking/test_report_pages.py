"""The report pages: charts with their text alternatives and tables, the funder report,
and the monthly statement with its CSV, each agreeing with the API's figures."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.models import User
from tests.booking.centre import FIRST, LAST
from tests.conftest import Factory

PERIOD = {"from": FIRST.isoformat(), "to": LAST.isoformat()}


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"], session["version"] = user.id, 0
    return client


def charts_of(html: str) -> list[tuple[str, str]]:
    """Each chart image's SVG and its alt text."""
    found = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)"', html)
    return [(base64.b64decode(svg).decode(), alt) for svg, alt in found]


def test_the_reports_page_draws_four_charts_each_with_words_and_a_table(
    app: Flask, make: Factory, centre
):
    page = signed_in(app, make.user("reception", None)).get("/staff/reports", query_string=PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    drawn = charts_of(html)
    assert len(drawn) == 4
    for svg, alt in drawn:
        assert svg.startswith("<?xml") and "<svg" in svg and "<script" not in svg
        assert len(alt) > 60  # says what the chart shows, not just "chart"
    heat, resources, no_shows, sectors = (alt for _, alt in drawn)
    assert "Busiest:" in heat and "Quietest open hour:" in heat
    assert "Wet lab" in resources
    assert "2027-03:" in no_shows and "2027-04:" in no_shows
    assert "NHS:" in sectors
    for caption in ("Share of open time booked, by day and hour", "Per resource",
                    "No-shows by month", "By sector"):  # fmt: skip
        assert f"<caption>{caption}</caption>" in html
    assert "£" not in html  # reception reads usage without money


def test_the_tables_beside_the_charts_agree_with_the_api(
    app: Flask, client: FlaskClient, make: Factory, centre
):
    manager = make.user("facility_manager", None)
    html = signed_in(app, manager).get("/staff/reports", query_string=PERIOD).get_data(as_text=True)
    usage = client.get(
        "/api/v1/reports/usage", query_string={**PERIOD, "group_by": "month"},
        headers=make.headers(manager),
    ).get_json()["groups"]  # fmt: skip
    for group in usage:
        rate = f"{group['no_shows'] / group['bookings']:.0%}"
        row = (
            f'<tr><th scope="row">{group["label"]}</th><td data-label="Bookings">'
            f'{group["bookings"]}</td><td data-label="No-shows">{group["no_shows"]}</td>'
            f'<td data-label="No-show rate">{rate}</td>'
        )
        assert row in html


def test_the_same_data_draws_the_same_chart(app: Flask, make: Factory, centre):
    client = signed_in(app, make.user("admin", None))
    first = charts_of(client.get("/staff/reports", query_string=PERIOD).get_data(as_text=True))
    again = charts_of(client.get("/staff/reports", query_string=PERIOD).get_data(as_text=True))
    assert first == again


def test_a_period_without_bookings_says_so_instead_of_drawing(app: Flask, make: Factory, centre):
    client = signed_in(app, make.user("admin", None))
    html = client.get("/staff/reports?from=2026-01-05&to=2026-01-06").get_data(as_text=True)
    assert len(charts_of(html)) == 2  # the open hours and the resources, all at 0%
    assert "No bookings in these days." in html and "No tenant booked in these days." in html


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("from=2027-05-01&to=2027-04-01", "The period must end on or after its first day."),
        ("from=yesterday&to=2027-04-01", "Not a valid date."),
        ("from=2020-01-01&to=2027-04-01", "A report covers at most three years"),
    ],
)
def test_a_bad_period_is_explained_and_the_default_shown(
    app: Flask, make: Factory, query: str, problem: str
):
    page = signed_in(app, make.user("admin", None)).get(f"/staff/reports?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert problem in html and "Showing the last three months instead." in html
    csv_answer = signed_in(app, make.user("admin", None)).get(
        f"/staff/reports/usage-by-resource.csv?{query}"
    )
    assert csv_answer.status_code == 400


def test_usage_csv_from_the_page_is_the_apis(
    app: Flask, client: FlaskClient, make: Factory, centre
):
    manager = make.user("facility_manager", None)
    page_csv = signed_in(app, manager).get(
        "/staff/reports/usage-by-sector.csv", query_string=PERIOD
    )
    api_csv = client.get(
        "/api/v1/reports/usage", query_string={**PERIOD, "group_by": "sector"},
        headers={**make.headers(manager), "Accept": "text/csv"},
    )  # fmt: skip
    assert page_csv.mimetype == "text/csv"
    assert page_csv.get_data() == api_csv.get_data()


def test_the_funder_page_and_its_csv(app: Flask, client: FlaskClient, make: Factory, centre):
    staff = signed_in(app, make.user("reception", None))
    html = staff.get("/staff/funder", query_string=PERIOD).get_data(as_text=True)
    assert "<caption>2027-Q1</caption>" in html and "<caption>2027-Q2</caption>" in html
    rows = list(csv.DictReader(io.StringIO(
        staff.get("/staff/funder.csv", query_string=PERIOD).get_data(as_text=True)
    )))  # fmt: skip
    assert len(rows) == 2 * 5
    nhs_q1 = next(r for r in rows if r["quarter"] == "2027-Q1" and r["sector"] == "nhs")
    assert nhs_q1["organisations"] == "1"
    assert f'<td data-label="Organisations">{nhs_q1["organisations"]}</td>' in html


def statement_csv(client: FlaskClient, month: str, **more: str) -> list[dict[str, str]]:
    answer = client.get("/statement.csv", query_string={"month": month, **more})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_a_tenant_admin_reads_their_statement_and_its_csv(
    app: Flask, client: FlaskClient, make: Factory, centre
):
    nhs, private, nhs_admin = centre["people"]
    reader = signed_in(app, nhs_admin)
    html = reader.get("/statement?month=2027-03").get_data(as_text=True)
    assert "Statement: March 2027" in html
    api = client.get(
        "/api/v1/reports/charges", query_string={"from": "2027-03-01", "to": "2027-03-31"},
        headers=make.headers(nhs_admin),
    ).get_json()  # fmt: skip
    total = sum(t["amount"] for t in api["totals"])
    assert total > 0
    assert f"Total: <strong>£{total // 100:,}.{total % 100:02d}</strong>" in html
    rows = statement_csv(reader, "2027-03")
    assert len(rows) == len(api["lines"])
    assert {r["tenant"] for r in rows} == {"Trust"}
    assert sum(int(r["amount_pence"]) for r in rows) == total
    assert "Medtech" not in html
    assert "April 2027 →" in html and "← February 2027" in html


def test_a_member_sees_only_their_own_lines(app: Flask, make: Factory, centre):
    nhs, private, nhs_admin = centre["people"]
    own = {b.id for b in centre["bookings"] if b.user_id == nhs.id}
    rows = statement_csv(signed_in(app, nhs), "2027-03")
    assert rows and {int(r["booking_id"]) for r in rows} <= own


def test_staff_choose_the_tenant_and_reception_sees_no_money(app: Flask, make: Factory, centre):
    nhs, private, _ = centre["people"]
    manager = signed_in(app, make.user("facility_manager", None))
    html = manager.get("/statement?month=2027-04").get_data(as_text=True)
    assert "Charges: April 2027" in html and "<caption>By tenant</caption>" in html
    only = statement_csv(manager, "2027-04", tenant_id=str(private.tenant_id))
    assert {r["tenant"] for r in only} == {"Medtech"}
    nobody = manager.get("/statement?month=2027-04&tenant_id=99999").get_data(as_text=True)
    assert "There is no such tenant; choose one from the list." in nobody
    reception = signed_in(app, make.user("reception", None))
    assert reception.get("/statement?month=2027-04").status_code == 403
    assert reception.get("/statement.csv?month=2027-04").status_code == 403


@pytest.mark.parametrize("month", ["2027-13", "March", "", "2027-3"])
def test_a_bad_month_is_explained(app: Flask, make: Factory, month: str):
    client = signed_in(app, make.user("tenant_admin"))
    html = client.get("/statement", query_string={"month": month}).get_data(as_text=True)
    if month:
        assert "Give the month as YYYY-MM, like 2027-03." in html
        assert client.get("/statement.csv", query_string={"month": month}).status_code == 400
    else:  # no month: this month's
        assert datetime(2026, 11, 24, tzinfo=UTC).strftime("%B %Y") in html


def test_the_booking_form_takes_a_cost_code_and_refuses_a_long_one(app: Flask, make: Factory):
    app.config["WTF_CSRF_ENABLED"] = False
    room = make.resource(name="Room", kind="room")
    member = make.user()
    client = signed_in(app, member)
    form = {"title": "Sprint review", "date": "2026-12-01", "start": "10:00", "end": "11:00"}
    refused = client.post(f"/book/{room.id}", data={**form, "cost_code": "X" * 101})
    assert refused.status_code == 422
    assert "A cost code of at most 100 characters." in refused.get_data(as_text=True)
    made = client.post(f"/book/{room.id}", data={**form, "cost_code": "  PO-77 "})
    assert made.status_code == 302
    booking = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Sprint review" in booking
    api = make.app.test_client().get("/api/v1/bookings", headers=make.headers(member)).get_json()
    assert [b["cost_code"] for b in api] == ["PO-77"]


def test_a_chart_shown_again_is_not_drawn_again(app: Flask, make: Factory, centre):
    from booking.web import charts

    client = signed_in(app, make.user("admin", None))
    client.get("/staff/reports", query_string=PERIOD)
    drawn = charts.heatmap.cache_info().misses, charts.bars.cache_info().misses
    client.get("/staff/reports", query_string=PERIOD)
    assert (charts.heatmap.cache_info().misses, charts.bars.cache_info().misses) == drawn
