"""Analysts' names blanked out of comments: every form an attacker (or a happy user) writes them in."""

from __future__ import annotations

import pytest

from components.text import literal
from views.redaction import name_parts, redact

NAMES = ("Ann Archer", "Bo Brandt", "Jo-Anne O'Neil", "J. R. Tolk", "Eve [Reset your password](https://evil.example/login)",
         "Zoë (a+b)* Quinn\\")


@pytest.mark.parametrize("comment, expected", [
    ("Ann fixed it", "[analyst] fixed it"),                                  # first name
    ("ARCHER fixed it", "[analyst] fixed it"),                               # last name, any case
    ("ann archer fixed it", "[analyst] fixed it"),                           # full name: one mask
    ("Ann\u00a0 Archer fixed it", "[analyst] fixed it"),                     # odd spaces between
    ("Thanks, Ann! Archer's call, Ann's fix.", "Thanks, [analyst]! [analyst]'s call, [analyst]'s fix."),
    ("(Bo) and 'Brandt' and Bo.", "([analyst]) and '[analyst]' and [analyst]."),
    ("Jo-Anne o'neil helped; Jo helped too", "[analyst] helped; [analyst] helped too"),
    ("O’NEIL, Neil and o'neil", "[analyst], [analyst] and [analyst]"),      # either apostrophe, piece alone
    ("Annabel and Joanne and Bob stay", "Annabel and Joanne and Bob stay"),  # whole words only
    ("J was here, and Tolk", "J was here, and [analyst]"),                   # initials alone are kept
    ("Eve sent https://evil.example", "[analyst] sent [analyst]://[analyst].[analyst]"),  # hostile name parts
    ("zoë and ZOË and Quinn", "[analyst] and [analyst] and [analyst]"),      # non-ASCII, regex signs in a name
    ("", ""),
])
def test_names_are_redacted_as_whole_words(comment, expected):
    assert redact(comment, NAMES) == expected


def test_no_names_no_change_and_none_stays_none():
    assert redact("Ann fixed it", ()) == "Ann fixed it"
    assert redact(None, NAMES) is None


def test_parts_drop_punctuation_and_initials():
    assert name_parts("Eve [Reset your password](https://evil.example/login)") == [
        "Eve", "Reset", "your", "password", "https", "evil", "example", "login"]
    assert name_parts("J. R. Tolk") == ["Tolk"]
    assert name_parts("Zoë (a+b)* Quinn\\") == ["Zoë", "Quinn"]


def test_redacted_text_shown_literally_has_no_markdown():
    shown = literal(redact("[click](https://x.example) says Bo", NAMES[:2]))
    assert shown == "\\[click\\]\\(h\u2060ttps\\:\u2060//x.example\\) says \\[analyst\\]"


ACCENTED = ("José Núñez", "Björn Ågren", "Søren Kierkegaard")


@pytest.mark.parametrize("comment, expected", [
    ("Jose Nunez was great", "[analyst] was great"),                 # accents left out by the customer
    ("thanks zoe", "thanks [analyst]"),                              # ë typed as e
    ("Bjoern and Bjorn and AGREN", "[analyst] and [analyst] and [analyst]"),  # ö as oe or o
    ("Soren helped", "[analyst] helped"),                            # ø as o
    ("Jose\u0301 helped", "[analyst] helped"),                       # decomposed é (combining accent)
    ("ＡＮＮ helped", "[analyst] helped"),                              # full-width letters
    ("A\u200bnn and Ar\u00adcher", "[analyst] and [analyst]"),     # invisible characters inside a name
])
def test_names_are_redacted_whatever_the_accents(comment, expected):
    assert redact(comment, NAMES + ACCENTED) == expected


def test_a_decomposed_name_in_the_warehouse_still_matches():
    assert redact("José and Jose helped", ("Jose\u0301 Nu\u0301n\u0303ez",)) == "[analyst] and [analyst] helped"


@pytest.mark.parametrize("comment, expected", [
    ("ann_archer closed it", "[analyst] closed it"),                # a user name: underscore between parts
    ("AnnArcher closed it", "[analyst] closed it"),                 # parts run together
    ("mail ann.archer at once", "mail [analyst] at once"),
    ("Ann2 and bo_ and _Brandt", "[analyst]2 and [analyst]_ and _[analyst]"),  # digits and underscores are no letters
    ("Annabel and Joanne stay", "Annabel and Joanne stay"),
])
def test_names_next_to_digits_underscores_or_run_together(comment, expected):
    assert redact(comment, NAMES) == expected
