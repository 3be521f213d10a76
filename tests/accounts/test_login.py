"""Signing in (django-allauth): username or e-mail, no sign-up, reset by e-mail, rate limits, TOTP."""

import pytest
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import add_totp
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def totp_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return f"{hotp_value(secret, counter):06d}"


def login(client, login_name, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login_name, "password": password})


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_login_page_is_japanese(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "ログイン" in page and 'lang="ja"' in page


@pytest.mark.parametrize("login_name", ["tokyo-poster", "tokyo-poster@example.invalid"])
def test_login_with_username_or_email(client, tokyo_poster, login_name):
    response = login(client, login_name)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused(client, tokyo_poster):
    response = login(client, "tokyo-poster", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_nobody_can_sign_up(client):
    response = client.get(reverse("account_signup"))
    page = response.content.decode()
    assert "password2" not in page
    response = client.post(
        reverse("account_signup"),
        {
            "username": "intruder",
            "email": "i@example.invalid",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="intruder").exists()


def test_password_reset_sends_an_email(client, tokyo_poster):
    response = client.post(reverse("account_reset_password"), {"email": tokyo_poster.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [tokyo_poster.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_failed_logins_are_rate_limited(client, tokyo_poster):
    for _ in range(5):
        login(client, "tokyo-poster", "wrong-password")
    # Even the right password is refused while the limit holds.
    response = login(client, "tokyo-poster")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_a_supervisor_with_totp_needs_the_code(client, tokyo_supervisor):
    secret = add_totp(tokyo_supervisor)
    response = login(client, "tokyo-supervisor")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if totp_code(secret) != "000000" else "111111"}
    )
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tokyo_supervisor.pk)
    # The sign-in used the second factor, so the supervisor's pages open.
    assert client.get(reverse("posts:queue")).status_code == 200


def test_setting_up_totp_gives_recovery_codes_and_opens_the_admin(client):
    from allauth.mfa.models import Authenticator

    staff = make_person("newstaff", is_staff=True, is_superuser=True)
    login(client, "newstaff")
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # The password typed at sign-in a moment ago is enough before a second factor is added.
    assert client.get(response["Location"]).status_code == 200  # shows the QR code and keeps the secret in the session
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    kinds = set(Authenticator.objects.filter(user=staff).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    # Setting it up entered a code in this sign-in: the admin opens without asking again.
    assert client.get(reverse("admin:index")).status_code == 200
