"""The publishing guarantees with real Celery worker processes (no eager mode).

Each test commits its data (the workers see only committed rows), starts
`python -m tests.fakes.platforms celery -A immisns worker --pool=threads`
processes on the test database and the test's broker, and counts platform
calls from the fakes' shared log file, never from a process's memory. Posts
carry an outside-hours reason, so office hours never defer them whatever the
real clock says. See worker_harness.py for the machinery.
"""

import datetime as dt
import json
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accounts import access
from accounts.models import Membership, SocialAccount
from posts import footer, notifications, services
from posts.models import Notification, PostEvent, PostTarget
from posts.tasks import publish_targets
from tests.factories import make_person, post_via_services
from tests.posts.worker_harness import ROOT, Harness, configure_accounts_for_fakes, created_text, database_url, wait_for

try:  # the shared marker for tests whose data is committed (tests/conftest.py)
    from tests.conftest import COMMITTED_DB
except ImportError:  # pragma: no cover - the same thing, spelled out
    COMMITTED_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)

pytestmark = [pytest.mark.worker, COMMITTED_DB]

REASON = "災害情報のため時間外に投稿"  # an outside-hours reason: office hours never defer these posts
PUBLISHED_OR_UNCONFIRMED = {"published", "unconfirmed"}


@pytest.fixture
def harness(tmp_path, transactional_db):
    """Worker processes on the test database and the test process's own broker; stopped in teardown."""
    harness = Harness(
        directory=tmp_path,
        database_url=database_url(connection.settings_dict),
        broker_url=django_settings.CELERY_BROKER_URL,
        var_dir=str(django_settings.VAR_DIR),
    )
    harness.purge()  # messages left by earlier tests (e.g. the in-process sweep test) would be run too
    try:
        yield harness
    finally:
        harness.stop_all()
        print(harness.output())  # shown by pytest when the test failed


@pytest.fixture
def people(transactional_db):
    poster = make_person("tokyo-poster", "tokyo", Membership.Role.POSTER)
    approver = make_person("agency-supervisor", "agency", Membership.Role.SUPERVISOR)
    return poster, approver


def approve(poster, approver, handles, *, body, due_in: float):
    """A post due `due_in` seconds from now, submitted and approved through the services."""
    when = timezone.now() + dt.timedelta(seconds=due_in)
    post = post_via_services(poster, handles, body=body, when=when, reason=REASON, submit=True)
    return services.post_approve(post=post, by=approver)


def state_of(target_id) -> str:
    return PostTarget.objects.values_list("state", flat=True).get(pk=target_id)


def states(target_ids) -> dict[int, str]:
    return dict(PostTarget.objects.filter(pk__in=target_ids).values_list("id", "state"))


def explain(harness, target_ids):
    def text():
        rows = list(
            PostTarget.objects.filter(pk__in=target_ids).values(
                "id", "state", "due_at", "enqueued_at", "attempts", "last_error"
            )
        )
        return f"targets: {rows}\nplatform log: {harness.log()}\n{harness.output()}"

    return text


def sleep_until(moment: dt.datetime) -> None:
    delay = (moment - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)


# --- a. A due post goes out ------------------------------------------------------------------------


def test_a_due_approved_post_is_published_by_the_worker(harness, people):
    poster, approver = people
    configure_accounts_for_fakes(["IMMI_TOKYO"])
    harness.start_worker("w1")

    # Approval enqueues on commit: due within the sweep's look-ahead, a task timed to the second.
    post = approve(poster, approver, ["IMMI_TOKYO"], body="在留カードの更新手続のお知らせです。", due_in=2)
    target = post.targets.get()
    wait_for(
        lambda: state_of(target.pk) == "published",
        timeout=30,
        what="the target to be published",
        explain=explain(harness, [target.pk]),
    )

    target.refresh_from_db()
    expected = footer.compose(post.body, target.account)
    assert target.published_text == expected
    in_force = footer.footer_for(target.account)
    assert in_force is not None
    assert target.published_text.endswith(footer.footer_text(in_force))
    assert target.footer == footer.footer_for(target.account)
    assert target.external_id and target.external_url.endswith(target.external_id)
    assert list(PostEvent.objects.filter(target=target).values_list("action", flat=True)) == ["claim", "publish"]

    (call,) = harness.create_calls(event="answered")
    assert (call["method"], call["url"]) == ("POST", "https://api.twitter.com/2/tweets")
    assert call["status"] == 201
    assert json.loads(call["body"]) == {"text": target.published_text}
    assert len(harness.create_calls(event="received")) == 1
    assert call["started_at"] >= target.due_at.timestamp()  # never before its time


