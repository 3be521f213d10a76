"""The approval queue in the order posts are due, with the time left; after a decision the next post opens."""

import datetime as dt

import pytest
from django.urls import reverse

from posts import selectors
from posts.models import Post
from posts.templatetags.due import due
from tests.conftest import make_person, sign_in_with_second_factor
from tests.factories import make_post
from tests.posts.conftest import JST, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def three(tokyo_poster):
    """Written in one order, due in another: tomorrow 15:00, tomorrow 10:00, the day after 11:00."""
    times = [dt.datetime(2026, 12, 2, 15, 0, tzinfo=JST), dt.datetime(2026, 12, 2, 10, 0, tzinfo=JST)]
    times.append(dt.datetime(2026, 12, 3, 11, 0, tzinfo=JST))
    return [make_post(tokyo_poster, when=when, submit=True) for when in times]


@pytest.fixture
def signed_in(client, tokyo_supervisor):
    sign_in_with_second_factor(client, tokyo_supervisor)
    return client


def test_the_queue_is_in_due_order_with_the_time_left(signed_in, three):
    response = signed_in.get(reverse("posts:queue"))
    assert [post.pk for post, *_ in response.context["rows"]] == [three[1].pk, three[0].pk, three[2].pk]
    page = response.content.decode()
    assert 'data-testid="time-left"' in page and "あと" in page


def test_time_left_reads_as_people_say_it():
    now = NOW
    assert due(now + dt.timedelta(minutes=12), now).text == "あと12分"
    assert due(now + dt.timedelta(hours=3, minutes=5), now).text == "あと3時間5分"
    late = due(now - dt.timedelta(minutes=7), now)
    assert late.overdue and late.text == "7分超過"


def test_an_overdue_post_comes_first_and_is_marked(signed_in, three):
    overdue = three[2]
    Post.objects.filter(pk=overdue.pk).update(scheduled_at=NOW - dt.timedelta(minutes=30))
    response = signed_in.get(reverse("posts:queue"))
    assert response.context["rows"][0][0].pk == overdue.pk
    assert "due-overdue" in response.content.decode() and "30分超過" in response.content.decode()


def test_after_approving_on_the_post_page_the_next_post_opens(signed_in, three):
    first = three[1]
    response = signed_in.post(reverse("posts:approve", args=[first.pk]), {"revision": first.revision})
    assert Post.objects.get(pk=first.pk).state == "approved"
    assert response["Location"] == reverse("posts:detail", args=[three[0].pk])


def test_after_sending_back_from_the_queue_the_next_post_is_shown_there(signed_in, three):
    first = three[1]
    response = signed_in.post(
        reverse("posts:reject", args=[first.pk]), {"comment": "日付を直してください", "from": "queue"}
    )
    assert Post.objects.get(pk=first.pk).state == "draft"
    assert response["Location"] == f"{reverse('posts:queue')}#post-{three[0].pk}"


def test_the_next_post_is_one_the_person_may_approve(signed_in, three, tokyo_supervisor):
    own = make_post(tokyo_supervisor, when=dt.datetime(2026, 12, 2, 12, 0, tzinfo=JST), submit=True)
    first = three[1]
    response = signed_in.post(reverse("posts:approve", args=[first.pk]), {"revision": first.revision})
    assert response["Location"] != reverse("posts:detail", args=[own.pk])  # their own comes before, but is skipped


def test_after_the_last_decision_the_queue_says_nothing_waits(signed_in, tokyo_poster):
    only = make_post(tokyo_poster, submit=True)
    response = signed_in.post(
        reverse("posts:approve", args=[only.pk]), {"revision": only.revision, "from": "queue"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("posts:queue")


def test_the_bulk_form_keeps_the_page(signed_in, three):
    cursor = "abc"
    response = signed_in.post(
        reverse("posts:approve_many"),
        {"posts": [three[0].pk], f"revision-{three[0].pk}": three[0].revision, "after": cursor},
    )
    assert response["Location"] == f"{reverse('posts:queue')}?after={cursor}"
    assert Post.objects.get(pk=three[0].pk).state == "approved"


def test_the_queue_order_is_the_due_order():
    assert selectors.QUEUE_ORDER == ("scheduled_at", "id")


def test_a_supervisor_of_another_office_sees_none_of_them(client, three):
    other = make_person("osaka-sup", "osaka", "supervisor")
    sign_in_with_second_factor(client, other)
    assert client.get(reverse("posts:queue")).context.get("rows") in (None, [])
