"""Deterministic data generator: stories with photos, clients with measurements, returns.

What is generated is drawn from the seed (:func:`bench.bulk.story_draws`,
:func:`bench.bulk.client_draws`) and loaded one of two ways, with the same content:

- **through the app's services** (``bulk=False``), with their validation: stories through
  ``narratives.services.create_story`` (references, scope, consent, qualities) then
  ``submit`` and ``publish`` (portrait consent, audit trail, index queue); clients through
  ``outcomes.services.register_client`` → ``open_trajectory`` → ``record_measurement``
  (begin, sometimes tussen, eind) → ``close_trajectory``, each with its validation, access
  log and audit event. The services commit once per use case; the generator turns those
  commits into flushes and commits every ``BATCH`` use cases (:func:`batched_commits`);
- **in bulk** (the default, :mod:`bench.bulk`): the rows those services write, inserted with
  one executemany per table and batch — seconds instead of minutes at size M. The few
  stories with a real photo still go through the services and the photo pipeline.

A few stories get real photos, the others get photo *records* whose files are hard links
to those files (generating 100,000 images would measure the image generator, not the app).
Returns: every return's figures pass ``counts.figures.validate`` (the form's own check)
and are then bulk-inserted, approved (as ``counts_dashboard.py`` did).
The only thing not deterministic is what is drawn from ``secrets`` (story references,
client codes): the content (texts, places, dates, scores, figures) depends on the seed only.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import click
import sqlalchemy as sa
from flask import current_app

from monitor.extensions import db

BATCH = 500
BENCH_PASSWORD = "bench-wachtwoord-2026"


@dataclass(frozen=True)
class Size:
    name: str
    stories: int
    clients: int
    years: tuple[int, int]  # first and last year of returns
    organisations: int = 30
    wijken: int = 8
    photo_files: int = 4
    photo_share: float = 0.3  # share of stories with photo records


SIZES = {
    "XS": Size("XS", stories=60, clients=30, years=(2025, 2025), organisations=3, photo_files=1),
    "S": Size("S", stories=1_000, clients=500, years=(2025, 2025)),
    "M": Size("M", stories=10_000, clients=5_000, years=(2016, 2025)),
    "L": Size("L", stories=100_000, clients=50_000, years=(2016, 2025)),
}

WORDS = (
    "buurt buurten bewoner bewoners ontmoeting ontmoetingscentrum koffie ouderen jongeren "
    "vrijwilliger vrijwilligers mantelzorg mantelzorger tuin tuinen moestuin boodschappen "
    "buurthuis brand wijksteunpunt spreekuur taal cultuur school kinderen plein voetbal "
    "muziek podium samen helpen hulp eenzaam eenzaamheid wandeling markt bibliotheek kerk "
    "straat huis familie buurman buurvrouw gezondheid sport bewegen geld formulieren "
    "toeslag werk meedoen talent initiatief feest maaltijd soep koken dinsdag donderdag "
    "week maand zomer winter nieuw oud klein groot goed mooi moeilijk blij trots"
).split()
FILLER = "de het een en van in op met voor naar bij we ze hij zij is was werd komt gaan".split()
NAMES = ["Fatima", "Henk", "Anouk", "Mohamed", "Ria", "Joost", "Samira", "Kees", "Lotte", "Ahmet"]


PREFIXES = ("", "", "be", "ver", "ont", "ge", "her", "op", "aan", "uit", "over", "door", "mee",
            "samen", "buurt", "wijk", "huis", "straat", "kinder", "ouderen")
STEMS = ("werk", "zorg", "spel", "tuin", "loop", "praat", "eet", "lees", "help", "bouw", "maak",
         "kook", "fiets", "zing", "dans", "schilder", "naai", "kaart", "bel", "wacht", "deel",
         "ruil", "plant", "veeg", "schoon", "rust", "lach", "huil", "denk", "leer", "reken",
         "schrijf", "teken", "knip", "plak", "sport", "zwem", "wandel", "rij", "vaar", "vier",
         "geef", "vraag", "antwoord", "luister", "kijk", "speel", "bak", "brei", "klus", "repareer",
         "verhuis", "woon", "slaap", "droom", "hoop", "vertrouw", "geloof", "spaar", "koop")
SUFFIXES = ("", "ing", "heid", "er", "ster", "je", "en", "tje", "baar", "lijk", "plek", "dag",
            "groep", "club", "hoek", "kamer", "middag", "avond", "project", "team")
# A Zipf-distributed vocabulary of ~20,000 Dutch-looking words, so that rare words exist
# (as in real text) and not every term occurs in every story.
VOCABULARY = sorted({p + s + x for p in PREFIXES for s in STEMS for x in SUFFIXES})
random.Random(0).shuffle(VOCABULARY)
ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, len(VOCABULARY) + 1)))


def sentence(rng: random.Random, n: int) -> str:
    words = []
    for _ in range(n):
        r = rng.random()
        if r < 0.35:
            words.append(rng.choice(WORDS))
        elif r < 0.6:
            words.append(rng.choices(VOCABULARY, cum_weights=ZIPF)[0])
        else:
            words.append(rng.choice(FILLER))
    return " ".join(words).capitalize() + "."


def story_text(rng: random.Random) -> tuple[str, str, str, str]:
    title = sentence(rng, rng.randint(3, 7))[:-1][:150]
    summary = sentence(rng, rng.randint(12, 25))
    paragraphs = [" ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))
                  for _ in range(rng.randint(2, 5))]
    paragraphs[0] = f"{rng.choice(NAMES)} vertelt: {paragraphs[0]}"
    tags = ", ".join(rng.sample(WORDS, 2))
    return title, summary, "\n\n".join(paragraphs), tags


@contextlib.contextmanager
def batched_commits() -> Iterator[Callable[[], None]]:
    """Let the services' ``db.session.commit()`` flush instead; yield the real commit.

    The services do all their checks, audit events and access logs as usual; only the
    transaction boundary moves from one use case to ``BATCH`` of them.
    """
    scoped = db.session
    real_commit = scoped.registry().commit

    def flush_only() -> None:
        scoped.flush()

    scoped.commit = flush_only  # type: ignore[method-assign]
    try:
        def commit() -> None:
            real_commit()
            scoped.expunge_all()
        yield commit
    except BaseException:
        scoped.rollback()
        raise
    finally:
        del scoped.commit
    scoped.registry().commit()


def _progress(label: str, length: int, show: bool):
    if show:
        return click.progressbar(length=length, label=label, show_pos=True, width=30)
    return contextlib.nullcontext(_Null())


class _Null:
    def update(self, n: int) -> None:
        pass


# --- reference data and users -------------------------------------------------------------

def reference_data(size: Size) -> dict[str, list[int]]:
    """Places, organisations, catalogues, periods and the bench users (idempotent)."""
    from monitor.auth.services import set_password
    from monitor.models import Organisation, Role, User, Wijk
    from monitor.seed import seed_reference

    seed_reference(min(size.years[0], 2016), max(size.years[1], 2026))
    orgs = list(db.session.scalars(sa.select(Organisation).where(Organisation.kind == "welzijn")
                                   .order_by(Organisation.id)))
    for n in range(len(orgs), size.organisations):
        db.session.add(Organisation(name=f"Benchorganisatie {n + 1:02d}", kind="welzijn"))
    db.session.flush()
    orgs = list(db.session.scalars(sa.select(Organisation).where(Organisation.kind == "welzijn")
                                   .order_by(Organisation.id)))[:size.organisations]
    wijken = list(db.session.scalars(sa.select(Wijk).order_by(Wijk.id)))[:size.wijken]

    def user(email: str, name: str, role: Role, org=None, wijk_list=()) -> User:
        found = db.session.scalar(sa.select(User).where(User.email == email))
        if found is None:
            found = User(email=email, name=name, role=role, organisation=org)
            found.wijken = list(wijk_list)
            set_password(found, BENCH_PASSWORD)
            db.session.add(found)
        return found

    editor = user("redactie@bench.example", "Bench Redactie", Role.BUURTCOORDINATOR, wijk_list=wijken)
    user("raad@bench.example", "Bench Raadslid", Role.RAADSLID)
    user("accounthouder@bench.example", "Bench Accounthouder", Role.ACCOUNTHOUDER)
    workers = [user(f"werker{i + 1:02d}@bench.example", f"Bench Werker {i + 1}", Role.SOCIAAL_WERKER,
                    org=o, wijk_list=wijken) for i, o in enumerate(orgs)]
    db.session.commit()
    return {"orgs": [o.id for o in orgs], "wijken": [w.id for w in wijken], "editor": [editor.id],
            "workers": [w.id for w in workers]}


# --- stories ------------------------------------------------------------------------------

def _photo_bytes(seed: int) -> bytes:
    from monitor.photos import demo_image

    return demo_image(seed, f"Bench {seed}", ((170, 200, 230), (90, 160, 90), (200, 120, 40), (150, 60, 50)))


STORY_FORMS = ["tekst", "tekst", "tekst", "interview", "fotoserie", "hoorspel", "theater"]


def story_data(rng: random.Random, wijk_ids: list[int], buurten: dict[int, list[int]],
               quality_ids: list[int]):
    """The next generated story's form data (a ``narratives.services.StoryData``)."""
    from monitor.narratives import services

    title, summary, body, tags = story_text(rng)
    wijk_id = rng.choice(wijk_ids)
    return services.StoryData(
        title=title, summary=summary, body=body, wijk_id=wijk_id,
        buurt_id=rng.choice(buurten[wijk_id]) if buurten.get(wijk_id) else None,
        about_date=date(2016, 1, 1) + timedelta(days=rng.randrange(3650)),
        form=rng.choice(STORY_FORMS), teller=rng.choice(["inwoner", "professional"]),
        quality_ids=rng.sample(quality_ids, rng.randint(1, 3)), tags=tags,
        consent_given=True, consent_method=rng.choice(["online", "schriftelijk", "mondeling"]))


