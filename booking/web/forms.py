"""The pages' forms: what a person typed, read and checked in one place, each problem in
words next to its field. Times typed are local times of the site, checked as the API
checks them (``rules.localtime``): a time the clocks skip is refused, never guessed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from flask_wtf import FlaskForm
from marshmallow import Schema, ValidationError
from wtforms import StringField
from wtforms.validators import DataRequired

from booking.errors import InvalidFieldsError
from booking.services.catalogue import site_zone
from booking.services.reservations import BookingDraft, SeriesDraft
from rules.localtime import LocalTimeError, localize
from rules.recurrence import weekly_rule

#: The repeats the form offers, as weeks between dates.
REPEATS = {"weekly": 1, "fortnightly": 2}
MOST_PEOPLE = 100_000
#: The longest cost code (a purchase order or grant code) a booking carries.
MOST_COST_CODE = 100


def _stripped(value: str | None) -> str:
    return (value or "").strip()


def _add(field: StringField, problem: str) -> None:
    field.errors = [*field.errors, problem]


class BookingForm(FlaskForm):
    """The booking form: a title, a local date with start and end times, optional people,
    and an optional weekly or fortnightly repeat up to a date."""

    class Meta:
        csrf = False  # CSRFProtect has checked every POST before the view runs

    title = StringField(filters=[_stripped], validators=[DataRequired("Give the booking a title.")])
    date = StringField(filters=[_stripped])
    start = StringField(filters=[_stripped])
    end = StringField(filters=[_stripped])
    attendees = StringField(filters=[_stripped])
    cost_code = StringField(filters=[_stripped])
    repeat = StringField(filters=[_stripped], default="none")
    #: "skip": book the dates that can be booked and leave the others (a repeat's refusal
    #: offers it); anything else books every date or none.
    on_conflict = StringField(filters=[_stripped], default="fail")
    until = StringField(filters=[_stripped])
    #: Whom it is for: a member of one's tenant (a tenant admin), or empty for oneself.
    for_user = StringField(filters=[_stripped])

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    people: int | None = None
    rule: str | None = None

    def values(self) -> dict[str, str]:
        """What was typed, to show the form again."""
        return {name: field.data or "" for name, field in self._fields.items()}

    def problems(self) -> dict[str, list[str]]:
        return {name: list(errors) for name, errors in self.errors.items() if name is not None}

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        self.starts_at = self._when(self.start)
        self.ends_at = self._when(self.end)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            _add(self.end, "The end must be after the start.")
        if self.attendees.data:
            number = self.attendees.data
            self.people = int(number) if number.isdigit() else None
            if self.people is None or not 1 <= self.people <= MOST_PEOPLE:
                _add(self.attendees, "A number of people, 1 or more.")
        if len(self.cost_code.data or "") > MOST_COST_CODE:
            _add(self.cost_code, f"A cost code of at most {MOST_COST_CODE} characters.")
        if self.repeat.data in REPEATS:
            try:
                last = date.fromisoformat(self.until.data or "")
                self.rule = weekly_rule(REPEATS[self.repeat.data], last)
            except ValueError:
                _add(self.until, "Give the last date the booking repeats on.")
        return not self.problems()

    def _when(self, clock: StringField) -> datetime | None:
        try:
            naive = datetime.combine(
                date.fromisoformat(self.date.data or ""), time.fromisoformat(clock.data or "")
            )
            return localize(naive, site_zone())
        except ValueError as error:
            message = str(error) if isinstance(error, LocalTimeError) else "Give a date and a time."
            _add(clock, message)
            return None

    def draft(self, resource_id: int) -> BookingDraft | SeriesDraft:
        """What to book, once the form is valid: one booking, or a series with its rule."""
        assert self.starts_at is not None and self.ends_at is not None
        title, code = self.title.data or "", self.cost_code.data or None
        chosen = self.for_user.data or ""
        whom = int(chosen) if chosen.isdigit() else None
        if self.rule is None:
            return BookingDraft(
                resource_id, self.starts_at, self.ends_at, title, attendees=self.people,
                cost_code=code, on_behalf_of=whom,
            )  # fmt: skip
        return SeriesDraft(
            resource_id, self.starts_at, self.ends_at, title, attendees=self.people,
            cost_code=code, on_behalf_of=whom, rule=self.rule,
            on_conflict="skip" if self.on_conflict.data == "skip" else "fail",
        )  # fmt: skip


def cost_code_from(form: Mapping[str, str]) -> str | None:
    """The cost code a one-click form carries on (an offer, the waitlist), if any."""
    return form.get("cost_code", "").strip()[:MOST_COST_CODE] or None


def _flat(said: Any) -> list[str]:
    """A field's messages, however deep the schema nests them (a day of opening hours)."""
    if isinstance(said, dict):
        return [m for v in said.values() for m in _flat(v)]
    return [str(m) for m in said] if isinstance(said, list) else [str(said)]


def read_form(schema: Schema, typed: dict[str, Any]) -> dict[str, Any]:
    """``typed`` as the API's ``schema`` loads it, or an InvalidFieldsError naming each
    field with its messages, so a page refuses exactly what the API refuses."""
    try:
        loaded: dict[str, Any] = schema.load(typed)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"form": error.messages}
        raise InvalidFieldsError({str(k): _flat(v) for k, v in messages.items()}) from error
    return loaded
