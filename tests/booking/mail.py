"""A real SMTP server for the tests: aiosmtpd in this process, on a free local port.

It keeps every message it accepts, parsed, and refuses (550) the addresses in
``refuse``; ``stop()`` takes it down to stand for a mail server that is down.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from booking.extensions import close_databases


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailSink:
    """The handler aiosmtpd calls, and what it received."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.port = free_port()
        self.controller: Controller | None = None

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 Message accepted"

    def start(self, **options: Any) -> None:
        """Listen; ``options`` go to aiosmtpd (TLS contexts, an authenticator...)."""
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for ``address``."""
        return [m for m in self.received if m["To"] == address]


def settings(sink: MailSink) -> dict[str, Any]:
    """The application settings that send mail to ``sink``."""
    return {"MAIL_BACKEND": "smtp", "MAIL_HOST": "127.0.0.1", "MAIL_PORT": sink.port}


def part(message: EmailMessage, content_type: str) -> str:
    """The text of ``message``'s first part of ``content_type``."""
    for piece in message.walk():
        if piece.get_content_type() == content_type:
            return str(piece.get_content())
    raise AssertionError(f"no {content_type} part in {message['Subject']!r}")


@pytest.fixture(name="sink")
def mail_sink() -> Iterator[MailSink]:
    """A real SMTP server for one test."""
    server = MailSink()
    server.start()
    yield server
    server.stop()


@pytest.fixture(name="app")
def app_with_mail(database_url: str, sink: MailSink) -> Iterator[Flask]:
    """The application sending through ``sink``, its links on https://book.hwic.example."""
    from tests.conftest import app_for

    application = app_for(database_url, **settings(sink), SITE_URL="https://book.hwic.example")
    yield application
    with application.app_context():
        close_databases()
