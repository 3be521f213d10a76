"""Redirects stay home: every `next` is checked (url_has_allowed_host_and_scheme)."""

import pytest
from django.urls import reverse

from posts.models import PostTarget
from tests.posts.test_publishing_views import published_target

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "javascript:alert(1)",
    "\\\\evil.example/",
    "https:evil.example",
]


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_retry_ignores_an_off_site_next(supervisor_client, tokyo_poster, tokyo_supervisor, next_url):
    target = published_target(tokyo_poster, tokyo_supervisor)
    PostTarget.objects.filter(pk=target.pk).update(state="failed")
    response = supervisor_client.post(reverse("posts:target_retry", args=[target.pk]), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("posts:detail", args=[target.post_id])
    assert PostTarget.objects.get(pk=target.pk).state == "scheduled"


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_resolve_ignores_an_off_site_next(supervisor_client, tokyo_poster, tokyo_supervisor, next_url):
    target = published_target(tokyo_poster, tokyo_supervisor)
    PostTarget.objects.filter(pk=target.pk).update(state="unconfirmed")
    response = supervisor_client.post(
        reverse("posts:target_resolve", args=[target.pk]), {"decision": "again", "next": next_url}
    )
    assert response["Location"] == reverse("posts:detail", args=[target.post_id])


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_withdraw_ignores_an_off_site_next(supervisor_client, tokyo_poster, tokyo_supervisor, next_url):
    target = published_target(tokyo_poster, tokyo_supervisor)
    response = supervisor_client.post(
        reverse("posts:target_withdraw", args=[target.pk]), {"reason": "誤記", "next": next_url, "confirm": "1"}
    )
    assert response["Location"] == reverse("posts:detail", args=[target.post_id])
    assert PostTarget.objects.get(pk=target.pk).state == "withdrawn"


def test_a_next_on_this_site_is_followed(supervisor_client, tokyo_poster, tokyo_supervisor):
    target = published_target(tokyo_poster, tokyo_supervisor)
    PostTarget.objects.filter(pk=target.pk).update(state="failed")
    response = supervisor_client.post(reverse("posts:target_retry", args=[target.pk]), {"next": "/posts/?mine=on"})
    assert response["Location"] == "/posts/?mine=on"


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_admin_login_ignores_an_off_site_next(client, next_url):
    response = client.get(reverse("admin_login"), {"next": next_url})
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert "javascript" not in response["Location"]
