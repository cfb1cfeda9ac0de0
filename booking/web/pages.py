"""The pages: sign in, find and book, my bookings. Thin views over the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from booking.clock import now
from booking.errors import (
    BookingConflictError,
    DomainError,
    InvalidFieldsError,
    RuleViolationError,
    SeriesRefusedError,
    problem,
)
from booking.models import KINDS, OCCUPYING, Booking
from booking.services import attendance, bookings, feeds, passwords, series
from booking.services.availability import Match, search_availability
from booking.services.bookings import BookingDraft, BookingQuery
from booking.services.resources import ResourceFilter, get_resource
from booking.services.rulebook import site_zone
from booking.services.series import SeriesDraft
from booking.web.session import forget, remember, signed_in, signed_in_user
from rules import Interval
from rules.localtime import LocalTimeError, localize

blp = Blueprint("web", __name__)

#: The day the timeline shows, in local hours.
DAY_START, DAY_END = 7, 21
DURATIONS = {"PT30M": "30 minutes", "PT1H": "1 hour", "PT2H": "2 hours", "PT3H": "3 hours",
             "PT4H": "4 hours", "PT8H": "All day (8 hours)"}  # fmt: skip
BOOKABLE_KINDS = [k for k in KINDS if k not in ("building", "floor", "zone")]


# --- presentation ----------------------------------------------------------------------


@blp.app_template_filter("local")
def local_time(moment: datetime, style: str = "full") -> str:
    """An instant as people read it here: ``Tue 1 Dec 2026, 09:00`` (or just the time)."""
    shown = moment.astimezone(site_zone())
    if style == "time":
        return shown.strftime("%H:%M")
    if style == "date":
        return shown.strftime("%a %-d %b %Y")
    return shown.strftime("%a %-d %b %Y, %H:%M")


@blp.app_template_filter("words")
def words(code: str) -> str:
    return code.replace("_", " ")


def _local_day(day: date) -> Interval:
    zone = site_zone()
    start = datetime.combine(day, time(DAY_START)).replace(tzinfo=zone)
    end = datetime.combine(day, time(DAY_END)).replace(tzinfo=zone)
    return Interval(start, end)


def _today() -> date:
    return now().astimezone(site_zone()).date()


# --- signing in --------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("web.find")


@blp.get("/")
def home() -> BaseResponse:
    return redirect(url_for("web.find" if signed_in_user() else "web.sign_in"))


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> BaseResponse | tuple[str, int] | str:
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("sign_in.html", next=target, email="", error=None)
    email = request.form.get("email", "")
    try:
        user = passwords.sign_in(email, request.form.get("password", ""), now())
    except (passwords.SignInRefusedError, passwords.TooManyAttemptsError) as refused:
        page = render_template("sign_in.html", next=target, email=email, error=refused.detail)
        return page, refused.status
    remember(user)
    return redirect(target)


@blp.post("/sign-out")
def sign_out() -> BaseResponse:
    forget()
    flash("You are signed out.")
    return redirect(url_for("web.sign_in"))


# --- find and book -------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A stretch of a timeline row: where it starts and how wide it is, in % of the day."""

    start: datetime
    end: datetime
    free: bool

    def left(self, day: Interval) -> float:
        return 100 * (self.start - day.start) / (day.end - day.start)

    def width(self, day: Interval) -> float:
        return 100 * (self.end - self.start) / (day.end - day.start)


