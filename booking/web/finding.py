"""Finding free space and booking it: the day's timeline, the form, the alternatives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now, today
from booking.errors import (
    BookingConflictError,
    DomainError,
    InvalidFieldsError,
    RuleViolationError,
    SeriesRefusedError,
)
from booking.models import KINDS
from booking.services import reservations
from booking.services.catalogue import (
    ResourceFilter,
    feature_names,
    get_resource,
    resource_names,
    site_zone,
    terms_for,
)
from booking.services.finding import Match, needing_training, search_availability
from booking.services.reservations import BookingDraft, SeriesDraft
from booking.web.blueprint import blp, local_time, or_404
from booking.web.forms import BookingForm, cost_code_from
from booking.web.my_bookings import made_in_words
from booking.web.session import me, signed_in
from booking.web.team import team_of
from rules import Interval
from rules.durations import parse_duration
from rules.localtime import localize

#: The day the timeline shows, in local hours.
DAY_START, DAY_END = 7, 21
DURATIONS = {"PT30M": "30 minutes", "PT1H": "1 hour", "PT2H": "2 hours", "PT3H": "3 hours",
             "PT4H": "4 hours", "PT8H": "All day (8 hours)"}  # fmt: skip
BOOKABLE_KINDS = [k for k in KINDS if k not in ("building", "floor", "zone")]
#: The kinds as a search offers them: benches are booked as desks, instruments as equipment.
KIND_WORDS = {"lab": "Lab (the whole lab)", "desk": "Desk or lab bench",
              "equipment": "Equipment or instrument", "room": "Meeting room"}  # fmt: skip


def _local_day(day: date) -> Interval:
    zone = site_zone()
    start = localize(datetime.combine(day, time(DAY_START)), zone)
    end = localize(datetime.combine(day, time(DAY_END)), zone)
    return Interval(start, end)


@dataclass(frozen=True)
class Block:
    """A stretch of a timeline row: where it starts and how wide it is, in % of the day;
    a free one carries the booking its link offers (a time the rules accept), if any."""

    start: datetime
    end: datetime
    free: bool
    offer: Interval | None = None

    def left(self, day: Interval) -> float:
        return 100 * (self.start - day.start) / (day.end - day.start)

    def width(self, day: Interval) -> float:
        return 100 * (self.end - self.start) / (day.end - day.start)


def _blocks(match: Match, day: Interval) -> list[Block]:
    offers = dict(zip(match.availability.free, match.fits, strict=False))
    found = [
        Block(max(i.start, day.start), min(i.end, day.end), free, offers.get(i) if free else None)
        for free, intervals in ((True, match.availability.free), (False, match.availability.busy))
        for i in intervals
        if i.end > day.start and i.start < day.end
    ]
    return sorted(found, key=lambda b: b.start)


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


@blp.get("/find")
@signed_in
def find() -> str:
    """Free space on a day: a timeline and the earliest free slots."""
    user = me()
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        day = today()
    day = min(max(day, date(2000, 1, 1)), date(2200, 12, 31))
    kind = request.args.get("kind") or None
    kind = kind if kind in BOOKABLE_KINDS else None
    duration_text = request.args.get("duration", "PT1H")
    duration_text = duration_text if duration_text in DURATIONS else "PT1H"
    length = parse_duration(duration_text)
    attendees = _int(request.args.get("attendees"), 1, 10_000)
    features = feature_names()
    feature = (request.args.get("feature") or "").strip()[:100]
    feature = feature if feature in features else ""
    window = _local_day(day)
    filters = ResourceFilter(
        kind=kind, min_capacity=attendees, feature=(feature,) if feature else ()
    )
    matches = search_availability(user, window, length, filters, now(), limit=40, offers=True)
    rows = [(m, _blocks(m, window)) for m in sorted(matches, key=lambda m: m.resource.name)]
    return render_template(
        "find.html",
        day=day,
        window=window,
        kinds=BOOKABLE_KINDS,
        kind=kind,
        durations=DURATIONS,
        duration=duration_text,
        length=length,
        attendees=attendees,
        feature=feature,
        rows=rows,
        slots=matches[:10],
        features=features,
        kind_words=KIND_WORDS,
        not_yet=needing_training(user, filters, now()),
        hours=range(DAY_START, DAY_END),
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


def _form_defaults() -> dict[str, Any]:
    args = request.args
    start = end = None
    try:
        start = datetime.fromisoformat(args.get("start", ""))
        end = datetime.fromisoformat(args.get("end", ""))
    except ValueError:
        pass
    zone = site_zone()
    first = (start or datetime.combine(today(), time(9), zone)).astimezone(zone)
    last = (end or first + timedelta(hours=1)).astimezone(zone)
    return {
        "date": first.date().isoformat(),
        "start": first.strftime("%H:%M"),
        "end": last.strftime("%H:%M"),
        "title": args.get("title", ""),
        "attendees": args.get("attendees", ""),
        "cost_code": args.get("cost_code", ""),
        "repeat": "none",
        "until": "",
        "for_user": args.get("for_user", ""),
    }


@blp.route("/book/<int:resource_id>", methods=["GET", "POST"])
@signed_in
def book(resource_id: int) -> BaseResponse | str | tuple[str, int]:
    """The booking form; it ends in a confirmation, or in the reasons and alternatives."""
    user = me()
    resource = or_404(get_resource, resource_id)
    terms = terms_for(user, resource, now())
    team = team_of(user)
    if request.method == "GET":
        return render_template(
            "book.html", resource=resource, form=_form_defaults(), errors={}, terms=terms,
            team=team,
        )  # fmt: skip
    form = BookingForm(request.form)
    if not form.validate():
        page = render_template(
            "book.html", resource=resource, form=form.values(), errors=form.problems(),
            terms=terms, team=team,
        )  # fmt: skip
        return page, 422
    try:
        draft = form.draft(resource.id)
        if isinstance(draft, SeriesDraft):
            view = reservations.create_series(user, draft, now())
            left_out = f"; {len(view.skipped)} left out" if view.skipped else ""
            flash(f"Booked {len(view.bookings)} dates{left_out}.")
            return redirect(url_for("web.mine"))
        made = reservations.create_booking(user, draft, now())
        flash(made_in_words(made))
        return redirect(url_for("web.booking_page", booking_id=made.id))
    except REFUSALS as refused:
        errors, refusal = refusal_shown(refused, draft)
        status = refused.status  # 409 for a clash, 422 for the rules
    page = render_template(
        "book.html", resource=resource, form=form.values(), errors=errors, refusal=refusal,
        terms=terms, team=team,
    )  # fmt: skip
    return page, status


def _busy_in_words(conflicts: list[dict[str, Any]]) -> list[str]:
    """A clash as people read it: what is busy when, and whether the booking in the way
    is one's own (another's is never named)."""
    names = resource_names()
    said = [
        f"{names.get(c['resource_id'], 'It')} is already booked "
        f"{local_time(c['start'], 'time')}–{local_time(c['end'], 'time')}"
        + (", by a booking of your own." if c.get("yours") else ".")
        for c in conflicts
    ]
    return said or ["That time is already booked."]


#: The refusals the booking form answers on the page itself.
REFUSALS = (InvalidFieldsError, RuleViolationError, BookingConflictError, SeriesRefusedError)


def refusal_shown(
    refused: DomainError, draft: BookingDraft | SeriesDraft
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """A refusal as the form shows it: problems by field, or reasons (and alternatives)."""
    if isinstance(refused, InvalidFieldsError):
        return {key: list(value) for key, value in refused.extra["errors"].items()}, {}
    if isinstance(refused, RuleViolationError):
        return {}, {"reasons": [v["message"] for v in refused.extra["violations"]]}
    if isinstance(refused, BookingConflictError):
        offers = refused.extra.get("alternatives", [])
        told = {"reasons": _busy_in_words(refused.extra["conflicts"]), "alternatives": offers}
        if refused.extra.get("waitlist"):
            told["waitlist"] = {"start": draft.start, "end": draft.end}
        return {}, told
    dates = refused.extra["occurrences"]
    said = f"{len(dates)} of the dates cannot be booked as asked, so nothing was booked:"
    return {}, {"reasons": [said], "occurrences": dates, "book_the_rest": True}


@blp.post("/book/<int:resource_id>/offer")
@signed_in
def book_offer(resource_id: int) -> BaseResponse | tuple[str, int]:
    """Book an alternative offered after a clash, in one click."""
    user = me()
    try:
        start = datetime.fromisoformat(request.form["start"])
        end = datetime.fromisoformat(request.form["end"])
    except (KeyError, ValueError):
        abort(400)
    attendees = _int(request.form.get("attendees"), 1, 100_000)
    title = request.form.get("title", "").strip()[:200] or "Booking"
    try:
        made = reservations.create_booking(
            user,
            BookingDraft(
                resource_id, start, end, title, attendees=attendees,
                cost_code=cost_code_from(request.form),
            ),
            now(),
        )  # fmt: skip
    except DomainError as refused:
        flash(f"That could not be booked: {refused.detail}")
        return redirect(url_for("web.book", resource_id=resource_id))
    flash(made_in_words(made))
    return redirect(url_for("web.booking_page", booking_id=made.id))
