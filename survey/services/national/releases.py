"""Releases of national rounds: frozen, dated snapshots from which every aggregate
that leaves a unit is published. This module reads them; ``publishing`` (next to it) creates
them.

- While a round collects, national staff see participation only. They publish a release when
  the round closes (``final``), and may publish one ``preliminary`` release before that, once.
  Later releases (late answers, a reopened assessment) are ``revision``s.
- A release freezes the round's submitted data, its published rows, the comparisons, the
  paired trends against the previous national round and the snapshot; nothing is recomputed
  when a page, the API or a file reads a release, so they all show the same cells, forever.
"""

from __future__ import annotations

import io
import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from survey.cache import Memo, database_key
from survey.errors import InvalidInput, NotFound
from survey.models import QuestionnaireVersion, Round, RoundRelease
from survey.parsing import ascii_int
from survey.questionnaire import Framework, Questionnaire
from survey.services.engine import AnswerColumns
from survey.services.national.aggregates import DIMENSIONS, Publication
from survey.services.questionnaires import questionnaire_for
from survey.stats.publication import Units


@dataclass(frozen=True)
class Snapshot:
    units: Units
    answers: AnswerColumns
    scopes: list[tuple[str, str]]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        arrays: dict[str, Any] = {
            "unit_ids": self.units.ids,
            "scores": self.units.scores,
            "respondents": self.units.respondents,
            "scope_types": np.array([t for t, _ in self.scopes]),
            "scope_ids": np.array([s for _, s in self.scopes]),
            "round_id": self.answers.round_id.astype(np.int64),
            "unit_id": self.answers.unit_id.astype(np.int64),
            "respondent_id": self.answers.respondent_id.astype(np.int64),
            "item": self.answers.item.astype(np.int16),
            "value": self.answers.value.astype(np.int8),
            "item_ids": np.array(self.answers.item_ids),
        }
        for name, values in self.units.attributes.items():
            arrays[f"attr_{name}"] = np.array(["" if v is None else v for v in values], dtype=str)
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Snapshot:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            attributes = {
                name: [v or None for v in npz[f"attr_{name}"].tolist()] for name in DIMENSIONS
            }
            units = Units(
                npz["unit_ids"].astype(np.int64),
                attributes,
                npz["scores"].astype(np.float64),
                npz["respondents"].astype(np.int64),
            )
            answers = AnswerColumns(
                npz["round_id"].astype(np.int64),
                npz["unit_id"].astype(np.int64),
                npz["respondent_id"].astype(np.int64),
                npz["item"].astype(np.int64),
                npz["value"].astype(np.int64),
                tuple(npz["item_ids"].tolist()),
            )
            scopes = list(zip(npz["scope_types"].tolist(), npz["scope_ids"].tolist(), strict=True))
        return cls(units, answers, scopes)


def releases_of(session: Session, *, round_id: int) -> list[RoundRelease]:
    """The round's releases, oldest first, without their contents."""
    return list(
        session.exec(
            select(RoundRelease)
            .options(defer(RoundRelease.publication), defer(RoundRelease.snapshot))  # type: ignore[arg-type]
            .where(RoundRelease.round_id == round_id)
            .order_by(col(RoundRelease.number))
        )
    )


@dataclass(frozen=True)
class ReleaseInfo:
    """A release's facts, detached from the database session."""

    id: int
    round_id: int
    number: int
    kind: str
    created_at: datetime
    k: int
    k_detail: int
    n_units: int
    n_respondents: int
    summary: dict[str, Any]

    @classmethod
    def of(cls, r: RoundRelease) -> ReleaseInfo:
        return cls(
            r.id, r.round_id, r.number, r.kind, r.created_at, r.k, r.k_detail,  # type: ignore[arg-type]
            r.n_units, r.n_respondents, dict(r.summary),
        )  # fmt: skip


@dataclass(frozen=True)
class Release:
    """A release as the pages, the API and the files read it."""

    info: ReleaseInfo
    publication: Publication
    #: Paired trends against the previous national round's release (None: there is none).
    paired: dict[str, Any] | None
    snapshot: Snapshot


#: Decoded releases (a release never changes once stored).
_LOADED: Memo[Release] = Memo("releases", max_weight=8)


def parse_release_number(raw: str | None) -> int | None:
    """``?release=N`` (None: the latest); a clear message for anything else."""
    if raw is None or raw == "":
        return None
    number = ascii_int(raw)
    if number is None or number < 1:
        raise InvalidInput("err.release.number", value=raw[:20])
    return number


def pick_release(session: Session, *, round_id: int, number: int | None) -> RoundRelease:
    """The round's release ``number`` (default: the latest), or NotFound with the reason."""
    found = releases_of(session, round_id=round_id)
    if not found:
        raise NotFound("err.release.none")
    if number is None:
        return found[-1]
    for r in found:
        if r.number == number:
            return r
    raise NotFound("err.release.no_such", number=number)


def load_release(session: Session, *, round_: Round, number: int | None = None) -> Release:
    """A release of the round, decoded once and kept (releases never change)."""
    chosen = pick_release(session, round_id=round_.id, number=number)  # type: ignore[arg-type]

    def decode() -> Release:
        row = session.get(RoundRelease, chosen.id)
        assert row is not None
        content = json.loads(zlib.decompress(row.publication))
        publication = Publication(
            round=round_, k=row.k, rows=content["rows"], comparisons=content["comparisons"]
        )
        return Release(
            ReleaseInfo.of(row),
            publication,
            content.get("paired"),
            Snapshot.from_bytes(row.snapshot),
        )

    return _LOADED.get_or_make((database_key(session), chosen.id), decode)


def previous_national(session: Session, *, round_: Round) -> Round | None:
    """The latest national round of the same questionnaire key that opened before this one."""
    stored = session.get(QuestionnaireVersion, round_.questionnaire_id)
    assert stored is not None
    return session.exec(
        select(Round)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Round.questionnaire_id))
        .where(
            Round.kind == "national",
            QuestionnaireVersion.key == stored.key,
            col(Round.opens) < round_.opens,
        )
        .order_by(col(Round.opens).desc(), col(Round.id).desc())
    ).first()


def round_release(
    session: Session, *, round_: Round, framework: Framework, number: int | None = None
) -> tuple[Questionnaire, Release]:
    """The questionnaire and a release of a national round (default: the latest; NotFound
    when none is published)."""
    q = questionnaire_for(session, questionnaire_id=round_.questionnaire_id, framework=framework)
    return q, load_release(session, round_=round_, number=number)