def _blocks(match: Match, day: Interval) -> list[Block]:
    found = [
        Block(max(i.start, day.start), min(i.end, day.end), free)
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
    user = signed_in_user()
    assert user is not None
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        day = _today()
    day = min(max(day, date(2000, 1, 1)), date(2200, 12, 31))
    kind = request.args.get("kind") or None
    kind = kind if kind in BOOKABLE_KINDS else None
    duration_text = request.args.get("duration", "PT1H")
    duration_text = duration_text if duration_text in DURATIONS else "PT1H"
    duration = {"PT30M": 0.5, "PT1H": 1, "PT2H": 2, "PT3H": 3, "PT4H": 4, "PT8H": 8}[duration_text]
    attendees = _int(request.args.get("attendees"), 1, 10_000)
    feature = (request.args.get("feature") or "").strip()[:100]
    window = _local_day(day)
    filters = ResourceFilter(
        kind=kind, min_capacity=attendees, feature=(feature,) if feature else ()
    )
    matches = search_availability(user, window, timedelta(hours=duration), filters, now(), limit=40)
    rows = [(m, _blocks(m, window)) for m in sorted(matches, key=lambda m: m.resource.name)]
    return render_template(
        "find.html",
        day=day,
        window=window,
        kinds=BOOKABLE_KINDS,
        kind=kind,
        durations=DURATIONS,
        duration=duration_text,
        length=timedelta(hours=duration),
        attendees=attendees,
        feature=feature,
        rows=rows,
        slots=matches[:10],
        hours=range(DAY_START, DAY_END),
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


def _parse_when(day: str, clock: str, field: str, errors: dict[str, list[str]]) -> datetime | None:
    try:
        naive = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
        return localize(naive, site_zone())
    except ValueError as error:
        errors.setdefault(field, []).append(
            str(error) if isinstance(error, LocalTimeError) else "Give a date and a time."
        )
        return None


def _form_defaults() -> dict[str, Any]:
    args = request.args
    start = end = None
    try:
        start = datetime.fromisoformat(args.get("start", ""))
        end = datetime.fromisoformat(args.get("end", ""))
    except ValueError:
        pass
    zone = site_zone()
    first = (start or datetime.combine(_today(), time(9), zone)).astimezone(zone)
    last = (end or first + timedelta(hours=1)).astimezone(zone)
    return {
        "date": first.date().isoformat(),
        "start": first.strftime("%H:%M"),
        "end": last.strftime("%H:%M"),
        "title": args.get("title", ""),
        "attendees": args.get("attendees", ""),
        "repeat": "none",
        "until": "",
    }


@blp.route("/book/<int:resource_id>", methods=["GET", "POST"])
@signed_in
def book(resource_id: int) -> BaseResponse | str | tuple[str, int]:
    """The booking form; it ends in a confirmation, or in the reasons and alternatives."""
    user = signed_in_user()
    assert user is not None
    try:
        resource = get_resource(resource_id)
    except DomainError:
        abort(404)
    if request.method == "GET":
        return render_template("book.html", resource=resource, form=_form_defaults(), errors={})
    form = {key: request.form.get(key, "").strip() for key in _form_defaults()}
    errors: dict[str, list[str]] = {}
    start = _parse_when(form["date"], form["start"], "start", errors)
    end = _parse_when(form["date"], form["end"], "end", errors)
    if start and end and end <= start:
        errors.setdefault("end", []).append("The end must be after the start.")
    if not form["title"]:
        errors.setdefault("title", []).append("Give the booking a title.")
    attendees = _int(form["attendees"], 1, 100_000) if form["attendees"] else None
    if form["attendees"] and attendees is None:
        errors.setdefault("attendees", []).append("A number of people, 1 or more.")
    rule = None
    if form["repeat"] in ("weekly", "fortnightly"):
        try:
            until = date.fromisoformat(form["until"])
            interval = 1 if form["repeat"] == "weekly" else 2
            rule = f"FREQ=WEEKLY;INTERVAL={interval};UNTIL={until:%Y%m%d}"
        except ValueError:
            errors.setdefault("until", []).append("Give the last date the booking repeats on.")
    if errors or start is None or end is None:
        page = render_template("book.html", resource=resource, form=form, errors=errors)
        return page, 422
    try:
        if rule is None:
            draft = BookingDraft(resource.id, start, end, form["title"], attendees=attendees)
            made = bookings.create_booking(user, draft, now())
            flash("Booked. It is in your bookings below.")
            return redirect(url_for("web.booking_page", booking_id=made.id))
        series_draft = SeriesDraft(
            resource.id, start, end, form["title"], attendees=attendees, rule=rule
        )
        view = series.create_series(user, series_draft, now())
        flash(f"Booked {len(view.bookings)} dates.")
        return redirect(url_for("web.mine"))
    except InvalidFieldsError as refused:
        errors = {key: list(value) for key, value in refused.extra["errors"].items()}
        refusal: dict[str, Any] = {}
    except RuleViolationError as refused:
        refusal = {"reasons": [v["message"] for v in refused.extra["violations"]]}
    except BookingConflictError as refused:
        refusal = {
            "reasons": ["That time is already booked."],
            "alternatives": _alternatives(refused.extra.get("alternatives", [])),
        }
    except SeriesRefusedError as refused:
        refusal = {"reasons": [refused.detail], "occurrences": refused.extra["occurrences"]}
    page = render_template(
        "book.html", resource=resource, form=form, errors=errors, refusal=refusal
    )
    return page, 409 if refusal.get("alternatives") is not None else 422


def _alternatives(offers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The offers of a 409, with names and instants, for one-click buttons."""
    names: dict[int, str] = {}
    shown = []
    for offer in offers:
        rid = offer["resource_id"]
        if rid not in names:
            names[rid] = get_resource(rid).name
        start, end = (
            value if isinstance(value, datetime) else datetime.fromisoformat(value)
            for value in (offer["start"], offer["end"])
        )
        shown.append({"resource_id": rid, "name": names[rid], "start": start, "end": end})
    return shown


@blp.post("/book/<int:resource_id>/offer")
@signed_in
def book_offer(resource_id: int) -> BaseResponse | tuple[str, int]:
    """Book an alternative offered after a clash, in one click."""
    user = signed_in_user()
    assert user is not None
    try:
        start = datetime.fromisoformat(request.form["start"])
        end = datetime.fromisoformat(request.form["end"])
    except (KeyError, ValueError):
        abort(400)
    attendees = _int(request.form.get("attendees"), 1, 100_000)
    title = request.form.get("title", "").strip()[:200] or "Booking"
    try:
        made = bookings.create_booking(
            user, BookingDraft(resource_id, start, end, title, attendees=attendees), now()
        )
    except DomainError as refused:
        flash(f"That could not be booked: {refused.detail}")
        return redirect(url_for("web.book", resource_id=resource_id))
    flash("Booked. It is in your bookings below.")
    return redirect(url_for("web.booking_page", booking_id=made.id))


# --- my bookings -------------------------------------------------------------------------


def _feed_links() -> dict[str, Any]:
    user = signed_in_user()
    assert user is not None
    secret = feeds.feed_secret(user, now())
    mine = url_for("feeds.mine_feed", secret=secret, _external=True)
    webcal = "webcal://" + mine.split("://", 1)[1]
    name = "HWIC bookings"
    return {
        "url": mine,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": mine, "name": name}),
        "tenant": url_for("feeds.tenant_feed", secret=secret, _external=True)
        if user.tenant_id
        else None,
    }


@blp.get("/bookings")
@signed_in
def mine() -> str:
    """Your bookings, upcoming and of the last 30 days, and your calendar feed."""
    user = signed_in_user()
    assert user is not None
    moment = now()
    listed = bookings.list_bookings(
        user, BookingQuery(start=moment - timedelta(days=30), mine=True, limit=1000)
    )
    upcoming = [b for b in listed if b.end > moment]
    past = [b for b in listed if b.end <= moment][::-1]
    return render_template(
        "mine.html",
        upcoming=upcoming,
        past=past,
        names=_resource_names(listed),
        checkable=lambda b: _checkable(b, moment),
        open_statuses=OCCUPYING,
        feed=_feed_links(),
    )


def _resource_names(listed: list[Booking]) -> dict[int, str]:
    return {rid: get_resource(rid).name for rid in {b.resource_id for b in listed}}


def _checkable(booking: Booking, moment: datetime) -> bool:
    opens = booking.start - attendance.check_in_from()
    return booking.status == "confirmed" and opens <= moment < booking.end


@blp.get("/bookings/<int:booking_id>")
@signed_in
def booking_page(booking_id: int) -> str:
    user = signed_in_user()
    assert user is not None
    try:
        booking = bookings.get_booking(user, booking_id)
    except DomainError:
        abort(404)
    return render_template(
        "booking.html",
        booking=booking,
        resource=get_resource(booking.resource_id),
        checkable=_checkable(booking, now()),
        open_statuses=OCCUPYING,
    )


def _act(action: str, booking_id: int) -> BaseResponse:
    user = signed_in_user()
    assert user is not None
    done = {
        "cancel": (bookings.cancel_booking, "Cancelled."),
        "check-in": (attendance.check_in, "Checked in. Welcome!"),
    }[action]
    try:
        done[0](user, booking_id, now())
        flash(done[1])
    except DomainError as refused:
        flash(refused.detail)
    return redirect(request.form.get("back") or url_for("web.mine"))


@blp.post("/bookings/<int:booking_id>/cancel")
@signed_in
def cancel(booking_id: int) -> BaseResponse:
    return _act("cancel", booking_id)


@blp.post("/bookings/<int:booking_id>/check-in")
@signed_in
def check_in(booking_id: int) -> BaseResponse:
    return _act("check-in", booking_id)


@blp.post("/bookings/<int:booking_id>/cancel-following")
@signed_in
def cancel_following(booking_id: int) -> BaseResponse:
    """Cancel a repeating booking from this date on."""
    user = signed_in_user()
    assert user is not None
    try:
        booking = bookings.get_booking(user, booking_id)
        if booking.series_id is None:
            abort(404)
        view = series.cancel_series(user, booking.series_id, booking.id, now())
        left = sum(1 for b in view.bookings if b.status in OCCUPYING)
        flash(f"Cancelled this date and the ones after it; {left} still booked.")
    except DomainError as refused:
        flash(refused.detail)
    return redirect(url_for("web.mine"))


@blp.post("/feeds/rotate")
@signed_in
def rotate_feed() -> BaseResponse:
    user = signed_in_user()
    assert user is not None
    feeds.rotate_feed_secret(user, now())
    flash("Your calendar feed has a new address; the old one no longer works.")
    return redirect(url_for("web.mine") + "#feed")


@blp.app_errorhandler(403)
def forbidden(error: Exception) -> Response | tuple[str, int]:
    if request.path.startswith("/api/"):
        return problem(403, "forbidden", "Not allowed", "Not allowed.")
    return render_template(
        "error.html", title="Not for you", message="This page is for the centre's staff."
    ), 403


@blp.app_errorhandler(404)
def not_found(error: Exception) -> Response | tuple[str, int]:
    if request.path.startswith("/api/"):
        return problem(404, "not_found", "Not found", "No such address.")
    return render_template("error.html", title="Not found", message="There is no such page."), 404
