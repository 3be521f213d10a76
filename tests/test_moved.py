"""Old addresses keep working: the checks' and the replies' admin pages were under /admin/moderation/."""

import pytest
from django.urls import reverse

from tests.conftest import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    sign_in_with_second_factor(client, administrator)
    return client


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/moderation/officialcontact/", "/admin/checks/officialcontact/"),
        ("/admin/moderation/allowedlinkdomain/add/", "/admin/checks/allowedlinkdomain/add/"),
        ("/admin/moderation/wordlist/3/change/", "/admin/replies/wordlist/3/change/"),
        ("/admin/moderation/listeningday/?account__platform=x", "/admin/replies/listeningday/?account__platform=x"),
    ],
)
def test_the_old_admin_addresses_redirect_for_good(admin_client, old, new):
    response = admin_client.get(old)
    assert response.status_code == 301 and response["Location"] == new


def test_the_new_admin_addresses_answer(admin_client):
    for url in (
        reverse("admin:checks_allowedlinkdomain_changelist"),
        reverse("admin:replies_wordlist_changelist"),
        reverse("admin:replies_listeningday_changelist"),
    ):
        assert url.startswith(("/admin/checks/", "/admin/replies/"))
        assert admin_client.get(url).status_code == 200


def test_a_model_that_never_was_there_is_not_found(admin_client):
    assert admin_client.get("/admin/moderation/nothing/").status_code == 404


def test_the_redirect_leads_anonymous_people_to_the_admin_login(client):
    response = client.get("/admin/moderation/wordlist/", follow=True)
    assert response.redirect_chain[0] == ("/admin/replies/wordlist/", 301)
    assert "login" in response.redirect_chain[-1][0]
