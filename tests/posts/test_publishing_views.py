"""Pages for publishing: the dashboard, target actions, the kill switch, the sandbox page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import SandboxDelivery
from posts import publishing, selectors, services
from posts.models import PostTarget
from tests.conftest import sign_in_with_second_factor
from tests.factories import post_via_services
from tests.posts.conftest import JST

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2026, 12, 2, 10, 0, tzinfo=JST)


def published_target(author, approver):
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        post = post_via_services(author, ("IMMI_TOKYO",), when=DUE, submit=True)
        services.post_approve(post=post, by=approver)
    target = post.targets.get()
    with time_machine.travel(DUE + dt.timedelta(seconds=1), tick=False):
        assert publishing.target_publish(target_id=target.pk) == "published"
    return PostTarget.objects.get(pk=target.pk)


def test_dashboard_lists_what_needs_a_person_first(client, tokyo_poster, tokyo_supervisor):
    target = published_target(tokyo_poster, tokyo_supervisor)
    PostTarget.objects.filter(pk=target.pk).update(state="failed", last_error="The platform refused the post: 重複")
    client.force_login(tokyo_poster)
    page = client.get(reverse("home")).content.decode()
    assert 'id="attention"' in page and "重複" in page
    assert reverse("posts:target_retry", args=[target.pk]) in page


def test_retry_from_the_dashboard(client, tokyo_poster, tokyo_supervisor, osaka_poster):
    target = published_target(tokyo_poster, tokyo_supervisor)
    PostTarget.objects.filter(pk=target.pk).update(state="failed")
    url = reverse("posts:target_retry", args=[target.pk])
    client.force_login(osaka_poster)
    assert client.post(url).status_code == 404
    client.force_login(tokyo_poster)
    assert client.get(url).status_code == 405
    assert client.post(url, {"next": reverse("home")})["Location"] == reverse("home")
    assert PostTarget.objects.get(pk=target.pk).state == "scheduled"
    client.logout()
    assert client.post(url).status_code == 302 and PostTarget.objects.get(pk=target.pk).state == "scheduled"


def test_withdraw_from_the_post_page(supervisor_client, tokyo_poster, tokyo_supervisor, client):
    target = published_target(tokyo_poster, tokyo_supervisor)
    page = supervisor_client.get(reverse("posts:detail", args=[target.post_id])).content.decode()
    assert reverse("posts:target_withdraw", args=[target.pk]) in page
    assert target.published_text.splitlines()[0] in page
    supervisor_client.post(reverse("posts:target_withdraw", args=[target.pk]), {"reason": "誤記", "confirm": "1"})
    assert PostTarget.objects.get(pk=target.pk).state == "withdrawn"
    assert SandboxDelivery.objects.get().deleted_at is not None


def test_posters_cannot_withdraw(client, tokyo_poster, tokyo_supervisor):
    target = published_target(tokyo_poster, tokyo_supervisor)
    client.force_login(tokyo_poster)
    page = client.get(reverse("posts:detail", args=[target.post_id])).content.decode()
    assert reverse("posts:target_withdraw", args=[target.pk]) not in page
    response = client.post(reverse("posts:target_withdraw", args=[target.pk]), {"reason": "x"}, follow=True)
    assert "取り下げられるのはこのアカウントの承認者だけです" in response.content.decode()
    assert PostTarget.objects.get(pk=target.pk).state == "published"


def test_resolve_an_unconfirmed_target(supervisor_client, tokyo_poster, tokyo_supervisor):
    target = published_target(tokyo_poster, tokyo_supervisor)
    PostTarget.objects.filter(pk=target.pk).update(state="unconfirmed")
    url = reverse("posts:target_resolve", args=[target.pk])
    supervisor_client.post(url, {"decision": "nonsense"})
    assert PostTarget.objects.get(pk=target.pk).state == "unconfirmed"
    supervisor_client.post(url, {"decision": "published", "url": "https://x.com/IMMI_TOKYO/status/9"})
    assert PostTarget.objects.get(pk=target.pk).external_url == "https://x.com/IMMI_TOKYO/status/9"


def test_sandbox_page_shows_what_went_out(client, tokyo_poster, tokyo_supervisor, osaka_poster):
    target = published_target(tokyo_poster, tokyo_supervisor)
    client.force_login(tokyo_poster)
    page = client.get(target.external_url).content.decode()
    assert target.published_text.splitlines()[-1] in page and "サンドボックス" in page
    client.force_login(osaka_poster)
    assert client.get(target.external_url).status_code == 404
    assert client.post(target.external_url).status_code == 405
    client.logout()
    assert client.get(target.external_url).status_code == 302


def test_pause_all_is_for_administrators_and_shows_a_banner(client, administrator, tokyo_poster, tokyo_supervisor):
    url = reverse("posts:publishing_switch")
    sign_in_with_second_factor(client, tokyo_supervisor)
    assert client.post(url, {"paused": "1", "reason": "x"}).status_code == 404
    sign_in_with_second_factor(client, administrator)
    assert "すべての投稿を一時停止" in client.get(reverse("home")).content.decode()
    client.post(url, {"paused": "1", "reason": "障害対応のため", "confirm": "1"})
    assert selectors.publishing_paused()
    client.force_login(tokyo_poster)
    page = client.get(reverse("home")).content.decode()
    assert "banner-paused" in page and "障害対応のため" in page
    sign_in_with_second_factor(client, administrator)
    client.post(url, {"paused": "0", "confirm": "1"})
    assert not selectors.publishing_paused()
    assert "banner-paused" not in client.get(reverse("home")).content.decode()
    assert client.get(url).status_code == 405


def test_a_published_post_is_not_its_own_duplicate_and_offers_no_edit(client, tokyo_poster, tokyo_supervisor):
    target = published_target(tokyo_poster, tokyo_supervisor)
    client.force_login(tokyo_poster)
    page = client.get(reverse("posts:detail", args=[target.post_id])).content.decode()
    assert "過去30日以内に同じ文章" not in page
    assert reverse("posts:edit", args=[target.post_id]) not in page
    assert reverse("posts:cancel", args=[target.post_id]) not in page
    assert 'class="post-state state-published"' in page


def test_the_home_page_shows_my_posts_awaiting_approval(client, tokyo_poster):
    from tests.factories import post_via_services

    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        post = post_via_services(tokyo_poster, body="承認を待つ投稿", when=DUE, submit=True)
    client.force_login(tokyo_poster)
    page = client.get(reverse("home")).content.decode()
    assert "承認待ちの自分の投稿" in page and reverse("posts:detail", args=[post.pk]) in page


def test_the_home_page_lists_the_oldest_ten_of_both_kinds_that_need_a_person(client, tokyo_poster, osaka_poster):
    """Failed and unconfirmed targets come in one list, oldest due first, whichever state each is in."""
    from accounts.models import SocialAccount

    osaka = SocialAccount.objects.get(office__code="osaka", platform="x")
    posts = [post_via_services(tokyo_poster) for _ in range(13)]
    hidden = post_via_services(osaka_poster, (osaka.handle,))
    # Due times out of step with the states and with the order the posts were written in.
    for index, post in enumerate(posts):
        state = "unconfirmed" if index % 3 == 0 else "failed"
        post.targets.update(state=state, due_at=DUE + dt.timedelta(hours=(index * 7) % 13))
    hidden.targets.update(state="failed", due_at=DUE - dt.timedelta(days=1))  # oldest, on an account Tokyo may not see
    expected = sorted(posts, key=lambda p: ((posts.index(p) * 7) % 13, p.targets.get().pk))[
        : selectors.DASHBOARD_ATTENTION
    ]

    client.force_login(tokyo_poster)
    response = client.get(reverse("home"))
    shown = [target.post_id for target in response.context["attention"]]
    assert shown == [post.pk for post in expected]
    assert {t.state for t in response.context["attention"]} == {"failed", "unconfirmed"}
    assert response.context["attention_count"] == 13 and hidden.pk not in shown
    assert f"{reverse('posts:list')}?state=failed" in response.content.decode()  # the way to the other three
