"""What each target of a post would publish: its final text, length, findings and office hours.

The composer's live preview, the post page, the approval queue and the
submit/approve checks (posts.readiness) all use target_previews(), so what a
person sees is what the server enforces. A computation that feeds a rule, not
a read: the queryset reads stay in posts.selectors.
"""

import datetime as dt
from dataclasses import dataclass, field, replace

from accounts.models import SocialAccount
from checks import checks
from posts import footer, length, office_hours
from posts.models import Footer, Post, PostTarget


@dataclass
class TargetPreview:
    account: SocialAccount
    body: str
    final_text: str
    length: int
    limit: int
    findings: list[checks.Finding] = field(default_factory=list)
    # The agency's own numbers and addresses in the body: information, not findings (§5).
    official: list[checks.OfficialMatch] = field(default_factory=list)
    is_open: bool | None = None
    next_open: dt.datetime | None = None
    closed_reason: str = ""  # why the office is closed at the chosen time (土曜日, 天皇誕生日, …)
    hours_problem: str = ""
    # The other accounts this same card stands for (grouped_previews(): the queue).
    also: list[SocialAccount] = field(default_factory=list)

    # Bounded work per preview: a text full of numbers lists and marks only the first of them.
    LISTED = 20
    MARKED = 50

    @property
    def findings_listed(self) -> list[checks.Finding]:
        return self.findings[: self.LISTED]

    @property
    def official_listed(self) -> list[checks.OfficialMatch]:
        return self.official[: self.LISTED]

    @property
    def not_listed(self) -> int:
        return max(0, len(self.findings) - self.LISTED) + max(0, len(self.official) - self.LISTED)

    @property
    def over_limit(self) -> bool:
        return self.length > self.limit

    @property
    def remaining(self) -> int:
        return self.limit - self.length

    @property
    def over_by(self) -> int:
        return max(0, self.length - self.limit)

    @property
    def blocking(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.BLOCK]

    @property
    def warnings(self) -> list[checks.Finding]:
        return [f for f in self.findings if f.severity == checks.WARN]

    @property
    def segments(self) -> list[tuple[str, checks.Finding | checks.OfficialMatch | None]]:
        """The body cut into plain runs and runs a finding or an official contact points at, for highlighting."""
        pieces: list[tuple[str, checks.Finding | checks.OfficialMatch | None]] = []
        position = 0
        marks: list[checks.Finding | checks.OfficialMatch] = [
            *self.findings[: self.MARKED],
            *self.official[: self.MARKED],
        ]
        # Where two marks cover the same characters, the blocking one is shown.
        for mark in sorted(marks, key=lambda m: (m.start, -m.end, getattr(m, "severity", "") != checks.BLOCK)):
            if mark.start < position:
                continue  # overlaps one already marked
            pieces.append((self.body[position : mark.start], None))
            pieces.append((self.body[mark.start : mark.end], mark))
            position = mark.end
        pieces.append((self.body[position:], None))
        return [(text, mark) for text, mark in pieces if text]

    @property
    def footer_text(self) -> str:
        return self.final_text[len(self.body) :].lstrip("\n")


def grouped_previews(previews: list[TargetPreview]) -> list[TargetPreview]:
    """The previews that would show the same card, merged into one that names every account it stands for.

    A post to 21 accounts shows one card per different outcome (platform,
    text with its footer, findings, office hours), in the order of the first
    account of each, rather than the same words 18 times. An account that is
    paused or awaits re-authorisation keeps a card of its own, which says so.
    """
    groups: dict[tuple, TargetPreview] = {}
    for preview in previews:
        account = preview.account
        key = (
            account.platform,
            account.pk if account.state != SocialAccount.State.ACTIVE else None,
            preview.final_text,
            preview.length,
            preview.limit,
            tuple(preview.findings),
            tuple(preview.official),
            preview.is_open,
            preview.next_open,
            preview.closed_reason,
            preview.hours_problem,
        )
        if key in groups:
            groups[key].also.append(account)
        else:
            groups[key] = replace(preview, also=[])
    return list(groups.values())


def target_preview(*, account: SocialAccount, body: str, scheduled_at: dt.datetime | None) -> TargetPreview:
    return target_previews(body=body, accounts=[account], scheduled_at=scheduled_at)[0]


@dataclass(frozen=True)
class _PreviewRequest:
    account: SocialAccount
    body: str
    scheduled_at: dt.datetime | None


def _previews(requests: list[_PreviewRequest]) -> list[TargetPreview]:
    """Previews for many (account, text, time) at once, in a fixed number of queries.

    The footers, the recent-duplicate digests, the allow-list and official
    contacts and each office's hours are read once for all of them, so a
    preview for 21 accounts or a queue of 50 posts costs what one preview does.
    """
    if not requests:
        return []
    versions = list(Footer.objects.all())
    scanned = checks.scan_many([(r.body, r.account) if r.body.strip() else ("", None) for r in requests])
    timed = [r for r in requests if r.scheduled_at is not None]
    hours = office_hours.assess_many(
        {r.account.office_id: r.account.office for r in timed}.values(),
        {r.scheduled_at for r in timed},
        only={(r.scheduled_at, r.account.office_id) for r in timed},
    )
    measures: dict[tuple[str, str], tuple[int, int]] = {}  # the same text on many accounts is measured once
    previews = []
    for request, (findings, official) in zip(requests, scanned, strict=True):
        account, body = request.account, request.body
        final_text = footer.join(body, footer.footer_for(account, versions=versions))
        key = (final_text, account.platform)
        if key not in measures:
            measures[key] = length.measure(final_text, platform=account.platform)
        measured, limit = measures[key]
        preview = TargetPreview(
            account=account,
            body=body,
            final_text=final_text,
            length=measured,
            limit=limit,
            findings=findings if body.strip() else [],
            official=official if body.strip() else [],
        )
        if request.scheduled_at is not None:
            assessment = hours[request.scheduled_at, account.office_id]
            if assessment.problem:
                preview.is_open, preview.hours_problem = False, assessment.problem
            else:
                preview.is_open, preview.next_open = assessment.is_open, assessment.next_open
                preview.closed_reason = assessment.closed_reason or ""
        previews.append(preview)
    return previews


def target_previews(
    *,
    body: str,
    accounts: list[SocialAccount],
    overrides: dict[int, str] | None = None,
    scheduled_at: dt.datetime | None,
) -> list[TargetPreview]:
    overrides = overrides or {}
    return _previews(
        [
            _PreviewRequest(account=account, body=overrides.get(account.pk) or body, scheduled_at=scheduled_at)
            for account in accounts
        ]
    )


def _requests_for(post: Post, targets: list[PostTarget]) -> list[_PreviewRequest]:
    return [
        _PreviewRequest(account=t.account, body=t.body_override or post.body, scheduled_at=post.scheduled_at)
        for t in targets
    ]


def post_previews(post: Post) -> list[TargetPreview]:
    # Read afresh (not from a prefetch): a service may just have changed the targets.
    return _previews(_requests_for(post, list(post.targets.select_related("account__office"))))


def posts_previews(posts) -> dict[int, list[TargetPreview]]:
    """post_previews() of every post in `posts`, together (the approval queue).

    From the targets the page has just read with their accounts and offices
    (posts.selectors.approval_queue prefetches them), not read a second time.
    """
    posts = list(posts)
    requests = [_requests_for(post, list(post.targets.all())) for post in posts]
    previews = iter(_previews([r for rs in requests for r in rs]))
    return {post.pk: [next(previews) for _r in rs] for post, rs in zip(posts, requests, strict=True)}
