"""Pages for posts: compose/edit with live preview, lists, the post page and the approval queue.

Views are thin: fetch through the access module (missing and forbidden both
answer 404), validate with a form, call one service, redirect or render.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import access
from immisns import keyset, uploads
from immisns.redirects import next_or
from posts import charts, health, preview, selectors, services
from posts.errors import NotAllowed, PostError
from posts.forms import (
    BulkApproveForm,
    CancelForm,
    DecisionForm,
    NoteForm,
    PostFilterForm,
    PostForm,
    PreviewForm,
    PublishingSwitchForm,
    ResolveForm,
    WithdrawForm,
)
from posts.models import Post, PostImage, PostTarget
from posts.rights import next_to_approve, post_rights


def _get_post(user, pk: int) -> Post:
    """The post if the user may see it; 404 for missing and forbidden alike."""
    return get_object_or_404(selectors.posts_for(user), pk=pk)


def _invalid(form) -> PostError:
    """What was typed did not pass its form: say what, field by field (never a 500)."""
    return PostError(
        _("Check what you typed."), [str(message) for errors in form.errors.values() for message in errors]
    )


def _problems_message(request, error: PostError) -> None:
    messages.error(request, error.message)
    for problem in error.problems:
        messages.error(request, problem)


def _confirmation(request, *, form, title: str, question: str, button: str, back: str, details=()):
    """The question before an action that cannot be undone, its form sent again with confirm=1.

    Works without script; with it, site.js asks the same question in a dialog
    on the page and this page is never seen.
    """
    fields = [(name, value) for name, value in form.cleaned_data.items() if name != "confirm"]
    if request.POST.get("next"):
        fields.append(("next", next_or(request, back)))
    return render(
        request,
        "posts/confirm.html",
        {
            "title": title,
            "question": question,
            "button": button,
            "back": back,
            "details": details,
            "action": request.path,
            "fields": [(name, "1" if value is True else "0" if value is False else value) for name, value in fields],
        },
    )


@require_safe
@login_required
def dashboard(request):
    """Where staff look first: what failed, what waits for them, what goes out next, my drafts."""
    user = request.user
    attention = selectors.targets_needing_attention(user)
    queue = selectors.approval_queue_summary(user) if access.can_approve_anything(user) else Post.objects.none()
    visible = access.accounts_visible_to(user).order_by("platform", "sort_order")
    return render(
        request,
        "posts/dashboard.html",
        {
            "memberships": user.memberships.select_related("office").order_by("office__sort_order"),
            # Both lists can grow; the page shows the first few and how many there are.
            "attention": selectors.first_needing_attention(user, limit=selectors.DASHBOARD_ATTENTION),
            "attention_count": attention.count(),
            "queue": queue[:8],
            "queue_count": queue.count(),
            "upcoming": selectors.targets_upcoming(user),
            "drafts": selectors.drafts_of(user),
            "pending": selectors.pending_of(user),
            "draftable": access.accounts_draftable_by(user).order_by("platform", "sort_order"),
            "visible": visible,
            # Accounts with a problem or no post for 30 days, worst first; and this week's posts per account.
            # The worst few (every stopped account among them) and a link to all; ?health=all shows all.
            "health_card": health.health_card(visible, show_all=request.GET.get("health") == "all"),
            "load": charts.load_this_week(visible),
            "is_administrator": access.is_administrator(user),
            "resolve_form": ResolveForm(),
        },
    )


@require_safe
@login_required
def post_list(request):
    form = PostFilterForm(request.GET or None, user=request.user)
    posts = selectors.posts_listed(request.user)
    if form.is_valid():
        if form.cleaned_data["state"]:
            posts = selectors.posts_in_display_state(posts, form.cleaned_data["state"])
        if form.cleaned_data["account"]:
            posts = selectors.posts_on_account(posts, form.cleaned_data["account"])
        if form.cleaned_data["mine"]:
            posts = posts.filter(author=request.user)
        if words := " ".join(form.cleaned_data["q"].split()):
            posts = selectors.posts_with_words(posts, words)
    page = keyset.paginate(posts, ordering=selectors.POST_LIST_ORDER, params=request.GET, size=selectors.PAGE_SIZE)
    return render(request, "posts/list.html", {"form": form, "posts": page, "page": page})


def _compose(request, *, post: Post | None):
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        post=post,
        refused_uploads=uploads.refused_uploads(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "body": data["body"],
            "scheduled_at": data["scheduled_at"],
            "accounts": list(data["accounts"]),
            "overrides": form.overrides(),
            "outside_hours_reason": data["outside_hours_reason"],
            "new_images": data["new_images"],
        }
        try:
            revision = post.revision if post is not None else None
            if post is None:
                post = services.post_create(author=request.user, **fields)
            else:
                post = services.post_update(
                    post=post, by=request.user, remove_image_ids=data["remove_image_ids"], **fields
                )
            if "submit" in request.POST and post.state == Post.State.DRAFT:
                services.post_submit(post=post, by=request.user)
                messages.success(request, _("Submitted for approval."))
            elif post.revision == revision:
                messages.info(request, _("Nothing was changed; the post stays as it was."))
            else:
                messages.success(request, _("Saved."))
            return redirect("posts:detail", pk=post.pk)
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        except PostError as exc:
            if post is None:
                form.add_error(None, exc.message)
            else:
                # The post was saved (as a draft) but cannot be submitted: say what to fix.
                _problems_message(request, exc)
                return redirect("posts:edit", pk=post.pk)
    previews = []
    if post is not None and request.method == "GET":
        previews = preview.post_previews(post)
    return render(request, "posts/compose.html", {"form": form, "post": post, "previews": previews})


@require_http_methods(["GET", "POST"])
@login_required
def post_new(request):
    if not access.accounts_draftable_by(request.user).exists():
        raise Http404
    return _compose(request, post=None)


@require_http_methods(["GET", "POST"])
@login_required
def post_edit(request, pk: int):
    post = _get_post(request.user, pk)
    if not post_rights(request.user, post).open_editor:
        raise Http404
    if request.method == "GET":
        targets = {t.account_id: t for t in post.targets.all()}
        initial = {
            "accounts": list(targets),
            "body": post.body,
            "scheduled_at": post.scheduled_at,
            "outside_hours_reason": post.outside_hours_reason,
            **{f"override_{pk}": t.body_override for pk, t in targets.items()},
        }
        form = PostForm(initial=initial, user=request.user, post=post)
        return render(
            request, "posts/compose.html", {"form": form, "post": post, "previews": preview.post_previews(post)}
        )
    return _compose(request, post=post)


@require_POST
@login_required
def post_preview(request):
    """The composer's live preview: final text per account, length, findings, office hours."""
    form = PreviewForm(request.POST, user=request.user)
    if not form.is_valid():
        # Refused before any check runs: a text longer than any platform takes, a time no calendar has.
        return render(request, "posts/_preview.html", {"previews": [], "errors": _invalid(form).problems})
    data = form.cleaned_data
    previews = preview.target_previews(
        body=data.get("body") or "",
        accounts=list(data.get("accounts") or []),
        overrides=form.overrides(),
        scheduled_at=data.get("scheduled_at"),
    )
    return render(request, "posts/_preview.html", {"previews": previews, "scheduled_at": data.get("scheduled_at")})


