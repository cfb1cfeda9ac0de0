"""Sending what the outbox holds: render each message, hand it to the mail server (or
write it to a file), and record how it went.

The ``send-notifications`` job writes the reminders that have fallen due, then claims
due messages in batches and delivers each batch over one SMTP connection. Nothing here
runs in a request. A message the server refuses for good (its address, its size) fails
at once; a server that is down or slow fails the batch's messages for now, and they are
tried again after their backoff.
"""

from __future__ import annotations

import smtplib
import ssl
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any, Protocol, cast

from flask import Flask, current_app

from booking.models import Notification
from booking.services.core import transactional
from booking.services.notifications import outbox, preferences
from booking.services.notifications.audience import ACCOUNT, Kind
from booking.services.notifications.composing import intro, site_url
from booking.services.notifications.recording import write_recorded
from booking.services.notifications.reminders import write_due_reminders

#: Messages claimed and sent over one connection at a time.
BATCH = 100


class Transport(Protocol):
    """Where messages go: the mail server, or files."""

    def send(self, message: Message) -> None: ...

    def close(self) -> None: ...


class PermanentFailure(Exception):
    """The server refused this message for good; trying again cannot help."""


def render(notification: Notification) -> Message:
    """The e-mail for ``notification``: plain text and HTML alternatives, the iTIP part
    where it has one (also attached as ``invite.ics``, which some apps look for), and
    one-click unsubscribe (RFC 8058) on reminders."""
    payload = dict(notification.payload)
    payload["site_name"] = current_app.config["SITE_NAME"]
    payload["preferences_link"] = f"{site_url()}/preferences"
    payload["intro"] = intro(cast(Kind, notification.kind), payload.get("asked_by"))
    unsubscribe = None
    if notification.kind == "reminder" and notification.user_id is not None:
        unsubscribe = (
            f"{site_url()}/unsubscribe/{preferences.unsubscribe_token(notification.user_id)}"
        )
        payload["unsubscribe_link"] = unsubscribe
    template = "mail/account" if notification.kind in ACCOUNT else "mail/booking"
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(_render(f"{template}.txt", payload), "plain", "utf-8"))
    body.attach(MIMEText(_render(f"{template}.html", payload), "html", "utf-8"))
    ics = payload.get("ics")
    message: Message = body
    if ics:
        invitation = MIMEText(ics, "calendar", "utf-8")
        invitation.set_param("method", payload["method"])
        body.attach(invitation)
        message = MIMEMultipart("mixed")
        message.attach(body)
        attached = MIMEApplication(ics.encode("utf-8"), "ics")
        attached.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(attached)
    _headers(message, notification, unsubscribe)
    return message


#: Lines end in CRLF on the wire (smtplib sends bytes as they are).
WIRE = compat32.clone(linesep="\r\n")


def wire_bytes(message: Message) -> bytes:
    """``message`` as sent: headers folded, lines ending in CRLF."""
    return message.as_bytes(policy=WIRE)


def _header(text: str) -> str | Header:
    return text if text.isascii() else Header(text, "utf-8")


