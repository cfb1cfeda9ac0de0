"""Foundation policies: every violation reported at once."""

from datetime import UTC, datetime

from rules import BookingRequest, Interval, ResourceFacts, check_request

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
SLOT = Interval(datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 10, tzinfo=UTC))


def codes(request: BookingRequest, facts: ResourceFacts) -> list[str]:
    return [v.code for v in check_request(request, facts, NOW)]


def test_a_good_request_passes() -> None:
    assert codes(BookingRequest(SLOT, 1, 4), ResourceFacts("Room", True, 1, 8)) == []


def test_all_violations_come_together() -> None:
    past = Interval(datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 1, 10, tzinfo=UTC))
    found = codes(BookingRequest(past, 2, 9), ResourceFacts("Floor", False, 1, 8))
    assert found == ["not_bookable", "in_the_past", "over_capacity", "over_capacity"]


def test_starting_exactly_now_is_not_in_the_past() -> None:
    now_slot = Interval(NOW, datetime(2026, 11, 24, 10, tzinfo=UTC))
    assert codes(BookingRequest(now_slot), ResourceFacts("Room", True)) == []


def test_capacity_unknown_means_no_limit_on_people() -> None:
    assert codes(BookingRequest(SLOT, 1, 500), ResourceFacts("Hall", True, 1, None)) == []
