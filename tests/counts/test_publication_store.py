"""The protected publication tables are computed once per data change and shared through the
database (``count_publication_tables``): what is stored is exactly what protecting the data
gives, holds nothing an outsider may not see, and is never used once the data changed."""

from __future__ import annotations

import itertools
import json
import random

import pytest
import sqlalchemy as sa

from monitor import disclosure
from monitor.counts import publication, publication_store
from monitor.counts.models import CountReturn, PublicationTable, ReturnStatus
from monitor.disclosure import TOTAL
from monitor.extensions import db
from monitor.jobs import queue
from monitor.models import Role
from monitor.registry import registry

from .conftest import as_dict, org_id, period, tables, wijk_id

ORGS = ["Versa Welzijn", "MEE", "Kwintes", "HilverZorg"]
WIJKEN = ["Oost", "Zuid", "Centrum"]
SMALL = [0, 1, 2, 3, 4, 6, 9, 14, 25]


@pytest.fixture(autouse=True)
def new_process(monkeypatch):
    """Each test starts as a new process: no table in this process's memory."""
    monkeypatch.setattr(publication_store, "_memory", {})


def _fill(make_return, seed: int) -> None:
    """Returns with many small cells over two years, as in the disclosure attack."""
    rng = random.Random(seed)
    for org in ORGS:
        for wijk in WIJKEN:
            if rng.random() < 0.25:
                continue
            for year in (2024, 2025):
                for tertial in (1, 2, 3):
                    meldingen, closed = rng.choice(SMALL), rng.choice(SMALL)
                    make_return(org, wijk, year, tertial, volunteers=rng.choice(SMALL), meldingen=meldingen,
                                meldingen_sociaal_plein=rng.randint(0, meldingen), closed_total=closed,
                                closed_within_six_months=rng.randint(0, closed), closed_contact_moments=10,
                                closed_hours=10, fte="1.0", unique_clients_year=rng.choice(SMALL),
                                hours={"buurtwerk": 100},
                                clients={"individuele_ondersteuning": rng.choice(SMALL),
                                         "formulierenhulp": rng.choice(SMALL)})


def _fresh_worker(monkeypatch) -> None:
    """As a new gunicorn worker: nothing in memory, and protecting a table is not allowed."""
    monkeypatch.setattr(publication_store, "_memory", {})

    def refuse(*args, **kwargs):
        raise AssertionError("protect() called although the stored table is current")

    monkeypatch.setattr(disclosure, "protect", refuse)


def _levels(dims):
    return itertools.product(*[[*d.leaves, TOTAL] for d in dims])


def _assert_stored_equals_protect(app, monkeypatch, years=(2024, 2025)) -> None:
    """Every cell of every stored table equals what protect() gives for the current data, and
    the stored JSON holds no value of a hidden cell and no unpublished cell."""
    with app.app_context():
        expected = {}
        for measure in publication.MEASURES:
            for year in years:
                atoms = publication._atoms(measure, year)
                dims = publication._dims(measure, atoms)
                expected[(measure, year)] = (dims, disclosure.protect(dims, atoms, publication.outsider_cell))
        publication.refresh_tables()
    with monkeypatch.context() as m:
        _fresh_worker(m)
        with app.app_context():
            for (measure, year), (dims, reference) in expected.items():
                stored = publication.table(measure, year)
                names = [d.name for d in dims]
                assert stored.blocked == reference.blocked
                assert stored.states == reference.states
                for key in _levels(dims):
                    levels = dict(zip(names, key, strict=True))
                    assert stored.get(**levels) == reference.get(**levels), (measure, year, key)
                    assert stored.exact(**levels) == reference.exact(**levels)
                row = db.session.get(PublicationTable, (measure, year))
                for key, value, state in json.loads(row.cells)["cells"]:
                    assert publication.outsider_cell(tuple(key))
                    assert (value is None) == bool(state)
                    if state == 0:
                        assert value == reference.exact(**dict(zip(names, key, strict=True)))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [20261201, 7, 1616])
