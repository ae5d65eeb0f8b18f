"""Interface texts in Swedish (default) and English. Questionnaire texts carry their own languages.

One gettext catalogue, edited with Babel: the dotted keys (``plan.title``) are the msgids and both
languages are translations, ``survey/locale/<lang>/LC_MESSAGES/messages.po`` (``make messages``
extracts the keys in use into ``survey/locale/messages.pot`` and updates both files). Placeholders
are ``%(name)s``; a literal percent sign is ``%%``. The ``.po`` files are read when this module is
imported, so there is no compiled file to keep in step.

Code names every key with a literal, so extraction finds them all: ``translate("plan.title",
lang)``, ``ntranslate("submit.unanswered", "submit.unanswered.plural", n, lang, n=n)``, and
``N_("state.draft")`` where keys sit in a table. Templates use ``_("key", name=value)`` and
``ngettext(...)`` (``jinja2.ext.i18n``, set up by :func:`install_jinja`).
"""

from __future__ import annotations

import io
import math
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import escape

from survey.web import formatting

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"


def N_(key: str) -> str:
    """Mark a key for extraction where it sits in a table; the text is looked up later."""
    return key


@cache
def catalogue(lang: str) -> Translations:
    """The translations of ``lang`` read from its ``.po`` file; a message missing in English
    falls back to Swedish (as the texts always have), one missing in both shows its key."""
    if lang not in LANGUAGES:
        return catalogue(DEFAULT_LANGUAGE)
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        po = read_po(f, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    translations = Translations(buffer, domain=DOMAIN)
    if lang != DEFAULT_LANGUAGE:
        translations.add_fallback(catalogue(DEFAULT_LANGUAGE))
    return translations


def _text(key: str, lang: str) -> str:
    if not key:  # an undefined key in a template: never the catalogue's header (msgid "")
        return ""
    return catalogue(lang).gettext(str(key))


def _count(n: float) -> int:
    """gettext picks the form by an integer; a fraction takes the plural ("1,5 nivåer")."""
    if isinstance(n, int):
        return n
    try:
        number = float(n)
    except (TypeError, ValueError):  # no number ("–"): the general form
        return 2
    return int(number) if number.is_integer() else max(2, math.ceil(number))


def _ntext(singular_key: str, plural_key: str, n: float, lang: str) -> str:
    return catalogue(lang).ngettext(str(singular_key), str(plural_key), _count(n))


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang``; ``%(name)s`` placeholders are filled from ``values``."""
    return _text(key, lang) % values


def ntranslate(singular_key: str, plural_key: str, n: float, lang: str, /, **values: object) -> str:
    """The singular or plural text for the count ``n`` in ``lang``, placeholders filled from
    ``values`` (pass the count too, by the name the message uses: ``n=n``)."""
    return _ntext(singular_key, plural_key, n, lang) % values


# --------------------------------------------------------------------------------- templates


def _lang(context: Context) -> str:
    lang = context.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _safe(context: Context, text: str) -> str:
    # The texts are plain text, escaped like any other value; jinja2's newstyle gettext then
    # escapes the placeholder values as it fills them in.
    return escape(text) if context.eval_ctx.autoescape else text


@pass_context
def _gettext(context: Context, key: str) -> str:
    return _safe(context, _text(key, _lang(context)))


@pass_context
def _ngettext(context: Context, singular_key: str, plural_key: str, n: float) -> str:
    return _safe(context, _ntext(singular_key, plural_key, n, _lang(context)))


# The texts static/app.js shows (a save under way or failed, leaving with unsaved answers), by the
# name app.js uses. base.html hands them over as JSON (#i18n-js): one catalogue for both.
JS_MESSAGES = {
    "saving": N_("js.saving"),
    "retry": N_("js.retry"),
    "leave": N_("js.leave"),
}


def js_messages(lang: str) -> dict[str, str]:
    """The texts of static/app.js in ``lang``, unformatted: app.js fills in ``%(name)s``."""
    return {name: _text(key, lang) for name, key in JS_MESSAGES.items()}


@pass_context
def _js_messages(context: Context) -> dict[str, str]:
    return js_messages(_lang(context))


def install_jinja(env: Environment) -> None:
    """``_``, ``gettext`` and ``ngettext`` for the templates, in the language of the context's
    ``lang`` (autoescaping stays as for any other value), the tables of keys as ``labels`` and
    app.js's texts as ``js_messages()``, and number and date formatting (survey.web.formatting)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    from survey.web import labels  # the tables of keys import N_ from here

    env.globals["labels"] = labels
    env.globals["js_messages"] = _js_messages
    env.globals.update(formatting.TEMPLATE_GLOBALS)
    from survey.web import scopes

    env.globals.update(scopes.TEMPLATE_GLOBALS)


for _language in LANGUAGES:  # read at start-up: a broken catalogue fails at once
    catalogue(_language)
