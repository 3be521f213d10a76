"""The footer (§4): per platform, overridable per account, versioned, appended by compose()."""

import pytest
from django.urls import reverse

from accounts.models import SocialAccount
from posts import footer
from posts.models import Footer
from tests.conftest import sign_in_with_second_factor
from tests.factories import FooterFactory

pytestmark = pytest.mark.django_db


def test_compose_appends_the_platform_footer():
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    page = SocialAccount.objects.get(handle="nagoya.nyukan.support")
    newest_x = Footer.objects.filter(platform="x", account=None).latest("version")
    newest_facebook = Footer.objects.filter(platform="facebook", account=None).latest("version")
    assert footer.compose("  お知らせです。\n", tokyo) == "お知らせです。\n\n" + footer.footer_text(newest_x)
    assert footer.compose("お知らせです。", page).endswith(footer.footer_text(newest_facebook))


def test_the_policy_address_in_a_footer_is_the_setting(settings):
    settings.PUBLIC_POLICY_URL = "https://www.example.go.jp/isa/sns-policy.html"
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    composed = footer.compose("お知らせです。", tokyo)
    assert composed.endswith("運用方針 https://www.example.go.jp/isa/sns-policy.html")
    assert "{policy_url}" not in composed


def test_an_account_override_wins_and_the_newest_version_is_used():
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    narita = SocialAccount.objects.get(handle="IMMI_NARITA")
    FooterFactory.create(platform="x", account=tokyo, text="東京局のフッター v1", version=1)
    FooterFactory.create(platform="x", account=tokyo, text="東京局のフッター v2", version=2)
    FooterFactory.create(platform="x", text="共通フッター v3", version=3)
    assert footer.compose("本文", tokyo) == "本文\n\n東京局のフッター v2"
    assert footer.compose("本文", narita) == "本文\n\n共通フッター v3"
    in_force = footer.footer_for(tokyo)
    assert in_force is not None and in_force.version == 2


def test_versions_are_never_edited():
    current = Footer.objects.filter(platform="x")[0]
    current.text = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        current.save()


def test_admin_adds_a_new_version(client, administrator):
    sign_in_with_second_factor(client, administrator)
    before = Footer.objects.filter(platform="x", account=None).latest("version")
    response = client.post(
        reverse("admin:posts_footer_add"), {"platform": "x", "account": "", "text": "新しいフッター"}
    )
    assert response.status_code == 302
    newest = Footer.objects.filter(platform="x", account=None).latest("version")
    assert (newest.version, newest.text, newest.created_by) == (before.version + 1, "新しいフッター", administrator)
    assert Footer.objects.get(pk=before.pk).text == before.text
    assert footer.compose("本文", SocialAccount.objects.get(handle="IMMI_OSAKA")).endswith("新しいフッター")


def test_admin_cannot_change_posts(client, administrator, tokyo_poster):
    from tests.factories import post_via_services

    post = post_via_services(tokyo_poster)
    sign_in_with_second_factor(client, administrator)
    url = reverse("admin:posts_post_change", args=[post.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": "changed"}).status_code == 403
