"""When an office's counter is open (§4 of the operating policy).

§4: posts go out, in principle, within the posting office's counter hours, so
that an enquiry prompted by a post can be answered the same day. The counter
is open on the weekday windows in OfficeHours (JST wall-clock times), except

- administrative holidays (行政機関の休日に関する法律 第1条): Saturdays,
  Sundays, national holidays (祝日法, including 振替休日 and 国民の休日, taken
  from jpholiday) and the year-end/new-year days 12/29–1/3, which no holiday
  library covers;
- closure days an administrator records for that office, or for every office.

Every public function loads the office's windows and closure days once per
call and never caches them across calls: administrators edit hours and closure
days, and the worker must see a change at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import jpholiday
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import ClosureDay, Office, OfficeHours

JST = ZoneInfo("Asia/Tokyo")

# How far next_open / next_window look ahead before giving up. A year plus a
# margin covers the longest plausible run of holidays and closure days.
SEARCH_DAYS = 400

# Names for administrative holidays that are not national holidays.
YEAR_END_NAME = "年末年始"
# How the composer names the year-end days as a reason: which days they are is not common knowledge.
YEAR_END_REASON = "年末年始 (12/29–1/3)"
WEEKEND_NAMES = {5: "土曜日", 6: "日曜日"}

# The rules above compare the Japanese names (jpholiday's own); a reader of the English interface reads these.
# One language at a time: an English page never shows 土曜日 or 元日.
ENGLISH_NAMES = {
    "土曜日": "Saturday",
    "日曜日": "Sunday",
    YEAR_END_NAME: "Year-end and New Year holidays",
    YEAR_END_REASON: "Year-end and New Year holidays (12/29–1/3)",
    "元日": "New Year's Day",
    "成人の日": "Coming of Age Day",
    "建国記念の日": "National Foundation Day",
    "天皇誕生日": "The Emperor's Birthday",
    "春分の日": "Vernal Equinox Day",
    "昭和の日": "Showa Day",
    "憲法記念日": "Constitution Memorial Day",
    "みどりの日": "Greenery Day",
    "こどもの日": "Children's Day",
    "海の日": "Marine Day",
    "山の日": "Mountain Day",
    "敬老の日": "Respect for the Aged Day",
    "秋分の日": "Autumnal Equinox Day",
    "スポーツの日": "Sports Day",
    "体育の日": "Health and Sports Day",
    "文化の日": "Culture Day",
    "勤労感謝の日": "Labour Thanksgiving Day",
    "国民の休日": "Citizens' Holiday",
    "天皇の即位の日": "Enthronement Day",
    "即位礼正殿の儀": "Enthronement Ceremony",
}
SUBSTITUTE = " 振替休日"


def in_reader_language(name: str) -> str:
    """A holiday's Japanese name as the reader reads it: as is in Japanese, in English otherwise."""
    if not name or (get_language() or "ja").split("-")[0] == "ja":
        return name
    if name.endswith(SUBSTITUTE):
        base = name[: -len(SUBSTITUTE)]
        return "Substitute holiday for " + ENGLISH_NAMES.get(base, base)
    return ENGLISH_NAMES.get(name, name)


class NoOfficeHours(ValueError):
    """The office has no counter window to offer (none defined, or none within SEARCH_DAYS)."""


# --- administrative holidays ---------------------------------------------------------------


def _check_date(day: dt.date) -> None:
    # A datetime is a date too, but its date depends on its time zone; make callers say which.
    if isinstance(day, dt.datetime):
        raise TypeError("Pass a date (the JST calendar day), not a datetime.")


def _is_year_end(day: dt.date) -> bool:
    # 行政機関の休日に関する法律 第1条第1項第3号: 12月29日から翌年の1月3日まで.
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def holiday_name(day: dt.date) -> str | None:
    """Why `day` is an administrative holiday, or None when it is a working day.

    A national holiday's own name comes first (1/1 is 元日, a Sunday 5/3 is 憲法記念日),
    then 年末年始, then 土曜日/日曜日.
    """
    _check_date(day)
    national = jpholiday.is_holiday_name(day)
    if national:
        return national
    if _is_year_end(day):
        return YEAR_END_NAME
    return WEEKEND_NAMES.get(day.weekday())


