"""Every staff page answers in a number of queries that grows neither with the rows nor with the accounts.

Each page is asked at two sizes — 5 posts on one account, and 200 posts with
the pending and draft ones going to all 21 accounts — by each role, under the
same cap (django_assert_max_num_queries): a page whose queries grew with the
data would pass at the small size and fail at the large one. The caps are
the counts measured at the small size, so a new per-row query fails here.
"""

import datetime as dt

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse

from accounts.models import SocialAccount
from posts.models import DisplayState, Post
from tests.conftest import sign_in_with_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def _pending(world) -> Post:
    return Post.objects.filter(state=Post.State.PENDING).latest("id")


def _published(world) -> Post:
    return Post.objects.filter(state=Post.State.APPROVED, targets__state="published").latest("id")


def staff_pages(world):
    """(name, method, url, data) of every staff page, at this world's size."""
    account = SocialAccount.objects.get(handle=world["handles"][0])
    pending, published = _pending(world), _published(world)
    list_url = reverse("posts:list")
    pages = [
        ("dashboard", "get", reverse("home"), None),
        ("post list", "get", list_url, None),
        *[(f"post list: {state}", "get", list_url, {"state": state}) for state in DisplayState.values],
        ("post list: account", "get", list_url, {"account": account.pk}),
        ("post list: mine", "get", list_url, {"mine": "on"}),
        ("queue", "get", reverse("posts:queue"), None),
        ("detail: pending", "get", reverse("posts:detail", args=[pending.pk]), None),
        ("detail: published", "get", reverse("posts:detail", args=[published.pk]), None),
        ("edit: pending", "get", reverse("posts:edit", args=[pending.pk]), None),
        ("compose", "get", reverse("posts:new"), None),
        (
            "preview",
            "post",
            reverse("posts:preview"),
            {
                "body": "在留カードの更新は窓口で 0570-013904 https://www.moj.go.jp/isa/ 在留手続のお知らせです。 #0",
                "scheduled_at": "2026-12-05T10:00",
                "accounts": list(
                    SocialAccount.objects.filter(handle__in=world["handles"]).values_list("pk", flat=True)
                ),
            },
        ),
    ]
    return pages


# The most queries each page may make, whatever the size (measured at the small size).
# Each page also counts the header's unread notifications (one indexed count): +1 on every cap.
CAPS = {
    "dashboard": 26,  # the replies card, the second-factor check, and the account health and load cards (4) included
    "post list": 13,  # the accounts its targets name read once for the whole page
    "queue": 16,
    "detail": 20,  # who wrote and edited each revision included
    "edit": 18,
    "compose": 10,
    "preview": 15,
}


def _cap(name: str) -> int:
    return CAPS[name.split(":")[0]]


@pytest.mark.parametrize("role", ["poster", "bureau_supervisor", "agency_supervisor", "viewer"])
def test_staff_pages_make_a_flat_number_of_queries(client, world, role, django_assert_max_num_queries):
    sign_in_with_second_factor(client, world["people"][role])
    for name, method, url, data in staff_pages(world):
        with django_assert_max_num_queries(_cap(name)):
            response = getattr(client, method)(url, data or {})
        assert response.status_code in (200, 404), (name, response.status_code)
    if role == "agency_supervisor":
        assert client.get(reverse("posts:queue")).status_code == 200


def test_the_next_page_of_the_list_costs_what_the_first_does(client, world, django_assert_max_num_queries):
    sign_in_with_second_factor(client, world["people"]["agency_supervisor"])
    first = client.get(reverse("posts:list")).context["page"]
    if not first.next_query:
        assert world["size"] == "small"
        return
    with django_assert_max_num_queries(CAPS["post list"]):
        response = client.get(reverse("posts:list") + first.next_query)
    assert response.status_code == 200 and response.context["page"].items


def admin_pages():
    """Every changelist of the admin, and the change page of a post with its targets and events."""
    pages = [
        (
            f"changelist {model._meta.label}",
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
        )
        for model in admin_site._registry
    ]
    post = Post.objects.filter(state=Post.State.PENDING).latest("id")
    pages.append(("post change page", reverse("admin:posts_post_change", args=[post.pk])))
    pages.append(("admin index", reverse("admin:index")))
    return pages


ADMIN_CAP = 11


def test_admin_pages_make_a_flat_number_of_queries(client, world, administrator, django_assert_max_num_queries):
    sign_in_with_second_factor(client, administrator)
    for name, url in admin_pages():
        with django_assert_max_num_queries(ADMIN_CAP):
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)


def test_the_large_world_is_large(world):
    if world["size"] == "large":
        assert Post.objects.count() == 200
        assert _pending(world).targets.count() == 21
        assert Post.objects.filter(scheduled_at__lt=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)).exists()


# Measured at the small size: the administrator's dashboard, one account needing re-authorisation
# (the header's unread count included).
CONNECTION_FACTS_CAP = 24


def test_the_health_cards_connection_facts_cost_one_query_whatever_the_accounts(
    client, world, administrator, django_assert_max_num_queries
):
    """Every account of the world needs re-authorisation and was connected twice: its facts on the card
    come from one query for the latest connection of all of them, not one per account."""
    from accounts.models import AccountConnection
    from tests.factories_connect2 import AccountConnectionFactory

    accounts = list(SocialAccount.objects.filter(handle__in=world["handles"]))
    for account in accounts:
        account.set_credentials(
            dict.fromkeys(SocialAccount.CREDENTIAL_FIELDS[SocialAccount.Platform(account.platform)], "token")
        )
        account.state = SocialAccount.State.NEEDS_REAUTH
        account.granted_scopes = ["read-write"]
        account.save()
        AccountConnectionFactory.create(account=account, actor=administrator, identity_handle="earlier")
        AccountConnectionFactory.create(
            account=account, actor=administrator, kind=AccountConnection.Kind.REAUTHORISED, identity_handle="latest"
        )
    sign_in_with_second_factor(client, administrator)
    with django_assert_max_num_queries(CONNECTION_FACTS_CAP):
        response = client.get(reverse("home"))
    card = response.content.decode().split('id="account-health"')[1].split("</section>")[0]
    assert card.count('class="connected-by"') == card.count('class="reauthorise-link"') == len(accounts)
    assert card.count(": latest") == len(accounts) and "earlier" not in card  # the latest connection of each
