import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Membership, SocialAccount
from tests.conftest import add_totp
from tests.factories import make_history, make_person
from tests.fakes.platforms import FakeGraph, FakeX, fake_platforms

JST = ZoneInfo("Asia/Tokyo")
# A Tuesday morning; the default post time is the next day, 10:00, inside office hours.
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=JST)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=True):
        yield NOW


# Shared by the publishing tests (test_publishing*.py): the X and Graph fakes behind three accounts.
@pytest.fixture
def fakes(settings):
    x, graph = FakeX(), FakeGraph()
    settings.X_API_KEY, settings.X_API_SECRET = x.api_key, x.api_secret
    settings.PUBLISHING_BACKOFF_SECONDS = 30
    for handle in ("IMMI_TOKYO", "IMMI_NARITA"):
        account = SocialAccount.objects.get(handle=handle)
        account.publisher = "platform"
        account.platform_id = x.user_id
        account.set_credentials({"access_token": x.access_token, "access_token_secret": x.access_token_secret})
        account.save()
    page = SocialAccount.objects.get(handle="ImmigrationServicesAgency.MOJ")
    page.publisher = "platform"
    page.platform_id = graph.page_id
    page.set_credentials({"page_access_token": graph.access_token})
    page.save()
    with fake_platforms(x=x, graph=graph):
        yield x, graph


# The query-count world (test_query_counts.py), also used by the list filters' test (test_rough_edges.py):
# 5 posts on one account, and 200 posts with the pending and drafts going to all 21 accounts.
SIZES = {"small": (5, 1), "large": (200, 21)}


@pytest.fixture(params=list(SIZES))
def world(request, frozen_now, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # five people, not five seconds
    posts, account_count = SIZES[request.param]
    handles = list(SocialAccount.objects.order_by("platform", "sort_order").values_list("handle", flat=True))
    handles = ["IMMI_TOKYO"] if account_count == 1 else handles
    people = {
        "poster": make_person("q-tokyo-poster", "tokyo", Membership.Role.POSTER),
        "bureau_supervisor": make_person("q-tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR),
        "agency_supervisor": make_person("q-agency-supervisor", "agency", Membership.Role.SUPERVISOR),
        "viewer": make_person("q-viewer", "agency", Membership.Role.VIEWER),
    }
    for person in people.values():
        add_totp(person)
    writers = [people["poster"], make_person("q-other-poster", "tokyo", Membership.Role.POSTER)]
    make_history(posts=posts, handles=handles, authors=writers, now=frozen_now)
    return {"size": request.param, "handles": handles, "people": people}
