"""``survey demo --national``: a national-scale data set for the national follow-up.

21 regions (the real counties), 290 organisers (municipal, with real-looking municipality codes,
and independent), 5,000 school units, two national rounds of the school questionnaire, a national
round of the organiser questionnaire and a national teacher round with about 100,000 respondents
— several million answers. Everything is drawn with numpy and written in bulk, never one ORM
object per row: PostgreSQL gets ``COPY … FROM STDIN`` (psycopg), SQLite one ``executemany`` per
chunk. Progress goes to stderr.

The demo accounts work as in the small demo: the principal of Kvarnbackaskolan and the
strategist of Uppsala kommun, national staff and an administrator.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

import click
import numpy as np
from sqlmodel import Session

from survey.bulk import BulkLoader, next_id, table_of
from survey.config import get_settings
from survey.demo.data import NATIONAL_SCHOOL_FORMS
from survey.demo.national.answers import Maturity
from survey.demo.national.rounds import Context, teacher_round, unit_round
from survey.demo.national.units import UNIT_COLUMNS, NationalScale, Tree, build_tree
from survey.models import Assessment, Respondent, Unit, UnitSchoolForm, User, id_of
from survey.questionnaire import load_directory
from survey.questionnaire.loader import first_versions
from survey.services.accounts.users import create_user, grant_role
from survey.services.questionnaires import store_version

__all__ = ["NationalScale", "build_national"]


def build_national(
    session: Session, *, scale: NationalScale | None = None, progress: bool = True
) -> dict[str, object]:
    """Build the national data set in ``session`` (does not commit). The database should be
    empty (``survey demo --national`` resets it first)."""
    began = time.perf_counter()
    scale = scale or NationalScale()
    rng = np.random.default_rng(scale.seed)
    settings = get_settings()
    loaded, problems = load_directory(settings.questionnaire_dir)
    for problem in problems:
        click.echo(f"skipped questionnaire: {problem}", err=True)
    # each key's first version (2026.1): later versions in the folder are stored, not used
    by_key = first_versions(loaded)
    every = {(q.key, q.version): store_version(session, questionnaire=q) for q in loaded}
    stored = {q.key: every[(q.key, q.version)] for q in by_key.values()}
    tree = build_tree(rng, scale, next_id(session, Unit))
    loader = BulkLoader(session, progress)
    created = loader.value(table_of(Unit), "created_at", datetime.now(UTC))
    loader.load(
        table_of(Unit),
        (*UNIT_COLUMNS, "created_at"),
        (row + (created,) for row in tree.rows),
        total=len(tree.rows),
        label="units",
    )
    loader.load(
        table_of(UnitSchoolForm),
        ("unit_id", "school_form"),
        tree.forms,
        total=len(tree.forms),
        label="school forms",
    )
    loader.fix_sequences([table_of(Unit)])
    users = _users(session, tree)
    subgoals = sorted({item.subgoal for q in loaded for item in q.items})
    ctx = Context(
        session=session,
        loader=loader,
        maturity=Maturity(rng, tree, subgoals),
        rng=rng,
        tree=tree,
        national_user=users["national@example.org"],
        principal=users["principal@example.org"],
        strategist=users["strategist@example.org"],
        next_assessment=next_id(session, Assessment),
        next_respondent=next_id(session, Respondent),
    )
    school_q = "skola" if "skola" in by_key else "exempel"
    targets = {"kinds": ["school"], "school_forms": NATIONAL_SCHOOL_FORMS}
    targeted = [
        u
        for u, forms in zip(tree.schools, tree.school_forms, strict=True)
        if set(forms) & set(NATIONAL_SCHOOL_FORMS)
    ]
    for year, later, share in ((2025, False, 0.86), (2026, True, 0.9)):
        unit_round(
            ctx, q=by_key[school_q], stored=stored[school_q], title=f"Nationell uppföljning {year}",
            units=targeted, year=year, later=later, submitted_share=share, targets=targets,
            keep_draft=tree.demo_school if later else None,
        )  # fmt: skip
    if "huvudman" in by_key:
        unit_round(
            ctx, q=by_key["huvudman"], stored=stored["huvudman"],
            title="Nationell uppföljning huvudmän 2026", units=tree.organisers, year=2026,
            later=True, submitted_share=0.85, targets={"kinds": ["organiser"]},
        )  # fmt: skip
    respondents = 0
    if "larare" in by_key:
        respondents = teacher_round(
            ctx, q=by_key["larare"], stored=stored["larare"], teachers=scale.teachers,
            k=settings.min_group_size,
        )  # fmt: skip
    loader.fix_sequences([table_of(Assessment), table_of(Respondent)])
    session.flush()
    loader.analyze()
    releases = publish_releases(session, progress=progress)
    return {
        "units": len(tree.schools),
        "organisers": len(tree.organisers),
        "regions": len(tree.regions),
        "respondents": respondents,
        "answers": ctx.answer_count,
        "rows": loader.rows,
        "seconds": time.perf_counter() - began,
        "releases": releases,
    }


def publish_releases(session: Session, *, progress: bool) -> list[dict[str, object]]:
    """National staff's releases of every national round, oldest round first: final for the
    closed ones, preliminary for the open ones. Each shows its progress (every scope is
    protected jointly over all breakdowns) and its time."""
    from sqlmodel import col, select

    from survey.models import Round
    from survey.questionnaire import load_framework
    from survey.services.national.publishing import create_release
    from survey.services.questionnaires import questionnaire_for

    settings = get_settings()
    framework = load_framework(settings.questionnaire_dir / "framework.yaml")
    national = session.exec(select(User).where(User.email == "national@example.org")).one()
    made = []
    rounds = session.exec(
        select(Round).where(Round.kind == "national").order_by(col(Round.opens), col(Round.id))
    ).all()
    for rnd in rounds:
        q = questionnaire_for(session, questionnaire_id=rnd.questionnaire_id, framework=framework)
        steps = len(q.subgoal_ids) + len(q.area_ids) + 1
        began = time.perf_counter()
        with (
            click.progressbar(length=steps, label=f"{rnd.title}: release", file=sys.stderr)
            if progress
            else _Quiet() as bar
        ):

            def step(message: str, bar: Any = bar) -> None:
                if message.startswith("scope "):
                    bar.update(1)

            release = create_release(
                session, round_=rnd, q=q, k=settings.min_group_size,
                k_detail=settings.detail_group_size, actor_id=national.id, progress=step,
            )  # fmt: skip
        made.append({"round": rnd.title, "number": release.number, "kind": release.kind,
                     "units": release.n_units, "seconds": time.perf_counter() - began})  # fmt: skip
    return made


class _Quiet:
    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _users(session: Session, tree: Tree) -> dict[str, int]:
    """The demo accounts (password ``demo``), as in the small demo."""
    from survey.demo.data import DEMO_PASSWORD

    roles = {
        "principal@example.org": ("Rektor Karin Lund", "principal", tree.demo_school),
        "strategist@example.org": ("Ali Haddad", "strategist", tree.demo_organiser),
        "national@example.org": ("Eva Nationell", "national", tree.start),
        "admin@example.org": ("Admin Adminsson", "admin", tree.start),
    }
    ids = {}
    for email, (name, role, unit_id) in roles.items():
        user = create_user(session, email=email, password=DEMO_PASSWORD, name=name)
        unit = session.get(Unit, unit_id)
        assert unit is not None
        grant_role(session, user=user, unit=unit, role=role)
        ids[email] = id_of(user)
    school = session.get(Unit, tree.demo_school)
    assert school is not None
    school.contact_email = "principal@example.org"
    session.flush()
    return ids