def is_administrative_holiday(day: dt.date) -> bool:
    """True on Saturdays, Sundays, national holidays and 12/29–1/3 (行政機関の休日)."""
    return holiday_name(day) is not None


# --- one office's schedule, loaded once per call ---------------------------------------------


@dataclass(frozen=True)
class _Schedule:
    """An office's windows and closure days, read from the database in two queries."""

    office: Office
    # weekday -> merged, sorted (opens, closes) windows
    windows: dict[int, list[tuple[dt.time, dt.time]]]
    # date -> reason; the office's own closure wins over an all-offices one
    closures: dict[dt.date, str]

    @classmethod
    def load(cls, office: Office, *, first: dt.date, last: dt.date) -> _Schedule:
        return cls.load_many([office], first=first, last=last)[office.pk]

    @classmethod
    def load_many(cls, offices, *, first: dt.date, last: dt.date) -> dict[int, _Schedule]:
        """The schedules of several offices over first..last, in two queries for all of them."""
        offices = {office.pk: office for office in offices}
        by_office: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = {pk: {} for pk in offices}
        rows = OfficeHours.objects.filter(office_id__in=offices).values_list("office_id", "weekday", "opens", "closes")
        for office_id, weekday, opens, closes in rows:
            by_office[office_id].setdefault(weekday, []).append((opens, closes))

        closures: dict[int, dict[dt.date, str]] = {pk: {} for pk in offices}
        closure_rows = ClosureDay.objects.filter(
            Q(office_id__in=offices) | Q(office__isnull=True),
            date__range=(first, last),
        ).values_list("date", "office_id", "reason")
        for day, office_id, reason in closure_rows:
            # The office's own, more specific reason wins over an all-offices one on the same day.
            for pk in [office_id] if office_id is not None else offices:
                if office_id is not None or day not in closures[pk]:
                    closures[pk][day] = reason
        return {
            pk: cls(
                office=office, windows={wd: _merge(spans) for wd, spans in by_office[pk].items()}, closures=closures[pk]
            )
            for pk, office in offices.items()
        }

    def closure_reason(self, day: dt.date) -> str | None:
        return self.closures.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        return not is_administrative_holiday(day) and day not in self.closures

    def closed_reason(self, at_jst: dt.datetime) -> str | None:
        """Why the counter is closed at at_jst, or None when it is open."""
        day = at_jst.date()
        holiday = holiday_name(day)
        if holiday == YEAR_END_NAME:
            return in_reader_language(YEAR_END_REASON)
        if holiday:
            return in_reader_language(holiday)
        if day in self.closures:
            return self.closures[day]
        windows = self.windows.get(day.weekday(), [])
        if any(opens <= at_jst.time() < closes for opens, closes in windows):
            return None
        if not windows:
            return _("no counter hours on this weekday")
        hours = ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in windows)
        return _("outside counter hours (%(hours)s)") % {"hours": hours}

    def windows_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's windows as aware JST datetimes; none on holidays and closure days."""
        if not self.is_working_day(day):
            return []
        return [
            (dt.datetime.combine(day, opens, tzinfo=JST), dt.datetime.combine(day, closes, tzinfo=JST))
            for opens, closes in self.windows.get(day.weekday(), [])
        ]

    def window_at_or_after(self, at_jst: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The window containing at_jst, or else the next one to open."""
        if not any(self.windows.values()):
            raise NoOfficeHours(f"Office {self.office.code!r} has no office hours defined.")
        start_day = at_jst.date()
        for offset in range(SEARCH_DAYS + 1):
            day = start_day + dt.timedelta(days=offset)
            for opens, closes in self.windows_on(day):
                if at_jst < closes:  # opens inclusive, closes exclusive
                    return opens, closes
        raise NoOfficeHours(
            f"Office {self.office.code!r} has no open window within {SEARCH_DAYS} days of {at_jst:%Y-%m-%d}."
        )


def _merge(spans: list[tuple[dt.time, dt.time]]) -> list[tuple[dt.time, dt.time]]:
    # Overlapping or touching windows (09:00–12:00 and 12:00–16:00) are one stretch of
    # opening, so the composer can say "open until 16:00" rather than "until 12:00".
    merged: list[tuple[dt.time, dt.time]] = []
    for opens, closes in sorted(spans):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


def _to_jst(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be an aware datetime.")
    return at.astimezone(JST)


# --- public entry points -----------------------------------------------------------------------


def closure_reason(office: Office, day: dt.date) -> str | None:
    """The reason an administrator closed `office` (or every office) on `day`, or None.

    Administrative holidays are not closure days; see holiday_name() for those.
    """
    _check_date(day)
    return _Schedule.load(office, first=day, last=day).closure_reason(day)


def is_open(office: Office, at: dt.datetime) -> bool:
    """True when `office`'s counter is open at `at` (any time zone; judged in JST)."""
    at_jst = _to_jst(at)
    day = at_jst.date()
    schedule = _Schedule.load(office, first=day, last=day)
    return any(opens <= at_jst < closes for opens, closes in schedule.windows_on(day))


def closed_reason(office: Office, at: dt.datetime) -> str | None:
    """Why `office`'s counter is closed at `at`, or None when it is open (§4).

    The administrative holiday's name (土曜日, 天皇誕生日, 年末年始 (12/29–1/3)),
    else the reason of the closure day an administrator recorded, else that
    the time falls outside the day's counter hours, which are named.
    """
    at_jst = _to_jst(at)
    day = at_jst.date()
    return _Schedule.load(office, first=day, last=day).closed_reason(at_jst)


def next_window(office: Office, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) in JST of the window open at `at`, or of the next one to open.

    When the office is open at `at`, start is that window's opening time (not after `at`).
    Raises NoOfficeHours when the office has no windows or none within SEARCH_DAYS days.
    """
    at_jst = _to_jst(at)
    day = at_jst.date()
    schedule = _Schedule.load(office, first=day, last=day + dt.timedelta(days=SEARCH_DAYS))
    return schedule.window_at_or_after(at_jst)


def schedules(offices, *, first: dt.date, last: dt.date) -> dict[int, _Schedule]:
    """Several offices' windows and closure days over first..last, in two queries for all (the calendar).

    Each answers windows_on(day), closure_reason(day), closed_reason(at_jst)
    and window_at_or_after(at_jst); for the next window, load SEARCH_DAYS past
    the moment asked about.
    """
    _check_date(first)
    _check_date(last)
    return _Schedule.load_many(offices, first=first, last=last)


@dataclass(frozen=True)
class Assessment:
    """What the composer shows about a time at one office: open, why not, and the next opening."""

    is_open: bool
    next_open: dt.datetime | None
    closed_reason: str | None
    problem: str = ""  # NoOfficeHours' message when there is no window to offer


def assess_many(offices, times, *, only=None) -> dict[tuple[dt.datetime, int], Assessment]:
    """is_open, next_open and closed_reason for several offices at several times, in two queries for all.

    For pages that show many accounts at once (the composer's preview, the
    queue); keyed by (time, office id). `only`, a set of such keys, leaves out
    the pairs nobody asked about (a queue's posts each go to a few offices).
    """
    offices = list(offices)
    moments = {at: _to_jst(at) for at in times}
    if not offices or not moments:
        return {}
    days = [at_jst.date() for at_jst in moments.values()]
    schedules = _Schedule.load_many(offices, first=min(days), last=max(days) + dt.timedelta(days=SEARCH_DAYS))
    found = {}
    for at, at_jst in moments.items():
        day = at_jst.date()
        for pk, schedule in schedules.items():
            if only is not None and (at, pk) not in only:
                continue
            is_open_now = any(opens <= at_jst < closes for opens, closes in schedule.windows_on(day))
            reason = None if is_open_now else schedule.closed_reason(at_jst)
            try:
                start, _end = schedule.window_at_or_after(at_jst)
            except NoOfficeHours as exc:
                found[at, pk] = Assessment(is_open=False, next_open=None, closed_reason=reason, problem=str(exc))
                continue
            found[at, pk] = Assessment(
                is_open=is_open_now, next_open=at if start <= at else start, closed_reason=reason
            )
    return found


def next_open(office: Office, at: dt.datetime) -> dt.datetime:
    """`at` itself when `office` is open then; otherwise the start of the next window (JST).

    Raises NoOfficeHours when the office has no windows or none within SEARCH_DAYS days.
    """
    start, _end = next_window(office, at)
    # §4: a post due while the counter is open goes out as scheduled, unchanged.
    return at if start <= at else start
