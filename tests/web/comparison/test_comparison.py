"""Heat map, equity panel and trend pages and their exports, on a world with known answers."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session, select

from survey.models import User
from survey.services.access import load_actor
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import get_round_units_view
from survey.services.rounds.results import round_results
from tests.comparison_worlds import TAG, add_earlier_round, teacher_world, unit_level_world
from tests.factories import answer_all, build_world, login, make_round, submit_and_share

PAGES = ("heatmap", "equity", "trend")
EXPORTS = tuple(
    f"{page}.{ext}" for page in ("heatmap", "equity") for ext in ("csv", "xlsx", "parquet")
)


def _page(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def _rows(page: BeautifulSoup) -> dict[str, list]:  # type: ignore[type-arg]
    """Body rows of the heat map by unit name (the row header without the reason)."""
    out = {}
    for tr in page.select("table.heatmap tbody tr"):
        th = tr.select_one("th")
        reason = th.select_one(".reason")
        if reason:
            reason.extract()
        out[th.get_text(" ", strip=True)] = tr.select("td")
    return out


def _column(page: BeautifulSoup, key: str) -> int:
    """Position (among the td cells) of the column sorted by ``key``."""
    headers = page.select("table.heatmap thead tr:first-child th")
    ids = [th.select_one("a")["id"] for th in headers]
    return ids.index(f"sort-{key.replace('.', '_')}") - 1  # the first header is the row header


def _engine_units(engine, round_id: int) -> dict[tuple[str, str], dict]:  # type: ignore[no-untyped-def,type-arg]
    """The engine's unit rows of the round, as an admin sees them."""
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "admin@example.org")).one()
        scope = get_round_units_view(
            session, actor=load_actor(session, user=user), round_id=round_id
        )
        q = questionnaire_for(session, questionnaire_id=scope.round.questionnaire_id)
        analysis = round_results(session, scope=scope, q=q, k=5).analysis
    assert analysis is not None
    return {(r["unit_id"], r["scope_id"]): r for r in analysis.units}


