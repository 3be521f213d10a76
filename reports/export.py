"""Every table of the monthly report as CSV: UTF-8 with a BOM (so Excel reads Japanese), headers in the reader's language.

One file, one section per table: its title, its header row, its rows, a blank line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from reports.selectors import MonthlyReport

BOM = "\ufeff"
# A spreadsheet runs a cell that starts with one of these as a formula; what people typed must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""  # not given by the platform: blank, never 0
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def tables(report: MonthlyReport) -> Iterator[tuple[str, list[str], list[list]]]:
    yield (
        _("Accounts"),
        [
            _("Account"),
            _("Posts published"),
            _("In office hours"),
            _("Outside office hours"),
            _("Views"),
            _("Views, change from the previous month"),
            _("Engagement"),
            _("Engagement, change from the previous month"),
            _("Followers"),
            _("Follower growth"),
            _("Figures read at"),
        ],
        [
            [
                row.account.display_handle if row.account else _("Total"),
                row.published,
                row.in_hours,
                row.outside_hours,
                row.views,
                row.views_change,
                row.engagement,
                row.engagement_change,
                row.followers,
                row.growth,
                row.read_at,
            ]
            for row in report.accounts_and_total
        ],
    )
    yield (
        _("Top posts"),
        [_("Post"), _("Account"), _("Published at"), _("Text"), _("Views"), _("Engagement"), _("Figures read at")],
        [
            [p.post_id, p.account.display_handle, p.published_at, p.text, p.views, p.engagement, p.read_at]
            for p in report.top_posts
        ],
    )
    yield (
        _("Posts outside office hours"),
        [_("Post"), _("Account"), _("Published at"), _("Reason given")],
        [[p.post_id, p.account.display_handle, p.published_at, p.reason] for p in report.outside_hours],
    )
    yield (
        _("Failures and unconfirmed posts"),
        [_("Post"), _("Account"), _("What happened"), _("At"), _("State now")],
        [[p.post_id, p.account.display_handle, p.what, p.at, p.resolution] for p in report.problems],
    )
    yield (
        _("Replies per §7 category"),
        [
            _("Category"),
            _("Received"),
            _("Hidden by the system"),
            _("Hidden by a person"),
            _("Deleted"),
            _("Banned"),
        ],
        [
            [r.label or _("Total"), r.received, r.hidden_by_system, r.hidden_by_person, r.deleted, r.banned]
            for r in [*report.replies, report.replies_total]
        ],
    )
    yield (
        _("Decisions and read budget"),
        [_("Measure"), _("Value")],
        [
            [_("Decisions by the system"), report.decisions_by_system],
            [_("Decisions by a person"), report.decisions_by_person],
            [_("Median minutes from a reply arriving to a person's decision"), report.median_minutes_to_decision],
            [_("Days the read budget stopped collection"), report.budget_days],
            [_("Posts left unread because of the read budget"), report.budget_posts_skipped],
        ],
    )


def csv_text(report: MonthlyReport) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    for title, headers, rows in tables(report):
        writer.writerow([title])
        writer.writerow(headers)
        writer.writerows([[_cell(value) for value in row] for row in rows])
        writer.writerow([])
    return out.getvalue()
