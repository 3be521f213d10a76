"""The Japanese catalogue is complete and its compiled .mo matches the .po."""

import ast
import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def entries():
    """(msgid, msgstr, flags) of every singular entry, read straight from the .po."""
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "msgid_plural" in block:
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if not match:
            continue
        msgid = "".join(ast.literal_eval(line) for line in match.group(1).splitlines())
        msgstr = "".join(ast.literal_eval(line) for line in match.group(2).splitlines())
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        if msgid:
            yield msgid, msgstr, flags


def test_every_text_is_translated_and_none_is_fuzzy():
    missing = [msgid for msgid, msgstr, flags in entries() if not msgstr or "fuzzy" in flags]
    assert missing == []


def test_the_compiled_catalogue_is_up_to_date():
    with translation.override("ja"):
        stale = [msgid for msgid, msgstr, _ in entries() if translation.gettext(msgid) != msgstr]
    assert stale == []
