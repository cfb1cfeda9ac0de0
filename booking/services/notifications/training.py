"""Telling the facility managers that someone asks for training, in the transaction that
records the request (one message each, unless they switched approvals off)."""

from __future__ import annotations

from booking.events import TrainingRequested, subscribe
from booking.extensions import db
from booking.models import Resource, User
from booking.services.notifications import composing, outbox
from booking.services.notifications.writing import approvers


@subscribe(TrainingRequested)
def tell_the_managers(asked: TrainingRequested) -> None:
    person = db.session.get(User, asked.user_id)
    if person is None:
        return
    resource = db.session.get(Resource, asked.resource_id) if asked.resource_id else None
    who = person.name + (f" ({person.tenant.name})" if person.tenant else "")
    content = composing.Content(
        subject=f"{composing.VERBS['training_requested']}: {asked.code}, {person.name}",
        payload={
            "kind": "training_requested",
            "asked_by": who,
            "title": f"Training: {asked.code}",
            "place": resource.name if resource else "",
            "when": composing.instant_words(asked.at),
            "status": "requested",
            "link": f"{composing.site_url()}/staff/training",
            "link_words": "Training and certifications",
        },
        booking_id=None,
    )
    for manager in approvers():
        if manager.wants("training_requested"):
            outbox.write("training_requested", manager, content, None, asked.at)
