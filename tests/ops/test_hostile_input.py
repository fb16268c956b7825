"""Hostile input on every route: no 500, always a Dutch page (or JSON), never a trace.

For every rule in the URL map that takes GET or POST, as every role allowed to use it
(and anonymously for public routes), the test sends generated values built from what
the page really has: the names of its form fields (parsed from the GET page), the
query keys its links and its view's source use, plus random extra fields. Values are
long strings, control characters, NUL bytes, RTL and combining marks, emoji,
non-characters, invalid UTF-8, wrong types, missing and repeated fields, negative and
huge numbers, malformed dates, JSON of every shape and broken JSON.

Two passes per route: a deterministic sweep of every edge value into every known
field (as one role that may use the route), then Hypothesis examples for each role.
``MONITOR_FUZZ_EXAMPLES`` (default 6) sets the examples per route and role for
longer local runs; ``MONITOR_FUZZ_RANDOM=1`` draws new examples on every run instead of
the fixed, reproducible ones.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from monitor import permissions
from monitor.extensions import db
from monitor.models import Role, User

from ..conftest import PASSWORD, login

EXAMPLES = int(os.environ.get("MONITOR_FUZZ_EXAMPLES", "6"))
RANDOM = os.environ.get("MONITOR_FUZZ_RANDOM", "") == "1"

EDGE_VALUES = [
    "", " ", "\x00", "a\x00b", "\r\n\r\n", "\t\x0b\x0c", "\x1b[2J", "\x7f\x80\x9f",
    "\u202eevil\u202c", "שלום עולם", "مرحبا ١٢٣", "e\u0301\u0302\u0303\u0304" * 30,
    "Z̷̢͓a̶l̷g̸o̵", "👩‍👩‍👧‍👦🏳️‍🌈", "\ufeff\u200b\u200d", "\ufffe\uffff\U0010ffff", "\ud7ff\ue000",
    "' OR '1'='1' --", "<script>alert(1)</script>", "{{7*7}}{% raw %}", "../../../../etc/passwd",
    "%00%2e%2e%2f", "-1", "0", "-0", "1e309", "NaN", "-Infinity", "-99999999999999999999999",
    "9" * 400, "0x1F", "1,5", "١٢٣", "²", "⅕", "٣", "2026-02-30", "30-02-2026", "9999-12-31",
    "0001-01-01", "10000-01-01", "2026-13-45", "true", "null", "[]", "{}", "None",
    "x" * 5000, "é" * 3000,
]
INVALID_UTF8 = [b"%ff%fe", b"%ed%a0%80", b"%c0%af", b"%80", b"%f4%90%80%80", b"%", b"%zz"]
INT_ARGS = [1, 2, 3, 999999, 2**31, 2**63 + 1]
NOT_DUTCH = ("Traceback", "Internal Server Error", "Bad Request", "Method Not Allowed",
             "The browser (or proxy)", "Not a valid", "Invalid Choice", "This field is required",
             "Invalid input", "Field must be", "Invalid email", "werkzeug.", "sqlalchemy.")
SIGNED_OUT = ("/account/inloggen",)
_ARG = re.compile(r"<(?:(?P<conv>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
_SOURCE_KEYS = re.compile(
    r"request\.(?:args|form|values|files)(?:\.get(?:list)?\(|\[)\s*[\"']([^\"']+)[\"']")


# --- what each route has ------------------------------------------------------------------

@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> valid values seen
    files: set[str] = field(default_factory=set)


class FormParser(HTMLParser):
    """Collect forms, their field names, option values, and the query keys of links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("method", "get").lower(), a.get("action", "")))
        elif tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        elif tag in ("input", "select", "textarea", "button") and self.forms and a.get("name"):
            form, name = self.forms[-1], a["name"]
            values = form.fields.setdefault(name, [])
            if tag == "input" and a.get("type") == "file":
                form.files.add(name)
            elif "value" in a:
                values.append(a["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select and self.forms:
            self.forms[-1].fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


@dataclass
class Route:
    endpoint: str
    method: str
    rule: object
    query_keys: set[str] = field(default_factory=set)
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def _source_keys(app, endpoint: str) -> set[str]:
    try:
        return set(_SOURCE_KEYS.findall(inspect.getsource(app.view_functions[endpoint])))
    except (OSError, TypeError):
        return set()


def concrete_url(rule, pick=lambda options: options[0]) -> str:
    def sub(match: re.Match) -> str:
        conv, args = match.group("conv") or "default", match.group("args") or ""
        if conv == "int":
            return str(pick(INT_ARGS))
        if conv == "any":
            return pick([x.strip().strip("'\"") for x in args.split(",")])
        if conv == "uuid":
            return "00000000-0000-4000-8000-000000000000"
        return quote(pick(["onbekend-token", *EDGE_VALUES[1:20]]), safe="")
    return _ARG.sub(sub, rule.rule)


def discover(app, client, rules) -> list[Route]:
    """Routes with the fields their pages and views really use."""
    routes = []
    for rule in rules:
        keys = _source_keys(app, rule.endpoint)
        page = client.get(concrete_url(rule)) if "GET" in rule.methods else None
        parser = FormParser()
        if page is not None and page.mimetype == "text/html":
            parser.feed(page.get_data(as_text=True))
        path = concrete_url(rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            route = Route(rule.endpoint, method, rule, query_keys=set(keys))
            for form in parser.forms:
                target = urlsplit(form.action).path or path
                if target != path:
                    continue  # e.g. the sign-out form in the page header
                if form.method == "post" and method == "POST":
                    for name, values in form.fields.items():
                        route.fields.setdefault(name, []).extend(values)
                    route.files |= form.files
                elif form.method == "get":
                    route.query_keys |= set(form.fields)
            for href in parser.links:
                parts = urlsplit(href)
                if parts.path in ("", path):
                    route.query_keys |= {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
            if method == "POST":
                route.fields.update({k: [] for k in keys if k not in route.fields})
            routes.append(route)
    return routes


def roles_for(app, endpoint: str) -> list[Role | None]:
    """Who may use the endpoint: its roles, or anonymous (None) for public ones."""
    name = permissions.endpoint_permission(app, endpoint)
    if name == permissions.PUBLIC:
        return [None]
    perm = permissions.get(name)
    return sorted(perm.roles, key=list(Role).index) if perm else []


def fuzz_rules(app):
    return [r for r in app.url_map.iter_rules()
            if r.endpoint != "static" and r.methods & {"GET", "POST"}]


# --- generated values -----------------------------------------------------------------------

text_values = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Co", "Mn", "Zl", "Zp"]), max_size=30),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
    st.dates().map(lambda d: d.isoformat()),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats() | text_values,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text_values, children, max_size=4),
    max_leaves=12,
)


@st.composite
def form_data(draw, route: Route) -> MultiDict:
    data = MultiDict()
    for name, valid in route.fields.items():
        choice = draw(st.sampled_from(["omit", "one", "one", "valid", "repeat"]))
        if choice == "omit":
            continue
        if choice == "valid" and valid:
            data.add(name, draw(st.sampled_from(valid)))
            continue
        for _ in range(draw(st.integers(2, 3)) if choice == "repeat" else 1):
            data.add(name, draw(text_values))
    for _ in range(draw(st.integers(0, 3))):
        data.add(draw(st.sampled_from(["id", "role", "__proto__", "csrf_token", "x" * 300]) | text_values),
                 draw(text_values))
    return data


@st.composite
def requests(draw, route: Route) -> dict:
    """Keyword arguments for ``client.open`` (method, query string, body)."""
    query = MultiDict()
    for key in sorted(route.query_keys):
        if draw(st.booleans()):
            query.add(key, draw(text_values))
    kwargs: dict = {"method": route.method, "query_string": query}
    if draw(st.integers(0, 9)) == 0:
        kwargs["query_string"] = b"&".join(
            [draw(st.sampled_from(sorted(route.query_keys) or ["q"])).encode() + b"="
             + draw(st.sampled_from(INVALID_UTF8))] + [b"a=%00", b"=", b"&&", b"b"]).decode("ascii")
    if route.method != "POST":
        return kwargs
    kind = draw(st.sampled_from(["form", "form", "form", "multipart", "raw", "json", "badjson"]))
    if kind == "form":
        kwargs["data"] = draw(form_data(route))
    elif kind == "multipart":
        data = draw(form_data(route))
        for name in sorted(route.files) or ["bestand"]:
            data.add(name, (io.BytesIO(draw(st.binary(max_size=2000))),
                            draw(st.sampled_from(["../../x.php", "\x00.jpg", "a" * 300 + ".png",
                                                  "foto.jpg", "", "con.txt", "😀.gif"]))))
        kwargs["data"] = data
        kwargs["content_type"] = "multipart/form-data"
    elif kind == "raw":
        names = sorted(route.fields) or ["veld"]
        kwargs["data"] = b"&".join(n.encode() + b"=" + draw(st.sampled_from(INVALID_UTF8))
                                   for n in names)
        kwargs["content_type"] = "application/x-www-form-urlencoded"
    elif kind == "json":
        body = draw(st.one_of(json_values, st.fixed_dictionaries(
            {}, optional={name: json_values for name in route.fields})))
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    else:
        kwargs["data"] = draw(st.sampled_from(
            [b"{", b"[1,2", b'{"a": NaN}', b"\xff\xfe", b"null", b'"' + b"x" * 1000, b"{}" * 500,
             b'{"' + (sorted(route.fields) or ["a"])[0].encode() + b'": "\\ud800", "\\udfff": [1]}',
             b"[" * 50_000 + b"]" * 50_000]))
        kwargs["content_type"] = "application/json"
    return kwargs


# --- checking and running -------------------------------------------------------------------

def check(response, where: str) -> None:
    """No server error; a page is Dutch, JSON is JSON; never English framework text."""
    status = response.status_code
    assert status < 500, f"{where} gave {status}"
    if 300 <= status < 400:
        assert response.headers.get("Location"), where
        return
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        assert '<html lang="nl"' in body, f"{where}: not a Dutch page ({status})"
    elif response.mimetype == "application/json":
        body = response.get_data(as_text=True)
        json.loads(body)
    else:
        return  # downloads (CSV, images, ...): no 500 is what counts
    leaked = [p for p in NOT_DUTCH if p in body]
    assert not leaked, f"{where}: English/framework text {leaked} in the response ({status})"


class Session:
    """A client signed in as a role, healed when a fuzzed request changed its own account."""

    def __init__(self, app, make_user, role: Role | None, address: str) -> None:
        self.app, self.role = app, role
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.user = make_user(role, email=f"fuzz-{role.value}@test.nl") if role else None
        self.state = None
        self.sign_in()

    def _account(self):
        with self.app.app_context():
            user = db.session.get(User, self.user.id)
            state = (user.role, user.active, user.must_change_password, user.session_version,
                     user.email)
            db.session.remove()
        return state

    def sign_in(self) -> None:
        if self.user is None:
            return
        assert login(self.client, self.user.email).status_code == 302
        self.state = self._account()

    def heal(self) -> None:
        """Undo what a fuzzed request did to the own account (role, password, ...)."""
        if self.user is None or self._account() == self.state:
            return
        from monitor.auth.services import set_password

        with self.app.app_context():
            user = db.session.get(User, self.user.id)
            user.role, user.active, user.must_change_password = self.role, True, False
            user.email = self.user.email
            set_password(user, PASSWORD)
            db.session.commit()
            db.session.remove()
        address = self.client.environ_base["REMOTE_ADDR"]
        self.client = self.app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.sign_in()


def send(session: Session, url: str, kwargs: dict):
    response = session.client.open(url, **kwargs)
    where = f"{kwargs['method']} {url} as {session.role or 'anoniem'} with {kwargs!r:.300}"
    check(response, where)
    session.heal()
    location = urlsplit(response.headers.get("Location", "")).path
    if session.user is not None and location in SIGNED_OUT:
        session.sign_in()  # signed out (the sign-out route, or a session ended): go on signed in
    return response


def fuzz(session: Session, route: Route) -> None:
    """Hypothesis examples for one route as one role."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        url = concrete_url(route.rule, lambda options: data.draw(st.sampled_from(options)))
        send(session, url, data.draw(requests(route)))

    run()


SUBJECTS = [None, *Role]


@pytest.mark.slow
@pytest.mark.parametrize("role", SUBJECTS, ids=["anoniem", *[r.value for r in Role]])
def test_hostile_input_never_breaks_a_route(app, make_user, role):
    address = f"10.9.{SUBJECTS.index(role)}.1"
    session = Session(app, make_user, role, address)
    rules = [r for r in fuzz_rules(app) if role in roles_for(app, r.endpoint)]
    routes = discover(app, session.client, rules)
    assert routes, f"no routes to try for {role}"
    for route in routes:
        # Deterministic sweep (done by the first role that may use the route): every edge
        # value into every known field and query key at once.
        if roles_for(app, route.endpoint)[0] == role:
            sent = set()
            for i, value in enumerate(EDGE_VALUES):
                url = concrete_url(route.rule, lambda options, i=i: options[i % len(options)])
                fields = value if route.fields else None
                query = value if route.query_keys else None
                if (url, fields, query) in sent:
                    continue  # nothing on this route would differ from a request already sent
                sent.add((url, fields, query))
                data = MultiDict({k: value for k in route.fields}) if route.method == "POST" else None
                send(session, url, {"method": route.method, "data": data,
                                    "query_string": {k: value for k in route.query_keys}})

        fuzz(session, route)
