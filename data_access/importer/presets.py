"""Import presets, read from presets.toml: column aliases and value maps per ITSM / survey tool."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from data_access.importer.fields import FIELDS, KINDS, REPORT_COLUMNS, required_fields

PRESETS_FILE = Path(__file__).with_name("presets.toml")
UNIT_TO_MINUTES = {"seconds": 1 / 60, "minutes": 1.0, "hours": 60.0}


def normalise(text: str) -> str:
    """Matching key for headers and values: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]+", "", str(text).casefold())


@dataclass(frozen=True)
class KindPreset:
    """How one tool exports one kind (tickets or responses)."""

    columns: dict[str, tuple[str, ...]]
    values: dict[str, dict[str, str]]
    scale: str = "0-10"
    handle_unit: str = "minutes"
    type_from_prefix: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Preset:
    """A named preset with its per-kind column and value maps."""

    name: str
    label: str
    kinds: dict[str, KindPreset]
    long_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # long-format survey roles
    long_unanswered: tuple[str, ...] = ()  # values of a long file that mean "not answered"


@functools.lru_cache(maxsize=1)
def load_presets() -> dict[str, Preset]:
    """All presets by name (generic first), with the common value maps merged in."""
    with PRESETS_FILE.open("rb") as fh:
        raw = tomllib.load(fh)
    common = raw.pop("common", {}).get("values", {})
    out: dict[str, Preset] = {}
    for name, spec in raw.items():
        kinds = {}
        for kind in KINDS:
            if kind not in spec:
                continue
            k = spec[kind]
            values: dict[str, dict[str, str]] = {}
            for fname in set(common) | set(k.get("values", {})):
                merged = {normalise(a): str(b) for a, b in common.get(fname, {}).items()}
                merged.update({normalise(a): str(b) for a, b in k.get("values", {}).get(fname, {}).items()})
                values[fname] = merged
            kinds[kind] = KindPreset(
                columns={f: tuple(v) for f, v in k.get("columns", {}).items()},
                values=values, scale=k.get("scale", "0-10"),
                handle_unit=k.get("units", {}).get("handle_minutes", "minutes"),
                type_from_prefix={p.upper(): t for p, t in k.get("type_from_prefix", {}).items()})
        long = spec.get("long", {})
        out[name] = Preset(name=name, label=spec.get("label", name), kinds=kinds,
                           long_columns={r: tuple(v) for r, v in long.get("columns", {}).items()},
                           long_unanswered=tuple(str(v) for v in long.get("unanswered", ())))
    return out


def preset_names(kind: str) -> list[str]:
    """Presets that can read files of `kind`."""
    return [n for n, p in load_presets().items() if kind in p.kinds]


def auto_mapping(kind: str, kind_preset: KindPreset, header: list[str]) -> dict[str, str]:
    """Target field → the file's header that the preset's aliases (or the field's own name) match."""
    by_key: dict[str, str] = {}
    report_file = {normalise(c) for c in REPORT_COLUMNS} <= {normalise(h) for h in header}
    for h in header:
        if not (report_file and normalise(h) in {normalise(c) for c in REPORT_COLUMNS}):
            by_key.setdefault(normalise(h), h)  # a rejects report's own columns are never data
    mapping: dict[str, str] = {}
    for f in (fd.name for fd in FIELDS[kind]):
        for alias in kind_preset.columns.get(f, ()) + (f,):
            hit = by_key.get(normalise(alias))
            if hit is not None and hit not in mapping.values():
                mapping[f] = hit
                break
    return mapping


def missing_required(kind: str, kind_preset: KindPreset, mapping: dict[str, str]) -> list[str]:
    """Required fields the mapping leaves unmapped (ticket_type is fine with a prefix rule)."""
    missing = [f for f in required_fields(kind) if f not in mapping]
    if kind == "tickets" and "ticket_type" in missing and kind_preset.type_from_prefix:
        missing.remove("ticket_type")
    return missing


def detect_preset(kind: str, header: list[str]) -> str | None:
    """The preset whose columns best match the header and that maps every required field."""
    best, best_score = None, 0
    for name, preset in load_presets().items():
        kp = preset.kinds.get(kind)
        if kp is None:
            continue
        mapping = auto_mapping(kind, kp, header)
        if missing_required(kind, kp, mapping):
            continue
        # Prefer presets whose own aliases matched (not just the generic field names).
        own = sum(1 for f, h in mapping.items() if normalise(h) in {normalise(a) for a in kp.columns.get(f, ())})
        score = own * 2 + len(mapping)
        if score > best_score:
            best, best_score = name, score
    return best
