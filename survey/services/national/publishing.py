"""Publishing a release of a national round: a frozen, dated snapshot from which every
aggregate that leaves a unit is published; ``releases`` (next to it) reads them.

- While a round collects, national staff see participation only. They publish a release when
  the round closes (``final``), and may publish one ``preliminary`` release before that, once.
  Later releases (late answers, a reopened assessment) are ``revision``s.
- A release freezes the round's submitted data (unit-level questionnaires: submitted
  assessments; individual ones: the respondents released in batches, ``survey.services.
  batches``), computes every table of the breakdown family with the statistics engine, and
  decides which cells to hide jointly with every earlier release of the round
  (``survey.stats.publication``). The published rows, the comparisons, the paired trends against
  the previous national round and the snapshot are stored; nothing is recomputed when a page,
  the API or a file reads a release, so they all show the same cells, forever.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.errors import Conflict, NotFound
from survey.models import Round, RoundRelease, Unit
from survey.questionnaire import Questionnaire
from survey.services.assessments.batches import end_round_collections, released_counts
from survey.services.audit import record
from survey.services.engine import answer_columns, column_tables
from survey.services.national.aggregates import (
    DIMENSIONS,
    FAMILY,
    STAT_FIELDS,
    group_dict,
    round_entries,
)
from survey.services.national.releases import Snapshot, previous_national, releases_of
from survey.services.rounds.access import RoundScope
from survey.stats.breakdowns import breakdowns
from survey.stats.prepare import prepare
from survey.stats.publication import Units, hidden_cells, paired_tables, small_cell

Progress = Callable[[str], None]


def owner_scope(session: Session, round_: Round) -> RoundScope:
    owner = session.get(Unit, round_.owner_unit_id)
    assert owner is not None
    return RoundScope(round_, owner, None, False, False)


def take_snapshot(session: Session, *, round_: Round, q: Questionnaire) -> tuple[Snapshot, Any]:
    """The round's submitted data now: answering units with their attributes and scores, and
    the answers behind them. Also returns the round's entries (for the targeted counts)."""
    entries = round_entries(session, round_=round_, owner_scope=owner_scope(session, round_))
    if q.is_individual:
        released = released_counts(session, assessment_ids=[e.assessment_id for e in entries])
        answering = [e for e in entries if released.get(e.assessment_id, 0) > 0]
    else:
        answering = [e for e in entries if e.answering]
    answers = answer_columns(
        session,
        q=q,
        assessment_ids=[e.assessment_id for e in answering],
        submitted_only=True,
        released_only=q.is_individual,
    )
    unit_table, answer_table = column_tables(
        units={e.unit_id: e.attributes for e in answering}, answers=answers, columns=DIMENSIONS
    )
    prepared = prepare(q, unit_table, answer_table)
    n_units = len(unit_table)
    scores = np.full((len(prepared.scopes), n_units), np.nan)
    respondents = np.zeros(n_units, dtype=np.int64)
    if prepared.n_ur:
        scores[:, prepared.ur_unit] = prepared.unit.score
        respondents[prepared.ur_unit] = prepared.unit.n_respondents[0]
    units = Units(
        np.array([int(u) for u in unit_table.ids], dtype=np.int64),
        {d: list(unit_table.columns[d]) for d in DIMENSIONS},
        scores,
        respondents,
    )
    scopes = list(zip(prepared.scopes.types, prepared.scopes.ids, strict=True))
    return Snapshot(units, answers, scopes), entries


def next_kind(round_: Round, existing: list[RoundRelease]) -> str:
    """The kind the next release of the round would be, or Conflict with the reason."""
    if round_.state != "closed":
        if existing:
            raise Conflict("err.release.preliminary_exists")
        return "preliminary"
    return "revision" if any(r.kind == "final" for r in existing) else "final"


def _targeted(entries: list[Any]) -> dict[tuple[str, str], int]:
    from survey.stats.publication import SEPARATOR

    out: dict[tuple[str, str], int] = {}
    for columns in FAMILY:
        name = ",".join(columns)
        for entry in entries:
            values = [entry.attributes[c] for c in columns]
            if all(values):
                key = (name, SEPARATOR.join(values))
                out[key] = out.get(key, 0) + 1
    return out


