"""Reception: the board, who is where now (occupancy), the day sheet and the fire roll-call, as
typed values."""

from booking.services.reception.front_desk import board
from booking.services.reception.presence import day_sheet, occupancy, roll_call
from booking.services.reception.results import (
    DaySheet,
    Named,
    Occupancy,
    Person,
    ResourceState,
    RollCall,
)

__all__ = [
    "DaySheet",
    "Named",
    "Occupancy",
    "Person",
    "ResourceState",
    "RollCall",
    "board",
    "day_sheet",
    "occupancy",
    "roll_call",
]
