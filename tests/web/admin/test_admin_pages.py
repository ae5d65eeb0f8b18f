"""The administration pages: the import's preview and accept, a unit's edit and deactivation, the
users' pages and the last administrator's refusal, as a browser without JavaScript sends them."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from survey.models import AuditLog, RoleGrant, Unit
from tests.factories import build_world, login

EXAMPLE = Path(__file__).parents[3] / "survey/demo/examples/skolenhetsregistret-example.json"


def unit_count(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Unit)).one()


def test_import_preview_then_accept(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    csrf = login(client, "admin@example.org")
    assert "Importera enheter" in client.get("/").text
    page = client.get("/admin/units/import")
    assert page.status_code == 200 and "skolenhetsregistret-example.json" in page.text
    before = unit_count(engine)
    files = {"file": ("register.json", EXAMPLE.read_bytes(), "application/json")}
    preview = client.post(
        "/admin/units/import", data={"csrf_token": csrf, "format": "register"}, files=files
    )
    assert preview.status_code == 200, preview.text
    assert "Förhandsvisning av register.json" in preview.text
    assert "register.json[6].schoolTypes[1]" in preview.text  # the unknown school type
    assert unit_count(engine) == before  # the preview writes nothing
    content = re.search(r'name="content" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    done = client.post(
        "/admin/units/import/accept",
        data={
            "csrf_token": csrf,
            "format": "register",
            "label": "register.json",
            "content": content,
        },
    )
    assert done.status_code == 200 and 'id="import-done"' in done.text
    assert unit_count(engine) == before + 15
    with Session(engine) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "units.import")).one()
        assert audit.detail["created"] == 15 and len(audit.detail["sha256"]) == 64
    # A tampered accept is checked again, not trusted: a bad file writes nothing.
    bad = "dW5pdF9pZCxuYW1lCg=="  # "unit_id,name\n"
    refused = client.post(
        "/admin/units/import/accept",
        data={"csrf_token": csrf, "format": "csv", "label": "u.csv", "content": bad},
    )
    assert refused.status_code == 422 and "u.csv:1" in refused.text


def test_csv_problems_name_their_lines(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    csrf = login(client, "strategist-a@example.org")
    text = "unit_id,name,kind,parent_id,school_unit_code\nn1,Nyskolan,school,SE,12\n"
    response = client.post(
        "/admin/units/import",
        data={"csrf_token": csrf, "format": "csv"},
        files={"file": ("units.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert "units.csv:2: school_unit_code: &#39;12&#39; har inte formen 8 digits" in response.text
    assert 'id="accept"' not in response.text
    empty = client.post("/admin/units/import", data={"csrf_token": csrf, "format": "csv"})
    assert empty.status_code == 422 and "Välj en fil" in empty.text


def test_units_page_edit_and_deactivate(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    csrf = login(client, "strategist-a@example.org")
    page = client.get("/admin/units", params={"q": "skolan"})
    assert "Kvarnbackaskolan" in page.text and "Ekskolan" not in page.text
    assert client.get(f"/admin/units/{world.school_b}").status_code == 404
    bad = client.post(
        f"/admin/units/{world.school_a}",
        data={"csrf_token": csrf, "name": "", "school_unit_code": "x1"},
    )
    assert bad.status_code == 422
    assert "name: tomt" in bad.text and "school_unit_code: &#39;x1&#39;" in bad.text
    saved = client.post(
        f"/admin/units/{world.school_a}",
        data={"csrf_token": csrf, "name": "Kvarnbacksskolan", "school_unit_code": "11111111",
              "school_forms": ["grundskola", "fritidshem"]},
    )  # fmt: skip
    assert saved.status_code == 200 and "Ändringarna är sparade" in saved.text
    off = client.post(
        f"/admin/units/{world.school_a2}/active", data={"csrf_token": csrf, "active": "0"}
    )
    assert off.status_code == 200 and "Enheten är inaktiverad" in off.text
    with Session(engine) as session:
        assert session.get(Unit, world.school_a2).active is False  # type: ignore[union-attr]
    root = client.post(
        f"/admin/units/{world.org_a}/active", data={"csrf_token": csrf, "active": "0"}
    )
    assert root.status_code == 409 and "din egen organisation" in root.text


def test_users_pages_and_the_last_administrator(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    csrf = login(client, "admin@example.org")
    listing = client.get("/admin/users", params={"q": "principal"})
    assert "principal-a@example.org" in listing.text and "strategist-a" not in listing.text
    admin_id = world.users["admin@example.org"]
    with Session(engine) as session:
        grant = session.exec(select(RoleGrant.id).where(RoleGrant.user_id == admin_id)).one()
    refused = client.post(
        f"/admin/users/{admin_id}/grants/{grant}/revoke", data={"csrf_token": csrf, "confirm": "1"}
    )
    assert refused.status_code == 409 and "minst en aktiv administratör" in refused.text
    refused = client.post(
        f"/admin/users/{admin_id}/active", data={"csrf_token": csrf, "active": "0"}
    )
    assert refused.status_code == 409
    principal = world.users["principal-a@example.org"]
    with Session(engine) as session:
        grant = session.exec(select(RoleGrant.id).where(RoleGrant.user_id == principal)).one()
    changed = client.post(
        f"/admin/users/{principal}/grants/{grant}",
        data={"csrf_token": csrf, "role": "principal", "unit": "11111112"},
    )
    assert changed.status_code == 200 and "Rollen är ändrad" in changed.text
    unknown = client.post(
        f"/admin/users/{principal}/grants/{grant}",
        data={"csrf_token": csrf, "role": "principal", "unit": "99999999"},
    )
    assert unknown.status_code == 422 and "unit: &#39;99999999&#39;" in unknown.text
    off = client.post(f"/admin/users/{principal}/active", data={"csrf_token": csrf, "active": "0"})
    assert off.status_code == 200 and "inaktiverad" in off.text
