"""Collecting reach: through the adapters against the fakes, idempotent, within the read budget."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import SocialAccount
from reports import collection, tasks
from reports.models import AccountFigures, PostFigures, ReachDay
from tests.reports.conftest import FB_PAGE, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokyo(fakes):
    return SocialAccount.objects.get(handle="IMMI_TOKYO")


@pytest.fixture
def page(fakes):
    return SocialAccount.objects.get(handle=FB_PAGE)


def test_x_figures_and_followers_are_stored_once_per_day(fakes, tokyo, settings):
    x, _ = fakes
    x.reach.followers = 9000
    ours = x.add_post("お知らせ")
    x.reach.set(ours.id, impression_count=500, like_count=9)
    target = published(tokyo, ours.id)
    old = x.add_post("古い")
    published(tokyo, old.id, age=dt.timedelta(days=settings.REACH_POST_DAYS + 1))  # outside the window

    assert collection.collect_account(tokyo.pk) == "ok"
    assert collection.collect_account(tokyo.pk) == "ok"  # the same day again: nothing read, nothing doubled

    (row,) = PostFigures.objects.all()
    assert (row.target_id, row.views, row.liked, row.viewers) == (target.pk, 500, 9, None)
    assert row.read_at is not None and "impression_count" in row.metrics
    assert AccountFigures.objects.get(account=tokyo).followers == 9000
    assert len(x.calls_to("reach:tweets")) == 1 and len(x.calls_to("reach:user")) == 1
    day = ReachDay.objects.get(account=tokyo)
    assert (day.post_reads, day.user_reads) == (1, 1)
    assert day.cost == Decimal(str(settings.REACH_X_POST_READ_COST)) + Decimal(str(settings.REACH_X_USER_READ_COST))


def test_the_next_day_adds_a_row_and_keeps_the_first(fakes, tokyo):
    x, _ = fakes
    ours = x.add_post("お知らせ")
    published(tokyo, ours.id)
    x.reach.set(ours.id, impression_count=100)
    collection.collect_account(tokyo.pk)
    x.reach.set(ours.id, impression_count=250)

    collection.collect_account(tokyo.pk, now=timezone.now() + dt.timedelta(days=1))

    assert list(PostFigures.objects.order_by("day").values_list("views", flat=True)) == [100, 250]


def test_x_stops_at_the_daily_read_budget_and_says_how_many_were_left(fakes, tokyo, settings):
    x, _ = fakes
    settings.REACH_X_DAILY_READ_BUDGET = 3
    for n in range(4):
        published(tokyo, x.add_post(f"お知らせ{n}").id, age=dt.timedelta(hours=n + 1))

    assert collection.collect_account(tokyo.pk) == "budget"

    day = ReachDay.objects.get(account=tokyo)
    assert (day.user_reads, day.post_reads, day.posts_skipped) == (1, 2, 2)
    assert PostFigures.objects.count() == 2
    assert "2" in day.note_text()
    collection.collect_account(tokyo.pk)
    assert PostFigures.objects.count() == 2 and len(x.calls_to("reach:tweets")) == 1  # nothing more today


def test_facebook_is_not_billed_and_a_removed_metric_is_not_a_failed_account(fakes, page):
    _, graph = fakes
    graph.reach.removed.add("post_total_media_view_unique")
    post = graph.add_post("お知らせ")
    graph.reach.set(post.id, reactions=4, comments=1, post_media_view=300)
    published(page, post.id)

    assert collection.collect_account(page.pk) == "ok"

    row = PostFigures.objects.get()
    assert (row.views, row.viewers, row.liked, row.replies, row.reposts) == (300, None, 4, 1, None)
    day = ReachDay.objects.get(account=page)
    assert day.metrics_gone == ["post_total_media_view_unique"] and day.cost == 0 and day.last_error == ""
    assert SocialAccount.objects.get(pk=page.pk).state == SocialAccount.State.ACTIVE


def test_a_killed_worker_leaves_what_it_read_and_the_next_run_reads_the_rest(fakes, tokyo, monkeypatch):
    x, _ = fakes
    monkeypatch.setattr(collection, "BATCH", 2)
    ids = [x.add_post(f"お知らせ{n}").id for n in range(4)]
    for n, post_id in enumerate(ids):
        published(tokyo, post_id, age=dt.timedelta(hours=n + 1))
    x.script("timeout", endpoint="reach:tweets", times=1)
    x.reach.set(ids[0], impression_count=1)
    # The second batch never comes back: the worker is as good as dead after the first.
    real = collection._read_batch
    calls = []

    def dies_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(collection, "_read_batch", dies_on_the_second)
    assert collection.collect_account(tokyo.pk) == "error"  # the scripted timeout: nothing stored
    assert PostFigures.objects.count() == 0
    calls.clear()
    with pytest.raises(SystemExit):
        collection.collect_account(tokyo.pk)
    assert PostFigures.objects.count() == 2
    # A kill leaves the lease behind; it runs out, and the next run reads only what is missing.
    ReachDay.objects.update(collecting_until=timezone.now() + dt.timedelta(minutes=5))
    monkeypatch.setattr(collection, "_read_batch", real)
    assert collection.collect_account(tokyo.pk) == "busy"
    ReachDay.objects.update(collecting_until=timezone.now() - dt.timedelta(seconds=1))
    before = len(x.calls_to("reach:tweets"))
    assert collection.collect_account(tokyo.pk) == "ok"
    assert PostFigures.objects.count() == 4
    assert len(x.calls_to("reach:tweets")) == before + 1


def test_revoked_credentials_mark_the_account(fakes, tokyo):
    x, _ = fakes
    published(tokyo, x.add_post("お知らせ").id)
    x.script("unauthorized", endpoint="reach:user")

    assert collection.collect_account(tokyo.pk) == "needs-reauth"
    assert SocialAccount.objects.get(pk=tokyo.pk).state == SocialAccount.State.NEEDS_REAUTH


def test_the_beat_task_queues_one_collection_per_account(fakes, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.collect_account, "apply_async", lambda args: queued.append(args[0]))
    assert tasks.collect_all() == len(queued) == SocialAccount.objects.exclude(state="needs_reauth").count()


def test_sandbox_accounts_give_plausible_figures(db):
    from tests.factories import SandboxDeliveryFactory

    account = SocialAccount.objects.exclude(handle="IMMI_TOKYO").filter(publisher="sandbox").earliest("pk")
    delivery = SandboxDeliveryFactory.create(account=account)
    type(delivery).objects.filter(pk=delivery.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    target = published(account, f"sandbox-{delivery.pk}")

    assert collection.collect_account(account.pk) == "ok"

    row = PostFigures.objects.get(target=target)
    assert row.views and row.views > 0 and row.liked is not None
    assert (AccountFigures.objects.get(account=account).followers or 0) > 0


def test_the_demo_fills_two_months_of_figures_once(settings, client):
    from django.core.management import call_command
    from django.urls import reverse

    from reports.selectors import Month

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo_reach", stdout=open("/dev/null", "w"))
    count = PostFigures.objects.count()
    call_command("seed_demo_reach", stdout=open("/dev/null", "w"))
    assert PostFigures.objects.count() == count > 0

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="auditor"))
    month = Month.of(timezone.localdate()).previous
    report = client.get(reverse("reports:monthly"), {"month": str(month)}).context["report"]
    assert report.total.published > 0 and report.total.views and report.total.followers
    assert report.top_posts
