"""The audit log exported as CSV (UTF-8 with a BOM, so Excel reads Japanese) or JSON Lines, streamed.

Rows come from audit.selectors.audit_rows: each source read in keyset chunks
and merged in the log's order, so the first rows leave before the last are
read. Lines are gathered into chunks of about 64 KiB (a response chunk per
line would be a million small writes) and each chunk is handed to the
response as soon as it is full, so memory stays flat whatever the number of
rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext_lazy as _

from audit.entries import Entry, Names
from audit.selectors import SOURCE_NAMES

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


# Large enough that a million rows are a few thousand writes, small enough that the first leaves at once.
CHUNK_CHARS = 64 * 1024


def _entries(rows: Iterable[dict]) -> Iterator[Entry]:
    names = Names.load()
    for row in rows:
        yield Entry.from_row(row, names)


def _chunks(lines: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


# A spreadsheet runs a cell that starts with one of these as a formula; what people
# typed (a reason, a user name at a failed sign-in) must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Made once: json.dumps with options makes a new encoder for every value.
_encode_cell = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _cell(value) -> str:
    if value.__class__ is str:  # most cells: asked first, as cheaply as can be
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return _encode_cell(value)
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def _csv_row(entry: Entry) -> list:
    """The row's cells in CSV_COLUMNS' order: Entry.as_data()'s values, each as _cell makes it.

    Written out rather than as_data() then _cell() for each of 15 values: a
    million rows are a million dicts and 15 million calls less. The cells that
    cannot start like a formula are left as they are: the time (a digit first),
    the source's name, and the numbers (the csv module writes an int as str()
    does and None as "", as _cell would).
    """
    return [
        entry.local_at.isoformat(),
        SOURCE_NAMES[entry.src],
        entry.pk,
        _cell(entry.kind),
        _cell(entry.label),
        _cell(entry.actor),
        _cell(entry.object_type),
        entry.object_id,
        _cell(entry.office),  # the office's name in the reader's language, not its code
        _cell(entry.account),
        _cell(entry.before),
        _cell(entry.after),
        _cell(entry.data),
        _cell(entry.note),
        _cell(entry.description),
    ]


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([str(CSV_HEADERS[name]) for name in CSV_COLUMNS])
    for entry in _entries(rows):
        writer.writerow(_csv_row(entry))
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    return _chunks(encode(entry.as_data()) + "\n" for entry in _entries(rows))
