"""Bulk loading for the generator: the same rows the services write, inserted in big batches.

:mod:`bench.generate` draws every story and client from the seed (:func:`story_draws`,
:func:`client_draws`); the services path (``bulk=False``) hands each draw to the app's
services one use case at a time, this module turns the same draws into the rows those
services would write — stories with their qualities, photo records and the three audit
events of create, submit and publish; clients with their trajectory, measurements, domain
scores, access log and audit events — and inserts them with one SQLAlchemy Core
executemany per table and batch (``insertmanyvalues``: a few thousand rows per statement,
on SQLite and on PostgreSQL). ``tests/bench/test_bulk.py`` checks that both paths leave
the same content; the services' validation is tested by the services path
(``tests/bench/test_generator.py``). Not written by this path: the moderators' and
author's notices (mail to the bench's own editor) and the index queue (the benchmark
rebuilds the index from the database).

``tests/narratives/archive.py`` fills its 10,000-story archive with :func:`insert_stories`.
"""

from __future__ import annotations

import itertools
import os
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from monitor.extensions import db

CHUNK = 2_000  # draws turned into rows and inserted at a time


# --- what the seed decides ----------------------------------------------------------------

@dataclass
class StoryDraw:
    """One generated story: its form data, visibility and photo (``photo``: "" none,
    "new" a real file through the photo pipeline, "link" a record sharing file ``index``)."""

    number: int
    data: Any  # narratives.services.StoryData
    visibility: str
    photo: str = ""
    index: int = 0
    caption: str = ""


def story_draws(size, wijk_ids: list[int], buurten: dict[int, list[int]], quality_ids: list[int],
                seed: int) -> Iterator[StoryDraw]:
    """The generated stories in order; the draws are those the generator always made."""
    from .generate import sentence, story_data, story_visibility

    rng = random.Random(seed)
    made = 0  # real photo files so far (the first ``size.photo_files`` stories get one)
    for i in range(size.stories):
        data = story_data(rng, wijk_ids, buurten, quality_ids)
        draw = StoryDraw(i, data, "")
        if made < size.photo_files:
            draw.photo, draw.caption = "new", sentence(rng, 6)
            made += 1
        elif made and rng.random() < size.photo_share:
            draw.photo, draw.index = "link", rng.choice(range(made))
            draw.caption = sentence(rng, 6)
        draw.visibility = story_visibility(rng)
        yield draw


@dataclass
class ClientDraw:
    """One generated client with its one trajectory and its measurements."""

    worker_index: int
    birth_year: int
    wijk_id: int
    buurt_id: int | None
    instrument: str
    service_type_id: int
    started_on: date
    # (kind, measured_on, ZRM scores or None, ladder step or None)
    measurements: list[tuple[str, date, dict[str, int] | None, int | None]] = field(default_factory=list)
    ended_on: date | None = None
    reason: str | None = None


def client_draws(size, ids: dict[str, list[int]], buurten: dict[int, list[int]], types: list[int],
                 domains: list[str], seed: int) -> Iterator[ClientDraw]:
    """The generated clients in order, drawn as the generator always drew them."""
    rng = random.Random(seed + 1)
    reasons = ["afgerond", "afgerond", "doorverwezen", "gestopt", "verhuisd"]
    start = date(2016, 1, 1)
    for i in range(size.clients):
        wijk_id = rng.choice(ids["wijken"])
        draw = ClientDraw(
            worker_index=i % len(ids["workers"]), birth_year=rng.randint(1935, 2008), wijk_id=wijk_id,
            buurt_id=rng.choice(buurten[wijk_id]) if buurten.get(wijk_id) else None,
            instrument="", service_type_id=0, started_on=start)
        draw.instrument = "zrm" if rng.random() < 0.7 else "ladder"
        began = start + timedelta(days=rng.randrange(3000))
        draw.service_type_id, draw.started_on = rng.choice(types), began
        day = began
        kinds = ["begin"] + (["tussen"] if rng.random() < 0.4 else [])
        kinds += ["eind"] if rng.random() < 0.75 else []
        level = rng.randint(1, 3)
        for kind in kinds:
            if draw.instrument == "zrm":
                scores = {c: max(1, min(5, level + rng.randint(-1, 1)))
                          for c in rng.sample(domains, rng.randint(3, 8))}
                draw.measurements.append((kind, day, scores, None))
            else:
                draw.measurements.append((kind, day, None, max(1, min(6, level + rng.randint(0, 2)))))
            day += timedelta(days=rng.randint(30, 200))
            level += rng.choice([0, 1, 1, 2])
        if kinds[-1] == "eind":
            end = day - timedelta(days=1)
            draw.ended_on = end if end >= began else began
            draw.reason = rng.choice(reasons)
        yield draw


