"""A person and a worker acting on the same post at the same moment (PostgreSQL row locks).

Runs on whichever database the suite uses; the races only bite on PostgreSQL,
where SELECT … FOR UPDATE really locks rows.
"""

import datetime as dt
import threading

import time_machine
from django.db import connection, transaction

from posts import publishing, services
from posts.models import Post, PostTarget
from tests.conftest import COMMITTED_DB
from tests.factories import make_person, post_via_services
from tests.posts.conftest import JST

pytestmark = COMMITTED_DB

DUE = dt.datetime(2026, 12, 2, 10, 0, tzinfo=JST)


def approved_post(author):
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        post = post_via_services(author, ("IMMI_TOKYO", "IMMI_NARITA"), when=DUE, submit=True)
        return services.post_approve(post=post, by=make_person("sup", "agency", "supervisor"))


def test_a_claim_while_the_post_is_cancelled_never_both_happen(tokyo_poster):
    post = approved_post(tokyo_poster)
    target = post.targets.first()
    claimed, go = threading.Event(), threading.Event()
    results = {}

    def worker():
        try:
            with transaction.atomic():  # held open: the claim's row locks stay taken
                outcomes, _claims = publishing._claim_round([target.pk], DUE + dt.timedelta(seconds=1))
                results["claim"] = outcomes[target.pk]
                claimed.set()
                go.wait(5)  # hold the claim's locks while the person acts
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert claimed.wait(10)
    outcome = {}

    def person():
        try:
            services.post_cancel(post=post, by=tokyo_poster)
            outcome["cancel"] = "cancelled"
        except services.PostError:
            outcome["cancel"] = "refused"
        finally:
            connection.close()

    cancel = threading.Thread(target=person)
    cancel.start()
    cancel.join(1)  # on PostgreSQL it waits for the claim's row lock
    go.set()
    thread.join(10)
    cancel.join(10)
    assert results["claim"] == "claimed"
    assert outcome["cancel"] == "refused"
    assert PostTarget.objects.get(pk=target.pk).state == "publishing"
    assert Post.objects.get(pk=post.pk).state == "approved"
