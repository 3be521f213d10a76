"""Real Celery worker and beat processes for tests, on the test database and a shared broker.

A worker runs as ``python -m tests.fakes.platforms celery -A immisns worker
--pool=threads ...``: the fake X and Graph APIs are installed in its process
from IMMISNS_FAKE_PLATFORMS, and every request they receive is appended as a
JSON line to one log file that all processes of a test share. Platform calls
are counted from that file, never from a process's memory (a killed worker's
memory is gone). The fakes are configured with ``log_received`` so that a
call shows up in the log the moment it arrives, before its latency, and with
``shared_posts``, so that the processes share one platform: a post created
through one worker (even one killed since) is found by another's look-up.

Each process runs in its own session (process group), so that ``kill()``
takes down everything it started, as ``kill -9 -PGID`` would. Output goes to
a file beside the log; ``Harness.output()`` shows it when a test fails.

Used by tests/posts/test_publishing_worker.py and benchmarks/publish.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]

# The fakes' default credentials (tests.fakes.platforms.FakeX / FakeGraph).
FAKE_X = {
    "user_id": "1500000000000000001",
    "api_key": "fake-x-api-key",
    "api_secret": "fake-x-api-secret",
    "access_token": "1500000000000000001-fake-x-access-token",
    "access_token_secret": "fake-x-access-token-secret",
}
FAKE_GRAPH = {"page_id": "104000000000001", "access_token": "EAAfakePageAccessToken"}

# Log endpoints that create a post on a platform.
CREATE_ENDPOINTS = {("x", "create"), ("facebook", "feed")}


def database_url(settings_dict: dict[str, Any]) -> str:
    """DATABASE_URL for another process to reach the same database (the test database, in a test)."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{name}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = settings_dict.get("PASSWORD") or ""
        credentials = f"{user}:{quote(password, safe='')}" if password else user
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}@{host}:{port}/{quote(name, safe='')}"
    raise ValueError(f"no DATABASE_URL for {engine}")


def configure_accounts_for_fakes(handles: Iterable[str] | None = None) -> list:
    """Point the accounts (all when handles is None) at the fakes, as an administrator would."""
    from accounts.models import SocialAccount

    accounts = (
        SocialAccount.objects.all() if handles is None else SocialAccount.objects.filter(handle__in=list(handles))
    )
    configured = []
    for account in accounts:
        account.publisher = SocialAccount.Publisher.PLATFORM
        if account.platform == SocialAccount.Platform.X:
            account.platform_id = FAKE_X["user_id"]
            account.set_credentials(
                {"access_token": FAKE_X["access_token"], "access_token_secret": FAKE_X["access_token_secret"]}
            )
        else:
            account.platform_id = FAKE_GRAPH["page_id"]
            account.set_credentials({"page_access_token": FAKE_GRAPH["access_token"]})
        account.save()
        configured.append(account)
    return configured