# --- rows ---------------------------------------------------------------------------------

def new_codes(n: int, taken: set[str], make) -> list[str]:
    """``n`` new random codes from ``make()`` not in ``taken`` (which is extended)."""
    out = []
    while len(out) < n:
        code = make()
        if code not in taken:
            taken.add(code)
            out.append(code)
    return out


def _reference() -> str:
    from monitor.narratives.services._shared import REFERENCE_ALPHABET

    return "VH-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _client_code() -> str:
    from monitor.outcomes.records import CODE_ALPHABET

    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"K-{raw[:4]}-{raw[4:]}"


def story_row(data, visibility: str, reference: str, editor, now, today: date) -> dict[str, Any]:
    """The ``stories`` row ``create_story``, ``submit`` and ``publish`` leave for ``data``."""
    from monitor.narratives.models import ConsentMethod, StoryForm, StoryStatus, Teller, Visibility
    from monitor.narratives.services._shared import _normalise_tags

    return {
        "reference": reference, "status": StoryStatus.GEPUBLICEERD, "author_id": editor.id,
        "visibility": Visibility(visibility), "consent_given": True,
        "consent_method": ConsentMethod(data.consent_method), "consent_date": data.consent_date or today,
        "consent_recorded_by": f"{editor.name} ({editor.email})",
        "title": data.title.strip(), "summary": data.summary.strip(), "body": data.body.strip(),
        "wijk_id": data.wijk_id, "buurt_id": data.buurt_id or None, "about_date": data.about_date,
        "form": StoryForm(data.form), "teller": Teller(data.teller),
        "teller_name": (data.teller_name or "").strip(), "tags": _normalise_tags(data.tags),
        # create (1), submit (2), publish (3): the revision publish() leaves
        "revision": 3, "created_at": now, "updated_at": now, "submitted_at": now,
        "published_at": now, "published_by_id": editor.id, "moderation_remarks": ""}


def _story_events(story_id: int, row: dict[str, Any], editor) -> list[dict[str, Any]]:
    """The audit events of create, submit and publish (values as ``audit.snapshot`` reads them)."""
    from monitor.audit import _plain
    from monitor.narratives.services._shared import STORY_FIELDS

    actor = {"actor_id": editor.id, "actor_label": f"{editor.name} ({editor.email})",
             "object_type": "Story", "object_id": str(story_id), "summary": "", "ip_address": None}
    created = {**{k: row[k] for k in STORY_FIELDS if k in row}, "visibility": "intern",
               "status": "concept", "told_how": None, "told_in": ""}
    return [
        {**actor, "action": "story.create", "old_values": None, "new_values": _plain(created)},
        {**actor, "action": "story.submit", "old_values": {"status": "concept"},
         "new_values": {"status": "ingediend"}},
        {**actor, "action": "story.publish", "old_values": {"status": "ingediend", "visibility": "intern"},
         "new_values": {"status": "gepubliceerd", "visibility": _plain(row["visibility"])}},
    ]


