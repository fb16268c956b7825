"""JSON API for organisations' own systems: returns by bearer token, and its OpenAPI document."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, request, url_for

from .. import accesslog
from ..errors import DomainError
from ..extensions import db
from ..models import Period, ServiceType, Specialism, Wijk
from ..permissions import API_PREFIX, api_token, public
from . import services
from .figures import CLIENTS_PREFIX, HOURS_PREFIX, NOT_REGISTERED, SCALAR_KEYS, SCALARS
from .models import CITYWIDE_NAME, CountReturn, ReturnStatus
from .werkgebied import span_of, works_in

bp = Blueprint("counts_api", __name__, url_prefix="/api/v1")
SCOPE = "counts.returns"


def _error(status: int, title: str, message: str, errors: list[dict] | None = None, **extra):
    body: dict[str, Any] = {"error": {"status": status, "title": title, "message": message}}
    if errors is not None:
        body["error"]["errors"] = errors
    body["error"].update(extra)
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tellen"'
    return response


def token_required(view: Callable) -> Callable:
    """Answer 401 (JSON) unless a valid, unrevoked bearer token comes with the request."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        token = services.authenticate_token(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return _error(401, "Niet geauthenticeerd",
                          "Stuur een geldige API-sleutel mee: Authorization: Bearer <sleutel>.")
        g.api_token = token
        return view(*args, **kwargs)

    return wrapper


def _actor() -> str:
    return f"API: {g.api_token.organisation.name} (sleutel {g.api_token.prefix}…)"


def return_json(ret: CountReturn) -> dict[str, Any]:
    figures = services.figures_of(ret)
    return {
        "id": ret.id,
        "organisation": ret.organisation.name,
        "wijk": ret.area.name,
        "year": ret.period.year,
        "tertial": ret.period.tertial,
        "status": ret.status.value,
        "deadline": ret.period.deadline.isoformat(),
        "figures": {f.key: (float(figures[f.key]) if f.decimal and figures[f.key] is not None
                            else figures[f.key]) for f in SCALARS},
        "hours": {k.removeprefix(HOURS_PREFIX): v for k, v in figures.items() if k.startswith(HOURS_PREFIX)},
        "clients": {k.removeprefix(CLIENTS_PREFIX): v for k, v in figures.items() if k.startswith(CLIENTS_PREFIX)},
        "not_registered": sorted(ret.not_registered or []),
        "explanation": ret.explanation,
        "return_reason": ret.return_reason,
        "url": url_for("counts_api.get_return", return_id=ret.id, _external=False),
    }


@bp.route("/returns", methods=["GET"])
@api_token(SCOPE)
@token_required
def list_returns():
    """The organisation's returns, optionally filtered by year, tertial, wijk and status."""
    org = g.api_token.organisation
    query = sa.select(CountReturn).join(Period).outerjoin(Wijk).where(CountReturn.organisation_id == org.id)
    errors = []
    year, tertial = request.args.get("year"), request.args.get("tertial")
    if year is not None:
        if not year.isascii() or not year.isdigit() or len(year) > 4:
            errors.append({"field": "year", "message": "Moet een geheel getal zijn (hoogstens 4 cijfers)."})
        else:
            query = query.where(Period.year == int(year))
    if tertial is not None:
        if tertial not in ("1", "2", "3"):
            errors.append({"field": "tertial", "message": "Moet 1, 2 of 3 zijn."})
        else:
            query = query.where(Period.tertial == int(tertial))
    if request.args.get("wijk"):
        wanted = request.args["wijk"].strip().lower()
        query = query.where(CountReturn.wijk_id.is_(None) if wanted == CITYWIDE_NAME.lower()
                            else sa.func.lower(Wijk.name) == wanted)
    status = request.args.get("status")
    if status is not None:
        if status not in {s.value for s in ReturnStatus}:
            errors.append({"field": "status", "message": "Onbekende status."})
        else:
            query = query.where(CountReturn.status == ReturnStatus(status))
    if errors:
        return _error(400, "Ongeldig verzoek", "De filters zijn ongeldig.", errors)
    rets = db.session.scalars(query.order_by(Period.year, Period.tertial, Wijk.name)).all()
    return jsonify({"returns": [return_json(r) for r in rets]})


