"""The one place that answers "may this user … ?" (docs/architecture.md, the workflow).

- poster: sees and drafts for the accounts of their own office, a bureau's
  branch offices (支局) included, as they are part of the bureau;
- supervisor: sees, drafts for and approves the accounts of their office and
  of every office below it (the agency is the root);
- viewer: sees the accounts of their office and below, read only;
- Django staff (administrators): everything, and the admin.

Every view, form, queryset, task and admin page asks this module. The
querysets it returns are already scoped; nothing else filters by role.

Whether a person may approve, edit, submit or cancel a post *now* is answered
by posts.rights (this app sits below posts and never imports it): it asks
can_edit_post / can_approve_post here for scope, and adds four eyes, the
post's state and doubt. Services, the queue, the post page and the calendar
ask posts.rights, not these two.
"""

import itertools
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import Membership, Office, SocialAccount

Role = Membership.Role


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_administrator(user) -> bool:
    return _active(user) and user.is_staff


def _with_descendants(office_ids: set[int], tree: dict[int | None, list[int]]) -> set[int]:
    found: set[int] = set()
    stack = list(office_ids)
    while stack:
        office_id = stack.pop()
        if office_id not in found:
            found.add(office_id)
            stack.extend(tree.get(office_id, []))
    return found


# How far a role reaches from the office it is held at.
OWN_OFFICE = "own"  # the office and its branch offices (支局 are part of their bureau)
SUBTREE = "subtree"  # the office and every office below it

_SEE: dict[str, str] = {Role.POSTER: OWN_OFFICE, Role.SUPERVISOR: SUBTREE, Role.VIEWER: SUBTREE}
_DRAFT: dict[str, str] = {Role.POSTER: OWN_OFFICE, Role.SUPERVISOR: SUBTREE}
_APPROVE: dict[str, str] = {Role.SUPERVISOR: SUBTREE}


# --- One scope per person, computed once --------------------------------------------------------
# Every question below is answered from sets held by a Scope, so a page asking
# about 21 accounts or 50 posts costs the same few queries as one asking once.
# The scope is kept on the user object (one per request) and recomputed when
# memberships, offices or accounts change in this process (_generation), or
# when the user's own flags differ from when it was computed.

_generation = itertools.count()
_current_generation = [next(_generation)]


def scopes_changed(**_kwargs) -> None:
    """Signal receiver: memberships, offices or accounts changed; every kept scope is stale."""
    _current_generation[0] = next(_generation)


@dataclass(frozen=True)
class Scope:
    """What one person may see, draft for and approve: office ids, and account ids on demand."""

    user_id: int | None
    administrator: bool
    see: frozenset[int] = frozenset()
    draft: frozenset[int] = frozenset()
    approve: frozenset[int] = frozenset()
    supervisor: bool = False  # holds a supervisor membership somewhere
    _accounts: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def active(self) -> bool:
        return self.user_id is not None

    def _account_offices(self) -> dict[int, int]:
        if "offices" not in self._accounts:
            self._accounts["offices"] = dict(SocialAccount.objects.values_list("id", "office_id"))
        return self._accounts["offices"]

    def all_account_ids(self) -> set[int]:
        return set(self._account_offices())

    def account_ids(self, offices: frozenset[int]) -> set[int]:
        """Ids of the accounts at the given offices (one query per scope, for all three sets)."""
        return {pk for pk, office_id in self._account_offices().items() if office_id in offices}

    def may_see(self, account) -> bool:
        return self.administrator or (self.active and account.office_id in self.see)

    def may_draft(self, account) -> bool:
        return self.administrator or (self.active and account.office_id in self.draft)

    def may_approve(self, account) -> bool:
        return self.administrator or (self.active and account.office_id in self.approve)


_NOBODY = Scope(user_id=None, administrator=False)


def _compute_scope(user) -> Scope:
    if not _active(user):
        return _NOBODY
    if user.is_staff:
        return Scope(user_id=user.pk, administrator=True, supervisor=True)
    memberships = list(Membership.objects.filter(user=user).values_list("office_id", "role"))
    if not memberships:
        return Scope(user_id=user.pk, administrator=False)
    offices = list(Office.objects.values_list("id", "parent_id", "kind"))
    tree: dict[int | None, list[int]] = {}
    for office_id, parent_id, _kind in offices:
        tree.setdefault(parent_id, []).append(office_id)
    branches = {office_id for office_id, _parent, kind in offices if kind == Office.Kind.BRANCH}

    def reached(roles: dict[str, str]) -> frozenset[int]:
        found: set[int] = set()
        for office_id, role in memberships:
            if role not in roles:
                continue
            if roles[role] == SUBTREE:
                found |= _with_descendants({office_id}, tree)
            else:
                found |= {office_id} | {child for child in tree.get(office_id, []) if child in branches}
        return frozenset(found)

    return Scope(
        user_id=user.pk,
        administrator=False,
        see=reached(_SEE),
        draft=reached(_DRAFT),
        approve=reached(_APPROVE),
        supervisor=any(role == Role.SUPERVISOR for _office, role in memberships),
    )


