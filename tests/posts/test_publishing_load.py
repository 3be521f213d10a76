"""Publishing under its own load: the production worker shape against PostgreSQL, with a backlog.

Two real worker processes with the deployment's thread count (CELERY_WORKER_CONCURRENCY)
and send pool (PUBLISHING_SEND_THREADS), and beat, start after a few hundred
targets are already due. Every target must go out exactly once (counted in the
fake platforms' shared log), none may be left for a person, no worker may see a
connection error, and the database never has more connections open than the
configured bound (immisns.capacity). On SQLite these are skipped: the bound is
PostgreSQL's.
"""

import datetime as dt
import subprocess
import time

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from accounts.models import Membership
from immisns import capacity
from posts import services
from posts.models import PostTarget
from tests.factories import make_person
from tests.posts.worker_harness import Harness, configure_accounts_for_fakes, created_text, database_url, wait_for

try:  # the shared marker for tests whose data is committed (tests/conftest.py)
    from tests.conftest import COMMITTED_DB
except ImportError:  # pragma: no cover - the same thing, spelled out
    COMMITTED_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REASON = "負荷試験（時間外の投稿を含む）"
POSTS = 60
ACCOUNTS_PER_POST = 5  # 300 targets over the 21 accounts
needs_postgresql = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the connection bound is PostgreSQL's (CI runs this on PostgreSQL)",
)


@pytest.fixture
def harness(tmp_path, transactional_db):
    harness = Harness(
        directory=tmp_path,
        database_url=database_url(connection.settings_dict),
        broker_url=django_settings.CELERY_BROKER_URL,
        var_dir=str(django_settings.VAR_DIR),
        fakes={"x": {"latency": 0.05}, "facebook": {"latency": 0.05}},
    )
    harness.purge()
    try:
        yield harness
    finally:
        harness.stop_all()
        print(harness.output())  # shown by pytest when the test failed


def _connections_to_this_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.worker
@pytest.mark.scale
@needs_postgresql
@COMMITTED_DB
def test_a_backlog_drains_with_the_production_shape_within_the_connection_bound(harness):
    poster = make_person("load-poster", "agency", Membership.Role.SUPERVISOR)
    approver = make_person("load-approver", "agency", Membership.Role.SUPERVISOR)
    accounts = sorted(configure_accounts_for_fakes(), key=lambda a: (a.platform, a.sort_order, a.handle))
    assert len(accounts) == 21

    # Due beyond the sweep's look-ahead, so approval sends nothing: the sweep finds the whole backlog,
    # in batches of 100 (the batch size would otherwise need thousands of targets to matter).
    due = timezone.now() + dt.timedelta(seconds=2 * django_settings.PUBLISHING_SWEEP_SECONDS + 15)
    for n in range(POSTS):
        chosen = [accounts[(n * ACCOUNTS_PER_POST + k) % 21] for k in range(ACCOUNTS_PER_POST)]
        body = f"在留手続のお知らせ（負荷試験第{n + 1}報）です。"
        post = services.post_create(
            author=poster,
            body=body,
            scheduled_at=due,
            accounts=chosen,
            overrides={a.pk: f"{body}［{a.handle}］" for a in chosen},
            outside_hours_reason=REASON,
        )
        services.post_approve(post=services.post_submit(post=post, by=poster), by=approver)
    ids = list(PostTarget.objects.filter(post__author=poster).values_list("id", flat=True))
    assert len(ids) == POSTS * ACCOUNTS_PER_POST
    assert not PostTarget.objects.filter(pk__in=ids, enqueued_at__isnull=False).exists()
    while timezone.now() < due:  # a backlog: everything is due before any worker runs
        time.sleep(0.2)

    shape = capacity.deployment_shape()
    env = {"PUBLISHING_SWEEP_BATCH": "100"}
    workers = [harness.start_worker(f"w{n}", concurrency=shape.concurrency, wait=False, **env) for n in (1, 2)]
    beat = harness.start_beat(wait=False, **env)
    for service in [*workers, beat]:
        harness.wait_ready(service)

    peak = 0

    def drained():
        nonlocal peak
        peak = max(peak, _connections_to_this_database())
        return not PostTarget.objects.filter(pk__in=ids, state__in=("scheduled", "publishing")).exists()

    wait_for(drained, timeout=60, interval=0.25, what="the backlog to drain", explain=harness.output)
    time.sleep(1.0)  # a late duplicate would show up now

    states: dict[str, int] = {}
    for state in PostTarget.objects.filter(pk__in=ids).values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    assert states == {"published": len(ids)}, states

    texts = dict(PostTarget.objects.filter(pk__in=ids).values_list("published_text", "id"))
    assert len(texts) == len(ids)
    sent = [created_text(call) for call in harness.create_calls(event="received")]
    assert sorted(sent) == sorted(texts)  # every target exactly once, nothing else

    output = "\n".join(worker.output() for worker in workers).lower()
    for sign in ("too many clients", "operationalerror", "interfaceerror", "connection refused"):
        assert sign not in output, sign
    # This test's own connection is one of them (beat only sends the sweep task; it opens none).
    assert peak <= 2 * shape.per_worker + 1, (peak, shape.describe())


# --- the start-up check -----------------------------------------------------------------------------


def test_the_connection_check_counts_every_thread_and_names_the_settings():
    shape = capacity.Shape(workers=2, concurrency=21, send_threads=25, web_workers=3)
    assert shape.worst_case == 2 * (21 + 25) + 3 + 1
    with pytest.raises(ImproperlyConfigured) as refused:
        capacity.check(shape, 90)
    message = str(refused.value)
    assert "could open 96 database connections but PostgreSQL allows 90" in message
    for name in (
        "CELERY_WORKER_CONCURRENCY",
        "PUBLISHING_SEND_THREADS",
        "DEPLOY_WORKERS",
        "DEPLOY_WEB_WORKERS",
        "max_connections",
    ):
        assert name in message
    capacity.check(capacity.Shape(workers=2, concurrency=8, send_threads=16, web_workers=3), 97)  # fits: no error
    # With the prefork pool every child has its own send pool.
    assert (
        capacity.Shape(workers=1, concurrency=4, send_threads=16, web_workers=3, prefork=True).worst_case == 4 * 17 + 4
    )


def test_the_shipped_shape_fits_postgresql_defaults():
    """docker-compose's defaults against PostgreSQL's default 100 slots (3 kept for superusers)."""
    capacity.check(capacity.deployment_shape(), 100 - 3)


@pytest.mark.worker
@needs_postgresql
@COMMITTED_DB
def test_a_worker_refuses_to_start_a_shape_the_database_cannot_serve(harness):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int")
        slots = cursor.fetchone()[0]
    service = harness.start_worker("toomany", concurrency=8, wait=False, PUBLISHING_SEND_THREADS=str(slots))
    try:
        service.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker started anyway:\n{service.output()}")
    assert service.process.returncode != 0
    output = service.output()
    assert "immisns worker not started" in output
    assert f"PUBLISHING_SEND_THREADS={slots}" in output and "max_connections" in output
    assert " ready." not in output


def test_the_default_shape_sends_a_post_to_all_21_accounts_in_one_wave_and_fits_postgresql():
    shape = capacity.deployment_shape()
    assert shape.send_threads >= 21  # one post to every account: all its requests at once
    capacity.check(shape, 97)  # PostgreSQL's default 100 slots less the 3 kept for superusers