@bp.route("/returns/<int:return_id>", methods=["GET"])
@api_token(SCOPE)
@token_required
def get_return(return_id: int):
    """One return of the organisation."""
    ret = db.session.get(CountReturn, return_id)
    if ret is None or ret.organisation_id != g.api_token.organisation_id:
        return _error(404, "Niet gevonden", "Deze opgave bestaat niet of is niet van uw organisatie.")
    return jsonify(return_json(ret))


def _figures_from_body(body: dict[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    raw: dict[str, Any] = {}
    errors = []
    for name, prefix in (("figures", ""), ("hours", HOURS_PREFIX), ("clients", CLIENTS_PREFIX)):
        part = body.get(name, {})
        if not isinstance(part, dict):
            errors.append({"field": name, "message": "Moet een object zijn."})
            continue
        for key, value in part.items():
            if name == "figures" and key not in SCALAR_KEYS:
                errors.append({"field": f"figures.{key}", "message": "Onbekend veld."})
                continue
            if isinstance(value, bool) or (value is not None and not isinstance(value, int | float)):
                errors.append({"field": f"{name}.{key}", "message": "Moet een getal (of null) zijn."})
                continue
            raw[prefix + str(key)] = value
    unregistered = body.get("not_registered", [])
    if not isinstance(unregistered, list) or any(k not in SCALAR_KEYS for k in unregistered):
        errors.append({"field": "not_registered", "message": "Moet een lijst met namen uit figures zijn."})
    else:
        for key in unregistered:  # "niet geregistreerd": not kept by the organisation (not 0)
            if raw.get(key) is not None:
                errors.append({"field": f"figures.{key}", "message": "Een getal én 'niet geregistreerd' kan niet."})
            raw[key] = NOT_REGISTERED
    return raw, errors


def _field_name(key: str) -> str:
    if key.startswith(HOURS_PREFIX):
        return "hours." + key.removeprefix(HOURS_PREFIX)
    if key.startswith(CLIENTS_PREFIX):
        return "clients." + key.removeprefix(CLIENTS_PREFIX)
    if key == "explanation":
        return "explanation"
    return "figures." + key


@bp.route("/returns", methods=["POST"])
@api_token(SCOPE)
@token_required
def post_return():
    """Create or update the organisation's return for a wijk and period (and submit it)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "Ongeldig verzoek", "Stuur een JSON-object (Content-Type: application/json).")
    errors = []
    unknown = set(body) - set(REQUEST_PROPERTIES)
    errors += [{"field": k, "message": "Onbekend veld."} for k in sorted(unknown)]
    year, tertial, wijk_name = body.get("year"), body.get("tertial"), body.get("wijk")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2200:
        errors.append({"field": "year", "message": "Verplicht: het jaar als geheel getal (bijvoorbeeld 2025)."})
    if tertial not in (1, 2, 3) or isinstance(tertial, bool):
        errors.append({"field": "tertial", "message": "Verplicht: 1, 2 of 3."})
    if not isinstance(wijk_name, str) or not wijk_name.strip():
        errors.append({"field": "wijk", "message": "Verplicht: de naam van de wijk."})
    submit = body.get("submit", False)
    if not isinstance(submit, bool):
        errors.append({"field": "submit", "message": "Moet true of false zijn."})
    explanation = body.get("explanation", "")
    if not isinstance(explanation, str) or len(explanation) > 5000:
        errors.append({"field": "explanation", "message": "Moet tekst zijn (hoogstens 5000 tekens)."})
        explanation = ""
    raw, figure_errors = _figures_from_body(body)
    errors += figure_errors
    if errors:
        return _error(422, "Ongeldige opgave", "De opgave is niet opgeslagen.", errors)
    period = db.session.scalar(sa.select(Period).where(Period.year == year, Period.tertial == tertial))
    citywide = wijk_name.strip().lower() == CITYWIDE_NAME.lower()
    wijk = None if citywide else db.session.scalar(
        sa.select(Wijk).where(sa.func.lower(Wijk.name) == wijk_name.strip().lower()))
    if period is None:
        errors.append({"field": "year", "message": f"Er is geen periode {year} tertiaal {tertial}."})
    if wijk is None and not citywide:
        errors.append({"field": "wijk", "message": f"Onbekende wijk: {wijk_name}."})
    if errors:
        return _error(422, "Ongeldige opgave", "De opgave is niet opgeslagen.", errors)
    organisation = g.api_token.organisation
    wijk_id = wijk.id if wijk is not None else None
    existed = services.find_return(organisation.id, wijk_id, period.id) is not None
    if not works_in(organisation, wijk_id, period):
        where = f"in wijk {wijk.name}" if wijk is not None else "stedelijk"
        span = span_of(organisation, wijk_id)
        message = (f"Uw organisatie werkt niet {where} in {period.covers}"
                   + (f" (werkgebied: {span})" if span else "")
                   + ": deze opgave kan niet via deze API-sleutel worden aangeleverd. Klopt het "
                   "werkgebied niet, neem dan contact op met de gemeente.")
        token_key, label = f"token:{g.api_token.id}", _actor()
        accesslog.record_refusal(permission=API_PREFIX + SCOPE, obj=wijk or organisation, actor_key=token_key,
                                 actor_label=label, reason="buiten het werkgebied")
        return _error(403, "Geen toegang", message, [{"field": "wijk", "message": message}])
    try:
        ret, checked = services.save_return(g.api_token.organisation, wijk, period, raw,
                                            explanation=explanation, submit=submit, actor_label=_actor())
    except services.ValidationFailed as err:
        db.session.rollback()
        return _error(422, "Ongeldige opgave", err.message,
                      [{"field": _field_name(k), "message": m} for k, m in err.checked.errors.items()],
                      warnings=[{"field": _field_name(k), "message": m} for k, m in err.checked.warnings.items()])
    except DomainError as err:
        db.session.rollback()
        return _error(409, "Niet toegestaan", err.message)
    body = return_json(ret)
    body["warnings"] = [{"field": _field_name(k), "message": m} for k, m in checked.warnings.items()]
    response = jsonify(body)
    response.status_code = 200 if existed else 201
    response.headers["Location"] = body["url"]
    return response


# --- the OpenAPI document ------------------------------------------------------------

REQUEST_PROPERTIES = ("year", "tertial", "wijk", "figures", "hours", "clients", "not_registered", "explanation",
                      "submit")


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3 description of the endpoints above, built from the same figure definitions."""
    specs = list(db.session.scalars(sa.select(Specialism).order_by(Specialism.position)))
    types = list(db.session.scalars(sa.select(ServiceType).order_by(ServiceType.position)))
    count = {"type": ["integer", "null"], "minimum": 0}
    first_year, last_year = db.session.execute(sa.select(sa.func.min(Period.year), sa.func.max(Period.year))).one()
    first_year, last_year = first_year or 1900, last_year or 2200
    figure_props = {f.key: ({"type": ["number", "null"], "minimum": 0, "multipleOf": 0.01} if f.decimal
                            else dict(count)) | {"description": f.label + (" (alleen tertiaal 3)" if f.december_only else "")}
                    for f in SCALARS}
    error = {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "status": {"type": "integer"}, "title": {"type": "string"}, "message": {"type": "string"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldMessage"}},
        "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/FieldMessage"}}},
        "required": ["status", "title", "message"]}}}
    json_error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    example = {"year": 2025, "tertial": 1, "wijk": "Oost",
               "figures": {"volunteers": 12, "meldingen": 20, "meldingen_sociaal_plein": 6, "closed_total": 10,
                           "closed_within_six_months": 8, "closed_contact_moments": 90, "closed_hours": 60,
                           "fte": 1.5},
               "hours": {specs[0].code: 600} if specs else {},
               "clients": {types[0].code: 30} if types else {},
               "explanation": "", "submit": True}
    return_schema = {"type": "object", "properties": {
        "id": {"type": "integer"}, "organisation": {"type": "string"}, "wijk": {"type": "string"},
        "year": {"type": "integer"}, "tertial": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in ReturnStatus]},
        "deadline": {"type": "string", "format": "date"},
        "figures": {"type": "object", "properties": figure_props},
        "hours": {"type": "object", "additionalProperties": {"type": "integer"}},
        "clients": {"type": "object", "additionalProperties": {"type": "integer"}},
        "not_registered": {"type": "array", "items": {"type": "string", "enum": list(SCALAR_KEYS)}},
        "explanation": {"type": "string"}, "return_reason": {"type": "string"}, "url": {"type": "string"},
        "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/FieldMessage"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tellen & Vertellen: opgaven-API", "version": "1.0.0",
                 "description": "Opgaven (uren, cliënten, meldingen, trajecten) per wijk en tertiaal, met "
                                "dezelfde controles en dezelfde werkstroom als het formulier. Regels: "
                                "waarvan-via-Sociaal-Plein ≤ meldingen; binnen-zes-maanden ≤ afgesloten; "
                                "uren ≤ FTE × 40 × weken van het tertiaal; bij indienen moeten alle cijfers "
                                "zijn ingevuld en moeten waarschuwingen zijn toegelicht (explanation)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/returns": {
                "get": {"operationId": "listReturns", "summary": "Opgaven van de eigen organisatie",
                        "parameters": [
                            {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 9999}},
                            {"name": "tertial", "in": "query", "schema": {"type": "integer", "enum": [1, 2, 3]}},
                            {"name": "wijk", "in": "query", "schema": {"type": "string"}},
                            {"name": "status", "in": "query", "schema": {"type": "string", "enum": [s.value for s in ReturnStatus]}}],
                        "responses": {"200": {"description": "De opgaven", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"returns": {"type": "array", "items": {"$ref": "#/components/schemas/Return"}}}}}}},
                            "400": {"description": "Ongeldige filters"} | json_error,
                            "401": {"description": "Geen geldige API-sleutel"} | json_error}},
                "post": {"operationId": "saveReturn",
                         "summary": "Opgave aanmaken of bijwerken (en indienen met submit: true)",
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"$ref": "#/components/schemas/ReturnInput"}, "example": example}}},
                         "responses": {"201": {"description": "Aangemaakt", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Return"}}}},
                                       "200": {"description": "Bijgewerkt", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Return"}}}},
                                       "400": {"description": "Geen JSON-object"} | json_error,
                                       "401": {"description": "Geen geldige API-sleutel"} | json_error,
                                       "403": {"description": "De wijk ligt buiten het werkgebied van de organisatie"} | json_error,
                                       "409": {"description": "Opgave niet (meer) te wijzigen"} | json_error,
                                       "422": {"description": "Fouten per veld; niets opgeslagen"} | json_error}},
            },
            "/returns/{return_id}": {
                "get": {"operationId": "getReturn", "summary": "Eén opgave",
                        "parameters": [{"name": "return_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                        "responses": {"200": {"description": "De opgave", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Return"}}}},
                                      "401": {"description": "Geen geldige API-sleutel"} | json_error,
                                      "404": {"description": "Niet gevonden"} | json_error}},
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Een API-sleutel van de organisatie (aan te maken door de gemeente)."}},
            "schemas": {
                "FieldMessage": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                                 "required": ["field", "message"]},
                "Error": error,
                "Return": return_schema,
                "ReturnInput": {
                    "type": "object", "additionalProperties": False,
                    "required": ["year", "tertial", "wijk"],
                    "properties": {
                        "year": {"type": "integer", "minimum": first_year, "maximum": last_year,
                                 "description": "Een jaar waarvoor perioden bestaan"},
                        "tertial": {"type": "integer", "enum": [1, 2, 3]},
                        "wijk": {"type": "string", "description": "Naam van de wijk, of Stedelijk voor de stedelijke opgave", "enum": [w.name for w in db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name))] + [CITYWIDE_NAME]},
                        "figures": {"type": "object", "additionalProperties": False, "properties": figure_props},
                        "hours": {"type": "object", "additionalProperties": False,
                                  "properties": {s.code: dict(count) | {"description": f"Uren {s.name}"} for s in specs}},
                        "clients": {"type": "object", "additionalProperties": False,
                                    "properties": {s.code: dict(count) | {"description": f"Cliënten {s.name}"} for s in types}},
                        "not_registered": {"type": "array", "items": {"type": "string", "enum": list(SCALAR_KEYS)}} | {
                            "description": "Cijfers die de organisatie niet registreert (onbekend, niet 0); laat ze weg uit figures"},
                        "explanation": {"type": "string", "maxLength": 5000},
                        "submit": {"type": "boolean", "default": False},
                    },
                },
            },
        },
    }


@bp.route("/openapi.json")
@public
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(openapi_document())

