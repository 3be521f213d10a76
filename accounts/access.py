"""The one place that answers "may this user … ?" (§3 of DESIGN).

- poster: sees and drafts for the accounts of their own office;
- supervisor: sees, drafts for and approves the accounts of their office and
  of every office below it (the agency is the root);
- viewer: sees the accounts of their office and below, read only;
- Django staff (administrators): everything, and the admin.

Every view, form, queryset, task and admin page asks this module. The
querysets it returns are already scoped; nothing else filters by role.
"""

from django.db.models import QuerySet

from accounts.models import Membership, Office, SocialAccount

Role = Membership.Role


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_administrator(user) -> bool:
    return _active(user) and user.is_staff


def _office_tree() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for office_id, parent_id in Office.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(office_id)
    return children


def _with_descendants(office_ids: set[int], tree: dict[int | None, list[int]]) -> set[int]:
    found: set[int] = set()
    stack = list(office_ids)
    while stack:
        office_id = stack.pop()
        if office_id not in found:
            found.add(office_id)
            stack.extend(tree.get(office_id, []))
    return found


def _office_ids(user, roles: dict[str, bool]) -> set[int]:
    """Offices reached through the given roles; True means the role reaches the subtree."""
    if not _active(user):
        return set()
    memberships = list(Membership.objects.filter(user=user, role__in=roles).values_list("office_id", "role"))
    direct = {office_id for office_id, role in memberships if not roles[role]}
    subtree_roots = {office_id for office_id, role in memberships if roles[role]}
    if subtree_roots:
        direct |= _with_descendants(subtree_roots, _office_tree())
    return direct


_SEE = {Role.POSTER: False, Role.SUPERVISOR: True, Role.VIEWER: True}
_DRAFT = {Role.POSTER: False, Role.SUPERVISOR: True}
_APPROVE = {Role.SUPERVISOR: True}


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
