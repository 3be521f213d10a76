"""May this go out? The one rule, asked at submit, at approval and again at publishing (§4, §5).

``text_problems`` judges one final text on one account (length with the
footer, blocking findings); ``post_problems`` adds what a whole post needs
before a person submits or approves it (a text, accounts, a time, a reason
for posting outside office hours, image limits). The publishing engine asks
``text_problems`` for the exact text it is about to send, so what was
checked at approval is checked again with the rules as they are then.

A Problem is data (a code and its values), so that an engine's refusal kept in
the history reads in whichever language the reader uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SocialAccount
from checks import checks
from posts import images as post_images
from posts import length, preview
from posts.models import Post


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict = field(default_factory=dict)

    def as_data(self) -> dict:
        return {"code": self.code, **self.params}

    @classmethod
    def from_data(cls, data: dict) -> Problem:
        params = {k: v for k, v in data.items() if k != "code"}
        return cls(code=str(data.get("code", "")), params=params)

    @property
    def message(self) -> str:
        """The problem in the active language."""
        p = self.params
        if self.code == "empty":
            return _("The text is empty.")
        if self.code == "past":
            return _("The publishing time %(time)s is in the past.") % {"time": p.get("time", "")}
        if self.code == "no_accounts":
            return _("Choose at least one account.")
        if self.code == "too_long":
            return _("%(account)s: %(length)d of %(limit)d characters with the footer; shorten it by %(over)d.") % {
                "account": p["account"],
                "length": p["length"],
                "limit": p["limit"],
                "over": p["length"] - p["limit"],
            }
        if self.code == "finding":
            return _("%(account)s: %(message)s «%(excerpt)s»") % {
                "account": p["account"],
                "message": checks.finding_message(p["kind"], p["excerpt"]),
                "excerpt": p["excerpt"],
            }
        if self.code == "outside_hours":
            return _(
                "The time is outside office hours for %(accounts)s: give the reason for posting then, or choose another time."
            ) % {"accounts": ", ".join(p["accounts"])}
        if self.code == "images":
            return str(p.get("detail", ""))
        return self.code

    def __str__(self) -> str:
        return self.message


def text_problems(
    *,
    account: SocialAccount,
    body: str,
    final_text: str,
    findings: list[checks.Finding] | None = None,
) -> list[Problem]:
    """What stops `final_text` (the body with its footer) going out on `account`.

    `findings` are the body's findings when the caller has them already (the
    composer's preview); otherwise the body is scanned here.
    """
    handle = account.display_handle
    problems = []
    measured, limit = length.measure(final_text, platform=account.platform)
    if measured > limit:
        problems.append(Problem("too_long", {"account": handle, "length": measured, "limit": limit}))
    if findings is None:
        findings = checks.scan(body)
    for finding in findings:
        if finding.severity == checks.BLOCK:
            problems.append(Problem("finding", {"account": handle, "kind": finding.kind, "excerpt": finding.excerpt}))
    return problems


def post_problems(post: Post, *, now: dt.datetime | None = None, for_approval: bool = False) -> list[Problem]:
    """Every reason the post may not be submitted (or approved) as it stands; empty when fine."""
    now = now or timezone.now()
    problems: list[Problem] = []
    if not post.body.strip():
        problems.append(Problem("empty"))
    if not for_approval and post.scheduled_at <= now:
        problems.append(Problem("past", {"time": timezone.localtime(post.scheduled_at).strftime("%Y-%m-%d %H:%M")}))
    previews = preview.post_previews(post)
    if not previews:
        problems.append(Problem("no_accounts"))
    outside = []
    for target in previews:
        problems.extend(
            text_problems(
                account=target.account,
                body=target.body,
                final_text=target.final_text,
                findings=target.findings,
            )
        )
        if target.is_open is False:
            outside.append(target.account.display_handle)
    if outside and not post.outside_hours_reason.strip():
        problems.append(Problem("outside_hours", {"accounts": outside}))
    images = list(post.images.all())
    if images:
        try:
            # Stored images were cleaned on upload; their recorded sizes are what the limits need.
            post_images.check_platform_limits(images, sorted({p.account.platform for p in previews}))
        except post_images.ImageRejected as exc:
            problems.append(Problem("images", {"detail": exc.message}))
    return problems
