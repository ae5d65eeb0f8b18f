"""Trends over the national rounds of one questionnaire, per breakdown, from releases.

- Cross-sectional: the latest release of every national round with the same questionnaire key,
  side by side — the very rows the pages, the API and the files show, suppression included.
- Only rounds of the same questionnaire version are shown side by side or paired: a round of
  another version of the key is listed in ``other_versions`` (its published figures rest on
  other items; trends across versions on the comparable items exist for the organiser's trend
  page and the summary, not yet for national releases).
- Paired: the units in both this release and the previous national round's release, as the
  release stored them when it was published (``survey.stats.publication.paired_tables``):
  improved / unchanged / declined and the Wilcoxon signed-rank test per group and scope,
  protected with the linked audit over every breakdown, and hidden wherever this release
  hides the group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from survey.models import QuestionnaireVersion, Round, id_of
from survey.questionnaire import Framework, Questionnaire
from survey.services.national.aggregates import Publication
from survey.services.national.releases import Release, releases_of, round_release
from survey.stats.publication import TREND_FIELDS

__all__ = ["TREND_FIELDS", "Paired", "Trends", "national_trends", "same_key_rounds"]


def same_key_rounds(session: Session, *, round_: Round) -> list[Round]:
    """The national rounds of the round's questionnaire key, oldest first."""
    stored = session.get(QuestionnaireVersion, round_.questionnaire_id)
    assert stored is not None
    return list(
        session.exec(
            select(Round)
            .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Round.questionnaire_id))
            .where(Round.kind == "national", QuestionnaireVersion.key == stored.key)
            .order_by(col(Round.opens), col(Round.id))
        )
    )


@dataclass
class Paired:
    earlier: Round
    later: Round
    earlier_release: int
    by: tuple[str, ...]
    #: group, scope_type, scope_id, the TREND_FIELDS (None where suppressed), suppressed
    rows: list[dict[str, Any]]

    def select(self, scope_type: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.rows if scope_type is None or r["scope_type"] == scope_type]


@dataclass
class Trends:
    round: Round
    q: Questionnaire
    release: Release
    by: tuple[str, ...]
    rounds: list[Round]  # national rounds of the key with a release, oldest first (this one too)
    publications: list[Publication]  # the latest release of each, same order
    paired: Paired | None  # None: no earlier national round's release to pair with
    #: national rounds with a release that answered another version of the questionnaire:
    #: their published figures rest on other items, so they are not shown side by side
    other_versions: list[Round] = field(default_factory=list)

    def side_by_side(
        self, scope_type: str | None = None
    ) -> dict[tuple[str, str], dict[tuple[str, ...], list[dict[str, Any] | None]]]:
        """Scope → group values → each round's published row (None: no such group then)."""
        out: dict[tuple[str, str], dict[tuple[str, ...], list[dict[str, Any] | None]]] = {}
        for i, pub in enumerate(self.publications):
            for row in pub.select(by=self.by, scope_type=scope_type):
                scope = (row["scope_type"], row["scope_id"])
                group = tuple(row["group"].get(c, "") for c in self.by)
                cells = out.setdefault(scope, {}).setdefault(group, [None] * len(self.rounds))
                cells[i] = row
        return out


def national_trends(
    session: Session,
    *,
    round_: Round,
    framework: Framework,
    by: tuple[str, ...],
    number: int | None = None,
) -> Trends:
    """Cross-sectional and paired trends of a release of a national round for ``by``."""
    q, release = round_release(session, round_=round_, framework=framework, number=number)
    rounds, pubs, others = [], [], []
    for r in same_key_rounds(session, round_=round_):
        if r.id == round_.id:
            rounds.append(r)
            pubs.append(release.publication)
        elif releases_of(session, round_id=id_of(r)):
            if r.questionnaire_id != round_.questionnaire_id:
                others.append(r)
                continue
            rounds.append(r)
            pubs.append(round_release(session, round_=r, framework=framework)[1].publication)
    paired = None
    stored = release.paired
    if stored is not None:
        earlier = session.get(Round, stored["round_id"])
        assert earlier is not None
        name = ",".join(by)
        paired = Paired(
            earlier,
            round_,
            stored["release"],
            by,
            [row for row in stored["rows"] if row["by"] == name],
        )
    return Trends(round_, q, release, by, rounds, pubs, paired, others)