def wait_for(
    condition: Callable[[], Any],
    *,
    timeout: float,
    what: str,
    interval: float = 0.1,
    explain: Callable[[], str] | None = None,
) -> Any:
    """Poll until condition() is truthy and return its value; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = f"\n{explain()}" if explain else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


@dataclass
class Service:
    """One worker or beat process."""

    name: str
    process: subprocess.Popen
    output_path: Path
    ready_text: str

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        try:
            return self.output_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


@dataclass
class Harness:
    """Starts workers and beat against the given broker; the caller stops them with stop_all()."""

    directory: Path
    database_url: str
    broker_url: str
    var_dir: str
    fakes: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)

    @property
    def log_path(self) -> Path:
        return self.directory / "platform-calls.jsonl"

    # -- processes ----------------------------------------------------------------------------

    def environment(self, *, fakes: dict[str, Any] | None = None, **extra: str) -> dict[str, str]:
        config = json.loads(json.dumps(fakes if fakes is not None else self.fakes))
        for key in ("x", "facebook"):
            config.setdefault(key, {}).setdefault("log_received", True)
            # Every process talks to one platform: a post one worker created, another worker finds.
            config[key].setdefault("shared_posts", True)
        environ = dict(os.environ)
        environ.pop("CELERY_RESULT_BACKEND", None)
        environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "immisns.settings",
                "DATABASE_URL": self.database_url,
                "IMMISNS_VAR_DIR": self.var_dir,
                "CELERY_BROKER_URL": self.broker_url,
                "IMMISNS_FAKE_PLATFORMS": json.dumps(config),
                "IMMISNS_FAKE_PLATFORM_LOG": str(self.log_path),
                "X_API_KEY": FAKE_X["api_key"],
                "X_API_SECRET": FAKE_X["api_secret"],
                "PYTHONUNBUFFERED": "1",
            }
        )
        environ.update(self.env)
        environ.update(extra)
        return environ

    def _start(self, name: str, args: list[str], environ: dict[str, str], ready_text: str) -> Service:
        output_path = self.directory / f"{name}.log"
        with open(output_path, "ab") as output:
            process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes all of it
            )
        service = Service(name, process, output_path, ready_text)
        self.services.append(service)
        return service

    def start_worker(
        self,
        name: str = "w1",
        *,
        concurrency: int = 8,
        fakes: dict[str, Any] | None = None,
        wait: bool = True,
        timeout: float = 60,
        platform_origin: str = "",
        profile: str = "",
        **extra: str,
    ) -> Service:
        """A worker with the fakes in its process, or, given `platform_origin`, talking HTTP to the
        fakes served there (tests/fakes/loopback.py); given `profile` too, every thread under cProfile,
        the statistics written to that file at exit (benchmarks/profiled.py)."""
        runner = ["-m", "celery"] if platform_origin else ["-m", "tests.fakes.platforms", "celery"]
        if profile and platform_origin:
            runner = ["-m", "benchmarks.profiled", profile, "celery"]
        args = [
            sys.executable,
            *runner,
            "-A",
            "immisns",
            "worker",
            "--pool=threads",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-n",
            f"{name}@%h",
        ]
        environ = self.environment(fakes=fakes, **extra)
        if platform_origin:
            environ.pop("IMMISNS_FAKE_PLATFORMS")
            environ["PLATFORM_API_ORIGIN"] = platform_origin
        service = self._start(name, args, environ, " ready.")
        if wait:
            self.wait_ready(service, timeout=timeout)
        return service

    def start_beat(self, name: str = "beat", *, wait: bool = True, timeout: float = 60, **extra: str) -> Service:
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "immisns",
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.directory / (name + '-schedule')}",
        ]
        service = self._start(name, args, self.environment(fakes=None, **extra), "beat: Starting")
        if wait:
            self.wait_ready(service, timeout=timeout)
        return service

    def wait_ready(self, service: Service, *, timeout: float = 60) -> None:
        def ready() -> bool:
            if not service.alive:
                raise AssertionError(f"{service.name} exited with {service.process.returncode}:\n{service.output()}")
            return service.ready_text in service.output()

        wait_for(ready, timeout=timeout, what=f"{service.name} to start", interval=0.1, explain=service.output)

    def stop(self, service: Service, *, timeout: float = 15) -> None:
        """SIGTERM (warm shutdown), then SIGKILL to the whole group if it does not end in time."""
        if service.alive:
            self._signal_group(service, signal.SIGTERM)
            try:
                service.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill(service)

    def kill(self, service: Service) -> None:
        """SIGKILL the service's whole process group, as `kill -9 -PGID` would; wait for it."""
        self._signal_group(service, signal.SIGKILL)
        try:
            service.process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process that survives SIGKILL
            pass

    @staticmethod
    def _signal_group(service: Service, sig: int) -> None:
        try:
            os.killpg(service.process.pid, sig)  # start_new_session: its pid is its group id
        except (ProcessLookupError, PermissionError):
            pass

    def stop_all(self) -> None:
        for service in reversed(self.services):
            self.stop(service)

    def output(self) -> str:
        """Every process's output, for a failure message."""
        return "\n".join(
            f"----- {s.name} (pid {s.process.pid}, exit {s.process.returncode}) -----\n{s.output()[-6000:]}"
            for s in self.services
        )

    # -- the broker ---------------------------------------------------------------------------------

    def purge(self, broker_url: str | None = None) -> int:
        """Empty the task queue on the broker (the harness's own by default)."""
        from immisns.celery import app

        with app.connection_for_write(broker_url or self.broker_url) as connection:
            return app.control.purge(connection=connection) or 0

    # -- the platforms' log --------------------------------------------------------------------------

    def log(self) -> list[dict[str, Any]]:
        try:
            text = self.log_path.read_text()
        except FileNotFoundError:
            return []
        # A line being written when a process was killed may be cut short; it is not a call record.
        entries = []
        for line in text.splitlines():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return entries

    def calls(
        self, *, event: str = "received", endpoint: str | None = None, platform: str | None = None
    ) -> list[dict[str, Any]]:
        """Requests the fakes received (event="received") or answered (event="answered")."""
        return [
            e
            for e in self.log()
            if e.get("event", "answered") == event
            and (endpoint is None or e["endpoint"] == endpoint)
            and (platform is None or e["platform"] == platform)
        ]

    def create_calls(self, *, event: str = "received") -> list[dict[str, Any]]:
        """Requests that create a post: POST /2/tweets on X, POST /{page}/feed on Facebook."""
        return [e for e in self.calls(event=event) if (e["platform"], e["endpoint"]) in CREATE_ENDPOINTS]


def created_text(entry: dict[str, Any]) -> str:
    """The text a create call sent: X's JSON "text", or Graph's form field "message"."""
    from urllib.parse import parse_qs

    body = entry["body"]
    if entry["platform"] == "x":
        return json.loads(body)["text"]
    if isinstance(body, dict):  # multipart
        return body["multipart"].get("message", "")
    fields = parse_qs(body, keep_blank_values=True)
    if "message" not in fields:
        fields = parse_qs(entry["url"].partition("?")[2], keep_blank_values=True)
    return fields.get("message", [""])[-1]
