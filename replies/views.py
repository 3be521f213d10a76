"""The moderation queue: what the public wrote to the accounts a person may see, waiting and riskiest first (§7).

Posters and supervisors act on the replies of the accounts they post to;
viewers (auditors) read the same queue without any control.
"""

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import access, platforms
from immisns import keyset
from immisns.redirects import next_or
from immisns.rows import RowTemplate, id_link
from replies import intake, services
from replies.categories import ProhibitedAct
from replies.forms import (
    EARLIEST,
    SHORT_WORDS_DAYS,
    BulkForm,
    ConfirmForm,
    HideForm,
    QueueFilterForm,
    RemoveForm,
    UnhideForm,
)
from replies.models import ListeningState, QueueVisit, Reply, ReplyDecision

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazily translated one

PAGE_SIZE = 50
# Waiting first, then the riskiest, then the newest; paged by keyset on the index of replies/0005.
QUEUE_ORDER = ("-needs_review", "-risk", "-created_at", "-id")


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
    "residence_card": gettext_lazy("Residence card number"),
    "passport": gettext_lazy("Passport number"),
    "my_number": gettext_lazy("Individual Number (My Number)"),
    "phone": gettext_lazy("Phone number"),
    "email": gettext_lazy("E-mail address"),
    "url_shortener": gettext_lazy("Shortened link"),
    "phishing_link": gettext_lazy("Phishing link"),
    "link_domain": gettext_lazy("Link outside the allowed domains"),
    "repeated_text": gettext_lazy("Same text on several accounts"),
    "word_list": gettext_lazy("Word list"),
    "impersonation_handle": gettext_lazy("Handle like an official account's"),
    "impersonation_name": gettext_lazy("Name like an official account's"),
}


def with_labels(findings: list[dict]) -> list[dict]:
    """The findings, each with what it is in the reader's language (the stored kind stays a code)."""
    return [
        {**finding, "label": str(FINDING_LABELS.get(finding.get("kind"), finding.get("kind", "")))}
        for finding in findings
    ]


def category_options(categories: list[tuple[str, str]]) -> Callable[[str], SafeString]:
    """The <option>s of a category select for a reply of a category ("" none yet: "Choose" comes first).

    Each written once per page: each reply has two category selects, and a template
    loop over every category for each of them was most of the queue's rendering.
    """
    written: dict[str, SafeString] = {}

    def options(selected: str) -> SafeString:
        if selected not in written:
            listed = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((value, " selected" if value == selected else "", label) for value, label in categories),
            )
            choose = (
                SafeString()
                if selected
                else format_html('<option value="" selected>{}</option>', _("Choose a category"))
            )
            written[selected] = choose + listed
        return written[selected]

    return options