def scope_of(user) -> Scope:
    """The person's scope, computed once per user object (a request's user) and kept while valid."""
    if not _active(user):
        return _NOBODY
    key = (_current_generation[0], user.pk, user.is_staff, user.is_active)
    kept = getattr(user, "_access_scope", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    scope = _compute_scope(user)
    try:
        user._access_scope = (key, scope)
    except AttributeError:  # a user object that takes no attributes is simply not cached
        pass
    return scope


def offices_visible_to(user) -> QuerySet[Office]:
    if is_administrator(user):
        return Office.objects.all()
    return Office.objects.filter(id__in=scope_of(user).see)


def _accounts_at(user, offices: frozenset[int]) -> QuerySet[SocialAccount]:
    accounts = SocialAccount.objects.select_related("office")
    if is_administrator(user):
        return accounts.all()
    if not offices:
        return accounts.none()
    return accounts.filter(office_id__in=offices)


def accounts_visible_to(user) -> QuerySet[SocialAccount]:
    """Accounts the user may see (and see the posts of)."""
    return _accounts_at(user, scope_of(user).see)


def accounts_draftable_by(user) -> QuerySet[SocialAccount]:
    """Accounts the user may write posts for."""
    return _accounts_at(user, scope_of(user).draft)


def accounts_approvable_by(user) -> QuerySet[SocialAccount]:
    """Accounts whose posts the user may approve or reject."""
    return _accounts_at(user, scope_of(user).approve)


def can_view_account(user, account: SocialAccount) -> bool:
    return scope_of(user).may_see(account)


def can_draft_for(user, account: SocialAccount) -> bool:
    return scope_of(user).may_draft(account)


def can_approve_for(user, account: SocialAccount) -> bool:
    return scope_of(user).may_approve(account)


def may_draft_anything(user) -> bool:
    scope = scope_of(user)
    return scope.administrator or bool(scope.draft and scope.account_ids(scope.draft))


def can_approve_anything(user) -> bool:
    return scope_of(user).supervisor


def must_use_mfa(user) -> bool:
    """Supervisors and administrators must sign in with a second factor."""
    return can_approve_anything(user)


def can_pause_account(user, account: SocialAccount) -> bool:
    """Pausing and resuming an account is the administrators' kill switch."""
    return is_administrator(user)


def can_connect_accounts(user) -> bool:
    """Connecting, re-authorising and disconnecting accounts: administrators only (and, by the
    middleware's URL table, with the second factor in this sign-in)."""
    return is_administrator(user)


def can_connect_account(user, account: SocialAccount) -> bool:
    return can_connect_accounts(user)


def can_view_audit_log(user) -> bool:
    """Everyone with a role reads the audit log of what they may see; administrators read all of it."""
    scope = scope_of(user)
    return scope.administrator or bool(scope.see)


def office_and_below(office_id: int) -> set[int]:
    """The office and every office under it (a filter by office covers its subtree)."""
    tree: dict[int | None, list[int]] = {}
    for pk, parent_id in Office.objects.values_list("id", "parent_id"):
        tree.setdefault(parent_id, []).append(pk)
    return _with_descendants({office_id}, tree)


def _ancestors_and_self(office_ids: set[int]) -> set[int]:
    parents = dict(Office.objects.values_list("id", "parent_id"))
    found: set[int] = set()
    for start in office_ids:
        office_id: int | None = start
        while office_id is not None and office_id not in found:
            found.add(office_id)
            office_id = parents.get(office_id)
    return found


def supervisors_for(accounts) -> "QuerySet":
    """Active people who may approve for at least one of the accounts (for notifications)."""
    from django.contrib.auth import get_user_model

    office_ids = _ancestors_and_self({account.office_id for account in accounts})
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=Role.SUPERVISOR,
            memberships__office_id__in=office_ids,
        )
        .distinct()
    )


