from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import access
from audit import export, selectors
from audit.entries import Entry, Names
from audit.forms import AuditFilterForm


def _form(request) -> AuditFilterForm:
    if not access.can_view_audit_log(request.user):
        raise Http404
    return AuditFilterForm(request.GET, user=request.user)


@login_required
@require_GET
def audit_log(request):
    form = _form(request)
    unknown_person = ""
    if form.is_valid():
        filters = form.filters()
        page = selectors.audit_page(user=request.user, filters=filters, params=request.GET)
        names = Names.load()
        rows = [Entry.from_row(row, names) for row in page]
        if not rows and filters.person and not selectors.people_named(filters.person):
            unknown_person = filters.person  # an empty page says why when the name is nobody's
    else:
        page, rows = None, []
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "entries": rows,
            "unknown_person": unknown_person,
            "export_query": query.urlencode(),
        },
    )


FORMATS = {
    "csv": ("text/csv; charset=utf-8", export.csv_lines),
    "jsonl": ("application/x-ndjson; charset=utf-8", export.jsonl_lines),
}


def _in_language(language: str, lines):
    # The response is read after the view returns: keep the reader's language for its words.
    with translation.override(language):
        yield from lines


@login_required
@require_GET
def audit_export(request, fmt: str):
    form = _form(request)
    if fmt not in FORMATS:
        raise Http404
    if not form.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid: %(errors)s") % {"errors": form.errors.as_text()})
    content_type, lines = FORMATS[fmt]
    rows = selectors.audit_rows(user=request.user, filters=form.filters())
    response = StreamingHttpResponse(_in_language(translation.get_language(), lines(rows)), content_type=content_type)
    filename = f"immisns-audit-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
