"""The home page: offices, roles and the accounts a person may post to."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_poster_sees_own_office_role_and_accounts(client, tokyo_poster):
    client.force_login(tokyo_poster)
    page = client.get(reverse("home")).content.decode()
    assert "東京出入国在留管理局" in page and "投稿担当" in page
    assert "@IMMI_TOKYO" in page and 'href="/accounts/IMMI_TOKYO/"' in page  # the account's page
    assert "稼働中" in page
    assert "@IMMI_NARITA" in page  # the bureau's branch offices are part of it
    assert "IMMI_OSAKA" not in page and "IMMI_HIROSHIMA" not in page


def test_supervisor_sees_the_branches_below(client, tokyo_supervisor):
    client.force_login(tokyo_supervisor)
    page = client.get(reverse("home")).content.decode()
    for handle in ("IMMI_TOKYO", "IMMI_NARITA", "IMMI_HANEDA", "IMMI_YOKOHAMA"):
        assert handle in page
    assert "IMMI_OSAKA" not in page


def test_viewer_sees_but_may_post_to_nothing(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("home")).content.decode()
    assert "投稿できるアカウントはありません" in page
    assert "nagoya.nyukan.support" in page and 'href="/accounts/nagoya.nyukan.support/"' in page


def test_paused_state_is_shown(client, tokyo_poster):
    from accounts.models import SocialAccount

    SocialAccount.objects.filter(handle="IMMI_TOKYO").update(state="paused")
    client.force_login(tokyo_poster)
    assert "一時停止中" in client.get(reverse("home")).content.decode()


def test_english_is_one_click_away(client, tokyo_poster):
    client.force_login(tokyo_poster)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "Accounts you may post to" in page and "Tokyo Regional Immigration Services Bureau" in page
    assert 'lang="en"' in page


def test_wrong_method_is_refused(client, tokyo_poster):
    client.force_login(tokyo_poster)
    assert client.post(reverse("home")).status_code == 405


def test_html_in_a_display_name_is_escaped(client, tokyo_poster):
    from accounts.models import SocialAccount

    SocialAccount.objects.filter(handle="IMMI_TOKYO").update(display_name="<script>alert(1)</script>")
    client.force_login(tokyo_poster)
    page = client.get(reverse("home")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
