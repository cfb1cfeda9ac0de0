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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from booking.models import Notification
from booking.services.notifications import outbox, preferences
from booking.services.notifications.composing import intro, site_url
from booking.services.notifications.writing import write_due_reminders
from booking.services.transactions import transactional

#: Messages claimed and sent over one connection at a time.
BATCH = 100


class Transport(Protocol):
    """Where messages go: the mail server, or files."""

    def send(self, message: EmailMessage) -> None: ...


class PermanentFailure(Exception):
    """The server refused this message for good; trying again cannot help."""


def render(notification: Notification) -> EmailMessage:
    """The e-mail for ``notification``: plain text and HTML alternatives, the iTIP part
    where it has one, and one-click unsubscribe (RFC 8058) on reminders."""
    payload = dict(notification.payload)
    payload["site_name"] = current_app.config["SITE_NAME"]
    payload["preferences_link"] = f"{site_url()}/preferences"
    payload["intro"] = intro(notification.kind, payload.get("asked_by"))
    message = EmailMessage()
    message["Subject"] = notification.subject
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = notification.to_address
    message["Date"] = format_datetime(notification.created_at)
    domain = parseaddr(current_app.config["MAIL_SENDER"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(f"notification-{notification.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if notification.kind == "reminder" and notification.user_id is not None:
        link = f"{site_url()}/unsubscribe/{preferences.unsubscribe_token(notification.user_id)}"
        message["List-Unsubscribe"] = f"<{link}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        payload["unsubscribe_link"] = link
    message.set_content(_render("mail/booking.txt", payload))
    message.add_alternative(_render("mail/booking.html", payload), subtype="html")
    ics = payload.get("ics")
    if ics:
        method = payload["method"]
        message.add_alternative(ics, subtype="calendar", params={"method": method})
        message.add_attachment(
            ics.encode("utf-8"), maintype="application", subtype="ics", filename="invite.ics"
        )
    return message


def _render(name: str, payload: dict[str, Any]) -> str:
    """A mail template filled from ``payload`` alone: no request, no signed-in user."""
    return current_app.jinja_env.get_template(name).render(**payload)


class FileTransport:
    """Writes each message as an ``.eml`` file under the instance folder's ``mail``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> None:
        name = str(message["Message-ID"]).strip("<>").split("@")[0]
        (self.folder / f"{name}.eml").write_bytes(bytes(message))


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

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
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
def transport() -> Iterator[Transport]:
    """The configured transport, closed afterwards."""
    if current_app.config["MAIL_BACKEND"] == "file":
        yield FileTransport(Path(current_app.instance_path) / "mail")
        return
    smtp = SmtpTransport(dict(current_app.config))
    try:
        yield smtp
    finally:
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
            if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                outcomes.append(outbox.Outcome(message.id, message.attempts, said))
            else:
                down = said
                outcomes.append(outbox.Outcome(message.id, message.attempts, down))
        else:
            outcomes.append(outbox.Outcome(message.id, message.attempts))
    return outcomes


@transactional
def _write_reminders(now: datetime) -> int:
    return write_due_reminders(now)


def send_notifications(now: datetime) -> list[int]:
    """The ``send-notifications`` job: write due reminders, then deliver every message
    due by ``now``; the ids of those sent."""
    while _write_reminders(now):
        pass
    sent: list[int] = []
    with transport() as via:
        while batch := outbox.claim(now, BATCH):
            outcomes = deliver(batch, via)
            outbox.settle(outcomes, now)
            sent += [o.notification_id for o in outcomes if o.error is None]
    return sent
