"""Post length as X and Facebook count it.

``weighted_length(text)`` is X's "weighted length" under twitter-text
configuration v3 (config/v3.json of github.com/twitter/twitter-text):

* the text is NFC-normalised first;
* every code point weighs 200 (``defaultWeight``) except those in the
  ranges 0-4351, 8192-8205, 8208-8223 and 8242-8247, which weigh 100; an
  astral character (a surrogate pair in UTF-16) is one code point;
* every URL weighs ``transformedURLLength`` (23) * 100, whatever its length;
* every emoji sequence (``emojiParsingEnabled``: ZWJ families, flags, skin
  tones, keycaps, tag sequences) weighs 200 as a whole;
* the result is the sum divided by ``scale`` (100). X accepts up to 280
  (its ``capabilities.text_limit``).

Why our own implementation and not a package
--------------------------------------------
The PyPI package ``twitter-text-parser`` 3.0.0 passes the conformance
suite, but it imports ``pkg_resources`` (removed in setuptools >= 82) and its
emoji table stops at Unicode 12, so newer emoji would be counted per code
point. We therefore follow twitter-text's own algorithm (js/src/parseTweet.js
and js/src/extractUrlsWithIndices.js with the regular expressions under
js/src/regexp/) and plug in current data:

* Emoji: the sequences of the ``emoji`` package (already a dependency,
  current Unicode data), matched longest first over code points as
  twemoji-parser does, non-RGI ZWJ sequences not joined. We walk
  ``emoji.EMOJI_DATA`` ourselves because ``emoji.emoji_list`` drops an emoji
  followed by a ZWJ that starts no known sequence ("❤️" + ZWJ + "x").
  twitter-text (twemoji-parser, TwitterTextEmojiRegex.java) treats a bare "©"
  or "®" (no U+FE0F) as text, weighing 1, so those two are left out.
* URLs: ``checks.links.x_url_spans``, twitter-text's extractor, which
  the link checks share (see there).

Known, accepted differences from X: Python's Unicode tables (NFC) and the
``emoji`` package may be a version ahead of or behind X's; twemoji-parser
also treats a text-style emoji followed by U+FE0E as text, which changes
nothing here because every such character other than "©" and "®" weighs 2
either way.

``facebook_length(text)`` is the plain length of the NFC-normalised text.

``measure`` asks the platform's capabilities (``accounts.platforms``) how it
counts and how much it takes; the limits are not restated here.
"""

from __future__ import annotations

import unicodedata

import emoji

from accounts.platforms.capabilities import capabilities_for
from checks.links import x_url_spans

# config/v3.json
_SCALE = 100
_DEFAULT_WEIGHT = 200
_RANGES: tuple[tuple[int, int, int], ...] = (
    (0, 4351, 100),
    (8192, 8205, 100),
    (8208, 8223, 100),
    (8242, 8247, 100),
)
_TRANSFORMED_URL_LENGTH = 23

# twemoji-parser only treats these as emoji when followed by U+FE0F.
_TEXT_ONLY_EMOJI = frozenset({"\u00a9", "\u00ae"})


def _build_emoji_trie() -> dict[str, dict]:
    trie: dict[str, dict] = {}
    for sequence in emoji.EMOJI_DATA:
        if sequence in _TEXT_ONLY_EMOJI:
            continue
        node = trie
        for char in sequence:
            node = node.setdefault(char, {})
        node[""] = {}  # a sequence ends here
    return trie


_EMOJI_TRIE = _build_emoji_trie()


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    """Spans [start, end) in code points of the emoji sequences twemoji-parser would find.

    Longest match over ``emoji.EMOJI_DATA``, which is what twemoji-parser's
    regular expression amounts to. Not ``emoji.emoji_list``: it drops an
    emoji that is followed by a ZWJ starting no known sequence, so "❤️" + ZWJ
    would count 4 + 1 instead of 2 + 1.
    """
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        node = _EMOJI_TRIE.get(text[index])
        end = index + 1 if node is not None and "" in node else -1
        cursor = index + 1
        while node is not None and cursor < len(text):
            node = node.get(text[cursor])
            cursor += 1
            if node is not None and "" in node:
                end = cursor
        if end > 0:
            spans.append((index, end))
            index = end
        else:
            index += 1
    return spans


def _char_weight(code_point: int) -> int:
    for low, high, weight in _RANGES:
        if low <= code_point <= high:
            return weight
    return _DEFAULT_WEIGHT


def weighted_length(text: str) -> int:
    """X's weighted length of ``text`` (twitter-text v3)."""
    normalized = unicodedata.normalize("NFC", text)
    url_ends = dict(x_url_spans(normalized))
    emoji_ends = dict(_emoji_spans(normalized))
    total = 0
    index = 0
    while index < len(normalized):
        if index in url_ends:
            total += _TRANSFORMED_URL_LENGTH * _SCALE
            index = url_ends[index]
        elif index in emoji_ends:
            total += _DEFAULT_WEIGHT
            index = emoji_ends[index]
        else:
            total += _char_weight(ord(normalized[index]))
            index += 1
    return total // _SCALE


def facebook_length(text: str) -> int:
    """Characters Facebook counts: code points of the NFC-normalised text."""
    return len(unicodedata.normalize("NFC", text))


def measure(text: str, *, platform: str) -> tuple[int, int]:
    """(length, limit) of a final text on a platform ("x" or "facebook"), as that platform counts."""
    capabilities = capabilities_for(platform)
    counted = weighted_length(text) if capabilities.counts_weighted_length else facebook_length(text)
    return counted, capabilities.text_limit
