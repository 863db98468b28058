"""Survey scales other than 0–10, converted onto the 0–10 Happiness score by one documented rule.

The rule is monotone and keeps the meaning of the Happiness buckets (9–10 happy, 7–8 neutral,
0–6 unhappy):

* ``0-10``      — taken as is (0…10 whole numbers).
* ``1-5`` stars — 5→10, 4→8, 3→5, 2→3, 1→0 (only 5 stars is "happy", 4 is neutral, 1–3 unhappy).
* ``good-bad``  — good→10, bad→0 (also satisfied/unsatisfied, positive/negative, 👍/👎 spelled out).
  A survey that was offered but not answered ("offered", "unoffered") has no score and is rejected.
* ``0-3``       — 3→10, 2→7, 1→4, 0→0.

A value outside its scale is rejected with the reason (e.g. "happiness 6 is outside 1–5"), never
clipped.
"""

from __future__ import annotations

SCALES: dict[str, str] = {
    "0-10": "0–10 (taken as is)",
    "1-5": "1–5 stars: 5→10, 4→8, 3→5, 2→3, 1→0",
    "good-bad": "good/bad: good→10, bad→0",
    "0-3": "0–3: 3→10, 2→7, 1→4, 0→0",
}

NUMERIC_SCALES: dict[str, dict[int, int]] = {
    "0-10": {i: i for i in range(11)},
    "1-5": {1: 0, 2: 3, 3: 5, 4: 8, 5: 10},
    "0-3": {0: 0, 1: 4, 2: 7, 3: 10},
}
SCALE_RANGE = {"0-10": "0–10", "1-5": "1–5", "0-3": "0–3"}

GOOD_BAD: dict[str, int] = {
    "good": 10, "satisfied": 10, "positive": 10, "thumbsup": 10, "happy": 10, "yes": 10,
    "bad": 0, "unsatisfied": 0, "dissatisfied": 0, "negative": 0, "thumbsdown": 0, "unhappy": 0, "no": 0,
}
NOT_ANSWERED = {"offered", "unoffered", "notoffered", "none", "notrated"}


def convert(value: str | int, scale: str) -> int:
    """One score converted onto 0–10 (ValueError with a reason when it is not on the scale)."""
    if scale == "good-bad":
        key = "".join(ch for ch in str(value).casefold() if ch.isalnum())
        if key in GOOD_BAD:
            return GOOD_BAD[key]
        raise ValueError(f"happiness '{value}' is not good or bad")
    number = int(value)
    table = NUMERIC_SCALES[scale]
    if number not in table:
        raise ValueError(f"happiness {number} is outside {SCALE_RANGE[scale]}")
    return table[number]
