"""Office hours, administrative holidays and closure days (§4), on the real 2026/2027 calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from accounts.models import Office, OfficeHours
from posts.office_hours import (
    NoOfficeHours,
    closed_reason,
    closure_reason,
    holiday_name,
    is_administrative_holiday,
    is_open,
    next_open,
    next_window,
)
from tests.factories import ClosureDayFactory, OfficeFactory, OfficeHoursFactory

JST = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=JST)


@pytest.fixture
def tokyo(db) -> Office:
    return Office.objects.get(code="tokyo")


@pytest.fixture
def sapporo(db) -> Office:
    return Office.objects.get(code="sapporo")


@pytest.fixture
def osaka(db) -> Office:
    return Office.objects.get(code="osaka")


# --- administrative holidays (no database) ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (dt.date(2026, 6, 6), "土曜日"),
        (dt.date(2026, 6, 7), "日曜日"),
        (dt.date(2026, 11, 3), "文化の日"),
        (dt.date(2026, 5, 6), "憲法記念日 振替休日"),
        (dt.date(2026, 9, 22), "国民の休日"),
        (dt.date(2026, 12, 29), "年末年始"),
        (dt.date(2026, 12, 30), "年末年始"),
        (dt.date(2026, 12, 31), "年末年始"),
        (dt.date(2027, 1, 1), "元日"),  # the national holiday's own name comes first
        (dt.date(2027, 1, 2), "年末年始"),  # a Saturday, but 年末年始 says more
        (dt.date(2027, 1, 3), "年末年始"),
    ],
)
def test_administrative_holidays(day, name):
    assert is_administrative_holiday(day)
    assert holiday_name(day) == name


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 6, 5), dt.date(2026, 12, 28), dt.date(2027, 1, 4), dt.date(2026, 5, 7), dt.date(2026, 9, 24)],
)
def test_working_days(day):
    assert not is_administrative_holiday(day)
    assert holiday_name(day) is None


def test_holiday_functions_refuse_a_datetime():
    # A datetime's calendar day depends on its time zone; the caller must pick the JST date.
    with pytest.raises(TypeError):
        is_administrative_holiday(jst(2026, 6, 6, 10))


# --- is_open -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tokyo_weekday_boundaries(tokyo):
    # Friday 2026-06-05; Tokyo is 09:00–16:00 without a lunch break.
    assert not is_open(tokyo, jst(2026, 6, 5, 8, 59))
    assert is_open(tokyo, jst(2026, 6, 5, 9, 0))  # opens inclusive
    assert is_open(tokyo, jst(2026, 6, 5, 12, 30))
    assert is_open(tokyo, jst(2026, 6, 5, 15, 59))
    assert not is_open(tokyo, jst(2026, 6, 5, 16, 0))  # closes exclusive


@pytest.mark.django_db
def test_sapporo_lunch_break(sapporo):
    assert is_open(sapporo, jst(2026, 6, 5, 11, 59))
    assert not is_open(sapporo, jst(2026, 6, 5, 12, 0))
    assert not is_open(sapporo, jst(2026, 6, 5, 12, 30))
    assert is_open(sapporo, jst(2026, 6, 5, 13, 0))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "at",
    [
        jst(2026, 6, 6, 10),  # Saturday
        jst(2026, 6, 7, 10),  # Sunday
        jst(2026, 11, 3, 10),  # 文化の日 (Tuesday)
        jst(2026, 5, 6, 10),  # 振替休日 for 憲法記念日 (Wednesday)
        jst(2026, 9, 22, 10),  # 国民の休日 between 敬老の日 and 秋分の日 (Tuesday)
        jst(2026, 12, 29, 10),  # 年末年始 (Tuesday)
        jst(2026, 12, 30, 10),
        jst(2027, 1, 2, 10),
        jst(2027, 1, 3, 10),
    ],
)
def test_closed_on_administrative_holidays(tokyo, sapporo, at):
    assert not is_open(tokyo, at)
    assert not is_open(sapporo, at)


@pytest.mark.django_db
def test_open_on_first_working_day_of_2027(tokyo):
    assert dt.date(2027, 1, 4).weekday() == 0  # a Monday
    assert is_open(tokyo, jst(2027, 1, 4, 9, 0))


@pytest.mark.django_db
def test_utc_input_is_judged_in_jst(tokyo):
    # 2026-06-05 06:59 UTC is Friday 15:59 JST; 07:00 UTC is 16:00 JST.
    assert is_open(tokyo, dt.datetime(2026, 6, 5, 6, 59, tzinfo=UTC))
    assert not is_open(tokyo, dt.datetime(2026, 6, 5, 7, 0, tzinfo=UTC))
    # Friday 2026-06-05 00:30 UTC is already 09:30 JST: open, although the UTC hour is 0.
    assert is_open(tokyo, dt.datetime(2026, 6, 5, 0, 30, tzinfo=UTC))
    # Sunday 2026-06-07 23:30 UTC is Monday 08:30 JST: the JST date decides the weekday.
    assert not is_open(tokyo, dt.datetime(2026, 6, 7, 23, 30, tzinfo=UTC))
    assert is_open(tokyo, dt.datetime(2026, 6, 8, 0, 0, tzinfo=UTC))


@pytest.mark.django_db
def test_naive_datetime_is_refused(tokyo):
    with pytest.raises(ValueError, match="must be an aware datetime"):
        is_open(tokyo, dt.datetime(2026, 6, 5, 10, 0))  # noqa: DTZ001 (the naive time is what is refused)


# --- closure days --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closure_day_for_one_office_does_not_close_another(tokyo, osaka):
    ClosureDayFactory.create(date=dt.date(2026, 6, 10), office=tokyo, reason="庁舎設備点検")
    at = jst(2026, 6, 10, 10)
    assert not is_open(tokyo, at)
    assert is_open(osaka, at)
    assert closure_reason(tokyo, dt.date(2026, 6, 10)) == "庁舎設備点検"
    assert closure_reason(osaka, dt.date(2026, 6, 10)) is None
    assert next_open(tokyo, at) == jst(2026, 6, 11, 9, 0)


@pytest.mark.django_db
def test_closure_day_for_all_offices_closes_every_office():
    ClosureDayFactory.create(date=dt.date(2026, 6, 10), office=None, reason="システム停止")
    at = jst(2026, 6, 10, 10)
    for office in Office.objects.all():
        assert not is_open(office, at), office.code
        assert closure_reason(office, dt.date(2026, 6, 10)) == "システム停止"
    assert is_open(Office.objects.get(code="tokyo"), jst(2026, 6, 11, 10))


@pytest.mark.django_db
def test_office_closure_reason_wins_over_all_offices_reason(tokyo, osaka):
    ClosureDayFactory.create(date=dt.date(2026, 6, 10), office=None, reason="システム停止")
    ClosureDayFactory.create(date=dt.date(2026, 6, 10), office=tokyo, reason="庁舎設備点検")
    assert closure_reason(tokyo, dt.date(2026, 6, 10)) == "庁舎設備点検"
    assert closure_reason(osaka, dt.date(2026, 6, 10)) == "システム停止"


@pytest.mark.django_db
def test_changes_are_seen_at_once(tokyo):
    # No caching across calls: an administrator's edit applies to the very next call.
    at = jst(2026, 6, 10, 10)
    assert is_open(tokyo, at)
    closure = ClosureDayFactory.create(date=dt.date(2026, 6, 10), office=tokyo, reason="臨時休庁")
    assert not is_open(tokyo, at)
    closure.delete()
    assert is_open(tokyo, at)
    OfficeHours.objects.filter(office=tokyo, weekday=2).update(opens=dt.time(10, 30))
    assert not is_open(tokyo, at)
    assert next_open(tokyo, at) == jst(2026, 6, 10, 10, 30)


# --- next_open -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_next_open_returns_at_itself_when_open(tokyo):
    at = jst(2026, 6, 5, 10, 17)
    assert next_open(tokyo, at) is at
    at_utc = dt.datetime(2026, 6, 5, 1, 17, tzinfo=UTC)  # 10:17 JST
    assert next_open(tokyo, at_utc) is at_utc


@pytest.mark.django_db
def test_next_open_from_friday_evening_is_monday_morning(tokyo):
    result = next_open(tokyo, jst(2026, 6, 5, 16, 30))
    assert result == jst(2026, 6, 8, 9, 0)
    assert result.tzinfo == JST


@pytest.mark.django_db
def test_next_open_before_opening_is_same_day(tokyo):
    assert next_open(tokyo, jst(2026, 6, 5, 7, 45)) == jst(2026, 6, 5, 9, 0)


@pytest.mark.django_db
def test_next_open_skips_a_monday_holiday(tokyo):
    # Saturday 2026-07-18; Monday 2026-07-20 is 海の日.
    assert next_open(tokyo, jst(2026, 7, 18, 11)) == jst(2026, 7, 21, 9, 0)


@pytest.mark.django_db
def test_next_open_skips_silver_week(tokyo):
    # Saturday 2026-09-19 → 敬老の日 (Mon), 国民の休日 (Tue), 秋分の日 (Wed) → Thursday.
    assert next_open(tokyo, jst(2026, 9, 19, 11)) == jst(2026, 9, 24, 9, 0)


@pytest.mark.django_db
def test_next_open_skips_the_year_end(tokyo, sapporo):
    assert next_open(tokyo, jst(2026, 12, 28, 16, 30)) == jst(2027, 1, 4, 9, 0)
    assert next_open(sapporo, jst(2026, 12, 28, 16, 30)) == jst(2027, 1, 4, 9, 0)


@pytest.mark.django_db
def test_next_open_from_sapporo_lunch_gap(sapporo):
    assert next_open(sapporo, jst(2026, 6, 5, 12, 30)) == jst(2026, 6, 5, 13, 0)


@pytest.mark.django_db
def test_next_open_from_utc_input(tokyo):
    # Friday 2026-06-05 08:00 UTC is 17:00 JST → Monday 09:00 JST (= 00:00 UTC).
    result = next_open(tokyo, dt.datetime(2026, 6, 5, 8, 0, tzinfo=UTC))
    assert result == jst(2026, 6, 8, 9, 0)
    assert result == dt.datetime(2026, 6, 8, 0, 0, tzinfo=UTC)
    assert result.tzinfo == JST


@pytest.mark.django_db
def test_next_open_skips_consecutive_closure_days(sapporo):
    for day in (8, 9, 10):
        ClosureDayFactory.create(date=dt.date(2026, 6, day), office=sapporo, reason="移転作業")
    assert next_open(sapporo, jst(2026, 6, 5, 16, 0)) == jst(2026, 6, 11, 9, 0)


@pytest.mark.django_db
def test_office_without_windows_raises():
    agency = Office.objects.get(code="agency")
    empty = OfficeFactory.create(
        code="test-no-hours",
        kind=Office.Kind.BRANCH,
        parent=agency,
        name_ja="試験",
        name_en="Test",
        name_zh="试验",
    )
    assert not is_open(empty, jst(2026, 6, 5, 10))
    with pytest.raises(NoOfficeHours):
        next_open(empty, jst(2026, 6, 5, 10))
    with pytest.raises(NoOfficeHours):
        next_window(empty, jst(2026, 6, 5, 10))
    assert issubclass(NoOfficeHours, ValueError)


@pytest.mark.django_db
def test_office_open_only_on_weekends_raises_instead_of_looping(tokyo):
    # Windows exist, but only on Saturdays, which are always administrative holidays.
    OfficeHours.objects.filter(office=tokyo).delete()
    OfficeHoursFactory.create(office=tokyo, weekday=5, opens=dt.time(9), closes=dt.time(12))
    with pytest.raises(NoOfficeHours):
        next_open(tokyo, jst(2026, 6, 5, 10))


@pytest.mark.django_db
def test_next_open_uses_two_queries_across_the_year_end(tokyo, django_assert_num_queries):
    # Windows and closure days are loaded once per call, however many days are searched.
    with django_assert_num_queries(2):
        next_open(tokyo, jst(2026, 12, 28, 16, 30))


# --- next_window -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_next_window_when_open_is_the_current_window(sapporo):
    assert next_window(sapporo, jst(2026, 6, 5, 10, 0)) == (jst(2026, 6, 5, 9, 0), jst(2026, 6, 5, 12, 0))


@pytest.mark.django_db
def test_next_window_in_lunch_gap_is_the_afternoon(sapporo):
    assert next_window(sapporo, jst(2026, 6, 5, 12, 0)) == (jst(2026, 6, 5, 13, 0), jst(2026, 6, 5, 16, 0))


@pytest.mark.django_db
def test_next_window_after_hours_is_next_working_day(tokyo):
    start, end = next_window(tokyo, jst(2026, 12, 28, 16, 0))
    assert (start, end) == (jst(2027, 1, 4, 9, 0), jst(2027, 1, 4, 16, 0))
    assert start.tzinfo == JST and end.tzinfo == JST


@pytest.mark.django_db
def test_touching_windows_are_one_window(tokyo):
    OfficeHours.objects.filter(office=tokyo, weekday=4).delete()
    OfficeHoursFactory.create(office=tokyo, weekday=4, opens=dt.time(9), closes=dt.time(12))
    OfficeHoursFactory.create(office=tokyo, weekday=4, opens=dt.time(12), closes=dt.time(16))
    assert is_open(tokyo, jst(2026, 6, 5, 12, 0))
    assert next_window(tokyo, jst(2026, 6, 5, 11, 0)) == (jst(2026, 6, 5, 9, 0), jst(2026, 6, 5, 16, 0))


# --- closed_reason: why the composer says "outside office hours" ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("at", "reason"),
    [
        (jst(2026, 6, 6, 10), "土曜日"),
        (jst(2026, 6, 7, 10), "日曜日"),
        (jst(2027, 2, 23, 10), "天皇誕生日"),  # a Tuesday
        (jst(2026, 5, 6, 10), "憲法記念日 振替休日"),
        (jst(2026, 12, 29, 10), "年末年始 (12/29–1/3)"),
        (jst(2027, 1, 2, 10), "年末年始 (12/29–1/3)"),  # a Saturday: the year-end says more
        (jst(2027, 1, 1, 10), "元日"),
        (dt.datetime(2026, 6, 6, 0, 30, tzinfo=UTC), "土曜日"),  # 09:30 JST on Saturday
    ],
)
def test_closed_reason_names_the_administrative_holiday(tokyo, at, reason):
    assert not is_open(tokyo, at)
    assert closed_reason(tokyo, at) == reason


@pytest.mark.django_db
def test_closed_reason_is_the_closure_days_own_reason(tokyo, osaka):
    ClosureDayFactory.create(date=dt.date(2026, 9, 1), office=tokyo, reason="台風10号の接近による臨時閉庁")
    ClosureDayFactory.create(date=dt.date(2026, 9, 1), office=None, reason="システム停止")
    assert closed_reason(tokyo, jst(2026, 9, 1, 10)) == "台風10号の接近による臨時閉庁"
    assert closed_reason(osaka, jst(2026, 9, 1, 10)) == "システム停止"


@pytest.mark.django_db
def test_closed_reason_outside_the_days_windows_names_them(sapporo, tokyo):
    with translation.override("en"):
        assert closed_reason(sapporo, jst(2026, 6, 5, 12, 30)) == "outside counter hours (09:00–12:00, 13:00–16:00)"
        assert closed_reason(tokyo, jst(2026, 6, 5, 16, 0)) == "outside counter hours (09:00–16:00)"
        assert closed_reason(tokyo, jst(2026, 6, 5, 8, 59)) == "outside counter hours (09:00–16:00)"
        OfficeHours.objects.filter(office=tokyo, weekday=4).delete()
        assert closed_reason(tokyo, jst(2026, 6, 5, 10)) == "no counter hours on this weekday"


@pytest.mark.django_db
def test_closed_reason_is_none_exactly_when_open(sapporo):
    ClosureDayFactory.create(date=dt.date(2026, 12, 24), office=sapporo, reason="庁舎設備点検")
    at = jst(2026, 12, 21, 0, 0)
    while at < jst(2027, 1, 6, 0, 0):
        assert (closed_reason(sapporo, at) is None) == is_open(sapporo, at), at
        at += dt.timedelta(minutes=30)
