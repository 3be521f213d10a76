"""The calendar's month and week grids, in JST (the posts' own wall clock).

Pure building: given the days to show, the posts scheduled in them and the
offices' schedules (posts.office_hours), it lays out one Day per calendar day
with its posts, the administrative holiday's name (土曜日, 天皇誕生日, 年末年始),
each office's closure day and counter hours, and which posts fall outside the
counter hours of their accounts' offices. The view reads the data; nothing
here queries the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils import dateformat
from django.utils.text import Truncator

from posts import office_hours
from posts.office_hours import JST

if TYPE_CHECKING:
    from accounts.models import Office
    from posts.models import Post

MONTH, WEEK, DAY = "month", "week", "day"
VIEWS = (MONTH, WEEK, DAY)
# A day of the month or week grid lists at most this many posts, the earliest, and "+N more" opens the
# day: a month reads the same and costs the same with 10 or 10,000 posts. A week's days are taller.
PER_DAY = {MONTH: 3, WEEK: 8}
# The day view lists its posts a page at a time (a day can hold hundreds).
DAY_PAGE = 50
# A line of the month or week names this many of a post's accounts, and "+N accounts"; the day names all.
NAMED_ACCOUNTS = 3


@dataclass(frozen=True)
class Span:
    """The days one view shows: whole weeks, Monday first."""

    view: str
    anchor: dt.date  # the day the view was asked for (any day in the month or week)
    first: dt.date
    last: dt.date  # inclusive
    previous: dt.date  # an anchor for the month or week before
    following: dt.date  # and after

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def starts_at(self) -> dt.datetime:
        """The first moment shown: midnight JST of the first day."""
        return dt.datetime.combine(self.first, dt.time(), tzinfo=JST)

    @property
    def ends_at(self) -> dt.datetime:
        """The moment after the last one shown: midnight JST after the last day."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=JST)

    def in_focus(self, day: dt.date) -> bool:
        """A day of the month asked for (the grid's leading and trailing days are not)."""
        return self.view != MONTH or (day.year, day.month) == (self.anchor.year, self.anchor.month)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def span(view: str, anchor: dt.date) -> Span:
    if view == DAY:
        one = dt.timedelta(days=1)
        return Span(view=DAY, anchor=anchor, first=anchor, last=anchor, previous=anchor - one, following=anchor + one)
    if view == WEEK:
        first = _monday(anchor)
        return Span(
            view=WEEK,
            anchor=anchor,
            first=first,
            last=first + dt.timedelta(days=6),
            previous=first - dt.timedelta(days=7),
            following=first + dt.timedelta(days=7),
        )
    start = anchor.replace(day=1)
    following = _add_months(start, 1)
    last_of_month = following - dt.timedelta(days=1)
    return Span(
        view=MONTH,
        anchor=anchor,
        first=_monday(start),
        last=_monday(last_of_month) + dt.timedelta(days=6),
        previous=_add_months(start, -1),
        following=following,
    )


def jst_day(at: dt.datetime) -> dt.date:
    """The JST calendar day of an aware moment (23:30 UTC is the next morning in Tokyo)."""
    return at.astimezone(JST).date()


@dataclass(frozen=True)
class OfficeDay:
    """One office on one day: its counter windows, or why it is closed."""

    office: Office
    windows: list[tuple[dt.datetime, dt.datetime]]
    closure: str = ""  # the reason an administrator recorded, for this office or all offices

    @property
    def hours(self) -> str:
        """ "09:00–12:00, 13:00–16:00": the windows are JST already, so plain strftime (not the date filter)."""
        return ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in self.windows)


@dataclass
class Entry:
    """One line of the calendar: a post at its JST time, with the accounts where the counter is closed then."""

    post: Post  # its targets prefetched
    at: dt.datetime  # JST
    closed_on: list[str] = field(default_factory=list)  # "@IMMI_TOKYO: 土曜日"
    # What the line writes, worked out once here rather than by template tags for each of a hundred lines.
    handles: list[str] = field(default_factory=list)  # the accounts named (a few of them on the month or week)
    more_accounts: int = 0  # the accounts not named ("+N accounts")
    line: str = ""  # the line as the page writes it: the view renders it (posts/_calendar_line.html)

    @cached_property
    def state(self):
        return self.post.display_state()

    @property
    def short_body(self) -> str:
        return Truncator(self.post.body).chars(28)

    @property
    def outside_hours(self) -> bool:
        return bool(self.closed_on)

    # The time as the line and its Move form write it (a page writes a hundred of them: plain strftime
    # rather than the template's localising date filter).
    @property
    def hh_mm(self) -> str:
        return self.at.strftime("%H:%M")

    @property
    def day_text(self) -> str:
        return self.at.date().isoformat()


