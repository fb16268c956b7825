"""Dutch error pages and the domain exceptions services raise."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from .logscrub import scrub
from .storage import StorageError

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain was broken; the message is Dutch and shown to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The action is not allowed in the object's current state."""


ERROR_TEXTS = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt. Controleer wat u invulde en probeer het opnieuw."),
    401: ("Niet ingelogd", "U moet inloggen om deze pagina te zien."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina. Denkt u dat dit niet klopt? Neem contact op met de beheerder."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres of ga terug naar de startpagina."),
    405: ("Niet toegestaan", "Deze handeling is op deze pagina niet mogelijk."),
    409: ("Tegelijk gewijzigd", "Iemand anders heeft net hetzelfde opgeslagen. Er is niets dubbel vastgelegd. Laad de pagina opnieuw en controleer of uw wijziging nog nodig is."),
    410: ("Verwijderd", "Wat hier stond is verwijderd en komt niet meer terug. Het adres wordt ook nooit voor iets anders gebruikt."),
    413: ("Bestand te groot", "Wat u verstuurde is groter dan toegestaan. Verklein het bestand (bijvoorbeeld de foto) en probeer het opnieuw."),
    429: ("Te veel pogingen", "U heeft het te vaak geprobeerd. Wacht even en probeer het daarna opnieuw."),
    503: ("Tijdelijk niet beschikbaar", "Een onderdeel van de website is nu niet bereikbaar. Er is niets verloren gegaan; probeer het over een paar minuten opnieuw."),
    500: ("Er ging iets mis", "Er ging aan onze kant iets mis. Uw gegevens zijn niet verloren gegaan; probeer het later opnieuw. Blijft het misgaan, meld het dan bij de beheerder."),
}


def wants_json() -> bool:
    """API clients get JSON errors; browsers get a page."""
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def render_error(code: int, message: str | None = None):
    """Render the Dutch error page (or JSON) for ``code``."""
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if message:
        text = message
    if wants_json():
        return jsonify({"error": {"status": code, "title": title, "message": text}}), code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def register_error_handlers(app: Flask) -> None:
    """Every HTTP error and every uncaught exception gets a Dutch page, never a trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            "Het formulier is verlopen of ongeldig (beveiligingscode ontbreekt). "
            "Ga terug, laad de pagina opnieuw en verstuur het nog eens.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 500:
            return render_error(500)
        message = None
        if code in {400, 403, 404} and getattr(error, "dutch_message", None):
            message = error.dutch_message
        return render_error(code, message)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(error: Exception):
        # A number the database cannot hold came in: bad input, not a server fault. The
        # forms and views validate ranges; this is the net under them (logged to fix).
        logger.warning("Out-of-range value reached the database on %s %s: %s",
                       request.method, scrub(request.path), error)
        _rollback()
        return render_error(400, "Een van de ingevulde getallen is te groot of ongeldig. "
                                 "Controleer de getallen en probeer het opnieuw.")

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError):
        # Two people saving the same thing at the same moment: the database's unique
        # rules keep one; the other gets a clear message instead of an error page.
        logger.warning("Integrity conflict on %s %s: %s", request.method, scrub(request.path), error.orig)
        _rollback()
        return render_error(409)

    @app.errorhandler(StorageError)
    def storage_unavailable(error: StorageError):
        # The file store (a disk or an object store) failed; its message is Dutch.
        logger.warning("File store failed on %s %s: %r", request.method, scrub(request.path),
                       error.__cause__ or error)
        _rollback()
        return render_error(503, str(error) or None)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
            return http_error(error)
        logger.exception("Unhandled error on %s %s", request.method, scrub(request.path))
        _rollback()
        return render_error(500)


def _rollback() -> None:
    try:
        from .extensions import db

        db.session.rollback()
    except Exception:  # pragma: no cover - the database itself may be down
        logger.exception("Rollback after error failed")
