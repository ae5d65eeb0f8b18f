"""The interface texts: one gettext catalogue (survey/locale), complete and in step with the code.

A failure here says what to do: a key in the code that a catalogue lacks, or a catalogue entry
no code uses any more, means running ``make messages`` and filling in both .po files; an empty
translation or differing placeholders mean editing the .po file named.
"""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from jinja2 import Environment, nodes

from survey.web.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    install_jinja,
    js_messages,
    ntranslate,
    translate,
)
from survey.web.security_headers import CSP
from tests.factories import answer_all, build_world, login, make_round

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

MsgId = str | tuple[str, str]


def _keywords() -> dict[str, object]:
    """gettext's keywords and the ones ``make messages`` adds (the Makefile's BABEL_KEYWORDS)."""
    found = re.search(r"^BABEL_KEYWORDS\s*:=(.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, "the Makefile defines BABEL_KEYWORDS for `make messages`"
    words = found.group(1).split()
    specs = [words[i + 1] for i, word in enumerate(words) if word == "-k"]
    return {**DEFAULT_KEYWORDS, **parse_keywords(specs)}


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    try:  # Babel ≥ 2.15
        from babel.messages.frontend import parse_mapping_cfg as parse
    except ImportError:  # pragma: no cover - older Babel
        from babel.messages.frontend import parse_mapping as parse
    with (ROOT / "babel.cfg").open() as f:
        return parse(f)


@pytest.fixture(scope="module")
def extracted() -> dict[MsgId, list[str]]:
    """What ``pybabel extract`` finds: msgid (a pair for a plural) → where it is used."""
    method_map, options_map = _mapping()
    found: dict[MsgId, list[str]] = defaultdict(list)
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=_keywords()
    ):
        found[message].append(f"{filename}:{lineno}")
    return dict(found)


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def _catalogue(lang: str) -> Catalog:
    return _read(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", lang)


def _ids(catalog: Catalog) -> set[MsgId]:
    return {m.id for m in catalog if m.id}


def _forms(message: object) -> tuple[str, ...]:
    string = message.string  # type: ignore[attr-defined]
    return tuple(string) if isinstance(string, tuple | list) else (string,)


def test_extraction_finds_keys(extracted: dict[MsgId, list[str]]) -> None:
    assert len(extracted) > 900
    assert "plan.title" in extracted and "state.draft" in extracted  # a template, a table
    assert ("submit.unanswered", "submit.unanswered.plural") in extracted  # ngettext
    assert ("cmp.outlier.gap", "cmp.outlier.gap.plural") in extracted  # ntranslate
    assert "js.saving" in extracted  # app.js's texts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_in_use_is_in_the_catalogue_and_nothing_else(
    lang: str, extracted: dict[MsgId, list[str]]
) -> None:
    ids = _ids(_catalogue(lang))
    missing = {key: extracted[key][0] for key in set(extracted) - ids}
    assert not missing, f"keys used but not in {lang}/messages.po (run `make messages`): {missing}"
    stale = sorted(map(str, ids - set(extracted)))
    assert not stale, f"{lang}/messages.po has keys no code uses (run `make messages`): {stale}"


