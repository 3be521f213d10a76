"""Calendar moves say what they do before, record the old and new time, and drop a reason no longer owed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Office
from posts import calendar, history, office_hours
from posts.models import Post, PostEvent
from posts.rights import post_rights
from tests.factories import make_post
from tests.posts.test_calendar import URL, at, move, texts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_the_move_form_says_before_that_a_pending_post_goes_back_for_approval(supervisor_client, tokyo_poster):
    make_post(tokyo_poster, when=at("2026-12-02T10:00"), submit=True)
    page = supervisor_client.get(URL, {"date": "2026-12-02"}).content.decode()
    assert 'data-testid="move-note"' in page and "移動した人はその版を承認できません" in page


def test_a_supervisor_who_moves_a_pending_post_is_told_another_must_approve(
    supervisor_client, tokyo_poster, tokyo_supervisor
):
    post = make_post(tokyo_poster, when=at("2026-12-02T10:00"), submit=True)
    messages = texts(move(supervisor_client, post, "2026-12-03", "11:00"))
    post.refresh_from_db()
    assert post.state == "pending" and not post_rights(tokyo_supervisor, post).approve
    assert any("another supervisor" in m for m in messages), messages


def test_a_move_records_the_old_and_new_time(poster_client, tokyo_poster):
    post = make_post(tokyo_poster, when=at("2026-12-02T10:00"), submit=True)
    move(poster_client, post, "2026-12-03", "11:30")
    event = PostEvent.objects.filter(post=post, action=PostEvent.Action.EDIT).latest("pk")
    assert dt.datetime.fromisoformat(event.data["time_from"]) == at("2026-12-02T10:00")
    assert dt.datetime.fromisoformat(event.data["time_to"]) == at("2026-12-03T11:30")
    with translation.override("ja"):
        described = history.describe(event.action, event.data)
    assert described == "2026-12-02 10:00 から 2026-12-03 11:30 に移動しました（日本時間）。"


def test_a_move_into_office_hours_drops_the_outside_hours_reason(poster_client, tokyo_poster):
    post = make_post(tokyo_poster, when=at("2026-12-05T10:00"), reason="土曜の緊急告知")  # a Saturday
    messages = texts(move(poster_client, post, "2026-12-07", "10:00"))  # a Monday, counter open
    post.refresh_from_db()
    assert post.outside_hours_reason == ""
    assert any("outside-hours reason was removed" in m for m in messages), messages
    event = PostEvent.objects.filter(post=post, action=PostEvent.Action.EDIT).latest("pk")
    assert event.data.get("reason_dropped") is True


def test_a_move_that_stays_outside_hours_keeps_the_reason(poster_client, tokyo_poster):
    post = make_post(tokyo_poster, when=at("2026-12-05T10:00"), reason="土曜の緊急告知")
    move(poster_client, post, "2026-12-06", "10:00")  # Sunday
    post.refresh_from_db()
    assert post.outside_hours_reason == "土曜の緊急告知"


def test_a_post_whose_time_has_passed_shows_no_outside_hours_warning(tokyo_poster, frozen_now):
    post = make_post(tokyo_poster, when=at("2026-12-05T10:00"), reason="土曜")
    Post.objects.filter(pk=post.pk).update(scheduled_at=at("2026-11-28T10:00"))  # a past Saturday
    post = Post.objects.prefetch_related("targets__account").get(pk=post.pk)
    window = calendar.span(calendar.MONTH, dt.date(2026, 11, 28))
    schedules = office_hours.schedules(Office.objects.all(), first=window.first, last=window.last)
    weeks, _ = calendar.build(
        window, posts=[post], schedules=schedules, offices=[], today=frozen_now.date(), now=frozen_now
    )
    entries = [entry for week in weeks for day in week for entry in day.entries]
    assert len(entries) == 1 and not entries[0].outside_hours


def test_the_history_shows_the_move(poster_client, tokyo_poster):
    post = make_post(tokyo_poster, when=at("2026-12-02T10:00"), submit=True)
    move(poster_client, post, "2026-12-03", "11:30")
    page = poster_client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert "2026-12-02 10:00 から 2026-12-03 11:30 に移動しました" in page
