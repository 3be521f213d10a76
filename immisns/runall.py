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


def _demo_platforms():
    """The demo's X and Facebook: the fake platforms on loopback, so the demo administrator can connect
    a sandbox account end to end (Connect on @MOJ_IMMI, or on any Facebook Page seed_demo gave an id).
    Only with DEBUG on and no real app keys."""
    if os.environ.get("DEBUG", "true").lower() in ("0", "false", "no", "off") or os.environ.get("X_API_KEY"):
        return None
    try:
        from tests.fakes.loopback import demo_fakes, serve
    except ImportError:  # an image without the tests: no demo platforms
        return None
    x, graph = demo_fakes()
    server = serve({"x": x, "facebook": graph})
    os.environ.update(
        PLATFORM_API_ORIGIN=server.origin,
        X_API_KEY=x.api_key,
        X_API_SECRET=x.api_secret,
        FACEBOOK_APP_ID=graph.login.app_id,
        FACEBOOK_APP_SECRET=graph.login.app_secret,
    )
    print(f"immisns: demo X and Facebook sign-in served by the fake platforms at {server.origin}", flush=True)
    return server


def main() -> int:
    demo_platforms = _demo_platforms()  # before the children start: they read its address from the environment
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
        if demo_platforms is not None:
            demo_platforms.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
