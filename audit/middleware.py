"""Who is acting in this request, for the records written by model signals (audit.recording)."""

import contextvars

_actor = contextvars.ContextVar("audit_actor", default=None)


def current_actor():
    """The signed-in person of the request being served, or None (a task, the shell, a migration)."""
    user = _actor.get()
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


class RememberActorMiddleware:
    """Keeps request.user (still lazy) for the length of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _actor.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)