def moderators_for(account: SocialAccount) -> list:
    """Active people who may moderate the account's replies through a membership (for notifications).

    Candidates hold a poster or supervisor membership at the account's office
    or above it; can_moderate_replies decides, so the rule stays in one place.
    Administrators without a membership are left out, as in supervisors_for.
    """
    from django.contrib.auth import get_user_model

    office_ids = _ancestors_and_self({account.office_id})
    candidates = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role__in=[Role.POSTER, Role.SUPERVISOR],
            memberships__office_id__in=office_ids,
        )
        .distinct()
    )
    return [person for person in candidates if can_moderate_replies(person, account)]


# --- Posts --------------------------------------------------------------------------------
# These take post objects and querysets from the posts app (which sits above
# this one) without importing it.


def _targets_model(posts: QuerySet):
    return posts.model._meta.get_field("targets").related_model


def posts_visible_to(user, posts: QuerySet) -> QuerySet:
    """The posts a user may see: their own, and those with a target on an account they may see."""
    if is_administrator(user):
        return posts
    if not _active(user):
        return posts.none()
    scope = scope_of(user)
    visible = scope.account_ids(scope.see)
    if not visible:
        return posts.filter(author=user)
    # EXISTS rather than a join: no DISTINCT, and the order by the post's own columns stays
    # indexable. The GROUP BY … HAVING keeps PostgreSQL from turning the EXISTS beside the OR
    # into a hash of every target of every post (built before the first row of a page): asked
    # row by row, it costs one index probe per post read, 51 for a page.
    on_visible = (
        _targets_model(posts)
        .objects.filter(post=OuterRef("pk"), account_id__in=visible)
        .values("post")
        .annotate(targets=Count("pk"))
        .filter(targets__gt=0)
    )
    return posts.filter(Q(author=user) | Exists(on_visible))


def posts_approvable_by(user, posts: QuerySet) -> QuerySet:
    """Posts the user may approve: every target in their scope, and not written by them."""
    if not _active(user):
        return posts.none()
    scope = scope_of(user)
    posts = posts.exclude(author=user)
    if scope.administrator:
        return posts
    outside = scope.all_account_ids() - scope.account_ids(scope.approve)
    if not outside:
        return posts
    return posts.exclude(Exists(_targets_model(posts).objects.filter(post=OuterRef("pk"), account_id__in=outside)))


def _target_offices(scope: Scope, post) -> list[int | None]:
    """The office of each of the post's targets, from the (usually prefetched) targets and the scope's map.

    None for an account the map does not know (added after it was read): inside no scope.
    """
    offices = scope._account_offices()
    return [offices.get(target.account_id) for target in post.targets.all()]


def can_view_post(user, post) -> bool:
    if not _active(user):
        return False
    scope = scope_of(user)
    if scope.administrator or post.author_id == user.pk:
        return True
    return any(office in scope.see for office in _target_offices(scope, post))


def can_edit_post(user, post) -> bool:
    """Scope only: the author while they may still draft for every target, or a supervisor over every target.

    posts.rights adds the post's state and doubt; ask it whether an edit or a cancel may happen now.
    """
    if not _active(user):
        return False
    scope = scope_of(user)
    if scope.administrator:
        return True
    offices = _target_offices(scope, post)
    if post.author_id == user.pk and all(office in scope.draft for office in offices):
        return True
    return bool(offices) and all(office in scope.approve for office in offices)


def can_approve_post(user, post) -> bool:
    """§3: nobody approves their own post; the approver's scope covers every target.

    Scope only: posts.rights adds four eyes (editors since the last approval), the state and doubt.
    """
    if not _active(user) or post.author_id == user.pk:
        return False
    scope = scope_of(user)
    offices = _target_offices(scope, post)
    if scope.administrator:
        return bool(offices)
    return bool(offices) and all(office in scope.approve for office in offices)


# --- What the public writes (replies, mentions, comments) ------------------------------------
# These take moderation's reply querysets without importing it.


def replies_visible_to(user, replies: QuerySet) -> QuerySet:
    """Replies on the accounts the user may see: a poster's own office, a supervisor's or viewer's subtree.

    Viewers (auditors) read the replies and the decisions on them; acting on
    them is can_moderate_replies / can_remove_replies below.
    """
    if is_administrator(user):
        return replies
    if not _active(user):
        return replies.none()
    return replies.filter(account__in=accounts_visible_to(user).values("pk"))


def can_read_replies(user, account: SocialAccount) -> bool:
    """The replies and the decision history of an account: everyone who may see it, viewers included."""
    return can_view_account(user, account)


def can_moderate_replies(user, account: SocialAccount) -> bool:
    """Hide, show again and confirm: anyone who may post to the account."""
    return can_draft_for(user, account)


def can_remove_replies(user, account: SocialAccount) -> bool:
    """Delete a comment or ban its author: supervisors over the account (and administrators)."""
    return can_approve_for(user, account)
