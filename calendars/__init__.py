"""Pure iCalendar building and import: no I/O, no Flask, no database, no clock."""

__all__: list[str] = []
