from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports import charts, export, selectors
from reports.forms import ReportForm


@login_required
@require_GET
def monthly_report(request):
    form = ReportForm(request.GET, user=request.user)
    report = None
    if form.is_valid():
        report = selectors.monthly_report(
            user=request.user,
            month=form.cleaned_data["month"],
            office=form.cleaned_data["office"],
            listed=selectors.LISTED,
        )
    return render(
        request,
        "reports/monthly.html",
        {
            "form": form,
            "report": report,
            "chart": charts.bars(report.chart) if report else None,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def monthly_report_csv(request):
    form = ReportForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("The report's month or office is not valid: %(errors)s") % {"errors": form.errors.as_text()}
        )
    month, office = form.cleaned_data["month"], form.cleaned_data["office"]
    report = selectors.monthly_report(user=request.user, month=month, office=office)
    response = HttpResponse(export.csv_text(report), content_type="text/csv; charset=utf-8")
    name = f"immisns-report-{month}" + (f"-{office.code}" if office else "") + ".csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
