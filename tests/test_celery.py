"""A real worker process and beat, on the embedded broker and on Redis (no eager mode)."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CELERY = [sys.executable, "-m", "celery", "-A", "immisns"]


def service_env(tmp_path: Path, broker: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CELERY_RESULT_BACKEND", None)
    env.update({"IMMISNS_VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": broker})
    return env


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.stdout.read() if process.stdout else ""


def round_trip(env: dict[str, str]) -> None:
    worker = subprocess.Popen(
        [
            *CELERY,
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        token = uuid.uuid4().hex
        client = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django, json, sys; django.setup(); from immisns.celery import ping; "
                f"print(json.dumps(ping.delay('{token}').get(timeout=60)))",
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "immisns.settings"},
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert client.returncode == 0, client.stderr
        assert f'"token": "{token}"' in client.stdout
        worker_pid = int(client.stdout.rsplit('"pid": ', 1)[1].split("}")[0])
        assert worker_pid not in (os.getpid(), worker.pid)  # a pool process of the real worker
    finally:
        log = stop(worker)
    assert "immisns.ping" in log and "succeeded" in log


@pytest.mark.worker
def test_round_trip_on_the_embedded_broker(tmp_path):
    env = service_env(tmp_path, "filesystem://")
    round_trip(env)
    assert (tmp_path / "celery-broker").is_dir()


@pytest.mark.worker
@pytest.mark.redis
def test_round_trip_on_redis(tmp_path, redis_url):
    round_trip(service_env(tmp_path, redis_url))


def beat_starts(env: dict[str, str], tmp_path: Path) -> None:
    beat = subprocess.Popen(
        [*CELERY, "beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Wait for the line rather than a fixed time: start-up is slow on a loaded machine.
    seen: list[str] = []
    output = beat.stdout
    assert output is not None  # stdout=PIPE
    reader = threading.Thread(target=lambda: seen.extend(iter(output.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and beat.poll() is None and not any("beat: Starting" in line for line in seen):
        time.sleep(0.2)
    alive = beat.poll() is None
    stop(beat)
    reader.join(timeout=10)
    log = "".join(seen)
    assert alive, log
    assert "beat: Starting" in log


@pytest.mark.worker
def test_beat_starts_on_the_embedded_broker(tmp_path):
    beat_starts(service_env(tmp_path, "filesystem://"), tmp_path)


@pytest.mark.worker
@pytest.mark.redis
def test_beat_starts_on_redis(tmp_path, redis_url):
    beat_starts(service_env(tmp_path, redis_url), tmp_path)


def test_publishing_has_a_queue_of_its_own_that_workers_read_first():
    """A backlog of e-mails (or polls) on the broker is not handed out ahead of a due post's task."""
    from immisns.celery import app

    def queue(task_name: str) -> str:
        return app.amqp.router.route({}, task_name)["queue"].name

    assert [queue(name) for name in ("posts.publish_targets", "posts.reconcile_target", "posts.sweep")] == [
        "publishing"
    ] * 3
    assert queue("posts.notify_post_decided") == queue("moderation.poll_account") == "celery"
    assert list(app.amqp.queues) == ["publishing", "celery"]  # a worker with no -Q reads both, this one first


def test_the_embedded_broker_looks_for_tasks_ten_times_a_second(tmp_path):
    """kombu's filesystem transport waits its polling interval whenever the folder is empty or every thread
    is taken; at its default of 1 s a worker started at most one round of tasks a second."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from immisns.celery import app; "
            "print(app.connection_for_read().transport.polling_interval)",
        ],
        cwd=ROOT,
        env={**service_env(tmp_path, "filesystem://"), "DJANGO_SETTINGS_MODULE": "immisns.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout.strip()) <= 0.1
