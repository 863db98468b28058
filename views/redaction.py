"""Blank out analysts' names in customer comments before an unnamed view shows them.

Every known analyst name is split into its parts ("Ann-Marie O'Neil" → "Ann-Marie", "Ann", "Marie",
"O'Neil", "Neil"; initials are left out; ' and ’ count as the same apostrophe);
the whole name (its parts with spaces, dots, hyphens, underscores or nothing between them) and
each part alone are replaced by "[analyst]" wherever no letter stands just before or after, in
any letter case and whatever the accents: names and comments are compared with accents and
letter variants folded away ("José" = "Jose", "Zoë" = "Zoe", "Søren" = "Soren", full-width
letters as plain ones, invisible characters such as a zero-width space ignored), and a German
ä, ö, ü also matches ae, oe, ue ("Björn" = "Bjoern").
"Ann's" becomes "[analyst]'s", "ann_archer" "[analyst]"; "Annabel" and "Joanne" stay. Names are
matched literally (an imported name full of brackets or regex signs is just text). Redaction
errs on the side of hiding: a colleague called "Will" also blanks the verb "will".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

MASK = "[analyst]"
# A part is a run of letters and digits, with ' or - (or ’) inside it: "O'Neil", "Ann-Marie".
_PART = re.compile(r"\w+(?:['’-]\w+)*")
# Letters that Unicode does not decompose into a plain letter and an accent.
_VARIANTS = {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L",
             "đ": "d", "Đ": "D", "ß": "ss", "ı": "i", "þ": "th", "Þ": "TH"}
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_LETTER = r"[^\W\d_]"


def _fold(text: str) -> tuple[str, list[int]]:
    """`text` with accents dropped and letter variants spelt plainly, and for each of its
    characters the position in `text` of the character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for piece in unicodedata.normalize("NFKD", _VARIANTS.get(ch, ch)):
            # Accents and invisible format characters (zero-width space, soft hyphen) are skipped.
            if not unicodedata.combining(piece) and unicodedata.category(piece) != "Cf":
                out.extend(_VARIANTS.get(piece, piece))
                origin.extend([i] * len(_VARIANTS.get(piece, piece)))
    return "".join(out), origin


def name_parts(name: str) -> list[str]:
    """The words of a name, punctuation around them dropped ("[Reset" → "Reset"); single letters
    (initials such as "J.") are left out: alone they name nobody and would blank every "a"."""
    return [part for part in _PART.findall(str(name or "")) if len(part) > 1]


def _literal(word: str) -> str:
    """`word` as a regex matching itself, with either apostrophe (' or ’) where it has one."""
    return "['’]".join(re.escape(piece) for piece in re.split(r"['’]", word))


def _spellings(name: str) -> set[str]:
    """The name folded, and folded after writing a German ä, ö, ü as ae, oe, ue."""
    name = unicodedata.normalize("NFC", str(name or ""))
    return {_fold(name)[0], _fold(name.translate(_GERMAN))[0]}


@functools.lru_cache(maxsize=16)
def _pattern(names: tuple[str, ...]) -> re.Pattern | None:
    wholes: set[str] = set()
    parts: set[str] = set()
    for name in (spelling for raw in names for spelling in _spellings(raw)):
        words = name_parts(name)
        if len(words) > 1:
            wholes.add(r"[\s._-]*".join(_literal(w) for w in words))
        parts.update(_literal(w) for w in words)
        # "Jo-Anne" may be called "Jo" or "Anne", "O'Hara" "Hara": the pieces of a word count too.
        parts.update(re.escape(p) for w in words for p in re.split(r"[-'’]", w) if len(p) > 1 and p != w)
    if not parts:
        return None
    # Longest first, so "Ann Archer" wins over "Ann" and "Ann-Marie" over "Ann".
    alternatives = sorted(wholes, key=len, reverse=True) + sorted(parts, key=len, reverse=True)
    # No letter just before or after (digits, underscores and apostrophes may stand there).
    return re.compile(rf"(?<!{_LETTER})(?:" + "|".join(alternatives) + rf")(?!{_LETTER})", re.IGNORECASE)


def redact(text: str | None, names: Iterable[str]) -> str | None:
    """`text` with every analyst name in `names` (whole, or any part alone) replaced by "[analyst]"."""
    if text is None:
        return None
    pattern = _pattern(tuple(sorted(set(names))))
    if not pattern:
        return text
    folded, origin = _fold(text)
    pieces: list[str] = []
    done = 0
    for match in pattern.finditer(folded):
        if match.start() == match.end():
            continue
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):  # accents on the last letter
            end += 1
        if start >= done:
            pieces += [text[done:start], MASK]
            done = end
    return "".join(pieces) + text[done:]