def create_release(
    session: Session,
    *,
    round_: Round,
    q: Questionnaire,
    k: int,
    k_detail: int,
    actor_id: int | None,
    ip: str | None = None,
    progress: Progress | None = None,
) -> RoundRelease:
    """Publish the next release of a national round (see the module)."""
    say = progress or (lambda message: None)
    began = time.perf_counter()
    if round_.kind != "national":
        raise NotFound("err.round.not_found")
    # One release of a round at a time: the round's row is locked until the transaction ends
    # (PostgreSQL; SQLite writes one transaction at a time anyway, and the unique number of a
    # release catches the rest).
    session.exec(select(Round.id).where(Round.id == round_.id).with_for_update()).first()
    existing = releases_of(session, round_id=round_.id)  # type: ignore[arg-type]
    kind = next_kind(round_, existing)
    if round_.state == "closed" and q.is_individual:
        end_round_collections(session, round_=round_, k=k, actor_id=actor_id, ip=ip)
    snapshot, entries = take_snapshot(session, round_=round_, q=q)
    say(f"snapshot: {len(snapshot.units.ids)} units, {len(snapshot.answers)} answers")
    if not len(snapshot.units.ids):
        raise Conflict("err.release.nothing_submitted")
    earlier = [_stored(session, r.id) for r in existing]  # type: ignore[arg-type]
    if earlier and _same_data(earlier[-1][0], snapshot):
        raise Conflict("err.release.unchanged", number=existing[-1].number)
    scopes = snapshot.scopes
    hidden, audit = hidden_cells(
        [s.units for s, _ in earlier] + [snapshot.units],
        [h for _, h in earlier],
        family=FAMILY,
        n_scopes=len(scopes),
        k=k,
        individual=q.is_individual,
        progress=say,
    )
    rows, comparisons = _published_rows(q, snapshot, hidden, entries, k_detail, say)
    paired = _paired(session, round_=round_, q=q, snapshot=snapshot, hidden=hidden, k=k)
    say("paired trends" if paired else "no earlier national round to pair with")
    number = (existing[-1].number + 1) if existing else 1
    content = {"rows": rows, "comparisons": comparisons, "paired": paired}
    audit["seconds"] = round(time.perf_counter() - began, 2)
    audit["hidden_cells"] = sum(1 for r in rows if r["suppressed"])
    audit["cells"] = len(rows)
    release = RoundRelease(
        round_id=round_.id,  # type: ignore[arg-type]
        number=number,
        kind=kind,
        created_at=utcnow(),
        created_by=actor_id,
        k=k,
        k_detail=k_detail,
        n_units=len(snapshot.units.ids),
        n_respondents=int(snapshot.units.respondents.sum()),
        summary=audit,
        publication=zlib.compress(
            json.dumps(content, ensure_ascii=False, allow_nan=False).encode("utf-8"), 6
        ),
        snapshot=snapshot.to_bytes(),
    )
    session.add(release)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("err.release.race", number=number) from exc
    record(
        session,
        action="release.publish",
        object_type="round",
        object_id=round_.id,
        unit_id=round_.owner_unit_id,
        user_id=actor_id,
        detail={
            "number": number,
            "kind": kind,
            "n_units": release.n_units,
            "hidden_cells": audit["hidden_cells"],
        },  # fmt: skip
        ip=ip,
    )
    say(f"release {number} ({kind}) stored in {audit['seconds']} s")
    return release


def _stored(session: Session, release_id: int) -> tuple[Snapshot, dict[int, set[tuple[str, str]]]]:
    """An earlier release's snapshot and, per scope, its hidden cells."""
    row = session.get(RoundRelease, release_id)
    assert row is not None
    snapshot = Snapshot.from_bytes(row.snapshot)
    content = json.loads(zlib.decompress(row.publication))
    index = {scope: s for s, scope in enumerate(snapshot.scopes)}
    hidden: dict[int, set[tuple[str, str]]] = {}
    from survey.stats.publication import SEPARATOR

    for r in content["rows"]:
        if r["suppressed"]:
            s = index[(r["scope_type"], r["scope_id"])]
            label = SEPARATOR.join(r["group"][c] for c in r["by"].split(",")) if r["by"] else ""
            hidden.setdefault(s, set()).add((r["by"], label))
    return snapshot, hidden


