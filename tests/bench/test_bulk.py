"""The generator's bulk path leaves the same rows as its services path, for the same seed.

The services path (``bulk=False``) is the app's own use cases one at a time; the bulk path
(:mod:`bench.bulk`) inserts what they would write. Both run here on the same draws and
their content is compared: stories with qualities and photos, clients with trajectories,
measurements and scores, and the audit trail and access log they leave.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from bench import generate as gen
from monitor.extensions import db
from monitor.models import AuditEvent
from monitor.narratives.models import Story
from monitor.outcomes.models import Client, ClientAccess

from .test_generator import client_content, story_content


def _story_rows(first_id: int) -> list[tuple]:
    """What else a story row holds beside :func:`story_content` (never the random reference)."""
    stories = db.session.scalars(sa.select(Story).where(Story.id > first_id).order_by(Story.id))
    return [(s.status.value, s.author_id, s.published_by_id, s.consent_given, s.consent_method.value,
             s.consent_date, s.consent_recorded_by, s.teller_name, s.revision, s.language,
             s.submitted_at is not None, s.published_at is not None, s.reference[:3], len(s.reference))
            for s in stories]


def _trail(first_event: int, first_access: int) -> tuple[Counter, Counter]:
    """The audit events (action, object type, values without ids) and access-log entries
    written after the given ids."""
    events = Counter()
    for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > first_event)):
        values = {k: v for k, v in (e.new_values or {}).items() if not k.endswith("_id")}
        events[(e.action, e.object_type, e.actor_id, e.actor_label, e.old_values is None,
                repr(sorted(values.items())), e.summary.split("#")[0])] += 1
    access = Counter((a.action, a.user_id, a.user_label, a.organisation_id, a.client_code is not None)
                     for a in db.session.scalars(sa.select(ClientAccess).where(ClientAccess.id > first_access)))
    return events, access


def _last(column) -> int:
    return db.session.scalar(sa.select(sa.func.max(column))) or 0


def test_bulk_path_writes_what_the_services_write(app, tiny):
    with app.app_context():
        ids = gen.reference_data(tiny)
        marks = [_last(Story.id), _last(Client.id), _last(AuditEvent.id), _last(ClientAccess.id)]
        gen.generate_stories(tiny, ids, 21, False, bulk=False)
        gen.generate_clients(tiny, ids, 21, False, bulk=False)
        services = (story_content(marks[0]), _story_rows(marks[0]), client_content(marks[1]),
                    _trail(marks[2], marks[3]))

        marks = [_last(Story.id), _last(Client.id), _last(AuditEvent.id), _last(ClientAccess.id)]
        assert gen.generate_stories(tiny, ids, 21, False, bulk=True) == 2 * tiny.stories
        assert gen.generate_clients(tiny, ids, 21, False, bulk=True) == 2 * tiny.clients
        bulk = (story_content(marks[0]), _story_rows(marks[0]), client_content(marks[1]),
                _trail(marks[2], marks[3]))

        assert services[0] and services[2]  # stories with photos, clients with measurements
        assert any(photos for *_, photos in services[0])
        assert sum(services[3][0].values()) > 3 * tiny.stories and sum(services[3][1].values()) > 2 * tiny.clients
        assert bulk[0] == services[0]
        assert bulk[1] == services[1]
        assert bulk[2] == services[2]
        assert bulk[3][0] == services[3][0]  # the audit trail
        assert bulk[3][1] == services[3][1]  # the client access log
        # every reference and client code is new
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Story.reference)))) == 2 * tiny.stories
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Client.code)))) == 2 * tiny.clients
