"""Sign-in that does not lock out an office: limits per login name and per address, prompts that say why."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse

from tests.accounts.test_login import login, totp_code
from tests.conftest import add_totp, make_person
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_one_persons_typos_lock_out_only_that_login_name(client, tokyo_poster, tokyo_supervisor):
    for _ in range(5):
        login(client, "tokyo-poster", "wrong-password")
    refused = login(client, "tokyo-poster")  # the right password, still within the five minutes
    assert not signed_in(client)
    page = refused.content.decode()
    assert "このログイン名" in page and "分後" in page  # says for how long, in the reader's language
    # A colleague behind the same office proxy (same address) signs in as usual.
    assert login(client, "tokyo-supervisor").status_code == 302


def test_the_message_says_when_to_try_again_in_english(client, tokyo_poster):
    for _ in range(5):
        login(client, "tokyo-poster", "wrong-password")
    page = client.post(
        reverse("account_login"), {"login": "tokyo-poster", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Too many wrong passwords for this login name. Try again at" in page and "(in 5 min)" in page


def test_many_names_from_one_address_are_still_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/ip,5/5m/key"}
    from allauth.account import app_settings  # reads the setting on each use

    assert app_settings.RATE_LIMITS["login_failed"] == "3/5m/ip,5/5m/key"
    make_person("guessed")
    for name in ("a", "b", "c"):
        login(client, name, "wrong-password")
    page = login(client, "guessed").content.decode()
    assert not signed_in(client) and "このネットワークアドレス" in page


def test_the_limits_are_per_name_and_far_higher_per_address(settings):
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    per = {rate.rsplit("/", 1)[1]: int(rate.split("/")[0]) for rate in rates}
    assert per["key"] == 5 and per["ip"] >= 50


def test_setting_up_totp_right_after_sign_in_counts_as_the_second_factor(client):
    staff = make_person("newstaff", is_staff=True, is_superuser=True)
    login(client, "newstaff")
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # The password was typed a moment ago: no second password prompt.
    assert client.get(response["Location"]).status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    # The code just entered counts for this sign-in: no second code (which allauth would refuse as used).
    assert client.get(reverse("admin:index")).status_code == 200
    assert Authenticator.objects.filter(user=staff).count() == 2


def test_a_code_prompt_says_why_and_a_used_code_says_so(client):
    supervisor = make_person("sup", "agency", "supervisor")
    secret = add_totp(supervisor)
    client.force_login(supervisor)
    response = client.get(reverse("posts:queue"))
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="why-asked"' in page and "パスワードだけでログイン" in page
    code = totp_code(secret)
    assert client.post(reverse("mfa_reauthenticate"), {"code": code}).status_code == 302
    client.force_login(supervisor)
    again = client.post(reverse("mfa_reauthenticate"), {"code": code}).content.decode()
    assert "使用済み" in again and "30秒" in again


def test_the_password_prompt_says_why(client):
    staff = make_person("oldstaff", is_staff=True, is_superuser=True)
    client.force_login(staff)  # no password record: as if signed in long ago
    page = client.get(reverse("account_reauthenticate"), follow=True).content.decode()
    assert 'data-testid="why-asked"' in page and "二要素" in page
