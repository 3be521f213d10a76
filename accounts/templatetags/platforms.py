"""{% load platforms %}: what an account's platform lets the console do, asked from a template.

``{{ account|capabilities }}`` is ``accounts.platforms.capabilities_for(account)``,
so a template tests a capability (``.counts_weighted_length``, ``.block_author``)
rather than which platform the account is on.
"""

from django import template

from accounts.models import SocialAccount
from accounts.platforms.capabilities import Capabilities, capabilities_for

register = template.Library()


@register.filter
def capabilities(account_or_platform: SocialAccount | str) -> Capabilities:
    return capabilities_for(account_or_platform)
