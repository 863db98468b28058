"""Warehouses on which the period auditor (tests/test_privacy_periods_property.py) found a small
group given away, kept as regression cases: answers as (analyst, week, day, score, channel, service)
on the `CUBE` layout (two services, two channels, three teams)."""

ACROSS_WEEKS = [
    (1, 1, 6, 2, 'phone', 2), (6, 1, 6, 3, 'email', 2), (1, 0, 4, 3, 'phone', 2), (8, 1, 3, 2, 'email', 1),
    (6, 4, 0, 8, 'phone', 1), (2, 1, 5, 8, 'phone', 1), (0, 1, 4, 4, 'phone', 1), (4, 1, 1, 10, 'phone', 1),
    (2, 4, 5, 7, 'email', 2), (3, 4, 1, 5, 'phone', 2), (3, 4, 1, 6, 'email', 1), (2, 4, 4, 7, 'phone', 1),
    (6, 1, 3, 4, 'phone', 1), (6, 0, 1, 7, 'email', 1), (0, 4, 6, 10, 'email', 1), (1, 1, 3, 10, 'phone', 2),
    (4, 1, 6, 5, 'email', 1), (1, 0, 0, 5, 'email', 2), (4, 3, 1, 3, 'email', 2), (5, 4, 0, 7, 'phone', 2),
    (6, 1, 5, 3, 'email', 1), (8, 0, 4, 0, 'phone', 1), (6, 0, 2, 10, 'email', 2), (5, 4, 3, 4, 'email', 1),
    (0, 1, 0, 3, 'phone', 2), (7, 0, 5, 0, 'phone', 2), (8, 0, 6, 1, 'email', 1), (6, 3, 6, 8, 'email', 1),
    (6, 1, 0, 1, 'email', 1), (7, 0, 3, 6, 'email', 1), (3, 1, 0, 3, 'phone', 2), (1, 1, 0, 9, 'phone', 1),
    (8, 0, 5, 7, 'phone', 2), (0, 1, 3, 9, 'phone', 1), (5, 4, 5, 4, 'phone', 1), (1, 4, 2, 4, 'phone', 2),
    (6, 1, 0, 0, 'email', 2), (4, 1, 5, 6, 'phone', 2), (0, 4, 1, 2, 'email', 1), (7, 1, 3, 10, 'email', 1),
    (3, 4, 4, 8, 'phone', 1), (6, 1, 6, 9, 'phone', 1), (6, 1, 5, 0, 'phone', 1), (8, 1, 4, 2, 'phone', 1),
    (2, 0, 1, 7, 'phone', 1), (7, 1, 5, 0, 'email', 2), (6, 1, 4, 1, 'email', 2), (4, 4, 2, 7, 'email', 2),
    (1, 2, 2, 8, 'email', 2), (5, 4, 1, 8, 'phone', 2), (8, 0, 5, 6, 'email', 1), (8, 1, 5, 1, 'phone', 2),
    (6, 4, 5, 5, 'email', 1), (7, 0, 2, 7, 'phone', 2), (4, 1, 6, 9, 'email', 2), (2, 4, 1, 4, 'phone', 1),
    (2, 1, 1, 8, 'email', 1), (8, 2, 1, 3, 'phone', 2), (2, 0, 6, 7, 'phone', 2), (5, 4, 6, 10, 'phone', 2),
    (7, 1, 3, 4, 'phone', 1), (1, 0, 1, 5, 'email', 1), (8, 4, 5, 9, 'phone', 2), (5, 1, 4, 6, 'phone', 2),
    (0, 1, 1, 10, 'phone', 1), (2, 4, 3, 3, 'email', 1), (0, 1, 3, 7, 'phone', 1), (1, 4, 3, 7, 'phone', 2),
    (6, 1, 1, 1, 'email', 1), (5, 1, 1, 6, 'email', 2), (0, 0, 5, 2, 'phone', 2), (4, 0, 2, 4, 'phone', 2),
    (5, 4, 3, 2, 'phone', 1), (2, 4, 5, 8, 'email', 1), (4, 4, 3, 2, 'email', 2), (2, 1, 2, 5, 'phone', 1),
    (6, 3, 0, 1, 'email', 1), (5, 1, 5, 8, 'phone', 1), (1, 1, 0, 3, 'email', 1), (2, 0, 6, 0, 'phone', 1),
    (7, 0, 1, 8, 'phone', 2), (8, 1, 0, 7, 'phone', 2), (7, 1, 0, 10, 'phone', 2), (0, 1, 6, 3, 'phone', 1),
    (6, 3, 4, 7, 'email', 1), (4, 4, 1, 6, 'email', 2), (5, 4, 5, 6, 'phone', 1), (3, 4, 0, 8, 'phone', 2),
    (7, 3, 0, 5, 'email', 2),
]
"""Week 1's own pattern hides service 2 × team 3, but links over other ranges showed it all the same:
team 3's change on service 2's link of week 2 (its figure in week 1), or team 3's row on service 2's
links of weeks 1-2 and of week 2 (their difference). With the channel links of week 1 that gave away
service 1 × team 1 in week 1: 3 answers by 2 analysts."""


