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
from posts.publishing import send as send_module
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


def test_sends_reaching_their_request_together_each_commit_sent_at_first_and_a_taken_over_one_sends_nothing():
    # One post's sends reach their requests at once; their sent_at marks are written together, and a
    # target a reconciliation took over meanwhile (its claim changed) must not be sent by this worker.
    with time_machine.travel(DUE - dt.timedelta(days=1), tick=False):
        handles = ("IMMI_TOKYO", "IMMI_NARITA", "IMMI_OSAKA", "IMMI_NAGOYA")
        author = make_person("agency-poster", "agency", "supervisor")  # drafts for every account
        post = post_via_services(author, handles, when=DUE, submit=True)
        post = services.post_approve(post=post, by=make_person("sup", "agency", "supervisor"))
    ids = sorted(post.targets.values_list("pk", flat=True))
    _outcomes, claims = publishing._claim_round(ids, DUE + dt.timedelta(seconds=1))
    taken = claims[0]
    PostTarget.objects.filter(pk=taken.target_id).update(claimed_at=DUE + dt.timedelta(minutes=10))
    start, marked = threading.Barrier(len(claims)), {}

    def send(claim):
        try:
            start.wait(5)
            marked[claim.target_id] = send_module._sent_marks.mark(claim)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert marked == {claim.target_id: claim is not taken for claim in claims}
    sent = dict(PostTarget.objects.filter(pk__in=ids).values_list("pk", "sent_at"))
    assert sent[taken.target_id] is None
    assert all(sent[claim.target_id] is not None for claim in claims[1:])
