"""Accounts wired to the fake platforms, and published posts for replies to answer."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import SocialAccount
from posts.models import Post, PostTarget
from tests.factories import PostFactory, PostTargetFactory, make_person
from tests.fakes.platforms import FakeGraph, FakeX, fake_platforms

FB_PAGE = "ImmigrationServicesAgency.MOJ"


@pytest.fixture
def fakes(settings, db):
    """IMMI_TOKYO on the fake X and the agency's Page on the fake Graph; every other account stays sandbox."""
    x, graph = FakeX(), FakeGraph()
    settings.X_API_KEY, settings.X_API_SECRET = x.api_key, x.api_secret
    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    tokyo.publisher, tokyo.platform_id = "platform", x.user_id
    tokyo.set_credentials({"access_token": x.access_token, "access_token_secret": x.access_token_secret})
    tokyo.save()
    page = SocialAccount.objects.get(handle=FB_PAGE)
    page.publisher, page.platform_id = "platform", graph.page_id
    page.set_credentials({"page_access_token": graph.access_token})
    page.save()
    with fake_platforms(x=x, graph=graph):
        yield x, graph


def published(account: SocialAccount, external_id: str, *, age: dt.timedelta = dt.timedelta(hours=1), author=None):
    """A PostTarget published on ``account`` as ``external_id`` (the engine's record, written directly)."""
    when = timezone.now() - age
    return PostTargetFactory.create(
        post=PostFactory.create(
            author=author or make_person(f"author-{external_id}"),
            body="お知らせ",
            scheduled_at=when,
            state=Post.State.APPROVED,
        ),
        account=account,
        state=PostTarget.State.PUBLISHED,
        external_id=external_id,
        published_at=when,
        external_url=f"https://x.com/i/web/status/{external_id}",
    )
