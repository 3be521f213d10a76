"""Keyset pages of the post list and the approval queue: every post once, in order, forwards and back."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Membership, SocialAccount
from immisns import keyset
from posts import selectors
from posts.models import Post
from tests.conftest import add_totp, sign_in_with_second_factor
from tests.factories import make_history, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def supervisor(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    person = make_person("p-agency-supervisor", "agency", Membership.Role.SUPERVISOR)
    add_totp(person)
    return person


@pytest.fixture
def many_posts(frozen_now, supervisor):
    handles = list(SocialAccount.objects.values_list("handle", flat=True)[:3])
    writers = [make_person("p-writer-1", "tokyo", "poster"), make_person("p-writer-2", "tokyo", "poster")]
    posts = make_history(posts=233, handles=handles, authors=writers, now=frozen_now)
    # Ties on the ordering column: the id decides, and no post may be skipped or shown twice at a page's edge.
    for start in range(0, len(posts), 7):
        ids = [p.pk for p in posts[start : start + 7]]
        Post.objects.filter(pk__in=ids).update(scheduled_at=frozen_now + dt.timedelta(hours=start))
    return posts


def _walk(client, url, *, link: str, query: str = "") -> tuple[list[list[int]], str]:
    """Follow `link` (next_query or previous_query) from `url` + `query` to the end; the ids of each page."""
    pages = []
    while True:
        response = client.get(url + query)
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([post.pk for post in page])
        if not getattr(page, link):
            return pages, query
        query = getattr(page, link)


def test_paging_the_list_shows_every_post_once_in_order(client, supervisor, many_posts):
    sign_in_with_second_factor(client, supervisor)
    expected = list(Post.objects.order_by("-scheduled_at", "-id").values_list("pk", flat=True))
    assert len(expected) == 233
    pages, last_query = _walk(client, reverse("posts:list"), link="next_query")
    assert [len(p) for p in pages] == [50, 50, 50, 50, 33]
    assert [pk for page in pages for pk in page] == expected

    # And back from the last page, by the previous links, the same pages in reverse.
    back, _query = _walk(client, reverse("posts:list"), link="previous_query", query=last_query)
    assert back == list(reversed(pages))


def test_a_filter_is_kept_across_pages(client, supervisor, many_posts):
    sign_in_with_second_factor(client, supervisor)
    account = SocialAccount.objects.get(handle=many_posts[0].targets.first().account.handle)
    expected = list(
        Post.objects.filter(targets__account=account).order_by("-scheduled_at", "-id").values_list("pk", flat=True)
    )
    assert len(expected) > 2 * selectors.PAGE_SIZE
    first = client.get(reverse("posts:list"), {"account": account.pk}).context["page"]
    assert f"account={account.pk}" in first.next_query
    pages, _query = _walk(client, reverse("posts:list"), link="next_query", query=f"?account={account.pk}")
    assert [pk for page in pages for pk in page] == expected


def test_paging_the_queue_shows_every_pending_post_once_in_due_order(client, supervisor, many_posts):
    sign_in_with_second_factor(client, supervisor)
    expected = list(selectors.approval_queue(supervisor).order_by("scheduled_at", "id").values_list("pk", flat=True))
    assert len(expected) > selectors.QUEUE_PAGE_SIZE * 2
    pages, _query = _walk(client, reverse("posts:queue"), link="next_query")
    assert all(len(p) == selectors.QUEUE_PAGE_SIZE for p in pages[:-1])
    assert [pk for page in pages for pk in page] == expected


def test_a_cursor_that_does_not_decode_gives_the_first_page(client, supervisor, many_posts):
    sign_in_with_second_factor(client, supervisor)
    first = [p.pk for p in client.get(reverse("posts:list")).context["page"]]
    for junk in ("nonsense", "W10", keyset.encode(["not a date", "x"]), "%%%"):
        response = client.get(reverse("posts:list"), {"after": junk})
        assert response.status_code == 200
        assert [p.pk for p in response.context["page"]] == first


def test_the_page_links_are_on_the_page(client, supervisor, many_posts):
    sign_in_with_second_factor(client, supervisor)
    page = client.get(reverse("posts:list")).content.decode()
    assert 'rel="next"' in page and 'rel="prev"' not in page


def test_an_ordering_must_end_with_a_unique_column():
    with pytest.raises(ValueError, match="must end with a unique column"):
        keyset.paginate(Post.objects.all(), ordering=("-scheduled_at",), params={})
    with pytest.raises(ValueError, match="goes one way"):
        keyset.paginate(Post.objects.all(), ordering=("-scheduled_at", "id"), params={})
