"""The rounds pages and API: creating a round (each unit selection, bad input), extend / close /
reopen, the participation table (states, totals, htmx refresh), reopening an assessment, the
exports, the reminder list, the JSON API and the other organiser's strategist (404 everywhere)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from survey.models import Assessment, AuditLog, Round
from tests.factories import login, make_round
from tests.services.rounds.test_organiser_rounds import SKOLA, participation_world, rounds_world

HX = {"HX-Request": "true"}


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def signed_in(client: TestClient, email: str) -> tuple[TestClient, str]:
    other = TestClient(client.app, base_url="https://testserver")
    return other, login(other, email)


def new_round(csrf: str, owner: int, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": csrf,
        "owner": str(owner),
        "questionnaire": f"{SKOLA.key}@{SKOLA.version}",
        "title": "Självvärdering HT",
        "opens": "2026-01-10",
        "closes": "2099-06-30",
        "selection": "all",
    }
    data.update(fields)
    return data


def round_count(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Round)).one()


def test_creating_a_round_in_each_mode_gives_principals_drafts(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    rw = rounds_world(engine)
    w = rw.world
    csrf = login(client, "strategist-a@example.org")
    form = soup(client.get("/rounds/new").text)
    assert form.select_one("h1 .subtitle").get_text() == "Uppsala kommun"
    assert form.select_one("input[name=owner]")["value"] == str(w.org_a)
    assert {o["value"] for o in form.select("#f-questionnaire option") if o["value"]} >= {
        "skola@2026.1",
        "larare@2026.1",
    }
    # Only the organiser's own units are offered for hand-picking.
    offered = {int(i["value"]) for i in form.select("input[name=units]")}
    assert offered == {w.org_a, w.school_a, w.school_a2, rw.gymnasium, rw.preschool, rw.birch}
    label = form.select_one(f"label[for=unit-{rw.birch}]").get_text(" ", strip=True)
    assert label == "Björkskolan (Skolenhet, Grundskola, Fritidshem)"

    created = {}
    for name, fields in (
        ("all", {}),
        ("forms", {"school_forms": ["gymnasieskola"], "title": "Gymnasiet"}),
        ("list", {"selection": "list", "units": [str(w.school_a2)], "title": "Lindskolan"}),
    ):
        response = client.post(
            "/rounds", data=new_round(csrf, w.org_a, **fields), follow_redirects=False
        )
        assert response.status_code == 303, response.text
        match = re.fullmatch(r"/rounds/(\d+)\?done=created", response.headers["location"])
        assert match, response.headers["location"]
        created[name] = int(match.group(1))
    page = soup(client.get(f"/rounds/{created['all']}?done=created").text)
    assert "skapad" in page.select_one(".notice.ok").get_text()
    assert len(page.select("table.participation tbody tr")) == 4

    with Session(engine) as session:
        units = {
            name: set(session.exec(select(Assessment.unit_id).where(Assessment.round_id == rid)))
            for name, rid in created.items()
        }
        states = set(session.exec(select(Assessment.state)))
    assert units == {
        "all": {w.school_a, w.school_a2, rw.gymnasium, rw.birch},
        "forms": {rw.gymnasium},
        "list": {w.school_a2},
    }
    assert states == {"draft"}

    principal, _ = signed_in(client, "principal-a@example.org")
    start = soup(principal.get("/").text)
    titles = {td.get_text(strip=True) for td in start.select("table.assessments td:nth-of-type(1)")}
    assert "Självvärdering HT" in titles  # school A is in the "all" round only
    assert not titles & {"Gymnasiet", "Lindskolan"}


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"opens": "2026-05-01", "closes": "2026-04-01"}, "closes", "stänga före"),
        ({"selection": "list", "units": ["987654"]}, "units", "ingen enhet med id 987654"),
        ({"selection": "list", "units": ["SCHOOL_B"]}, "units", "hör inte till Uppsala kommun"),
        ({"selection": "list", "units": ["PRESCHOOL"]}, "units", "avsedd för skolenheter"),
        (
            {"questionnaire": "huvudman@2026.1", "selection": "list", "units": ["SCHOOL_A"]},
            "units",
            "avsedd för huvudmannen själv",
        ),
        ({"title": ""}, "title", "ge omgången ett namn"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, engine, fields, field, text) -> None:  # type: ignore[no-untyped-def]
    rw = rounds_world(engine)
    w = rw.world
    swap = {"SCHOOL_B": w.school_b, "PRESCHOOL": rw.preschool, "SCHOOL_A": w.school_a}
    if "units" in fields:
        fields = {**fields, "units": [str(swap.get(u, u)) for u in fields["units"]]}
    csrf = login(client, "strategist-a@example.org")
    response = client.post("/rounds", data=new_round(csrf, w.org_a, **fields))
    assert response.status_code == 422
    page = soup(response.text)
    problem = page.select_one(f"#form-errors li[data-field={field}]")
    assert problem is not None and text in problem.get_text(), page.select_one("#form-errors")
    assert page.select_one(f"p.error[data-field={field}]") is not None
    # What was typed is kept.
    if fields.get("title", "x"):
        assert page.select_one("#f-title")["value"] == fields.get("title", "Självvärdering HT")
    assert round_count(engine) == 0


def test_extend_close_reopen_are_audited_and_closing_stops_answers(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    rw = rounds_world(engine)
    w = rw.world
    round_id, aids = make_round(
        engine, questionnaire_id=w.questionnaires["skola"], owner=w.org_a, units=[w.school_a]
    )
    csrf = login(client, "strategist-a@example.org")
    base = f"/rounds/{round_id}"
    early = client.post(f"{base}/extend", data={"csrf_token": csrf, "closes": "2026-02-01"})
    assert early.status_code == 422
    assert "senare sista dag" in soup(early.text).select_one("[role=alert]").get_text()
    for action, data, done in (
        ("extend", {"closes": "2099-01-31"}, "extended"),
        ("close", {}, "closed"),
        ("reopen", {}, "reopened"),
        ("close", {}, "closed"),
    ):
        response = client.post(
            f"{base}/{action}", data={"csrf_token": csrf, **data}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"{base}?done={done}"
    again = client.post(f"{base}/close", data={"csrf_token": csrf})
    assert again.status_code == 409
    assert "redan stängd" in soup(again.text).select_one("[role=alert]").get_text()
    page = soup(client.get(base).text)
    assert (
        page.select_one("#closes-reopen") is not None and page.select_one("#closes-extend") is None
    )

    principal, pcsrf = signed_in(client, "principal-a@example.org")
    refused = principal.post(
        f"/assessments/{aids[w.school_a]}/items/L.01",
        data={"answer-L.01": "2"},
        headers={**HX, "X-CSRF-Token": pcsrf},
    )
    assert refused.status_code == 409 and "stängd" in refused.text

    with Session(engine) as session:
        log = session.exec(
            select(AuditLog.action, AuditLog.user_id, AuditLog.ip)
            .where(AuditLog.object_type == "round", AuditLog.object_id == round_id)
            .order_by(AuditLog.id)
        ).all()
    assert [a for a, _, _ in log] == [
        "round.create",
        "round.extend",
        "round.close",
        "round.reopen",
        "round.close",
    ]
    assert all(u == w.users["strategist-a@example.org"] and ip for _, u, ip in log[1:])


def test_participation_table_totals_and_htmx_refresh(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    rw, round_id, aids = participation_world(engine)
    w = rw.world
    login(client, "strategist-a@example.org")
    response = client.get(f"/rounds/{round_id}")
    assert response.status_code == 200
    page = soup(response.text)
    totals = {
        div.select_one("dt").get_text(strip=True): div.select_one("dd").get_text(" ", strip=True)
        for div in page.select("#totals > div")
    }
    assert totals == {
        "Enheter": "4",
        "Inte påbörjad": "1",
        "Utkast": "1",
        "Inskickad": "1 (25\u00a0%)",  # sv_SE: a non-breaking space before %
        "Öppnad igen": "1",
    }
    rows = {
        tr.select_one("th").get_text(" ", strip=True).split(" ")[0]: tr
        for tr in page.select("table.participation tbody tr")
    }
    state = {name: tr.select_one("td.state").get_text(" ", strip=True) for name, tr in rows.items()}
    assert state == {
        "Björkskolan": "Öppnad igen",
        "Ekhagagymnasiet": "Inte påbörjad",
        "Kvarnbackaskolan": "Inskickad · delad",
        "Lindskolan": "Utkast",
    }
    n = len(SKOLA.items)
    assert f"{round(100 * 9 / n)}\u00a0% (9/{n})" in rows["Lindskolan"].get_text(" ", strip=True)
    assert rows["Ekhagagymnasiet"].select("td")[-2].get_text(strip=True) == "–"
    # Reopen only for the submitted unit; its name links to the shared summary.
    assert [tr.select_one("button") is not None for tr in rows.values()] == [
        False,
        False,
        True,
        False,
    ]
    summary = rows["Kvarnbackaskolan"].select_one("th a")["href"]
    assert summary == f"/assessments/{aids[w.school_a]}/summary"
    # The round's other pages (heat map, equity panel, trend) are one click away.
    tabs = {a["href"]: a.get("aria-current") for a in page.select("nav.round-nav a")}
    assert tabs == {
        f"/rounds/{round_id}": "page",
        f"/rounds/{round_id}/heatmap": None,
        f"/rounds/{round_id}/equity": None,
        f"/rounds/{round_id}/trend": None,
    }
    for href in tabs:
        assert client.get(href).status_code == 200
    section = page.select_one("section#participation")
    assert section["hx-trigger"] == "every 30s" and section["hx-get"] == f"/rounds/{round_id}"
    refresh = section.select_one("a.refresh")
    assert refresh["href"] == f"/rounds/{round_id}#participation"  # works without JavaScript
    assert refresh["hx-target"] == "#participation"

    fragment = client.get(f"/rounds/{round_id}", headers=HX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="participation"')
    assert "<html" not in fragment.text and "HX-Request" in fragment.headers["vary"]
    assert soup(fragment.text).select_one("#totals") is not None

    english = soup(client.get(f"/rounds/{round_id}?lang=en").text)
    assert english.select_one("#totals dt").get_text() == "Units"


def test_reopening_a_submitted_assessment_from_the_list(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    rw, round_id, aids = participation_world(engine)
    w = rw.world
    url = f"/rounds/{round_id}/assessments/{aids[w.school_a]}/reopen"
    other, ocsrf = signed_in(client, "strategist-b@example.org")
    assert other.post(url, data={"csrf_token": ocsrf}).status_code == 404
    csrf = login(client, "strategist-a@example.org")
    # An assessment of another round through this round's URL is not found.
    _, elsewhere = make_round(
        engine, questionnaire_id=w.questionnaires["skola"], owner=w.org_a, units=[w.school_a]
    )
    wrong = f"/rounds/{round_id}/assessments/{elsewhere[w.school_a]}/reopen"
    assert client.post(wrong, data={"csrf_token": csrf}).status_code == 404
    response = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"?done=assessment_reopened#unit-{w.school_a}")
    again = client.post(url, data={"csrf_token": csrf})
    assert again.status_code == 409
    with Session(engine) as session:
        assert session.get(Assessment, aids[w.school_a]).state == "reopened"  # type: ignore[union-attr]
        entry = session.exec(
            select(AuditLog).where(
                AuditLog.action == "assessment.reopen",
                AuditLog.object_id == aids[w.school_a],
            )
        ).one()
    assert entry.user_id == w.users["strategist-a@example.org"]


def test_participation_exports_parse(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    rw, round_id, _ = participation_world(engine)
    login(client, "strategist-a@example.org")
    response = client.get(f"/rounds/{round_id}/participation.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="vt-2026-deltagande.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Enhet"], r["Statuskod"], r["Status"]) for r in rows] == [
        ("Björkskolan", "reopened", "Öppnad igen"),
        ("Ekhagagymnasiet", "not_started", "Inte påbörjad"),
        ("Kvarnbackaskolan", "submitted", "Inskickad"),
        ("Lindskolan", "draft", "Utkast"),
    ]
    assert rows[1]["Skolform"] == "Gymnasieskola" and rows[1]["Senast ändrad"] == ""
    assert rows[3]["Besvarade påståenden"] == "9"

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/rounds/{round_id}/participation.xlsx?lang=en").content)
    )
    assert book.sheetnames == ["About the round", "Participation"]
    sheet = list(book["Participation"].iter_rows(values_only=True))
    assert sheet[0][:2] == ("Unit id", "Unit") and len(sheet) == 5
    about = dict(book["About the round"].iter_rows(values_only=True))
    assert about["Round"] == "VT 2026" and about["Submitted"] == 1 and about["Units"] == 4


def test_reminder_list_and_csv(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    rw, round_id, _ = participation_world(engine)
    login(client, "strategist-a@example.org")
    page = soup(client.get(f"/rounds/{round_id}/reminders").text)
    units = [th.get_text(" ", strip=True).split(" ")[0] for th in page.select("tbody th")]
    assert units == ["Björkskolan", "Ekhagagymnasiet", "Lindskolan"]
    box = page.select_one("textarea#emails")
    assert page.select_one("label[for=emails]") is not None and box.has_attr("readonly")
    assert box.get_text() == "rektor-org@example.org; rektor-gy@example.org"
    response = client.get(f"/rounds/{round_id}/reminders.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Enhet"], r["E-post"]) for r in rows] == [
        ("Björkskolan", "rektor-org@example.org"),
        ("Ekhagagymnasiet", "rektor-gy@example.org; rektor-org@example.org"),
        ("Lindskolan", "rektor-org@example.org"),
    ]
    assert rows[1]["Rektor / kontakt"] == "Gy Rektor; Org Rektor"


def test_api_rounds_and_participation(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    rw, round_id, aids = participation_world(engine)
    w = rw.world
    login(client, "strategist-a@example.org")
    listed = client.get("/api/v1/rounds").json()
    assert listed == [
        {
            "id": round_id,
            "title": "VT 2026",
            "kind": "organiser",
            "owner_unit_id": w.org_a,
            "questionnaire": {"key": "skola", "version": "2026.1"},
            "opens": "2026-01-01",
            "closes": "2026-12-31",
            "state": "open",
        }
    ]
    rows = client.get(f"/api/v1/rounds/{round_id}/participation").json()
    assert [set(r) for r in rows] == [
        {"unit_id", "name", "state", "progress", "n_respondents", "updated_at"}
    ] * 4
    by_name = {r["name"]: r for r in rows}
    assert by_name["Lindskolan"]["progress"] == round(100 * 9 / len(SKOLA.items))
    assert by_name["Ekhagagymnasiet"] == {
        "unit_id": rw.gymnasium,
        "name": "Ekhagagymnasiet",
        "state": "not_started",
        "progress": 0,
        "n_respondents": None,
        "updated_at": None,
    }
    assert by_name["Kvarnbackaskolan"]["state"] == "submitted"
    assert by_name["Kvarnbackaskolan"]["updated_at"].endswith(("Z", "+00:00"))

    for email, rounds_seen, participation_status in (
        ("strategist-b@example.org", [], 404),
        ("national@example.org", [round_id], 404),
        ("principal-a@example.org", [], 404),
        ("admin@example.org", [round_id], 200),
    ):
        other, _ = signed_in(client, email)
        assert [r["id"] for r in other.get("/api/v1/rounds").json()] == rounds_seen, email
        status = other.get(f"/api/v1/rounds/{round_id}/participation").status_code
        assert status == participation_status, email
    anonymous = TestClient(client.app, base_url="https://testserver")
    assert anonymous.get("/api/v1/rounds").status_code == 401


def test_other_organisers_strategist_gets_404_everywhere(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    rw, round_id, aids = participation_world(engine)
    w = rw.world
    csrf = login(client, "strategist-b@example.org")
    base = f"/rounds/{round_id}"
    for path in ("", "/participation.csv", "/participation.xlsx", "/reminders", "/reminders.csv"):
        response = client.get(base + path)
        assert response.status_code == 404, path
        assert "Kvarnbackaskolan" not in response.text
    assert client.get(base, headers=HX).status_code == 404
    for action in ("extend", "close", "reopen", f"assessments/{aids[w.school_a]}/reopen"):
        data = {"csrf_token": csrf, "closes": "2099-01-01"}
        assert client.post(f"{base}/{action}", data=data).status_code == 404, action
    assert client.get(f"/api/v1/rounds/{round_id}/participation").status_code == 404
    # Their own list and form show only their own organiser.
    listed = soup(client.get("/rounds").text)
    assert "VT 2026" not in listed.get_text()
    form = soup(client.get("/rounds/new").text)
    assert {int(i["value"]) for i in form.select("input[name=units]")} == {w.org_b, w.school_b}
    foreign = client.post(
        "/rounds", data=new_round(csrf, w.org_a, selection="list", units=[str(w.school_a)])
    )
    assert foreign.status_code == 422
    assert soup(foreign.text).select_one("#form-errors li[data-field=owner]") is not None
    with Session(engine) as session:
        assert session.get(Round, round_id).state == "open"  # type: ignore[union-attr]


def test_navigation_and_start_page_point_strategists_to_rounds(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    rounds_world(engine)
    login(client, "strategist-a@example.org")
    start = soup(client.get("/").text)
    assert start.select_one("nav a[href='/rounds']").get_text() == "Omgångar"
    assert start.select_one("main a[href='/rounds']") is not None
    principal, _ = signed_in(client, "principal-a@example.org")
    page = soup(principal.get("/").text)
    assert page.select_one("a[href='/rounds']") is None
    assert principal.get("/rounds").status_code == 404
    national, _ = signed_in(client, "national@example.org")
    listing = soup(national.get("/rounds").text)
    assert listing.select_one("a[href='/rounds/new']") is None
    assert national.get("/rounds/new").status_code == 404


def test_the_format_example_is_not_a_questionnaire_to_choose(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """questionnaires/examples/exempel.yaml documents the format; the app does not load it, so no
    round can be created with it (national staff's form neither)."""
    rounds_world(engine)
    for email, path in (("strategist-a@example.org", "/rounds/new"),
                        ("national@example.org", "/national/rounds/new")):  # fmt: skip
        other, _ = signed_in(client, email)
        page = soup(other.get(path).text)
        options = [o.get("value", "") for o in page.select("#f-questionnaire option")]
        assert any(o.startswith("skola") for o in options), options
        assert not any("exempel" in o for o in options), options
