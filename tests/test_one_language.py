"""One language at a time: holiday names, list separators and the admin's labels follow the reader."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from posts import office_hours
from tests.conftest import sign_in_with_second_factor


@pytest.mark.parametrize(
    ("day", "ja", "en"),
    [
        (dt.date(2026, 12, 5), "土曜日", "Saturday"),
        (dt.date(2027, 1, 1), "元日", "New Year's Day"),
        (dt.date(2026, 12, 30), "年末年始", "Year-end and New Year holidays"),
        (dt.date(2026, 11, 23), "勤労感謝の日", "Labour Thanksgiving Day"),
    ],
)
def test_holiday_names_in_the_readers_language(day, ja, en):
    name = office_hours.holiday_name(day)
    assert name == ja  # the rules keep comparing jpholiday's names
    with translation.override("ja"):
        assert office_hours.in_reader_language(name) == ja
    with translation.override("en"):
        assert office_hours.in_reader_language(name) == en


def test_a_substitute_holiday_in_english():
    with translation.override("en"):
        assert (
            office_hours.in_reader_language("憲法記念日 振替休日") == "Substitute holiday for Constitution Memorial Day"
        )


@pytest.mark.django_db
def test_the_english_calendar_shows_no_japanese_holiday_names(client, tokyo_poster):
    client.force_login(tokyo_poster)
    page = client.get(reverse("calendar"), {"date": "2026-12-30"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Year-end and New Year holidays" in page and "Saturday" in page
    for word in ("年末年始", "土曜日", "日曜日", "元日"):
        assert word not in page, word


@pytest.mark.django_db
def test_counts_use_the_readers_punctuation(client, tokyo_poster):
    client.force_login(tokyo_poster)
    ja = client.get(reverse("sns_account", args=["IMMI_TOKYO"])).content.decode()
    recent = ja.split('id="recent-problems">')[1].split("</dd>")[0]
    assert "、" in recent and "," not in recent
    en = client.get(reverse("sns_account", args=["IMMI_TOKYO"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ", " in en.split('id="recent-problems">')[1].split("</dd>")[0]


@pytest.mark.django_db
def test_the_admin_names_second_factors_in_japanese(client, administrator):
    sign_in_with_second_factor(client, administrator)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Authenticators" not in page and "二要素認証の手段" in page