def test_the_stored_tables_are_exactly_the_protected_ones(app, make_return, login_as, monkeypatch, seed):
    _fill(make_return, seed)
    _assert_stored_equals_protect(app, monkeypatch)
    with app.app_context():
        ids = db.session.scalars(sa.select(CountReturn.id).order_by(CountReturn.id)).all()
    # One more return approved (through the screens), and one reopened.
    with app.app_context():
        db.session.execute(sa.delete(CountReturn).where(
            CountReturn.organisation_id == org_id("Kwintes"), CountReturn.wijk_id == wijk_id("Zuid"),
            CountReturn.period_id == period(2025, 2).id))
        db.session.commit()
    new = make_return("Kwintes", "Zuid", 2025, 2, status="ingediend", meldingen=3, meldingen_sociaal_plein=1,
                      closed_total=2, closed_within_six_months=1, volunteers=2, fte="1.0",
                      clients={"individuele_ondersteuning": 2})
    ah = login_as(Role.ACCOUNTHOUDER)
    assert ah.post(f"/tellen/opgaven/{new}/goedkeuren").status_code == 302
    _assert_stored_equals_protect(app, monkeypatch)
    assert ah.post(f"/tellen/opgaven/{ids[0]}/heropenen", data={"reason": "Herzien"}).status_code == 302
    _assert_stored_equals_protect(app, monkeypatch)


def test_the_stored_table_is_the_protected_one_on_a_small_data_set(app, make_return, monkeypatch):
    _fill(make_return, 99)
    with app.app_context():  # one year only: the fast loop's check
        db.session.execute(sa.delete(CountReturn).where(CountReturn.period_id.in_(
            [period(2024, t).id for t in (1, 2, 3)])))
        db.session.commit()
    _assert_stored_equals_protect(app, monkeypatch, years=(2025,))


@pytest.fixture
def oost(app, make_return):
    """Oost in January–April 2024: two organisations, large counts (nothing suppressed)."""
    make_return("Versa Welzijn", "Oost", 2024, 1, meldingen=20, meldingen_sociaal_plein=10, closed_total=10,
                closed_within_six_months=8, volunteers=12, fte="1.0", clients={"individuele_ondersteuning": 12})
    make_return("MEE", "Oost", 2024, 1, meldingen=30, meldingen_sociaal_plein=15, closed_total=12,
                closed_within_six_months=6, volunteers=9, fte="1.0", clients={"individuele_ondersteuning": 15})
    make_return("Versa Welzijn", "Oost", 2024, 2, meldingen=25, meldingen_sociaal_plein=10, closed_total=10,
                closed_within_six_months=8, volunteers=12, fte="1.0", clients={"individuele_ondersteuning": 12})
    with app.app_context():
        return {"van": period(2024, 1).id, "tot": period(2024, 3).id, "wijk": wijk_id("Oost"),
                "label": period(2024, 1).label}


def _meldingen(client, oost) -> str:
    response = client.get("/tellen/dashboard", query_string={k: oost[k] for k in ("van", "tot", "wijk")})
    assert response.status_code == 200
    return as_dict(tables(response.get_data(as_text=True))["tabel-aantallen"])[oost["label"]]["Nieuwe meldingen"]


def _jobs_queued(app) -> list[str]:
    huey = queue(app)
    names = []
    while (task := huey.dequeue()) is not None:
        names.append(task.args[0])
    return names


def test_a_new_worker_reads_the_stored_tables_instead_of_protecting_again(app, login_as, oost, monkeypatch):
    council = login_as(Role.RAADSLID)
    assert _meldingen(council, oost) == "50"  # 20 + 30
    with app.app_context():
        stored = {(r.measure, r.year) for r in db.session.scalars(sa.select(PublicationTable))}
    assert {(m, 2024) for m in ("meldingen", "afgesloten", "vrijwilligers", "clienten")} <= stored
    _fresh_worker(monkeypatch)
    assert _meldingen(council, oost) == "50"