@dataclass
class Day:
    date: dt.date
    in_focus: bool
    is_today: bool
    holiday: str = ""  # 土曜日, 日曜日, a national holiday's name, 年末年始
    offices: list[OfficeDay] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  # the posts shown: the day's first few, or a page of them
    total: int = 0  # the posts the day holds, shown or not
    is_next_window: bool = False  # the next counter window (of an office shown) opens this day

    @property
    def more(self) -> int:
        """Posts of the day not shown here ("+N more" opens the day)."""
        return max(0, self.total - len(self.entries))

    @property
    def closures(self) -> list[OfficeDay]:
        return [o for o in self.offices if o.closure]

    @property
    def closure_notes(self) -> list[tuple[str, list]]:
        """(reason, offices) per reason; offices empty when the reason closes every office shown."""
        notes: dict[str, list] = {}
        for office_day in self.closures:
            notes.setdefault(office_day.closure, []).append(office_day.office)
        return [(reason, [] if len(offices) == len(self.offices) else offices) for reason, offices in notes.items()]

    @property
    def is_closed(self) -> bool:
        """No counter shown is open: an administrative holiday, or every office shown is closed."""
        return bool(self.holiday) or (bool(self.offices) and all(o.closure for o in self.offices))

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def iso(self) -> str:
        return self.date.isoformat()

    @cached_property
    def label(self) -> str:
        """ "8/15 (Sat)" in the reader's language, as the template's date filter writes it."""
        return dateformat.format(self.date, "n/j (D)")


@dataclass(frozen=True)
class NextWindow:
    office: object
    opens: dt.datetime
    closes: dt.datetime
    is_open_now: bool


def build(
    window: Span,
    *,
    posts,
    totals: dict[dt.date, int] | None = None,
    schedules: dict,
    offices,
    today: dt.date,
    now: dt.datetime,
) -> tuple[list[list[Day]], list[NextWindow]]:
    """The grid (weeks of seven Days) and each shown office's current or next counter window.

    `posts` are the posts to show of those scheduled in the span (the first
    few of each day, or one page of a day), targets (with their accounts)
    prefetched; `totals` how many posts each JST day holds, shown or not (a
    day missing from it holds those shown); `schedules` is office_hours._Schedule.load_many() for every
    office those accounts belong to and every office in `offices` (the offices
    whose hours the page shows), over at least the span.
    """
    days = {}
    for day in window.days:
        holiday = office_hours.in_reader_language(office_hours.holiday_name(day) or "")
        shown = [
            OfficeDay(
                office=office,
                windows=schedules[office.pk].windows_on(day),
                closure=schedules[office.pk].closure_reason(day) or "",
            )
            for office in offices
        ]
        days[day] = Day(date=day, in_focus=window.in_focus(day), is_today=day == today, holiday=holiday, offices=shown)
    for post in posts:
        at = post.scheduled_at.astimezone(JST)
        shown_day = days.get(at.date())
        if shown_day is None:
            continue
        handles = [target.account.display_handle for target in post.targets.all()]
        named = len(handles) if window.view == DAY else NAMED_ACCOUNTS
        entry = Entry(post=post, at=at, handles=handles[:named], more_accounts=max(0, len(handles) - named))
        # Once its time has passed (published, or failed and handled on its page) the hours are history:
        # no outside-hours warning.
        for target in post.targets.all() if at > now else ():
            schedule = schedules.get(target.account.office_id)
            reason = schedule.closed_reason(at) if schedule is not None else None
            if reason:
                entry.closed_on.append(f"{target.account.display_handle}: {reason}")
        shown_day.entries.append(entry)
    for shown_day in days.values():
        shown_day.entries.sort(key=lambda e: (e.at, e.post.pk))
        shown_day.total = max((totals or {}).get(shown_day.date, 0), len(shown_day.entries))

    upcoming = []
    now_jst = now.astimezone(JST)
    for office in offices:
        try:
            opens, closes = schedules[office.pk].window_at_or_after(now_jst)
        except office_hours.NoOfficeHours:
            continue
        upcoming.append(NextWindow(office=office, opens=opens, closes=closes, is_open_now=opens <= now_jst))
        if opens.date() in days:
            days[opens.date()].is_next_window = True

    ordered = [days[d] for d in window.days]
    return [ordered[n : n + 7] for n in range(0, len(ordered), 7)], upcoming
