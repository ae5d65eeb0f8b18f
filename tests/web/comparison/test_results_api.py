"""/api/v1/rounds/{id}/results and /export: the export run through the real ``survey analyze``
gives every number of /results (1e-9 relative), on SQLite and PostgreSQL.

Worlds are built by hand: organiser A with schools of two school forms, a unit-level round where
one school keeps its result private and one never submits, and a teacher round where one school
stays below k.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import random
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from survey.cli import main
from survey.models import Answer, Assessment, QuestionnaireVersion, Respondent, Unit
from survey.questionnaire import Questionnaire
from survey.security import new_token, token_digest
from survey.services.access import load_assessment
from survey.services.assessments.answers import submit
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import unit_respondent
from survey.services.units import add_unit
from tests.factories import (
    answer_all,
    build_world,
    end_collections,
    login,
    make_round,
    submit_and_share,
)

K = 5  # SURVEY_MIN_GROUP_SIZE's default, used by the test app


# ------------------------------------------------------------------------------ worlds


def _extra_schools(engine, world) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Six more schools under organiser A: grundskolor and gymnasieskolor."""
    with Session(engine, expire_on_commit=False) as session:
        org_a = session.get(Unit, world.org_a)
        ids = {}
        for i, (name, form) in enumerate(
            [
                ("Björkskolan", "grundskola"),
                ("Ekbackens skola", "grundskola"),
                ("Granskolan", "grundskola"),
                ("Katedralgymnasiet", "gymnasieskola"),
                ("Rosendalsgymnasiet", "gymnasieskola"),
                ("Fyrisgymnasiet", "gymnasieskola"),
            ]
        ):
            unit = add_unit(
                session,
                kind="school",
                name=name,
                parent=org_a,
                school_forms=[form] if form != "grundskola" else ["forskoleklass", form],
                school_unit_code=f"3333333{i}",
            )
            ids[name] = unit.id
        session.commit()
    return ids  # type: ignore[return-value]


def _choice(rng: random.Random, centre: float, q: Questionnaire) -> str:
    roll = rng.random()
    if roll < 0.05:
        return "na"
    if roll < 0.08 and q.scale.allow_dont_know:
        return "dk"
    if roll < 0.10:
        return ""  # left unanswered
    level = round(centre + rng.gauss(0, 0.8))
    return str(min(max(level, 1), q.scale.size))


def unit_level_world(engine):  # type: ignore[no-untyped-def]
    """Round of the school questionnaire for eight schools of organiser A: six submitted and
    shared, Björkskolan submitted but not shared, Granskolan still in draft."""
    world = build_world(engine)
    extra = _extra_schools(engine, world)
    units = [world.school_a, world.school_a2, *extra.values()]
    round_id, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["skola"], owner=world.org_a, units=units
    )
    with Session(engine, expire_on_commit=False) as session:
        q = questionnaire_for(session, questionnaire_id=world.questionnaires["skola"])
    centres = {unit: 1.3 + 0.35 * i for i, unit in enumerate(units)}
    centres[extra["Fyrisgymnasiet"]] = 1.0  # clearly lagging
    for unit, aid in assessments.items():
        rng = random.Random(unit)
        answer_all(engine, aid, value=lambda item, r=rng, c=centres[unit]: _choice(r, c, q))
    with Session(engine, expire_on_commit=False) as session:
        for unit, aid in assessments.items():
            if unit == extra["Granskolan"]:
                continue
            ctx = load_assessment(session, assessment_id=aid)
            respondent = unit_respondent(session, assessment=ctx.assessment)
            submit(session, ctx=ctx, q=q, respondent=respondent, actor=None)
            ctx.assessment.shared = unit != extra["Björkskolan"]
            session.add(ctx.assessment)
        session.commit()
    excluded = {extra["Björkskolan"]: "not_shared", extra["Granskolan"]: "not_submitted"}
    return world, round_id, assessments, excluded