def _same_data(a: Snapshot, b: Snapshot) -> bool:
    return (
        np.array_equal(a.units.ids, b.units.ids)
        and np.array_equal(a.units.scores, b.units.scores, equal_nan=True)
        and np.array_equal(a.units.respondents, b.units.respondents)
        and a.units.attributes == b.units.attributes
    )


def _published_rows(
    q: Questionnaire,
    snapshot: Snapshot,
    hidden: dict[int, set[tuple[str, str]]],
    entries: list[Any],
    k_detail: int,
    say: Progress,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    units = {
        int(uid): {d: snapshot.units.attributes[d][i] for d in DIMENSIONS}
        for i, uid in enumerate(snapshot.units.ids.tolist())
    }
    unit_table, answer_table = column_tables(
        units=units, answers=snapshot.answers, columns=DIMENSIONS
    )
    results = breakdowns(q, unit_table, answer_table, by=FAMILY, tests=False)
    say("tables computed")
    scope_index = {scope: s for s, scope in enumerate(snapshot.scopes)}
    targeted = _targeted(entries)
    rows: list[dict[str, Any]] = []
    hidden_groups: set[tuple[str, int]] = set()
    for b in results:
        for row in b.rows:
            s = scope_index[(row["scope_type"], row["scope_id"])]
            label = row["group"] if b.columns else ""
            is_hidden = (b.by, label) in hidden[s]
            if is_hidden:
                hidden_groups.add((b.by, s))
            n_targeted = targeted.get((b.by, label), 0)
            shown = small_cell(row, k_detail)
            out: dict[str, Any] = {
                "round": row["round"],
                "by": b.by,
                "group": group_dict(b.columns, label),
                "scope_type": row["scope_type"],
                "scope_id": row["scope_id"],
            }
            for name in STAT_FIELDS:
                out[name] = None if is_hidden else shown[name]
            out["suppressed"] = is_hidden
            out["detail_withheld"] = not is_hidden and shown is not row
            out["n_targeted"] = n_targeted
            out["response_rate"] = (
                None if is_hidden or not n_targeted else int(row["n_units"] or 0) / n_targeted
            )
            rows.append(out)
    comparisons = []
    for b in results:
        for row in b.comparisons:
            s = scope_index[(row["scope_type"], row["scope_id"])]
            entry = {key: value for key, value in row.items() if key != "values"}
            if (b.by, s) in hidden_groups:
                entry |= {k: None for k in entry if k not in ("round", "by", "scope_type",
                                                           "scope_id")}  # fmt: skip
                entry["withheld"] = "hidden_groups"
            else:
                entry["withheld"] = None
            comparisons.append(entry)
    return rows, comparisons


def _paired(
    session: Session,
    *,
    round_: Round,
    q: Questionnaire,
    snapshot: Snapshot,
    hidden: dict[int, set[tuple[str, str]]],
    k: int,
) -> dict[str, Any] | None:
    earlier_round = previous_national(session, round_=round_)
    if earlier_round is None or earlier_round.questionnaire_id != round_.questionnaire_id:
        # another version of the questionnaire: its scores rest on other items (pairing on
        # the crosswalk's comparable items is not done for national releases yet)
        return None
    found = releases_of(session, round_id=earlier_round.id)  # type: ignore[arg-type]
    if not found:
        return None
    earlier, _ = _stored(session, found[-1].id)  # type: ignore[arg-type]
    if earlier.scopes != snapshot.scopes:
        return None
    rows = paired_tables(
        earlier.units,
        snapshot.units,
        family=FAMILY,
        scopes=snapshot.scopes,
        later_hidden=hidden,
        k=k,
    )
    for row in rows:
        columns = tuple(row["by"].split(",")) if row["by"] else ()
        row["group"] = group_dict(columns, row["group"])
    return {"round_id": earlier_round.id, "release": found[-1].number, "rows": rows}
