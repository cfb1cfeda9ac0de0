"""A resource's rules as people say them: "30 minutes' turnaround after each booking",
never ``PT30M`` or JSON.

``rules_in_words`` gives one sentence per rule that applies, keyed by the rule's name (the
names of ``effective_rules``), so a page can show a rule's words beside where it comes
from. Pure, and the only place the rules are put into words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from rules.rulesets import OpeningRange, Quota, RuleSet

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PERIOD_WORDS = {"day": "a day", "week": "a week", "month": "a month"}
SCOPE_WORDS = {"tenant": "Each organisation", "user": "Each person"}
ZERO = timedelta(0)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


def duration_words(length: timedelta) -> str:
    """``PT1H30M`` as "1 hour 30 minutes", ``P180D`` as "180 days", ``PT24H`` as "24
    hours" (days only for two or more whole days)."""
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    if rest or days < 2:
        days, rest = 0, minutes
    hours, minutes = divmod(rest, 60)
    parts = [
        _plural(value, unit)
        for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if value
    ]
    return " ".join(parts) or "no time"


def hours_words(hours: float) -> str:
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _ranges(ranges: tuple[OpeningRange, ...]) -> str:
    return " and ".join(f"{_clock(start)}–{_clock(end)}" for start, end in ranges)


def opening_words(hours: Mapping[int, tuple[OpeningRange, ...]]) -> str:
    """Opening hours with runs of days alike joined: "Monday to Friday 08:00–18:00"."""
    runs: list[tuple[int, int, str]] = []
    for day in range(7):
        said = _ranges(hours[day]) if hours.get(day) else ""
        if runs and runs[-1][2] == said and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day, said)
        else:
            runs.append((day, day, said))
    parts = [
        (DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]} to {DAY_NAMES[last]}")
        + f" {said}"
        for first, last, said in runs
        if said
    ]
    closed = [DAY_NAMES[d] for d in range(7) if not hours.get(d)]
    text = "Open " + "; ".join(parts) if parts else "Never open"
    return text + (f"; closed on {', '.join(closed)}." if closed and parts else ".")


def quota_words(quota: Quota) -> str:
    return (
        f"{SCOPE_WORDS.get(quota.scope, 'Each')} may book up to {hours_words(quota.hours)} "
        f"{PERIOD_WORDS.get(quota.period, quota.period)} here."
    )


def _if(condition: object, text: str) -> str | None:
    return text if condition else None


def _steps(rules: RuleSet) -> dict[str, str | None]:
    """The rules of a booking's length and timing."""
    low, high, slot = rules.min_duration, rules.max_duration, rules.slot
    notice, advance = rules.min_notice, rules.max_advance
    before, after = rules.buffer_before, rules.buffer_after
    return {
        "min_duration": _if(low, f"A booking lasts at least {duration_words(low or ZERO)}."),
        "max_duration": _if(high, f"A booking lasts at most {duration_words(high or ZERO)}."),
        "slot": _if(slot, f"Bookings start and end on {duration_words(slot or ZERO)} steps."),
        "min_notice": _if(notice, f"Book at least {duration_words(notice or ZERO)} ahead."),
        "max_advance": _if(advance, f"Book at most {duration_words(advance or ZERO)} ahead."),
        "buffer_before": _if(
            before, f"{duration_words(before)} kept free before each booking, to set up."
        ),
        "buffer_after": _if(
            after,
            f"{duration_words(after)} kept free after each booking, for cleaning or "
            "decontamination.",
        ),
    }


def _charges(rules: RuleSet) -> dict[str, str | None]:
    """The rules of what a booking costs (only where it has a price)."""
    priced, late = bool(rules.rates), rules.late_cancel_within
    used = rules.charge_basis == "used"
    return {
        "charge_basis": _if(
            priced,
            "Charged for the time used, from check-in to check-out."
            if used
            else "Charged for the time booked.",
        ),
        "minimum_charge_minutes": _if(
            priced and rules.minimum_charge_minutes,
            f"At least {duration_words(timedelta(minutes=rules.minimum_charge_minutes))} "
            "is charged.",
        ),
        "late_cancel_within": _if(
            priced and late and rules.late_cancel_percent,
            f"Cancelling within {duration_words(late or ZERO)} of the start costs "
            f"{rules.late_cancel_percent}% of the price.",
        ),
        "no_show_percent": _if(
            priced and rules.no_show_percent,
            f"Not turning up costs {rules.no_show_percent}% of the price.",
        ),
    }


def rules_in_words(rules: RuleSet) -> dict[str, str]:
    """One sentence per rule that applies, by the rule's name (as in ``RULE_NAMES``)."""
    hours, check_in, code = rules.opening_hours, rules.check_in, rules.required_certification
    said: dict[str, str | None] = {
        "opening_hours": None if hours is None else opening_words(hours),
        "closed_on_bank_holidays": _if(rules.closed_on_bank_holidays, "Closed on bank holidays."),
        **_steps(rules),
        "requires_approval": _if(
            rules.requires_approval,
            "A booking is a request until the facilities team approves it.",
        ),
        "required_certification": _if(
            code, f"Only people with the {code} certification may book it."
        ),
        "check_in": _if(
            check_in and check_in.required,
            f"Check in within {duration_words(check_in.grace if check_in else ZERO)} of the "
            "start, or the booking is released for others.",
        ),
        "quota": _if(rules.quotas, " ".join(quota_words(q) for q in rules.quotas)),
        "visitor_briefing": _if(
            rules.visitor_briefing, "Visitors are given its safety briefing before they go in."
        ),
        **_charges(rules),
    }
    return {name: text for name, text in said.items() if text}


def quota_left_words(quota: Quota, period_start: date, used: timedelta) -> str:
    """How much of a quota is left in the period now running."""
    left = max(timedelta(hours=quota.hours) - used, timedelta(0))
    whose = ("Your organisation has", "its") if quota.scope == "tenant" else ("You have", "your")
    period = {"day": "today", "week": "this week", "month": "this month"}.get(quota.period, "")
    return (
        f"{whose[0]} {hours_words(round(left / timedelta(hours=1), 2)) if left else 'no time'} "
        f"of {whose[1]} {hours_words(quota.hours)} left "
        f"{period} (since {period_start.strftime('%-d %B')})."
    )
