"""The catalogue API and availability (free and busy time, and the search)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import Factory, at, iso


@pytest.fixture
def staff(make: Factory):
    return make.headers(make.user("facility_manager"))


def test_create_nested_resources_and_filter_them(client, make: Factory, staff):
    lab = client.post(
        "/api/v1/resources",
        json={"name": "Wet Lab", "kind": "lab", "capacity": 8, "features": ["wet-lab"]},
        headers=staff,
    )
    assert lab.status_code == 201
    bench = client.post(
        "/api/v1/resources",
        json={
            "name": "Bench A",
            "kind": "desk",
            "parent_id": lab.get_json()["id"],
            "features": ["sink"],
        },
        headers=staff,
    )
    assert bench.status_code == 201 and bench.get_json()["quantity"] == 1
    member = make.headers(make.user())

    def names(query: str) -> list[str]:
        return [
            r["name"] for r in client.get(f"/api/v1/resources?{query}", headers=member).get_json()
        ]

    assert names("kind=desk") == ["Bench A"]
    assert names(f"parent_id={lab.get_json()['id']}") == ["Bench A"]
    assert names("q=wet") == ["Wet Lab"]
    assert names("min_capacity=5") == ["Wet Lab"]
    assert names("feature=sink") == ["Bench A"]
    assert names("q=%25") == []  # a literal percent sign matches nothing, not everything


def test_resource_validation_and_unknown_parent(client, staff):
    bad = client.post(
        "/api/v1/resources", json={"name": "X", "kind": "spaceship", "quantity": 0}, headers=staff
    )
    assert bad.status_code == 422 and {"kind", "quantity"} <= set(bad.get_json()["errors"])
    orphan = client.post(
        "/api/v1/resources", json={"name": "X", "kind": "room", "parent_id": 4242}, headers=staff
    )
    assert orphan.status_code == 422 and "parent_id" in orphan.get_json()["errors"]
    rules = client.post(
        "/api/v1/resources",
        json={"name": "X", "kind": "room", "rules": {"slot": "15 minutes"}},
        headers=staff,
    )
    assert rules.status_code == 422 and "rules" in rules.get_json()["errors"]
    assert client.get("/api/v1/resources/4242", headers=staff).status_code == 404


def test_moving_a_resource_moves_its_subtree_and_refuses_cycles(client, make: Factory, staff):
    floor = make.resource(name="Floor", kind="floor", bookable=False)
    lab = make.resource(name="Lab", kind="lab")
    bench = make.resource(name="Bench", kind="desk", parent_id=lab.id)
    moved = client.patch(f"/api/v1/resources/{lab.id}", json={"parent_id": floor.id}, headers=staff)
    assert moved.status_code == 200 and moved.get_json()["parent_id"] == floor.id
    cycle = client.patch(
        f"/api/v1/resources/{floor.id}", json={"parent_id": bench.id}, headers=staff
    )
    assert cycle.status_code == 422
    # The hierarchy rule follows the move: booking the floor's lab blocks the bench.
    floor_booking = client.patch(
        f"/api/v1/resources/{floor.id}", json={"bookable": True}, headers=staff
    )
    assert floor_booking.status_code == 200
    make.booking(bench, make.user(), at(1, 9), at(1, 10))
    clash = client.post(
        "/api/v1/bookings",
        json={"resource_id": floor.id, "start": iso(at(1, 9)), "end": iso(at(1, 10)), "title": "x"},
        headers=make.headers(make.user()),
    )
    assert clash.status_code == 409 and bench.id == clash.get_json()["conflicts"][0]["resource_id"]


def test_moving_a_booked_resource_under_one_booked_at_the_same_time_is_refused(
    client, make: Factory, staff
):
    lab_a, lab_b = make.resource(name="Lab A", kind="lab"), make.resource(name="Lab B", kind="lab")
    bench = make.resource(name="Bench", kind="desk", parent_id=lab_a.id)
    microscope = make.resource(name="Microscope", kind="equipment", parent_id=bench.id)
    user = make.user()
    make.booking(microscope, user, at(1, 9), at(1, 11))
    make.booking(lab_b, user, at(1, 11), at(1, 12))  # back to back: no clash
    make.booking(lab_b, user, at(1, 9), at(1, 10), status="cancelled")
    clash = make.booking(lab_b, user, at(1, 10), at(1, 10, 30), occupied_end=at(1, 10, 45))
    move = {"parent_id": lab_b.id}
    refused = client.patch(f"/api/v1/resources/{bench.id}", json=move, headers=staff)
    assert refused.status_code == 409, refused.get_json()
    problem = refused.get_json()
    assert problem["code"] == "move_conflict"
    assert problem["conflicts"] == [
        {"resource_id": lab_b.id, "start": iso(at(1, 10)), "end": iso(at(1, 10, 45))}
    ]
    assert client.get(f"/api/v1/resources/{bench.id}", headers=staff).get_json()["parent_id"] == (
        lab_a.id
    )
    cancelled = client.post(f"/api/v1/bookings/{clash.id}/cancel", headers=staff)
    assert cancelled.status_code == 200, cancelled.get_json()
    moved = client.patch(f"/api/v1/resources/{bench.id}", json=move, headers=staff)
    assert moved.status_code == 200 and moved.get_json()["parent_id"] == lab_b.id


def test_shrinking_a_pool_below_future_use_is_refused(client, make: Factory, staff):
    pool = make.resource(name="Hot desks", kind="desk", quantity=4)
    user = make.user()
    for _ in range(3):
        make.booking(pool, user, at(1, 9), at(1, 10))
    refused = client.patch(f"/api/v1/resources/{pool.id}", json={"quantity": 2}, headers=staff)
    assert refused.status_code == 409 and refused.get_json()["code"] == "quantity_in_use"
    assert (
        client.patch(
            f"/api/v1/resources/{pool.id}", json={"quantity": 3}, headers=staff
        ).status_code
        == 200
    )


def test_availability_of_a_bench_includes_its_lab_and_instruments(client, make: Factory):
    lab = make.resource(name="Lab", kind="lab")
    bench = make.resource(name="Bench", kind="desk", parent_id=lab.id)
    scope = make.resource(name="Scope", kind="equipment", parent_id=bench.id)
    user = make.user()
    make.booking(lab, user, at(1, 9), at(1, 10))
    make.booking(scope, user, at(1, 14), at(1, 15))
    make.booking(bench, user, at(1, 16), at(1, 17), status="cancelled")
    response = client.get(
        f"/api/v1/resources/{bench.id}/availability?start=2026-12-01T08:00&end=2026-12-01T18:00",
        headers=make.headers(user),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["busy"] == [
        {"start": iso(at(1, 9)), "end": iso(at(1, 10))},
        {"start": iso(at(1, 14)), "end": iso(at(1, 15))},
    ]
    assert body["free"] == [
        {"start": iso(at(1, 8)), "end": iso(at(1, 9))},
        {"start": iso(at(1, 10)), "end": iso(at(1, 14))},
        {"start": iso(at(1, 15)), "end": iso(at(1, 18))},
    ]


def test_pool_is_busy_only_when_every_unit_is_taken(client, make: Factory):
    pool = make.resource(name="Hot desks", kind="desk", quantity=2)
    user = make.user()
    make.booking(pool, user, at(1, 9), at(1, 11))
    make.booking(pool, user, at(1, 10), at(1, 12))
    body = client.get(
        f"/api/v1/resources/{pool.id}/availability?start=2026-12-01T08:00&end=2026-12-01T13:00",
        headers=make.headers(user),
    ).get_json()
    assert body["busy"] == [{"start": iso(at(1, 10)), "end": iso(at(1, 11))}]


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-12-02T00:00&end=2026-12-01T00:00",
        "start=2026-12-01T00:00",
        "start=x&end=y",
        "start=2026-01-01T00:00&end=2027-06-01T00:00",
    ],
)
def test_bad_windows_are_422(client, make: Factory, query):
    room = make.resource()
    response = client.get(
        f"/api/v1/resources/{room.id}/availability?{query}", headers=make.headers(make.user())
    )
    assert response.status_code == 422


def test_search_finds_free_resources_earliest_fit_first_and_every_fit_books(client, make: Factory):
    user = make.user()
    headers = make.headers(user)
    small = make.resource(name="Small room", kind="room", capacity=4, features=["screen"])
    big = make.resource(
        name="Big room", kind="room", capacity=12, features=["screen", "video-conf"]
    )
    desk = make.resource(name="Desk", kind="desk", capacity=1)
    make.booking(big, user, at(1, 8), at(1, 10))
    make.booking(small, user, at(1, 8), at(1, 17))
    url = "/api/v1/availability?start=2026-12-01T08:00&end=2026-12-01T18:00&duration=PT1H30M"
    results = client.get(url + "&kind=room", headers=headers).get_json()["results"]
    assert [r["resource"]["name"] for r in results] == [
        "Big room"
    ]  # the small one has only 1h left
    assert results[0]["first_fit"] == {"start": iso(at(1, 10)), "end": iso(at(1, 11, 30))}
    everything = client.get(url, headers=headers).get_json()["results"]
    assert [r["resource"]["id"] for r in everything] == [desk.id, big.id]
    assert client.get(url + "&min_capacity=20", headers=headers).get_json()["results"] == []
    assert [
        r["resource"]["id"]
        for r in client.get(url + "&feature=video-conf", headers=headers).get_json()["results"]
    ] == [big.id]
    for match in everything:
        for free in match["free"]:
            start = datetime.fromisoformat(free["start"])
            body = {
                "resource_id": match["resource"]["id"],
                "start": free["start"],
                "end": free["end"],
                "title": "fit",
            }
            assert client.post("/api/v1/bookings", json=body, headers=headers).status_code == 201, (
                start
            )


def test_the_search_shuts_each_resource_by_its_own_its_ancestors_and_the_sites_closures(
    client, make: Factory, staff
):
    """The search works out closed time once per rules and closures alike: each room's
    free time in it is what its own availability says, whichever level a closure is on."""
    headers = make.headers(make.user())
    floors = [make.resource(name=f"Floor {n}", kind="floor", bookable=False) for n in (1, 2)]
    rooms = {
        (floor.name, n): make.resource(name=f"{floor.name} room {n}", parent_id=floor.id)
        for floor in floors
        for n in (1, 2, 3)
    }
    shut = [
        (None, at(1, 8), at(1, 9)),  # the site
        (floors[0].id, at(1, 12), at(1, 13)),  # a floor
        (rooms["Floor 1", 2].id, at(1, 15), at(1, 16)),  # one room, and one on the other floor
        (rooms["Floor 2", 3].id, at(1, 10), at(1, 11)),
    ]
    for resource_id, start, end in shut:
        body = {"resource_id": resource_id, "start": iso(start), "end": iso(end), "reason": "x"}
        assert client.post("/api/v1/closures", json=body, headers=staff).status_code == 201
    window = "start=2026-12-01T07:00&end=2026-12-01T18:00"
    found = client.get(f"/api/v1/availability?{window}&duration=PT1H", headers=headers)
    free = {r["resource"]["id"]: r["free"] for r in found.get_json()["results"]}
    assert set(free) == {room.id for room in rooms.values()}
    for room in rooms.values():
        alone = client.get(f"/api/v1/resources/{room.id}/availability?{window}", headers=headers)
        assert free[room.id] == alone.get_json()["free"], room.name
    assert free[rooms["Floor 1", 2].id] != free[rooms["Floor 1", 1].id]
    assert free[rooms["Floor 2", 1].id] != free[rooms["Floor 1", 1].id]


@pytest.mark.parametrize("duration", ["PT0S", "1 hour", "P1M", ""])
def test_search_refuses_bad_durations(client, make: Factory, duration):
    url = f"/api/v1/availability?start=2026-12-01T08:00&end=2026-12-01T18:00&duration={duration}"
    assert client.get(url, headers=make.headers(make.user())).status_code == 422


def test_window_and_page_size_follow_the_settings(app, client, make: Factory):
    app.config.update(API_MAX_WINDOW_DAYS=7, API_PAGE_SIZE=2)
    user = make.user()
    room = make.resource()
    headers = make.headers(user)
    base = f"/api/v1/resources/{room.id}/availability?start=2026-12-01T00:00"
    assert client.get(base + "&end=2026-12-08T00:00", headers=headers).status_code == 200
    too_long = client.get(base + "&end=2026-12-09T00:00", headers=headers)
    assert too_long.status_code == 422 and "7 days" in too_long.get_json()["errors"]["end"][0]
    for day in (1, 2, 3):
        make.booking(room, user, at(day, 9), at(day, 10))
    assert len(client.get("/api/v1/bookings", headers=headers).get_json()) == 2
    assert len(client.get("/api/v1/bookings?limit=3", headers=headers).get_json()) == 3


def test_the_catalogue_lists_floors_in_the_order_they_were_added(client, make: Factory):
    """Ids of different lengths (/1/9/ and /1/10/) sort as numbers, not as text."""
    building = make.resource(kind="building", name="HWIC", bookable=False)
    ground = make.resource(kind="floor", name="Ground floor", parent_id=building.id, bookable=False)
    for n in range(12):  # the next floors' ids get another digit
        make.resource(name=f"Room G.{n:02d}", kind="room", parent_id=ground.id)
    first = make.resource(kind="floor", name="First floor", parent_id=building.id, bookable=False)
    second = make.resource(kind="floor", name="Second floor", parent_id=building.id, bookable=False)
    assert len(str(ground.id)) < len(str(first.id))
    headers = make.headers(make.user())
    floors = client.get("/api/v1/resources?kind=floor", headers=headers).get_json()
    assert [f["name"] for f in floors] == ["Ground floor", "First floor", "Second floor"]
    everything = [r["id"] for r in client.get("/api/v1/resources", headers=headers).get_json()]
    assert everything.index(second.id) > everything.index(first.id) > everything.index(ground.id)
