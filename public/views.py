"""The public pages (docs/architecture.md, the pages): no login, nothing but what the agency publishes.

The language comes from ?lang= or the browser's Accept-Language; a page chosen
by Accept-Language says so in Vary, so a cache keeps one copy per language.
"""

from django import forms
from django.core.validators import RegexValidator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from public import pages
from public.models import PolicyVersion


def _render(request, template: str, context: dict):
    response = render(request, template, context)
    if "lang" not in request.GET:
        patch_vary_headers(response, ["Accept-Language"])
    return response


@require_safe
def policy(request):
    in_effect = pages.versions_in_effect()
    if not in_effect:
        raise Http404("No operating policy has taken effect yet.")
    context = pages.policy_context(pages.language_of(request), pages.LiveLinks(), in_effect[0], in_effect)
    return _render(request, "public/policy.html", context)


@require_safe
def policy_version(request, number: int):
    in_effect = pages.versions_in_effect()
    version = next((item for item in in_effect if item.number == number), None)
    if version is None:
        # A version not yet in force is a draft of the agency's: not public.
        raise Http404(PolicyVersion._meta.verbose_name)
    context = pages.policy_context(pages.language_of(request), pages.LiveLinks(), version, in_effect)
    return _render(request, "public/policy.html", context)


@require_safe
def official_accounts(request):
    context = pages.accounts_context(pages.language_of(request), pages.LiveLinks())
    return _render(request, "public/official_accounts.html", context)


@require_safe
def official_accounts_json(request):
    response = JsonResponse(pages.account_list_data(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    # Other government sites embed or check against this list.
    response["Access-Control-Allow-Origin"] = "*"
    return response


class TransparencyMonthForm(forms.Form):
    """?month=YYYY-MM of the transparency report (none: the newest month)."""

    month = forms.CharField(required=False, max_length=7, validators=[RegexValidator(r"^[0-9]{4}-(0[1-9]|1[0-2])$")])


@require_safe
def transparency(request):
    form = TransparencyMonthForm(request.GET)
    if not form.is_valid():
        raise Http404("No such month.")
    context = pages.transparency_context(pages.language_of(request), pages.LiveLinks(), form.cleaned_data["month"])
    if context is None:
        raise Http404("No report for that month.")
    return _render(request, "public/transparency.html", context)


@require_safe
def transparency_json(request):
    response = JsonResponse(pages.transparency_data(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
