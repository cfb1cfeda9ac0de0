"""Every role against every action, as the contract's role list says.

Callers: the centre's three staff roles, and for tenants both "A" (the tenant owning
the booking under test) and "B" (a stranger tenant). The booking belongs to ``owner``,
a member of A; ``mate`` is another member of A, who may not see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import Booking, Notification, Resource, User
from tests.conftest import Factory, at, iso

CALLERS = (
    "admin",
    "facility_manager",
    "reception",
    "admin_A",
    "owner",
    "mate",
    "admin_B",
    "member_B",
)


@dataclass
class World:
    client: FlaskClient
    users: dict[str, User]
    headers: dict[str, dict[str, str]]
    room: Resource
    floor: Resource
    booking: Booking
    token_ids: dict[str, int]
    pending: Booking
    closure_id: int
    failed_message: int
    entry_id: int
    display_id: int
    visitor_id: int


@pytest.fixture
def world(client: FlaskClient, make: Factory) -> World:
    users = {
        "admin": make.user("admin"),
        "facility_manager": make.user("facility_manager"),
        "reception": make.user("reception"),
        "admin_A": make.user("tenant_admin", "Tenant A"),
        "owner": make.user("tenant_member", "Tenant A"),
        "mate": make.user("tenant_member", "Tenant A"),
        "admin_B": make.user("tenant_admin", "Tenant B"),
        "member_B": make.user("tenant_member", "Tenant B"),
    }
    headers = {name: make.headers(user) for name, user in users.items()}
    room = make.resource(name="Room", kind="room", capacity=10)
    floor = make.resource(name="Floor", kind="floor", bookable=False)
    booking = make.booking(room, users["owner"], at(1, 9), at(1, 10))
    owner_token = client.post(f"/api/v1/users/{users['owner'].id}/tokens", headers=headers["owner"])
    pending = make.booking(room, users["owner"], at(1, 11), at(1, 12), status="pending")
    manager = headers["facility_manager"]
    closure = client.post(
        "/api/v1/closures",
        json={
            "resource_id": room.id,
            "start": iso(at(20, 0)),
            "end": iso(at(21, 0)),
            "reason": "x",
        },
        headers=manager,
    )
    client.post(
        f"/api/v1/users/{users['owner'].id}/certifications", json={"code": "cl2"}, headers=manager
    )
    with make.app.app_context():
        message = Notification(
            kind="confirmed",
            user_id=users["owner"].id,
            to_address=users["owner"].email,
            subject="Confirmed",
            payload={},
            status="failed",
            attempts=8,
            next_attempt_at=at(1, 0),
            created_at=at(1, 0),
        )
        db.session.add(message)
        db.session.commit()
        failed_message = message.id
    waiting = client.post("/api/v1/waitlist", json=new_booking_at(room.id, at(1, 9), at(1, 10)),
                          headers=headers["owner"])  # fmt: skip
    display = client.post(
        "/api/v1/displays", json={"resource_id": room.id, "name": "Door"}, headers=manager
    )
    visitor = client.post(
        "/api/v1/visitors",
        json={"name": "Guest", "expected_at": iso(at(1, 10))},
        headers=headers["owner"],
    )
    return World(
        client,
        users,
        headers,
        room,
        floor,
        booking,
        {"owner": owner_token.get_json()["id"]},
        pending,
        closure.get_json()["id"],
        failed_message,
        waiting.get_json()["id"],
        display.get_json()["id"],
        visitor.get_json()["id"],
    )


def new_booking_at(resource_id: int, start: Any, end: Any) -> dict[str, Any]:
    return {"resource_id": resource_id, "start": iso(start), "end": iso(end), "title": "t"}


def new_booking(w: World, **extra: Any) -> dict[str, Any]:
    hour = 11 + len(extra)
    return {
        "resource_id": w.room.id,
        "start": iso(at(2, hour)),
        "end": iso(at(2, hour + 1)),
        "title": "t",
        **extra,
    }


Action = Callable[[World, str], Any]

ACTIONS: dict[str, tuple[Action, dict[str, int]]] = {
    "who am I": (
        lambda w, c: w.client.get("/api/v1/me", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 200),
    ),
    "export the owner's data": (
        lambda w, c: w.client.get(
            f"/api/v1/users/{w.users['owner'].id}/export", headers=w.headers[c]
        ),
        {
            **dict.fromkeys(CALLERS, 404),
            "admin": 200,
            "facility_manager": 403,
            "reception": 403,
            "owner": 200,
        },
    ),
    "deactivate member B": (
        lambda w, c: w.client.patch(
            f"/api/v1/users/{w.users['member_B'].id}", json={"active": False}, headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 200},
    ),
    "erase member B's data": (
        lambda w, c: w.client.post(
            f"/api/v1/users/{w.users['member_B'].id}/erase", headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 200},
    ),
    "read the audit log": (
        lambda w, c: w.client.get(f"/api/v1/audit?booking_id={w.booking.id}", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
    ),
    "list tenants": (
        lambda w, c: w.client.get("/api/v1/tenants", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 200),
    ),
    "create tenant": (
        lambda w, c: w.client.post(
            "/api/v1/tenants", json={"name": f"New {c}"}, headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 201},
    ),
    "list users": (
        lambda w, c: w.client.get("/api/v1/users", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 200), "owner": 403, "mate": 403, "member_B": 403},
    ),
    "create user": (
        lambda w, c: w.client.post(
            "/api/v1/users",
            json={"email": f"new-{c}@x.test", "name": "N", "role": "reception"},
            headers=w.headers[c],
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 201},
    ),
    "token for self": (
        lambda w, c: w.client.post(f"/api/v1/users/{w.users[c].id}/tokens", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 201),
    ),
    "token for the owner": (
        lambda w, c: w.client.post(
            f"/api/v1/users/{w.users['owner'].id}/tokens", headers=w.headers[c]
        ),
        {
            **dict.fromkeys(CALLERS, 404),
            "admin": 201,
            "facility_manager": 403,
            "reception": 403,
            "owner": 201,
        },
    ),
    "revoke the owner's token": (
        lambda w, c: w.client.delete(
            f"/api/v1/tokens/{w.token_ids['owner']}", headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 404), "admin": 204, "owner": 204},
    ),
    "create resource": (
        lambda w, c: w.client.post(
            "/api/v1/resources", json={"name": "R", "kind": "room"}, headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 201, "facility_manager": 201},
    ),
    "patch resource": (
        lambda w, c: w.client.patch(
            f"/api/v1/resources/{w.room.id}", json={"capacity": 12}, headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
    ),
    "read resources": (
        lambda w, c: w.client.get(f"/api/v1/resources/{w.room.id}", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 200),
    ),
    "availability": (
        lambda w, c: w.client.get(
            f"/api/v1/resources/{w.room.id}/availability?start=2026-12-01T00:00&end=2026-12-02T00:00",
            headers=w.headers[c],
        ),
        dict.fromkeys(CALLERS, 200),
    ),
    "get the booking": (
        lambda w, c: w.client.get(f"/api/v1/bookings/{w.booking.id}", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 200), "mate": 404, "admin_B": 404, "member_B": 404},
    ),
    "patch the booking": (
        lambda w, c: w.client.patch(
            f"/api/v1/bookings/{w.booking.id}", json={"title": c}, headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 200), "mate": 404, "admin_B": 404, "member_B": 404},
    ),
    "cancel the booking": (
        lambda w, c: w.client.post(f"/api/v1/bookings/{w.booking.id}/cancel", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 200), "mate": 404, "admin_B": 404, "member_B": 404},
    ),
    "book for self": (
        lambda w, c: w.client.post("/api/v1/bookings", json=new_booking(w), headers=w.headers[c]),
        dict.fromkeys(CALLERS, 201),
    ),
    "book for a member of tenant A": (
        lambda w, c: w.client.post(
            "/api/v1/bookings",
            json=new_booking(w, on_behalf_of=w.users["mate"].id),
            headers=w.headers[c],
        ),
        {
            **dict.fromkeys(CALLERS, 403),
            "admin": 201,
            "facility_manager": 201,
            "reception": 201,
            "admin_A": 201,
            "mate": 201,
        },
    ),
    "book for a stranger's member": (
        lambda w, c: w.client.post(
            "/api/v1/bookings",
            json=new_booking(w, on_behalf_of=w.users["member_B"].id),
            headers=w.headers[c],
        ),
        {
            **dict.fromkeys(CALLERS, 403),
            "admin": 201,
            "facility_manager": 201,
            "reception": 201,
            "admin_B": 201,
            "member_B": 201,
        },
    ),
    "book for someone who does not exist": (
        lambda w, c: w.client.post(
            "/api/v1/bookings", json=new_booking(w, on_behalf_of=99999), headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 422, "facility_manager": 422, "reception": 422},
    ),
    "override rules": (
        lambda w, c: w.client.post(
            "/api/v1/bookings",
            json={**new_booking(w, override_rules=True), "resource_id": w.floor.id},
            headers=w.headers[c],
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 201, "facility_manager": 201},
    ),
    "approve the pending booking": (
        lambda w, c: w.client.post(
            f"/api/v1/bookings/{w.pending.id}/approve", json={}, headers=w.headers[c]
        ),
        {
            **dict.fromkeys(CALLERS, 403),
            "admin": 200,
            "facility_manager": 200,
            "mate": 404,
            "admin_B": 404,
            "member_B": 404,
        },
    ),
    "reject the pending booking": (
        lambda w, c: w.client.post(
            f"/api/v1/bookings/{w.pending.id}/reject", json={"reason": "no"}, headers=w.headers[c]
        ),
        {
            **dict.fromkeys(CALLERS, 403),
            "admin": 200,
            "facility_manager": 200,
            "mate": 404,
            "admin_B": 404,
            "member_B": 404,
        },
    ),
    "list closures": (
        lambda w, c: w.client.get("/api/v1/closures", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 200),
    ),
    "create closure": (
        lambda w, c: w.client.post(
            "/api/v1/closures",
            json={"start": iso(at(22, 0)), "end": iso(at(23, 0)), "reason": "Maintenance"},
            headers=w.headers[c],
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 201, "facility_manager": 201},
    ),
    "delete closure": (
        lambda w, c: w.client.delete(f"/api/v1/closures/{w.closure_id}", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 204, "facility_manager": 204},
    ),
    "read the owner's certifications": (
        lambda w, c: w.client.get(
            f"/api/v1/users/{w.users['owner'].id}/certifications", headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 200), "mate": 404, "admin_B": 404, "member_B": 404},
    ),
    "certify the owner": (
        lambda w, c: w.client.post(
            f"/api/v1/users/{w.users['owner'].id}/certifications",
            json={"code": "pcr", "expires_on": "2027-06-30"},
            headers=w.headers[c],
        ),
        {
            **dict.fromkeys(CALLERS, 403),
            "admin": 201,
            "facility_manager": 201,
            "mate": 404,
            "admin_B": 404,
            "member_B": 404,
        },
    ),
    "revoke the owner's certification": (
        lambda w, c: w.client.delete(
            f"/api/v1/users/{w.users['owner'].id}/certifications/cl2", headers=w.headers[c]
        ),
        {
            **dict.fromkeys(CALLERS, 403),
            "admin": 204,
            "facility_manager": 204,
            "mate": 404,
            "admin_B": 404,
            "member_B": 404,
        },
    ),
    "read own notification preferences": (
        lambda w, c: w.client.get("/api/v1/me/preferences", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 200),
    ),
    "change own notification preferences": (
        lambda w, c: w.client.patch(
            "/api/v1/me/preferences", json={"reminders": False}, headers=w.headers[c]
        ),
        dict.fromkeys(CALLERS, 200),
    ),
    "list the mail outbox": (
        lambda w, c: w.client.get("/api/v1/notifications", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
    ),
    "join the waitlist": (
        lambda w, c: w.client.post(
            "/api/v1/waitlist",
            json=new_booking_at(w.room.id, at(1, 9), at(1, 10)),
            headers=w.headers[c],
        ),
        {**dict.fromkeys(CALLERS, 201), "owner": 409},  # the owner is waiting already
    ),
    "list the waitlist": (
        lambda w, c: w.client.get("/api/v1/waitlist", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 200),
    ),
    "read the owner's waitlist entry": (
        lambda w, c: w.client.get(f"/api/v1/waitlist/{w.entry_id}", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 200), "mate": 404, "admin_B": 404, "member_B": 404},
    ),
    "take the owner off the waitlist": (
        lambda w, c: w.client.delete(f"/api/v1/waitlist/{w.entry_id}", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 200), "mate": 404, "admin_B": 404, "member_B": 404},
    ),
    "register a display": (
        lambda w, c: w.client.post(
            "/api/v1/displays", json={"resource_id": w.room.id, "name": "d"}, headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 201, "facility_manager": 201},
    ),
    "list displays": (
        lambda w, c: w.client.get("/api/v1/displays", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
    ),
    "switch a display off": (
        lambda w, c: w.client.delete(f"/api/v1/displays/{w.display_id}", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 204, "facility_manager": 204},
    ),
    "read a resource's QR code": (
        lambda w, c: w.client.get(f"/api/v1/resources/{w.room.id}/qr.svg", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200, "reception": 200},
    ),
    "register a visitor": (
        lambda w, c: w.client.post(
            "/api/v1/visitors",
            json={"name": "V", "expected_at": iso(at(1, 11))},
            headers=w.headers[c],
        ),
        dict.fromkeys(CALLERS, 201),
    ),
    "list visitors": (
        lambda w, c: w.client.get("/api/v1/visitors", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 200),
    ),
    "count visitors": (
        lambda w, c: w.client.get(
            "/api/v1/visitors/counts?from=2026-12-01&to=2026-12-31", headers=w.headers[c]
        ),
        dict.fromkeys(CALLERS, 200),
    ),
    "read the owner's visitor": (
        lambda w, c: w.client.get(f"/api/v1/visitors/{w.visitor_id}", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 200), "admin_B": 404, "member_B": 404},
    ),
    "sign the owner's visitor in": (
        lambda w, c: w.client.post(f"/api/v1/visitors/{w.visitor_id}/arrive", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200, "reception": 200},
    ),
    "sign the owner's visitor out (not in yet)": (
        lambda w, c: w.client.post(f"/api/v1/visitors/{w.visitor_id}/leave", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 409, "facility_manager": 409, "reception": 409},
    ),
    "cancel the owner's visitor": (
        lambda w, c: w.client.post(f"/api/v1/visitors/{w.visitor_id}/cancel", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 200), "admin_B": 404, "member_B": 404},
    ),
    "retry a failed message": (
        lambda w, c: w.client.post(
            f"/api/v1/notifications/{w.failed_message}/retry", headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
    ),
    "read the usage report": (
        lambda w, c: w.client.get(
            "/api/v1/reports/usage?from=2026-12-01&to=2026-12-31&group_by=tenant",
            headers=w.headers[c],
        ),
        dict.fromkeys(CALLERS, 200),
    ),
    "read the usage report as CSV": (
        lambda w, c: w.client.get(
            "/api/v1/reports/usage?from=2026-12-01&to=2026-12-31",
            headers={**w.headers[c], "Accept": "text/csv"},
        ),
        dict.fromkeys(CALLERS, 200),
    ),
    "read the charges": (
        lambda w, c: w.client.get(
            "/api/v1/reports/charges?from=2026-12-01&to=2026-12-31", headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 200), "reception": 403},
    ),
    "read tenant B's charges as CSV": (
        lambda w, c: w.client.get(
            "/api/v1/reports/charges?from=2026-12-01&to=2026-12-31"
            f"&tenant_id={w.users['member_B'].tenant_id}",
            headers={**w.headers[c], "Accept": "text/csv"},
        ),
        {
            **dict.fromkeys(CALLERS, 403),
            "admin": 200,
            "facility_manager": 200,
            "admin_B": 200,
            "member_B": 200,
        },
    ),  # fmt: skip
    "read the funder report as CSV": (
        lambda w, c: w.client.get(
            "/api/v1/reports/funder?from=2026-10-01&to=2026-12-31",
            headers={**w.headers[c], "Accept": "text/csv"},
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200, "reception": 200},
    ),
    "close a month": (
        lambda w, c: w.client.post(
            "/api/v1/billing/periods", json={"month": "2026-10"}, headers=w.headers[c]
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 201, "facility_manager": 201},
    ),
    "list the closed months": (
        lambda w, c: w.client.get("/api/v1/billing/periods", headers=w.headers[c]),
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
    ),
    "set tenant A's sector and tier": (
        lambda w, c: w.client.patch(
            f"/api/v1/tenants/{w.users['owner'].tenant_id}",
            json={"sector": "nhs", "rate_tier": "nhs"},
            headers=w.headers[c],
        ),
        {**dict.fromkeys(CALLERS, 403), "admin": 200},
    ),
    "read the metrics": (
        lambda w, c: w.client.get("/metrics", headers=w.headers[c]),
        dict.fromkeys(CALLERS, 200),
    ),
}

CASES = [(action, caller) for action in ACTIONS for caller in CALLERS]


@pytest.mark.parametrize(("action", "caller"), CASES, ids=[f"{a}-{c}" for a, c in CASES])
def test_role_may_or_may_not(world: World, action: str, caller: str):
    perform, expected = ACTIONS[action]
    response = perform(world, caller)
    assert response.status_code == expected[caller], response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.content_type == "application/problem+json"


def test_the_metrics_name_no_tenant_person_or_booking(world: World):
    text = world.client.get("/metrics").get_data(as_text=True)
    assert "booking_http_requests_total" in text
    secrets = [world.booking.title, *(u.email for u in world.users.values())]
    secrets += [u.name for u in world.users.values()]
    assert not [secret for secret in secrets if secret and secret in text]


#: Whose bookings and waitlist entries each caller sees, of the owner's, mate's and member_B's.
WHO_SEES_WHOM = [
    ("admin", {"owner", "mate", "member_B"}),
    ("reception", {"owner", "mate", "member_B"}),
    ("admin_A", {"owner", "mate"}),
    ("mate", {"mate"}),
    ("member_B", {"member_B"}),
]


@pytest.mark.parametrize(("caller", "sees"), WHO_SEES_WHOM)
def test_booking_list_shows_only_what_the_caller_may_see(world: World, make: Factory, caller, sees):
    make.booking(world.room, world.users["mate"], at(3, 9), at(3, 10))
    make.booking(world.room, world.users["member_B"], at(3, 11), at(3, 12))
    listed = world.client.get("/api/v1/bookings", headers=world.headers[caller]).get_json()
    owners = {name for name, user in world.users.items() for b in listed if b["user_id"] == user.id}
    assert owners == sees


def test_tenant_people_see_only_their_own_tenant(world: World):
    names = [
        t["name"]
        for t in world.client.get("/api/v1/tenants", headers=world.headers["mate"]).get_json()
    ]
    assert names == ["Tenant A"]
    users = world.client.get("/api/v1/users", headers=world.headers["admin_B"]).get_json()
    assert {u["email"] for u in users} == {
        world.users["admin_B"].email,
        world.users["member_B"].email,
    }


def test_revoked_token_is_refused_at_once(world: World):
    issued = world.client.post(
        f"/api/v1/users/{world.users['mate'].id}/tokens", headers=world.headers["mate"]
    )
    token = issued.get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/tenants", headers=auth).status_code == 200
    world.client.delete(f"/api/v1/tokens/{issued.get_json()['id']}", headers=auth)
    refused = world.client.get("/api/v1/tenants", headers=auth)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz"])
def test_missing_or_invalid_token_is_401(client: FlaskClient, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/bookings", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(("caller", "sees"), WHO_SEES_WHOM)
def test_waitlist_shows_only_what_the_caller_may_see(world: World, caller, sees):
    for name in ("mate", "member_B"):
        joined = world.client.post(
            "/api/v1/waitlist",
            json=new_booking_at(world.room.id, at(1, 9), at(1, 10)),
            headers=world.headers[name],
        )
        assert joined.status_code == 201
    listed = world.client.get("/api/v1/waitlist", headers=world.headers[caller]).get_json()
    waiting = {
        name for name, user in world.users.items() for e in listed if e["user_id"] == user.id
    }
    assert waiting == sees


@pytest.mark.parametrize(("caller", "sees"), WHO_SEES_WHOM)
def test_charges_and_usage_show_only_what_the_caller_may_see(
    world: World, make: Factory, caller, sees
):
    rated = make.resource(name="Rated", rules={"rates": {"standard": 1000}})
    for name, day in (("owner", 7), ("mate", 8), ("member_B", 9)):
        make.booking(rated, world.users[name], at(day, 9), at(day, 10), title=f"{name}'s secret")
    query = "from=2026-12-01&to=2026-12-31"
    headers = world.headers[caller]
    usage = world.client.get(f"/api/v1/reports/usage?{query}&group_by=resource", headers=headers)
    [row] = [g for g in usage.get_json()["groups"] if g["key"] == rated.id]
    assert (row["bookings"], row["people"]) == (len(sees), len(sees))
    answer = world.client.get(f"/api/v1/reports/charges?{query}", headers=headers)
    if caller == "reception":
        assert answer.status_code == 403
        return
    lines = [line for line in answer.get_json()["lines"] if line["resource_id"] == rated.id]
    assert len(lines) == len(sees)
    assert {line["tenant_id"] for line in lines} == {world.users[n].tenant_id for n in sees}
    as_csv = world.client.get(
        f"/api/v1/reports/charges?{query}", headers={**headers, "Accept": "text/csv"}
    ).get_data(as_text=True)
    assert "secret" not in as_csv
    seen_tenants = {"Tenant B" if n == "member_B" else "Tenant A" for n in sees}
    for tenant in {"Tenant A", "Tenant B"} - seen_tenants:
        assert tenant not in as_csv


@pytest.fixture
def callers(make: Factory) -> dict[str, User]:
    """The callers alone, for the pages (no bookings needed to reach them)."""
    return {
        "admin": make.user("admin", None),
        "facility_manager": make.user("facility_manager", None),
        "reception": make.user("reception", None),
        "admin_A": make.user("tenant_admin", "Tenant A"),
        "owner": make.user("tenant_member", "Tenant A"),
        "mate": make.user("tenant_member", "Tenant A"),
        "admin_B": make.user("tenant_admin", "Tenant B"),
        "member_B": make.user("tenant_member", "Tenant B"),
    }


def page_client(make: Factory, user: User) -> FlaskClient:
    client = make.app.test_client()
    with client.session_transaction() as session:
        session["user_id"], session["version"] = user.id, 0
    return client


_STAFF_ONLY = {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200,
               "reception": 200}  # fmt: skip
#: Pages (signed in with the session cookie) and what each caller gets.
PAGES: dict[str, tuple[Callable[[dict[str, User]], str], dict[str, int]]] = {
    "the usage reports page": (lambda u: "/staff/reports", _STAFF_ONLY),
    "the usage CSV by tenant": (lambda u: "/staff/reports/usage-by-tenant.csv", _STAFF_ONLY),
    "the funder report page": (lambda u: "/staff/funder", _STAFF_ONLY),
    "the funder report CSV": (lambda u: "/staff/funder.csv", _STAFF_ONLY),
    "this month's statement": (
        lambda u: "/statement",
        {**dict.fromkeys(CALLERS, 200), "reception": 403},
    ),
    "tenant B's statement as CSV": (
        lambda u: f"/statement.csv?tenant_id={u['member_B'].tenant_id}",
        {
            **dict.fromkeys(CALLERS, 403),
            "admin": 200,
            "facility_manager": 200,
            "admin_B": 200,
            "member_B": 200,
        },
    ),  # fmt: skip
}
PAGES.update(
    {
        "my calendar": (lambda u: "/calendar?view=month", dict.fromkeys(CALLERS, 200)),
        "my day": (lambda u: "/calendar?view=day", dict.fromkeys(CALLERS, 200)),
        "one's account": (lambda u: "/account", dict.fromkeys(CALLERS, 200)),
        "one's own data": (lambda u: "/account/data.json", dict.fromkeys(CALLERS, 200)),
        "the training page": (
            lambda u: "/staff/training",
            {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
        ),
        "the organisations page": (
            lambda u: "/staff/tenants",
            {**dict.fromkeys(CALLERS, 403), "admin": 200},
        ),
        "member B's page": (
            lambda u: f"/staff/people/{u['member_B'].id}",
            {**dict.fromkeys(CALLERS, 403), "admin": 200},
        ),
        "the people page": (
            lambda u: "/staff/people",
            {**dict.fromkeys(CALLERS, 403), "admin": 200},
        ),
        "member B's data": (
            lambda u: f"/staff/people/{u['member_B'].id}/data.json",
            {**dict.fromkeys(CALLERS, 403), "admin": 200},
        ),
        "the audit log page": (
            lambda u: "/staff/audit",
            {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
        ),
        "the team page": (
            lambda u: "/team",
            {**dict.fromkeys(CALLERS, 403), "admin_A": 200, "admin_B": 200},
        ),
    }
)
PAGE_CASES = [(page, caller) for page in PAGES for caller in CALLERS]


@pytest.mark.parametrize(("page", "caller"), PAGE_CASES, ids=[f"{p}-{c}" for p, c in PAGE_CASES])
def test_role_may_or_may_not_open_the_page(
    make: Factory, callers: dict[str, User], page: str, caller: str
):
    path, expected = PAGES[page]
    answer = page_client(make, callers[caller]).get(path(callers))
    assert answer.status_code == expected[caller], answer.get_data(as_text=True)[:300]


@pytest.mark.parametrize(("caller", "sees"), WHO_SEES_WHOM)
def test_statement_pages_show_only_the_money_the_caller_may_see(
    world: World, make: Factory, caller, sees
):
    rated = make.resource(name="Rated", rules={"rates": {"standard": 1000}})
    for name, day in (("owner", 7), ("mate", 8), ("member_B", 9)):
        made = make.booking(rated, world.users[name], at(day, 9), at(day, 10))
        with make.app.app_context():
            db.session.get(Booking, made.id).cost_code = f"CODE-{name}"
            db.session.commit()
    client = page_client(make, world.users[caller])
    page = client.get("/statement?month=2026-12")
    if caller == "reception":
        assert page.status_code == 403
        return
    html = page.get_data(as_text=True)
    as_csv = client.get("/statement.csv?month=2026-12").get_data(as_text=True)
    for name in ("owner", "mate", "member_B"):
        assert (f"CODE-{name}" in html) == (name in sees)
        assert (f"CODE-{name}" in as_csv) == (name in sees)
    seen_tenants = {"Tenant B" if n == "member_B" else "Tenant A" for n in sees}
    for tenant in {"Tenant A", "Tenant B"} - seen_tenants:
        assert tenant not in as_csv and tenant not in html


@pytest.mark.parametrize(("caller", "sees"), WHO_SEES_WHOM)
def test_calendar_pages_show_only_the_titles_the_caller_may_see(
    world: World, make: Factory, caller, sees
):
    for name, day in (("owner", 7), ("mate", 8), ("member_B", 9)):
        make.booking(world.room, world.users[name], at(day, 9), at(day, 10), title=f"T-{name}")
    client = page_client(make, world.users[caller])
    week = client.get(f"/calendar?resource={world.room.id}&date=2026-12-08").get_data(as_text=True)
    for name in ("owner", "mate", "member_B"):
        assert (f"T-{name}" in week) == (name in sees), name
    assert week.count("Booked") == 3 - len(sees)
    mine = client.get("/calendar?date=2026-12-08").get_data(as_text=True)
    for name in ("owner", "mate", "member_B"):
        assert (f"T-{name}" in mine) == (name == caller), name


RESOURCE_PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "a resource's rules in force": ("/staff/resources/{id}", _STAFF_ONLY),
    "changing a resource": (
        "/staff/resources/{id}/edit",
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
    ),
    "the rules editor": (
        "/staff/resources/{id}/rules",
        {**dict.fromkeys(CALLERS, 403), "admin": 200, "facility_manager": 200},
    ),
    "a resource's week": ("/calendar?resource={id}", dict.fromkeys(CALLERS, 200)),
    "its booking form": ("/book/{id}", dict.fromkeys(CALLERS, 200)),
}
RESOURCE_CASES = [(p, c) for p in RESOURCE_PAGES for c in CALLERS]


@pytest.mark.parametrize(
    ("page", "caller"), RESOURCE_CASES, ids=[f"{p}-{c}" for p, c in RESOURCE_CASES]
)
def test_role_may_or_may_not_open_a_resources_page(
    make: Factory, callers: dict[str, User], page: str, caller: str
):
    room = make.resource(name="Room")
    path, expected = RESOURCE_PAGES[page]
    answer = page_client(make, callers[caller]).get(path.format(id=room.id))
    assert answer.status_code == expected[caller], answer.get_data(as_text=True)[:300]
