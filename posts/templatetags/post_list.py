"""{% load post_list %}: the part of a post list's row that repeats for every target.

A row names each account its post goes to, up to 21. Written here in one pass,
each account's link made once per page (kept in the render context, as Django's
own {% include %} keeps its templates), a page of 50 posts to many accounts
stays quick to draw. The markup is the one the row template had.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def target_accounts(context, post) -> SafeString:
    """Each target's account as a link to its page, "Held" beside a target waiting on its account."""
    made = context.render_context.dicts[0].setdefault("post_list.target_accounts", {})
    if "held" not in made:
        made["held"] = format_html(' <span class="post-state state-held">{}</span>', gettext("Held"))
    parts = []
    for target in post.targets.all():
        account = target.account
        key = (account.pk, account.handle, account.platform)
        link = made.get(key)
        if link is None:
            link = made[key] = format_html(
                '<a class="handle" href="{}">{}</a>', account.get_absolute_url(), account.display_handle
            )
        parts.append(link + made["held"] if target.held_by_account else link)
    return mark_safe(" ".join(parts))  # every part was escaped by format_html
