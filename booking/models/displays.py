"""Screens on the wall: a display shows one resource's day, opened by a secret URL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model


class Display(Model):
    """A screen by a resource. Its URL carries a secret of 192 bits; only the secret's
    SHA-256 digest is kept, so a copy of the database opens no display. Revoking it
    (``revoked_at``) closes the URL for good."""

    __tablename__ = "displays"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
