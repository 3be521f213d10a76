"""Where the demo's e-mail links point, its 404 page, and the admin for someone who is not staff."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership
from tests.factories import make_person
from tests.test_settings import start

OWN_404 = "immisns.not_found.OwnNotFoundPageMiddleware"
PROBE = f"from django.conf import settings; print(settings.SITE_URL); print({OWN_404!r} in settings.MIDDLEWARE)"


@pytest.mark.parametrize(
    ("addr", "site_url"),
    [
        ("127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("192.168.1.20:8000", "http://192.168.1.20:8000"),
        ("8080", "http://127.0.0.1:8080"),
    ],
)
def test_links_in_e_mails_follow_where_the_demo_listens(tmp_path, addr, site_url):
    result = start({"ADDR": addr, "IMMISNS_VAR_DIR": str(tmp_path)}, "shell", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [site_url, "True"]  # and the demo has its own 404 page


def test_site_url_set_explicitly_wins(tmp_path):
    result = start(
        {"ADDR": "0.0.0.0:9000", "SITE_URL": "https://sns.example.go.jp", "IMMISNS_VAR_DIR": str(tmp_path)},
        "shell",
        "-c",
        PROBE,
    )
    assert result.stdout.split()[-2] == "https://sns.example.go.jp"


@pytest.fixture
def debug_demo(settings):
    settings.DEBUG = True
    if OWN_404 not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, OWN_404]


@pytest.mark.django_db
def test_the_demo_shows_its_own_404_page_not_the_technical_one(client, tokyo_poster, debug_demo):
    client.force_login(tokyo_poster)
    with translation.override("en"):
        for url in ("/no-such-page/", reverse("posts:detail", args=[999999])):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            page = response.content.decode()
            assert response.status_code == 404
            assert "Using the URLconf" not in page and "technical_404" not in page and "Django tried" not in page
            assert 'class="card"' in page and reverse("home") in page  # the console's page, with its way home


@pytest.mark.django_db
def test_a_person_who_is_not_staff_opening_the_admin_is_sent_home_once(client):
    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    client.force_login(poster)
    response = client.get("/admin/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.redirect_chain[-1] == (reverse("home"), 302)
    assert len(response.redirect_chain) <= 2
    assert "The administration pages are for administrators only." in [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_someone_signed_out_opening_the_admin_is_asked_to_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