def test_the_job_worker_stores_the_tables_when_it_starts(app, oost, runner, login_as, monkeypatch):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PublicationTable)) == 0
    result = runner.invoke(args=["maintenance"])  # what the worker runs when it starts
    assert result.exit_code == 0, result.output
    assert "ok  publicatietabellen: " in result.output and "publicatietabel(len) bijgewerkt" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PublicationTable)) > 0
    _fresh_worker(monkeypatch)  # the first raadslid's page computes nothing
    assert _meldingen(login_as(Role.RAADSLID), oost) == "50"
    assert "0 publicatietabel(len) bijgewerkt" in runner.invoke(args=["maintenance"]).output


def test_approving_and_reopening_change_the_figure_at_once_and_refresh_the_store(
        app, login_as, make_return, oost, monkeypatch):
    council = login_as(Role.RAADSLID)
    ah = login_as(Role.ACCOUNTHOUDER)
    assert _meldingen(council, oost) == "50"
    new = make_return("Kwintes", "Oost", 2024, 1, status="ingediend", meldingen=40, meldingen_sociaal_plein=20,
                      closed_total=10, closed_within_six_months=5, volunteers=10, fte="1.0",
                      clients={"individuele_ondersteuning": 20})
    _jobs_queued(app)
    assert ah.post(f"/tellen/opgaven/{new}/goedkeuren").status_code == 302
    assert publication_store.JOB in _jobs_queued(app)  # asked for after the commit
    # The stored 2024 tables are of the old data and the job has not run: never served.
    assert _meldingen(council, oost) == "90"
    with app.app_context():
        publication.refresh_tables()
    with monkeypatch.context() as m:  # the job left every table current: a new worker computes nothing
        _fresh_worker(m)
        assert _meldingen(council, oost) == "90"

    assert ah.post(f"/tellen/opgaven/{new}/heropenen", data={"reason": "Dubbel geteld"}).status_code == 302
    assert publication_store.JOB in _jobs_queued(app)
    assert _meldingen(council, oost) == "50"
    with app.app_context():
        registry(app).jobs[publication_store.JOB].func(None)
        assert db.session.get(CountReturn, new).status == ReturnStatus.TERUGGESTUURD
    with monkeypatch.context() as m:
        _fresh_worker(m)
        assert _meldingen(council, oost) == "50"


def test_a_restore_computes_the_stored_tables_anew(app, login_as, oost, monkeypatch):
    council = login_as(Role.RAADSLID)
    _meldingen(council, oost)
    hooks = {hook.name: hook.func for hook in registry(app).after_restore}
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(PublicationTable))
        assert before > 0
        db.session.execute(sa.update(PublicationTable).values(cells="{}"))  # another database's
        db.session.commit()
        message = hooks["publicatietabellen"]()
        assert f"{before} opgeslagen tabel(len) gewist" in message
        stored = db.session.scalars(sa.select(PublicationTable.cells)).all()
        assert f"{len(stored)} publicatietabel(len) bijgewerkt" in message  # every measure's
        assert len(stored) >= before and "{}" not in stored
    with monkeypatch.context() as m:  # a new worker reads them from the store, computes nothing
        _fresh_worker(m)
        assert _meldingen(council, oost) == "50"


def test_a_year_figure_added_to_an_approved_return_refreshes_the_store(app, login_as, make_return):
    ret_id = make_return("Versa Welzijn", "Zuid", 2025, 3, status="goedgekeurd", meldingen=5)
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"])
    _jobs_queued(app)
    assert worker.post(f"/tellen/opgaven/{ret_id}/jaarcijfer", data={"unique_clients_year": "41"}).status_code == 302
    assert publication_store.JOB in _jobs_queued(app)
    with app.app_context():
        registry(app).jobs[publication_store.JOB].func(None)
        tab = publication.table("uniek", 2025)
        assert tab.exact(wijk=wijk_id("Zuid")) == 41
        assert db.session.get(PublicationTable, ("uniek", 2025)).fingerprint == publication_store.fingerprint(
            "uniek", 2025, tab.dims, tab.atoms)
