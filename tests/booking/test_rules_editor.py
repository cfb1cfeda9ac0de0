"""The rules editor: rules written as people write them, what is inherited shown in
words, a preview of the bookings still to come the change would refuse, and saving."""

from __future__ import annotations

from flask import Flask

from booking.extensions import db
from booking.models import Resource
from tests.booking.test_booking_pages import flashed_after, signed_in
from tests.conftest import Factory, at

WEEK = {"mon", "tue", "wed", "thu", "fri"}


def _form(**changes: str) -> dict[str, str]:
    return {"opening_hours": "inherit", **changes}


def test_rules_are_written_in_words_previewed_and_saved(app: Flask, make: Factory):
    floor = make.resource(
        name="Floor", kind="floor", bookable=False, rules={"buffer_after": "PT15M"}
    )
    lab = make.resource(name="Lab", kind="lab", parent_id=floor.id)
    bench = make.resource(name="Bench", kind="desk", parent_id=lab.id)
    member = make.user()
    early = make.booking(bench, member, at(2, 7), at(2, 9), title="Early start")
    make.booking(lab, member, at(3, 10), at(3, 11), title="Fine")
    staff = signed_in(app, make.user("facility_manager"))
    page = staff.get(f"/staff/resources/{lab.id}/rules").get_data(as_text=True)
    assert "15 minutes kept free after each booking" in page and "(from Floor" in page
    assert "PT15M" not in page
    hours = {f"hours_{d}": "08:00-18:00" for d in WEEK}
    new = _form(opening_hours="set", buffer_after="30 minutes", min_duration="1 hour",
                **hours)  # fmt: skip
    preview = staff.post(f"/staff/resources/{lab.id}/rules", data={**new, "action": "preview"})
    said = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "1 booking still to come would break" in said
    assert f"/bookings/{early.id}" in said and "Bench" in said
    with app.app_context():
        assert db.session.get(Resource, lab.id).rules == {}  # a preview saves nothing
    bad = staff.post(
        f"/staff/resources/{lab.id}/rules",
        data={**new, "slot": "soon", "hours_sat": "9-5", "action": "save"},
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="slot-error"' in text and "Use HH:MM-HH:MM." in text
    saved = staff.post(f"/staff/resources/{lab.id}/rules", data={**new, "action": "save"})
    assert flashed_after(staff, saved) == "Saved the rules of Lab."
    with app.app_context():
        own = db.session.get(Resource, lab.id).rules
    assert own["buffer_after"] == "PT30M" and own["min_duration"] == "PT1H"
    assert own["opening_hours"]["mon"] == ["08:00-18:00"] and own["opening_hours"]["sat"] == []
    again = staff.get(f"/staff/resources/{lab.id}/rules").get_data(as_text=True)
    assert 'value="30 minutes"' in again and 'value="1 hour"' in again
    assert (
        signed_in(app, make.user("reception")).get(f"/staff/resources/{lab.id}/rules").status_code
        == 403
    )
