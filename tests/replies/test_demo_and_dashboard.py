"""The demo stream on the sandbox, and the dashboard's count of what waits."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from replies.categories import ProhibitedAct
from replies.demo import seed_replies
from replies.models import Reply, ReplyDecision
from replies.templatetags import replies_tags
from tests.factories import ListeningStateFactory, ReplyDecisionFactory, ReplyFactory

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


def test_the_dashboards_counts_are_per_account_and_only_the_systems_hides(client, tokyo_poster, tokyo_supervisor):
    hide = ReplyDecision.Action.HIDE
    for handle, waiting in (("IMMI_TOKYO", 3), ("IMMI_NARITA", 1), ("IMMI_OSAKA", 2)):
        for _n in range(waiting):
            ReplyFactory.create(handle=handle, needs_review=True)
        ReplyDecisionFactory.create(reply=ReplyFactory.create(handle=handle), action=hide)  # by the system
    ReplyFactory.create(handle="IMMI_TOKYO", needs_review=False)  # decided: not waiting
    ReplyDecisionFactory.create(reply=ReplyFactory.create(handle="IMMI_TOKYO"), action=hide, actor=tokyo_supervisor)
    client.force_login(tokyo_poster)
    home = client.get(reverse("home"))
    summary = {a.handle: (a.waiting, a.auto_hidden) for a in home.context["summary"]}
    assert summary == {"IMMI_TOKYO": (3, 1), "IMMI_NARITA": (1, 1)}  # Osaka is not theirs
    assert "+</td>" not in home.content.decode()


def test_many_automatic_hides_since_the_last_look_are_counted_as_at_least(client, tokyo_poster, monkeypatch):
    monkeypatch.setattr(replies_tags, "AUTO_HIDES_READ", 3)
    for handle in ("IMMI_TOKYO", "IMMI_OSAKA", "IMMI_TOKYO", "IMMI_TOKYO"):
        ReplyDecisionFactory.create(reply=ReplyFactory.create(handle=handle), action=ReplyDecision.Action.HIDE)
    client.force_login(tokyo_poster)
    home = client.get(reverse("home"))
    # The newest three hides (two of them Tokyo's) were read: there may be more.
    assert [(a.handle, a.auto_hidden, a.auto_hidden_more) for a in home.context["summary"]] == [("IMMI_TOKYO", 2, True)]
    assert "<td>2+</td>" in home.content.decode()


def test_a_stop_at_the_daily_budget_shows_on_the_dashboard_and_the_queue_in_the_readers_language(client, tokyo_poster):
    from django.utils import timezone

    from accounts.models import SocialAccount

    tokyo = SocialAccount.objects.get(handle="IMMI_TOKYO")
    state = ListeningStateFactory.build(account=tokyo, day=timezone.localdate(), reads_today=2000)
    state.note_budget_reached(budget=2000, cost_per_item=0.005)
    state.save()
    ListeningStateFactory.create(account=SocialAccount.objects.get(handle="IMMI_OSAKA"), note=state.note)  # not theirs
    client.force_login(tokyo_poster)
    english = "Daily read budget reached (2000 items, about 10.00 USD): polling resumes tomorrow."
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    queue = client.get(reverse("moderation:queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert [(a.handle, a.listening_note) for a in home.context["summary"]] == [("IMMI_TOKYO", english)]
    assert english in home.content.decode()
    assert queue.context["notes"] == [(tokyo, english)]
    assert english in queue.content.decode()
    # The same stored note, read by someone whose language is Japanese (the catalogue has this sentence).
    japanese = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja").context["summary"][0].listening_note
    assert "2000" in japanese and "10.00" in japanese and japanese != english


def test_the_admin_shows_the_settings_and_the_note_in_the_readers_language(client, administrator, settings):
    from django.utils import timezone

    from tests.conftest import sign_in_with_second_factor

    settings.LISTENING_POLL_SECONDS, settings.LISTENING_X_DAILY_READ_BUDGET = 90, 1500
    settings.LISTENING_X_COST_PER_ITEM = 0.005
    state = ListeningStateFactory.build(day=timezone.localdate(), reads_today=1500)
    state.note_budget_reached(budget=1500, cost_per_item=0.005)
    state.save()
    sign_in_with_second_factor(client, administrator)
    for url in (
        reverse("admin:replies_listeningstate_changelist"),
        reverse("admin:replies_listeningstate_change", args=[state.pk]),
    ):
        content = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Poll every 90 s; X daily read budget 1500 items per account, about 0.005 USD per item." in content
        assert "Daily read budget reached (1500 items, about 7.50 USD): polling resumes tomorrow." in content
        assert "7.50" in content  # the estimated cost today
