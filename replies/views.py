"""The moderation queue: what the public wrote to the accounts a person may post to, newest and riskiest first (§7)."""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from accounts import access, platforms
from immisns.redirects import next_or
from replies import intake, services
from replies.categories import ProhibitedAct
from replies.forms import ConfirmForm, HideForm, QueueFilterForm, RemoveForm, UnhideForm
from replies.models import ListeningState, QueueVisit, Reply, ReplyDecision

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazily translated one

PAGE_SIZE = 50


def _scoped(user):
    return access.replies_visible_to(user, Reply.objects.all())


def highlighted(text: str, findings: list[dict]) -> list[tuple[str, dict | None]]:
    """The text in pieces, each finding's span marked (overlapping spans: the first one wins)."""
    pieces: list[tuple[str, dict | None]] = []
    position = 0
    for finding in sorted(findings, key=lambda f: (f.get("start", 0), f.get("end", 0))):
        start, end = finding.get("start", 0), finding.get("end", 0)
        if end <= start or start < position or end > len(text):
            continue
        if start > position:
            pieces.append((text[position:start], None))
        pieces.append((text[start:end], finding))
        position = end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


# Looked up with the kind stored in a finding, whatever was stored there.
FINDING_LABELS: "dict[object, StrOrPromise]" = {
    "residence_card": _lazy("Residence card number"),
    "passport": _lazy("Passport number"),
    "my_number": _lazy("Individual Number (My Number)"),
    "phone": _lazy("Phone number"),
    "email": _lazy("E-mail address"),
    "url_shortener": _lazy("Shortened link"),
    "phishing_link": _lazy("Phishing link"),
    "link_domain": _lazy("Link outside the allowed domains"),
    "repeated_text": _lazy("Same text on several accounts"),
    "word_list": _lazy("Word list"),
    "impersonation_handle": _lazy("Handle like an official account's"),
    "impersonation_name": _lazy("Name like an official account's"),
}


def with_labels(findings: list[dict]) -> list[dict]:
    """The findings, each with what it is in the reader's language (the stored kind stays a code)."""
    return [
        {**finding, "label": FINDING_LABELS.get(finding.get("kind"), finding.get("kind", ""))} for finding in findings
    ]


RULE_LABELS = {
    "personal_data": ProhibitedAct.PERSONAL_DATA.label,
    "impersonation": ProhibitedAct.IMPERSONATION.label,
    "advertising": ProhibitedAct.ADVERTISING.label,
}


def _block_on_x_at(reply: Reply) -> str:
    """The profile where a person must still block the author, once a ban on X is recorded (prefetched decisions)."""
    bans = [d for d in reply.decisions.all() if d.action == ReplyDecision.Action.BAN and d.data.get("block_on_x_at")]
    return bans[-1].data["block_on_x_at"] if bans else ""


@require_safe
@login_required
def queue(request):
    accounts = access.accounts_draftable_by(request.user).order_by("platform", "sort_order")
    form = QueueFilterForm(request.GET or None, accounts=accounts)
    replies = _scoped(request.user).select_related("account", "post_target__post")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["account"]:
            replies = replies.filter(account=data["account"])
        if data["category"]:
            replies = replies.filter(category=data["category"])
        if data["state"]:
            replies = replies.filter(state=data["state"])
        if data["waiting"]:
            replies = replies.filter(needs_review=True)
    if not accounts.exists() and not access.is_administrator(request.user):
        raise Http404
    replies = replies.order_by("-needs_review", "-risk", "-created_at", "-id").prefetch_related(
        Prefetch("decisions", queryset=ReplyDecision.objects.select_related("actor").order_by("at", "id"))
    )
    page = Paginator(replies, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    removable = set(access.accounts_approvable_by(request.user).values_list("pk", flat=True))
    items = [
        {
            "reply": reply,
            "pieces": highlighted(intake.display_text(reply.text), with_labels(reply.findings)),
            "findings": with_labels(reply.findings),
            "target": reply.post_target,
            "may_remove": reply.account_id in removable,
            "capabilities": platforms.capabilities_for(reply.account),
            "block_on_x_at": _block_on_x_at(reply),
        }
        for reply in rows
    ]
    if not QueueVisit.objects.filter(user=request.user).update(at=timezone.now()):
        QueueVisit.objects.get_or_create(user=request.user)
    notes = [
        (state.account, state.note_text())
        for state in ListeningState.objects.filter(account__in=accounts, note__has_key="code")
        .select_related("account")
        .order_by("account__sort_order")
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "replies/queue.html",
        {
            "form": form,
            "items": items,
            "page": page,
            "categories": ProhibitedAct.choices,
            "query": query.urlencode(),
            "next": request.get_full_path(),
            "notes": notes,
        },
    )


def _back(request, reply: Reply):
    return redirect(f"{next_or(request, reverse('moderation:queue'))}#reply-{reply.pk}")


def _act(request, pk: int, form_class, act):
    reply = get_object_or_404(_scoped(request.user).select_related("account"), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[name].label}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, _("Not done: %(errors)s") % {"errors": errors})
        return _back(request, reply)
    try:
        act(reply, form.cleaned_data)
    except services.ModerationError as exc:
        messages.error(request, exc.message)
    return _back(request, reply)


@require_POST
@login_required
def reply_hide(request, pk: int):
    def hide(reply, data):
        services.reply_hide(reply=reply, by=request.user, category=data["category"], reason=data["reason"])
        messages.success(request, _("Hidden."))

    return _act(request, pk, HideForm, hide)


@require_POST
@login_required
def reply_unhide(request, pk: int):
    def unhide(reply, data):
        services.reply_unhide(reply=reply, by=request.user, reason=data["reason"])
        messages.success(request, _("Shown again."))

    return _act(request, pk, UnhideForm, unhide)


@require_POST
@login_required
def reply_confirm(request, pk: int):
    def confirm(reply, data):
        services.reply_confirm(reply=reply, by=request.user, category=data["category"], reason=data["reason"])
        messages.success(request, _("Confirmed."))

    return _act(request, pk, ConfirmForm, confirm)


@require_POST
@login_required
def reply_delete(request, pk: int):
    def delete(reply, data):
        services.reply_delete(reply=reply, by=request.user, category=data["category"], reason=data["reason"])
        messages.success(request, _("Deleted."))

    return _act(request, pk, RemoveForm, delete)


@require_POST
@login_required
def author_ban(request, pk: int):
    def ban(reply, data):
        reply = services.author_ban(reply=reply, by=request.user, category=data["category"], reason=data["reason"])
        capabilities = platforms.capabilities_for(reply.account)
        if not capabilities.block_author:
            messages.warning(
                request,
                _("Recorded. X offers no block to this console: block %(author)s on X itself at %(url)s")
                % {"author": capabilities.display_handle(reply.author_handle), "url": reply.author_profile_url},
            )
        else:
            messages.success(request, _("The author is blocked from the Page."))

    return _act(request, pk, RemoveForm, ban)
