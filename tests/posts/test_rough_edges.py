"""The rough edges of the daily pages: each as a person meets it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import SocialAccount
from posts import services
from posts.models import Post, PostEvent
from tests.conftest import sign_in_with_second_factor
from tests.factories import make_post
from tests.posts.conftest import JST

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def account_id(handle):
    return SocialAccount.objects.get(handle=handle).pk


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def poster_client(client, tokyo_poster):
    client.force_login(tokyo_poster)
    return client


@pytest.fixture
def supervisor_client(client, tokyo_supervisor):
    sign_in_with_second_factor(client, tokyo_supervisor)
    return client


# --- 1. Saving an approved post unchanged keeps its approval ------------------------------------


def test_saving_an_approved_post_unchanged_keeps_the_approval(poster_client, tokyo_poster, tokyo_supervisor):
    post = make_post(tokyo_poster, ("IMMI_TOKYO", "IMMI_NARITA"), submit=True)
    services.post_approve(post=post, by=tokyo_supervisor, revision=post.revision)
    events = post.events.count()
    with translation.override("en"):
        response = poster_client.post(reverse("posts:edit", args=[post.pk]), {
            "accounts": [account_id("IMMI_TOKYO"), account_id("IMMI_NARITA")], "body": post.body,
            "scheduled_at": "2026-12-02T10:00", "outside_hours_reason": "", "save": "1",
        }, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    post.refresh_from_db()
    assert post.state == "approved" and post.approved_by == tokyo_supervisor
    assert set(post.targets.values_list("state", flat=True)) == {"scheduled"}
    assert post.events.count() == events  # no edit recorded, no approval voided
    assert "Nothing was changed; the post stays as it was." in messages_of(response)


def test_changing_an_approved_post_still_voids_the_approval(tokyo_poster, tokyo_supervisor):
    post = make_post(tokyo_poster, submit=True)
    services.post_approve(post=post, by=tokyo_supervisor, revision=post.revision)
    services.post_update(post=post, by=tokyo_poster, body=post.body + "（追記）", scheduled_at=post.scheduled_at,
                         accounts=[SocialAccount.objects.get(handle="IMMI_TOKYO")])
    post.refresh_from_db()
    assert post.state == "pending" and post.approved_by is None
    assert post.events.filter(action=PostEvent.Action.EDIT).count() == 1
