"""What an import will do, decided before any write: the opened file, its preset, the column (or,
for long-format surveys, question) mapping, constants, value maps and, for a combined file, the
plan of its responses."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from data_access import settings
from data_access.importer import longformat, presets
from data_access.importer.fields import FIELDS, KINDS
from data_access.importer.longformat import AmbiguousQuestions, LongLayout
from data_access.importer.reader import ImportFileError, RawBatch, Source, open_source
from data_access.importer.validate import AmbiguousDates, Rules, decide_date_order

DATE_FIELDS = ("opened_at", "resolved_at", "submitted_at")


def max_import_bytes() -> int:
    """Largest file an import accepts (env SERVICE_PULSE_MAX_IMPORT_MB, default 2 GB)."""
    return int(settings.current().imports.max_file_mb * 1024 * 1024)


@dataclass
class Plan:
    """What will be imported and how."""

    kind: str
    source: Source
    preset: str
    mapping: dict[str, str]                      # target field → header (long: pivoted column)
    scale: str = "0-10"
    date_order: str | None = None
    file_name: str | None = None
    constants: dict[str, str] = field(default_factory=dict)              # field → value (--set)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {source: ours}
    long: LongLayout | None = None
    problems: list[str] = field(default_factory=list)  # long format: what needs a person's choice
    stats: pl.DataFrame | None = None                  # long format: question, answers, numeric, top
    responses: "Plan | None" = None                    # combined file: the answers on the ticket rows
    _pivoted: tuple[pl.DataFrame, int] | None = None
    _long_batches: list[RawBatch] | None = None  # long format: the file read once, kept for the pivot

    @property
    def kind_preset(self) -> presets.KindPreset:
        return presets.load_presets()[self.preset].kinds[self.kind]

    @property
    def header(self) -> list[str]:
        """Columns of the rows validation sees (long format: the pivoted response rows)."""
        if self.long is None:
            return self.source.header
        return ["instance", "ticket_id", "submitted_at", *sorted(set(self.long.questions.values()))]

    def missing(self) -> list[str]:
        """Required fields still unmapped (a constant counts as mapped)."""
        return presets.missing_required(self.kind, self.kind_preset, {**self.mapping, **self.constants})

    def pivoted(self) -> tuple[pl.DataFrame, int]:
        """Long format: (one row per response, answer rows read), pivoted once per plan."""
        if self._pivoted is None:
            self._pivoted = longformat.pivot(self._long_batches or self.source.batches(), self.long)
        return self._pivoted

    def batches(self, rows: int = 100_000):
        """The rows validation sees, in batches."""
        if self.long is None:
            yield from self.source.batches(rows)
        else:
            yield from longformat.as_batches(self.pivoted()[0], rows)

    def rules(self, factor_lookup: dict[str, int] | None = None, date_order: str | None = None) -> Rules:
        kp = self.kind_preset
        values = {f: dict(m) for f, m in kp.values.items()}
        for f, pairs in self.value_maps.items():
            values.setdefault(f, {}).update({presets.normalise(a): b for a, b in pairs.items()})
        return Rules(kind=self.kind, mapping=self.mapping, values=values, scale=self.scale,
                     handle_unit=kp.handle_unit, type_from_prefix=kp.type_from_prefix,
                     date_order=date_order or self.date_order, factor_lookup=factor_lookup or {},
                     constants=self.constants)


def plan_import(path: str | Path, kind: str, *, preset: str | None = None,
                mapping: dict[str, str] | None = None, scale: str | None = None,
                date_order: str | None = None, file_name: str | None = None,
                max_bytes: int | None = None, constants: dict[str, str] | None = None,
                value_maps: dict[str, dict[str, str]] | None = None,
                with_responses: bool = False) -> Plan:
    """Open the file, pick (or detect) the preset and map its columns (or questions); raises
    ImportFileError when the file cannot be imported as `kind` (nothing is written)."""
    if kind not in KINDS:
        raise ImportFileError(f"Unknown import kind '{kind}' (tickets or responses).")
    source = open_source(path, max_bytes=max_import_bytes() if max_bytes is None else max_bytes)
    mapping = {k: v for k, v in (mapping or {}).items()}
    extra = dict(scale=scale, date_order=date_order, file_name=file_name or Path(path).name,
                 constants=dict(constants or {}), value_maps={k: dict(v) for k, v in (value_maps or {}).items()})
    if kind == "responses":
        long = _long_plan(source, preset, mapping, **extra)
        if long is not None:
            return long
    plan = _wide_plan(source, kind, preset, mapping, **extra)
    if with_responses:
        if kind != "tickets":
            raise ImportFileError("--with-responses goes with a tickets import.")
        plan.responses = _combined_responses(plan, mapping, scale)
    return plan


def _wide_plan(source: Source, kind: str, preset: str | None, mapping: dict[str, str], *, scale,
               **extra) -> Plan:
    names = presets.load_presets()
    if preset is None:
        preset = presets.detect_preset(kind, source.header) or "generic"
    if preset not in names or kind not in names[preset].kinds:
        raise ImportFileError(f"The preset '{preset}' has no {kind} layout; choose one of "
                              f"{', '.join(presets.preset_names(kind))}.")
    kp = names[preset].kinds[kind]
    own = {f.name for f in FIELDS[kind]}
    auto = presets.auto_mapping(kind, kp, source.header)
    given = {k: v for k, v in mapping.items() if k in own}
    auto.update({k: v for k, v in given.items() if v})
    auto = {k: v for k, v in auto.items() if given.get(k, v) and k not in extra["constants"]}
    unknown = [v for v in auto.values() if v not in source.header]
    if unknown:
        raise ImportFileError(f"The mapping names columns the file does not have: {', '.join(unknown)}.")
    return Plan(kind=kind, source=source, preset=preset, mapping=auto, scale=scale or kp.scale, **extra)


def _combined_responses(tickets: Plan, mapping: dict[str, str], scale: str | None) -> Plan:
    """The responses side of a combined file: same rows, the answer columns; the survey date
    defaults to the resolution date when the file has none."""
    names = presets.load_presets()
    preset = tickets.preset if "responses" in names[tickets.preset].kinds else "generic"
    kp = names[preset].kinds["responses"]
    auto = presets.auto_mapping("responses", kp, tickets.source.header)
    auto.update({k: v for k, v in mapping.items() if k in {f.name for f in FIELDS["responses"]} and v})
    if "ticket_id" in tickets.mapping:  # the answers belong to the ticket on the same row
        auto["ticket_id"] = tickets.mapping["ticket_id"]
    if "submitted_at" not in auto and "resolved_at" in tickets.mapping:
        auto["submitted_at"] = tickets.mapping["resolved_at"]
    auto = {k: v for k, v in auto.items() if v}
    unknown = [v for v in auto.values() if v not in tickets.source.header]
    if unknown:
        raise ImportFileError(f"The mapping names columns the file does not have: {', '.join(unknown)}.")
    return Plan(kind="responses", source=tickets.source, preset=preset, mapping=auto,
                scale=scale or kp.scale, date_order=tickets.date_order, file_name=tickets.file_name,
                value_maps=tickets.value_maps)


def _long_plan(source: Source, preset: str | None, mapping: dict[str, str], *, scale, **extra) -> Plan | None:
    """A plan for a long-format survey file, or None when the header is not one."""
    names = presets.load_presets()
    order = [preset] if preset else list(names)
    for name in order:
        if name not in names or not names[name].long_columns:
            continue
        columns = longformat.detect_columns(source.header, names[name].long_columns)
        if columns is None:
            continue
        roles = {k: v for k, v in mapping.items() if k in longformat.ROLES and v in source.header}
        columns.update(roles)
        chosen = {v: k for k, v in mapping.items() if k not in roles and v and v not in source.header}
        raw = list(source.batches())
        stats = longformat.question_stats(raw, columns)
        absent = [q for q in chosen if q not in set(stats["question"].to_list())]
        if absent:
            raise ImportFileError("These questions are not in the file: " + ", ".join(f"'{q}'" for q in absent)
                                  + ". Questions in the file: "
                                  + "; ".join(f"'{q}'" for q in stats["question"].to_list()) + ".")
        applied, problems = longformat.suggest(stats, chosen)
        layout = LongLayout(columns=columns, questions={**chosen, **applied}, seen=dict(
            stats.select("question", "answers").iter_rows()), suggested=applied,
            unanswered=names[name].long_unanswered)
        fields = set(layout.questions.values())
        kp = names[name].kinds.get("responses") or names["generic"].kinds["responses"]
        return Plan(kind="responses", source=source, preset=name if "responses" in names[name].kinds else "generic",
                    mapping={"ticket_id": "ticket_id", "submitted_at": "submitted_at", **{f: f for f in fields}},
                    scale=scale or kp.scale, long=layout, problems=problems, stats=stats, _long_batches=raw, **extra)
    return None


def with_questions(plan: Plan, questions: dict[str, str]) -> Plan:
    """The long-format plan with question → field choices replaced (the Admin page's table)."""
    chosen = {q: f for q, f in questions.items() if f}
    applied, problems = longformat.suggest(plan.stats, chosen)
    layout = replace(plan.long, questions={**chosen, **applied}, suggested=applied)
    fields = set(layout.questions.values())
    return replace(plan, long=layout, problems=problems, _pivoted=None,
                   mapping={"ticket_id": "ticket_id", "submitted_at": "submitted_at", **{f: f for f in fields}})


def check_plan(plan: Plan) -> None:
    """Raise ImportFileError (or AmbiguousQuestions) with a clear message when the plan cannot run."""
    if plan.long is not None:
        missing = [f for f in ("happiness",) if f not in plan.long.questions.values()]
        if plan.problems or missing:
            raise AmbiguousQuestions(longformat.flags_message(plan.stats, plan.problems, missing,
                                                                plan.long.questions))
        return
    if plan.responses is not None:
        check_plan(plan.responses)
    missing = plan.missing()
    if not missing:
        return
    other = "responses" if plan.kind == "tickets" else "tickets"
    if plan.kind == "tickets" and any(p.long_columns and longformat.detect_columns(plan.source.header, p.long_columns)
                                      for p in presets.load_presets().values()):
        raise ImportFileError("This looks like a survey file with one row per answer, not a tickets file: "
                              "import it as responses. Nothing was imported.")
    if presets.detect_preset(other, plan.source.header) and len(missing) > 1:
        raise ImportFileError(f"This looks like a {other} file, not a {plan.kind} file (it has no "
                              f"columns for {', '.join(missing)}). Nothing was imported.")
    raise ImportFileError(f"The file has no column for {', '.join(missing)}; map "
                          f"{'it' if len(missing) == 1 else 'them'} to a column of the file (--map), give "
                          f"a constant (--set FIELD=VALUE), or choose another preset. Nothing was imported.")


def decide_dates(plan: Plan, first: RawBatch | None) -> str | None:
    """The day/month order to use: the explicit choice, or what the file's own dates show."""
    if plan.date_order:
        return plan.date_order
    cols = [plan.mapping[f] for f in DATE_FIELDS if f in plan.mapping]
    if not cols:
        return None

    def verdict(frames) -> str | None:
        found = None
        for frame in frames:
            for c in cols:
                v = decide_date_order(frame[c])
                if v == "mixed":
                    return "mixed"
                if v in ("day", "month"):
                    if found in ("day", "month") and found != v:
                        return "mixed"
                    found = v
                elif v == "ambiguous" and found is None:
                    found = "ambiguous"
        return found

    seen = verdict([first.frame] if first is not None else [])
    if seen == "ambiguous":  # the first rows cannot tell: look at every date in the file
        seen = verdict(b.frame.select(cols) for b in plan.batches())
    if seen == "mixed":
        raise AmbiguousDates("Some dates put the day first (31/01/2025) and others the month first "
                             "(01/31/2025). Choose day-first or month-first explicitly; rows that do "
                             "not fit the choice will be rejected. Nothing was imported.")
    if seen == "ambiguous":
        raise AmbiguousDates("Dates such as 03/04/2025 could be 3 April or March 4, and no date in "
                             "the file tells which. Choose day-first or month-first. Nothing was imported.")
    return seen


