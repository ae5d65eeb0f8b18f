"""Numbers and dates for the reader, in the interface language, by Babel's CLDR data.

Swedish is ``sv_SE``: a decimal comma, a non-breaking space between thousands and before the
percent sign (``1 234,5``, ``12 %``). English numbers are ``en`` (``1,234.5``, ``12%``). A
negative number has the real minus sign (U+2212) in both, as the pages always had (it is also
CLDR's Swedish minus sign); Babel writes an ASCII hyphen. Dates are ``2026-04-10`` and times
``2026-04-10 16:00`` in both languages: the short formats of ``sv_SE`` and of ``en_SE``, English
as written in Sweden (whose numbers, with a decimal comma, are not used).

Values are rounded as Python's ``format`` rounds them (``f"{x:.2f}"``) before Babel formats them,
so a page shows the same digits as before, and an export the same as the page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.numbers import format_percent as babel_percent
from babel.numbers import get_plus_sign_symbol
from jinja2 import pass_context
from jinja2.runtime import Context

NUMBER_LOCALES = {"sv": "sv_SE", "en": "en"}
DATE_LOCALES = {"sv": "sv_SE", "en": "en_SE"}
MINUS = "\u2212"
MISSING = "–"


def _locale(table: dict[str, str], lang: str) -> str:
    return table.get(lang, table["sv"])


def _signed(text: str, rounded: Decimal, locale: str, sign: bool) -> str:
    if rounded < 0:
        return MINUS + text
    if sign and rounded > 0:
        return get_plus_sign_symbol(locale) + text
    return text  # zero (also a value that rounds to zero) has no sign


@cache
def _symbols(locale: str) -> tuple[str, str]:
    """The locale's group and decimal symbols (CLDR, through Babel), read once."""
    loc = Locale.parse(locale)
    return loc.number_symbols["latn"]["group"], loc.number_symbols["latn"]["decimal"]


def format_number(
    value: float | int | None, digits: int = 0, lang: str = "sv", *, sign: bool = False
) -> str:
    """``1,23`` (sv) / ``1.23`` (en) with ``digits`` decimals, ``+`` too with ``sign``; "–" for a
    missing value (None or NaN).

    The same text as Babel's ``format_decimal`` with the pattern ``#,##0.00…`` (groups of three,
    the locale's symbols; tests/web/test_formatting.py compares them), written with Python's own
    formatting: a heat map formats hundreds of numbers, and Babel parses its pattern each time."""
    if value is None or value != value:
        return MISSING
    locale = _locale(NUMBER_LOCALES, lang)
    group, decimal = _symbols(locale)
    text = f"{value:,.{digits}f}"  # rounded as f"{x:.2f}" rounds
    negative = text.startswith("-")
    body = text.lstrip("-")
    body = body.replace(",", "\0").replace(".", decimal).replace("\0", group)
    if not body.strip("0" + decimal + group):  # rounds to zero: no sign
        return body
    if negative:
        return MINUS + body
    return get_plus_sign_symbol(locale) + body if sign else body


def format_percent(share: float | None, lang: str = "sv", digits: int = 0) -> str:
    """A share (0.25) as a percentage, ``25 %`` (sv) / ``25%`` (en); "–" for a missing value."""
    if share is None or share != share:
        return MISSING
    locale = _locale(NUMBER_LOCALES, lang)
    rounded = Decimal(f"{100 * share:.{digits}f}")
    pattern = Locale.parse(locale).percent_formats[None].pattern
    if digits > 0:  # the locale's pattern ("#,##0 %") with the decimals asked for
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    text = babel_percent(abs(rounded) / 100, format=pattern, locale=locale)
    return _signed(text, rounded, locale, False)


def _moment(value: date | datetime | str) -> date | datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def format_date(value: date | datetime | str | None, lang: str = "sv") -> str:
    """``2026-04-10``; the date part of a datetime (or of an ISO string) as it stands."""
    if value is None:
        return MISSING
    moment = _moment(value)
    day = moment.date() if isinstance(moment, datetime) else moment
    return babel_date(day, format="short", locale=_locale(DATE_LOCALES, lang))


def format_datetime(
    value: datetime | str | None, lang: str = "sv", *, tz: tzinfo | None = None
) -> str:
    """``2026-04-10 16:00``: the date and the time of day, in ``tz`` when given (a naive value
    is UTC, as stored)."""
    if value is None:
        return MISSING
    moment = _moment(value)
    assert isinstance(moment, datetime)
    if tz is not None:
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)
    locale = _locale(DATE_LOCALES, lang)
    day = babel_date(moment.date(), format="short", locale=locale)
    return f"{day} {babel_time(moment.time(), format='short', locale=locale)}"


# ----------------------------------------------------------------------------- templates


def _lang(context: Context) -> str:
    lang = context.get("lang")
    return lang if isinstance(lang, str) else "sv"


@pass_context
def _number(context: Context, value: float | None, digits: int = 0, sign: bool = False) -> str:
    return format_number(value, digits, _lang(context), sign=sign)


@pass_context
def _percent(context: Context, share: float | None, digits: int = 0) -> str:
    return format_percent(share, _lang(context), digits)


@pass_context
def _date(context: Context, value: date | datetime | str | None) -> str:
    return format_date(value, _lang(context))


@pass_context
def _datetime(context: Context, value: datetime | str | None) -> str:
    return format_datetime(value, _lang(context))


# In the templates: format_number(x, 2), format_percent(share), format_date(d), format_datetime(t)
TEMPLATE_GLOBALS = {
    "format_number": _number,
    "format_percent": _percent,
    "format_date": _date,
    "format_datetime": _datetime,
}
