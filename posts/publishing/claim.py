"""Claiming due targets with one conditional UPDATE (scheduled → publishing), in one short transaction.

Before the claim each target is asked again whether it may go out now
(approved, due, its account active, publishing not paused, the office open,
the checks as they are now); then the claim freezes the exact text and
footer of the attempt.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from accounts.models import SocialAccount
from accounts.platforms import MediaItem
from checks import checks
from immisns.celery import enqueue_on_commit
from immisns.row_values import by_id
from posts import footer, notifications, office_hours, readiness, selectors
from posts.models import Footer, Post, PostEvent, PostTarget
from posts.publishing.due import _early_tolerance, _send_batches, batches

TState = PostTarget.State
Action = PostEvent.Action


@dataclass(frozen=True)
class Claim:
    target_id: int
    post_id: int
    account: SocialAccount
    body: str
    text: str
    media: list[MediaItem]
    attempt: int
    claimed_at: dt.datetime
    # An earlier attempt may have gone out: look for `text` (frozen) before sending.
    in_doubt: bool = False


class _ClaimRound:
    """What the claims of one moment share: office hours, footers, checks, images.

    One post to 21 accounts is claimed in one transaction with a handful of
    queries, so the platform calls can start together (docs/architecture.md, publishing: one post to
    every account goes out in about the time of one call).
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.paused = selectors.publishing_paused()
        self._open: dict[int, bool] = {}
        self._footers: list[Footer] | None = None
        self._problems: dict[tuple[str, str, str], list[readiness.Problem]] = {}
        self._media: dict[int, list[MediaItem]] = {}
        self.early: list[tuple[int, dt.datetime]] = []

    def is_open(self, office) -> bool:
        if office.pk not in self._open:
            self._open[office.pk] = office_hours.is_open(office, self.now)
        return self._open[office.pk]

    def footer(self, account: SocialAccount) -> Footer | None:
        """As footer.footer_for(), from one query for the whole round."""
        if self._footers is None:
            self._footers = list(Footer.objects.all())
        return footer.footer_for(account, versions=self._footers)

    def problems(self, target: PostTarget, text: str) -> list[readiness.Problem]:
        """§5: the checks run again before publishing (the allow-list or the rules may have changed)."""
        key = (target.account.platform, target.body, text)
        if key not in self._problems:
            self._problems[key] = readiness.text_problems(account=target.account, body=target.body, final_text=text)
        return self._problems[key]

    def media(self, post: Post) -> list[MediaItem]:
        if post.pk not in self._media:
            items = []
            for image in post.images.all():
                with image.file.open("rb") as handle:
                    items.append(MediaItem(data=handle.read(), mime_type=image.mime_type, alt_text=image.alt_text))
            self._media[post.pk] = items
        return self._media[post.pk]

    def hold(self, target: PostTarget) -> str | None:
        """Why the target does not go out now (and what was done about it), or None when it does."""
        if target.state != TState.SCHEDULED:
            return "not-scheduled"
        if target.post.state != Post.State.APPROVED:
            return "not-approved"
        if target.due_at is None or target.due_at > self.now:
            if target.due_at is not None and target.due_at - self.now <= _early_tolerance():
                # Its task came a little early (this worker's clock is behind beat's): one task
                # timed to the due second by this worker's clock, and the sweep leaves it alone,
                # rather than the sweep sending it again on every tick until the clocks agree.
                PostTarget.objects.filter(pk=target.pk).update(enqueued_at=target.due_at)
                self.early.append((target.pk, target.due_at))
            else:
                PostTarget.objects.filter(pk=target.pk).update(enqueued_at=None)  # the sweep sends it in time
            return "not-due"
        if self.paused or target.account.state != SocialAccount.State.ACTIVE:
            # Waits where it is; this task is spent, so the sweep sends a new one after resume.
            PostTarget.objects.filter(pk=target.pk).update(enqueued_at=None)
            return "paused"
        office = target.account.office
        # §4: checked again at publish time, with the windows and closure days as they are now.
        if not target.post.outside_hours_reason and not self.is_open(office):
            try:
                opening = office_hours.next_open(office, self.now)
            except office_hours.NoOfficeHours as exc:
                return _fail_now(target, {"reason": "no_office_hours", "error": str(exc)})
            PostTarget.objects.filter(pk=target.pk).update(due_at=opening, enqueued_at=None)
            PostEvent.record(
                post_id=target.post_id,
                target=target,
                action=Action.DEFER,
                data={"reason": "outside_hours", "until": opening.isoformat()},
            )
            return "deferred"
        return None


