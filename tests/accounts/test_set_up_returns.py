"""After setting up TOTP the person goes on to where they were going, not left on the recovery codes."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from accounts.middleware import AFTER_SET_UP
from tests.accounts.test_login import login, totp_code
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def test_a_supervisor_sent_to_set_up_totp_is_returned_to_the_queue(client):
    make_person("new-sup", "tokyo", "supervisor")
    login(client, "new-sup")
    response = client.get(reverse("posts:queue"))
    assert (
        response["Location"].startswith(reverse("mfa_activate_totp"))
        and "next=%2Fposts%2Fqueue%2F" in response["Location"]
    )
    # The password typed at sign-in a moment ago is enough: no second password prompt.
    assert client.get(response["Location"]).status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    with translation.override("en"):
        codes = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="continue-after-set-up"' in codes and 'href="/posts/queue/"' in codes
    # Continue: the code entered to set it up counts for this sign-in; the queue opens at once.
    assert client.get("/posts/queue/").status_code == 200
    assert AFTER_SET_UP not in client.session  # arrived: the recovery codes page no longer offers it


def test_an_off_site_next_is_not_offered_after_set_up(client):
    make_person("new-sup", "tokyo", "supervisor")
    login(client, "new-sup")
    client.get(reverse("mfa_activate_totp") + "?next=https://evil.example/")
    assert AFTER_SET_UP not in client.session
