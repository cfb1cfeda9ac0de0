"""Who hears what: one pure function of what happened, the people and their choices.

The booker and, where different, the person booked for hear about their booking; a
cancellation only when someone else made it (whoever cancels knows). Approvers hear of
each booking waiting for them. A person who switched a topic off hears nothing of it.
No database, no Flask: tested on plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "confirmed",  # booked, approved, or a hold confirmed
    "requested",  # waiting for approval (to the booker)
    "approval_needed",  # to each approver
    "changed",
    "cancelled",
    "rejected",
    "expired",  # not approved in time
    "released",  # a no-show
    "reminder",
    "offered",  # freed time held for someone on the waitlist
    "visitor_arrived",  # to a visitor's host
    "password_reset",  # a link to set a new password, asked for
    "invitation",  # a new user's link to set their first password
    "training_requested",  # to each facility manager: someone asks for training
]

#: The preference (``/me/preferences``) that lets a person refuse each kind.
TOPIC_OF: Mapping[Kind, str] = {
    "confirmed": "confirmations",
    "requested": "confirmations",
    "approval_needed": "approvals",
    "changed": "changes",
    "cancelled": "changes",
    "rejected": "changes",
    "expired": "changes",
    "released": "changes",
    "reminder": "reminders",
    "offered": "waitlist",
    "visitor_arrived": "visitors",
    # one's own account: no preference switches these off
    "password_reset": "account",
    "invitation": "account",
    "training_requested": "approvals",
}
#: Kinds about one's account rather than a booking (their own mail template).
ACCOUNT: frozenset[Kind] = frozenset({"password_reset", "invitation"})
#: Kinds that remove the event from calendars (iTIP ``METHOD:CANCEL``).
CANCELLING: frozenset[Kind] = frozenset({"cancelled", "rejected", "expired", "released"})


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who may hear: who they are and the topics they switched off."""

    id: int
    name: str
    email: str
    muted: frozenset[str] = field(default_factory=frozenset)

    def wants(self, kind: Kind) -> bool:
        """False when this person switched off the topic of ``kind``."""
        return TOPIC_OF[kind] not in self.muted


def audience(
    kind: Kind,
    *,
    booker: Person,
    owner: Person,
    actor_id: int | None,
    approvers: Sequence[Person] = (),
) -> list[Person]:
    """Who hears of ``kind`` about a booking made by ``booker`` for ``owner``, done by
    ``actor_id`` (``None``: the service itself); each person once, in a stable order."""
    if kind == "approval_needed":
        people: Iterable[Person] = approvers
    else:
        people = [owner, booker]
        if kind == "cancelled":
            people = [p for p in people if p.id != actor_id]
    heard: dict[int, Person] = {}
    for person in people:
        if person.wants(kind) and person.id not in heard:
            heard[person.id] = person
    return list(heard.values())