def story_visibility(rng: random.Random) -> str:
    """The visibility the next generated story is published with."""
    return rng.choices(["openbaar", "raad", "intern"], weights=[6, 3, 1])[0]


def buurten_of(wijk_ids: list[int]) -> dict[int, list[int]]:
    from monitor.models import Buurt

    buurten: dict[int, list[int]] = {}
    for b in db.session.scalars(sa.select(Buurt).where(Buurt.wijk_id.in_(wijk_ids)).order_by(Buurt.id)):
        buurten.setdefault(b.wijk_id, []).append(b.id)
    return buurten


def generate_stories(size: Size, ids: dict[str, list[int]], seed: int, show: bool, bulk: bool = True) -> int:
    """Create and publish ``size.stories`` stories.

    The stories with a real photo (the first ``size.photo_files``) always go through
    ``create_story``, ``submit`` and ``publish``; with ``bulk`` the others are inserted as the
    rows those services write (:mod:`bench.bulk`), else every one goes through the services.
    """
    from monitor import photos
    from monitor.models import User
    from monitor.narratives import services
    from monitor.narratives.models import Story, StoryPhoto

    from .bulk import insert_stories, story_draws

    folder = current_app.config["UPLOAD_FOLDER"]
    quality_ids = [q.id for q in services.quality_choices()]
    draws = story_draws(size, ids["wijken"], buurten_of(ids["wijken"]), quality_ids, seed)
    photo_files: list[tuple[str, int, int]] = []  # (file_key, width, height) of real files
    done = 0
    # publish() applies the index queue after each story; the full reindex at the end
    # (benchmark 5) does that work once.
    original_sync = services.sync_index
    services.sync_index = lambda: None
    try:
        with _progress("verhalen", size.stories, show) as bar, batched_commits() as commit:
            editor = db.session.get(User, ids["editor"][0])
            # With ``bulk`` only the stories with a real photo (the first draws) come here.
            for draw in itertools.islice(draws, size.photo_files) if bulk else draws:
                data = draw.data
                inputs = []
                if draw.photo == "new":
                    inputs = [services.PhotoInput(io.BytesIO(_photo_bytes(draw.number)),
                                                  alt_text=f"Foto bij {data.title}", caption=draw.caption)]
                story = services.create_story(editor, data, inputs)
                if inputs:
                    photo_files.append((story.photos[0].file_key, story.photos[0].width,
                                        story.photos[0].height))
                elif draw.photo == "link":
                    source, w, h = photo_files[draw.index]
                    key = photos.new_key()
                    for src, dst in zip(photos.paths(folder, source), photos.paths(folder, key), strict=True):
                        os.link(src, dst)  # a record of its own, its files shared on disk
                    story.photos.append(StoryPhoto(file_key=key, width=w, height=h, position=1,
                                                   alt_text=f"Foto bij {data.title}"[:300],
                                                   caption=draw.caption))
                services.submit(story, editor)
                services.publish(story, editor, draw.visibility)
                done += 1
                if done % BATCH == 0:
                    commit()
                    editor = db.session.get(User, ids["editor"][0])
                bar.update(1)
        if bulk:
            insert_stories(draws, db.session.get(User, ids["editor"][0]), photo_files, folder)
    finally:
        services.sync_index = original_sync
    return db.session.scalar(sa.select(sa.func.count(Story.id)))


