from posts import selectors


def publishing_banner(request):
    """Every signed-in person sees when an administrator has paused all publishing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = selectors.publishing_switch()
    return {"publishing_paused": current if current and current.paused else None}


def unread_notifications(request):
    """The header's count of notifications not yet read (one indexed count per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from posts.models import Notification

    return {"unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
