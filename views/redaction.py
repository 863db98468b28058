"""Blank out analysts' names in customer comments before an unnamed view shows them.

Every known analyst name is split into its parts ("Ann-Marie O'Neil" → "Ann-Marie", "Ann", "Marie",
"O'Neil", "Neil"; initials are left out; ' and ’ count as the same apostrophe);
the whole name (its parts with any spaces between them) and each part alone are replaced by
"[analyst]" wherever they stand as a whole word, in any letter case. "Ann's" becomes
"[analyst]'s"; "Annabel" and "Joanne" stay. Names are matched literally (an imported name full
of brackets or regex signs is just text). Redaction errs on the side of hiding: a colleague
called "Will" also blanks the verb "will".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

MASK = "[analyst]"
# A part is a run of letters and digits, with ' or - (or ’) inside it: "O'Neil", "Ann-Marie".
_PART = re.compile(r"\w+(?:['’-]\w+)*")


def name_parts(name: str) -> list[str]:
    """The words of a name, punctuation around them dropped ("[Reset" → "Reset"); single letters
    (initials such as "J.") are left out: alone they name nobody and would blank every "a"."""
    return [part for part in _PART.findall(str(name or "")) if len(part) > 1]


def _literal(word: str) -> str:
    """`word` as a regex matching itself, with either apostrophe (' or ’) where it has one."""
    return "['’]".join(re.escape(piece) for piece in re.split(r"['’]", word))


@functools.lru_cache(maxsize=16)
def _pattern(names: tuple[str, ...]) -> re.Pattern | None:
    wholes: set[str] = set()
    parts: set[str] = set()
    for name in names:
        words = name_parts(name)
        if len(words) > 1:
            wholes.add(r"\s+".join(_literal(w) for w in words))
        parts.update(_literal(w) for w in words)
        # "Jo-Anne" may be called "Jo" or "Anne", "O'Hara" "Hara": the pieces of a word count too.
        parts.update(re.escape(p) for w in words for p in re.split(r"[-'’]", w) if len(p) > 1 and p != w)
    if not parts:
        return None
    # Longest first, so "Ann Archer" wins over "Ann" and "Ann-Marie" over "Ann".
    alternatives = sorted(wholes, key=len, reverse=True) + sorted(parts, key=len, reverse=True)
    # Whole words: no letter, digit or underscore just before or after (apostrophes may follow).
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def redact(text: str | None, names: Iterable[str]) -> str | None:
    """`text` with every analyst name in `names` (whole, or any part alone) replaced by "[analyst]"."""
    if text is None:
        return None
    pattern = _pattern(tuple(sorted(set(names))))
    return pattern.sub(MASK, text) if pattern else text
