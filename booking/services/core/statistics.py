"""The query planner's statistics, kept fresh.

SQLite plans from statistics only when ``ANALYZE`` has gathered them, and nothing else
gathers them. Without them it guesses, and guessed wrong for the usage report by resource:
it took the index led by the start and sorted a year of bookings (a third slower) rather
than the one led by the resource. The ``refresh-statistics`` job gathers them every few
hours, sampling at most ``SAMPLED`` rows of each index (``PRAGMA analysis_limit``), so a
run takes milliseconds whatever the size. PostgreSQL's autovacuum keeps its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from booking.extensions import db
from booking.services.core.transactions import transactional

#: Rows of each index ANALYZE reads on SQLite (SQLite's advice: a few hundred).
SAMPLED = 400


@transactional
def refresh_statistics(now: datetime) -> list[int]:
    """Gather SQLite's planner statistics afresh, in its turn as a writer; nothing to do
    on PostgreSQL. Changes no booking (an empty list: jobs report what they changed)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text(f"PRAGMA analysis_limit = {SAMPLED}"))
        db.session.execute(text("ANALYZE"))
    return []