def test_a_due_post_goes_out_ahead_of_the_e_mails_waiting_on_the_broker(harness, people):
    """Publishing's tasks have a queue of their own: a backlog of other tasks does not go first.

    On one queue the broker hands tasks out in the order they were sent, so a
    post due now waited for every e-mail sent before its task (in the publishing
    benchmark on SQLite, approvals' e-mails held due posts back for seconds).
    """
    poster, approver = people
    configure_accounts_for_fakes(["IMMI_TOKYO"])
    post = post_via_services(
        poster,
        ["IMMI_TOKYO"],
        body="在留期間更新の受付時間のお知らせです。",
        when=timezone.now() + dt.timedelta(seconds=3),
        reason=REASON,
        submit=True,
    )
    backlog = 100
    for _ in range(backlog):  # sent before the post's task, as the e-mails of many approvals would be
        notifications.post_submitted.delay(post.pk)
    post = services.post_approve(post=post, by=approver)  # its task goes on the broker on commit
    target = post.targets.get()
    assert target.enqueued_at is not None, "approval sends the task of a post due within the look-ahead"
    assert target.due_at is not None
    sleep_until(target.due_at + dt.timedelta(milliseconds=100))  # due when the worker starts

    # One thread: the worker takes one task at a time, in the order the broker hands them out.
    harness.start_worker("w1", concurrency=1, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    wait_for(
        lambda: state_of(target.pk) == "published",
        timeout=90,
        what="the target to be published",
        explain=explain(harness, [target.pk]),
    )
    target.refresh_from_db()
    per_task = access.supervisors_for([target.account]).exclude(pk=poster.pk).count()
    assert per_task >= 1
    before_claim = Notification.objects.filter(
        kind=Notification.Kind.SUBMITTED, post=post, created_at__lte=target.claimed_at
    ).count()
    # At most a few e-mail tasks ran before the claim, not the backlog of a hundred.
    assert before_claim <= 3 * per_task, f"{before_claim // per_task} of {backlog + 1} e-mail tasks ran first"


# --- b. Two deliveries, two workers -----------------------------------------------------------------


def test_a_target_enqueued_twice_with_two_workers_is_sent_once(harness, people, settings):
    poster, approver = people
    configure_accounts_for_fakes(["IMMI_TOKYO"])
    # A slow platform keeps each task running (and unacknowledged) for a while, so the
    # prefetch limit (8 per worker) makes the second worker take the second deliveries.
    slow = {"x": {"latency": 1.5}}
    w1 = harness.start_worker("w1", fakes=slow, wait=False)
    w2 = harness.start_worker("w2", fakes=slow, wait=False)
    harness.wait_ready(w1)
    harness.wait_ready(w2)

    # Approval enqueues nothing here (and no beat runs): the only deliveries are the two below.
    # With sweeps every second, approval sends a task only for posts due within 2 s.
    settings.PUBLISHING_SWEEP_SECONDS = 1
    posts = [approve(poster, approver, ["IMMI_TOKYO"], body=f"お知らせ第{n}号です。", due_in=5) for n in range(1, 9)]
    targets = [p.targets.get() for p in posts]
    ids = [t.pk for t in targets]
    assert not PostTarget.objects.filter(pk__in=ids, enqueued_at__isnull=False).exists()
    sleep_until(max(t.due_at for t in targets) + dt.timedelta(milliseconds=100))

    for _ in range(2):  # every target twice; neither worker may hold more than 8 (prefetch), so both get some
        for target_id in ids:
            publish_targets.delay([target_id])

    wait_for(
        lambda: set(states(ids).values()) == {"published"},
        timeout=40,
        what="every target to be published",
        explain=explain(harness, ids),
    )

    # Both deliveries of every target have run: one published, the other found it taken.
    def outcomes():
        lines = [
            line
            for w in (w1, w2)
            for line in w.output().splitlines()
            if "posts.publish_targets[" in line and "succeeded" in line
        ]
        return lines if len(lines) == 16 else None

    lines = wait_for(outcomes, timeout=20, what="all 16 deliveries to run", explain=harness.output)
    assert sum("'published'" in line for line in lines) == 8
    assert sum("'not-scheduled'" in line or "'taken'" in line for line in lines) == 8
    for worker in (w1, w2):
        assert any(line in worker.output() for line in lines), f"{worker.name} ran no delivery"

    creates = harness.create_calls(event="received")
    assert len(creates) == 8, creates
    published = dict(PostTarget.objects.filter(pk__in=ids).values_list("published_text", "id"))
    assert sorted(created_text(c) for c in creates) == sorted(published)
    assert len(harness.create_calls(event="answered")) == 8
    assert PostEvent.objects.filter(target_id__in=ids, action="claim").count() == 8


# --- c. A worker killed during the platform call ------------------------------------------------------


def test_a_worker_killed_during_the_call_is_reconciled_never_resent(harness, people):
    poster, approver = people
    configure_accounts_for_fakes(["IMMI_TOKYO"])
    w1 = harness.start_worker("w1", fakes={"x": {"latency": 4}})
    post = approve(poster, approver, ["IMMI_TOKYO"], body="入国審査の混雑状況をお知らせします。", due_in=2)
    target = post.targets.get()

    wait_for(
        lambda: harness.create_calls(event="received"),
        timeout=30,
        what="the platform to receive the create call",
        explain=explain(harness, [target.pk]),
    )
    harness.kill(w1)  # kill -9 the worker's whole process group, mid-request
    assert not w1.alive
    assert harness.create_calls(event="answered") == []  # the platform never answered it
    target.refresh_from_db()
    assert (target.state, target.attempts) == ("publishing", 1)

    # A new worker and the sweep: the target is stale after 2 s and reconciled against the platform.
    timing = {
        "PUBLISHING_STALE_SECONDS": "2",
        "PUBLISHING_SEND_DEADLINE_SECONDS": "1",
        "PUBLISHING_SWEEP_SECONDS": "1",
        "PUBLISHING_REQUEUE_SECONDS": "3",
    }
    w2 = harness.start_worker("w2", wait=False, **timing)
    beat = harness.start_beat(wait=False, **timing)
    harness.wait_ready(w2)
    harness.wait_ready(beat)
    final = wait_for(
        lambda: state_of(target.pk) in PUBLISHED_OR_UNCONFIRMED and state_of(target.pk),
        timeout=40,
        what="reconciliation",
        explain=explain(harness, [target.pk]),
    )

    # The worker died before the platform committed the post, so the timeline is empty: unconfirmed, for a person.
    assert final in PUBLISHED_OR_UNCONFIRMED
    assert harness.calls(endpoint="timeline"), "reconciliation looked at the account's recent posts"
    assert len(harness.create_calls(event="received")) == 1
    if final == "unconfirmed":
        assert PostEvent.objects.filter(target=target, action="unconfirmed").count() == 1
    # A few more sweeps change nothing: no second create call ever.
    sweeps = beat.output().count("(posts.sweep)")
    wait_for(
        lambda: beat.output().count("(posts.sweep)") >= sweeps + 3,
        timeout=15,
        what="three more sweeps",
        explain=beat.output,
    )
    time.sleep(0.5)
    assert len(harness.create_calls(event="received")) == 1
    assert state_of(target.pk) == final


# --- d. The broker loses every message ------------------------------------------------------------------


@pytest.mark.redis
def test_targets_still_go_out_once_after_redis_loses_every_message(
    tmp_path, transactional_db, people, settings, redis_url
):
    import redis

    poster, approver = people
    supervisor = make_person("agency-poster", "agency", Membership.Role.SUPERVISOR)
    configure_accounts_for_fakes(["IMMI_TOKYO", "IMMI_OSAKA", "ImmigrationServicesAgency.MOJ"])
    harness = Harness(
        directory=tmp_path,
        database_url=database_url(connection.settings_dict),
        broker_url=redis_url,
        var_dir=str(django_settings.VAR_DIR),
        env={"PUBLISHING_SWEEP_SECONDS": "1", "PUBLISHING_REQUEUE_SECONDS": "3"},
    )
    client = redis.Redis.from_url(redis_url)
    harness.purge()
    try:
        # Only subprocesses enqueue (on Redis): approval in this process sends nothing, as
        # with sweeps every second it sends a task only for posts due within 2 s.
        settings.PUBLISHING_SWEEP_SECONDS = 1
        posts = [
            approve(poster, approver, ["IMMI_TOKYO"], body="東京局からのお知らせです。", due_in=6),
            approve(supervisor, approver, ["IMMI_OSAKA"], body="大阪局からのお知らせです。", due_in=6),
            approve(
                supervisor,
                approver,
                ["ImmigrationServicesAgency.MOJ"],
                body="出入国在留管理庁からのお知らせです。",
                due_in=6,
            ),
        ]
        ids = [p.targets.get().pk for p in posts]
        assert not PostTarget.objects.filter(pk__in=ids, enqueued_at__isnull=False).exists()

        # One sweep while no worker runs (a sweep is a task, so it runs here in a process of its
        # own, as a worker would run it for beat): ETA tasks for the three targets go on Redis.
        sweep = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from posts.tasks import sweep; print(sweep())"],
            cwd=ROOT,
            env=harness.environment(PUBLISHING_SWEEP_SECONDS="5"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sweep.returncode == 0, sweep.stderr
        assert "'enqueued': 3" in sweep.stdout, sweep.stdout
        assert client.llen("publishing") == 3
        assert not PostTarget.objects.filter(pk__in=ids, enqueued_at__isnull=True).exists()

        # The broker's database loses everything: the queued tasks and kombu's bindings (both live in
        # it). FLUSHDB, never FLUSHALL: the other databases of this Redis are not the test's.
        client.flushdb()
        assert client.llen("publishing") == 0
        assert set(states(ids).values()) == {"scheduled"}

        worker = harness.start_worker("w1", wait=False)
        beat = harness.start_beat("beat2", wait=False)
        harness.wait_ready(worker)
        harness.wait_ready(beat)
        wait_for(
            lambda: set(states(ids).values()) == {"published"},
            timeout=40,
            what="every target to be published",
            explain=explain(harness, ids),
        )

        creates = harness.create_calls(event="received")
        texts = sorted(created_text(c) for c in creates)
        assert texts == sorted(PostTarget.objects.filter(pk__in=ids).values_list("published_text", flat=True))
        assert len(texts) == len(set(texts)) == 3  # each exactly once
        # The tasks were sent again by the sweep, from the database.
        assert any("posts.publish_targets[" in line and "received" in line for line in worker.output().splitlines())
    finally:
        harness.stop_all()
        print(harness.output())


# --- e. Workers killed at random points, two racing --------------------------------------------------------

# Four X accounts and a Facebook page; the fakes give every X account one timeline (of 100 posts,
# as many as a look-up reads) and every page one feed (of 25).
KILL_HANDLES = ["IMMI_TOKYO", "IMMI_NARITA", "IMMI_OSAKA", "IMMI_NAGOYA", "ImmigrationServicesAgency.MOJ"]
KILL_TIMING = {
    "PUBLISHING_STALE_SECONDS": "2",
    "PUBLISHING_SEND_DEADLINE_SECONDS": "1",
    "PUBLISHING_SWEEP_SECONDS": "1",
    "PUBLISHING_REQUEUE_SECONDS": "3",
    "PUBLISHING_MAX_ATTEMPTS": "50",
    "PUBLISHING_BACKOFF_SECONDS": "1",
}


def outcome_counts(harness, target_ids) -> dict:
    """Duplicates, lost and unconfirmed-but-never-sent targets, from the database and the platforms' log."""
    rows = {
        t["id"]: t
        for t in PostTarget.objects.filter(pk__in=target_ids).values("id", "state", "published_text", "sent_at")
    }
    by_text = {t["published_text"]: i for i, t in rows.items() if t["published_text"]}
    received: dict[int | None, int] = {}  # None: a text the console never sent
    for call in harness.create_calls(event="received"):
        target_id = by_text.get(created_text(call))
        received[target_id] = received.get(target_id, 0) + 1
    unconfirmed = [i for i, t in rows.items() if t["state"] == "unconfirmed"]
    return {
        "duplicates": sum(n - 1 for i, n in received.items() if i is not None and n > 1),
        "lost": [i for i, t in rows.items() if t["state"] not in PUBLISHED_OR_UNCONFIRMED],
        "unconfirmed": len(unconfirmed),
        # The engine's own record: claimed, and its post's request never marked as leaving.
        "unconfirmed_unmarked": [i for i in unconfirmed if rows[i]["sent_at"] is None],
        # The platform's: it never received the post's request.
        "unconfirmed_never_received": [i for i in unconfirmed if i not in received],
    }


def test_workers_killed_at_random_points_never_post_twice_lose_or_bother_a_person_needlessly(harness, people, settings):
    import random

    _poster, approver = people
    supervisor = make_person("agency-drafter", "agency", Membership.Role.SUPERVISOR)  # drafts for every account
    configure_accounts_for_fakes(KILL_HANDLES)
    fakes = {"x": {"latency": 0.25}, "facebook": {"latency": 0.25}}
    harness.env.update(KILL_TIMING)
    workers = {name: harness.start_worker(name, concurrency=4, fakes=fakes, wait=False) for name in ("w1", "w2")}
    beat = harness.start_beat(wait=False)
    for service in [*workers.values(), beat]:
        harness.wait_ready(service)

    settings.PUBLISHING_SWEEP_SECONDS = 1  # approval sends tasks only for posts due within 2 s; beat does the rest
    accounts = list(SocialAccount.objects.filter(handle__in=KILL_HANDLES))
    later = timezone.now() + dt.timedelta(minutes=10)
    post_ids = []
    for n in range(24):  # 24 posts × 5 accounts = 120 targets, due over 16 s
        body = f"お知らせ（第{n + 1}報）です。"
        post = services.post_create(
            author=supervisor,
            body=body,
            scheduled_at=later,
            accounts=accounts,
            overrides={a.pk: f"{body}［{a.handle}］" for a in accounts},
            outside_hours_reason=REASON,
        )
        services.post_approve(post=services.post_submit(post=post, by=supervisor), by=approver)
        post_ids.append(post.pk)
    ids = list(PostTarget.objects.filter(post_id__in=post_ids).values_list("id", flat=True))
    assert len(ids) == 120
    # However long approving took on this machine, the posts come due from 2 s on, one every 0.7 s.
    start = timezone.now() + dt.timedelta(seconds=2)
    for n, post_id in enumerate(post_ids):
        PostTarget.objects.filter(post_id=post_id).update(due_at=start + dt.timedelta(seconds=0.7 * n))

    rng = random.Random(int(time.time()))
    kills = 0
    sleep_until(start)
    until = time.monotonic() + 16  # the posts come due over 16 s
    while time.monotonic() < until:
        time.sleep(rng.uniform(0.6, 1.8))
        name = rng.choice(sorted(workers))
        harness.kill(workers[name])  # kill -9, wherever it is: claiming, sending, recording
        kills += 1
        workers[name] = harness.start_worker(name, concurrency=4, fakes=fakes, wait=False)
    for service in workers.values():
        harness.wait_ready(service)

    def settled():
        return not outcome_counts(harness, ids)["lost"]

    wait_for(
        settled,
        timeout=45,
        what="every target to be published or unconfirmed",
        interval=0.5,
        explain=explain(harness, ids),
    )
    time.sleep(2)  # a few more sweeps: any late second post would show now
    counts = outcome_counts(harness, ids)
    print(
        f"kills={kills} targets={len(ids)} duplicates={counts['duplicates']} lost={len(counts['lost'])} "
        f"unconfirmed={counts['unconfirmed']} unconfirmed_unmarked={len(counts['unconfirmed_unmarked'])} "
        f"unconfirmed_never_received={len(counts['unconfirmed_never_received'])}"
    )
    assert kills >= 8
    assert counts["duplicates"] == 0
    assert counts["lost"] == []
    assert counts["unconfirmed_unmarked"] == []
    # The platform's view can differ from the engine's only where a kill fell between the committed
    # mark and the request reaching the platform (milliseconds, more on a loaded machine): such a
    # target is rightly in doubt. Measured: 0 in most runs, up to 4 with 13 kills on PostgreSQL.
    never = counts["unconfirmed_never_received"]
    assert len(never) <= kills, (
        counts,
        list(PostEvent.objects.filter(target_id__in=never).values_list("target_id", "action", "data")),
    )
