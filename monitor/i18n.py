"""Languages of the public pages (Flask-Babel): the reader's choice, the catalogues, ``dir``.

Only views marked :func:`translated` (the front door, the archive, the public form, the
accessibility and privacy statements) follow the reader's language; every other page,
and so every staff page, stays Dutch whatever the reader chose. The choice comes from
``?lang=`` (then kept in a cookie for a year), else the cookie, else the browser's
Accept-Language as a first guess, else Dutch. Dutch is the source language: the
templates hold the Dutch text, the catalogues in ``monitor/translations`` the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode

from babel.dates import format_date as babel_date
from babel.dates import get_month_names
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, gettext
from werkzeug.exceptions import BadRequest

from .timeutil import format_date, local

SOURCE = "nl"
COOKIE = "taal"
COOKIE_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).parent / "translations"


@dataclass(frozen=True)
class Language:
    """A language of the public pages, named in its own words (for the switch)."""

    code: str
    name: str  # in the language itself
    dutch: str  # its Dutch name (the archive's facet, the moderator's page)
    rtl: bool = False


LANGUAGES = (
    Language("nl", "Nederlands", "Nederlands"),
    Language("en", "English", "Engels"),
    Language("tr", "Türkçe", "Turks"),
    Language("ar", "العربية", "Arabisch", rtl=True),
)
BY_CODE = {lang.code: lang for lang in LANGUAGES}
CODES = tuple(BY_CODE)

babel = Babel()


def N_(message: str) -> str:
    """Mark a Dutch message for the catalogues without translating it here (a service's
    :class:`~monitor.errors.DomainError`: the page that shows it translates it)."""
    return message


def translated(view: Callable) -> Callable:
    """Mark a view whose page follows the reader's language (the others stay Dutch)."""
    view.translated = True  # type: ignore[attr-defined]
    return view


def _is_translated_page() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "translated", False))


def _asked() -> str:
    """The ``?lang=`` of the request ('' when absent or when the query is not decodable:
    the error page for such a request must not fail on it again)."""
    try:
        return (request.args.get("lang") or "").strip().lower()
    except (UnicodeDecodeError, BadRequest):
        return ""


def chosen_language() -> str:
    """The reader's language: ``?lang=``, the cookie, Accept-Language, Dutch."""
    asked = _asked()
    if asked in BY_CODE:
        return asked
    kept = (request.cookies.get(COOKIE) or "").strip().lower()
    if kept in BY_CODE:
        return kept
    return request.accept_languages.best_match(CODES, default=SOURCE) or SOURCE


def select_locale() -> str:
    """Flask-Babel's locale selector: the reader's language on translated pages only."""
    if not has_request_context() or not _is_translated_page():
        return SOURCE
    return chosen_language()


def page_language() -> Language:
    """The language the current page is shown in."""
    try:
        code = str(get_locale() or SOURCE)
    except RuntimeError:  # outside a request (mail, PDF): Dutch
        code = SOURCE
    return BY_CODE.get(code.split("_")[0], BY_CODE[SOURCE])


def language_of(code: str | None) -> Language:
    """The language of a story (Dutch when it has none): its captions track is labelled so."""
    return BY_CODE.get(code or "", BY_CODE[SOURCE])


def language_label(code: str | None) -> str:
    """The Dutch name of a story's language (``—`` when unknown)."""
    lang = BY_CODE.get(code or "")
    return lang.dutch if lang else (code or "—")


def translate_label(text: str | None) -> str:
    """A fixed Dutch label in the page's language: an enum's label or a seeded catalogue
    name marked with :func:`N_` is translated, anything else (a name someone typed) is
    shown as it is. Plain text, so the template escapes it (the ``vertaald`` filter)."""
    return gettext(text) if text else (text or "")


def shown_date(value: date | datetime | None) -> str:
    """A date in the page's language (the ``datum`` filter): ``3 mei 2026``, ``May 3, 2026``."""
    code = page_language().code
    if value is None or code == SOURCE:
        return format_date(value)
    if isinstance(value, datetime):
        value = local(value)
    return babel_date(value, "long", locale=code)


def shown_datetime(value: datetime | None) -> str:
    """A stored timestamp in local time, in the page's language (the ``datumtijd`` filter)."""
    if value is None:
        return format_date(value)
    moment = local(value)
    return f"{shown_date(moment.date())}, {moment:%H:%M}"


def shown_tertial(day: date) -> str:
    """The tertial ``day`` falls in, with the month names of the page's language:
    ``januari–april 2026``, ``January–April 2026``."""
    from .models import TERTIAL_MONTHS

    first, last = TERTIAL_MONTHS[(day.month - 1) // 4 + 1]
    names = get_month_names("wide", locale=page_language().code)
    return f"{names[first]}–{names[last]} {day.year}"


def in_language(code: str | None):
    """A context manager: what is rendered inside it (a resident's mail) is in language
    ``code`` (Dutch when unknown), whatever the page around it."""
    return force_locale(code if code in BY_CODE else SOURCE)


def switch_url(code: str) -> str:
    """This page in language ``code``: the same path and query, ``lang`` replaced."""
    try:
        args = request.args.to_dict(flat=False)
    except (UnicodeDecodeError, BadRequest):
        args = {}
    args["lang"] = [code]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def _remember(response):
    """Keep a language asked for with ``?lang=`` in a cookie; a translated page varies
    with the cookie and Accept-Language (for caches)."""
    asked = _asked()
    if asked in BY_CODE and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    if _is_translated_page():
        response.vary.update(("Cookie", "Accept-Language"))
    return response


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector; expose the language to templates."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SOURCE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember)
    # A global (not only the context) so imported macros, which get no context, see it.
    app.jinja_env.globals["page_language"] = page_language
    app.jinja_env.globals["language_of"] = language_of
    app.jinja_env.filters["vertaald"] = translate_label
    app.jinja_env.filters["tertiaal"] = shown_tertial

    @app.context_processor
    def inject_language() -> dict:
        lang = page_language()
        return {"page_lang": lang, "languages": LANGUAGES, "language_switch_url": switch_url,
                "language_label": language_label,
                "translated_page": has_request_context() and _is_translated_page()}
