"""The werkgebied of an organisation: the migration default, the admin page, the seed."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from monitor import create_app
from monitor.extensions import db
from monitor.models import AuditEvent, Organisation, Role, Wijk

from .conftest import base_config, get_org


def test_migration_gives_existing_organisations_every_active_wijk(tmp_path):
    app = create_app(base_config(tmp_path / "inst", f"sqlite:///{tmp_path}/oud.sqlite"))
    with app.app_context():
        upgrade(revision="0003")  # the schema before the werkgebied existed
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO organisations (id, name, kind, description, active) VALUES "
                                 "(1, 'Versa Welzijn', 'welzijn', '', 1), (2, 'MEE', 'welzijn', '', 0)"))
            conn.execute(sa.text("INSERT INTO wijken (id, name, active) VALUES "
                                 "(1, 'Oost', 1), (2, 'Zuid', 1), (3, 'Opgeheven', 0)"))
        upgrade(revision="c12_organisation_wijken")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT organisation_id, wijk_id FROM organisation_wijken "
                                        "ORDER BY 1, 2")).all()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 1), (1, 2), (2, 1), (2, 2)]


def test_seeded_organisations_work_in_every_wijk(app):
    with app.app_context():
        every = {w.name for w in db.session.scalars(sa.select(Wijk))}
        for org in db.session.scalars(sa.select(Organisation)):
            assert {w.name for w in org.wijken} == every, org.name


def _ids(app, names):
    with app.app_context():
        return [str(db.session.scalar(sa.select(Wijk.id).where(Wijk.name == n))) for n in names]


def test_admin_sets_the_werkgebied_and_it_is_audited(app, login_as):
    admin = login_as(Role.ADMIN)
    with app.app_context():
        mee = get_org("MEE").id
    page = admin.get(f"/beheer/organisaties/{mee}").get_data(as_text=True)
    assert "Werkgebied" in page and 'name="wijk_ids"' in page
    response = admin.post(f"/beheer/organisaties/{mee}", data={
        "name": "MEE", "kind": "welzijn", "description": "", "wijk_ids": _ids(app, ["Oost", "Zuidoost"])})
    assert response.status_code == 302
    with app.app_context():
        assert [w.name for w in get_org("MEE").wijken] == ["Oost", "Zuidoost"]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organisation.update"))
        assert event.new_values["wijken"] == ["Oost", "Zuidoost"]
        assert len(event.old_values["wijken"]) == 8
    listing = admin.get("/beheer/organisaties").get_data(as_text=True)
    assert "Oost, Zuidoost" in listing
    # A new organisation starts without a werkgebied unless the admin ticks wijken.
    admin.post("/beheer/organisaties/nieuw", data={"name": "Buurtzorg", "kind": "welzijn"})
    with app.app_context():
        assert get_org("Buurtzorg").wijken == []
    # A made-up wijk id is refused beside the field, not a 500.
    response = admin.post(f"/beheer/organisaties/{mee}", data={
        "name": "MEE", "kind": "welzijn", "wijk_ids": ["999999"]})
    assert response.status_code == 400