def _claim_round(target_ids: list[int], now: dt.datetime) -> tuple[dict[int, str], list[Claim]]:
    """Decide which targets go out now and claim them, in one transaction.

    Only the target rows are locked (of=self): locking the joined post and
    account rows too would deadlock against a person cancelling or editing the
    post at that moment. The claim itself is a conditional UPDATE
    (state = scheduled), as the design requires.
    """
    round_ = _ClaimRound(now)
    outcomes: dict[int, str] = dict.fromkeys(target_ids, "not-scheduled")
    claims: list[Claim] = []
    # The allow-list and contacts as they are now, read once for the round's checks.
    with transaction.atomic(), checks.rules_pinned():
        targets = list(
            PostTarget.objects.select_for_update(of=("self",))
            .select_related("post", "account__office")
            .filter(pk__in=target_ids)
            .order_by("pk")
        )
        ready: dict[tuple[str, int | None], list[PostTarget]] = {}
        footers: dict[int, Footer | None] = {}
        for target in targets:
            held = round_.hold(target)
            if held:
                outcomes[target.pk] = held
                continue
            if target.in_doubt:
                # An attempt with this text may be on the platform: look up and resend exactly it,
                # whatever the footer is now (docs/architecture.md, publishing: the text of an attempt is frozen).
                footer_version, text = target.footer, target.published_text
            else:
                footer_version = round_.footer(target.account)
                text = footer.join(target.body, footer_version)
                problems = round_.problems(target, text)
                if problems:
                    outcomes[target.pk] = _fail_now(
                        target, {"reason": "checks", "problems": [p.as_data() for p in problems]}
                    )
                    continue
            footers[target.pk] = footer_version
            ready.setdefault((text, footer_version.pk if footer_version else None), []).append(target)
        events = []
        if ready:
            # One conditional UPDATE claims them all, each with its own text and footer.
            texts = {t.pk: text for (text, _footer_id), group in ready.items() for t in group}
            footer_ids = {t.pk: footer_id for (_text, footer_id), group in ready.items() for t in group}
            ids = list(texts)
            claimed = PostTarget.objects.filter(pk__in=ids, state=TState.SCHEDULED).update(
                state=TState.PUBLISHING,
                claimed_at=now,
                sent_at=None,
                attempts=F("attempts") + 1,
                published_text=by_id(PostTarget, "published_text", texts),
                footer_id=by_id(PostTarget, "footer_id", footer_ids),
                last_error="",
                problem={},
            )
            if claimed != len(ids):
                # The rows are locked by this transaction; anything else is a fault: send nothing.
                raise RuntimeError(f"Claimed {claimed} of targets {ids}; nothing was sent.")
        for (text, _footer_id), group in ready.items():
            for target in group:
                attempt = target.attempts + 1
                version = footers[target.pk]
                outcomes[target.pk] = "claimed"
                claims.append(
                    Claim(
                        target.pk,
                        target.post_id,
                        target.account,
                        target.body,
                        text,
                        round_.media(target.post),
                        attempt,
                        now,
                        target.in_doubt,
                    )
                )
                data = {"attempt": attempt, "footer_version": version.version if version else None}
                if target.in_doubt:
                    data["frozen"] = True
                events.append(
                    PostEvent.build(
                        post_id=target.post_id,
                        target=target,
                        action=Action.CLAIM,
                        from_state=TState.SCHEDULED,
                        to_state=TState.PUBLISHING,
                        data=data,
                    )
                )
        PostEvent.objects.bulk_create(events)
        if round_.early:
            early = round_.early
            transaction.on_commit(lambda: _send_batches(batches(early, now)))
    return outcomes, claims


def _fail_now(target: PostTarget, data: dict) -> str:
    """Fail a target inside the claim round's transaction (it was never sent)."""
    PostTarget.objects.filter(pk=target.pk).update(state=TState.FAILED, problem={"action": Action.FAIL, **data})
    PostEvent.record(
        post_id=target.post_id,
        target=target,
        action=Action.FAIL,
        from_state=TState.SCHEDULED,
        to_state=TState.FAILED,
        data=data,
    )
    enqueue_on_commit(notifications.target_failed, target.pk)
    return "failed"
