"""Where a form may send people back to: only this site (the `next` parameter)."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_or(request, default: str, *, field: str = "next") -> str:
    """`next` from the form or query string when it points at this site, else `default`.

    https://evil.example/, //evil.example/ and javascript: are ignored.
    """
    wanted = request.POST.get(field) or request.GET.get(field) or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return wanted
    return default
