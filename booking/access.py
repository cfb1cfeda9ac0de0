"""Roles as capabilities: the one place that knows what each role may do.

Services, views and templates ask ``can(actor, "approve")`` or ``require(actor,
"approve")``; none compares role names. Adding a role, or moving a right from one role
to another, is a change to ``CAPABILITIES`` alone. What a caller may *see* (tenant
isolation) is asked of the database by ``booking.services.access``, built on these.
"""

from __future__ import annotations

from typing import Literal, Protocol

from booking.errors import PermissionDeniedError

Role = Literal["admin", "facility_manager", "reception", "tenant_admin", "tenant_member"]
#: The contract's roles, most powerful first.
ROLES: tuple[Role, ...] = (
    "admin",
    "facility_manager",
    "reception",
    "tenant_admin",
    "tenant_member",
)

Capability = Literal[
    "see_catalogue",  # resources, their rules, availability and closures (everyone)
    "see_all",  # every booking, user, tenant and visitor in full (the centre's staff)
    "see_tenant",  # every booking and person of one's own tenant
    "book_for_anyone",
    "book_for_tenant",  # on behalf of members of one's own tenant
    "run_reception",  # occupancy, the day sheet, walk-ins, booking at any notice
    "manage_catalogue",  # resources, rules, closures, certifications
    "override_rules",
    "approve",  # decide bookings that need approval; one's own are confirmed at once
    "manage_people",  # tenants, users, other people's tokens
    "list_users",
    "read_outbox",  # the notification outbox and its failures
    "manage_displays",  # screens by the rooms and their secret URLs
    "print_codes",  # resources' QR codes and sheets of labels
    "see_charges",  # every tenant's charges (others see their own tenant's or their own)
    "close_months",  # close a month's charges for invoicing
    "read_audit",  # the audit log: who changed what, when
]

_EVERYONE: frozenset[Capability] = frozenset({"see_catalogue"})
_STAFF: frozenset[Capability] = _EVERYONE | {
    "see_all",
    "book_for_anyone",
    "run_reception",
    "list_users",
    "print_codes",
}
_MANAGER: frozenset[Capability] = _STAFF | {
    "manage_catalogue",
    "override_rules",
    "approve",
    "read_outbox",
    "manage_displays",
    "see_charges",
    "close_months",
    "read_audit",
}

#: What each role may do.
CAPABILITIES: dict[str, frozenset[Capability]] = {
    "admin": _MANAGER | {"manage_people"},
    "facility_manager": _MANAGER,
    "reception": _STAFF,
    "tenant_admin": _EVERYONE | {"see_tenant", "book_for_tenant", "list_users"},
    "tenant_member": _EVERYONE,
}

#: What a refusal says the caller tried to do, per capability.
_ACTIONS: dict[Capability, str] = {
    "see_catalogue": "see the catalogue",
    "see_all": "see everything in the centre",
    "see_tenant": "see your tenant's bookings",
    "book_for_anyone": "book for other people",
    "book_for_tenant": "book for members of your tenant",
    "run_reception": "run the front desk",
    "manage_catalogue": "change the catalogue",
    "override_rules": "override booking rules",
    "approve": "approve or reject bookings",
    "manage_people": "manage tenants and users",
    "list_users": "list users",
    "read_outbox": "read the notification outbox",
    "manage_displays": "manage displays",
    "print_codes": "print QR codes",
    "see_charges": "see every tenant's charges",
    "close_months": "close months for invoicing",
    "read_audit": "read the audit log",
}


class Actor(Protocol):
    """Anyone who acts: what the capabilities are judged on."""

    @property
    def role(self) -> str: ...


def can(actor: Actor | None, capability: Capability) -> bool:
    """True when ``actor``'s role grants ``capability`` (never for nobody)."""
    return actor is not None and capability in CAPABILITIES.get(actor.role, frozenset())


def require(actor: Actor, capability: Capability, action: str | None = None) -> None:
    """Refuse with 403 unless ``actor`` may ``capability``; ``action`` says what was
    tried, in words, where the capability's own wording is too general."""
    if not can(actor, capability):
        raise PermissionDeniedError(
            f"Your role ({actor.role}) may not {action or _ACTIONS[capability]}."
        )


def roles_that(capability: Capability) -> frozenset[str]:
    """Every role granting ``capability`` (for queries such as "who approves")."""
    return frozenset(role for role, granted in CAPABILITIES.items() if capability in granted)
