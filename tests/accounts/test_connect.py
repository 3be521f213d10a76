"""Connecting and re-authorising accounts with the platforms' own sign-in, against the OAuth fakes.

The fakes (tests/fakes/oauth.py) answer as X's and Meta's documentation
describes; the administrator's visit to the platform is one call on the fake
(approve, deny, pin), which returns where the platform sends the browser back.
"""

from __future__ import annotations

import io
import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import connections
from accounts.demo_pages import DEMO_FACEBOOK_PAGES
from accounts.models import AccountConnection, AccountStateChange, SocialAccount
from accounts.tasks import verify_connections
from audit import selectors as audit_selectors
from audit.selectors import Filters
from immisns import log_redaction
from tests.conftest import make_person, sign_in_with_second_factor
from tests.fakes import fake_platforms
from tests.fakes.oauth import ALL_PERMISSIONS

pytestmark = pytest.mark.django_db

State = SocialAccount.State


@pytest.fixture
def fakes(settings):
    with fake_platforms() as (x, graph):
        settings.X_API_KEY, settings.X_API_SECRET = x.api_key, x.api_secret
        settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = graph.login.app_id, graph.login.app_secret
        settings.FACEBOOK_GRAPH_API_VERSION = graph.version
        yield x, graph


@pytest.fixture
def x(fakes):
    return fakes[0]


@pytest.fixture
def graph(fakes):
    return fakes[1]


@pytest.fixture
def admin_client(client, administrator, settings):
    return admin_client_for(client, administrator, settings)


