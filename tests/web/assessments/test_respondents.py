"""Teachers answer an individual questionnaire anonymously through single-use links."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import Answer, Respondent
from tests.factories import build_world, login, make_round

HX = {"HX-Request": "true"}


def _links(client: TestClient, engine, count: int) -> tuple[int, list[str], str]:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["larare"],
        owner=world.org_a,
        units=[world.school_a],
        title="Lärarenkät",
    )
    aid = assessments[world.school_a]
    csrf = login(client, "principal-a@example.org")
    page = client.post(f"/assessments/{aid}/links", data={"csrf_token": csrf, "count": str(count)})
    assert page.status_code == 200
    text = BeautifulSoup(page.text, "html.parser").select_one("#links-text").get_text()
    links = re.findall(r"https://testserver(/r/[\w-]+)", text)
    assert len(links) == count
    return aid, links, csrf


def answer_through_link(app, link: str, value: str) -> TestClient:  # type: ignore[no-untyped-def]
    teacher = TestClient(app, base_url="https://testserver")  # no account, no session
    page = teacher.get(link)
    assert page.status_code == 200
    token = BeautifulSoup(page.text, "html.parser").select_one('input[name="csrf_token"]')["value"]
    for area in ("ledning", "infrastruktur", "kompetens", "anvandning"):
        form = BeautifulSoup(teacher.get(f"{link}?area={area}").text, "html.parser")
        data = {"csrf_token": token}
        for fieldset in form.select("fieldset.item"):
            name = fieldset.select_one('input[type="radio"]')["name"]
            data[name] = value
        assert (
            teacher.post(f"{link}/areas/{area}", data=data, follow_redirects=False).status_code
            == 303
        )
    done = teacher.post(f"{link}/submit", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert "Tack för dina svar" in teacher.get(link).text
    return teacher


def test_links_are_stored_only_as_hashes(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, links, _ = _links(client, engine, 3)
    with Session(engine) as session:
        hashes = set(
            session.exec(select(Respondent.token_hash).where(Respondent.token_hash.is_not(None)))
        )  # type: ignore[union-attr]
    tokens = {link.rsplit("/", 1)[1] for link in links}
    assert len(hashes) == 3 and not (tokens & hashes)


def _summary_total(client: TestClient, aid: int) -> list[str] | None:
    page = BeautifulSoup(client.get(f"/assessments/{aid}/summary").text, "html.parser")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.select("table.results tbody tr")
    }
    return rows.get("Totalt")


def _close(client: TestClient, aid: int, csrf: str) -> None:
    done = client.post(f"/assessments/{aid}/collection/close", data={"csrf_token": csrf},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303


def test_teacher_answers_anonymously_and_results_wait_for_a_released_batch(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    aid, links, csrf = _links(client, engine, 8)
    for link in links[:4]:
        answer_through_link(client.app, link, "3")
    summary = client.get(f"/assessments/{aid}/summary")
    assert summary.status_code == 200
    assert "minst 5 svarande" in summary.text
    assert BeautifulSoup(summary.text, "html.parser").select("table.results") == []
    answer_through_link(client.app, links[4], "2")
    # Five have answered, but nothing leaves the respondents until the collection ends.
    assert _summary_total(client, aid) is None
    _close(client, aid, csrf)
    total = _summary_total(client, aid)
    # Four respondents at 3, one at 2: mean score 2.8, index 100·1.8/3 = 60, n = 5.
    assert total is not None and total[1] == "60" and total[2] == "2,80" and total[4] == "5"
    with Session(engine) as session:
        assert all(a.answered_by is None for a in session.exec(select(Answer)))


def test_one_more_teacher_never_changes_what_the_principal_reads(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    """The before/after attack on the principal's summary: read, let one teacher answer, read
    again. Nothing may change until at least k more have answered and the collection ended."""
    aid, links, csrf = _links(client, engine, 12)
    for link in links[:5]:
        answer_through_link(client.app, link, "3")
    _close(client, aid, csrf)
    before = client.get(f"/assessments/{aid}/summary").text
    before_total = _summary_total(client, aid)
    assert before_total is not None and before_total[4] == "5"
    # A closed collection takes no answers.
    page = client.get(f"/assessments/{aid}")
    assert "Insamlingen är avslutad" in page.text
    reopened = client.post(f"/assessments/{aid}/collection/reopen", data={"csrf_token": csrf},
                           follow_redirects=False)  # fmt: skip
    assert reopened.status_code == 303
    answer_through_link(client.app, links[5], "1")  # one teacher, much lower
    assert _summary_total(client, aid) == before_total
    _close(client, aid, csrf)  # one waiting: fewer than k, nothing released
    assert _summary_total(client, aid) == before_total
    assert _strip_tokens(client.get(f"/assessments/{aid}/summary").text) == _strip_tokens(before)
    client.post(f"/assessments/{aid}/collection/reopen", data={"csrf_token": csrf})
    for link in links[6:10]:
        answer_through_link(client.app, link, "1")
    _close(client, aid, csrf)  # five waiting: the next batch
    after = _summary_total(client, aid)
    assert after is not None and after[4] == "10"


def _strip_tokens(html: str) -> str:
    return re.sub(r'(name="csrf_token" value="|content=")[^"]*"', "", html)


def test_used_or_unknown_links(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, links, _ = _links(client, engine, 1)
    teacher = answer_through_link(client.app, links[0], "2")
    page = BeautifulSoup(teacher.get(links[0]).text, "html.parser")
    token = page.select_one('meta[name="csrf-token"]')["content"]
    again = teacher.post(
        f"{links[0]}/items/L.01", data={"answer-L.01": "4"}, headers={**HX, "X-CSRF-Token": token}
    )
    assert again.status_code == 409  # submitted answers are read-only
    assert client.get("/r/not-a-real-token").status_code == 404


def test_only_the_units_principals_end_or_reopen_its_collection(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, _, csrf = _links(client, engine, 2)
    for email in ("principal-b@example.org", "strategist-a@example.org", "national@example.org"):
        other = TestClient(client.app, base_url="https://testserver")
        token = login(other, email)
        for action in ("close", "reopen"):
            response = other.post(f"/assessments/{aid}/collection/{action}",
                                  data={"csrf_token": token}, follow_redirects=False)  # fmt: skip
            assert response.status_code == 404, (email, action)
    anonymous = TestClient(client.app, base_url="https://testserver")
    assert anonymous.post(f"/assessments/{aid}/collection/close",
                          follow_redirects=False).status_code in (303, 401, 403)  # fmt: skip
    _close(client, aid, csrf)
    again = client.post(f"/assessments/{aid}/collection/close", data={"csrf_token": csrf})
    assert again.status_code == 409 and "redan stängd" in again.text
