"""Calendar pages: a day, week or month of a resource, of a lab beside its benches, and of
one's own bookings; others' bookings are only "Booked", and free time is offered only at
times the rules accept."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

from flask import Flask

from tests.booking.test_booking_pages import signed_in
from tests.conftest import Factory, at


def _lab(make: Factory):
    weekdays = {d: ["08:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    lab = make.resource(
        name="Wet Lab", kind="lab", rules={"opening_hours": weekdays, "slot": "PT15M"}
    )
    bench = make.resource(name="Bench A", kind="desk", parent_id=lab.id)
    cabinet = make.resource(
        name="Cabinet", kind="equipment", parent_id=lab.id,
        rules={"required_certification": "biosafety-cabinet"},
    )  # fmt: skip
    return lab, bench, cabinet


def _cells(page: str) -> list[str]:
    return re.findall(r'<td data-day="([^"]+)">(.*?)</td>', page, re.DOTALL)


def test_a_labs_week_shows_its_benches_beside_it_with_others_titles_hidden(
    app: Flask, make: Factory
):
    lab, bench, cabinet = _lab(make)
    ana, hana = make.user(), make.user(tenant="Holme Valley Biologics")
    make.booking(bench, ana, at(1, 9), at(1, 11), title="PCR prep")
    make.booking(lab, hana, at(2, 9), at(2, 12), title="Secret assay")
    page = (
        signed_in(app, ana).get(f"/calendar?family={lab.id}&date=2026-12-01").get_data(as_text=True)
    )
    assert "Week of 30 November to 6 December 2026" in page
    assert [th for th in re.findall(r'<th scope="row">([^<]+)</th>', page)] == [
        "Wet Lab", "Bench A", "Cabinet"]  # fmt: skip
    assert "Secret assay" not in page
    assert page.count(">PCR prep</a>") == 2  # on the bench, and on the lab it takes time from
    assert "(Bench A)" in page and "(Wet Lab)" in page
    days = [day for day, _ in _cells(page)][:7]
    assert days == ["Mon 30 Nov", "Tue 1 Dec", "Wed 2 Dec", "Thu 3 Dec", "Fri 4 Dec",
                    "Sat 5 Dec", "Sun 6 Dec"]  # fmt: skip
    bench_tuesday = _cells(page)[8][1]
    assert "09:00–11:00" in bench_tuesday and "free 08:00–09:00" in bench_tuesday
    assert "Cabinet: This needs the biosafety-cabinet certification." in page
    assert f"/book/{cabinet.id}" not in page


def test_free_time_is_offered_only_from_a_time_the_rules_accept(app: Flask, make: Factory):
    app.config["FIXED_NOW"] = datetime(2026, 12, 1, 16, 47, tzinfo=UTC)
    lab, bench, _ = _lab(make)
    asked = f"/calendar?resource={bench.id}&view=day&date=2026-12-01&duration=PT1H"
    page = signed_in(app, make.user()).get(asked).get_data(as_text=True)
    links = [unescape(h) for h in re.findall(rf'href="(/book/{bench.id}\?[^"]+)"', page)]
    assert len(links) == 1
    start = datetime.fromisoformat(parse_qs(urlsplit(links[0]).query)["start"][0])
    assert start == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert "free 17:00–18:00" in page


def test_my_calendar_lists_my_bookings_with_where_they_are_and_nobody_elses(
    app: Flask, make: Factory
):
    lab, bench, _ = _lab(make)
    ana, ben = make.user(), make.user()
    mine = make.booking(bench, ana, at(3, 10), at(3, 11), title="Mine")
    make.booking(lab, ben, at(3, 14), at(3, 15), title="Ben's")
    page = signed_in(app, ana).get("/calendar?date=2026-12-03").get_data(as_text=True)
    assert "My calendar" in page
    assert f'href="/bookings/{mine.id}">Mine</a> <small>(Bench A)</small>' in page
    assert "Ben&#39;s" not in page and "Booked" not in page
    assert "/book/" not in page  # one's own calendar offers no free time


def test_the_month_view_is_whole_weeks_with_each_day_a_link_to_its_day(app: Flask, make: Factory):
    lab, bench, _ = _lab(make)
    ana = make.user()
    make.booking(bench, ana, at(15, 9), at(15, 10), title="Mid-month")
    client = signed_in(app, ana)
    page = client.get(f"/calendar?resource={bench.id}&view=month&date=2026-12-15").get_data(
        as_text=True
    )
    assert "December 2026" in page
    days = re.findall(r'class="date" href="([^"]+)"', page)
    assert len(days) == 35  # 30 Nov (a Monday) to 3 Jan (a Sunday)
    assert "date=2026-11-30" in unescape(days[0]) and "date=2027-01-03" in unescape(days[-1])
    assert "Mid-month" in page and "Free time" in page
    before = re.search(r'href="([^"]+)">← Before', page)
    assert before is not None and "date=2026-11-01" in unescape(before.group(1))


def test_the_week_the_clocks_change_puts_each_booking_on_its_local_day(app: Flask, make: Factory):
    room = make.resource(name="Room", kind="room")
    ana = make.user()
    # 00:30 on Sunday 29 March 2026 in London is 00:30 UTC (still GMT); 23:30 on Sunday is
    # 22:30 UTC (BST): both on the Sunday, neither on a neighbour.
    make.booking(room, ana, datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
                 datetime(2026, 3, 29, 0, 45, tzinfo=UTC), title="Early")  # fmt: skip
    make.booking(room, ana, datetime(2026, 3, 29, 22, 30, tzinfo=UTC),
                 datetime(2026, 3, 29, 22, 45, tzinfo=UTC), title="Late")  # fmt: skip
    page = (
        signed_in(app, ana)
        .get(f"/calendar?resource={room.id}&date=2026-03-26")
        .get_data(as_text=True)
    )
    sunday = dict(_cells(page))["Sun 29 Mar"]
    assert "00:30–00:45" in sunday and "Early" in sunday
    assert "23:30–23:45" in sunday and "Late" in sunday
    saturday = dict(_cells(page))["Sat 28 Mar"]
    assert "Early" not in saturday and "Late" not in saturday


def test_bad_input_is_read_as_the_default_and_an_unknown_resource_is_404(app: Flask, make: Factory):
    client = signed_in(app, make.user())
    assert client.get("/calendar?view=year&date=not-a-date").status_code == 200
    assert client.get("/calendar?resource=999999").status_code == 404
    assert client.get("/calendar?date=9999-12-31&view=month").status_code == 200
    assert app.test_client().get("/calendar").status_code == 302  # sign in first
