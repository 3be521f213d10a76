"""The disclaimer footer every published post ends with (docs/architecture.md, publishing; §5–§6 of the policy).

compose() is the one function that says what text goes out on an account: the
composer's preview uses it now, the publishing worker uses it at publish time.
"""

from django.conf import settings
from django.db import models

from accounts.models import SocialAccount
from posts.models import Footer

SEPARATOR = "\n\n"
# Footers name the operating policy's address with this placeholder; the address
# itself is a setting (PUBLIC_POLICY_URL), where the agency publishes the policy.
POLICY_URL_PLACEHOLDER = "{policy_url}"


def footer_for(account: SocialAccount, *, versions: list[Footer] | None = None) -> Footer | None:
    """The footer in force for the account: its own override, else its platform's; newest version.

    `versions` lets a caller that handles many accounts at once (the publishing
    engine) load every footer version in one query and pick from that.
    """
    if versions is None:
        versions = list(
            Footer.objects.filter(platform=account.platform).filter(
                models.Q(account=account) | models.Q(account__isnull=True)
            )
        )
    own = [f for f in versions if f.account_id == account.pk]
    shared = [f for f in versions if f.account_id is None and f.platform == account.platform]
    return max(own or shared, key=lambda f: f.version, default=None)


def compose(body: str, account: SocialAccount) -> str:
    """The exact text that would be published on that account now."""
    return join(body, footer_for(account))


def footer_text(footer: Footer) -> str:
    """The footer's words as published: the policy's address filled in."""
    return footer.text.strip().replace(POLICY_URL_PLACEHOLDER, settings.PUBLIC_POLICY_URL)


def join(body: str, footer: Footer | None) -> str:
    """The body followed by the footer, as published."""
    body = body.strip()
    if footer is None or not footer_text(footer):
        return body
    return f"{body}{SEPARATOR}{footer_text(footer)}"


def footer_next_version(*, platform: str, account: SocialAccount | None) -> int:
    latest = Footer.objects.filter(platform=platform, account=account).aggregate(v=models.Max("version"))["v"]
    return (latest or 0) + 1
