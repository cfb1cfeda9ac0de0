"""Fixtures the booking tests share."""

from tests.booking.centre import centre

__all__ = ["centre"]