ACROSS_MONTHS = [
    (1, 1, 6, 2, 'phone', 2), (6, 1, 6, 3, 'email', 2), (1, 0, 4, 3, 'phone', 2), (8, 1, 3, 2, 'email', 1),
    (6, 4, 0, 8, 'phone', 1), (2, 1, 5, 8, 'phone', 1), (0, 1, 4, 4, 'phone', 1), (4, 1, 1, 10, 'phone', 1),
    (2, 4, 5, 7, 'email', 2), (3, 4, 1, 5, 'phone', 2), (3, 4, 1, 6, 'email', 1), (2, 4, 4, 7, 'phone', 1),
    (6, 1, 3, 4, 'phone', 1), (6, 0, 1, 7, 'email', 1), (0, 4, 6, 10, 'email', 1), (1, 1, 3, 10, 'phone', 2),
    (4, 1, 6, 5, 'email', 1), (1, 0, 0, 5, 'email', 2), (4, 3, 1, 3, 'email', 2), (5, 4, 0, 7, 'phone', 2),
    (6, 1, 5, 3, 'email', 1), (8, 0, 4, 0, 'phone', 1), (6, 0, 2, 10, 'email', 2), (5, 4, 3, 4, 'email', 1),
    (0, 1, 0, 3, 'phone', 2), (7, 0, 5, 0, 'phone', 2), (8, 0, 6, 1, 'email', 1), (6, 3, 6, 8, 'email', 1),
    (6, 1, 0, 1, 'email', 1), (7, 0, 3, 6, 'email', 1), (3, 1, 0, 3, 'phone', 2), (1, 1, 0, 9, 'phone', 1),
    (8, 0, 5, 7, 'phone', 2), (0, 1, 3, 9, 'phone', 1), (5, 4, 5, 4, 'phone', 1), (1, 4, 2, 4, 'phone', 2),
    (6, 1, 0, 0, 'email', 2), (4, 1, 5, 6, 'phone', 2), (0, 4, 1, 2, 'email', 1), (7, 1, 3, 10, 'email', 1),
    (3, 4, 4, 8, 'phone', 1), (6, 1, 6, 9, 'phone', 1), (6, 1, 5, 0, 'phone', 1), (8, 1, 4, 2, 'phone', 1),
    (2, 0, 1, 7, 'phone', 1), (7, 1, 5, 0, 'email', 2), (6, 1, 4, 1, 'email', 2), (4, 4, 2, 7, 'email', 2),
    (1, 2, 2, 8, 'email', 2), (5, 4, 1, 8, 'phone', 2), (8, 0, 5, 6, 'email', 1), (8, 1, 5, 1, 'phone', 2),
    (6, 4, 5, 5, 'email', 1), (7, 0, 2, 7, 'phone', 2), (4, 1, 6, 9, 'email', 2), (2, 4, 1, 4, 'phone', 1),
    (2, 1, 1, 8, 'email', 1), (8, 2, 1, 3, 'phone', 2), (2, 0, 6, 7, 'phone', 2), (5, 4, 6, 10, 'phone', 2),
    (7, 1, 3, 4, 'phone', 1), (1, 0, 1, 5, 'email', 1), (8, 4, 5, 9, 'phone', 2), (5, 1, 4, 6, 'phone', 2),
    (0, 1, 1, 10, 'phone', 1), (2, 4, 3, 3, 'email', 1), (0, 1, 3, 7, 'phone', 1), (1, 4, 3, 7, 'phone', 2),
    (6, 1, 1, 1, 'email', 1), (5, 1, 1, 6, 'email', 2), (0, 0, 5, 2, 'phone', 2), (4, 0, 2, 4, 'phone', 2),
    (5, 4, 3, 2, 'phone', 1), (2, 4, 5, 8, 'email', 1), (4, 4, 3, 2, 'email', 2), (2, 1, 2, 5, 'phone', 1),
    (6, 3, 0, 1, 'email', 1), (5, 1, 5, 8, 'phone', 1), (1, 1, 0, 3, 'email', 1), (2, 0, 6, 0, 'phone', 1),
    (7, 0, 1, 8, 'phone', 2), (8, 1, 0, 7, 'phone', 2), (7, 1, 0, 10, 'phone', 2), (0, 1, 6, 3, 'phone', 1),
    (6, 3, 4, 7, 'email', 1), (4, 4, 1, 6, 'email', 2), (5, 4, 5, 6, 'phone', 1), (3, 4, 0, 8, 'phone', 2),
    (7, 3, 0, 5, 'email', 2), (6, 4, 1, 2, 'phone', 2), (6, 1, 2, 6, 'email', 2),
]
"""Week 2 is cut by October: the email link's October point, minus the team 3 link's October point,
plus team 3's row on the phone link, came to two small pieces: phone × team 3 in September (2
answers) and email × team 2 in October (2 answers by one analyst)."""