def admin_client_for(client, administrator, settings):
    sign_in_with_second_factor(client, administrator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages are compared in English
    return client


@pytest.fixture
def x_account():
    return SocialAccount.objects.get(platform="x", handle="MOJ_IMMI")


@pytest.fixture
def page(graph):
    account = SocialAccount.objects.get(platform="facebook", handle="ImmigrationServicesAgency.MOJ")
    account.platform_id = graph.page_id
    account.save()
    return account


def connect_url(account: SocialAccount) -> str:
    return reverse("account_connect", args=[account.handle]) + f"?platform={account.platform}"


def start(client, account: SocialAccount, **data) -> str:
    response = client.post(reverse("account_connect", args=[account.handle]), {"platform": account.platform, **data})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def back(client, callback_url: str):
    """The browser arriving at the console's callback, as the platform sent it."""
    parts = urlsplit(callback_url)
    assert parts.path == reverse("connect_callback")
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- X: three-legged OAuth 1.0a -------------------------------------------------------------------


def test_x_connects_through_the_platforms_sign_in(admin_client, administrator, x, x_account):
    authorize = start(admin_client, x_account)
    assert authorize.startswith("https://api.twitter.com/oauth/authorize?oauth_token=")

    response = back(admin_client, x.sign_in.approve(authorize))

    assert response.status_code == 302
    assert response["Location"].startswith(x_account.get_absolute_url())
    x_account.refresh_from_db()
    assert x_account.get_credentials() == {"access_token": x.access_token, "access_token_secret": x.access_token_secret}
    assert x_account.platform_id == x.user_id
    assert x_account.granted_scopes == ["read-write"]
    assert x_account.last_successful_call_at is not None
    [record] = AccountConnection.objects.filter(account=x_account)
    assert (record.kind, record.method, record.actor) == ("connected", "callback", administrator)
    assert (record.identity_id, record.identity_handle) == (x.user_id, "MOJ_IMMI")
    # The request token travelled in the callback's oauth_token and was checked; the state came back too.
    assert x.sign_in.request_tokens and all(token.used for token in x.sign_in.request_tokens.values())


def test_x_pin_flow_for_a_console_x_cannot_call_back(admin_client, x, x_account):
    response = admin_client.post(reverse("account_connect", args=[x_account.handle]), {"platform": "x", "pin": "1"})
    assert response.status_code == 200
    authorize = response.context["authorize_url"]
    state = response.context["pin_state"]
    # X was told to show a PIN ("oob"), not to call back.
    assert x.sign_in.request_tokens[parse_qs(urlsplit(authorize).query)["oauth_token"][0]].callback == "oob"

    pin = x.sign_in.pin(authorize)
    response = admin_client.post(
        reverse("connect_pin", args=[x_account.handle]), {"platform": "x", "state": state, "pin": pin}
    )

    assert response.status_code == 302
    record = AccountConnection.objects.get(account=x_account)
    assert record.method == "pin"
    x_account.refresh_from_db()
    assert x_account.has_credentials


def test_a_wrong_pin_changes_nothing(admin_client, x, x_account):
    response = admin_client.post(reverse("account_connect", args=[x_account.handle]), {"platform": "x", "pin": "1"})
    x.sign_in.pin(response.context["authorize_url"])
    response = admin_client.post(
        reverse("connect_pin", args=[x_account.handle]),
        {"platform": "x", "state": response.context["pin_state"], "pin": "0000000"},
    )
    assert response.status_code == 302
    assert any("refused" in m for m in messages_of(response))
    x_account.refresh_from_db()
    assert not x_account.has_credentials and not AccountConnection.objects.exists()


def test_the_wrong_x_account_is_refused_and_nothing_is_stored(admin_client, x, x_account):
    x.sign_in.browser_user = x.sign_in.add_user("tanaka_personal", "Tanaka")
    response = back(admin_client, x.sign_in.approve(start(admin_client, x_account)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_connect", args=[x_account.handle]))
    [message] = messages_of(response)
    assert "@tanaka_personal" in message and "@MOJ_IMMI" in message and "Nothing was stored" in message
    x_account.refresh_from_db()
    assert not x_account.has_credentials and x_account.platform_id == ""
    assert not AccountConnection.objects.exists()


def test_an_x_account_with_an_id_is_matched_by_its_id(admin_client, x, x_account):
    x_account.platform_id = "1234"  # another account's id, though the handle is the same
    x_account.save()
    back(admin_client, x.sign_in.approve(start(admin_client, x_account)))
    x_account.refresh_from_db()
    assert not x_account.has_credentials


def test_a_read_only_x_token_is_refused(admin_client, x, x_account):
    x.sign_in.access_level = "read"
    response = back(admin_client, x.sign_in.approve(start(admin_client, x_account)))
    [message] = messages_of(response)
    assert "read-write" in message
    x_account.refresh_from_db()
    assert not x_account.has_credentials


def test_a_cancelled_sign_in_changes_nothing_and_says_so(admin_client, x, x_account):
    response = back(admin_client, x.sign_in.deny(start(admin_client, x_account)))
    assert messages_of(response) == ["The sign-in was cancelled on X. Nothing was changed."]
    x_account.refresh_from_db()
    assert not x_account.has_credentials and not AccountConnection.objects.exists()


def test_a_replayed_state_is_refused(admin_client, x, x_account):
    callback = x.sign_in.approve(start(admin_client, x_account))
    back(admin_client, callback)
    response = back(admin_client, callback)
    assert response["Location"] == reverse("home")
    assert "already used" in messages_of(response)[-1]
    assert AccountConnection.objects.count() == 1


def test_a_state_from_another_session_is_refused(admin_client, client_factory_admin, x, x_account):
    callback = x.sign_in.approve(start(admin_client, x_account))
    response = back(client_factory_admin, callback)  # the same administrator, another browser
    assert response["Location"] == reverse("home")
    x_account.refresh_from_db()
    assert not x_account.has_credentials


@pytest.fixture
def client_factory_admin(administrator):
    from django.test import Client

    other = Client()
    sign_in_with_second_factor(other, administrator)
    other.cookies["django_language"] = "en"
    return other


def test_an_expired_flow_is_refused(admin_client, x, x_account, settings, monkeypatch):
    settings.CONNECT_FLOW_SECONDS = 600
    callback = x.sign_in.approve(start(admin_client, x_account))
    later = time.time() + 601
    monkeypatch.setattr(connections.time, "time", lambda: later)
    response = back(admin_client, callback)
    assert "expired" in messages_of(response)[0]
    x_account.refresh_from_db()
    assert not x_account.has_credentials


def test_a_flow_started_for_another_account_is_refused_at_the_pin(admin_client, x, x_account):
    response = admin_client.post(reverse("account_connect", args=[x_account.handle]), {"platform": "x", "pin": "1"})
    pin = x.sign_in.pin(response.context["authorize_url"])
    other = SocialAccount.objects.get(platform="x", handle="IMMI_TOKYO")
    response = admin_client.post(
        reverse("connect_pin", args=[other.handle]),
        {"platform": "x", "state": response.context["pin_state"], "pin": pin},
    )
    assert "another account" in messages_of(response)[0]
    assert not SocialAccount.objects.exclude(credentials_encrypted="").exists()


def test_re_authorising_brings_the_account_back_to_active(admin_client, administrator, x, x_account):
    x_account.state = State.NEEDS_REAUTH
    x_account.save()
    back(admin_client, x.sign_in.approve(start(admin_client, x_account)))
    x_account.refresh_from_db()
    assert x_account.state == State.ACTIVE
    record = AccountConnection.objects.get(account=x_account)
    assert record.kind == "reauthorised"
    change = AccountStateChange.objects.filter(account=x_account).first()
    assert change is not None
    assert (change.from_state, change.to_state, change.actor) == (State.NEEDS_REAUTH, State.ACTIVE, administrator)


def test_the_app_keys_missing_says_so(admin_client, settings, x_account, x):
    settings.X_API_KEY = ""
    response = admin_client.post(reverse("account_connect", args=[x_account.handle]), {"platform": "x"})
    assert response.status_code == 302
    assert "X_API_KEY" in messages_of(response)[0]


# --- Facebook Login --------------------------------------------------------------------------------


def test_facebook_connects_the_page_with_a_page_token(admin_client, graph, page):
    dialog = start(admin_client, page)
    parts = urlsplit(dialog)
    assert (parts.hostname, parts.path) == ("www.facebook.com", f"/{graph.version}/dialog/oauth")
    query = parse_qs(parts.query)
    assert set(query["scope"][0].split(",")) == set(ALL_PERMISSIONS)
    assert query["redirect_uri"] == ["http://testserver" + reverse("connect_callback")]

    back(admin_client, graph.login.approve(dialog))

    page.refresh_from_db()
    assert page.get_credentials() == {"page_access_token": graph.access_token}
    assert set(page.granted_scopes) == set(ALL_PERMISSIONS)
    assert page.token_expires_at is None  # a Page token from a long-lived user token never expires
    assert page.data_access_expires_at is not None
    record = AccountConnection.objects.get(account=page)
    assert (record.identity_id, record.identity_handle) == (graph.page_id, "ImmigrationServicesAgency.MOJ")
    # code → user token → long-lived user token → me/accounts → the Page's own checks.
    assert [c.endpoint for c in graph.calls if c.endpoint.startswith("login:")] == [
        "login:access_token",
        "login:access_token",
        "login:accounts",
        "login:page",
        "login:debug_token",
    ]
    assert "fb_exchange_token" in graph.calls_to("login:access_token")[1].params()["grant_type"]


def test_a_page_missing_from_me_accounts_is_refused(admin_client, graph, page):
    graph.login.pages = []
    response = back(admin_client, graph.login.approve(start(admin_client, page)))
    assert "is not among the Pages" in messages_of(response)[0]
    page.refresh_from_db()
    assert not page.has_credentials


def test_a_missing_facebook_permission_is_refused(admin_client, graph, page):
    graph.login.granted = [p for p in ALL_PERMISSIONS if p != "pages_manage_metadata"]
    response = back(admin_client, graph.login.approve(start(admin_client, page)))
    assert "pages_manage_metadata" in messages_of(response)[0]
    page.refresh_from_db()
    assert not page.has_credentials


def test_a_cancelled_facebook_dialog_changes_nothing(admin_client, graph, page):
    response = back(admin_client, graph.login.deny(start(admin_client, page)))
    assert messages_of(response) == ["The sign-in was cancelled on Facebook. Nothing was changed."]
    assert not AccountConnection.objects.exists()


def test_a_facebook_state_from_another_flow_is_refused(admin_client, graph, page):
    dialog = start(admin_client, page)
    forged = graph.login.approve(dialog.replace("state=", "state=x"))
    response = back(admin_client, forged)
    assert response["Location"] == reverse("home")
    page.refresh_from_db()
    assert not page.has_credentials


# --- Who may: administrators with the second factor in this sign-in ----------------------------------


def test_others_get_404_and_nothing_starts(client, x, x_account):
    supervisor = make_person("agency-supervisor", "agency", "supervisor")
    sign_in_with_second_factor(client, supervisor)
    assert client.get(connect_url(x_account)).status_code == 404
    assert client.post(reverse("account_connect", args=[x_account.handle]), {"platform": "x"}).status_code == 404
    assert x.sign_in.request_tokens == {}


def test_an_administrator_without_the_second_factor_is_asked_for_it(client, administrator, x, x_account):
    client.force_login(administrator)
    response = client.get(connect_url(x_account))
    assert response.status_code == 302 and "/2fa/" in response["Location"]


def test_anonymous_is_sent_to_sign_in(client, x_account):
    response = client.get(connect_url(x_account))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_starting_needs_a_post_with_the_csrf_token(client, administrator, x, x_account):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    sign_in_with_second_factor(strict, administrator)
    response = strict.post(reverse("account_connect", args=[x_account.handle]), {"platform": "x"})
    assert response.status_code == 403
    assert x.sign_in.request_tokens == {}


# --- Disconnect, audit, pages ------------------------------------------------------------------------


def test_disconnect_forgets_the_tokens_and_is_recorded(admin_client, administrator, x, x_account):
    back(admin_client, x.sign_in.approve(start(admin_client, x_account)))
    response = admin_client.post(reverse("account_disconnect", args=[x_account.handle]), {"platform": "x"})
    assert response.status_code == 302
    x_account.refresh_from_db()
    assert not x_account.has_credentials
    assert list(AccountConnection.objects.filter(account=x_account).values_list("kind", flat=True)) == [
        "disconnected",
        "connected",
    ]


def test_connections_are_in_the_audit_log_without_a_token(admin_client, administrator, x, x_account):
    back(admin_client, x.sign_in.approve(start(admin_client, x_account)))
    stream = audit_selectors.audit_stream(user=administrator, filters=Filters(kind="account_connection"))
    assert stream is not None
    [row] = list(stream)
    from audit.entries import Entry, Names

    entry = Entry.from_row(row, Names.load())
    assert entry.kind == "account_connection.connected"
    assert entry.actor == administrator.username
    assert x.user_id in entry.description and "MOJ_IMMI" in entry.description
    exported = str(entry.as_data())
    assert x.access_token not in exported and x.access_token_secret not in exported
    response = admin_client.get(reverse("audit:log"), {"kind": "account_connection"})
    assert response.status_code == 200
    assert x.access_token not in response.content.decode()


def test_the_account_page_shows_the_connection(admin_client, administrator, x, x_account):
    back(admin_client, x.sign_in.approve(start(admin_client, x_account)))
    page = admin_client.get(x_account.get_absolute_url()).content.decode()
    assert 'id="connected-by"' in page and administrator.username in page
    assert 'id="confirmed-identity"' in page and x.user_id in page
    assert "read-write" in page
    assert x.access_token not in page and x.access_token_secret not in page


def test_the_health_card_links_straight_to_re_authorising(admin_client, x_account):
    x_account.state = State.NEEDS_REAUTH
    x_account.save()
    AccountStateChange.objects.create(account=x_account, from_state="active", to_state="needs_reauth", reason="401")
    page = admin_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("account_connect", args=[x_account.handle])}?platform=x"' in page


def health_card(client) -> str:
    return client.get(reverse("home")).content.decode().split('id="account-health"')[1].split("</section>")[0]


def test_the_health_card_shows_who_connected_an_account_that_needs_re_authorising(
    admin_client, administrator, x, x_account
):
    back(admin_client, x.sign_in.approve(start(admin_client, x_account)))
    x.sign_in.revoke(x.access_token)
    assert verify_connections() == {"needs_reauth": 1}

    card = health_card(admin_client)
    facts = card.split(f'data-account="x:{x_account.handle}"')[1].split("</ul>")[0]
    assert "Connected " in facts and administrator.username in facts
    assert "Identity confirmed: MOJ_IMMI" in facts and x.user_id in facts
    assert 'Permissions granted: <span class="scopes">read-write</span>' in facts
    assert "Token expires: Never" in facts and "Last successful call 20" in facts
    assert x.access_token not in card and x.access_token_secret not in card


def test_the_health_card_shows_a_pages_granted_permissions_and_expiry(admin_client, administrator, graph, page):
    back(admin_client, graph.login.approve(start(admin_client, page)))
    graph.login.revoke(graph.access_token)
    assert verify_connections() == {"needs_reauth": 1}
    page.refresh_from_db()

    facts = health_card(admin_client).split(f'data-account="facebook:{page.handle}"')[1].split("</ul>")[0]
    for permission in ALL_PERMISSIONS:
        assert permission in facts
    assert f"data access until {timezone.localtime(page.data_access_expires_at):%Y-%m-%d}" in facts
    assert 'class="reauthorise-link"' in facts


def test_tokens_and_verifiers_never_reach_the_log(admin_client, x, x_account, caplog):
    with caplog.at_level(logging.DEBUG):
        callback = x.sign_in.approve(start(admin_client, x_account))
        back(admin_client, callback)
    verifier = parse_qs(urlsplit(callback).query)["oauth_verifier"][0]
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (verifier, x.access_token, x.access_token_secret, x.api_secret):
        assert secret not in text


@pytest.mark.parametrize(
    "line",
    [
        "GET /connections/callback/?state=abcdefgh&code=AQsecretcode HTTP/1.1",
        "GET /connections/callback/?state=abcdefgh&oauth_token=rt-123456&oauth_verifier=verif123456",
        "https://graph.facebook.com/v23.0/oauth/access_token?grant_type=fb_exchange_token&fb_exchange_token=EAAshort123",
    ],
)
def test_the_log_redaction_covers_the_sign_in_names(line):
    redacted = log_redaction.redact(line)
    for secret in ("AQsecretcode", "verif123456", "rt-123456", "EAAshort123", "abcdefgh"):
        assert secret not in redacted


def test_graph_error_codes_stay_readable_in_the_log():
    assert log_redaction.redact("Graph error code=190 subcode=None") == "Graph error code=190 subcode=None"


# --- The daily check -----------------------------------------------------------------------------------


def test_the_daily_check_marks_a_revoked_x_token_and_tells_the_administrators(
    admin_client, administrator, x, x_account
):
    back(admin_client, x.sign_in.approve(start(admin_client, x_account)))
    mail.outbox.clear()
    assert verify_connections() == {"ok": 1}

    x.sign_in.revoke(x.access_token)
    assert verify_connections() == {"needs_reauth": 1}
    x_account.refresh_from_db()
    assert x_account.state == State.NEEDS_REAUTH
    assert len(mail.outbox) == 1 and administrator.email in mail.outbox[0].to
    assert verify_connections() == {}  # already waiting for re-authorisation: not checked, not mailed again


def test_the_daily_check_marks_a_missing_permission(admin_client, graph, page):
    back(admin_client, graph.login.approve(start(admin_client, page)))
    token = graph.access_token
    graph.login._page_tokens[token] = (graph.login.page, [p for p in ALL_PERMISSIONS if p != "pages_manage_posts"])
    assert verify_connections() == {"needs_reauth": 1}
    page.refresh_from_db()
    assert page.state == State.NEEDS_REAUTH
    change = AccountStateChange.objects.filter(account=page).first()
    assert change is not None and "pages_manage_posts" in change.reason


def test_the_daily_check_marks_an_invalid_page_token(admin_client, graph, page):
    back(admin_client, graph.login.approve(start(admin_client, page)))
    graph.login.revoke(graph.access_token)
    assert verify_connections() == {"needs_reauth": 1}


def test_the_daily_check_is_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["connections-verify"]["task"] == "accounts.verify_connections"


# --- The demo: the sign-in pages served on loopback, as `make run` does -----------------------------


def test_the_demo_connects_through_the_fake_platform_on_loopback(admin_client, settings, x_account):
    import requests

    from tests.fakes.loopback import serve
    from tests.fakes.platforms import FakeGraph, FakeX

    fake_x = FakeX()
    server = serve({"x": fake_x, "facebook": FakeGraph()})
    try:
        settings.PLATFORM_API_ORIGIN = server.origin
        settings.X_API_KEY, settings.X_API_SECRET = fake_x.api_key, fake_x.api_secret
        page = admin_client.get(connect_url(x_account))
        assert server.origin in page["Content-Security-Policy"]  # the form may lead to the sign-in page
        authorize = start(admin_client, x_account)
        assert authorize.startswith(server.origin + "/browser?url=")
        shown = requests.get(authorize, timeout=5)
        assert shown.status_code == 200 and "Authorize app" in shown.text
        allow = server.origin + shown.text.split('id="authorize" href="')[1].split('"')[0].replace("&amp;", "&")
        answer = requests.get(allow, timeout=5, allow_redirects=False)
        assert answer.status_code == 302
        back(admin_client, answer.headers["Location"])
    finally:
        server.close()
    x_account.refresh_from_db()
    assert x_account.has_credentials and x_account.platform_id == fake_x.user_id


def follow_the_fake_sign_in(address: str) -> str:
    """The administrator's browser on the fake platform's page: "Authorize app", and where it sends them back."""
    import requests

    shown = requests.get(address, timeout=5)
    assert shown.status_code == 200 and "Authorize app" in shown.text
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(address))
    allow = origin + shown.text.split('id="authorize" href="')[1].split('"')[0].replace("&amp;", "&")
    answer = requests.get(allow, timeout=5, allow_redirects=False)
    assert answer.status_code == 302
    return answer.headers["Location"]


@pytest.mark.parametrize("handle", [handle for handle, _page_id, _name in DEMO_FACEBOOK_PAGES])
def test_the_demo_connects_each_seeded_facebook_page_on_loopback(client, administrator, settings, handle):
    from tests.fakes.loopback import demo_fakes, serve

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    page = SocialAccount.objects.get(platform="facebook", handle=handle)
    assert page.platform_id == {h: page_id for h, page_id, _name in DEMO_FACEBOOK_PAGES}[handle]
    administrator.refresh_from_db()  # the seed set the demo administrator's password: sign in after it
    admin_client = admin_client_for(client, administrator, settings)

    fake_x, graph = demo_fakes()
    server = serve({"x": fake_x, "facebook": graph})
    try:
        settings.PLATFORM_API_ORIGIN = server.origin
        settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = graph.login.app_id, graph.login.app_secret
        settings.FACEBOOK_GRAPH_API_VERSION = graph.version
        dialog = start(admin_client, page)
        assert dialog.startswith(server.origin + "/browser?url=")
        response = back(admin_client, follow_the_fake_sign_in(dialog))
        assert response["Location"].startswith(page.get_absolute_url()), messages_of(response)
        assert verify_connections() == {"ok": 1}  # the daily check reads the same Page over loopback
    finally:
        server.close()
    page.refresh_from_db()
    assert page.has_credentials and page.state == State.ACTIVE
    record = AccountConnection.objects.get(account=page)
    assert (record.identity_id, record.identity_handle, record.actor) == (page.platform_id, handle, administrator)


@pytest.mark.parametrize("typed", ["12a4567", "9" * 100, "123\x00456", ""], ids=["letters", "long", "nul", "empty"])
def test_a_mistyped_pin_reaches_no_platform_and_keeps_the_sign_in_open(admin_client, x, x_account, typed):
    response = admin_client.post(reverse("account_connect", args=[x_account.handle]), {"platform": "x", "pin": "1"})
    authorize, state = response.context["authorize_url"], response.context["pin_state"]
    pin = x.sign_in.pin(authorize)
    response = admin_client.post(
        reverse("connect_pin", args=[x_account.handle]), {"platform": "x", "state": state, "pin": typed}
    )
    assert response.status_code == 302 and messages_of(response)
    assert not any(token.used for token in x.sign_in.request_tokens.values())  # nothing was sent to X
    x_account.refresh_from_db()
    assert not x_account.has_credentials
    # The sign-in is still open: the right PIN, typed again, finishes it.
    response = admin_client.post(
        reverse("connect_pin", args=[x_account.handle]), {"platform": "x", "state": state, "pin": pin}
    )
    assert AccountConnection.objects.filter(account=x_account, method="pin").exists()