@require_safe
@login_required
def post_detail(request, pk: int):
    post = _get_post(request.user, pk)
    revisions = selectors.post_revisions(post)
    rights = post_rights(request.user, post, revisions=revisions)
    # Until publishing begins the post can change, and the page shows what would go out now.
    before_publishing = not rights.publishing_began
    return render(
        request,
        "posts/detail.html",
        {
            "post": post,
            "previews": preview.post_previews(post) if before_publishing else [],
            "before_publishing": before_publishing,
            "events": selectors.post_timeline(post),
            "may_edit": rights.edit,
            "may_note": rights.note,
            "may_submit": rights.submit,
            "may_cancel": rights.cancel,
            "may_approve": rights.approve,
            "wrote_it": rights.wrote_it,  # §3, four eyes: the page says another supervisor must approve
            "revisions": revisions,
            "decision_form": DecisionForm(initial={"revision": post.revision}),
            "supervised": set(access.accounts_approvable_by(request.user).values_list("pk", flat=True)),
            "resolve_form": ResolveForm(),
        },
    )


@require_safe
@login_required
def post_image(request, pk: int):
    image = get_object_or_404(PostImage.objects.select_related("post"), pk=pk)
    if not access.can_view_post(request.user, image.post):
        raise Http404
    return FileResponse(image.file.open("rb"), content_type=image.mime_type)


def _transition(request, pk: int, action, *, then_next: bool = False):
    # _get_post has already answered 404 to anyone who may not see the post, so
    # a refusal here (say, approving one's own post) is explained, not hidden.
    post = _get_post(request.user, pk)
    try:
        action(post)
    except PostError as exc:
        _problems_message(request, exc)
        return redirect("posts:detail", pk=post.pk)
    if then_next:
        return _next_in_queue(request, post)
    return redirect("posts:detail", pk=post.pk)