def test_heat_map_cells_median_and_reasons(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    login(client, "strategist-a@example.org")
    page = _page(client, f"/rounds/{cmp.round_id}/heatmap")
    table = page.select_one("table.heatmap")
    assert table.select_one("caption").get_text(strip=True).startswith("Nivå och index")
    assert all(th.get("scope") == "col" for th in table.select("thead tr:first-child th"))
    assert all(th.get("scope") == "row" for th in table.select("tbody th"))
    rows = _rows(page)
    assert set(rows) == set(cmp.units)
    engine_rows = _engine_units(engine, cmp.round_id)
    fo12 = _column(page, "FO1.2")
    for name in ("Kvarnbackaskolan", "Lindskolan", "Björkskolan", "Komvux"):
        expected = engine_rows[(str(cmp.units[name]), "FO1.2")]
        cell = rows[name][fo12]
        assert f"lvl-{expected['level']}" in cell["class"]
        text = cell.get_text(" ", strip=True)
        assert text == f"Nivå {expected['level']} · , Index {round(expected['index'])}"
    # By hand: every answer 2 -> level 2, index 33; the cell opens that sub-goal of the summary.
    kvarn = rows["Kvarnbackaskolan"][fo12]
    assert kvarn.select_one("strong").get_text() == "2"
    assert "33" in kvarn.get_text()
    aid = cmp.assessments[cmp.units["Kvarnbackaskolan"]]
    assert kvarn.select_one("a")["href"] == f"/assessments/{aid}/summary#subgoal-FO1.2"
    # Not shared / not submitted: "–" with the reason as text and a numbered footnote.
    dal = rows["Dalskolan"][fo12]
    assert dal.get_text(" ", strip=True).startswith("–")
    assert "inte delad" in dal.get_text()
    assert dal.select_one("a") is None
    assert "inte inskickad" in rows["Furuskolan"][fo12].get_text()
    notes = page.select_one("ol.footnotes")
    assert "inte delat resultatet" in notes.select_one("#fn-not_shared").get_text()
    assert "inte skickat in" in notes.select_one("#fn-not_submitted").get_text()
    # The organiser's median row heads the table: FO 1.2 over 6 units, fewer than the second
    # threshold (10): no median (in a small group it is one unit's score), with the reason.
    median = table.select_one("thead tr.median-row")
    assert median.select_one("th").get_text(" ", strip=True).startswith("Median, Uppsala kommun")
    assert median.select("td")[fo12].get_text(" ", strip=True) == "–"
    assert "minst 10 enheter" in page.get_text()


def test_heat_map_sorts_by_any_column(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    login(client, "strategist-a@example.org")
    page = _page(client, f"/rounds/{cmp.round_id}/heatmap?sort=FO1.2&dir=desc")
    assert list(_rows(page))[:2] == ["Björkskolan", "Cederskolan"]
    assert list(_rows(page))[-2:] == ["Dalskolan", "Furuskolan"]  # no value: last
    header = page.select_one("#sort-FO1_2").find_parent("th")
    assert header["aria-sort"] == "descending"
    assert page.select_one("#sort-FO1_2")["href"] == f"/rounds/{cmp.round_id}/heatmap?sort=FO1.2"
    assert "sorterad efter FO 1.2, fallande" in page.select_one("caption").get_text()
    page = _page(client, page.select_one("#sort-FO1_2")["href"])
    assert list(_rows(page))[:2] == ["Komvux", "Kvarnbackaskolan"]
    page = _page(client, f"/rounds/{cmp.round_id}/heatmap?sort=name&dir=desc")
    assert list(_rows(page))[0] == "Lindskolan"
    # Switch to the areas, keeping nothing that does not exist there.
    area_link = _page(client, f"/rounds/{cmp.round_id}/heatmap?sort=FO1.2").select_one(
        "#view-area"
    )["href"]
    assert area_link == f"/rounds/{cmp.round_id}/heatmap?view=area"
    areas = _page(client, area_link)
    keys = [a["id"] for a in areas.select("table.heatmap thead a")]
    assert keys == [
        "sort-name", "sort-form", "sort-ledning", "sort-infrastruktur", "sort-kompetens",
        "sort-anvandning", "sort-total",
    ]  # fmt: skip


def test_heat_map_filters(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    login(client, "strategist-a@example.org")
    base = f"/rounds/{cmp.round_id}/heatmap"
    assert list(_rows(_page(client, f"{base}?form=gymnasieskola"))) == ["Cederskolan"]
    assert list(_rows(_page(client, f"{base}?kind=adult_education"))) == ["Komvux"]
    page = _page(client, f"{base}?form=grundskola&kind=school&sort=FO1.2&dir=desc")
    assert list(_rows(page)) == [
        "Björkskolan", "Almskolan", "Lindskolan", "Kvarnbackaskolan", "Dalskolan", "Furuskolan",
    ]  # fmt: skip
    form = page.select_one("form.cmp-filters")
    assert form["method"] == "get"
    assert form.select_one("#f-form option[selected]")["value"] == "grundskola"
    assert form.select_one("input[name=sort]")["value"] == "FO1.2"
    assert "Visar 6 av omgångens 8 enheter." in page.select_one(".cmp-status").get_text()
    assert client.get(f"{base}?form=hogskola").status_code == 422
    assert client.get(f"{base}?sort=nothing").status_code == 422


def test_heat_map_tag_filter(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    login(client, "strategist-a@example.org")
    page = _page(client, f"/rounds/{cmp.round_id}/heatmap?tag={TAG}")
    keys = [a["id"] for a in page.select("table.heatmap thead a")][2:]
    assert keys == ["sort-FO1_1", "sort-FO2_1", "sort-FO2_3", "sort-FO2_4", "sort-total"]
    ceder = _rows(page)["Cederskolan"]
    for cell in ceder[1:]:
        assert cell.get_text(" ", strip=True) == "Nivå 1 · , Index 0"
    assert f"taggen ”{TAG}”" in page.select_one(".cmp-status").get_text()
    assert "bara de påståenden som har taggen" in page.select_one("#tag-help").get_text()


def test_equity_panel_of_a_teacher_round_flags_the_low_school(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = teacher_world(engine)
    login(client, "strategist-a@example.org")
    page = _page(client, f"/rounds/{cmp.teacher_round}/equity?scope=subgoal:FO2.1")
    notes = [li.get_text(" ", strip=True) for li in page.select("ul.flag-notes li")]
    assert len(notes) == 1
    assert notes[0].startswith(
        "Almskolan ligger klart under kommunens övriga skolor i FO 2.1 "
        "(Cliff's δ = −0,97, justerat p < 0,001, 8 svarande)."
    )
    assert (
        "% av variationen i lärarnas svar ligger mellan skolorna"
        in page.select_one(".icc-words").get_text()
    )
    svg = page.select_one("figure.chart svg")
    assert svg["role"] == "img"
    assert len(svg.select("g.point")) == 4  # Björkskolan is below k
    assert len(svg.select("g.point.marked")) == 1
    units = page.select("table.equity-units tbody tr")
    assert units[0].select_one("th").get_text(strip=True) == "Almskolan"
    assert "klart under" in units[0].get_text()
    overview = page.select_one("table.equity-overview")
    assert overview.select_one("a[aria-current]").get_text(strip=True).startswith("FO 2.1")


def test_equity_panel_of_a_unit_level_round_explains_outliers(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    login(client, "strategist-a@example.org")
    page = _page(client, f"/rounds/{cmp.round_id}/equity")
    notes = [li.get_text(" ", strip=True) for li in page.select("ul.flag-notes li")]
    assert any(n.startswith("Komvux ligger 2 nivåer under mediannivån") for n in notes)
    assert any(n.startswith("Kvarnbackaskolan ligger en nivå under mediannivån") for n in notes)
    kvarn = cmp.assessments[cmp.units["Kvarnbackaskolan"]]
    assert page.select_one(f'ul.flag-notes a[href="/assessments/{kvarn}/summary#total-total"]')
    splits = [th.get_text(strip=True) for th in page.select("table.equity-splits tbody th")]
    assert splits == ["Skolform", "Enhetstyp"]
    assert page.select_one("table.key-figures") is not None
    assert client.get(f"/rounds/{cmp.round_id}/equity?scope=subgoal:FO9.9").status_code == 422


def test_trend_page_counts(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    add_earlier_round(
        engine, cmp, {"Kvarnbackaskolan": 1, "Lindskolan": 3, "Almskolan": 4, "Björkskolan": 4}
    )
    login(client, "strategist-a@example.org")
    page = _page(client, f"/rounds/{cmp.round_id}/trend")
    total = page.select("table.trend-counts tbody tr")[-1]
    cells = [td.get_text(strip=True) for td in total.select("td")]
    assert total.select_one("th").get_text(strip=True) == "Totalt"
    assert cells[:4] == ["4", "1", "2", "1"]  # pairs, improved, unchanged, declined
    assert cells[4].startswith("W = ")
    units = {
        tr.select_one("th").get_text(strip=True): [
            td.get_text(" ", strip=True) for td in tr.select("td")
        ]
        for tr in page.select("table.trend-units tbody tr")
    }
    assert units["Kvarnbackaskolan"][0] == "▲ +33"
    assert units["Almskolan"][0] == "▼ −33"
    assert units["Lindskolan"][0] == "0"
    assert units["Komvux"][0].startswith("–")
    assert page.select_one("figure.chart svg.trend-bars") is not None
    # Without an earlier round the page says so.
    teacher = teacher_world(engine, cmp)
    page = _page(client, f"/rounds/{teacher.teacher_round}/trend")
    assert "ingen tidigare omgång" in page.select_one("p.notice").get_text()


def test_exports_parse(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    login(client, "strategist-a@example.org")
    base = f"/rounds/{cmp.round_id}"
    engine_rows = _engine_units(engine, cmp.round_id)
    kvarn = str(cmp.units["Kvarnbackaskolan"])

    response = client.get(f"{base}/heatmap.csv?sort=FO1.2&dir=desc")
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="skolor-2026-jamforelse.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["Radtyp"] == "median"
    assert rows[0]["FO 1.2 index"] == ""  # 6 units: below the second threshold
    by_unit = {r["Enhets-id"]: r for r in rows[1:]}
    assert [r["Enhet"] for r in rows[1:3]] == ["Björkskolan", "Cederskolan"]
    assert by_unit[kvarn]["FO 1.1 nivå"] == "2"
    assert float(by_unit[kvarn]["FO 1.1 index"]) == round(engine_rows[(kvarn, "FO1.1")]["index"], 1)
    dal = by_unit[str(cmp.units["Dalskolan"])]
    assert (dal["Saknas därför att"], dal["FO 1.1 nivå"]) == ("not_shared", "")

    book = load_workbook(io.BytesIO(client.get(f"{base}/heatmap.xlsx").content), read_only=True)
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header[:3] == ["Radtyp", "Enhets-id", "Enhet"]
    assert len(values) == 1 + 1 + len(cmp.units)

    table = pq.read_table(io.BytesIO(client.get(f"{base}/heatmap.parquet").content))
    assert table.column_names[:3] == ["row_type", "unit_id", "unit"]
    data = table.to_pylist()
    kvarn_row = next(r for r in data if r["unit_id"] == int(kvarn))
    assert kvarn_row["FO1.1_level"] == 2
    assert kvarn_row["FO1.1_index"] == pytest.approx(33.3)
    assert next(r for r in data if r["unit"] == "Dalskolan")["FO1.1_index"] is None

    equity_csv = client.get(f"{base}/equity.csv").content.decode("utf-8-sig")
    sections = {r["section"] for r in csv.DictReader(io.StringIO(equity_csv))}
    assert sections == {"spread", "units", "splits", "notes"}
    book = load_workbook(io.BytesIO(client.get(f"{base}/equity.xlsx").content), read_only=True)
    assert book.sheetnames == ["Spridning", "Enheter", "Uppdelning", "Flaggade och avvikande"]
    table = pq.read_table(io.BytesIO(client.get(f"{base}/equity.parquet").content)).to_pylist()
    spread = [r for r in table if r["section"] == "spread" and r["scope_id"] == "FO1.2"]
    assert spread[0]["n_units"] == 6
    assert spread[0]["median_index"] is None  # 6 units: below the second threshold (10)
    notes = [r for r in table if r["section"] == "notes"]
    assert any(r["unit"] == "Komvux" and r["sentence"].startswith("Komvux ligger") for r in notes)


@pytest.mark.parametrize("email", ["strategist-b", "national", "principal-a"])
def test_other_organisers_and_national_staff_get_404(
    client: TestClient, engine, email: str
) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    login(client, f"{email}@example.org")
    for page in (*PAGES, *EXPORTS):
        response = client.get(f"/rounds/{cmp.round_id}/{page}")
        assert response.status_code == 404, page
        assert "Kvarnbackaskolan" not in response.text


def test_admin_sees_the_pages_and_anonymous_is_sent_to_sign_in(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    response = client.get(f"/rounds/{cmp.round_id}/heatmap", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    login(client, "admin@example.org")
    for page in (*PAGES, *EXPORTS):
        assert client.get(f"/rounds/{cmp.round_id}/{page}").status_code == 200, page


def test_heat_map_htmx_attributes_and_english(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    login(client, "strategist-a@example.org")
    page = _page(client, f"/rounds/{cmp.round_id}/heatmap?lang=en")
    region = page.select_one("#cmp-results")
    assert region["hx-select"] == "#cmp-results" and region["hx-push-url"] == "true"
    link = page.select_one("#sort-FO2_1")
    assert link["hx-get"] == link["href"]
    assert page.select_one("caption").get_text(strip=True).startswith("Level and index per unit")
    assert "not shared" in _rows(page)["Dalskolan"][1].get_text()


def test_a_single_unit_gets_no_spread_figures(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    """Gini and Theil of one unit are not 0.000: the panel shows "–" and says why (they need at
    least two units, and spread figures are shown only for groups of the second threshold)."""
    world = build_world(engine)
    round_id, assessments = make_round(engine, questionnaire_id=world.questionnaires["skola"],
                                       owner=world.org_a, units=[world.school_a])  # fmt: skip
    answer_all(engine, assessments[world.school_a], value=3)
    submit_and_share(engine, list(assessments.values()))
    login(client, "strategist-a@example.org")
    page = BeautifulSoup(client.get(f"/rounds/{round_id}/equity").text, "html.parser")
    figures = {
        tr.th.get_text(strip=True): tr.td.get_text(strip=True)
        for tr in page.select("table.key-figures tr")
    }
    assert figures["Gini-koefficient"] == "–" and figures["Theil T"] == "–", figures
    assert "minst 10 enheter" in page.select_one("#detail-note").get_text()
