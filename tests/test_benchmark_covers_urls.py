"""The page benchmark (benchmarks/pages.py) times every URL, or names it as left out with the reason (issue 24).

As the second-factor test classifies every URL pattern: a URL added without a
line in the benchmark's lists fails here, and so does a line whose URL is gone.
"""

import types

from django.http import HttpResponse
from django.urls import path

from benchmarks import pages
from tests.conftest import every_pattern


def covered(view_name: str, namespaces: tuple, callback) -> bool:
    module = getattr(callback, "view_class", callback).__module__
    if module.startswith("allauth."):
        return True  # pages.ALLAUTH_EXCLUDED
    if view_name in pages.TIMED or view_name in pages.ADMIN_TIMED or view_name in pages.EXCLUDED:
        return True
    # The admin's per-model pages, by the end of their names: the changelists timed, the rest left out.
    return "admin" in namespaces and view_name.endswith((*pages.ADMIN_TIMED_SUFFIXES, *pages.ADMIN_EXCLUDED_SUFFIXES))


def unaccounted() -> list[str]:
    return [name for name, namespaces, callback in every_pattern() if not covered(name, namespaces, callback)]


def test_every_url_is_timed_or_left_out_with_a_reason():
    assert unaccounted() == [], "time these pages in benchmarks/pages.py, or name them in EXCLUDED with a reason"


def test_every_url_the_benchmark_names_still_exists():
    names = {name for name, _namespaces, _callback in every_pattern()}
    listed = pages.TIMED | pages.ADMIN_TIMED | set(pages.EXCLUDED)
    assert sorted(listed - names) == []


def test_a_url_is_either_timed_or_left_out_not_both():
    assert sorted((pages.TIMED | pages.ADMIN_TIMED) & set(pages.EXCLUDED)) == []
    assert all(reason.strip() for reason in pages.EXCLUDED.values())


def test_a_url_added_without_a_line_in_the_benchmark_is_found(settings):
    import immisns.urls

    urlconf = types.ModuleType("urls_with_a_new_page")
    urlconf.urlpatterns = [  # type: ignore[attr-defined]
        *immisns.urls.urlpatterns,
        path("new-page/", lambda request: HttpResponse(), name="new_page"),
    ]
    settings.ROOT_URLCONF = urlconf
    assert unaccounted() == ["new_page"]
