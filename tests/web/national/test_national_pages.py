"""National pages (issue 8): creating a national round through the form, the aggregates page with
every suppressed cell shown as "–" and never a number (parsed HTML against the API and the true
counts), the publication files cell by cell against the API, the trends page against a world with
known changes, the printable report, and 404 for everyone but national staff and admins."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from scipy import stats
from sqlmodel import Session, func, select

from survey.models import Assessment, AuditLog, Round
from survey.services.national.aggregates import FAMILY
from survey.web.comparison.present import fmt, fmt_p
from tests.factories import build_world, login
from tests.services.national.test_national_trends import diffs, two_round_world
from tests.web.national.test_national_api import LAYOUT, national_world

K = 5
MARKER = "–"
STAT_COLS = ("response_rate", "median", "quartiles", "mean", "sd", "share_below_floor", "gini",
             "theil")  # fmt: skip


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def signed_in(client: TestClient, email: str) -> tuple[TestClient, str]:
    other = TestClient(client.app, base_url="https://testserver")
    return other, login(other, email)


def api_rows(
    client: TestClient, round_id: int, by: str, scope_type: str | None = None
) -> list[dict]:  # type: ignore[type-arg]
    params = {"by": by} | ({"scope_type": scope_type} if scope_type else {})
    response = client.get(f"/api/v1/national/rounds/{round_id}/aggregates", params=params)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def group_key(group: dict[str, str]) -> str:
    order = ("region", "organiser_type", "school_form", "organiser")
    return ";".join(f"{d}={group[d]}" for d in order if d in group)


def true_counts() -> dict[str, int]:
    """Answering schools per cell of every breakdown of LAYOUT (the hand-built world)."""
    counts: dict[str, int] = {}
    for region, org_type, n, _ in LAYOUT:
        for key in ("", f"region={region}", f"organiser_type={org_type}",
                    f"region={region};organiser_type={org_type}", "school_form=grundskola",
                    f"region={region};school_form=grundskola",
                    f"organiser_type={org_type};school_form=grundskola"):  # fmt: skip
            counts[key] = counts.get(key, 0) + n
    return counts


# --------------------------------------------------------------------------------- creating


def test_national_staff_create_a_round_through_the_form(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    csrf = login(client, "national@example.org")
    home = soup(client.get("/").text)
    assert home.select_one("nav a[href='/national']").get_text() == "Nationell uppföljning"
    form = soup(client.get("/national/rounds/new").text)
    options = {o["value"] for o in form.select("#f-questionnaire option") if o["value"]}
    assert {"skola@2026.1", "huvudman@2026.1"} <= options
    assert {i["value"] for i in form.select("input[name=kinds]")} >= {"school", "organiser"}
    data = {"csrf_token": csrf, "questionnaire": "skola@2026.1", "title": "Nationell HT",
            "opens": "2026-09-01", "closes": "2099-12-01", "school_forms": ["grundskola"]}  # fmt: skip
    bad = client.post("/national/rounds", data=data | {"closes": "2026-08-01"})
    assert bad.status_code == 422
    page = soup(bad.text)
    assert page.select_one("#form-errors li[data-field=closes]") is not None
    assert page.select_one("#f-closes")["aria-invalid"] == "true"
    assert page.select_one("#f-title")["value"] == "Nationell HT"  # the form keeps its values
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Round)).one() == 0

    created = client.post("/national/rounds", data=data, follow_redirects=False)
    assert created.status_code == 303
    match = re.fullmatch(r"/national/rounds/(\d+)\?created=1", created.headers["location"])
    assert match
    round_id = int(match.group(1))
    with Session(engine) as session:
        units = set(session.exec(select(Assessment.unit_id).where(Assessment.round_id == round_id)))
        assert units == {world.school_a, world.school_a2, world.school_b}
        assert session.get(Round, round_id).kind == "national"  # type: ignore[union-attr]
        assert session.exec(
            select(AuditLog).where(
                AuditLog.action == "round.create", AuditLog.object_id == round_id
            )
        ).one()
    shown = soup(client.get(created.headers["location"]).text)
    assert shown.select_one("p.notice.ok[role=status]") is not None
    # No release yet: participation only, never a figure about the answers.
    assert shown.select_one("#release-none") is not None
    table = shown.select_one("table#participation")
    assert table is not None and "0" in table.select_one("tfoot").get_text()
    assert shown.select_one("table.national-aggregates") is None
    assert shown.select_one("#publish-form button") is not None  # preliminary, once
    listing = soup(client.get("/national").text)
    link = listing.select_one(f"a[href='/national/rounds/{round_id}']")
    assert link.get_text() == "Nationell HT"
    assert "0 av 3 enheter" in link.find_parent("tr").get_text()


# --------------------------------------------------------------------------------- the page


def check_table(table, api: list[dict], counts: dict[str, int] | None = None) -> int:  # type: ignore[no-untyped-def,type-arg]
    """Every row of a page table against the API row of its group; returns the hidden rows."""
    by_group = {group_key(r["group"]): r for r in api}
    hidden = 0
    for tr in table.select("tbody tr"):
        row = by_group.pop(tr["data-group"])
        cells = {td["data-col"]: td.get_text(strip=True) for td in tr.select("td[data-col]")}
        assert cells["n_targeted"] == str(row["n_targeted"])
        if row["suppressed"]:
            hidden += 1
            assert "suppressed" in tr["class"]
            assert cells["n_units"] == MARKER
            for col in STAT_COLS:
                assert cells[col] == MARKER, (tr["data-group"], col, cells[col])
        else:
            assert row["n_units"] >= K
            assert cells["n_units"] == str(row["n_units"])
            assert cells["median"] == fmt(row["median"], 2, "sv")
        if counts is not None and counts.get(tr["data-group"], K) < K:
            assert row["suppressed"] and not re.search(r"\d", "".join(
                cells[c] for c in ("n_units", *STAT_COLS)))  # fmt: skip
    assert by_group == {}, "the page left out groups"
    return hidden


def test_the_page_shows_suppressed_cells_as_the_marker_never_a_number(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    _, round_id, _ = national_world(engine)
    login(client, "national@example.org")
    counts = true_counts()
    hidden_total = 0
    for columns in FAMILY:
        by = ",".join(columns)
        for scope in ("total", "subgoal"):
            page = soup(client.get(f"/national/rounds/{round_id}",
                                   params={"by": by, "scope": scope}).text)  # fmt: skip
            tables = page.select("table.national-aggregates")
            api = api_rows(client, round_id, by, scope)
            assert tables, (by, scope)
            for table in tables:
                scope_id = table["id"].removeprefix("s-").removesuffix("-table").replace("-", ".")
                if not columns:
                    rows = [r for r in api if r["scope_type"] == scope]
                    for tr, row in zip(table.select("tbody tr"), rows, strict=True):
                        assert tr["data-group"] == row["scope_id"]
                    continue
                section = [r for r in api if r["scope_id"] == scope_id]
                hidden_total += check_table(table, section, counts)
                # The chart draws only the published groups, and marks the others "–".
                chart = table.find_parent("section").select_one("svg")
                published = sum(1 for r in section if not r["suppressed"])
                assert len(chart.select("g.dot")) == published
                assert len(chart.select("text.missing")) == len(section) - published
    assert hidden_total > 0
    note = page.select_one("#suppression-note").get_text(" ", strip=True)
    assert note.startswith(MARKER) and "färre än 5 enheter" in note


def test_the_page_has_coverage_charts_and_equity_in_words(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, round_id, schools = national_world(engine)
    login(client, "national@example.org")
    page = soup(client.get(f"/national/rounds/{round_id}", params={"by": "organiser_type"}).text)
    assert page.select_one("#f-by option[selected]")["value"] == "organiser_type"
    assert page.select_one("#f-scope option[selected]")["value"] == "subgoal"
    coverage = page.select_one("#coverage").get_text(" ", strip=True)
    assert f"{len(schools)} av {len(schools)} enheter" in coverage and "100\u00a0%" in coverage
    sections = page.select("section.national-section")
    assert len(sections) == 9  # one per sub-goal of the school questionnaire
    first = sections[0]
    svg = first.select_one("svg[role=img]")
    assert svg.select_one("title").get_text() and svg.select_one("desc").get_text()
    assert first.select_one("table caption").get_text().startswith("Huvudmannatyp")
    words = first.select_one(".equity-words").get_text()
    assert "mellan huvudmannatyper" in words and "Kruskal–Wallis" in words
    english = soup(client.get(f"/national/rounds/{round_id}", params={"lang": "en"}).text)
    assert english.select_one("#f-by option[selected]").get_text() == "Nation"


def test_bad_breakdown_or_scope_is_422(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, round_id, _ = national_world(engine)
    login(client, "national@example.org")
    assert client.get(f"/national/rounds/{round_id}", params={"by": "kommun"}).status_code == 422
    assert client.get(f"/national/rounds/{round_id}", params={"scope": "item"}).status_code == 422


# --------------------------------------------------------------------------------- files


def csv_records(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


NUMBERS = ("mean", "median", "q1", "q3", "sd", "share_below_floor", "gini", "theil",
           "response_rate")  # fmt: skip


@pytest.mark.parametrize("base", ["/national/rounds/{id}", "/api/v1/national/rounds/{id}"])
def test_files_carry_the_same_suppression_as_the_api(client: TestClient, engine, base) -> None:  # type: ignore[no-untyped-def]
    _, round_id, _ = national_world(engine)
    login(client, "national@example.org")
    api = {
        (r["by"], group_key(r["group"]), r["scope_type"], r["scope_id"]): r
        for columns in FAMILY
        for r in api_rows(client, round_id, ",".join(columns))
    }
    url = base.format(id=round_id) + "/aggregates"
    responses = {ext: client.get(f"{url}.{ext}") for ext in ("csv", "xlsx", "parquet")}
    for ext, response in responses.items():
        assert response.status_code == 200, ext
        assert "attachment" in response.headers["content-disposition"]

    def group_of(record: dict) -> str:  # type: ignore[type-arg]
        by = record["by"].split(",") if record["by"] else []
        return group_key({d: record[d] for d in by})

    def compare(key: tuple, record: dict, *, marker: object) -> None:  # type: ignore[type-arg]
        row = api.pop(key)
        assert int(record["n_targeted"]) == row["n_targeted"]
        suppressed = record["suppressed"] in (True, "true")
        assert suppressed == row["suppressed"], key
        for name in ("n_units", *NUMBERS):
            if row["suppressed"]:
                assert record[name] == marker, (key, name)
            else:
                assert float(record[name]) == pytest.approx(row[name], abs=1e-4), (key, name)

    records = csv_records(responses["csv"].content)
    assert list(records[0])[:3] == ["round", "release", "by"]
    assert {r["release"] for r in records} == {"1"}
    for record in records:
        compare((record["by"], group_of(record), record["scope_type"], record["scope_id"]),
                record, marker=MARKER)  # fmt: skip
    assert api == {}
    for columns in FAMILY:
        for r in api_rows(client, round_id, ",".join(columns)):
            api[(r["by"], group_key(r["group"]), r["scope_type"], r["scope_id"])] = r
    table = pq.read_table(io.BytesIO(responses["parquet"].content)).to_pylist()
    assert len(table) == len(records)
    for record in table:
        compare((record["by"], group_of(record), record["scope_type"], record["scope_id"]),
                record, marker=None)  # fmt: skip
    assert api == {}

    book = openpyxl.load_workbook(io.BytesIO(responses["xlsx"].content))
    assert book.sheetnames[0] == "Metod" and book.sheetnames[-1] == "Jämförelser"
    method = {row[0]: row[1] for row in book["Metod"].iter_rows(min_row=2, values_only=True)}
    assert method["Minsta gruppstorlek k"] == K and method["Markering för dold uppgift"] == MARKER
    assert "5 enheter" in method["Primär undertryckning"]
    assert "mellan tabeller eller mellan releaser" in method["Sekundär undertryckning"]
    assert "Release 1 (slutlig)" in method["Release"]
    assert "minst 5 enheter" in method["Små grupper"]
    assert "n_targeted" in method["Om täckningen"]
    hidden = 0
    for sheet in book.sheetnames[1:-1]:
        rows = list(book[sheet].iter_rows(values_only=True))
        header = rows[0]
        n_col = header.index("Enheter som svarat")
        median_col = header.index("Median")
        assert "Enheter i målgruppen" in header and "Svarsfrekvens" in header
        for values in rows[1:]:
            if values[n_col] == MARKER:
                hidden += 1
                assert all(v == MARKER for v in values[n_col + 1 :])
            else:
                assert values[n_col] >= K and isinstance(values[median_col], int | float)
    assert hidden == sum(1 for r in records if r["suppressed"] == "true")


# --------------------------------------------------------------------------------- trends


def test_trends_page_shows_paired_counts_and_wilcoxon(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    w = two_round_world(engine)
    login(client, "national@example.org")
    page = soup(client.get(f"/national/rounds/{w.second}/trends",
                           params={"by": "region", "scope": "total"}).text)  # fmt: skip
    header = page.select_one("table.national-cross thead").get_text(" ", strip=True)
    assert "Nationell uppföljning 2025" in header and "Nationell uppföljning 2026" in header
    paired = page.select_one("table.national-paired")
    for code in ("03", "12"):
        d = diffs(region=code)
        tr = paired.select_one(f"tr[data-group='region={code}']")
        cells = {td["data-col"]: td.get_text(strip=True) for td in tr.select("td")}
        assert cells["n_pairs"] == str(len(d))
        assert cells["improved"] == str(sum(x > 0 for x in d))
        assert cells["unchanged"] == str(sum(x == 0 for x in d))
        assert cells["declined"] == str(sum(x < 0 for x in d))
        assert cells["wilcoxon_p"] == fmt_p(stats.wilcoxon(d).pvalue, "sv")
    two_way = soup(client.get(f"/national/rounds/{w.second}/trends",
                              params={"by": "region,organiser_type", "scope": "total"}).text)  # fmt: skip
    rows = two_way.select("table.national-paired tbody tr")
    assert len(rows) == 4
    for tr in rows:
        assert {td.get_text(strip=True) for td in tr.select("td")} == {MARKER}
    first = soup(client.get(f"/national/rounds/{w.first}/trends").text)
    assert first.select_one("#no-earlier") is not None and not first.select("table.national-paired")


# --------------------------------------------------------------------------------- report


def test_printable_report_renders_with_method_notes(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, round_id, schools = national_world(engine)
    login(client, "national@example.org")
    response = client.get(f"/national/rounds/{round_id}/report")
    assert response.status_code == 200
    page = soup(response.text)
    report = page.select_one("article.national-report")
    assert report.select_one("h1").get_text().startswith("Nationell uppföljning")
    assert report.select_one("button[data-print]") is not None
    tables = report.select("table.national-aggregates")
    assert len(tables) == 2
    nation_rows = tables[0].select("tbody tr")
    assert nation_rows[-1]["data-group"] == "total"
    assert f"{len(schools)} av {len(schools)}" in nation_rows[-1].get_text()
    notes = report.select_one("dl.method-notes").get_text(" ", strip=True)
    assert "färre än 5 enheter" in notes and "n_targeted" in notes
    assert "mellan tabeller eller mellan releaser" in notes  # linked tables, releases
    assert "minst 5 enheter" in report.select_one("#report-detail").get_text()  # small cells
    assert "Visar release 1 (slutlig)" in report.select_one("#report-releases").get_text()
    assert report.select(".equity-words li")
    for tr in tables[1].select("tbody tr.suppressed"):
        assert not re.search(r"\d", "".join(td.get_text() for td in tr.select("td")[1:]))
    by_type = soup(client.get(f"/national/rounds/{round_id}/report",
                              params={"by": "organiser_type"}).text)  # fmt: skip
    assert by_type.select("table caption")[1].get_text().startswith("Huvudmannatyp")


# --------------------------------------------------------------------------------- access


def test_404_for_everyone_but_national_staff_and_admins(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, round_id, _ = national_world(engine)
    urls = [
        "/national", "/national/rounds/new", f"/national/rounds/{round_id}",
        f"/national/rounds/{round_id}/trends", f"/national/rounds/{round_id}/report",
        *(f"/national/rounds/{round_id}/aggregates.{e}" for e in ("csv", "xlsx", "parquet")),
        *(f"/api/v1/national/rounds/{round_id}/aggregates.{e}" for e in ("csv", "xlsx", "parquet")),
    ]  # fmt: skip
    for email in ("strategist-a@example.org", "principal-a@example.org"):
        other, csrf = signed_in(client, email)
        for url in urls:
            response = other.get(url)
            assert response.status_code == 404, (email, url)
            assert "Nationell uppföljning" not in response.text.split("<main", 1)[-1]
        assert other.post("/national/rounds", data={"csrf_token": csrf}).status_code == 404
        home = soup(other.get("/").text)
        assert home.select_one("nav a[href='/national']") is None
    for email in ("national@example.org", "admin@example.org"):
        other, _ = signed_in(client, email)
        for url in urls:
            assert other.get(url).status_code == 200, (email, url)
