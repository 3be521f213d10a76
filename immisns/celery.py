"""The Celery application: `celery -A immisns worker` and `celery -A immisns beat`."""

import logging
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "immisns.settings")

app = Celery("immisns")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)


@signals.worker_init.connect
def check_database_connections(sender=None, **kwargs) -> None:
    """Refuse to start a worker whose deployment could run PostgreSQL out of connection slots."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    django.setup()
    from immisns.capacity import check_database

    concurrency = getattr(sender, "concurrency", None)
    pool = getattr(sender, "pool_cls", "")
    prefork = "prefork" in (pool if isinstance(pool, str) else getattr(pool, "__module__", "")).lower()
    try:
        shape = check_database(concurrency=concurrency if isinstance(concurrency, int) else None, prefork=prefork)
    except ImproperlyConfigured as exc:
        log.critical("%s", exc)
        raise SystemExit(f"immisns worker not started: {exc}") from None
    log.info("Database connections at worst: %s", shape.describe())


@app.task(name="immisns.ping")
def ping(token: str) -> dict:
    """Answer with the token and this worker's process id: proves a round trip."""
    return {"token": token, "pid": os.getpid()}


def enqueue_on_commit(task, *args, eta=None) -> None:
    """Send `task(*args)` once the transaction in progress commits; never from outside one.

    The change that asks for the task must be in the database before a worker
    looks for it, and a rolled-back change must send nothing. A broker that
    cannot be reached does not turn a committed change into an error: it is
    logged, and work the database knows about (due posts) is found again by
    the sweep.
    """
    from django.db import connection, transaction

    if not connection.in_atomic_block:
        raise RuntimeError(f"{task.name} must be enqueued from inside a transaction")

    def send() -> None:
        try:
            task.apply_async(args=args, eta=eta)
        except Exception:
            log.exception("Could not enqueue %s%r; the broker did not answer", task.name, args)

    transaction.on_commit(send)