def _chunks(items) -> Iterator[list]:
    """``items`` in lists of ``CHUNK``."""
    items = iter(items)
    while batch := list(itertools.islice(items, CHUNK)):
        yield batch


def insert_stories(draws: Iterator[StoryDraw] | list[StoryDraw], editor,
                   photo_files: list[tuple[str, int, int]] = (), folder: str = "") -> int:
    """Insert the drawn stories as published by ``editor``, ``CHUNK`` at a time; returns how
    many. A "link" photo gets a record of its own whose files are hard links to
    ``photo_files[index]`` (``(file_key, width, height)``) in ``folder``."""
    from monitor import photos
    from monitor.models import AuditEvent
    from monitor.narratives.models import Story, StoryPhoto, story_qualities
    from monitor.timeutil import utcnow

    taken = set(db.session.scalars(sa.select(Story.reference)))
    now, today = utcnow(), date.today()
    done = 0
    for batch in _chunks(draws):
        rows = [story_row(d.data, d.visibility, ref, editor, now, today)
                for d, ref in zip(batch, new_codes(len(batch), taken, _reference), strict=True)]
        ids = list(db.session.scalars(sa.insert(Story).returning(Story.id, sort_by_parameter_order=True), rows))
        db.session.execute(sa.insert(story_qualities), [
            {"story_id": i, "quality_id": q} for i, d in zip(ids, batch, strict=True) for q in d.data.quality_ids])
        linked = []
        for story_id, d in zip(ids, batch, strict=True):
            if d.photo != "link":
                continue
            source, width, height = photo_files[d.index]
            key = photos.new_key()
            for src, dst in zip(photos.paths(folder, source), photos.paths(folder, key), strict=True):
                os.link(src, dst)  # a record of its own, its files shared on disk
            linked.append({"story_id": story_id, "file_key": key, "width": width, "height": height,
                           "position": 1, "alt_text": f"Foto bij {d.data.title}"[:300],
                           "caption": d.caption.strip()[:300], "recognisable_people": False,
                           "portrait_consent": False, "created_at": now})
        if linked:
            db.session.execute(sa.insert(StoryPhoto), linked)
        db.session.execute(sa.insert(AuditEvent), [
            {**event, "created_at": now}
            for story_id, row in zip(ids, rows, strict=True) for event in _story_events(story_id, row, editor)])
        db.session.commit()
        done += len(batch)
    return done


