"""Run a Celery worker with every thread under cProfile: `python -m benchmarks.profiled OUTPUT celery ARGS...`.

The drain benchmark's --profile starts its workers this way, to show where
a worker's CPU per target goes. cProfile follows one thread only, and a
worker's work runs on its pool's threads and the publishing send pool, so
each new thread gets a profiler of its own; at exit their statistics are
merged into OUTPUT (read it with `python -m pstats OUTPUT`). The clock is each
thread's CPU time, so waits for the platform or the database count for nothing.
"""

from __future__ import annotations

import atexit
import cProfile
import pstats
import sys
import threading
import time

_profiles: list[cProfile.Profile] = []
_lock = threading.Lock()


def _start_in_thread(*_args) -> None:
    # Called once, on a new thread's first event: from then on that thread has its own profiler.
    profile = cProfile.Profile(time.thread_time)  # CPU time, not the waits for the platform or the database
    with _lock:
        _profiles.append(profile)
    profile.enable()


def _save(path: str) -> None:
    with _lock:
        profiles = list(_profiles)
    stats = None
    for profile in profiles:
        profile.snapshot_stats()  # readable from this thread; the others' profilers stop with the process
        if stats is None:
            stats = pstats.Stats(profile)
        else:
            stats.add(profile)
    if stats is not None:
        stats.dump_stats(path)


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] != "celery":
        raise SystemExit("usage: python -m benchmarks.profiled OUTPUT celery ARGS...")
    output = argv[0]
    threading.setprofile(_start_in_thread)
    _start_in_thread()
    atexit.register(_save, output)
    from celery.__main__ import main as celery_main

    sys.argv = argv[1:]
    celery_main()


if __name__ == "__main__":
    main(sys.argv[1:])
