"""The demo catalogue of the Health and Wellbeing Innovation Centre, and demo people.

Seeding is idempotent: resources are found by name under their parent, people by
e-mail, so running it again adds only what is missing. Demo tokens are derived from
the installation's secret key, so each run prints the same working tokens without
storing them anywhere but as digests.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from booking.extensions import db
from booking.models import ApiToken, Resource, Tenant, User
from booking.services.catalogue import add_resource
from booking.services.core import transactional
from booking.services.people import TOKEN_PREFIX, add_user, digest, set_password_now

LAB_HOURS = {day: ["08:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
#: Pence per hour by rate tier: labs, and everything else in the building.
LAB_RATES = {"standard": 4500, "nhs": 3000, "academic": 3500, "third_sector": 2000}
DESK_AND_ROOM_RATES = {"standard": 1500, "nhs": 1000, "academic": 1200, "third_sector": 600}
#: Each demo tenant's sector (as the funder counts it) and rate tier.
TENANTS = {
    "Calder Diagnostics": ("private", "standard"),
    "Pennine Digital Health": ("nhs", "nhs"),
    "Holme Valley Biologics": ("university", "academic"),
}
BUILDING_HOURS = {
    **{day: ["07:00-21:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": ["09:00-17:00"],
}


@dataclass
class Node:
    """A resource of the demo tree and its children."""

    name: str
    kind: str
    bookable: bool = True
    capacity: int | None = None
    quantity: int = 1
    features: list[str] = field(default_factory=list)
    rules: dict[str, Any] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)


def _wet_lab(number: str, name: str) -> Node:
    return Node(
        f"Wet Lab {number} — {name}",
        "lab",
        capacity=8,
        features=["wet-lab", "containment-level-2", "fume-hood"],
        rules={
            "opening_hours": LAB_HOURS,
            "closed_on_bank_holidays": True,
            "buffer_after": "PT30M",
            "quota": [{"scope": "tenant", "period": "month", "hours": 40}],
            "rates": LAB_RATES,
            "charge_basis": "used",
            "minimum_charge_minutes": 60,
        },
        children=[
            Node(f"Bench {number}A", "desk", capacity=2, features=["lab-bench", "sink"]),
            Node(f"Bench {number}B", "desk", capacity=2, features=["lab-bench"]),
            Node(
                f"Class II biosafety cabinet ({number})",
                "equipment",
                features=["biosafety-cabinet"],
                rules={"required_certification": "biosafety-cabinet"},
            ),
            Node(
                f"PCR thermocycler ({number})",
                "equipment",
                features=["pcr"],
                rules={"max_duration": "PT8H"},
            ),
        ],
    )


CATALOGUE = Node(
    "Health and Wellbeing Innovation Centre",
    "building",
    bookable=False,
    rules={
        "opening_hours": BUILDING_HOURS,
        "min_duration": "PT15M",
        "slot": "PT15M",
        "max_advance": "P180D",
        "closed_on_bank_holidays": True,
        "rates": DESK_AND_ROOM_RATES,
        "late_cancel_within": "PT24H",
        "late_cancel_percent": 50,
    },
    children=[
        Node(
            "Ground floor",
            "floor",
            bookable=False,
            children=[
                Node(
                    "The Atrium",
                    "event_space",
                    capacity=120,
                    features=["av", "staging", "catering"],
                    rules={"requires_approval": True},
                ),
                Node(
                    "G.01 Colne meeting room", "room", capacity=8, features=["screen", "video-conf"]
                ),
                Node(
                    "G.02 Holme meeting room",
                    "room",
                    capacity=12,
                    features=["screen", "video-conf", "whiteboard"],
                ),
            ],
        ),
        Node(
            "First floor",
            "floor",
            bookable=False,
            children=[
                _wet_lab("1.10", "Cell biology"),
                _wet_lab("1.20", "Molecular diagnostics"),
                Node(
                    "Imaging suite 1.30",
                    "lab",
                    capacity=4,
                    features=["dark-room"],
                    rules={"opening_hours": LAB_HOURS},
                    children=[
                        Node(
                            "Fluorescence microscope",
                            "equipment",
                            features=["microscope", "fluorescence"],
                            rules={
                                "required_certification": "fluorescence-microscopy",
                                "check_in": {"required": True, "grace": "PT15M"},
                            },
                        )
                    ],
                ),
                Node("1.40 Calder meeting room", "room", capacity=6, features=["screen"]),
            ],
        ),
        Node(
            "Second floor",
            "floor",
            bookable=False,
            children=[
                Node(
                    "Digital Lab 2.05",
                    "lab",
                    capacity=16,
                    features=["dry-lab", "gpu-workstations", "screen"],
                ),
                Node(
                    "Usability lab 2.08",
                    "lab",
                    capacity=6,
                    features=["dry-lab", "observation-room", "recording"],
                ),
                Node(
                    "Co-working zone",
                    "zone",
                    bookable=False,
                    children=[
                        Node(
                            "Hot desks",
                            "desk",
                            capacity=12,
                            quantity=12,
                            features=["hot-desk", "monitor"],
                            rules={"check_in": {"required": True, "grace": "PT30M"}},
                        ),
                        *(
                            Node(
                                f"Desk 2.{n:02d}",
                                "desk",
                                capacity=1,
                                features=["monitor", "standing"],
                            )
                            for n in range(1, 7)
                        ),
                    ],
                ),
                Node("2.10 Castle Hill meeting room", "room", capacity=6, features=["screen"]),
            ],
        ),
    ],
)

#: (e-mail, name, role, tenant)
PEOPLE = [
    ("admin@hwic.example", "Alex Admin", "admin", None),
    ("facilities@hwic.example", "Farah Facilities", "facility_manager", None),
    ("reception@hwic.example", "Rhys Reception", "reception", None),
    ("ana@calder-diagnostics.example", "Ana Calder", "tenant_admin", "Calder Diagnostics"),
    ("ben@calder-diagnostics.example", "Ben Okafor", "tenant_member", "Calder Diagnostics"),
    ("cara@pennine-health.example", "Cara Lindqvist", "tenant_admin", "Pennine Digital Health"),
    ("dev@pennine-health.example", "Dev Patel", "tenant_member", "Pennine Digital Health"),
    ("hana@holme-biologics.example", "Hana Sato", "tenant_member", "Holme Valley Biologics"),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: str
    tenant: str | None
    token: str
    password: str


def _ensure_resource(node: Node, parent: Resource | None, now: datetime) -> None:
    parent_id = parent.id if parent else None
    same_parent = (
        Resource.parent_id.is_(None) if parent is None else Resource.parent_id == parent_id
    )
    resource = db.session.scalar(select(Resource).where(Resource.name == node.name, same_parent))
    if resource is None:
        resource = add_resource(
            {
                "name": node.name,
                "kind": node.kind,
                "parent_id": parent_id,
                "bookable": node.bookable,
                "capacity": node.capacity,
                "quantity": node.quantity,
                "features": node.features,
                "rules": node.rules,
            },
            now,
        )
    for child in node.children:
        _ensure_resource(child, resource, now)


def demo_token(secret: str, email: str) -> str:
    """The demo token of ``email``: stable for one installation, unguessable elsewhere."""
    mac = hmac.new(secret.encode(), f"demo-token:{email}".encode(), hashlib.sha256).hexdigest()
    return f"{TOKEN_PREFIX}demo_{mac[:40]}"


def demo_password(secret: str, email: str) -> str:
    """The demo password of ``email`` for the web pages, stable for one installation."""
    mac = hmac.new(secret.encode(), f"demo-password:{email}".encode(), hashlib.sha256)
    return f"demo-{mac.hexdigest()[:10]}"


def _ensure_token(user: User, raw: str, now: datetime) -> None:
    if db.session.scalar(select(ApiToken.id).where(ApiToken.digest == digest(raw))) is None:
        db.session.add(ApiToken(user_id=user.id, digest=digest(raw), created_at=now))


@transactional
def seed_demo(secret: str, now: datetime) -> list[DemoUser]:
    """Create whatever of the demo catalogue and people is missing; return the demo logins."""
    _ensure_resource(CATALOGUE, None, now)
    demo: list[DemoUser] = []
    for email, name, role, tenant in PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = add_user(email, name, role, now, tenant_name=tenant)
        token = demo_token(secret, email)
        _ensure_token(user, token, now)
        password = demo_password(secret, email)
        if not user.password_hash:  # a password set since is kept
            set_password_now(user, password)
        demo.append(DemoUser(email, role, tenant, token, password))
    for tenant_row in db.session.scalars(select(Tenant).where(Tenant.name.in_(list(TENANTS)))):
        if tenant_row.sector == "private" and tenant_row.rate_tier == "standard":  # as made
            tenant_row.sector, tenant_row.rate_tier = TENANTS[tenant_row.name]
    return demo