# --- clients --------------------------------------------------------------------------------

def generate_clients(size: Size, ids: dict[str, list[int]], seed: int, show: bool, bulk: bool = True) -> int:
    """Clients with one trajectory each and ZRM or ladder measurements: with ``bulk`` as the
    rows the services write (:mod:`bench.bulk`), else through the services one by one."""
    from monitor.models import User
    from monitor.outcomes import services
    from monitor.outcomes.instruments import zrm_domains
    from monitor.outcomes.models import Client

    from .bulk import client_draws, insert_clients

    types = [t.id for t in services.service_types()]
    domains = [d.code for d in zrm_domains("2017")]
    draws = client_draws(size, ids, buurten_of(ids["wijken"]), types, domains, seed)
    if bulk:
        workers = [db.session.get(User, w) for w in ids["workers"]]
        insert_clients(draws, workers)
        return db.session.scalar(sa.select(sa.func.count(Client.id)))
    with _progress("cliënten", size.clients, show) as bar, batched_commits() as commit:
        workers: dict[int, User] = {}
        for i, draw in enumerate(draws):
            worker_id = ids["workers"][draw.worker_index]
            worker = workers.get(worker_id) or db.session.get(User, worker_id)
            workers[worker_id] = worker
            client = services.register_client(worker, birth_year=draw.birth_year, wijk_id=draw.wijk_id,
                                              buurt_id=draw.buurt_id)
            trajectory = services.open_trajectory(
                client, worker, service_type_id=draw.service_type_id, worker_id=worker.id,
                instrument=draw.instrument, zrm_version="2017", started_on=draw.started_on)
            for kind, day, scores, step in draw.measurements:
                if scores is not None:
                    services.record_measurement(trajectory, worker, kind=kind, measured_on=day, scores=scores)
                else:
                    services.record_measurement(trajectory, worker, kind=kind, measured_on=day,
                                                ladder_step=step)
            if draw.ended_on is not None:
                services.close_trajectory(trajectory, worker, ended_on=draw.ended_on, reason=draw.reason)
            if (i + 1) % BATCH == 0:
                commit()
                workers.clear()
            bar.update(1)
    return db.session.scalar(sa.select(sa.func.count(Client.id)))


