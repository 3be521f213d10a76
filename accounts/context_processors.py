from accounts import access


def navigation(request):
    """What the top navigation offers this person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_may_draft": access.accounts_draftable_by(user).exists(),
        "nav_may_approve": access.can_approve_anything(user),
        "nav_may_audit": access.can_view_audit_log(user),
        "nav_may_connect": access.can_connect_accounts(user),
    }