def _day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """From the start of `since` to the end of `until`, as days in the console's time zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone) if since else None
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if until else None
    return start, end


def filtered(replies: QuerySet[Reply], data: dict) -> QuerySet[Reply]:
    """The queue's filters and search (words of the text, the author's handle or name) on a reply queryset.

    The search is a substring match (Japanese has no spaces between words):
    on PostgreSQL it is served by the trigram indexes of replies/0004, on
    SQLite it is a LIKE bounded by the form's length limit.
    """
    if data.get("account"):
        replies = replies.filter(account=data["account"])
    if data.get("category"):
        replies = replies.filter(category=data["category"])
    if data.get("state"):
        replies = replies.filter(state=data["state"])
    if data.get("waiting"):
        replies = replies.filter(needs_review=True)
    since, until = _day_bounds(data.get("since"), data.get("until"))
    if since is not None:
        replies = replies.filter(created_at__gte=since)
    if until is not None:
        replies = replies.filter(created_at__lt=until)
    if words := data.get("q"):
        handle = words.removeprefix("@")
        replies = replies.filter(
            Q(text__icontains=words) | Q(author_handle__icontains=handle) | Q(author_name__icontains=words)
        )
    return replies


def _window_before(request, window: tuple[dt.date, dt.date]) -> str:
    """The query of the same search in the window of days just before `window` ("" before EARLIEST)."""
    since = window[0]
    if since - dt.timedelta(days=1) < EARLIEST:
        return ""
    query = request.GET.copy()
    for key in (keyset.AFTER, keyset.BEFORE, "page"):
        query.pop(key, None)
    query["since"] = (since - dt.timedelta(days=SHORT_WORDS_DAYS)).isoformat()
    query["until"] = (since - dt.timedelta(days=1)).isoformat()
    return "?" + query.urlencode()


@require_safe
@login_required
def queue(request):
    # Viewers (auditors) read the queue too; the controls are offered only where the person may act.
    accounts = access.accounts_visible_to(request.user).order_by("platform", "sort_order")
    if not accounts.exists() and not access.is_administrator(request.user):
        raise Http404
    form = QueueFilterForm(request.GET or None, accounts=accounts)
    replies = _scoped(request.user).select_related("account", "post_target__post")
    window = None
    if form.is_bound and form.is_valid():
        replies = filtered(replies, form.cleaned_data)
        window = form.cleaned_data["window"]
    elif form.is_bound:
        replies = replies.none()
    replies = replies.prefetch_related(
        Prefetch("decisions", queryset=ReplyDecision.objects.select_related("actor").order_by("at", "id"))
    )
    # No count and no page numbers: counting every match is what made the queue slow at 300,000 replies.
    page = keyset.paginate(replies, ordering=QUEUE_ORDER, params=request.GET, size=PAGE_SIZE)
    rows = page.items
    administrator = access.is_administrator(request.user)
    # Asked once per account, not once per reply: a page of 50 replies comes from a few accounts.
    rights: dict[int, tuple[bool, bool, platforms.Capabilities]] = {}
    for account in {reply.account for reply in rows}:
        rights[account.pk] = (
            access.can_moderate_replies(request.user, account),
            access.can_remove_replies(request.user, account),
            platforms.capabilities_for(account),
        )
    block_done_link = id_link("moderation:block_done")
    here = request.get_full_path()
    actions = RowTemplate("replies/_actions.html", {"next": here, "csrf_token": get_token(request)})
    post_link = id_link("posts:detail")
    # Labels in the reader's language, translated once per page rather than once per reply.
    states = {value: str(label) for value, label in Reply.State.choices}
    risks = {value: str(label) for value, label in Reply.Risk.choices}
    categories = [(value, str(label)) for value, label in ProhibitedAct.choices]
    category_labels = dict(categories)
    options = category_options(categories)
    items = []
    for reply in rows:
        findings = with_labels(reply.findings)
        may_act, may_remove, capabilities = rights[reply.account_id]
        block_on_x_at = services.block_pending_on_x(reply)
        items.append(
            {
                "reply": reply,
                "pieces": highlighted(intake.display_text(reply.text), findings),
                "findings": findings,
                "target": reply.post_target,
                "post_url": post_link(reply.post_target.post_id) if reply.post_target else "",
                "block_done_url": block_done_link(reply.pk),
                # The date filter's localising is a hundred calls a reply; the console's time zone is fixed.
                "written": timezone.localtime(reply.created_at).strftime("%Y-%m-%d %H:%M"),
                "state": states.get(reply.state, reply.state),
                "risk": risks.get(reply.risk, reply.risk),
                "category": category_labels.get(reply.category, reply.category),
                "category_options": options(reply.category),
                "may_act": may_act,
                "may_remove": may_remove,
                "capabilities": capabilities,
                "block_on_x_at": block_on_x_at,
                "actions": actions(
                    {
                        "hidden": reply.state == Reply.State.HIDDEN,
                        "confirm": reply.needs_review and not block_on_x_at,
                        "may_remove": may_remove,
                        "block_author": capabilities.block_author,
                        "delete_reply": capabilities.delete_reply,
                    },
                    {"pk": reply.pk, "category": reply.category, "category_options": options(reply.category)},
                )
                if may_act and reply.state != Reply.State.DELETED
                else "",
            }
        )
    if not QueueVisit.objects.filter(user=request.user).update(at=timezone.now()):
        QueueVisit.objects.get_or_create(user=request.user)
    notes = [
        (state.account, state.note_text())
        for state in ListeningState.objects.filter(account__in=accounts, note__has_key="code")
        .select_related("account")
        .order_by("account__sort_order")
    ]
    return render(
        request,
        "replies/queue.html",
        {
            "form": form,
            "items": items,
            "page": page,
            "window": window,
            "window_before": _window_before(request, window) if window else "",
            "categories": categories,
            "next": here,
            "notes": notes,
            "show_rules": administrator,
            "may_act_on_any": any(item["may_act"] for item in items),
            "may_remove_any": any(item["may_remove"] for item in items),
            "bulk_actions": BulkForm.ACTIONS,
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
        if capabilities.block_author:
            messages.success(request, _("The author is blocked from the Page."))
            return
        author = capabilities.display_handle(reply.author_handle)
        decision = reply.decisions.order_by("-at", "-id").first()
        refused = decision.data.get("hide_refused", "") if decision else ""
        if refused:
            messages.warning(request, _("The reply could not be hidden on X: %(error)s") % {"error": refused})
        else:
            messages.success(request, _("The reply is hidden on X."))
        messages.warning(
            request,
            _(
                "X offers no block to this console: block %(author)s on X itself at %(url)s, "
                "then record the block here. The reply waits until then."
            )
            % {"author": author, "url": reply.author_profile_url},
        )

    return _act(request, pk, RemoveForm, ban)


@require_POST
@login_required
def block_done(request, pk: int):
    def done(reply, data):
        services.author_block_done_on_x(reply=reply, by=request.user, reason=data["reason"])
        messages.success(request, _("Recorded: the author is blocked on X."))

    return _act(request, pk, UnhideForm, done)


@require_POST
@login_required
def bulk(request):
    """Several replies at once: one result line per reply, done or refused with the platform's reason."""
    form = BulkForm(request.POST, replies=_scoped(request.user).select_related("account"))
    back = next_or(request, reverse("moderation:queue"))
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
        )
        messages.error(request, _("Not done: %(errors)s") % {"errors": errors})
        return redirect(back)
    data = form.cleaned_data
    outcomes = services.replies_bulk(
        replies=list(data["replies"].order_by("pk")),
        by=request.user,
        action=data["action"],
        category=data["category"],
        reason=data["reason"],
    )
    done = [outcome for outcome in outcomes if outcome.done]
    if done:
        messages.success(
            request,
            ngettext("%(count)s reply done.", "%(count)s replies done.", len(done)) % {"count": len(done)},
        )
    for outcome in outcomes:
        if not outcome.done:
            messages.error(
                request,
                _("Reply #%(id)s (%(account)s) not done: %(reason)s")
                % {"id": outcome.reply.pk, "account": outcome.reply.account.display_handle, "reason": outcome.message},
            )
    return redirect(back)
