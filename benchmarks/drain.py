"""Drain benchmark: `make bench-drain` (also run by `make bench`, after benchmarks/publish.py).

The production worker shape — 2 worker processes (--pool=threads, the
configured CELERY_WORKER_CONCURRENCY and PUBLISHING_SEND_THREADS) and beat —
against a throw-away database (a fresh one on the PostgreSQL server
DATABASE_URL names; SQLite otherwise, which is not the production shape) and
the broker CELERY_BROKER_URL (the filesystem broker otherwise). The fake
platforms answer as X and the Graph API do after 50 ms, from an HTTP server in
this process on 127.0.0.1 (tests/fakes/loopback.py): the workers' adapters are
pointed at it with PLATFORM_API_ORIGIN, so every call is a real request on a
real socket.

Measured in one run:

a. idle cost: CPU seconds the two workers and beat use in 60 s with nothing
   due (beat still sends the sweep every few seconds);
b. drain rate: DRAIN_TARGETS (10,000) targets on the 21 accounts, all already
   due, committed at once while the workers run: targets divided by the time
   from that commit to the platform's last answer (the sweep's tick included);
c. duplicates: create requests minus distinct targets (must be 0), and targets
   not published at the end (must be 0);
d. the most database connections open at once (sampled every second), against
   the bound immisns.capacity computes for the two workers.

`--profile` runs each worker with every thread under cProfile and prints where
their CPU time went (benchmarks/profiled.py); the profilers' own cost inflates
the CPU per target, so the rate of such a run is not the engine's.

Optional environment: DATABASE_URL, CELERY_BROKER_URL, DRAIN_TARGETS (10000),
DRAIN_IDLE_SECONDS (60), CELERY_WORKER_CONCURRENCY, PUBLISHING_SEND_THREADS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.publish import Database, machine  # noqa: E402 — after the path is set

CALL_SECONDS = 0.05
WORKERS = 2
TARGETS = int(os.environ.get("DRAIN_TARGETS", "10000"))
IDLE_SECONDS = float(os.environ.get("DRAIN_IDLE_SECONDS", "60"))
RATE_TARGET = 200.0
REASON = "ベンチマーク（時間外の投稿を含む）"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description="The publishing engine's drain through 2 workers.")
    parser.add_argument("--profile", action="store_true", help="run the workers under cProfile and print the top")
    profile = parser.parse_args().profile
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="immisns-drain-"))
    var_dir = folder / "var"
    var_dir.mkdir()
    database = Database(os.environ.get("DATABASE_URL", ""), var_dir)
    database.create()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "immisns.settings",
            "IMMISNS_VAR_DIR": str(var_dir),
            "DATABASE_URL": database.url,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    try:
        return run(folder, var_dir, database, started, profile=profile)
    finally:
        from django.db import connections

        connections.close_all()
        database.drop()
        shutil.rmtree(folder, ignore_errors=True)


def backlog(poster, approver, accounts, count: int, per_post: int = 5) -> list[int]:
    """`count` targets, all due, as approval leaves them: written in one transaction, committed at once."""
    from django.db import transaction
    from django.utils import timezone

    from posts.models import Post, PostTarget

    now = timezone.now()
    due = now - dt.timedelta(seconds=1)
    posts_count = -(-count // per_post)
    with transaction.atomic():
        posts = Post.objects.bulk_create(
            [
                Post(
                    author=poster,
                    body=f"在留手続のお知らせ（排出試験第{n + 1}報）です。",
                    state=Post.State.APPROVED,
                    scheduled_at=due,
                    outside_hours_reason=REASON,
                    approved_by=approver,
                    approved_at=now,
                )
                for n in range(posts_count)
            ]
        )
        targets: list[PostTarget] = []
        for n, post in enumerate(posts):
            for k in range(per_post):
                if len(targets) == count:
                    break
                account = accounts[(n * per_post + k) % len(accounts)]
                targets.append(
                    PostTarget(
                        post=post,
                        account=account,
                        body_override=f"{post.body}［{account.handle}］",
                        state=PostTarget.State.SCHEDULED,
                        due_at=due,
                    )
                )
        PostTarget.objects.bulk_create(targets, batch_size=2000)
    return list(PostTarget.objects.filter(post__in=posts).values_list("id", flat=True))


def run(folder: Path, var_dir: Path, database: Database, started: float, *, profile: bool = False) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Membership
    from immisns import capacity
    from posts.models import PostTarget
    from tests.conftest import make_person
    from tests.fakes import FakeGraph, FakeX
    from tests.fakes.loopback import serve
    from tests.posts.worker_harness import Harness, configure_accounts_for_fakes, created_text, database_url

    call_command("migrate", verbosity=0)
    broker = settings.CELERY_BROKER_URL
    poster = make_person("drain-poster", "agency", Membership.Role.SUPERVISOR)
    approver = make_person("drain-approver", "agency", Membership.Role.SUPERVISOR)
    accounts = sorted(configure_accounts_for_fakes(), key=lambda a: (a.platform, a.sort_order, a.handle))
    shape = capacity.deployment_shape()
    bound = WORKERS * shape.per_worker

    harness = Harness(
        directory=folder, database_url=database_url(connection.settings_dict), broker_url=broker, var_dir=str(var_dir)
    )
    harness.purge()
    fakes = {
        "x": FakeX(latency=CALL_SECONDS, log_path=harness.log_path, log_received=True),
        "facebook": FakeGraph(latency=CALL_SECONDS, log_path=harness.log_path, log_received=True),
    }
    server = serve(fakes)
    postgres = connection.vendor == "postgresql"

    def open_connections() -> int:
        if not postgres:
            return 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0] - 1  # not this process's own

    workers = [
        harness.start_worker(
            f"drain-worker{n + 1}",
            concurrency=shape.concurrency,
            wait=False,
            platform_origin=server.origin,
            profile=str(folder / f"drain-worker{n + 1}.prof") if profile else "",
        )
        for n in range(WORKERS)
    ]
    beat = harness.start_beat("drain-beat", wait=False)
    try:
        for service in [*workers, beat]:
            harness.wait_ready(service)
        connection.close()
        time.sleep(3)  # start-up settles
        pids = [s.process.pid for s in [*workers, beat]]
        before = [cpu_seconds(pid) for pid in pids]
        time.sleep(IDLE_SECONDS)
        idle = [cpu_seconds(pid) - b for pid, b in zip(pids, before, strict=True)]
        for fake in fakes.values():
            fake.calls.clear()  # the log file keeps every call; memory need not

        load_before = load_average()
        busy_before = [cpu_seconds(pid) for pid in pids]
        fake_before = cpu_seconds(os.getpid())
        ids = backlog(poster, approver, accounts, TARGETS)
        committed = time.time()
        peak = 0
        deadline = time.monotonic() + max(120.0, TARGETS / 20)
        left = len(ids)
        while time.monotonic() < deadline:
            time.sleep(1.0)
            peak = max(peak, open_connections())
            left = PostTarget.objects.filter(pk__in=ids, state__in=("scheduled", "publishing")).count()
            if not left:
                break
        load_after = load_average()
        busy = [cpu_seconds(pid) - b for pid, b in zip(pids, busy_before, strict=True)]
        fake_cpu = cpu_seconds(os.getpid()) - fake_before
        connection.close()
        time.sleep(2.0)  # a late duplicate would show up now
    finally:
        if profile:
            for worker in workers:  # a profiled worker's warm shutdown is slow; its statistics are written then
                harness.stop(worker, timeout=120)
        harness.stop_all()
        server.close()

    states: dict[str, int] = {}
    for state in PostTarget.objects.filter(pk__in=ids).values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    texts = set(PostTarget.objects.filter(pk__in=ids).values_list("published_text", flat=True))
    received = harness.create_calls(event="received")
    answered = harness.create_calls(event="answered")
    sent = [created_text(call) for call in received]
    duplicates = len(sent) - len(set(sent))
    unmatched = len(set(sent) - texts)
    first = min((c["started_at"] for c in received), default=committed)
    last = max((c["started_at"] + c["duration"] for c in answered), default=committed)
    published = states.get("published", 0)
    elapsed = last - committed
    rate = published / elapsed if elapsed > 0 and not left else 0.0
    unpublished = len(ids) - published

    now = dt.datetime.now().astimezone()
    lines = [
        f"immisns drain benchmark — {now:%Y-%m-%d %H:%M %Z} — {machine()}",
        f"database {'PostgreSQL' if postgres else 'SQLite (not the production shape)'}, broker {urlsplit(broker).scheme}, "
        f"{WORKERS} worker processes --pool=threads --concurrency={shape.concurrency}, send pool "
        f"{shape.send_threads} threads each, sweep {settings.PUBLISHING_SWEEP_SECONDS} s "
        f"(batches of {settings.PUBLISHING_SWEEP_BATCH}), fake platform on loopback answering in {CALL_SECONDS * 1000:.0f} ms",
        f"load average before the drain {load_before}, after {load_after}",
        "",
        f"{'measure':<62} {'value':>10} {'target':>10}  result",
    ]
    rows = [
        (
            f"drain rate: {len(ids):,} due targets, commit → last answer",
            f"{rate:.0f}/s",
            f"≥ {RATE_TARGET:.0f}/s",
            rate >= RATE_TARGET,
        ),
        ("duplicate platform calls (creates − distinct texts)", f"{duplicates}", "0", duplicates == 0),
        ("targets not published at the end", f"{unpublished}", "0", unpublished == 0),
        (
            f"most database connections open at once (bound {bound})",
            f"{peak}" if postgres else "n/a",
            f"≤ {bound}",
            (peak <= bound) if postgres else None,
        ),
        (
            f"idle CPU, CPU s in {IDLE_SECONDS:.0f} s: worker 1 / worker 2 / beat",
            " / ".join(f"{c:.2f}" for c in idle),
            "",
            None,
        ),
        (
            "CPU per target during the drain, both workers",
            f"{sum(busy[:WORKERS]) / max(len(ids), 1) * 1000:.1f} ms",
            "",
            None,
        ),
        (
            "CPU per target, the fake platforms' (this) process",
            f"{fake_cpu / max(len(ids), 1) * 1000:.1f} ms",
            "",
            None,
        ),
    ]
    for label, value, target, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        lines.append(f"{label:<62} {value:>10} {target:>10}  {verdict}")
    lines.append("")
    lines.append(
        f"first create {first - committed:.1f} s after the commit, last answer {elapsed:.1f} s; "
        f"states {states}" + (f"; {unmatched} create calls matched no target" if unmatched else "")
    )
    lines.append(f"total run time {time.monotonic() - started:.0f} s")
    print("\n".join(lines))
    if profile:
        print_profile([folder / f"drain-worker{n + 1}.prof" for n in range(WORKERS)], len(ids))
    failed = any(ok is False for *_, ok in rows)
    if failed:
        print(f"--- worker output (tail) ---\n{workers[0].output()[-3000:]}", file=sys.stderr)
        print("FAIL: a benchmark target was missed", file=sys.stderr)
    return 1 if failed else 0


def print_profile(paths: list[Path], targets: int) -> None:
    """Both workers' profiles merged: the functions that took the most time of their own, then cumulative."""
    import pstats

    found = [str(p) for p in paths if p.exists()]
    if not found:
        print("no profile was written (a worker did not exit cleanly)", file=sys.stderr)
        return
    stats = pstats.Stats(*found, stream=sys.stdout)
    print(f"--- profile of both workers ({targets:,} targets; CPU time of every thread) ---")
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(80)


if __name__ == "__main__":
    sys.exit(main())