PARTS_AND_WEEK = [
    (2, 4, 4, 4, 'email', 2), (1, 0, 5, 2, 'email', 1), (7, 2, 3, 1, 'phone', 1), (3, 3, 1, 0, 'email', 1),
    (8, 0, 4, 7, 'email', 1), (0, 2, 5, 2, 'email', 2), (1, 1, 4, 10, 'phone', 1), (3, 1, 6, 2, 'phone', 2),
    (4, 1, 4, 4, 'phone', 1), (5, 0, 6, 0, 'phone', 2), (8, 3, 6, 0, 'email', 2), (3, 1, 0, 6, 'email', 1),
    (2, 2, 3, 4, 'phone', 1), (2, 1, 6, 8, 'email', 1), (5, 1, 3, 2, 'phone', 2), (1, 4, 5, 0, 'email', 1),
    (5, 4, 5, 9, 'email', 1), (5, 1, 1, 7, 'email', 2), (0, 2, 6, 2, 'email', 1), (7, 1, 4, 9, 'email', 2),
    (5, 0, 5, 9, 'phone', 2), (7, 2, 5, 4, 'phone', 2), (3, 2, 6, 4, 'phone', 2), (0, 4, 1, 3, 'phone', 1),
    (1, 2, 6, 3, 'email', 2), (2, 3, 4, 1, 'phone', 2), (6, 1, 6, 0, 'phone', 1), (7, 2, 4, 3, 'phone', 2),
    (5, 1, 6, 0, 'phone', 2), (3, 2, 4, 5, 'email', 2), (1, 2, 5, 3, 'phone', 1), (5, 2, 3, 8, 'phone', 1),
    (5, 2, 4, 5, 'email', 1), (2, 2, 5, 6, 'email', 2), (2, 4, 0, 6, 'phone', 2), (0, 0, 4, 5, 'phone', 1),
    (5, 3, 0, 2, 'email', 2), (1, 3, 5, 10, 'phone', 1), (6, 0, 4, 3, 'phone', 1), (4, 2, 2, 6, 'email', 1),
    (0, 2, 2, 1, 'email', 2), (5, 2, 6, 8, 'phone', 1), (0, 2, 0, 10, 'phone', 1), (4, 1, 2, 7, 'phone', 2),
    (4, 2, 0, 2, 'email', 1), (0, 1, 5, 10, 'email', 2), (2, 2, 5, 0, 'phone', 2), (3, 1, 5, 0, 'phone', 2),
    (8, 4, 6, 2, 'phone', 1), (8, 2, 2, 7, 'phone', 2), (1, 0, 3, 10, 'phone', 2), (4, 1, 0, 6, 'email', 1),
    (4, 0, 4, 8, 'phone', 2), (4, 0, 4, 4, 'phone', 1), (6, 0, 3, 5, 'email', 1), (3, 1, 1, 2, 'phone', 1),
]
"""Week 2 is cut by October. The union of its two parts' own patterns left cells of each part that
the week's cells and the other part's month rows add up: team 2 by phone in September and
service 1 by phone of teams 1 and 3 in October, 4 answers together."""
