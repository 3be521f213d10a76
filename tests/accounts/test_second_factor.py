"""Every power beyond a poster's needs the second factor, used in this sign-in (docs/architecture.md, the workflow).

The table below is written from the issue's list, not from the middleware: a
URL pattern added without being classified fails the first test.
"""

import pytest
from django.urls import reverse

from accounts.middleware import needs_second_factor
from tests.conftest import add_totp, every_pattern, sign_in_with_second_factor
from tests.factories import make_person, post_via_services

pytestmark = pytest.mark.django_db

# Actions on others' posts, the queue, the kill switch: the second factor.
NEEDS_IT = {
    "posts:queue",
    "posts:approve",
    "posts:reject",
    "posts:approve_many",
    "posts:edit",
    "posts:cancel",
    "posts:target_retry",
    "posts:target_resolve",
    "posts:target_withdraw",
    "posts:publishing_switch",
    "moderation:queue",
    "moderation:hide",
    "moderation:unhide",
    "moderation:confirm",
    "moderation:delete",
    "moderation:ban",
    "moderation:block_done",
    "moderation:bulk",
    "audit:log",
    "audit:export",
    "calendar_move",  # moving a post is an edit of its time
    "moderation_admin_moved",  # the admin's old addresses, as the admin
    # Connecting accounts with the platforms' sign-in (issue: administrators with the second factor).
    "account_connect",
    "connect_pin",
    "connect_callback",
    "account_disconnect",
}
# Reading and a poster's own work: the password is enough.
PASSWORD_ENOUGH = {
    "home",
    "calendar",
    "posts:list",
    "posts:new",
    "posts:preview",
    "posts:detail",
    "posts:submit",
    "posts:note",
    "posts:image",
    "posts:django.views.generic.base.RedirectView",
    "sandbox_delivery",
    "admin_login",
    "set_language",
    "favicon",
    "help",
    "notifications",
    "sns_account",
    "reports:monthly",
    "reports:csv",
    "public:policy",
    "public:policy_version",
    "public:official_accounts",
    "public:official_accounts_json",
    "public:transparency",
    "public:transparency_json",
}


def test_every_url_is_classified():
    unclassified = []
    for view_name, namespaces, callback in every_pattern():
        module = getattr(callback, "view_class", callback).__module__
        if "admin" in namespaces:
            assert needs_second_factor(view_name, namespaces, callback), view_name
        elif module.startswith("allauth."):
            # Signing in and out and the second factor's own pages must stay reachable.
            assert not needs_second_factor(view_name, namespaces, callback), view_name
        elif view_name in NEEDS_IT:
            assert needs_second_factor(view_name, namespaces, callback), view_name
        elif view_name in PASSWORD_ENOUGH:
            assert not needs_second_factor(view_name, namespaces, callback), view_name
        else:
            unclassified.append(view_name)
    assert unclassified == [], "classify these URLs in accounts/middleware.py and here"


def test_a_url_nobody_classified_needs_the_second_factor():
    def new_view(request):
        raise AssertionError

    assert needs_second_factor("somewhere:new", (), new_view)


@pytest.fixture
def pending(db, tokyo_poster):
    import time_machine

    from tests.posts.conftest import NOW

    with time_machine.travel(NOW, tick=True):
        yield post_via_services(tokyo_poster, submit=True)


def guarded_requests(post, target_pk):
    return [
        ("get", reverse("posts:queue"), {}),
        ("get", reverse("posts:edit", args=[post.pk]), {}),
        ("post", reverse("posts:edit", args=[post.pk]), {"body": "書き換え"}),
        ("post", reverse("posts:cancel", args=[post.pk]), {}),
        ("post", reverse("posts:approve", args=[post.pk]), {"revision": post.revision}),
        ("post", reverse("posts:reject", args=[post.pk]), {"comment": "だめ"}),
        ("post", reverse("posts:approve_many"), {"posts": [post.pk], f"revision-{post.pk}": post.revision}),
        ("post", reverse("posts:target_retry", args=[target_pk]), {}),
        ("post", reverse("posts:target_resolve", args=[target_pk]), {"decision": "again"}),
        ("post", reverse("posts:target_withdraw", args=[target_pk]), {"reason": "誤り"}),
        ("post", reverse("posts:publishing_switch"), {"paused": "1", "reason": "x"}),
        ("get", reverse("admin:index"), {}),
    ]