def _next_in_queue(request, decided: Post):
    """After a decision, the next post waiting: on the queue where the decision was made there, else its page."""
    following = next_to_approve(request.user, after=decided)
    from_queue = request.POST.get("from") == "queue"
    if following is None:
        messages.info(request, _("Nothing else waits for your approval."))
        return redirect("posts:queue") if from_queue else redirect("posts:detail", pk=decided.pk)
    if from_queue:
        return redirect(f"{reverse('posts:queue')}{_queue_place(request)}#post-{following.pk}")
    return redirect("posts:detail", pk=following.pk)


def _queue_place(request) -> str:
    """The queue page the form was sent from (its cursor), so a decision keeps the person's place."""
    kept = {key: request.POST[key] for key in (keyset.AFTER, keyset.BEFORE) if request.POST.get(key)}
    return f"?{urlencode(kept)}" if kept else ""


@require_POST
@login_required
def post_submit(request, pk: int):
    def submit(post):
        services.post_submit(post=post, by=request.user)
        messages.success(request, _("Submitted for approval."))

    return _transition(request, pk, submit)


@require_POST
@login_required
def post_note(request, pk: int):
    form = NoteForm(request.POST)

    def note(post):
        if not form.is_valid():
            raise _invalid(form)
        services.post_note(post=post, by=request.user, text=form.cleaned_data["note"])
        messages.success(request, _("Your note was added to the post's history."))

    return _transition(request, pk, note)


@require_POST
@login_required
def post_cancel(request, pk: int):
    form = CancelForm(request.POST)
    post = _get_post(request.user, pk)
    if form.is_valid() and not form.confirmed and post_rights(request.user, post).ask_to_cancel:
        return _confirmation(
            request,
            form=form,
            title=_("Cancel post #%(id)d?") % {"id": post.pk},
            question=_("The post will not be published, and it cannot be submitted or approved again."),
            button=_("Cancel the post"),
            back=reverse("posts:detail", args=[post.pk]),
        )

    def cancel(post):
        if not form.is_valid():
            raise _invalid(form)
        services.post_cancel(post=post, by=request.user, comment=form.cleaned_data["comment"])
        messages.success(request, _("The post was cancelled."))

    return _transition(request, pk, cancel)


@require_safe
@login_required
def approval_queue(request):
    if not access.can_approve_anything(request.user):
        raise Http404
    page = keyset.paginate(
        selectors.approval_queue(request.user),
        ordering=selectors.QUEUE_ORDER,
        params=request.GET,
        size=selectors.QUEUE_PAGE_SIZE,
    )
    previews = preview.posts_previews(page.items)
    rows = []
    for post in page:
        revisions = selectors.post_revisions(post)  # from the queue's prefetch
        rights = post_rights(request.user, post, revisions=revisions)
        rows.append((post, preview.grouped_previews(previews[post.pk]), revisions, rights))
    return render(request, "posts/queue.html", {"rows": rows, "page": page, "decision_form": DecisionForm()})


@require_POST
@login_required
def post_approve(request, pk: int):
    form = DecisionForm(request.POST)
    form.is_valid()

    def approve(post):
        if not form.is_valid():
            raise _invalid(form)
        if form.cleaned_data["revision"] is None:
            raise PostError(_("The page did not say which revision you saw; open the post again and approve it."))
        services.post_approve(
            post=post, by=request.user, comment=form.cleaned_data["comment"], revision=form.cleaned_data["revision"]
        )
        messages.success(request, _("Approved post #%(id)d.") % {"id": post.pk})
        _say_if_going_out_at_once(request, [post])

    return _transition(request, pk, approve, then_next=True)


@require_POST
@login_required
def post_reject(request, pk: int):
    form = DecisionForm(request.POST)
    form.is_valid()

    def reject(post):
        if not form.is_valid():
            raise _invalid(form)
        services.post_reject(post=post, by=request.user, comment=form.cleaned_data["comment"])
        messages.success(request, _("Sent post #%(id)d back to its author.") % {"id": post.pk})

    return _transition(request, pk, reject, then_next=True)


