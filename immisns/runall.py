"""Run web, worker and beat together for the one-command demo (`make run`).

Stops all three when any of them stops or on Ctrl-C, so nothing is left
running in the background.
"""

import os
import signal
import subprocess
import sys
import time

ADDR = os.environ.get("ADDR", "127.0.0.1:8000")
# Web, worker and beat read it too: links in notification e-mails point where the web listens.
os.environ["ADDR"] = ADDR


def main() -> int:
    python = sys.executable
    var = os.environ.get("IMMISNS_VAR_DIR", "var")
    commands = {
        "web": [python, "manage.py", "runserver", "--noreload", ADDR],
        # Publishing is I/O-bound: threads let one post reach every account at once.
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "immisns",
            "worker",
            "--loglevel=INFO",
            "--pool=threads",
            "--concurrency=21",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "immisns",
            "beat",
            "--loglevel=INFO",
            f"--schedule={var}/celerybeat-schedule",
        ],
    }
    processes = {name: subprocess.Popen(command) for name, command in commands.items()}
    print(f"immisns: web on http://{ADDR}/ with worker and beat; Ctrl-C stops all three.", flush=True)
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        stopped = [name for name, p in processes.items() if p.poll() is not None]
        print(f"immisns: {', '.join(stopped)} stopped; stopping the rest.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