def test_the_template_in_git_is_current(extracted: dict[MsgId, list[str]]) -> None:
    pot = _ids(_read(LOCALE_DIR / "messages.pot"))
    assert pot == set(extracted), (
        "survey/locale/messages.pot is stale (run `make messages`): "
        f"new {sorted(map(str, set(extracted) - pot))}, gone {sorted(map(str, pot - set(extracted)))}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated(lang: str) -> None:
    catalog = _catalogue(lang)
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    untranslated = [
        m.id
        for m in catalog
        if m.id
        and (
            m.fuzzy
            or len(_forms(m)) != (catalog.num_plurals if m.pluralizable else 1)
            or not all(form.strip() for form in _forms(m))
        )
    ]
    assert not untranslated, f"empty or fuzzy translations in {lang}/messages.po: {untranslated}"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_entry_holds_both_languages(lang: str) -> None:
    """A translation is one language's text, not a pair pasted from code ("('Gå till', 'Go to')"
    once showed on the pupils' pages)."""
    pasted = [
        m.id
        for m in _catalogue(lang)
        if m.id
        and any(re.match(r"""^\(['"].*['"], ['"].*['"]\)$""", f.strip(), re.S) for f in _forms(m))
    ]
    assert not pasted, f"translations holding a (sv, en) pair in {lang}/messages.po: {pasted}"


class _Any(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> int:
        return 7


def test_placeholders_agree_between_the_languages() -> None:
    sv, en = _catalogue("sv"), _catalogue("en")
    wrong = []
    for message in sv:
        if not message.id:
            continue
        other = en.get(message.id)
        assert other is not None, message.id
        for index, (a, b) in enumerate(zip(_forms(message), _forms(other), strict=True)):
            for text in (a, b):
                # python-format: only %(name)s and %% (a lone % breaks the formatting)
                assert "%" not in PLACEHOLDER.sub("", text).replace("%%", ""), (message.id, text)
                text % _Any()
            if set(PLACEHOLDER.findall(a)) != set(PLACEHOLDER.findall(b)):
                wrong.append((message.id, index, a, b))
    assert not wrong, f"placeholders differ between sv and en: {wrong}"


# ------------------------------------------------------------- no key is built at run time

KEY_FUNCTIONS = {"_", "gettext", "ngettext", "translate", "ntranslate", "tr", "N_"}
BUILT = (ast.JoinedStr, ast.BinOp, ast.Call)  # f"a.{x}", "a." + x, "a.{}".format(x)


def test_python_names_its_keys() -> None:
    """A key is a literal, or comes from a table of literal keys (N_); never put together."""
    built = []
    for path in sorted((ROOT / "survey").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in KEY_FUNCTIONS
            ):
                keys = node.args[:2] if node.func.id == "ntranslate" else node.args[:1]
                if any(isinstance(arg, BUILT) for arg in keys):
                    built.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not built, f"message keys put together at run time: {built}"


def test_templates_name_their_keys() -> None:
    env = Environment()
    install_jinja(env)
    built = []
    for path in sorted((ROOT / "templates").glob("*.html")):
        tree = env.parse(path.read_text())
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name in KEY_FUNCTIONS:
                keys = call.args[:2] if call.node.name == "ngettext" else call.args[:1]
                for key in keys:
                    literal = isinstance(key, nodes.Const) and isinstance(key.value, str)
                    table = (
                        isinstance(key, nodes.Getitem)
                        and isinstance(key.node, nodes.Getattr)
                        and isinstance(key.node.node, nodes.Name)
                        and key.node.node.name == "labels"
                    )
                    if not (literal or table):
                        built.append(f"{path.name}:{call.lineno}")
    assert not built, f"keys neither literal nor from survey.web.labels: {built}"


# --------------------------------------------------------------------------- the texts


def test_translate_fills_placeholders_and_falls_back_to_the_key() -> None:
    assert translate("form.closes", "sv", date="2026-06-12") == "Sista dag 2026-06-12"
    assert translate("form.closes", "en", date="2026-06-12") == "Deadline 2026-06-12"
    assert translate("sum.ci", "sv") == "95 % KI"  # %% is a percent sign
    assert translate("no.such.key", "en") == "no.such.key"
    one = ntranslate("submit.unanswered", "submit.unanswered.plural", 1, "sv", n=1)
    assert one == "1 påstående är inte besvarat"
    assert ntranslate("cmp.n_units", "cmp.n_units.plural", 1.5, "en", n="1.5") == "1.5 units"


def _unanswered(client: TestClient, engine, n: int) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """An assessment with every item answered but ``n``: its id and the CSRF token."""
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a],
        title="Självvärdering 2026",
    )
    aid = assessments[world.school_a]
    csrf = login(client, "principal-a@example.org")
    answer_all(engine, aid, value=2)
    for item in ("A.01", "A.02", "A.03")[:n]:
        client.post(
            f"/assessments/{aid}/items/{item}",
            data={f"answer-{item}": ""},
            headers={"HX-Request": "true", "X-CSRF-Token": csrf},
        )
    return aid, csrf


def _heading(client: TestClient, url: str) -> str:
    page = BeautifulSoup(client.get(url).text, "html.parser")
    return page.select_one("main h2").get_text(strip=True)


def test_submit_page_in_the_singular(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, _ = _unanswered(client, engine, 1)
    assert _heading(client, f"/assessments/{aid}/submit?lang=sv") == "1 påstående är inte besvarat"
    assert _heading(client, f"/assessments/{aid}/submit?lang=en") == "1 statement is not answered"


def test_submit_page_in_the_plural(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, _ = _unanswered(client, engine, 3)
    assert (
        _heading(client, f"/assessments/{aid}/submit?lang=sv") == "3 påståenden är inte besvarade"
    )
    assert _heading(client, f"/assessments/{aid}/submit?lang=en") == "3 statements are not answered"


def test_numbers_follow_the_language(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, csrf = _unanswered(client, engine, 0)
    client.post(f"/assessments/{aid}/submit", data={"csrf_token": csrf})

    def first_area(lang: str) -> list[str]:
        html = client.get(f"/assessments/{aid}/summary?lang={lang}").text
        row = BeautifulSoup(html, "html.parser").select_one("table.results tbody tr")
        return [td.get_text(" ", strip=True) for td in row.select("td")]

    # every item at level 2 of 4: the score with two decimals, full coverage as a percentage
    assert first_area("sv")[2:4] == ["2,00", "100\u00a0%"]  # decimal comma, sv_SE's space
    assert first_area("en")[2:4] == ["2.00", "100%"]  # decimal point


@pytest.mark.parametrize("lang", LANGUAGES)
def test_app_js_texts_come_from_the_catalogue(client: TestClient, lang: str) -> None:
    response = client.get(f"/?lang={lang}")
    block = BeautifulSoup(response.text, "html.parser").select_one("script#i18n-js")
    assert block is not None and block["type"] == "application/json"  # data, never run
    assert block.string is not None
    assert json.loads(block.string) == js_messages(lang)
    assert "unsafe-inline" not in CSP and "script-src 'self'" in CSP
    assert response.headers["content-security-policy"] == CSP
    app_js = (ROOT / "static" / "app.js").read_text()
    assert "Sparar" not in app_js and "Saving" not in app_js  # no catalogue of its own
