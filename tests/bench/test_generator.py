"""The benchmark data generator: what it loads is valid, and the same seed gives the same data.

Runs the generator at a tiny size through the app fixture so the harness cannot rot
silently when a service changes. No timings here (those are in ``bench/``).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import current_app

from bench import generate as gen
from monitor import photos
from monitor.counts.figures import validate
from monitor.counts.models import CountReturn, ReturnClients, ReturnHours, ReturnStatus
from monitor.counts.services import catalogue_for, figures_of
from monitor.extensions import db
from monitor.models import AuditEvent
from monitor.narratives.models import Story, StoryPhoto, StoryStatus
from monitor.outcomes.models import Client, Instrument, Measurement, MeasurementKind, Trajectory


def story_content(first_id: int = 0) -> list[tuple]:
    stories = db.session.scalars(sa.select(Story).where(Story.id > first_id).order_by(Story.id))
    return [(s.title, s.summary, s.body, s.tags, s.wijk_id, s.buurt_id, s.about_date, s.form.value,
             s.teller.value, s.visibility.value, sorted(q.code for q in s.qualities),
             [(p.alt_text, p.caption, p.width, p.height) for p in s.photos]) for s in stories]


def client_content(first_id: int = 0) -> list[tuple]:
    clients = db.session.scalars(sa.select(Client).where(Client.id > first_id).order_by(Client.id))
    out = []
    for c in clients:
        for t in c.trajectories:
            out.append((c.birth_year, c.wijk_id, c.buurt_id, t.instrument.value, t.service_type_id,
                        t.started_on, t.ended_on, t.closing_reason and t.closing_reason.value,
                        [(m.kind.value, m.measured_on, m.ladder_step,
                          sorted((s.domain_code, s.score) for s in m.scores)) for m in t.measurements]))
    return out


def return_content() -> list[tuple]:
    rets = db.session.scalars(sa.select(CountReturn).order_by(CountReturn.id))
    return [(r.organisation_id, r.wijk_id, r.period_id, sorted(figures_of(r).items())) for r in rets]


@pytest.mark.real_db  # the generator runs ANALYZE on an autocommit connection
def test_generated_data_is_valid(app, tiny):
    with app.app_context():
        stats = gen.generate(tiny, seed=7, show=False, echo=lambda s: None)
        assert "commit" not in vars(db.session)  # the batching is undone

        # stories: all published, in the chosen wijken, with qualities and an audit trail
        stories = list(db.session.scalars(sa.select(Story)))
        assert stats["verhalen"] == len(stories) == tiny.stories
        assert all(s.status == StoryStatus.GEPUBLICEERD and s.qualities and s.consent_given
                   for s in stories)
        assert len({s.reference for s in stories}) == tiny.stories
        published = db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                                      .where(AuditEvent.action == "story.publish"))
        assert published == tiny.stories
        # every photo record has both files on disk
        folder = current_app.config["UPLOAD_FOLDER"]
        records = list(db.session.scalars(sa.select(StoryPhoto)))
        assert len(records) > tiny.photo_files
        for p in records:
            web, thumb = photos.paths(folder, p.file_key)
            assert web.is_file() and thumb.is_file() and p.alt_text

        # clients: one trajectory each, begin first, eind last, scores within the scales
        clients = list(db.session.scalars(sa.select(Client)))
        assert len(clients) == tiny.clients
        for c in clients:
            assert len(c.trajectories) == 1
            t = c.trajectories[0]
            kinds = [m.kind for m in sorted(t.measurements, key=lambda m: m.measured_on)]
            assert kinds[0] == MeasurementKind.BEGIN
            assert (kinds[-1] == MeasurementKind.EIND) == (t.ended_on is not None)
            for m in t.measurements:
                if t.instrument == Instrument.LADDER:
                    assert 1 <= m.ladder_step <= 6 and not m.scores
                else:
                    assert m.scores and all(1 <= s.score <= 5 for s in m.scores)

        # returns: every organisation × wijk × tertial, approved, passing the form's check
        rets = list(db.session.scalars(sa.select(CountReturn)))
        assert len(rets) == 3 * tiny.organisations * tiny.wijken == stats["opgaven"]
        for r in rets:
            assert r.status == ReturnStatus.GOEDGEKEURD
            entered = {k: v for k, v in figures_of(r).items() if v is not None}
            checked = validate(entered, r.period, catalogue_for(r.period), submit=True)
            assert not checked.errors
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReturnHours)) == 5 * len(rets)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReturnClients)) == 4 * len(rets)


def test_same_seed_same_data(app, tiny):
    with app.app_context():
        ids = gen.reference_data(tiny)
        gen.generate_stories(tiny, ids, 11, False)
        gen.generate_clients(tiny, ids, 11, False)
        gen.generate_returns(tiny, ids, 11, False)
        stories, clients, returns = story_content(), client_content(), return_content()
        last_story = db.session.scalar(sa.select(sa.func.max(Story.id)))
        last_client = db.session.scalar(sa.select(sa.func.max(Client.id)))

        # the same seed again: the same content (references and client codes are random)
        gen.generate_stories(tiny, ids, 11, False)
        gen.generate_clients(tiny, ids, 11, False)
        assert story_content(last_story) == stories
        assert client_content(last_client) == clients
        db.session.execute(sa.delete(ReturnHours))
        db.session.execute(sa.delete(ReturnClients))
        db.session.execute(sa.delete(CountReturn))
        db.session.commit()
        gen.generate_returns(tiny, ids, 11, False)
        assert return_content() == returns

        # another seed: other content
        gen.generate_stories(tiny, ids, 12, False)
        assert story_content(last_story + tiny.stories) != stories
        assert db.session.scalar(sa.select(sa.func.count(Trajectory.id))) == 2 * tiny.clients
        assert db.session.scalar(sa.select(sa.func.count(Measurement.id))) >= 2 * tiny.clients


@pytest.mark.real_db  # the generator runs ANALYZE on an autocommit connection
def test_outcome_rows_match_per_trajectory_rules(app, tiny):
    """The row-based report query (issue 8) counts what ``observations_for`` counts per trajectory."""
    from collections import Counter
    from datetime import date

    from monitor.outcomes.reports import Filters, collect_observations, observations_for

    with app.app_context():
        gen.generate(tiny, seed=5, show=False, echo=lambda s: None)
        first, last = date(2018, 1, 1), date(2023, 12, 31)
        expected = Counter(
            o for t in db.session.scalars(sa.select(Trajectory))
            for o in observations_for(t, t.client.wijk_id) if first <= o.reference_date <= last)
        assert expected  # the generated data has outcomes in the range
        assert Counter(collect_observations(Filters(first, last))) == expected
        some_wijk = next(iter(expected)).wijk_id
        assert Counter(collect_observations(Filters(first, last, wijk_id=some_wijk))) == Counter(
            {o: n for o, n in expected.items() if o.wijk_id == some_wijk})


@pytest.mark.real_db  # the generator runs ANALYZE on an autocommit connection
def test_outcome_counts_in_sql_match_per_trajectory_rules(app, tiny):
    """The report's GROUP BY counts (issue 16) equal counting ``observations_for`` per
    trajectory plus the anonymous facts, for every grouping and filter."""
    from collections import defaultdict
    from datetime import date

    from monitor.outcomes.counting import indicator_counts
    from monitor.outcomes.models import OutcomeFact
    from monitor.outcomes.reports import GROUPINGS, Filters, observations_for

    with app.app_context():
        gen.generate(tiny, seed=5, show=False, echo=lambda s: None)
        some = db.session.scalars(sa.select(Trajectory).order_by(Trajectory.id)).first()
        for n, (instrument, code, begin, end) in enumerate(
                [(Instrument.ZRM, "FIN", 2, 4), (Instrument.ZRM, "FIN", 3, 3),
                 (Instrument.LADDER, None, 1, 2), (Instrument.ZRM, "HUI", 4, 1)]):
            db.session.add(OutcomeFact(
                organisation_id=some.organisation_id, wijk_id=None if n == 3 else some.client.wijk_id,
                service_type_id=some.service_type_id, instrument=instrument, zrm_version="2017",
                domain_code=code, reference_date=date(2019, 3 + n, 1), begin_score=begin,
                end_score=end, improved=end >= begin + 1))
        db.session.commit()
        first, last = date(2018, 1, 1), date(2023, 12, 31)
        observed = [(o.indicator, o.wijk_id, o.organisation_id, o.service_type_id, o.improved)
                    for t in db.session.scalars(sa.select(Trajectory))
                    for o in observations_for(t, t.client.wijk_id) if first <= o.reference_date <= last]
        observed += [("ladder" if f.instrument == Instrument.LADDER else f"zrm:{f.domain_code}",
                      f.wijk_id, f.organisation_id, f.service_type_id, f.end_score >= f.begin_score + 1)
                     for f in db.session.scalars(sa.select(OutcomeFact))]
        assert observed
        position = {"totaal": None, "wijk": 1, "organisatie": 2, "dienst": 3}
        chosen = {"wijk_id": some.client.wijk_id, "organisation_id": some.organisation_id,
                  "service_type_id": some.service_type_id}
        for grouping in GROUPINGS:
            for narrow in (None, "wijk_id", "organisation_id", "service_type_id"):
                filters = Filters(first, last, **({narrow: chosen[narrow]} if narrow else {}))
                expected: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
                for o in observed:
                    if narrow and o[1 + list(chosen).index(narrow)] != chosen[narrow]:
                        continue
                    slot = expected[o[0]][o[position[grouping]] if position[grouping] else None]
                    slot[0] += int(o[4])
                    slot[1] += 1
                got = indicator_counts(filters, grouping)
                assert {k: dict(v) for k, v in got.items()} == {k: dict(v) for k, v in expected.items()}, \
                    (grouping, narrow)
