"""Long-format survey files (one row per answer): ServiceNow's metric results and the generic
template, pivoted by response instance, questions mapped by keywords or by --map, exact rows."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from cli import main
from data_access.importer.longformat import AmbiguousQuestions
from data_access.importer.run import plan_import
from tests.importer.helpers import SAMPLES, do_import, landed_responses, ready

D = dt.datetime
Q_SCORE = "How likely are you to be happy with this service (0-10)?"
Q_INFORMED = "I was kept clearly informed"
Q_OWNER = "The analyst was courteous and took ownership"
Q_FIXED = "My issue was resolved"
Q_TEXT = "Anything else you want to tell us?"
Q_MINUTES = "Minutes of work lost"


def write(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def servicenow_long(path):
    """ServiceNow-shaped metric results with the defects of a real export: -1 for unanswered,
    a response with no score at all, a formula in a comment, a question nobody mapped, a
    second response instance for the same ticket, and rows in any order."""
    h = ["instance", "trigger_id", "metric", "actual_value", "string_value", "user", "sys_created_on"]
    a, b, c, d = "2026-10-05 12:00:00", "2026-10-08 09:15:00", "2026-10-09 10:00:00", "2026-10-10 08:00:00"
    rows = [
        ["AI1", "INC0010231", Q_SCORE, "10", "", "maria", a],
        ["AI1", "INC0010231", Q_INFORMED, "5", "", "maria", a],
        ["AI2", "INC0010232", Q_SCORE, "3", "", "ole", b],
        ["AI1", "INC0010231", Q_OWNER, "4", "", "maria", a],
        ["AI1", "INC0010231", Q_FIXED, "5", "", "maria", a],
        ["AI1", "INC0010231", Q_TEXT, "-1", "Quick, thanks!", "maria", a],
        ["AI2", "INC0010232", Q_INFORMED, "-1", "", "ole", b],
        ["AI2", "INC0010232", Q_FIXED, "2", "", "ole", b],
        ["AI2", "INC0010232", Q_MINUTES, "240", "", "ole", b],
        ["AI2", "INC0010232", Q_TEXT, "-1", '=HYPERLINK("http://x.invalid") still slow', "ole", b],
        ["AI3", "RITM0004410", Q_SCORE, "-1", "", "kim", c],        # offered, never answered
        ["AI3", "RITM0004410", Q_TEXT, "-1", "", "kim", c],
        ["AI4", "INC0010240", Q_SCORE, "8", "", "lee", d],
        ["AI4", "INC0010240", "Would you recommend the portal?", "1", "", "lee", d],  # not mapped
        ["AI5", "INC0010240", Q_SCORE, "9", "", "lee", d],          # second instance, same ticket
    ]
    return write(path, h, rows)


def test_servicenow_metric_results_pivot_and_land_exactly(empty_url, tmp_path):
    ready(empty_url)
    do_import(empty_url, "tickets", SAMPLES / "servicenow_incidents.csv")
    result = do_import(empty_url, "responses", servicenow_long(tmp_path / "asmt.csv"))
    assert result.preset == "servicenow"
    assert result.answers_read == 15
    # 5 instances: 2 land fully, 1 with only a score, 1 unanswered (skipped), 1 duplicate (rejected).
    assert (result.rows_read, result.inserted, result.skipped, result.rejected) == (5, 3, 1, 1)
    assert result.balanced
    assert result.skipped_by == {"survey not answered": 1}
    assert [tuple(r) for r in result.rejects.select("line", "column", "reason").iter_rows()] == [
        (16, "instance", "duplicate response for the same ticket in file (INC0010240)")]
    assert result.suggested == {Q_SCORE: "happiness", Q_INFORMED: "communication", Q_OWNER: "application",
                                Q_FIXED: "resolution", Q_TEXT: "comment", Q_MINUTES: "lost_minutes"}
    assert landed_responses(empty_url) == [
        ("INC0010231", 10, 5, 4, 5, None, None, "Quick, thanks!", D(2026, 10, 5, 12, 0), ()),
        ("INC0010232", 3, None, None, 2, None, 240.0, '=HYPERLINK("http://x.invalid") still slow',
         D(2026, 10, 8, 9, 15), ()),
        ("INC0010240", 8, None, None, None, None, None, None, D(2026, 10, 10, 8, 0), ()),
    ]
    scores = [r[1] for r in landed_responses(empty_url)]
    happiness = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
    assert happiness == 0.0  # one happy (10), one neutral (8), one unhappy (3)


def generic_long(path, extra_question: str | None = None):
    h = ["response_id", "ticket_id", "question", "value", "submitted_at"]
    rows = [["R1", "T-1", "Overall, how happy are you (0-10)?", "9", "2026-10-05 12:00:00"],
            ["R1", "T-1", "Were you kept informed?", "5", "2026-10-05 12:00:00"],
            ["R1", "T-1", "Comments", "Great", "2026-10-05 12:00:00"],
            ["R2", "T-2", "Overall, how happy are you (0-10)?", "6", "2026-10-07 08:00:00"],
            ["R2", "T-2", "Were you kept informed?", "", "2026-10-07 08:00:00"]]
    if extra_question:
        rows.append(["R2", "T-2", extra_question, "2", "2026-10-07 08:00:00"])
    return write(path, h, rows)


def test_generic_long_template_with_keyword_suggestions(empty_url, tmp_path):
    ready(empty_url)
    do_import(empty_url, "tickets", SAMPLES / "generic_tickets.csv")
    result = do_import(empty_url, "responses", generic_long(tmp_path / "long.csv"))
    assert (result.preset, result.inserted, result.rejected) == ("generic", 2, 0)
    assert [r[:3] + r[7:8] for r in landed_responses(empty_url)] == [
        ("T-1", 9, 5, "Great"), ("T-2", 6, None, None)]


def test_ambiguous_questions_stop_with_exit_2_and_the_exact_flags(empty_sqlite_url, tmp_path, capsys):
    ready(empty_sqlite_url)
    main(["import", "tickets", str(SAMPLES / "generic_tickets.csv"), "--url", empty_sqlite_url])
    path = generic_long(tmp_path / "long.csv", extra_question="How happy were you with the update emails?")
    with pytest.raises(AmbiguousQuestions):
        from data_access.importer.plan import check_plan
        check_plan(plan_import(path, "responses"))
    capsys.readouterr()
    assert main(["import", "responses", str(path), "--url", empty_sqlite_url]) == 2
    err = capsys.readouterr().err
    assert "happiness could be any of 'How happy were you with the update emails?', " \
           "'Overall, how happy are you (0-10)?'" in err
    assert "  --map happiness='Overall, how happy are you (0-10)?'" in err.splitlines()
    assert "  --map happiness='How happy were you with the update emails?'" in err.splitlines()
    assert "         1 · communication · Were you kept informed?" in err.splitlines()
    # The flags the message names settle it; the other question is then left out.
    code = main(["import", "responses", str(path), "--url", empty_sqlite_url,
                 "--map", "happiness=Overall, how happy are you (0-10)?",
                 "--map", "communication=How happy were you with the update emails?"])
    assert code == 0
    assert [r[:3] for r in landed_responses(empty_sqlite_url)] == [("T-1", 9, None), ("T-2", 6, 2)]


def test_unknown_question_in_map_is_refused(empty_sqlite_url, tmp_path, capsys):
    ready(empty_sqlite_url)
    path = generic_long(tmp_path / "long.csv")
    assert main(["import", "responses", str(path), "--url", empty_sqlite_url,
                 "--map", "communication=I was kept clearly informed"]) == 2
    assert "These questions are not in the file: 'I was kept clearly informed'" in capsys.readouterr().err


def test_sample_files_are_the_documented_exports(tmp_path):
    """samples/ carries the same files these tests build (docs/IMPORTING.md points at them)."""
    from tests.importer.test_real_exports import export

    for name, build in (("servicenow_survey_long.csv", servicenow_long), ("generic_responses_long.csv", generic_long),
                        ("generic_helpdesk_combined.csv", export)):
        assert build(tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes()


def test_factors_ticked_on_several_rows_are_all_kept(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    do_import(empty_sqlite_url, "tickets", SAMPLES / "generic_tickets.csv")
    h = ["response_id", "ticket_id", "question", "value", "submitted_at"]
    rows = [["R1", "T-1", "Overall, how happy are you (0-10)?", "4", "2026-10-05 12:00:00"],
            ["R1", "T-1", "What mattered most?", "slow", "2026-10-05 12:00:00"],
            ["R1", "T-1", "What mattered most?", "not_informed", "2026-10-05 12:00:00"],
            ["R1", "T-1", "What mattered most?", "", "2026-10-05 12:00:00"]]
    result = do_import(empty_sqlite_url, "responses", write(tmp_path / "f.csv", h, rows))
    assert result.suggested["What mattered most?"] == "factors"
    assert [(r[0], r[1], r[9]) for r in landed_responses(empty_sqlite_url)] == [("T-1", 4, ("not_informed", "slow"))]


def test_long_survey_offered_as_tickets_says_what_it_is(empty_sqlite_url, tmp_path, capsys):
    ready(empty_sqlite_url)
    path = generic_long(tmp_path / "long.csv")
    assert main(["import", "tickets", str(path), "--url", empty_sqlite_url]) == 2
    assert "one row per answer, not a tickets file: import it as responses" in capsys.readouterr().err
