"""The audit log exported as CSV (UTF-8 with a BOM, so Excel reads Japanese) or JSON Lines, streamed.

Rows come from the stream's .iterator(chunk_size=…): on PostgreSQL a
server-side cursor, on SQLite chunked fetches. Each line is written and handed
to the response as soon as it is made, so memory stays flat whatever the
number of rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from audit import selectors
from audit.entries import Entry, Names

BOM = "\ufeff"
CSV_COLUMNS = (
    "at",
    "source",
    "id",
    "kind",
    "kind_label",
    "actor",
    "object_type",
    "object_id",
    "office",
    "account",
    "before",
    "after",
    "data",
    "comment",
    "description",
)

# The CSV is read by people in a spreadsheet: its header in the reader's language (JSON Lines keeps the keys).
CSV_HEADERS = {
    "at": _("Time"),
    "source": _("Source"),
    "id": _("ID"),
    "kind": _("Kind (code)"),
    "kind_label": _("Kind"),
    "actor": _("Person"),
    "object_type": _("Object type"),
    "object_id": _("Object ID"),
    "office": _("Office"),
    "account": _("Account"),
    "before": _("Before"),
    "after": _("After"),
    "data": _("Data"),
    "comment": _("Comment"),
    "description": _("Description"),
}


def _entries(stream) -> Iterator[Entry]:
    if stream is None:
        return
    names = Names.load()
    for row in stream.iterator(chunk_size=selectors.EXPORT_CHUNK):
        yield Entry.from_row(row, names)


def _rows(stream) -> Iterator[dict]:
    for entry in _entries(stream):
        yield entry.as_data()


# A spreadsheet runs a cell that starts with one of these as a formula; what people
# typed (a reason, a user name at a failed sign-in) must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def csv_lines(stream) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line([str(CSV_HEADERS[name]) for name in CSV_COLUMNS])
    for entry in _entries(stream):
        data = entry.as_data()
        data["office"] = entry.office  # the office's name in the reader's language, not its code
        yield line([_cell(data[name]) for name in CSV_COLUMNS])


def jsonl_lines(stream) -> Iterator[str]:
    for data in _rows(stream):
        yield json.dumps(data, ensure_ascii=False, default=str) + "\n"