def _headers(message: Message, notification: Notification, unsubscribe: str | None) -> None:
    name, address = parseaddr(current_app.config["MAIL_SENDER"])
    # compat32 folds a Header value itself; typeshed allows only text here
    message["Subject"] = _header(notification.subject)  # type: ignore[assignment]
    message["From"] = formataddr((name, address), "utf-8") if name else address
    message["To"] = notification.to_address
    message["Date"] = format_datetime(notification.created_at)
    domain = address.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<notification-{notification.id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def _render(name: str, payload: dict[str, Any]) -> str:
    """A mail template filled from ``payload`` alone: no request, no signed-in user."""
    return current_app.jinja_env.get_template(name).render(**payload)


class FileTransport:
    """Writes each message as an ``.eml`` file under the instance folder's ``mail``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, message: Message) -> None:
        name = str(message["Message-ID"]).strip("<>").split("@")[0]
        (self.folder / f"{name}.eml").write_bytes(wire_bytes(message))

    def close(self) -> None:
        """Nothing to close: each message is a file of its own."""


class SmtpTransport:
    """One connection to the mail server, opened at the first message."""

    def __init__(self, config: dict[str, object]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        host, port, timeout = (
            str(c["MAIL_HOST"]),
            int(str(c["MAIL_PORT"])),
            int(str(c["MAIL_TIMEOUT"])),
        )
        if c["MAIL_TLS"] == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if c["MAIL_TLS"] == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if c["MAIL_USERNAME"]:
            smtp.login(str(c["MAIL_USERNAME"]), str(c["MAIL_PASSWORD"]))
        return smtp

    def send(self, message: Message) -> None:
        if self.connection is None:
            self.connection = self._connect()
        sender = parseaddr(str(self.config["MAIL_SENDER"]))[1]
        try:
            self.connection.sendmail(sender, [str(message["To"])], wire_bytes(message))
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"refused: {_said(error.recipients)}") from error
            raise
        except smtplib.SMTPDataError as error:
            if error.smtp_code >= 500:
                raise PermanentFailure(
                    f"refused: {error.smtp_code} {_text(error.smtp_error)}"
                ) from error
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _said(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{who}: {code} {_text(text)}" for who, (code, text) in refused.items())


@contextmanager
def transports(count: int) -> Iterator[list[Transport]]:
    """``count`` transports of the configured kind (SMTP: one connection each), closed
    afterwards."""
    if current_app.config["MAIL_BACKEND"] == "file":
        yield [FileTransport(Path(current_app.instance_path) / "mail")] * count
        return
    made = [SmtpTransport(dict(current_app.config)) for _ in range(count)]
    try:
        yield list(made)
    finally:
        for smtp in made:
            smtp.close()


def deliver(batch: Sequence[Notification], via: Transport) -> list[outbox.Outcome]:
    """Send each message of ``batch``; how each went. After a failure of the connection
    itself, the rest of the batch waits for the next try without being sent."""
    outcomes: list[outbox.Outcome] = []
    down: str | None = None
    for message in batch:
        if down is not None:
            outcomes.append(outbox.Outcome(message.id, message.attempts, down))
            continue
        try:
            email = render(message)
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
            error_text = f"could not render: {type(error).__name__}: {error}"
            outcomes.append(outbox.Outcome(message.id, message.attempts, error_text, final=True))
            continue
        try:
            via.send(email)
        except PermanentFailure as error:
            outcomes.append(outbox.Outcome(message.id, message.attempts, str(error), final=True))
        except (smtplib.SMTPException, OSError) as error:
            said = f"{type(error).__name__}: {error}"
            if not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                down = said  # the connection itself failed: the rest of the batch waits
                via.close()  # and the next batch connects afresh
            outcomes.append(outbox.Outcome(message.id, message.attempts, said))
        else:
            outcomes.append(outbox.Outcome(message.id, message.attempts))
    return outcomes


@transactional
def write_messages(now: datetime) -> int:
    """Write the messages of recorded events and of due reminders, a batch of each;
    how many events and bookings that covered."""
    return write_recorded(now) + write_due_reminders(now)


def _deliver_in(app: Flask, batch: Sequence[Notification], via: Transport) -> list[outbox.Outcome]:
    with app.app_context():
        return deliver(batch, via)


def send_notifications(now: datetime) -> list[int]:
    """The ``send-notifications`` job: write the messages of what happened and of the
    reminders due, then deliver every message due by ``now``; the ids of those sent.

    Each batch is shared among ``mail.connections`` connections, each in a thread of
    its own, so waiting for the mail server's replies on one overlaps the others; all
    messages to one address go through one connection, in the order they were written."""
    while write_messages(now):
        pass
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    count = current_app.config["MAIL_CONNECTIONS"]
    sent: list[int] = []
    with transports(count) as vias, ThreadPoolExecutor(count) as pool:
        while batch := outbox.claim(now, BATCH):
            shares: list[list[Notification]] = [[] for _ in vias]
            for message in batch:  # one person's messages on one connection, in order
                shares[zlib.crc32(message.to_address.encode()) % len(vias)].append(message)
            done = pool.map(_deliver_in, [app] * len(vias), shares, vias)
            outcomes = [outcome for share in done for outcome in share]
            outbox.settle(outcomes, now)
            sent += sorted(o.notification_id for o in outcomes if o.error is None)
    return sent
