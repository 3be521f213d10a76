"""Text normalised for matching, with a map back to the text as typed (§5).

The checks match on a normalised copy of a post so that full-width input
(０９０－１２３４－５６７８, ＡＢ１２３４５６７８ＣＤ) and every kind of dash are
caught like ASCII, but a finding's offsets must point into the text as typed:
the composer highlights those characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

# Dashes people type between digits. NFKC already turns the full-width and
# small hyphen-minus (U+FF0D, U+FE63) into "-", but leaves these alone.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u02d7\u2796\ufe58"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))
# The katakana long vowel mark (ー; half-width ｰ becomes it under NFKC) is a
# letter inside words (メール), so it only counts as a hyphen next to a digit
# (０９０ー１２３４ー５６７８, ＡＢー１２３４…).
_LONG_VOWEL_AS_HYPHEN_RE = re.compile("(?<=[0-9])\u30fc|\u30fc(?=[0-9])")


@dataclass(frozen=True)
class Normalised:
    """``text`` is the normalised copy; ``span`` maps its offsets back to ``typed``."""

    typed: str
    text: str
    # starts[i]/ends[i]: where the typed characters behind normalised char i begin and end.
    # None when every typed character became exactly one normalised character.
    starts: list[int] | None
    ends: list[int] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The typed span behind the normalised span [start, end), end exclusive."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


# The Unicode normal forms used here (unicodedata takes only these names).
Form = Literal["NFC", "NFKC"]


@lru_cache(maxsize=8192)
def _char(form: Form, char: str) -> str:
    return unicodedata.normalize(form, char)


def _mapped(form: Form, text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """``text`` normalised with ``form``, and where each output character came from."""
    if unicodedata.is_normalized(form, text):
        return text, None, None
    whole = unicodedata.normalize(form, text)
    pieces = [_char(form, char) for char in text]
    if "".join(pieces) == whole:
        # No character combined with its neighbour: the usual case (full-width
        # letters and punctuation), mapped character by character.
        if len(whole) == len(text):
            return whole, None, None
        starts: list[int] = []
        ends: list[int] = []
        for index, piece in enumerate(pieces):
            starts.extend([index] * len(piece))
            ends.extend([index + 1] * len(piece))
        return whole, starts, ends
    return _mapped_by_pieces(form, text)


def _mapped_by_pieces(form: Form, text: str) -> tuple[str, list[int], list[int]]:
    """The slow path, for text where normalisation merges characters.

    Normalisation can merge characters (か + ゛ → が, ｶ + ﾞ → ガ) and change
    length (㍻ → 平成), so the text is cut into the smallest pieces that
    normalise independently and each piece's output is mapped to the whole piece.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def flush(piece_start: int, piece_end: int, normalised: str) -> None:
        out.append(normalised)
        starts.extend([piece_start] * len(normalised))
        ends.extend([piece_end] * len(normalised))

    piece_start = 0
    piece_norm = ""
    for i, char in enumerate(text):
        if i == piece_start:
            piece_norm = _char(form, char)
            continue
        char_norm = _char(form, char)
        # No ASCII char combines with what precedes it; otherwise ask the normaliser.
        if char.isascii() or unicodedata.normalize(form, text[piece_start : i + 1]) == piece_norm + char_norm:
            flush(piece_start, i, piece_norm)
            piece_start, piece_norm = i, char_norm
        else:
            piece_norm = unicodedata.normalize(form, text[piece_start : i + 1])
    if text:
        flush(piece_start, len(text), piece_norm)
    return "".join(out), starts, ends


def for_matching(text: str) -> Normalised:
    """NFKC with every dash made "-": what the personal-data and link patterns read."""
    normalised, starts, ends = _mapped("NFKC", text)
    normalised = normalised.translate(_DASH_TABLE)
    if "\u30fc" in normalised:
        normalised = _LONG_VOWEL_AS_HYPHEN_RE.sub("-", normalised)
    return Normalised(typed=text, text=normalised, starts=starts, ends=ends)


def as_x_reads(text: str) -> Normalised:
    """NFC, as X normalises a post before counting it (posts.length)."""
    normalised, starts, ends = _mapped("NFC", text)
    return Normalised(typed=text, text=normalised, starts=starts, ends=ends)