def individual_world(engine):  # type: ignore[no-untyped-def]
    """Teacher round for six schools of organiser A; Granskolan has only 3 submitted answers
    (below k), every school also has one link that was never submitted. Every collection has
    ended (batches of at least k released) and the principals shared the results."""
    world = build_world(engine)
    extra = _extra_schools(engine, world)
    sizes = {
        world.school_a: 7,
        world.school_a2: 5,
        extra["Björkskolan"]: 9,
        extra["Granskolan"]: 3,
        extra["Katedralgymnasiet"]: 6,
        extra["Fyrisgymnasiet"]: 8,
    }
    round_id, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["larare"], owner=world.org_a, units=[*sizes]
    )
    now = datetime(2026, 10, 1, tzinfo=UTC)
    with Session(engine, expire_on_commit=False) as session:
        q = questionnaire_for(session, questionnaire_id=world.questionnaires["larare"])
        for n, (unit, size) in enumerate(sizes.items()):
            rng = random.Random(1000 + unit)
            centre = 1.0 if unit == extra["Fyrisgymnasiet"] else 2.0 + 0.3 * n
            for i in range(size + 1):
                done = i < size
                person = Respondent(
                    assessment_id=assessments[unit],
                    token_hash=token_digest(new_token()),
                    state="submitted" if done else "open",
                    submitted_at=now if done else None,
                )
                session.add(person)
                session.flush()
                for item in q.items:
                    choice = _choice(rng, centre, q)
                    kind = choice if choice in ("na", "dk") else "level" if choice else "none"
                    session.add(
                        Answer(
                            respondent_id=person.id,  # type: ignore[arg-type]
                            item_id=item.id,
                            kind=kind,
                            value=int(choice) if kind == "level" else None,
                        )
                    )
        session.commit()
    end_collections(engine, round_id, k=K)
    return world, round_id, assessments, {extra["Granskolan"]: "below_k"}


def plain_round(engine) -> int:  # type: ignore[no-untyped-def]
    """Organiser A's round for its two schools, nothing answered (for access checks)."""
    world = build_world(engine)
    round_id, _ = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a, world.school_a2],
    )
    return round_id


# ------------------------------------------------------------------------------ helpers


def unzip(content: bytes, folder: Path) -> dict[str, Path]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        archive.extractall(folder)
    assert sorted(names) == ["answers.csv", "questionnaire.yaml", "units.csv"]
    return {name: folder / name for name in names}


