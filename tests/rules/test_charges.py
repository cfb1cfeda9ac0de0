"""Charges in integer pence: the rounding, each reason, and properties of any booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import Layer, RulesError, effective_rules
from rules.charges import Stay, Tariff, charge, pence, tariff_of

START = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def stay(status: str = "confirmed", hours: float = 1, **more) -> Stay:
    return Stay(status, START, START + timedelta(hours=hours), **more)


def test_pence_rounds_once_to_the_nearest_penny_halves_up():
    assert pence(2500, 3600, 1, 100) == 2500
    assert pence(1000, 90, 1, 100) == 25  # 25.0
    assert pence(1, 1800, 1, 100) == 1  # 0.5 rounds up
    assert pence(1, 1799, 1, 100) == 0  # 0.4997 rounds down
    assert pence(333, 3600, 1, 50) == 167  # 166.5 up
    assert pence(2500, 2700, 3, 100) == 5625  # three units for 45 minutes
    with pytest.raises(ValueError):
        pence(-1, 3600, 1, 100)


def test_each_reason_is_charged_as_the_rules_say():
    tariff = Tariff(
        rates={"standard": 3000, "nhs": 1500},
        late_cancel_within=timedelta(hours=48),
        late_cancel_percent=50,
        no_show_percent=100,
        minimum_minutes=60,
    )
    assert charge(tariff, "standard", stay(hours=2)).amount == 6000
    assert charge(tariff, "nhs", stay(hours=2)).amount == 3000
    assert charge(tariff, "university", stay(hours=2)).amount == 6000  # a tier left out: standard
    short = charge(tariff, "standard", stay(hours=0.25))
    assert (short.seconds, short.amount) == (3600, 3000)  # the minimum
    assert charge(tariff, "standard", stay("no_show")).reason == "no_show"
    late = charge(tariff, "standard", stay("cancelled", hours=2, late_cancellation=True))
    assert (late.reason, late.percent, late.amount) == ("late_cancellation", 50, 3000)
    assert charge(tariff, "standard", stay("cancelled", hours=2)) is None  # in good time
    for status in ("pending", "held", "rejected", "expired"):
        assert charge(tariff, "standard", stay(status)) is None
    assert charge(Tariff(rates={}), "standard", stay()) is None  # a free resource


def test_used_time_runs_from_check_in_to_check_out():
    tariff = Tariff(rates={"standard": 6000}, basis="used")
    came, left = START + timedelta(minutes=10), START + timedelta(minutes=40)
    used = charge(tariff, "standard", stay("completed", hours=1, checked_in=came, checked_out=left))
    assert (used.reason, used.seconds, used.amount) == ("used", 1800, 3000)
    still_in = charge(tariff, "standard", stay("checked_in", hours=1, checked_in=came))
    assert still_in.seconds == 3000  # to the booked end
    never = charge(tariff, "standard", stay("confirmed", hours=1))
    assert (never.reason, never.amount) == ("booked", 6000)  # no check-in asked: as booked


def test_late_is_judged_against_the_window_before_the_start():
    tariff = Tariff(rates={"standard": 1}, late_cancel_within=timedelta(hours=24))
    assert not tariff.is_late(START, START - timedelta(hours=24))
    assert tariff.is_late(START, START - timedelta(hours=24) + timedelta(seconds=1))
    assert not Tariff(rates={}).is_late(START, START)


def test_the_rules_carry_the_tariff_and_refuse_bad_values():
    rules = effective_rules(
        [
            Layer(None, {"rates": {"standard": 2000}, "no_show_percent": 50}),
            Layer(1, {"charge_basis": "used", "late_cancel_within": "P2D"}),
        ]
    )
    tariff = tariff_of(rules)
    assert tariff == Tariff({"standard": 2000}, "used", 0, timedelta(days=2), 0, 50)
    assert rules.sources["rates"] is None and rules.sources["charge_basis"] == 1
    for bad in (
        {"rates": {"standard": 12.5}},
        {"rates": {"Standard": 100}},
        {"rates": {"standard": True}},
        {"rates": [100]},
        {"charge_basis": "hourly"},
        {"no_show_percent": 101},
        {"late_cancel_percent": -1},
        {"minimum_charge_minutes": "30"},
        {"late_cancel_within": "two days"},
    ):
        with pytest.raises(RulesError):
            effective_rules([Layer(None, bad)])


tariffs = st.builds(
    Tariff,
    rates=st.dictionaries(
        st.sampled_from(["standard", "nhs", "university"]),
        st.integers(0, 1_000_000),
        max_size=3,
    ),
    basis=st.sampled_from(["booked", "used"]),
    minimum_minutes=st.integers(0, 240),
    late_cancel_within=st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=7))),
    late_cancel_percent=st.integers(0, 100),
    no_show_percent=st.integers(0, 100),
)


@st.composite
def stays(draw) -> Stay:
    minutes = draw(st.integers(1, 48 * 60))
    end = START + timedelta(minutes=minutes)
    status = draw(
        st.sampled_from(["confirmed", "checked_in", "completed", "no_show", "cancelled", "pending"])
    )
    came = left = None
    if status in ("checked_in", "completed") and draw(st.booleans()):
        came = START + timedelta(minutes=draw(st.integers(-15, minutes - 1)))
        if status == "completed":
            left = came + timedelta(minutes=draw(st.integers(1, 600)))
    return Stay(status, START, end, draw(st.integers(1, 20)), came, left, draw(st.booleans()))


@given(tariffs, st.sampled_from(["standard", "nhs", "private"]), stays())
def test_a_line_is_exact_never_negative_and_never_more_than_its_time(tariff, tier, stayed):
    line = charge(tariff, tier, stayed)
    if line is None:
        return
    exact = Fraction(line.rate * line.seconds * line.units * line.percent, 3600 * 100)
    assert abs(line.amount - exact) <= Fraction(1, 2)
    assert line.amount > 0 and line.rate == tariff.rate_for(tier)
    assert line.seconds >= tariff.minimum_minutes * 60
    assert line.percent <= 100


@given(tariffs, st.integers(1, 24 * 60), st.integers(0, 24 * 60), st.integers(1, 20))
def test_more_time_never_costs_less(tariff, minutes, more, units):
    shorter = Stay("confirmed", START, START + timedelta(minutes=minutes), units)
    longer = Stay("confirmed", START, START + timedelta(minutes=minutes + more), units)
    cost = [
        (line.amount if line else 0)
        for line in (charge(tariff, "standard", s) for s in (shorter, longer))
    ]
    assert 0 <= cost[0] <= cost[1]
