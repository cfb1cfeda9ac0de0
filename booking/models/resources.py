"""The catalogue: a tree of building, floors, zones, rooms, labs, desks and equipment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from booking.database import UTCDateTime
from booking.extensions import Model

KINDS = ("building", "floor", "zone", "room", "lab", "desk", "equipment", "event_space")


def tree_order(path: str) -> tuple[int, ...]:
    """Where a resource comes in the catalogue: its path's ids as numbers (as text, the
    path ``/1/10/`` would sort before ``/1/9/``), so children follow their parent in the
    order they were added."""
    return tuple(int(part) for part in path.strip("/").split("/") if part)


def ancestors_on_path(path: str) -> list[int]:
    """Ids from the root down to the parent, read from a materialised ``path``."""
    return [int(part) for part in path.strip("/").split("/")[:-1] if part]


class Resource(Model):
    """A node of the catalogue tree.

    ``path`` is the materialised chain of ids from the root, as ``/1/4/9/``, so that
    ancestors are read from the row and descendants found by prefix.
    """

    __tablename__ = "resources"
    __allow_unmapped__ = True  # for ``effective_rules``, which is worked out, not stored
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        # The catalogue's latest change, part of every feed's and display's version.
        Index("ix_resources_changed", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(Enum(*KINDS, name="resource_kind", native_enum=False))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"), index=True)
    path: Mapped[str] = mapped_column(String(1000), index=True, default="")
    bookable: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    features: Mapped[list[str]] = mapped_column(JSON, default=list)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    #: The rules in force and where each came from, when worked out for the API.
    effective_rules: dict[str, Any] | None = None

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read from ``path``."""
        return ancestors_on_path(self.path)


class CatalogueVersion(Model):
    """The catalogue's version: one row, whose token database triggers change with every
    change to ``resources``, in the same transaction (migration 0021).

    What a process keeps of the catalogue between requests (``services.catalogue.
    snapshot``) serves while the token is the one it was read under. The token is random,
    not a count, so a change rolled back never comes back as the token of a later one.
    """

    __tablename__ = "catalogue_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(36))
