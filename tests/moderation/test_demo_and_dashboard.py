"""The demo stream on the sandbox, and the dashboard's count of what waits."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from moderation.categories import ProhibitedAct
from moderation.demo import seed_replies
from moderation.models import Reply

pytestmark = pytest.mark.django_db


def test_the_demo_stream_shows_every_kind_once(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo_replies", stdout=open("/dev/null", "w"))
    assert seed_replies() == 0  # again: nothing doubled
    replies = {r.author_handle or r.author_name: r for r in Reply.objects.all()}
    assert len(replies) == 8
    card = replies["helper_a"]
    assert (card.state, card.category, card.needs_review) == ("hidden", ProhibitedAct.PERSONAL_DATA, True)
    assert card.decisions.get(action="hide").actor is None
    assert replies["IMMI_T0KYO"].category == ProhibitedAct.IMPERSONATION
    assert replies["visa_fast"].category == ProhibitedAct.ADVERTISING
    assert replies["匿名"].state == "hidden"
    assert not replies["yamada_t"].needs_review


def test_the_demo_refuses_outside_the_demo(settings):
    from django.core.management.base import CommandError
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo_replies")


def test_the_dashboard_counts_waiting_replies_and_automatic_hides_since_the_last_look(client, tokyo_poster):
    seed_replies()
    client.force_login(tokyo_poster)
    summary = {a.handle: (a.waiting, a.auto_hidden) for a in client.get(reverse("home")).context["summary"]}
    assert summary == {"IMMI_TOKYO": (2, 1)}  # the card (hidden by the system) and the impostor; Osaka not theirs
    client.get(reverse("moderation:queue"))
    summary = {a.handle: (a.waiting, a.auto_hidden) for a in client.get(reverse("home")).context["summary"]}
    assert summary == {"IMMI_TOKYO": (2, 0)}
