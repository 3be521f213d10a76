"""The one place that answers "may this user … ?" (§3 of DESIGN).

- poster: sees and drafts for the accounts of their own office, a bureau's
  branch offices (支局) included, as they are part of the bureau;
- supervisor: sees, drafts for and approves the accounts of their office and
  of every office below it (the agency is the root);
- viewer: sees the accounts of their office and below, read only;
- Django staff (administrators): everything, and the admin.

Every view, form, queryset, task and admin page asks this module. The
querysets it returns are already scoped; nothing else filters by role.
"""

from django.db.models import Q, QuerySet

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


def _office_ids(user, roles: dict[str, str]) -> set[int]:
    """Offices reached through the given roles."""
    if not _active(user):
        return set()
    memberships = list(Membership.objects.filter(user=user, role__in=roles).values_list("office_id", "role"))
    if not memberships:
        return set()
    offices = list(Office.objects.values_list("id", "parent_id", "kind"))
    tree: dict[int | None, list[int]] = {}
    for office_id, parent_id, _kind in offices:
        tree.setdefault(parent_id, []).append(office_id)
    branches = {office_id for office_id, _parent, kind in offices if kind == Office.Kind.BRANCH}
    found: set[int] = set()
    for office_id, role in memberships:
        if roles[role] == SUBTREE:
            found |= _with_descendants({office_id}, tree)
        else:
            found |= {office_id} | {child for child in tree.get(office_id, []) if child in branches}
    return found


_SEE = {Role.POSTER: OWN_OFFICE, Role.SUPERVISOR: SUBTREE, Role.VIEWER: SUBTREE}
_DRAFT = {Role.POSTER: OWN_OFFICE, Role.SUPERVISOR: SUBTREE}
_APPROVE = {Role.SUPERVISOR: SUBTREE}


def offices_visible_to(user) -> QuerySet[Office]:
    if is_administrator(user):
        return Office.objects.all()
    return Office.objects.filter(id__in=_office_ids(user, _SEE))


def accounts_visible_to(user) -> QuerySet[SocialAccount]:
    """Accounts the user may see (and see the posts of)."""
    accounts = SocialAccount.objects.select_related("office")
    if is_administrator(user):
        return accounts.all()
    return accounts.filter(office_id__in=_office_ids(user, _SEE))


def accounts_draftable_by(user) -> QuerySet[SocialAccount]:
    """Accounts the user may write posts for."""
    accounts = SocialAccount.objects.select_related("office")
    if is_administrator(user):
        return accounts.all()
    return accounts.filter(office_id__in=_office_ids(user, _DRAFT))


def accounts_approvable_by(user) -> QuerySet[SocialAccount]:
    """Accounts whose posts the user may approve or reject."""
    accounts = SocialAccount.objects.select_related("office")
    if is_administrator(user):
        return accounts.all()
    return accounts.filter(office_id__in=_office_ids(user, _APPROVE))


def can_view_account(user, account: SocialAccount) -> bool:
    return accounts_visible_to(user).filter(pk=account.pk).exists()


def can_draft_for(user, account: SocialAccount) -> bool:
    return accounts_draftable_by(user).filter(pk=account.pk).exists()


def can_approve_for(user, account: SocialAccount) -> bool:
    return accounts_approvable_by(user).filter(pk=account.pk).exists()


def can_approve_anything(user) -> bool:
    return is_administrator(user) or (
        _active(user) and Membership.objects.filter(user=user, role=Role.SUPERVISOR).exists()
    )


def must_use_mfa(user) -> bool:
    """Supervisors and administrators must sign in with a second factor."""
    return can_approve_anything(user)


def can_pause_account(user, account: SocialAccount) -> bool:
    """Pausing and resuming an account is the administrators' kill switch."""
    return is_administrator(user)


def _ancestors_and_self(office_ids: set[int]) -> set[int]:
    parents = dict(Office.objects.values_list("id", "parent_id"))
    found: set[int] = set()
    for office_id in office_ids:
        while office_id is not None and office_id not in found:
            found.add(office_id)
            office_id = parents.get(office_id)
    return found


def supervisors_for(accounts) -> "QuerySet":
    """Active people who may approve for at least one of the accounts (for notifications)."""
    from django.contrib.auth import get_user_model

    office_ids = _ancestors_and_self({account.office_id for account in accounts})
    return get_user_model().objects.filter(
        is_active=True, memberships__role=Role.SUPERVISOR, memberships__office_id__in=office_ids,
    ).distinct()


# --- Posts --------------------------------------------------------------------------------
# These take post objects and querysets from the posts app (which sits above
# this one) without importing it.


def posts_visible_to(user, posts: QuerySet) -> QuerySet:
    """The posts a user may see: their own, and those with a target on an account they may see."""
    if is_administrator(user):
        return posts
    if not _active(user):
        return posts.none()
    visible = accounts_visible_to(user).values("pk")
    return posts.filter(Q(author=user) | Q(targets__account__in=visible)).distinct()


def posts_approvable_by(user, posts: QuerySet) -> QuerySet:
    """Posts the user may approve: every target in their scope, and not written by them."""
    if not _active(user):
        return posts.none()
    outside = SocialAccount.objects.exclude(pk__in=accounts_approvable_by(user).values("pk"))
    return posts.exclude(author=user).exclude(targets__account__in=outside)


def can_view_post(user, post) -> bool:
    if not _active(user):
        return False
    if is_administrator(user) or post.author_id == user.pk:
        return True
    visible = set(accounts_visible_to(user).values_list("pk", flat=True))
    return any(target.account_id in visible for target in post.targets.all())


def can_edit_post(user, post) -> bool:
    """The author while they may still draft for every target, or a supervisor over every target."""
    if not _active(user):
        return False
    accounts = [target.account for target in post.targets.all()]
    if post.author_id == user.pk and all(can_draft_for(user, account) for account in accounts):
        return True
    return bool(accounts) and all(can_approve_for(user, account) for account in accounts)


def can_approve_post(user, post) -> bool:
    """§3: nobody approves their own post; the approver's scope covers every target."""
    if not _active(user) or post.author_id == user.pk:
        return False
    accounts = [target.account for target in post.targets.all()]
    return bool(accounts) and all(can_approve_for(user, account) for account in accounts)


# --- What the public writes (replies, mentions, comments) ------------------------------------
# These take moderation's reply querysets without importing it.


def replies_visible_to(user, replies: QuerySet) -> QuerySet:
    """Replies on the accounts the user may post to: a poster's own office, a supervisor's subtree."""
    if is_administrator(user):
        return replies
    if not _active(user):
        return replies.none()
    return replies.filter(account__in=accounts_draftable_by(user).values("pk"))


def can_moderate_replies(user, account: SocialAccount) -> bool:
    """Hide, show again and confirm: anyone who may post to the account."""
    return can_draft_for(user, account)


def can_remove_replies(user, account: SocialAccount) -> bool:
    """Delete a comment or ban its author: supervisors over the account (and administrators)."""
    return can_approve_for(user, account)