@require_POST
@login_required
def approve_many(request):
    form = BulkApproveForm(request.POST, queue=selectors.approval_queue(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose posts from the queue to approve."))
        return redirect("posts:queue")
    approved = []
    for post in form.cleaned_data["posts"]:
        try:
            revision = form.cleaned_data["revisions"][post.pk]
            if revision is None:
                raise PostError(_("The queue did not say which revision you saw; reload it and approve again."))
            services.post_approve(post=post, by=request.user, revision=revision)
            approved.append(post)
        except PostError as exc:
            messages.error(request, _("Post #%(id)d: %(reason)s") % {"id": post.pk, "reason": exc.message})
            for problem in exc.problems:
                messages.error(request, problem)
    if approved:
        messages.success(request, _("Approved %(count)d post(s).") % {"count": len(approved)})
        _say_if_going_out_at_once(request, approved)
    return redirect(reverse("posts:queue") + _queue_place(request))  # the page the person was on


def _say_if_going_out_at_once(request, posts) -> None:
    """The queue and the post page warned before; after approving, say which went out at once."""
    late = [post for post in posts if post.time_has_passed]
    if late:
        messages.warning(
            request,
            _("The time of %(posts)s had passed: published at once, not at the time shown.")
            % {"posts": ", ".join(f"#{post.pk}" for post in late)},
        )


# --- Publishing: targets and the kill switch ----------------------------------------------


def _get_target(user, pk: int) -> PostTarget:
    target = get_object_or_404(PostTarget.objects.select_related("post", "account"), pk=pk)
    if not access.can_view_post(user, target.post):
        raise Http404
    return target


def _target_action(request, pk: int, action):
    target = _get_target(request.user, pk)  # 404 for anyone who may not see it
    try:
        action(target)
    except PostError as exc:
        _problems_message(request, exc)
    return redirect(next_or(request, reverse("posts:detail", args=[target.post_id])))


@require_POST
@login_required
def target_retry(request, pk: int):
    def retry(target):
        services.target_retry(target=target, by=request.user)
        messages.success(
            request, _("%(account)s will be tried again now.") % {"account": target.account.display_handle}
        )

    return _target_action(request, pk, retry)


@require_POST
@login_required
def target_resolve(request, pk: int):
    form = ResolveForm(request.POST)

    def resolve(target):
        if not form.is_valid():
            raise _invalid(form)
        services.target_resolve_unconfirmed(
            target=target,
            by=request.user,
            published=form.cleaned_data["decision"] == "published",
            url=form.cleaned_data["url"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Recorded."))

    return _target_action(request, pk, resolve)


@require_POST
@login_required
def target_withdraw(request, pk: int):
    form = WithdrawForm(request.POST)
    target = _get_target(request.user, pk)
    if (
        form.is_valid()
        and not form.confirmed
        and target.state == PostTarget.State.PUBLISHED
        and access.can_approve_for(request.user, target.account)
    ):
        return _confirmation(
            request,
            form=form,
            title=_("Withdraw post #%(id)d from %(account)s?")
            % {"id": target.post_id, "account": target.account.display_handle},
            question=_("The post is deleted from the platform. This cannot be undone."),
            details=[(_("Reason for withdrawing"), form.cleaned_data["reason"])],
            button=_("Withdraw from the platform"),
            back=next_or(request, reverse("posts:detail", args=[target.post_id])),
        )

    def withdraw(target):
        if not form.is_valid():
            raise _invalid(form)
        services.target_withdraw(target=target, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("The post was deleted from %(account)s.") % {"account": target.account.display_handle}
        )

    return _target_action(request, pk, withdraw)


@require_POST
@login_required
def publishing_switch(request):
    if not access.is_administrator(request.user):
        raise Http404
    form = PublishingSwitchForm(request.POST)
    try:
        if not form.is_valid():
            raise _invalid(form)
        if not form.confirmed:
            if form.cleaned_data["paused"]:
                if not form.cleaned_data["reason"].strip():
                    raise PostError(_("Give the reason for pausing all publishing."))
                return _confirmation(
                    request,
                    form=form,
                    title=_("Pause all publishing?"),
                    question=_("Nothing goes out on any account until publishing is resumed; due posts wait."),
                    details=[(_("Reason"), form.cleaned_data["reason"])],
                    button=_("Pause all publishing"),
                    back=reverse("home"),
                )
            return _confirmation(
                request,
                form=form,
                title=_("Resume all publishing?"),
                question=_("Posts that waited while publishing was paused go out now."),
                button=_("Resume all publishing"),
                back=reverse("home"),
            )
        if form.cleaned_data["paused"]:
            services.publishing_pause_all(by=request.user, reason=form.cleaned_data["reason"])
            messages.warning(request, _("All publishing is paused."))
        else:
            services.publishing_resume_all(by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Publishing resumed; posts that waited go out now."))
    except PostError as exc:
        _problems_message(request, exc)
    return redirect("home")