def run_analyze(files: dict[str, Path], out: Path) -> dict[str, Any]:
    """The real command line on the unzipped export."""
    result = CliRunner().invoke(
        main,
        [
            "analyze",
            "--questionnaire", str(files["questionnaire.yaml"]),
            "--units", str(files["units.csv"]),
            "--answers", str(files["answers.csv"]),
            "--compare-by", "school_form",
            "-o", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def same(a: Any, b: Any, where: str, problems: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            problems.append(f"{where}: fields {sorted(a)} != {sorted(b)}")
            return
        for key in a:
            same(a[key], b[key], f"{where}.{key}", problems)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            problems.append(f"{where}: {len(a)} != {len(b)} entries")
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]", problems)
    elif (
        isinstance(a, int | float)
        and isinstance(b, int | float)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            problems.append(f"{where}: {a!r} != {b!r}")
    elif a != b:
        problems.append(f"{where}: {a!r} != {b!r}")


KEYS = {
    "units": ("round", "unit_id", "scope_type", "scope_id"),
    "groups": ("round", "group", "scope_type", "scope_id"),
    "comparisons": ("round", "by", "scope_type", "scope_id"),
}


def assert_consistent(api: dict[str, Any], cli: dict[str, Any]) -> int:
    """Every row and number of /results (suppressed rows aside) equals survey analyze's."""
    assert api.keys() == cli.keys() == {"questionnaire", "units", "groups", "comparisons"}
    assert api["questionnaire"] == cli["questionnaire"]
    problems: list[str] = []
    compared = 0
    for section, key in KEYS.items():
        rows = api[section]
        if section == "units":
            rows = []
            for row in api["units"]:
                assert row["suppressed"] is (row["reason"] is not None)
                if not row["suppressed"]:
                    rows.append({k: v for k, v in row.items() if k not in ("suppressed", "reason")})
        mine = {tuple(r[k] for k in key): r for r in rows}
        theirs = {tuple(r[k] for k in key): r for r in cli[section]}
        assert len(mine) == len(rows) and len(theirs) == len(cli[section])
        assert mine.keys() == theirs.keys(), section
        for row_key, row in mine.items():
            same(row, theirs[row_key], f"{section}{row_key}", problems)
            compared += 1
    assert problems == [], "\n".join(problems[:30])
    return compared


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_round(client: TestClient, engine, round_id, excluded, tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    login(client, "strategist-a@example.org")
    response = client.get(f"/api/v1/rounds/{round_id}/results")
    assert response.status_code == 200, response.text
    api = response.json()
    exported = client.get(f"/api/v1/rounds/{round_id}/export", params={"format": "zip"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    files = unzip(exported.content, tmp_path / "export")
    cli = run_analyze(files, tmp_path / "analyze.json")
    assert cli["units"], "the export analysed to nothing"
    assert assert_consistent(api, cli) > 50

    # Suppressed units: one row per scope, every statistic null, the reason given; absent from
    # the export.
    suppressed = [row for row in api["units"] if row["suppressed"]]
    assert {int(row["unit_id"]): row["reason"] for row in suppressed} == excluded
    for row in suppressed:
        assert all(row[f] is None for f in ("n_respondents", "score", "index", "level", "p"))
    units = read_csv(files["units.csv"])
    assert {int(u["unit_id"]) for u in units} == {
        int(row["unit_id"]) for row in api["units"]
    } - set(excluded)
    assert list(units[0]) == [
        "unit_id", "name", "kind", "parent_id", "school_form", "organiser_type", "region"
    ]  # fmt: skip
    answers = read_csv(files["answers.csv"])
    assert list(answers[0]) == ["round", "unit_id", "respondent_id", "item_id", "value"]
    assert not {int(a["unit_id"]) for a in answers} & set(excluded)
    assert {a["round"] for a in answers} == {str(round_id)}
    assert {row["round"] for row in api["units"]} == {round_id}
    assert {a["value"] for a in answers} <= {"", "NA", "DK", "1", "2", "3", "4", "5"}

    # questionnaire.yaml is the round's stored version, byte for byte.
    with Session(engine) as session:
        stored = session.exec(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.key == api["questionnaire"]["key"],
                QuestionnaireVersion.version == api["questionnaire"]["version"],
            )
        ).one()
        assert files["questionnaire.yaml"].read_bytes() == stored.source.encode("utf-8")
        assert hashlib.sha256(files["questionnaire.yaml"].read_bytes()).hexdigest() == (
            stored.checksum
        )
    return {"api": api, "files": files, "answers": answers}


# ------------------------------------------------------------------------------ tests


def test_unit_level_results_equal_analyze_on_export(client: TestClient, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world, round_id, assessments, excluded = unit_level_world(engine)
    seen = check_round(client, engine, round_id, excluded, tmp_path)
    api = seen["api"]
    assert {row["group"] for row in api["units"]} == {str(world.org_a)}
    assert {row["by"] for row in api["comparisons"]} == {"school_form"}
    assert {v["value"] for row in api["comparisons"] for v in row["values"]} >= {
        "grundskola",
        "gymnasieskola",
    } or all(row["values"] == [] for row in api["comparisons"])
    assert all(row["suppressed"] is False for row in api["units"] if row["reason"] is None)
    # One answer set per unit in a unit-level round.
    per_unit = {}
    for a in seen["answers"]:
        per_unit.setdefault(a["unit_id"], set()).add(a["respondent_id"])
    assert all(len(ids) == 1 for ids in per_unit.values())
    assert len(per_unit) == len(assessments) - len(excluded)


def test_individual_results_equal_analyze_on_export(client: TestClient, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world, round_id, _, excluded = individual_world(engine)
    seen = check_round(client, engine, round_id, excluded, tmp_path)
    api = seen["api"]
    included = [row for row in api["units"] if not row["suppressed"]]
    assert {row["n_respondents"] for row in included if row["scope_type"] == "total"} == {
        7, 5, 9, 6, 8
    }  # fmt: skip
    assert any(row["cliffs_delta"] is not None for row in included)
    assert any(row["icc1"] is not None for row in api["groups"])
    # Never submitted links are not in the export: one respondent per submitted answer set.
    respondents = {(a["unit_id"], a["respondent_id"]) for a in seen["answers"]}
    assert len(respondents) == 7 + 5 + 9 + 6 + 8


def test_respondent_ids_are_random_per_export(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, round_id, _, _ = individual_world(engine)
    login(client, "strategist-a@example.org")
    exports = []
    for _ in range(2):
        response = client.get(f"/api/v1/rounds/{round_id}/export?format=zip")
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            rows = list(csv.DictReader(io.StringIO(archive.read("answers.csv").decode())))
        exports.append({r["respondent_id"] for r in rows})
    with Session(engine) as session:
        db_ids = {str(r.id) for r in session.exec(select(Respondent))}
    first, second = exports
    assert len(first) == len(second) == 35
    assert not first & second
    assert not (first | second) & db_ids
    assert all(not rid.isdigit() for rid in first | second)


def _export_answers(client: TestClient, round_id: int) -> list[tuple[str, str, str]]:
    """The export's answers without the respondent ids (random per export): a multiset."""
    response = client.get(f"/api/v1/rounds/{round_id}/export?format=zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("answers.csv").decode())))
    return sorted((r["unit_id"], r["item_id"], r["value"]) for r in rows)


def test_one_more_teacher_never_changes_the_strategists_export(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """The before/after attack on the round export: export, let one teacher submit, export
    again. The difference would be that teacher's answers item by item; it must be empty until
    a new batch of at least k is released, and then hold at least k respondents."""
    world, round_id, assessments, _ = individual_world(engine)
    login(client, "strategist-a@example.org")
    before = _export_answers(client, round_id)
    unit = world.school_a
    with Session(engine) as session:
        q = questionnaire_for(session, questionnaire_id=world.questionnaires["larare"])
        assessment = session.get(Assessment, assessments[unit])
        assessment.state = "reopened"  # the principal opened the collection again
        session.add(assessment)

        def teacher(value: int) -> None:
            person = Respondent(assessment_id=assessment.id, token_hash=token_digest(new_token()),
                                state="submitted", submitted_at=datetime.now(UTC))  # fmt: skip
            session.add(person)
            session.flush()
            session.add_all(Answer(respondent_id=person.id, item_id=item.id, kind="level",
                                   value=value) for item in q.items)  # fmt: skip

        teacher(1)
        session.commit()
    assert _export_answers(client, round_id) == before
    end_collections(engine, round_id, k=K)  # one waiting: fewer than k, nothing released
    assert _export_answers(client, round_id) == before
    with Session(engine) as session:
        assessment = session.get(Assessment, assessments[unit])
        assessment.state = "reopened"
        session.add(assessment)
        for _ in range(K - 1):
            teacher(2)
        session.commit()
    end_collections(engine, round_id, k=K)
    after = _export_answers(client, round_id)
    added = Counter(after) - Counter(before)
    assert sum(added.values()) == K * len(q.items)  # a whole batch of k respondents
    assert not Counter(before) - Counter(after)


def test_not_shared_units_answers_are_absent(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, round_id, assessments, excluded = unit_level_world(engine)
    private = next(unit for unit, reason in excluded.items() if reason == "not_shared")
    login(client, "strategist-a@example.org")
    response = client.get(f"/api/v1/rounds/{round_id}/export", params={"format": "zip"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        units = archive.read("units.csv").decode()
        answers = list(csv.DictReader(io.StringIO(archive.read("answers.csv").decode())))
    with Session(engine) as session:
        name = session.get(Unit, private).name  # type: ignore[union-attr]
    assert name not in units
    assert str(private) not in {a["unit_id"] for a in answers}
    assert {a["unit_id"] for a in answers} == {str(u) for u in assessments if u not in excluded}
    # Once shared, it is exported and analysed.
    with Session(engine) as session:
        ctx = load_assessment(session, assessment_id=assessments[private])
        ctx.assessment.shared = True
        session.add(ctx.assessment)
        session.commit()
    response = client.get(f"/api/v1/rounds/{round_id}/export", params={"format": "zip"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert name in archive.read("units.csv").decode()
    rows = client.get(f"/api/v1/rounds/{round_id}/results").json()["units"]
    assert not any(r["suppressed"] for r in rows if r["unit_id"] == str(private))


def test_other_organiser_and_national_staff_get_404(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    round_id = plain_round(engine)
    for email in ("strategist-b@example.org", "national@example.org", "principal-a@example.org"):
        other = TestClient(client.app, base_url="https://testserver")
        login(other, email)
        for path in ("results", "export?format=zip"):
            response = other.get(f"/api/v1/rounds/{round_id}/{path}")
            assert response.status_code == 404, (email, path, response.text)
            assert "Kvarnbackaskolan" not in response.text
        # A bad format is refused for the query alone, the same for a round that does not
        # exist: the answer tells nothing about the round.
        bad = other.get(f"/api/v1/rounds/{round_id}/export?format=rar")
        missing = other.get("/api/v1/rounds/2000000000/export?format=rar")
        assert bad.status_code == missing.status_code == 422
        assert bad.json() == missing.json()
    login(client, "admin@example.org")
    assert client.get(f"/api/v1/rounds/{round_id}/results").status_code == 200
    assert client.get("/api/v1/rounds/999999/results").status_code == 404


def test_signed_out_gets_401(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    round_id = plain_round(engine)
    assert client.get(f"/api/v1/rounds/{round_id}/results").status_code == 401
    assert client.get(f"/api/v1/rounds/{round_id}/export").status_code == 401


def test_unknown_format_is_422(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    round_id = plain_round(engine)
    login(client, "strategist-a@example.org")
    response = client.get(f"/api/v1/rounds/{round_id}/export", params={"format": "rar"})
    assert response.status_code == 422
    assert "format" in response.json()["problems"][0]
    assert client.get(f"/api/v1/rounds/{round_id}/export").status_code == 200  # zip by default


def test_round_without_results_lists_every_unit_suppressed(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_id, _ = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a, world.school_a2],
    )
    login(client, "strategist-a@example.org")
    body = client.get(f"/api/v1/rounds/{round_id}/results").json()
    assert body["groups"] == [] and body["comparisons"] == []
    assert {r["unit_id"] for r in body["units"]} == {str(world.school_a), str(world.school_a2)}
    assert all(r["suppressed"] and r["reason"] == "not_submitted" for r in body["units"])
    assert {r["scope_id"] for r in body["units"]} >= {"total"}
    response = client.get(f"/api/v1/rounds/{round_id}/export?format=zip")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read("answers.csv").decode() == "round,unit_id,respondent_id,item_id,value\n"


def _reference_analysis(session, q, ids, attributes):  # type: ignore[no-untyped-def]
    """The engine's input built the plain way: one ORM row per submitted answer, tables by
    hand (what the bulk reader must give)."""
    import numpy as np

    from survey.models import Answer, Assessment, Respondent
    from survey.stats import VALUE_DK, VALUE_NA, AnswerTable, UnitTable, analyze

    rows = session.exec(
        select(Assessment.round_id, Assessment.unit_id, Answer.respondent_id, Answer.item_id,
               Answer.kind, Answer.value)
        .join(Respondent, Respondent.id == Answer.respondent_id)
        .join(Assessment, Assessment.id == Respondent.assessment_id)
        .where(col(Assessment.id).in_(ids), Respondent.state == "submitted")
    ).all()  # fmt: skip
    unit_ids = sorted(attributes)
    items = {item.id: i for i, item in enumerate(q.items)}
    kept = [r for r in rows if r[3] in items and r[1] in attributes]
    rounds = sorted({r[0] for r in kept})
    code = {"na": VALUE_NA, "dk": VALUE_DK}

    def value(kind, level):  # type: ignore[no-untyped-def]
        return level if kind == "level" and level is not None else code.get(kind, 0)

    units = UnitTable(
        ids=[str(u) for u in unit_ids],
        columns={c: [attributes[u][c] for u in unit_ids] for c in ("parent_id", "school_form")},
    )
    answers = AnswerTable(
        round=np.array([rounds.index(r[0]) for r in kept], dtype=np.int64),
        unit=np.array([unit_ids.index(r[1]) for r in kept], dtype=np.int64),
        respondent=np.array([r[2] for r in kept], dtype=np.int64),
        item=np.array([items[r[3]] for r in kept], dtype=np.int64),
        value=np.array([value(r[4], r[5]) for r in kept], dtype=np.int64),
        round_labels=rounds,
    )
    return analyze(q, units, answers, group_by="parent_id", compare_by=["school_form"])


def test_bulk_answer_path_equals_a_plain_reading(engine) -> None:  # type: ignore[no-untyped-def]
    """round_results reads answers in bulk (one packed value decoded by Arrow) and keeps the
    engine's result; it equals the engine run on answers read row by row, and every call gets
    its own rows."""
    from survey.models import User
    from survey.services.access import load_actor
    from survey.services.rounds.access import get_round_units_view
    from survey.services.rounds.results import round_results

    world, round_id, assessments, excluded = individual_world(engine)
    with Session(engine) as session:
        admin = load_actor(session, user=session.get(User, world.users["admin@example.org"]))  # type: ignore[arg-type]
        scope = get_round_units_view(session, actor=admin, round_id=round_id)
        q = questionnaire_for(session, questionnaire_id=scope.round.questionnaire_id)
        ids = [a for u, a in assessments.items() if u not in excluded]
        first = round_results(session, scope=scope, q=q, k=K)
        attributes = {ru.unit.id: ru.attributes() for ru in first.included}
        expected = _reference_analysis(session, q, ids, attributes).to_dict()
        assert json.dumps(first.analysis.to_dict(), sort_keys=True) == json.dumps(  # type: ignore[union-attr]
            expected, sort_keys=True
        )
        first.analysis.units[0]["score"] = -1.0  # type: ignore[union-attr]
        first.analysis.groups[0]["mean"] = -1.0  # type: ignore[union-attr]
        again = round_results(session, scope=scope, q=q, k=K)
        assert json.dumps(again.analysis.to_dict(), sort_keys=True) == json.dumps(  # type: ignore[union-attr]
            expected, sort_keys=True
        )


def test_the_units_file_of_an_export_neutralises_formulas(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """A unit name that a spreadsheet would run as a formula is written as text ('=…), as in
    every other export."""
    world, round_id, assessments, _ = unit_level_world(engine)
    with Session(engine) as session:
        unit = session.get(Unit, world.school_a)
        unit.name = '=HYPERLINK("http://example.invalid","klicka")'  # type: ignore[union-attr]
        session.add(unit)
        session.commit()
    login(client, "strategist-a@example.org")
    response = client.get(f"/api/v1/rounds/{round_id}/export", params={"format": "zip"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        units = list(csv.DictReader(io.StringIO(archive.read("units.csv").decode())))
    names = {r["unit_id"]: r["name"] for r in units}
    assert names[str(world.school_a)] == "'" + '=HYPERLINK("http://example.invalid","klicka")'


def test_an_organiser_level_export_carries_region_and_organiser_type(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    """Organisers answering for themselves (the huvudman questionnaire) are exported with the
    attributes the national tables give them: their county and their own type (they were empty,
    so `survey analyze --group-by region` on the export could not reproduce the aggregates)."""
    world = build_world(engine)
    round_id, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["huvudman"], owner=world.nation,
        units=[world.org_a, world.org_b], kind="national",
    )  # fmt: skip
    for aid in assessments.values():
        answer_all(engine, aid, value=2)
    submit_and_share(engine, list(assessments.values()))
    login(client, "admin@example.org")
    response = client.get(f"/api/v1/rounds/{round_id}/export", params={"format": "zip"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        units = {
            r["unit_id"]: r for r in csv.DictReader(io.StringIO(archive.read("units.csv").decode()))
        }
    with Session(engine) as session:
        for unit_id in (world.org_a, world.org_b):
            organiser = session.get(Unit, unit_id)
            region = session.get(Unit, organiser.parent_id)  # type: ignore[union-attr]
            row = units[str(unit_id)]
            assert row["organiser_type"] == organiser.organiser_type  # type: ignore[union-attr]
            assert row["region"] == region.county_code and row["region"]  # type: ignore[union-attr]
