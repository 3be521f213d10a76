"""The calendar (/calendar/): a month, a week or a day of posts in JST, and rescheduling from it.

The month and week show the first few posts of each day and "+N more", which
opens the day; the day lists all of its posts a page at a time. No view reads
more posts than it shows.

Reading asks the access module like every page; moving a post goes through
services.post_update, the edit page's own service, so an approved post goes
back for approval and the four-eyes rule holds as for any edit.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts import access
from immisns import keyset
from immisns.redirects import next_or
from immisns.rows import RowTemplate, id_link
from posts import calendar, office_hours, preview, selectors, services
from posts.errors import PostError
from posts.forms import CalendarFilterForm, MoveForm
from posts.models import DisplayState, Post
from posts.office_hours import JST
from posts.readiness import Problem
from posts.rights import post_rights

# The page names each office's counter hours per day for at most this many offices at once;
# beyond that (an agency supervisor sees every bureau) it asks to choose an office.
HOURS_OFFICES = 4


def may_move(user, post: Post) -> bool:
    """What the post page's Edit button asks (posts.rights), from the targets the calendar prefetched."""
    return post_rights(user, post).edit


def _url(params: dict) -> str:
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return reverse("calendar") + (f"?{urlencode(kept)}" if kept else "")


@require_safe
@login_required
def calendar_page(request):
    user = request.user
    form = CalendarFilterForm(request.GET or None, user=user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    now = timezone.now()
    today = now.astimezone(JST).date()
    view = filters.get("view") or calendar.MONTH
    window = calendar.span(view, filters.get("date") or today)
    in_window = selectors.posts_on_calendar(
        user,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        state=filters.get("state") or "",
        account=filters.get("account"),
        office=filters.get("office"),
    )
    page = None
    if view == calendar.DAY:
        # One day, a page at a time, and how many it holds.
        page = keyset.paginate(
            in_window, ordering=selectors.CALENDAR_ORDER, params=request.GET if filters else {}, size=calendar.DAY_PAGE
        )
        posts = page.items
        totals = {window.first: in_window.count()} if page.has_other_pages else {}
    else:
        posts = list(selectors.first_of_each_day(in_window, calendar.PER_DAY[view]))
        totals = {calendar.jst_day(post.scheduled_at): post.day_total for post in posts}

    visible = list(access.accounts_visible_to(user).order_by("office__sort_order", "platform", "sort_order"))
    offices_of_accounts = {a.office_id: a.office for a in visible}
    if filters.get("office"):
        shown = [filters["office"]]
    elif filters.get("account"):
        shown = [filters["account"].office]
    else:
        shown = list(offices_of_accounts.values())
    # Too many offices to name each one's hours every day: closure days are still marked, hours wait
    # for an office to be chosen.
    choose_office = len(shown) > HOURS_OFFICES
    offices = {**offices_of_accounts, **{o.pk: o for o in shown}}
    schedules = office_hours.schedules(
        offices.values(),
        first=min(window.first, today),
        last=max(window.last, today + dt.timedelta(days=office_hours.SEARCH_DAYS)),
    )
    weeks, upcoming = calendar.build(
        window, posts=posts, totals=totals, schedules=schedules, offices=shown, today=today, now=now
    )
    if choose_office:
        upcoming = []
    movable = {post.pk for post in posts if may_move(user, post)}
    here = request.get_full_path()
    detail_link = id_link("posts:detail")
    line = RowTemplate("posts/_calendar_line.html", {})
    move_form = RowTemplate("posts/_calendar_move.html", {"here": here, "csrf_token": get_token(request)})
    labels = {state: str(state.label) for state in DisplayState}
    for week in weeks:
        for day in week:
            for entry in day.entries:
                post, movable_here = entry.post, entry.post.pk in movable
                values = {"pk": post.pk, "revision": post.revision, "day": entry.day_text, "time": entry.hh_mm}
                entry.line = line(
                    {"draggable": movable_here, "outside": entry.outside_hours, "more": entry.more_accounts},
                    {
                        "pk": post.pk,
                        "display": entry.state,
                        "label": labels[entry.state],
                        "url": detail_link(post.pk),
                        "at": entry.at.isoformat(),
                        "time": entry.hh_mm,
                        "body": entry.short_body,
                        "handles": format_html_join(
                            "", '<span class="handle">{}</span> ', ((h,) for h in entry.handles)
                        ),
                        "closed_on": "; ".join(entry.closed_on),
                        "move_form": move_form({"state": post.state}, values) if movable_here else "",
                    },
                )

    # The filters, kept in every link the page makes (views, previous, next, today).
    params = {key: request.GET.get(key, "") for key in ("office", "account", "state")} if filters else {}
    params = {**params, "view": view}
    # "+N more" on a day of the month or week opens that day, with the same filters; the date follows.
    day_url = _url({**params, "view": calendar.DAY}) + "&date="
    return render(
        request,
        "posts/calendar.html",
        {
            "form": form,
            "window": window,
            "view": view,
            "weeks": weeks,
            "page": page,
            "day_url": day_url,
            "upcoming": upcoming,
            "choose_office": choose_office,
            "shown_offices": shown,
            "today": today,
            "movable": movable,
            "here": here,
            "previous_url": _url({**params, "date": window.previous.isoformat()}),
            "next_url": _url({**params, "date": window.following.isoformat()}),
            "today_url": _url(params),
            "month_url": _url({**params, "view": calendar.MONTH, "date": window.anchor.isoformat()}),
            "week_url": _url({**params, "view": calendar.WEEK, "date": window.anchor.isoformat()}),
            "day_view_url": _url({**params, "view": calendar.DAY, "date": window.anchor.isoformat()}),
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )


@require_POST
@login_required
def calendar_move(request, pk: int):
    """Reschedule one post to a new day and time (a drop on a day, or the keyboard's move form)."""
    post = get_object_or_404(selectors.posts_for(request.user), pk=pk)  # another office's post: 404
    if not may_move(request.user, post):
        raise Http404  # viewers, and posts that can no longer change, have no move form
    back = next_or(request, reverse("calendar"))
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Post #%(id)d was not moved.") % {"id": post.pk})
        for errors in form.errors.values():
            for error in errors:  # ErrorList gives each message as text (django-stubs say it may be the error)
                messages.error(request, str(error))
        return redirect(back)
    if form.cleaned_data["revision"] != post.revision:
        messages.error(
            request,
            _("Post #%(id)d was edited while you were reading the calendar; it was not moved. Look at it again.")
            % {"id": post.pk},
        )
        return redirect(back)
    was = post.state
    targets = list(post.targets.select_related("account__office"))
    new_time = form.cleaned_data["scheduled_at"]
    # Moved into every account's counter hours: the outside-hours reason no longer applies.
    into_hours = all(office_hours.is_open(t.account.office, new_time) for t in targets)
    reason = "" if into_hours else post.outside_hours_reason
    dropped_reason = bool(post.outside_hours_reason.strip()) and not reason
    try:
        post = services.post_update(
            post=post,
            by=request.user,
            body=post.body,
            scheduled_at=new_time,
            accounts=[t.account for t in targets],
            overrides={t.account_id: t.body_override for t in targets if t.body_override},
            outside_hours_reason=reason,
        )
    except PostError as exc:
        messages.error(request, _("Post #%(id)d was not moved: %(reason)s") % {"id": post.pk, "reason": exc.message})
        for problem in exc.problems:
            messages.error(request, problem)
        return redirect(back)
    when = post.scheduled_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
    if was == Post.State.APPROVED:
        messages.warning(
            request,
            _("Post #%(id)d moved to %(when)s JST. Its approval was voided: it waits for approval again.")
            % {"id": post.pk, "when": when},
        )
    elif was == Post.State.PENDING and post.author_id != request.user.pk:
        messages.warning(
            request,
            _(
                "Post #%(id)d moved to %(when)s JST. The move is a new revision: it waits for approval by "
                "another supervisor, not you."
            )
            % {"id": post.pk, "when": when},
        )
    else:
        messages.success(request, _("Post #%(id)d moved to %(when)s JST.") % {"id": post.pk, "when": when})
    if dropped_reason:
        messages.info(request, _("The outside-hours reason was removed: the new time is within counter hours."))
    # What the composer's preview says about the new time: a closed counter, and a reason still owed.
    closed = [p for p in preview.post_previews(post) if p.is_open is False]
    for target in closed:
        messages.warning(
            request,
            _("%(account)s: the counter is closed then (%(reason)s).")
            % {"account": target.account.display_handle, "reason": target.closed_reason or target.hours_problem},
        )
    if closed and not post.outside_hours_reason.strip():
        messages.warning(
            request, Problem("outside_hours", {"accounts": [p.account.display_handle for p in closed]}).message
        )
    return redirect(back)
