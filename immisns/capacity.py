"""How many database connections the deployment can open at worst, against what PostgreSQL allows.

Django keeps one connection per thread that uses the database. At worst:

* each worker process: its Celery threads (--concurrency) and its shared send
  pool (PUBLISHING_SEND_THREADS), each with one connection (with the prefork
  pool, which docker-compose does not use, every child has its own send pool);
* each gunicorn web worker (sync): one;
* beat: one (it only sends the sweep task, but counts as a client);

plus the slots PostgreSQL keeps for superusers (superuser_reserved_connections),
which the application must not count on. A worker checks this when it starts
(immisns.celery) and refuses to start a shape that could run out of slots,
naming the settings to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Shape:
    workers: int
    concurrency: int
    send_threads: int
    web_workers: int
    beat: int = 1
    prefork: bool = False

    @property
    def per_worker(self) -> int:
        if self.prefork:
            return self.concurrency * (1 + self.send_threads)
        return self.concurrency + self.send_threads

    @property
    def worst_case(self) -> int:
        return self.workers * self.per_worker + self.web_workers + self.beat

    def describe(self) -> str:
        if self.prefork:
            per_worker = f"--concurrency {self.concurrency} × (1 + PUBLISHING_SEND_THREADS={self.send_threads})"
        else:
            per_worker = f"--concurrency {self.concurrency} + PUBLISHING_SEND_THREADS={self.send_threads}"
        return (
            f"DEPLOY_WORKERS={self.workers} × ({per_worker}) + DEPLOY_WEB_WORKERS={self.web_workers} "
            f"+ beat {self.beat} = {self.worst_case}"
        )


def deployment_shape(*, concurrency: int | None = None, prefork: bool = False) -> Shape:
    """The configured shape; `concurrency` (and the pool) as this worker runs, when known."""
    return Shape(
        workers=settings.DEPLOY_WORKERS,
        concurrency=concurrency if concurrency is not None else settings.CELERY_WORKER_CONCURRENCY,
        send_threads=settings.PUBLISHING_SEND_THREADS,
        web_workers=settings.DEPLOY_WEB_WORKERS,
        prefork=prefork,
    )


def server_limit(connection) -> int | None:
    """Connections PostgreSQL gives ordinary clients (max_connections − superuser slots); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
        )
        return cursor.fetchone()[0]


def check(shape: Shape, limit: int | None) -> None:
    """Raise ImproperlyConfigured when the shape could open more connections than the server allows."""
    if limit is None or shape.worst_case <= limit:
        return
    raise ImproperlyConfigured(
        f"The deployment could open {shape.worst_case} database connections but PostgreSQL allows "
        f"{limit} (max_connections minus superuser_reserved_connections): {shape.describe()}. "
        "Lower the worker's --concurrency (CELERY_WORKER_CONCURRENCY), PUBLISHING_SEND_THREADS, "
        "DEPLOY_WORKERS or DEPLOY_WEB_WORKERS, or raise PostgreSQL's max_connections."
    )


def check_database(*, concurrency: int | None = None, prefork: bool = False) -> Shape:
    """Check the configured shape against the database server; the connection used is closed after."""
    from django.db import connection

    shape = deployment_shape(concurrency=concurrency, prefork=prefork)
    try:
        limit = server_limit(connection)
    finally:
        connection.close()
    check(shape, limit)
    return shape
