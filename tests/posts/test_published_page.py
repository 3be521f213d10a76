"""A published post's page: "published" wording, the text as published in full, links, no raw paths."""

import pytest
from django.urls import reverse

from tests.posts.test_publishing_views import published_target

pytestmark = pytest.mark.django_db


def test_a_published_post_reads_as_published(client, tokyo_poster, tokyo_supervisor):
    target = published_target(tokyo_poster, tokyo_supervisor)
    client.force_login(tokyo_poster)
    page = client.get(reverse("posts:detail", args=[target.post_id])).content.decode()
    assert "公開した内容" in page and "投稿される内容" not in page
    assert "予定日時" in page
    # The text as it went out, in full (no fold to open).
    assert 'data-testid="published-text"' in page and "<details><summary>" not in page
    assert target.published_text.splitlines()[0] in page
    # The link to the live post (the sandbox page under the demo) and no raw path in the history.
    assert f'href="{target.external_url}"' in page and "デモ" in page
    history = page.split('class="timeline"', 1)[1]
    assert f">{target.external_url}<" not in history and f"{target.external_url}<br" not in history
    assert history.count(f'href="{target.external_url}"') == 1


def test_a_post_not_yet_published_keeps_its_wording(poster_client, tokyo_poster):
    from tests.factories import make_post

    post = make_post(tokyo_poster)
    page = poster_client.get(reverse("posts:detail", args=[post.pk])).content.decode()
    assert "投稿される内容" in page and "公開した内容" not in page