# --- returns (Tellen) -----------------------------------------------------------------------

def generate_returns(size: Size, ids: dict[str, list[int]], seed: int, show: bool) -> int:
    """Approved returns for every organisation × wijk × tertial, each validated by the form's
    own ``figures.validate`` and then bulk-inserted."""
    from monitor.counts.figures import clients_key, hours_key, validate
    from monitor.counts.models import CountReturn, ReturnClients, ReturnHours, ReturnStatus
    from monitor.counts.services import catalogue_for
    from monitor.models import Period

    rng = random.Random(seed + 2)
    periods = list(db.session.scalars(sa.select(Period).where(
        Period.year.between(*size.years)).order_by(Period.year, Period.tertial)))
    next_id = (db.session.scalar(sa.select(sa.func.max(CountReturn.id))) or 0) + 1
    first_id = next_id
    returns, hours, clients = [], [], []
    total = len(periods) * len(ids["orgs"]) * len(ids["wijken"])
    with _progress("opgaven", total, show) as bar:
        for period in periods:
            catalogue = catalogue_for(period)
            specs = catalogue.specialisms[:5]
            types = catalogue.service_types[:4]
            for org_id in ids["orgs"]:
                for wijk_id in ids["wijken"]:
                    meldingen = rng.randint(0, 40)
                    closed = rng.randint(0, 30)
                    raw = {"volunteers": rng.randint(0, 30), "meldingen": meldingen,
                           "meldingen_sociaal_plein": rng.randint(0, meldingen), "closed_total": closed,
                           "closed_within_six_months": rng.randint(0, closed),
                           "closed_contact_moments": closed * 9, "closed_hours": closed * 6,
                           "fte": f"{rng.randint(2, 6)},{rng.randint(0, 9)}"}
                    if period.tertial == 3:
                        raw["unique_clients_year"] = rng.randint(20, 200)
                    for s in specs:
                        raw[hours_key(s.code)] = rng.randint(0, 250)
                    for s in types:
                        raw[clients_key(s.code)] = rng.randint(0, 40)
                    checked = validate(raw, period, catalogue, submit=True)
                    if checked.errors:
                        raise RuntimeError(f"invalid generated return: {checked.errors}")
                    v = checked.values
                    returns.append({
                        "id": next_id, "organisation_id": org_id, "wijk_id": wijk_id,
                        "period_id": period.id, "status": ReturnStatus.GOEDGEKEURD.value,
                        "explanation": "", "return_reason": "",
                        **{k: v.get(k) for k in ("volunteers", "meldingen", "meldingen_sociaal_plein",
                                                 "closed_total", "closed_within_six_months",
                                                 "closed_contact_moments", "closed_hours",
                                                 "unique_clients_year")},
                        "fte": Decimal(str(v["fte"])) if v.get("fte") is not None else None})
                    hours += [{"return_id": next_id, "specialism_id": s.id, "hours": v[hours_key(s.code)]}
                              for s in specs]
                    clients += [{"return_id": next_id, "service_type_id": s.id,
                                 "clients": v[clients_key(s.code)]} for s in types]
                    next_id += 1
                    bar.update(1)
    for start in range(0, len(returns), 2000):
        db.session.execute(sa.insert(CountReturn.__table__), returns[start:start + 2000])
    for start in range(0, len(hours), 5000):
        db.session.execute(sa.insert(ReturnHours.__table__), hours[start:start + 5000])
    for start in range(0, len(clients), 5000):
        db.session.execute(sa.insert(ReturnClients.__table__), clients[start:start + 5000])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval('count_returns_id_seq', :n)"), {"n": next_id})
    db.session.commit()
    return next_id - first_id


def generate(size: Size, seed: int = 42, show: bool = True,
             echo: Callable[[str], None] = print,
             parts: tuple[str, ...] = ("verhalen", "cliënten", "opgaven")) -> dict[str, float]:
    """Fill the (migrated, empty) database of the current app; return counts and seconds."""
    import time

    stats: dict[str, float] = {"verhalen": 0, "cliënten": 0, "opgaven": 0,
                               "verhalen_s": 1, "cliënten_s": 1, "opgaven_s": 1}
    ids = reference_data(size)
    for name, fn in (("verhalen", generate_stories), ("cliënten", generate_clients),
                     ("opgaven", generate_returns)):
        if name not in parts:
            continue
        t0 = time.perf_counter()
        stats[name] = fn(size, ids, seed, show)
        stats[f"{name}_s"] = time.perf_counter() - t0
        echo(f"  {name}: {stats[name]} in {stats[f'{name}_s']:.1f} s")
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    return stats