def insert_clients(draws: Iterator[ClientDraw], workers: list) -> int:
    """Insert the drawn clients (registered, trajectory opened, measured and closed by
    ``workers[draw.worker_index]``) with their access log and audit trail; returns how many."""
    from monitor.audit import _plain
    from monitor.models import AuditEvent
    from monitor.outcomes.models import (
        Client,
        ClientAccess,
        ClosingReason,
        DomainScore,
        Instrument,
        Measurement,
        MeasurementKind,
        Trajectory,
    )
    from monitor.timeutil import utcnow

    taken = set(db.session.scalars(sa.select(Client.code)))
    now = utcnow()
    labels = [f"{w.name} ({w.email})" for w in workers]
    done = 0
    for batch in _chunks(draws):
        codes = new_codes(len(batch), taken, _client_code)
        client_ids = list(db.session.scalars(
            sa.insert(Client).returning(Client.id, sort_by_parameter_order=True),
            [{"code": code, "organisation_id": workers[d.worker_index].organisation_id,
              "birth_year": d.birth_year, "wijk_id": d.wijk_id, "buurt_id": d.buurt_id, "created_at": now}
             for d, code in zip(batch, codes, strict=True)]))
        trajectory_rows = []
        for d, client_id in zip(batch, client_ids, strict=True):
            worker = workers[d.worker_index]
            zrm = d.instrument == "zrm"
            trajectory_rows.append({
                "client_id": client_id, "organisation_id": worker.organisation_id,
                "service_type_id": d.service_type_id, "worker_id": worker.id,
                "instrument": Instrument(d.instrument), "zrm_version": "2017" if zrm else None,
                "started_on": d.started_on, "ended_on": d.ended_on,
                "closing_reason": ClosingReason(d.reason) if d.reason else None, "created_at": now})
        trajectory_ids = list(db.session.scalars(
            sa.insert(Trajectory).returning(Trajectory.id, sort_by_parameter_order=True), trajectory_rows))
        measurement_rows, measured = [], []
        for d, trajectory_id in zip(batch, trajectory_ids, strict=True):
            worker = workers[d.worker_index]
            for kind, day, scores, step in d.measurements:
                measurement_rows.append({
                    "trajectory_id": trajectory_id, "organisation_id": worker.organisation_id,
                    "kind": MeasurementKind(kind), "measured_on": day, "ladder_step": step,
                    "created_by_id": worker.id, "created_at": now})
                measured.append(scores or {})
        measurement_ids = list(db.session.scalars(
            sa.insert(Measurement).returning(Measurement.id, sort_by_parameter_order=True), measurement_rows))
        scores = [{"measurement_id": m, "domain_code": c, "score": s}
                  for m, chosen in zip(measurement_ids, measured, strict=True) for c, s in chosen.items()]
        if scores:
            db.session.execute(sa.insert(DomainScore), scores)
        access, events = [], []
        rows = iter(zip(measurement_ids, measurement_rows, measured, strict=True))
        for d, code, client_id, trajectory_id, trajectory in zip(
                batch, codes, client_ids, trajectory_ids, trajectory_rows, strict=True):
            worker = workers[d.worker_index]
            log = {"user_id": worker.id, "user_label": labels[d.worker_index],
                   "organisation_id": worker.organisation_id, "client_id": client_id,
                   "client_code": code, "ip_address": None, "created_at": now}
            actor = {"actor_id": worker.id, "actor_label": labels[d.worker_index], "ip_address": None,
                     "created_at": now, "old_values": None}
            access.append({**log, "action": "cliënt geregistreerd"})
            events.append({**actor, "action": "outcomes.client_create", "object_type": "Client",
                           "object_id": str(client_id), "new_values": {"organisation_id": worker.organisation_id},
                           "summary": f"Cliënt #{client_id} geregistreerd"})
            access.append({**log, "action": "traject geopend"})
            events.append({**actor, "action": "outcomes.trajectory_open", "object_type": "Trajectory",
                           "object_id": str(trajectory_id), "new_values": _plain(
                               {k: trajectory[k] for k in ("client_id", "instrument", "zrm_version",
                                                           "service_type_id", "worker_id", "started_on")}),
                           "summary": f"Traject geopend voor cliënt #{client_id}"})
            for _ in d.measurements:
                measurement_id, row, chosen = next(rows)
                kind = row["kind"]
                access.append({**log, "action": f"{kind.label.lower()} vastgelegd"})
                events.append({**actor, "action": "outcomes.measurement_create", "object_type": "Measurement",
                               "object_id": str(measurement_id), "new_values": _plain(
                                   {"trajectory_id": trajectory_id, "kind": kind,
                                    "measured_on": row["measured_on"], "domeinen": len(chosen)}),
                               "summary": f"{kind.label} vastgelegd voor cliënt #{client_id}"})
            if d.ended_on is not None:
                access.append({**log, "action": "traject afgesloten"})
                events.append({**actor, "action": "outcomes.trajectory_close", "object_type": "Trajectory",
                               "object_id": str(trajectory_id), "old_values": {"ended_on": None},
                               "new_values": _plain({"ended_on": d.ended_on, "closing_reason": d.reason}),
                               "summary": f"Traject van cliënt #{client_id} afgesloten"})
        db.session.execute(sa.insert(ClientAccess), access)
        db.session.execute(sa.insert(AuditEvent), events)
        db.session.commit()
        done += len(batch)
    return done
