"""What a name or a host looks like: a skeleton in the manner of Unicode TR39, for look-alike checks (§7).

Two strings that look alike have the same skeleton: ІММI_TOKYO (Cyrillic І
and М), ΙΜΜΙ_ΤΟΚΥΟ (Greek capitals), ＩＭＭＩ＿ＴＯＫＹＯ (full-width) and
IMMI_T0KYO all read as "immitokyo".

TR39's skeleton is NFD, each character mapped to its prototype in Unicode's
confusables.txt, NFD again. ICU computes it (``SpoofChecker.getSkeleton``),
but PyICU compiles against the system's ICU headers, which a machine with
only Python and make does not have; so the mapping here is read from the
confusables data that ``confusable-homoglyphs`` ships (confusables.json,
generated from Unicode's confusables.txt, MIT licence; the package has no
skeleton function of its own). We keep only the prototypes that are ASCII:
the attacks we look for imitate Latin handles and domains. On top of TR39,
for comparison only: case is folded, digits and signs people type for
letters (0→o, 1→l, 5→s, rn→m …) are mapped, and separators are dropped.
Kanji that look alike at a glance (人/入, 監/管) are mapped too; NFKC folds
full-width letters and the Kangxi radicals (⼊ → 入) first.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """{character: its ASCII prototype} from the shipped confusables data."""
    data = json.loads(
        importlib.resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    )
    table: dict[str, str] = {}
    for char, entries in data.items():
        if char.isascii() or len(char) != 1:
            continue
        for entry in entries:
            target = str(entry.get("c", ""))
            if target and target.isascii() and target.isprintable() and target.strip():
                table[char] = target
                break
    return table


# Signs and digits people type for letters in handles and hosts.
_LOOKS_LIKE = str.maketrans(
    {"0": "o", "1": "l", "i": "l", "|": "l", "!": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
)
_SEPARATORS_RE = re.compile(r"[\s_\-.・･·,:;/'\"()\[\]{}「」『』【】（）]+")
_KANJI = str.maketrans({"人": "入", "監": "管", "菅": "管", "館": "管", "閏": "留"})


@lru_cache(maxsize=65536)
def _char_skeleton(char: str) -> str:
    return _prototypes().get(char, char)


def skeleton(value: str) -> str:
    """TR39-style skeleton: NFKC, NFD, each character to its prototype, NFD; then case folded."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", value))
    text = "".join(_char_skeleton(char) for char in text)
    # Marks left over from decomposition (ó → o + ◌́) do not change how a Latin letter reads at a glance.
    text = "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char))
    return text.casefold()


def compact(value: str) -> str:
    """The skeleton with look-alike digits mapped and separators dropped: what a handle or a name reads as."""
    text = _SEPARATORS_RE.sub("", skeleton(value)).translate(_LOOKS_LIKE).translate(_KANJI)
    return text.replace("rn", "m").replace("vv", "w")


def edit_distance(a: str, b: str, *, limit: int = 3) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit); ``limit`` + 1 once over ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
