"""Re-authorising an account in a real browser: from the home page's health card, through X's sign-in, back healthy.

X's sign-in pages are the fake platform's (tests/fakes/oauth.py), served on
loopback as `make run` serves them; the page fixture may reach that one
origin besides the live server (also_allowed_origin below), and nothing else.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AccountConnection, AccountStateChange, SocialAccount
from posts.models import Post, PostTarget
from tests.browser.conftest import BROWSER_DB, assert_accessible, login, shoot
from tests.conftest import add_totp
from tests.factories import PASSWORD, AccountStateChangeFactory, PostFactory, PostTargetFactory, make_person
from tests.factories_connect2 import AccountConnectionFactory
from tests.fakes.loopback import serve
from tests.fakes.platforms import FakeGraph, FakeX

pytestmark = [pytest.mark.browser, BROWSER_DB]

State = SocialAccount.State


@pytest.fixture
def fake_x(settings):
    """(X, the origin serving it): X's sign-in and API on loopback, the console pointed at them
    (as immisns/runall.py does for the demo)."""
    x = FakeX()
    server = serve({"x": x, "facebook": FakeGraph()})
    settings.PLATFORM_API_ORIGIN = server.origin
    settings.X_API_KEY, settings.X_API_SECRET = x.api_key, x.api_secret
    try:
        yield x, server.origin
    finally:
        server.close()


@pytest.fixture
def also_allowed_origin(fake_x):
    return fake_x[1]


def an_account_that_lost_its_tokens(x: FakeX, connected_by) -> SocialAccount:
    """@MOJ_IMMI, connected a while ago, publishing, until X answered 401: needs re-authorisation."""
    account = SocialAccount.objects.get(platform="x", handle="MOJ_IMMI")
    account.set_credentials({"access_token": "revoked-token", "access_token_secret": "revoked-secret"})
    account.platform_id = x.user_id
    account.granted_scopes = ["read-write"]
    account.last_successful_call_at = timezone.now() - dt.timedelta(days=3)
    account.state = State.NEEDS_REAUTH
    account.save()
    AccountConnectionFactory.create(
        account=account, actor=connected_by, identity_id=x.user_id, identity_handle="MOJ_IMMI", scopes=["read-write"]
    )
    AccountStateChangeFactory.create(
        account=account, from_state=State.ACTIVE, to_state=State.NEEDS_REAUTH, reason="X answered 401"
    )
    published = timezone.now() - dt.timedelta(days=2)
    post = PostFactory.create(
        author=connected_by, body="在留手続のお知らせ", scheduled_at=published, state=Post.State.APPROVED
    )
    PostTargetFactory.create(
        post=post, account=account, state=PostTarget.State.PUBLISHED, due_at=published, published_at=published
    )
    return account


def test_an_administrator_re_authorises_an_account_from_the_health_card(page, live_server, fake_x):
    x, origin = fake_x
    admin = make_person("admin", is_staff=True, is_superuser=True, first_name="花子", last_name="佐藤")
    secret = add_totp(admin)
    earlier = make_person("former-admin", is_staff=True, first_name="一郎", last_name="鈴木")
    account = an_account_that_lost_its_tokens(x, earlier)

    login(page, live_server, "admin", PASSWORD, totp_secret=secret)
    card = page.locator("#account-health")
    row = card.locator("tbody tr", has_text="@MOJ_IMMI")
    expect(row).to_contain_text("再認証が必要")  # needs re-authorisation
    facts = row.locator(".connection-facts")
    expect(facts.locator(".connected-by")).to_contain_text("鈴木")
    expect(facts.locator(".confirmed-identity")).to_contain_text(x.user_id)
    expect(facts.locator(".granted-scopes")).to_contain_text("read-write")
    expect(facts.locator(".last-successful-call")).to_be_visible()
    assert_accessible(page)
    shoot(page, "connect-health-card")

    with page.expect_navigation():
        facts.get_by_role("link", name="再認証 @MOJ_IMMI").click()
    assert urlsplit(page.url).path == "/accounts/MOJ_IMMI/connect/"
    expect(page.locator("h1")).to_contain_text("@MOJ_IMMI")
    assert_accessible(page)
    shoot(page, "connect-page")

    # "Sign in with X": the console asks X (the fake, on loopback) for a request token and sends the browser there.
    with page.expect_navigation():
        page.locator("#connect-form button[type=submit]").click()
    assert page.url.startswith(origin + "/browser?url="), page.url
    expect(page.locator("main")).to_contain_text("@MOJ_IMMI")  # signed in on X as the right account
    # "Authorize app": X sends the browser back to the console's callback, which finishes the sign-in.
    with page.expect_navigation(url=f"{live_server.url}/accounts/MOJ_IMMI/**"):
        page.locator("#authorize").click()
    expect(page.locator(".messages .success")).to_contain_text("@MOJ_IMMI")
    expect(page.locator("#connected-by")).to_contain_text("佐藤")
    expect(page.locator("#confirmed-identity")).to_contain_text(x.user_id)
    shoot(page, "connect-done")

    account.refresh_from_db()
    assert account.state == State.ACTIVE
    assert account.get_credentials() == {
        "access_token": x.access_token,
        "access_token_secret": x.access_token_secret,
    }
    assert (
        AccountConnection.objects.filter(account=account).latest("at", "id").kind == AccountConnection.Kind.REAUTHORISED
    )
    assert AccountStateChange.objects.filter(account=account).latest("at", "id").to_state == State.ACTIVE

    # Healthy again: the health card lists only accounts that need a look, and @MOJ_IMMI is not among them.
    page.goto(f"{live_server.url}/")
    expect(page.locator("#account-health")).to_be_visible()  # the other accounts have posted nothing yet
    expect(page.locator("#account-health tbody tr", has_text="@MOJ_IMMI")).to_have_count(0)
