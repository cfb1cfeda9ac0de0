"""Mail about one's own account: a link to set a password (forgotten, or a new user's
first), written to the outbox in the transaction that made the link, as every other
message is; no preference switches it off. The link's secret is in the stored message
until it is sent, and is worthless once used or after it runs out."""

from __future__ import annotations

from booking.events import PasswordLinkMade, subscribe
from booking.extensions import db
from booking.models import User
from booking.services.notifications import composing, outbox
from booking.services.notifications.audience import Person
from rules.wording import duration_words


@subscribe(PasswordLinkMade)
def mail_the_link(made: PasswordLinkMade) -> None:
    """Queue the mail that carries the link to its owner."""
    user = db.session.get(User, made.user_id)
    if user is None:
        return
    kind = made.purpose
    content = composing.Content(
        subject=f"{composing.VERBS[kind]}: {composing.centre().name}"[:300],
        payload={
            "kind": kind,
            "title": composing.VERBS[kind],
            "email": user.email,
            "link": f"{composing.site_url()}/reset-password/{made.secret}",
            "link_words": "Choose your password" if kind == "invitation" else "Set a new password",
            "lasts": duration_words(made.lasts),
        },
        booking_id=None,
    )
    outbox.write(kind, Person(user.id, user.name, user.email), content, None, made.at)
