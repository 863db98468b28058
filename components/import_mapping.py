"""Admin import: the choices of one import as widgets — column (or constant) per field, question →
field for long-format surveys, value maps — and the saved mapping file to download or upload
(the same TOML the CLI's --save-mapping / --mapping use)."""

from __future__ import annotations

import hashlib

import streamlit as st

from components.text import literal
from data_access.importer.fields import FIELDS
from data_access.importer.longformat import ANSWER_FIELDS
from data_access.importer.mapping_file import SavedMapping, mapping_toml, read_mapping
from data_access.importer.plan import Plan, with_questions
from data_access.importer.reader import ImportFileError

VALUE_FIELDS = ["channel", "priority", "ticket_type", "state", "sla_met", "happiness", "factors"]


def saved_mapping(kind: str) -> SavedMapping:
    """An uploaded mapping file for this kind (empty when none); a bad file says why."""
    up = st.file_uploader("Saved mapping (optional, .toml)", type=["toml"], key=f"data_{kind}_mapping_file",
                          help="A mapping downloaded here or written by the CLI's --save-mapping.")
    if up is None:
        return SavedMapping()
    try:
        return read_mapping(up.getvalue())
    except ImportFileError as exc:
        st.error(literal(str(exc)))
        return SavedMapping()


def editor_key(kind: str, preset: str, saved: SavedMapping, part: str) -> str:
    """Widget key that resets the editors when the preset or the uploaded mapping changes."""
    digest = hashlib.sha1(repr(sorted(saved.plan_kwargs().items(), key=str)).encode()).hexdigest()[:8]
    return f"data_{kind}_{part}_{preset}_{digest}"


def field_table(kind: str, base: Plan, saved: SavedMapping, key: str, with_responses: bool) -> tuple[dict, dict]:
    """(field → column, field → constant) from an editable table (response fields too for a combined file)."""
    kinds = [kind] + (["responses"] if with_responses else [])
    mapping = dict(base.mapping)
    if base.responses is not None:
        mapping.update({k: v for k, v in base.responses.mapping.items() if k not in mapping})
    rows, seen = [], set()
    for k in kinds:
        for f in FIELDS[k]:
            if f.name in seen:
                continue
            seen.add(f.name)
            rows.append({"field": f.name, "required": f.required and k == kind,
                         "column in file": mapping.get(f.name, ""), "or constant": saved.constants.get(f.name, "")})
    edited = st.data_editor(rows, hide_index=True, width="stretch", key=key, disabled=["field", "required"],
                            column_config={"column in file": st.column_config.SelectboxColumn(
                                "Column in file", options=[""] + base.source.header),
                                "or constant": st.column_config.TextColumn(
                                    "Or constant", help="One value for every row (like --set FIELD=VALUE)")})
    columns = {r["field"]: r["column in file"] or "" for r in edited}
    constants = {r["field"]: r["or constant"].strip() for r in edited if (r["or constant"] or "").strip()}
    return columns, constants


def value_table(saved: SavedMapping, key: str) -> dict[str, dict[str, str]]:
    """Value maps (like --value FIELD:SOURCE=TARGET) from an editable table."""
    rows = [{"field": f, "value in file": a, "becomes": b} for f, pairs in saved.value_maps.items()
            for a, b in pairs.items()]
    edited = st.data_editor(rows or [{"field": None, "value in file": None, "becomes": None}], hide_index=True,
                            num_rows="dynamic", width="stretch", key=key, column_config={
                                "field": st.column_config.SelectboxColumn("Field", options=VALUE_FIELDS),
                                "value in file": st.column_config.TextColumn("Value in file"),
                                "becomes": st.column_config.TextColumn("Becomes")})
    out: dict[str, dict[str, str]] = {}
    for r in edited:
        if r.get("field") and (r.get("value in file") or "").strip():
            out.setdefault(r["field"], {})[r["value in file"].strip()] = (r.get("becomes") or "").strip()
    return out


def question_table(plan: Plan, key: str) -> Plan:
    """Long-format survey: question → field, suggestions pre-filled; returns the plan with them."""
    st.markdown("**Questions in the file** — choose the field each one fills (empty = not imported)")
    rows = [{"question": q, "answers": n, "field": plan.long.questions.get(q, ""),
             "suggested": "yes" if q in plan.long.suggested else ""} for q, n in plan.long.seen.items()]
    edited = st.data_editor(rows, hide_index=True, width="stretch", key=key,
                            disabled=["question", "answers", "suggested"],
                            column_config={"field": st.column_config.SelectboxColumn(
                                "Field", options=["", *ANSWER_FIELDS])})
    chosen = {r["question"]: r["field"] or "" for r in edited}
    plan = with_questions(plan, chosen)
    for problem in plan.problems:
        st.warning(literal(problem))
    if "happiness" not in plan.long.questions.values():
        st.warning("Choose the question that holds the 0–10 (or 1–5) score: it fills happiness.")
    return plan


def download_mapping(plan: Plan, kind: str) -> None:
    """The plan's choices as the TOML the CLI reads with --mapping."""
    stem = "".join(ch for ch in (plan.file_name or kind).rsplit(".", 1)[0] if ch.isalnum() or ch in "-_")[:60]
    st.download_button("Download this mapping (.toml)", mapping_toml(plan).encode("utf-8"),
                       file_name=f"{stem or kind}-mapping.toml", mime="application/toml",
                       key=f"data_{kind}_mapping_download", on_click="ignore",
                       help=("Use it here next month, or: `python -m data_access import tickets FILE "
                             "--mapping THIS_FILE`" if kind == "tickets" else "Use it here next month, or: "
                             "`python -m data_access import responses FILE --mapping THIS_FILE`"))
