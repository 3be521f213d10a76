"""{% load post_list %}: the part of a post list's row that repeats for every target.

A row names the accounts its post goes to, up to 21: the first ROW_ACCOUNTS
in the usual account order, then how many more, with the post's own page
(which lists every target and its state) one click away. A target held by
its account (paused, or waiting for re-authorisation) is always named, as it
needs a person. Written here in one pass, each account's link made once per
page (kept in the render context, as Django's own {% include %} keeps its
templates), a page of 50 posts to many accounts stays quick to draw.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()

# Enough to tell a post for one office from one for all 21 accounts at a glance.
ROW_ACCOUNTS = 5


@register.simple_tag(takes_context=True)
def target_accounts(context, post) -> SafeString:
    """The first accounts as links to their pages, "Held" beside a target waiting on its account, then "+N"."""
    made = context.render_context.dicts[0].setdefault("post_list.target_accounts", {})
    if "held" not in made:
        made["held"] = format_html(' <span class="post-state state-held">{}</span>', gettext("Held"))
    parts = []
    targets = post.targets.all()
    for place, target in enumerate(targets):
        held = target.held_by_account
        if place >= ROW_ACCOUNTS and not held:
            continue
        account = target.account
        key = (account.pk, account.handle, account.platform)
        link = made.get(key)
        if link is None:
            link = made[key] = format_html(
                '<a class="handle" href="{}">{}</a>', account.get_absolute_url(), account.display_handle
            )
        parts.append(link + made["held"] if held else link)
    if hidden := len(targets) - len(parts):
        more = ngettext("+%(count)d more account", "+%(count)d more accounts", hidden) % {"count": hidden}
        parts.append(format_html('<span class="more-accounts muted small">{}</span>', more))
    return mark_safe(" ".join(parts))  # every part was escaped by format_html