@pytest.mark.parametrize("persona", ["supervisor", "administrator"])
def test_a_password_alone_is_not_enough_even_with_totp_set_up(client, pending, persona):
    person = (
        make_person("sup", "agency", "supervisor")
        if persona == "supervisor"
        else make_person("root", is_staff=True, is_superuser=True)
    )
    add_totp(person)
    client.force_login(person)  # a session whose sign-in did not use the code
    target = pending.targets.get()
    for method, url, data in guarded_requests(pending, target.pk):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_reauthenticate")), url
    pending.refresh_from_db()
    assert pending.state == "pending" and pending.body != "書き換え"
    assert not pending.events.filter(action__in=["approve", "reject", "cancel", "edit"]).exists()


def test_without_totp_a_supervisor_is_sent_to_set_it_up(client, pending):
    person = make_person("sup", "agency", "supervisor")
    client.force_login(person)
    response = client.post(
        reverse("posts:cancel", args=[pending.pk]), HTTP_REFERER=f"http://testserver/posts/{pending.pk}/"
    )
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert "next=http%3A%2F%2Ftestserver%2Fposts%2F" in response["Location"]
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_the_second_factor_in_this_sign_in_opens_them(client, pending):
    person = make_person("sup", "agency", "supervisor")
    sign_in_with_second_factor(client, person)
    assert client.get(reverse("posts:queue")).status_code == 200
    client.post(reverse("posts:approve", args=[pending.pk]), {"revision": pending.revision})
    pending.refresh_from_db()
    assert pending.state == "approved"


def test_the_record_belongs_to_the_person_signed_in(client, pending):
    """allauth ties the session's record to one user: someone else's 'mfa' step does not count."""
    first = make_person("sup-a", "agency", "supervisor")
    sign_in_with_second_factor(client, first)
    second = make_person("sup-b", "agency", "supervisor")
    add_totp(second)
    client.force_login(second)  # same session, another person, no code
    assert client.get(reverse("posts:queue"))["Location"].startswith(reverse("mfa_reauthenticate"))


def test_posters_and_reading_need_only_the_password(client, pending, tokyo_poster, viewer):
    client.force_login(tokyo_poster)
    assert client.get(reverse("posts:edit", args=[pending.pk])).status_code == 200
    client.force_login(viewer)
    assert client.get(reverse("posts:detail", args=[pending.pk])).status_code == 200
    supervisor = make_person("sup", "agency", "supervisor")
    add_totp(supervisor)
    client.force_login(supervisor)
    assert client.get(reverse("posts:detail", args=[pending.pk])).status_code == 200
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("persona", ["supervisor", "administrator"])
def test_without_the_second_factor_a_supervisor_or_administrator_only_reads(client, pending, persona):
    """Drafting for every account of their scope is a power beyond a poster's: the code first."""
    person = (
        make_person("sup", "agency", "supervisor")
        if persona == "supervisor"
        else make_person("root", is_staff=True, is_superuser=True)
    )
    add_totp(person)
    client.force_login(person)
    for url in (reverse("posts:new"), reverse("posts:preview")):
        assert client.get(url)["Location"].startswith(reverse("mfa_reauthenticate")), url
    response = client.post(reverse("posts:new"), {"body": "下書き", "accounts": ["1"]})
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not pending.__class__.objects.filter(body="下書き").exists()
    response = client.post(reverse("posts:submit", args=[pending.pk]))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    # Reading still works, and so do choosing the language and signing out.
    for url in (
        reverse("home"),
        reverse("posts:list"),
        reverse("calendar"),
        reverse("posts:detail", args=[pending.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert not client.post(reverse("set_language"), {"language": "en"})["Location"].startswith("/accounts/2fa")
    sign_in_with_second_factor(client, person)
    assert client.get(reverse("posts:new")).status_code == 200


def test_a_poster_drafts_with_the_password_alone(client, tokyo_poster):
    client.force_login(tokyo_poster)
    assert client.get(reverse("posts:new")).status_code == 200
