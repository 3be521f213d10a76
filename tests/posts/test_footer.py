"""The footer (§4): per platform, overridable per account, versioned, appended by compose()."""

import pytest
from django.urls import reverse

from accounts.models import SocialAccount
from posts import footer
from posts.models import Footer
from tests.conftest import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def test_compose_appends_the_platform_footer():
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    page = SocialAccount.objects.get(handle="nagoya.nyukan.support")
    newest_x = Footer.objects.filter(platform="x", account=None).order_by("-version").first()
    newest_facebook = Footer.objects.filter(platform="facebook", account=None).order_by("-version").first()
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
    Footer.objects.create(platform="x", account=tokyo, text="東京局のフッター v1", version=1)
    Footer.objects.create(platform="x", account=tokyo, text="東京局のフッター v2", version=2)
    Footer.objects.create(platform="x", text="共通フッター v3", version=3)
    assert footer.compose("本文", tokyo) == "本文\n\n東京局のフッター v2"
    assert footer.compose("本文", narita) == "本文\n\n共通フッター v3"
    assert footer.footer_for(tokyo).version == 2


def test_versions_are_never_edited():
    current = Footer.objects.filter(platform="x").first()
    current.text = "rewritten"
    with pytest.raises(ValueError):
        current.save()


def test_admin_adds_a_new_version(client, administrator):
    sign_in_with_second_factor(client, administrator)
    before = Footer.objects.filter(platform="x", account=None).order_by("-version").first()
    response = client.post(
        reverse("admin:posts_footer_add"), {"platform": "x", "account": "", "text": "新しいフッター"}
    )
    assert response.status_code == 302
    newest = Footer.objects.filter(platform="x", account=None).order_by("-version").first()
    assert (newest.version, newest.text, newest.created_by) == (before.version + 1, "新しいフッター", administrator)
    assert Footer.objects.get(pk=before.pk).text == before.text
    assert footer.compose("本文", SocialAccount.objects.get(handle="IMMI_OSAKA")).endswith("新しいフッター")


def test_admin_cannot_change_posts(client, administrator, tokyo_poster):
    from tests.factories import make_post

    post = make_post(tokyo_poster)
    sign_in_with_second_factor(client, administrator)
    url = reverse("admin:posts_post_change", args=[post.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": "changed"}).status_code == 403
