"""What each platform lets the console do, and its limits: asked here, never re-stated.

Views, services, forms, templates and models ask ``capabilities_for(account)``
(or a platform value such as ``"x"``) instead of testing which platform an
account is on. Each adapter class carries its platform's answer as
``capabilities``; the sandbox adapter answers as the platform its account
stands in for, so a sandbox X account offers exactly what a real one does.

The answers are written once, in this module, because it imports no platform
library: a page or a form can ask without loading tweepy or facebook-sdk
(see the package docstring). Each fact names where it comes from: the
platform's documentation, or the installed library the adapter relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import SocialAccount

MB = 1024 * 1024


@dataclass(frozen=True)
class ImageLimits:
    """The images one post may carry on a platform, checked on the cleaned images we upload."""

    max_count: int  # images in one post
    max_bytes: int  # bytes per image
    alt_text_max_chars: int | None  # longest image description; None where none is documented


@dataclass(frozen=True)
class Capabilities:
    platform: str  # the SocialAccount.Platform value
    label: str  # the platform's name as users know it
    # Moderating what the public writes under the account's posts.
    hide_reply: bool
    # The most replies that may be hidden in one conversation; None where no limit is documented.
    hidden_per_conversation: int | None
    delete_reply: bool
    block_author: bool  # keep a person from writing to the account again
    # Change a published post in place through the adapter; otherwise it is withdrawn (deleted).
    edit_post: bool
    # A mentions timeline besides the replies under the account's own posts.
    lists_mentions: bool
    # The platform bills every item a listening read returns (the daily read budget applies).
    bills_reads: bool
    # The longest text a post may have, counted as the platform counts it.
    text_limit: int
    # True: X's weighted length (twitter-text v3, posts.length.weighted_length);
    # False: code points of the NFC-normalised text.
    counts_weighted_length: bool
    images: ImageLimits
    handle_prefix: str  # how a handle is written on the platform: "@" on X
    profile_url_format: str  # "{}" is a handle, or an id where ``profiles_by_id``
    profiles_by_id: bool  # a person's profile also opens at their numeric id

    def display_handle(self, handle: str) -> str:
        return f"{self.handle_prefix}{handle}"

    def profile_url(self, handle_or_id: str) -> str:
        """The public profile of an account or a person on the platform; "" without a handle or id."""
        return self.profile_url_format.format(handle_or_id) if handle_or_id else ""

    def author_profile_url(self, *, handle: str, author_id: str) -> str:
        """Where the author of a reply can be seen (and, where the console cannot block, blocked by hand).

        By handle where the platform gave one; by id only where profiles open at
        an id (on X a number in the address would name another account's handle).
        """
        if handle:
            return self.profile_url(handle)
        return self.profile_url(author_id) if self.profiles_by_id else ""


X = Capabilities(
    platform="x",
    label="X",
    # PUT /2/tweets/:id/hidden (tweepy Client.hide_reply), for replies in conversations the account started;
    # 50 requests per 15 minutes per account (docs.x.com "Hide replies" migration guide).
    hide_reply=True,
    # docs.x.com "Hide replies" introduction: "Each conversation supports hiding up to 725 Posts."
    hidden_per_conversation=725,
    # DELETE /2/tweets/:id deletes only the authenticated account's own posts.
    delete_reply=False,
    # No block endpoint for this kind of app: tweepy 4.17 offers only get_blocked (GET /2/users/:id/blocking).
    block_author=False,
    # X API v2 has no endpoint that edits a post (tweepy has no edit call).
    edit_post=False,
    lists_mentions=True,  # GET /2/users/:id/mentions; replies to our posts are mentions too
    bills_reads=True,  # pay-per-use: every post a read returns is billed
    # twitter-text config/v3.json: maxWeightedTweetLength 280.
    text_limit=280,
    counts_weighted_length=True,
    # docs.x.com "Media upload" introduction: Image 5 MB; best practices: up to 4 photos in a Post.
    # "Create Media metadata": alt_text.text up to 1000 characters.
    images=ImageLimits(max_count=4, max_bytes=5 * MB, alt_text_max_chars=1000),
    handle_prefix="@",
    profile_url_format="https://x.com/{}",
    profiles_by_id=False,
)

FACEBOOK = Capabilities(
    platform="facebook",
    label="Facebook",
    hide_reply=True,  # POST /{comment-id} is_hidden=true|false
    hidden_per_conversation=None,
    delete_reply=True,  # DELETE /{comment-id}, for comments on the Page's posts
    block_author=True,  # POST /{page-id}/blocked user=<id>: the Page's blocked list
    # The Graph API could update a Page post's message (POST /{post-id}), but the adapter
    # offers no edit: a published post is withdrawn instead, as on X.
    edit_post=False,
    # What the public writes to a Page arrives as comments on its posts.
    lists_mentions=False,
    bills_reads=False,
    # Facebook's limit for a Page post's message, in characters.
    text_limit=63206,
    counts_weighted_length=False,
    # Facebook Pages: up to ten photos attached to one feed post, 10 MB per photo.
    # The Photo node's alt_text_custom documents no length limit.
    images=ImageLimits(max_count=10, max_bytes=10 * MB, alt_text_max_chars=None),
    handle_prefix="",
    profile_url_format="https://www.facebook.com/{}",
    profiles_by_id=True,  # people have no handle on Facebook; their id opens their profile
)

_BY_PLATFORM = {capabilities.platform: capabilities for capabilities in (X, FACEBOOK)}

ALL: tuple[Capabilities, ...] = tuple(_BY_PLATFORM.values())


def capabilities_for(account_or_platform: SocialAccount | str) -> Capabilities:
    """What the platform of a SocialAccount (or a platform value, "x" or "facebook") lets the console do.

    Whoever publishes for the account (the sandbox included), the answer is its
    platform's: the sandbox stands in for that platform.
    """
    platform = account_or_platform if isinstance(account_or_platform, str) else account_or_platform.platform
    try:
        return _BY_PLATFORM[platform]
    except KeyError:
        raise ValueError(f"Unknown platform {platform!r}.") from None
