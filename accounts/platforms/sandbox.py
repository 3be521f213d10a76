"""The sandbox adapter: records what would have gone out, sends nothing.

Used by the embedded demo and development. Each "post" is a SandboxDelivery
row, shown in the console at its own page, which is the post's public URL.
Nobody from the public writes to a sandbox account, so its listening reads
are empty and its moderation calls change nothing on any platform.
"""

import math
from collections.abc import Callable, Sequence
from datetime import date

from django.urls import reverse
from django.utils import timezone

from accounts.models import SandboxDelivery
from accounts.platforms.base import MediaItem, PublishResult, Rejected, ReplyBatch, comparable_text
from accounts.platforms.capabilities import Capabilities, capabilities_for
from accounts.platforms.reach import AccountReach, PostReach, ReachBatch

DEMO_GROWTH_FROM = date(2025, 1, 1)


class SandboxAdapter:
    def __init__(self, *, account) -> None:
        self.account = account

    def _result(self, delivery: SandboxDelivery) -> PublishResult:
        return PublishResult(external_id=f"sandbox-{delivery.pk}", url=reverse("sandbox_delivery", args=[delivery.pk]))

    def publish(
        self,
        text: str,
        media: Sequence[MediaItem] = (),
        *,
        deadline: float | None = None,
        sending: Callable[[], None] | None = None,
    ) -> PublishResult:
        if sending is not None:
            sending()
        delivery = SandboxDelivery.objects.create(
            account=self.account,
            text=text,
            media=[{"mime_type": item.mime_type, "alt_text": item.alt_text, "bytes": len(item.data)} for item in media],
        )
        return self._result(delivery)

    def delete(self, external_id: str) -> None:
        pk = external_id.removeprefix("sandbox-")
        if not SandboxDelivery.objects.filter(pk=pk, account=self.account, deleted_at__isnull=True).update(
            deleted_at=timezone.now()
        ):
            raise Rejected(f"No sandbox post {external_id} on {self.account.display_handle}.", code=404)

    def find_recent(self, text: str, *, deadline: float | None = None) -> PublishResult | None:
        wanted = comparable_text(text)
        for delivery in SandboxDelivery.objects.filter(account=self.account, deleted_at__isnull=True)[:100]:
            if comparable_text(delivery.text) == wanted:
                return self._result(delivery)
        return None

    @property
    def capabilities(self) -> Capabilities:
        # The sandbox stands in for its account's platform and offers no more than it does.
        return capabilities_for(self.account)

    # -- ListeningAdapter: no public, nothing to read, nothing sent --------------

    def mentions(self, *, after: str | None = None, limit: int = 500) -> ReplyBatch:
        return ReplyBatch((), after, 0)

    def replies_to(self, post_id: str, *, after: str | None = None, limit: int = 500) -> ReplyBatch:
        return ReplyBatch((), after, 0)

    def set_hidden(self, reply_id: str, hidden: bool) -> None:
        return None

    def delete_reply(self, reply_id: str) -> None:
        return None

    def ban(self, author_id: str) -> None:
        return None

    # -- ReachAdapter: plausible figures for the demo, the same for the same post and day ----

    def post_reach(self, external_ids: Sequence[str], *, skip_metrics: Sequence[str] = ()) -> ReachBatch:
        now = timezone.now()
        found: list[PostReach] = []
        pks = {str(i).removeprefix("sandbox-"): str(i) for i in external_ids}
        deliveries = SandboxDelivery.objects.filter(account=self.account, pk__in=[p for p in pks if p.isdigit()])
        for delivery in deliveries:
            days = max((now - delivery.created_at).total_seconds() / 86400, 0)
            figures = demo_post_figures(delivery.pk, days)
            found.append(PostReach(external_id=pks[str(delivery.pk)], figures=figures, metrics=tuple(figures)))
        return ReachBatch(tuple(found), len(found))

    def account_reach(self) -> AccountReach:
        return AccountReach(demo_followers(self.account.pk, timezone.now().date()), 1)


def demo_post_figures(delivery_pk: int, days: float) -> dict[str, int]:
    """What a sandbox post shows ``days`` after it went out: a curve that rises over the first days and settles."""
    settled = 400 + (delivery_pk * 7919) % 2600
    views = int(settled * (1 - math.exp(-days / 2)))
    return {
        "views": views,
        "liked": views * (2 + delivery_pk % 5) // 100,
        "reposts": views * (1 + delivery_pk % 3) // 200,
        "replies": views // 150,
    }


def demo_followers(account_pk: int, day: date) -> int:
    """A sandbox account's followers on ``day``: a few more every day (from a fixed day, so every run agrees)."""
    days = max((day - DEMO_GROWTH_FROM).days, 0)
    return 1200 + (account_pk * 389) % 4000 + days * (3 + account_pk % 4)
