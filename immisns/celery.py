"""The Celery application: `celery -A immisns worker` and `celery -A immisns beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "immisns.settings")

app = Celery("immisns")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="immisns.ping")
def ping(token: str) -> dict:
    """Answer with the token and this worker's process id: proves a round trip."""
    return {"token": token, "pid": os.getpid()}
