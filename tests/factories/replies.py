"""What the public writes, the decisions on it, the word lists and the listening records.

ReplyFactory writes a reply row as listening leaves it, its sorting given by
the test (nothing to review by default); sorted_reply() runs the real sorting
on the text first, as listening does. ReplyDecisionFactory writes one row of
the append-only log directly, at a time the test may choose; the console
writes them only through replies.services.reply_decision_record().
"""

import factory
from django.utils import timezone

from replies.categories import ProhibitedAct
from replies.models import ListeningDay, ListeningState, QueueVisit, Reply, ReplyDecision, WordList
from tests.factories.accounts import UserFactory, social_account


class ReplyFactory(factory.django.DjangoModelFactory[Reply]):
    """A resident's reply on X to the account `handle` (IMMI_TOKYO), just written; nothing found in it."""

    class Meta:
        model = Reply

    class Params:
        handle = "IMMI_TOKYO"

    account = factory.LazyAttribute(lambda r: social_account(r.handle))
    external_id = factory.Sequence(lambda n: str(n + 1))
    author_id = "2000001"
    author_handle = "resident"
    author_name = "住民"
    text = "ありがとうございます"
    created_at = factory.LazyFunction(timezone.now)
    url = "https://x.com/resident/status/1"


def sorted_reply(*, text: str = "ありがとうございます", **fields) -> Reply:
    """A reply whose findings, category, risk and need of review are what replies.sorting makes of its text."""
    from replies.sorting import sort_reply

    result = sort_reply(
        text=text,
        author_handle=fields.get("author_handle", "resident"),
        author_name=fields.get("author_name", ""),
    )
    sorting = {
        "findings": result.findings,
        "category": result.category,
        "risk": result.risk,
        "needs_review": result.needs_review,
    }
    return ReplyFactory.create(text=text, **{**sorting, **fields})


class ReplyDecisionFactory(factory.django.DjangoModelFactory[ReplyDecision]):
    """One row of a reply's append-only log, by the system unless an actor is given; created, never updated."""

    class Meta:
        model = ReplyDecision

    reply = factory.SubFactory(ReplyFactory)
    actor = None
    action = ReplyDecision.Action.FLAG


class WordListFactory(factory.django.DjangoModelFactory[WordList]):
    class Meta:
        model = WordList

    name = factory.Sequence(lambda n: f"語句{n}")
    category = ProhibitedAct.DEFAMATION
    action = WordList.Action.FLAG
    words = "バカ\n"


class ListeningStateFactory(factory.django.DjangoModelFactory[ListeningState]):
    """Where polling stands for one account (IMMI_TOKYO by default): nothing read yet."""

    class Meta:
        model = ListeningState

    account = factory.LazyFunction(lambda: social_account("IMMI_TOKYO"))


class ListeningDayFactory(factory.django.DjangoModelFactory[ListeningDay]):
    class Meta:
        model = ListeningDay

    account = factory.LazyFunction(lambda: social_account("IMMI_TOKYO"))
    day = factory.LazyFunction(timezone.localdate)
    reads = 0


class QueueVisitFactory(factory.django.DjangoModelFactory[QueueVisit]):
    class Meta:
        model = QueueVisit

    user = factory.SubFactory(UserFactory)
