"""Mappings that repeat: everything chosen for an import (preset, columns, questions, constants,
value maps, scale, date order) as a small TOML file that the CLI (`--save-mapping`, `--mapping`)
and the Admin page (download / upload) both write and read."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from data_access.importer.plan import Plan
from data_access.importer.reader import ImportFileError

HEADER = "# Service Pulse import mapping: python -m data_access import KIND FILE --mapping THIS_FILE\n"


@dataclass
class SavedMapping:
    """The choices of one import, ready to pass to plan_import."""

    kind: str | None = None
    preset: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)   # field → column, or field → question
    scale: str | None = None
    date_order: str | None = None
    constants: dict[str, str] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    with_responses: bool = False

    def plan_kwargs(self) -> dict:
        return dict(preset=self.preset, mapping=dict(self.mapping), scale=self.scale, date_order=self.date_order,
                    constants=dict(self.constants), value_maps={k: dict(v) for k, v in self.value_maps.items()},
                    with_responses=self.with_responses)

    def merged(self, other: "SavedMapping") -> "SavedMapping":
        """This mapping with `other`'s explicit choices on top (command-line flags win)."""
        values = {k: dict(v) for k, v in self.value_maps.items()}
        for f, pairs in other.value_maps.items():
            values.setdefault(f, {}).update(pairs)
        return SavedMapping(kind=other.kind or self.kind, preset=other.preset or self.preset,
                            mapping={**self.mapping, **other.mapping}, scale=other.scale or self.scale,
                            date_order=other.date_order or self.date_order,
                            constants={**self.constants, **other.constants}, value_maps=values,
                            with_responses=other.with_responses or self.with_responses)


def _s(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _table(name: str, pairs: dict[str, str]) -> list[str]:
    if not pairs:
        return []
    return ["", f"[{name}]"] + [f"{_s(k)} = {_s(v)}" for k, v in pairs.items()]


def mapping_toml(plan: Plan) -> str:
    """The plan's choices as TOML text (what `--save-mapping` writes and the page downloads)."""
    lines = [HEADER.rstrip("\n"), f"kind = {_s(plan.kind)}", f"preset = {_s(plan.preset)}", f"scale = {_s(plan.scale)}"]
    if plan.date_order:
        lines.append(f"date_order = {_s(plan.date_order)}")
    if plan.responses is not None:
        lines.append("with_responses = true")
    if plan.long is not None:
        columns = dict(plan.long.columns)
        questions = dict(plan.long.questions)
    else:
        columns = dict(plan.mapping)
        if plan.responses is not None:
            columns.update({k: v for k, v in plan.responses.mapping.items() if k not in columns})
        questions = {}
    lines += _table("columns", columns) + _table("questions", questions) + _table("constants", plan.constants)
    for fld, pairs in plan.value_maps.items():
        lines += _table(f"values.{_s(fld)}", pairs)
    return "\n".join(lines) + "\n"


def read_mapping(text: str | bytes) -> SavedMapping:
    """A saved mapping from TOML text; ImportFileError with the reason when it is not one."""
    try:
        raw = tomllib.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"The mapping file is not valid TOML ({exc}).") from exc

    def strings(name: str) -> dict[str, str]:
        table = raw.get(name, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ImportFileError(f"The mapping file's [{name}] must hold text values only.")
        return {str(k): v for k, v in table.items()}

    values = raw.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise ImportFileError("The mapping file's [values.FIELD] tables must map text to text.")
    mapping = strings("columns")
    mapping.update({fld: question for question, fld in strings("questions").items()})
    date_order = raw.get("date_order")
    if date_order not in (None, "day", "month"):
        raise ImportFileError("date_order in the mapping file must be \"day\" or \"month\".")
    return SavedMapping(kind=raw.get("kind"), preset=raw.get("preset"), mapping=mapping, scale=raw.get("scale"),
                        date_order=date_order, constants=strings("constants"),
                        value_maps={str(f): {str(a): str(b) for a, b in m.items()} for f, m in values.items()},
                        with_responses=bool(raw.get("with_responses", False)))


def load_mapping(path: Path) -> SavedMapping:
    """A saved mapping from a file."""
    try:
        return read_mapping(path.read_bytes())
    except OSError as exc:
        raise ImportFileError(f"The mapping file cannot be read ({exc.strerror}).") from exc
