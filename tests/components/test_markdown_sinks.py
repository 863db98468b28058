"""Static check: every value interpolated into text that Streamlit renders as Markdown is either
wrapped by `components.text.literal(...)` or provably safe (a number, a date, a fixed app label).

Looks at every call of a Markdown-rendering element (st.markdown, caption, info, warning, error,
success, expander, tabs, toast, metric, subheader, header, title, write, and the `tile` component)
in app.py, pages/ and components/, whatever the receiver (st, a column, a container).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SINKS = {"markdown", "caption", "info", "warning", "error", "success", "expander", "tabs", "toast",
         "metric", "subheader", "header", "title", "write"}
# A component whose first, third and fourth arguments reach st.metric's label, st.caption and help.
COMPONENT_SINKS = {"tile": (0, 2, 3)}
NOT_STREAMLIT = {"log", "logger", "logging", "LOG", "_log", "fh", "auth_cookie"}  # loggers, files, cookies
# Formatters that only ever return digits, signs, separators and fixed words.
NUMBER_FORMATTERS = {"_day", "len", "int", "round", "max", "min",
                     "day",  # components.formats.day: "3 Nov 2026" from a date
                     "describe_failure",  # fixed sentences about a database problem, no SQL or values
                     "_too_few_colleagues",  # a fixed sentence with the min_colleagues setting
                     # components.culture_first_screen: fixed words around numbers; the currency
                     # code inside goes through literal()
                     "target_phrase", "cost_sentence", "comparison_detail"}
# components.formats functions called as `formats.<name>(…)` that only ever return digits, signs,
# separators, units and dates (`span`: two dates). `channel` is not one: an unknown channel code comes back as imported.
# `money` places its currency argument as given, so that argument must itself be safe (literal(…)).
FORMATS_NUMBERS = {"number", "signed", "plus_minus", "percent", "interval", "margin", "hours", "minutes", "day", "span",
                   "moment"}
# A format spec that turns the value into digits (":d", ":,", ":.1f", ":+.0f", ":%") or a date
# made of strftime fields only (":%d %b %Y").
NUMERIC_SPEC = re.compile(r"^[<>^=]?[+\- ]?\d*([,_]?(\.\d+)?[bdeEfFgGnoxX%]|[,_](\.\d+)?)$")
DATE_SPEC = re.compile(r"^(%-?[a-zA-Z]|[ ,:./\-–])+$")

# Values that are not user-originated, each with the reason it is safe. Keyed by
# (file, source of the interpolated expression).
ALLOWED: dict[tuple[str, str], str] = {
    ("components/survey_pages.py", "claim.score"): "the score of a verified link, an int 0–10",
    ("components/survey_pages.py", "str(exc)"): "InvalidInput messages of the survey follow-up, written by the app",
    ("components/survey_entry.py", "message"): "fixed messages: not configured, or links.Refused texts",
    ("components/survey_entry.py", "links.INVALID"): "a fixed sentence about an invalid link",
    ("components/survey_rates.py", "limits.min_group"): "privacy threshold, an int setting",
    ("components/survey_rates.py", "limits.min_analysts"): "privacy threshold, an int setting",
    ("app.py", "message"): "_stop_with messages are written by the app (configuration problems)",
    ("app.py", "hint"): "_stop_with hints are written by the app",
    ("app.py", "exc"): "a SettingsError: written by the app, names the setting, never repeats its value",
    ("components/signin.py", "minutes"): "an int computed from the lock-out time",
    ("components/coaching_actions.py", "settings.threshold"): "recovery threshold, an int setting",
    ("components/coaching_actions.py", "settings.target_hours"): "recovery target, an int setting",
    ("components/coaching_actions.py", "item['happiness']"): "a score, an integer 0–10",
    ("components/coaching_actions.py", "page + 1"): "page number, an int",
    ("components/coaching_actions.py", "pages"): "page count, an int",
    ("components/coaching_actions.py", "label"): "one of two fixed button labels",
    ("components/coaching_analyst.py", "period.phrase"): "fixed words from components.coaching.PERIODS",
    ("components/coaching_analyst.py", "page + 1"): "page number, an int",
    ("components/coaching_analyst.py", "pages"): "page count, an int",
    ("components/coaching_analyst.py", "unhappy"): "a count, an int",
    ("components/coaching_analyst.py", "reassigned"): "a count, an int",
    ("components/coaching_analyst.py", "reopened"): "a count, an int",
    ("components/coaching_analyst.py", "count"): "a count, an int",
    ("components/coaching_analyst.py", "icon"): "a fixed :material/…: icon of the talking-point kinds",
    ("components/coaching_analyst.py", "title"): "a fixed talking-point heading",
    ("components/coaching_analyst.py", "mine['n']"): "a count, an int",
    ("components/coaching_analyst.py", "min_n"): "privacy threshold, an int setting",
    ("components/coaching.py", "report.min_responses"): "privacy threshold, an int setting",
    ("components/coaching.py", "report.with_enough"): "a row count",
    ("components/coaching.py", "report.overdue_recovery"): "a count, an int",
    ("components/culture_sections.py", "limits.min_group"): "privacy threshold, an int setting",
    ("components/culture_sections.py", "limits.min_analysts"): "privacy threshold, an int setting",
    ("components/culture_sections.py", "title"): "fixed factor-table titles of voice_section",
    ("components/culture_sections.py", "caption"): "the two fixed captions of lost_time_section's splits",
    ("components/culture_sections.py", "sentence"): "built above from formats.hours/minutes/percent only",
    ("components/freshness.py", "status.reason"): "fixed reasons written by data_access.rollups",
    ("components/filters.py", "snapped"): "a fixed phrase about whole weeks",
    ("components/culture_sections.py", "reason"): "one of two fixed sentences",
    ("components/culture_sections.py", "limits.min_group"): "privacy threshold, an int setting",
    ("components/culture_sections.py", "limits.min_analysts"): "privacy threshold, an int setting",
    ("components/import_panel.py", "name.capitalize()"): "fixed summary labels of importer.report",
    ("components/import_panel.py", "kind"): "'tickets' or 'responses', fixed by the page",
    ("components/import_panel.py", "kind.capitalize()"): "'tickets' or 'responses', fixed by the page",
    ("components/import_panel.py", "label"): "a fixed 'Dry run…' / 'Import finished' label",
    ("components/import_panel.py", "', '.join(missing)"): "field names of importer.fields.FIELDS",
    ("components/my_feedback.py", "min_responses"): "privacy threshold, an int setting",
    ("components/my_feedback.py", "days"): "a day count, an int",
    ("components/my_feedback.py", "figures.n"): "a count, an int",
    ("components/my_feedback.py", "figures.min_responses"): "privacy threshold, an int setting",
    ("components/my_feedback.py", "meaning"): "fixed text of metrics.gaps.GAP_EXPLANATIONS",
    ("components/my_feedback.py", "action"): "fixed text of metrics.gaps.GAP_EXPLANATIONS",
    ("components/my_feedback.py", "label.capitalize()"): "a fixed gap label of metrics.gaps",
    ("components/my_feedback.py", "', '.join(dims)"): "CARE dimension names, fixed by the schema",
    ("components/my_feedback.py", "summary"): "metrics.gaps.gap_progress_text: fixed words and numbers",
    ("components/my_feedback.py", "_position_text(figures.happiness_spread, 'Happiness')"):
        "fixed words and formatted percentiles",
    ("components/my_feedback.py", "_position_text(spread, 'lost time')"): "fixed words and formatted percentiles",
    ("components/self_assessment_form.py", "'\\n'.join((f'- {p}' for p in problems))"):
        "validation sentences of data_access.writes.self_assessment",
    ("components/signin.py", "user_writes.MIN_PASSWORD_LENGTH"): "an int constant",
    ("components/tiles.py", "label"): "callers pass fixed labels (checked at every `tile(` call)",
    ("components/tiles.py", "help_text"): "callers pass fixed help (checked at every `tile(` call)",
    ("components/tables.py", "name"): "download_csv callers pass fixed table names ('team overview')",
    ("components/preferences.py", "default_threshold"): "recovery threshold, an int setting",
    ("components/tiles.py", "detail"): "callers pass formatted numbers (checked at every `tile(` call)",
    ("components/culture_sections.py", "_recovery_caption(rec, report.recovery_since)"):
        "fixed words, formatted counts and a formatted date",
    ("components/culture_sections.py",
     "f'{formats.interval(rec.low, rec.high)} · n = {rec.n:,}' if rec.k is not None else _recovery_caption(rec, report.recovery_since)"):
        "a formatted interval and count, or the fixed recovery caption",
    ("components/data_admin.py", "tables['teams']"): "a row count",
    ("components/data_admin.py", "tables['analysts']"): "a row count",
    ("components/data_admin.py", "tables['services']"): "a row count",
    ("components/data_admin.py", "info['backend']"): "the SQLAlchemy dialect name",
    ("components/data_admin.py", "kind.capitalize()"): "'tickets' or 'responses', fixed by the page",
    ("components/data_admin.py", "' · '.join(SCALES.values())"): "fixed scale names of importer.scores",
    ("components/user_admin.py", "users.height"): "a row count",
    ("pages/coaching.py", "TABS"): "fixed tab names",
    ("pages/coaching.py", "figures_rule()"): "a fixed sentence with the min_responses setting, an int",
    ("pages/my_feedback.py", "view.TABS"): "fixed tab names",
}


# Raw HTML built from values, each with the reason it carries no user text.
ALLOWED_HTML: dict[tuple[str, str], str] = {
    ("components/auth_cookie.py", "f'<span class=\"{HIDDEN_CLASS}\"></span>{script}'"):
        "a constant class and a json.dumps-quoted cookie line (base64url token, fixed attributes)",
    ("components/auth_cookie.py", "f'<style>.stElementContainer:has(.{HIDDEN_CLASS}){{display:none !important}}</style>'"):
        "a constant class name",
    ("components/filter_fold.py", "FOLD_CSS"): "a constant style sheet (folds the filters on a phone)",
    ("components/culture_first_screen.py", "TILES_CSS"): "a constant style sheet (tile type size)",
    ("components/reveal.py", "f'<span class=\"{HIDDEN_CLASS}\"></span>{script(tab_label, seq)}'"):
        "a constant class and a constant script; the tab label (a constant of the code) is json.dumps-quoted, "
        "the sequence number an int",
    ("components/reveal.py", "f'<style>.stElementContainer:has(.{HIDDEN_CLASS}){{display:none !important}}</style>'"):
        "a constant class name",
}


def _sources() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "components").glob("*.py")),
            *sorted((ROOT / "views").glob("*.py"))]


def _spec_text(spec: ast.JoinedStr | None) -> str | None:
    if spec is None:
        return None
    if all(isinstance(v, ast.Constant) for v in spec.values):
        return "".join(v.value for v in spec.values)
    return None


class SinkChecker:
    """Collects the interpolated expressions of one file that are neither literal(...) nor safe."""

    def __init__(self, rel: str):
        self.rel = rel
        self.problems: list[str] = []

    def allowed(self, node: ast.AST) -> bool:
        return (self.rel, ast.unparse(node)) in ALLOWED

    def safe(self, node: ast.AST) -> bool:
        if self.allowed(node):
            return True
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name) and node.id.isupper():
            return True  # a module constant (HAPPINESS_HELP, NOTICE): text written in the code
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr.isupper():
            return True  # another module's constant (formats.NO_VALUE)
        if isinstance(node, ast.JoinedStr):
            return all(isinstance(v, ast.Constant) or self.safe_value(v) for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            return self.safe(node.left) and self.safe(node.right)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body) and self.safe(node.orelse)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, (ast.List, ast.Tuple)):
            return all(self.safe(v) for v in node.elts)
        if isinstance(node, ast.Call):
            return self.safe_call(node)
        return False

    def safe_call(self, node: ast.Call) -> bool:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        if name == "literal":
            return True
        if name in NUMBER_FORMATTERS:
            return True
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "formats":
            if func.attr in FORMATS_NUMBERS:
                return True
            if func.attr == "money":
                return all(self.safe(a) for a in node.args[1:]) and all(self.safe(k.value) for k in node.keywords)
        if isinstance(func, ast.Attribute) and func.attr == "format" and isinstance(func.value, ast.Constant):
            return all(self.safe(a) for a in node.args) and all(self.safe(k.value) for k in node.keywords)
        return False

    def safe_value(self, value: ast.FormattedValue) -> bool:
        if self.safe(value.value):
            return True
        spec = _spec_text(value.format_spec)
        if spec and (NUMERIC_SPEC.match(spec) or DATE_SPEC.match(spec)):
            return True
        if isinstance(value.value, ast.Attribute) and value.value.attr == "height":
            return True  # a polars frame's row count
        return False

    def check(self, node: ast.Call, arg: ast.AST) -> None:
        if not self.safe(arg):
            self.problems.append(f"{self.rel}:{node.lineno}: {ast.unparse(arg)[:120]}")

    def visit(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            for keyword in node.keywords:  # `help=` of any element or widget is Markdown too
                if keyword.arg == "help":
                    self.check(node, keyword.value)
            if isinstance(func, ast.Name) and func.id in COMPONENT_SINKS:
                for i in COMPONENT_SINKS[func.id]:
                    if i < len(node.args):
                        self.check(node, node.args[i])
                continue
            if not (isinstance(func, ast.Attribute) and func.attr in SINKS):
                continue
            if isinstance(func.value, ast.Name) and func.value.id in NOT_STREAMLIT:
                continue
            for arg in (node.args[:1] + [k.value for k in node.keywords if k.arg in ("body", "label")]):
                self.check(node, arg)


def markdown_sink_problems(path: Path, rel: str) -> list[str]:
    checker = SinkChecker(rel)
    checker.visit(ast.parse(path.read_text(encoding="utf-8")))
    return checker.problems


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_elements_get_only_literal_or_safe_values(path):
    rel = path.relative_to(ROOT).as_posix()
    assert markdown_sink_problems(path, rel) == []


def test_allow_list_has_no_stale_entries():
    """Every allow-list entry still matches something, so the list cannot silently grow stale."""
    used = set()
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (rel, ast.unparse(node)) in ALLOWED:
                used.add((rel, ast.unparse(node)))
    assert set(ALLOWED) - used == set()


def _problems_of(source: str) -> list[str]:
    checker = SinkChecker("probe.py")
    checker.visit(ast.parse(source))
    return checker.problems


@pytest.mark.parametrize("source", [
    'st.caption(f"{name} · team")',
    'st.info("Hello " + name)',
    'st.markdown("**{}**".format(name))',
    'col.metric(name, 3)',
    'st.expander(f"Kudos {row[\'analyst\']}")',
    'st.tabs([name, "Other"])',
    'st.toast(str(exc))',
    'st.error(label=name)',
    'tile(name, "3", "detail", "help")',
    'tile("Label", "3", f"of {team}", "help")',
    'tile("Label", "3", "detail", f"{team}, same period")',
    'st.selectbox("Pick", ids, help=f"Analysts of {team}")',
    'st.caption(f"{name:>10}")',
    'st.warning(f"{x}" if ok else name)',
    'st.caption(f"via {formats.channel(code)}")',           # an unknown code comes back as imported
    'st.markdown(f"cost {formats.money(cost, currency)}")',  # the currency is an admin's text
    'st.caption(f"{other.signed(x)}")',                     # only the formats module is known
    'st.caption(row.NAME.lower())',
])
def test_checker_flags_unwrapped_values(source):
    assert len(_problems_of(source)) == 1, source


@pytest.mark.parametrize("source", [
    'st.caption(f"{literal(name)} · team")',
    'st.info("Hello " + literal(name))',
    'st.markdown("**{}**".format(literal(name)))',
    'st.caption(f"{n:,} responses, {share:.1f}%, {day:%d %b %Y}")',
    'st.caption(f"{frame.height} rows, {len(rows)} shown")',
    'st.tabs(["One", "Two"])',
    'logger.info(f"{name}")',
    'st.caption(literal(f"Score {x} · {name}"))',
    'st.caption(f"{formats.signed(x)} pts, {formats.percent(s)}, {formats.hours(h)}, {formats.interval(a, b)}")',
    'st.markdown(f"cost {formats.money(cost, literal(currency))}, {formats.money(x, compact=True)}")',
    'tile("Change", formats.NO_VALUE, "too few to compare", "help")',
])
def test_checker_accepts_wrapped_and_numeric_values(source):
    assert _problems_of(source) == [], source


def test_no_link_or_image_columns_and_no_html_with_values():
    """Table cells stay text (no LinkColumn/ImageColumn turning a value into a link or a fetch), and
    raw HTML only ever carries text written in the code."""
    problems = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("LinkColumn", "ImageColumn"):
                problems.append(f"{rel}:{node.lineno}: {node.attr}")
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "unsafe_allow_html" and not (
                            isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                        problems.append(f"{rel}:{node.lineno}: unsafe_allow_html")
                if isinstance(node.func, ast.Attribute) and node.func.attr == "html" and not all(
                        isinstance(a, ast.Constant) or (rel, ast.unparse(a)) in ALLOWED_HTML for a in node.args):
                    problems.append(f"{rel}:{node.lineno}: st.html with a value")
    assert problems == []
