"""Catalogue screens (validity never rewrites history), planned hours, and the demo data."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from monitor.counts.models import CountReturn, PlannedHours
from monitor.extensions import db
from monitor.models import AuditEvent, Period, Role, Specialism

from .conftest import GOOD_FORM, org_id, period, wijk_id


def test_catalogue_entry_with_validity(app, login_as, make_return):
    admin = login_as(Role.ADMIN)
    response = admin.post("/tellen/catalogi/specialismen/nieuw", data={
        "code": "Fout Code", "name": "X", "position": "5", "valid_from": "2025-01-01"})
    assert response.status_code == 400 and "Alleen kleine letters" in response.get_data(as_text=True)
    response = admin.post("/tellen/catalogi/specialismen/nieuw", data={
        "code": "schuldhulp", "name": "Schuldhulpverlening", "position": "11", "valid_from": "2025-05-01",
        "valid_until": "2025-04-01"})
    assert response.status_code == 400 and "kan niet vóór" in response.get_data(as_text=True)
    response = admin.post("/tellen/catalogi/specialismen/nieuw", data={
        "code": "schuldhulp", "name": "Schuldhulpverlening", "position": "11", "valid_from": "2025-05-01"})
    assert response.status_code == 302
    assert admin.post("/tellen/catalogi/specialismen/nieuw", data={
        "code": "schuldhulp", "name": "Dubbel", "position": "1", "valid_from": "2025-05-01"}).status_code == 400
    sw = login_as(Role.SOCIAAL_WERKER)
    with app.app_context():
        t1, t2, oost = period(2025, 1).id, period(2025, 2).id, wijk_id("Oost")
        buurtwerk = db.session.scalar(sa.select(Specialism).where(Specialism.code == "buurtwerk"))
    assert "Schuldhulpverlening" not in sw.get(f"/tellen/opgave/{t1}/{oost}").get_data(as_text=True)
    assert "Schuldhulpverlening" in sw.get(f"/tellen/opgave/{t2}/{oost}").get_data(as_text=True)
    # Ending "buurtwerk" after 2025-T1 keeps the old return intact and hides it from new ones.
    old = make_return("Versa Welzijn", "Oost", 2025, 1, hours={"buurtwerk": 77})
    response = admin.post(f"/tellen/catalogi/specialismen/{buurtwerk.id}", data={
        "code": "anders", "name": "Buurtwerk", "position": "1", "valid_from": "2016-01-01", "valid_until": "2025-04-30"})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(Specialism, buurtwerk.id)
        assert entry.code == "buurtwerk"  # the code never changes
        assert db.session.get(CountReturn, old).hours[0].hours == 77
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "specialisms.update"))
        assert event.old_values == {"valid_until": None} and event.new_values == {"valid_until": "2025-04-30"}
    assert "Buurtwerk" not in sw.get(f"/tellen/opgave/{t2}/{oost}").get_data(as_text=True)
    response = sw.post(f"/tellen/opgave/{t2}/{oost}", data=dict(GOOD_FORM, action="save"))
    assert response.status_code == 302  # the obsolete field is simply not part of the form
    assert login_as(Role.ACCOUNTHOUDER).get("/tellen/catalogi").status_code == 403


def test_planned_hours_screen(app, login_as):
    ah = login_as(Role.ACCOUNTHOUDER)
    with app.app_context():
        versa = org_id("Versa Welzijn")
        specs = {s.code: s.id for s in db.session.scalars(sa.select(Specialism))}
    url = f"/tellen/begroting?organisatie={versa}&jaar=2026"
    assert "uren per week × het aantal weken" in ah.get(url).get_data(as_text=True)
    response = ah.post(url, data={f"spec_{specs['amw']}": "97,3", f"spec_{specs['buurtwerk']}": "-4"})
    assert response.status_code == 400 and "niet negatief" in response.get_data(as_text=True)
    assert 'value="97,3"' in response.get_data(as_text=True)
    response = ah.post(url, data={f"spec_{specs['amw']}": "97,3", f"spec_{specs['buurtwerk']}": "103,4"})
    assert response.status_code == 302
    with app.app_context():
        rows = {p.specialism_id: p.hours_per_week for p in db.session.scalars(sa.select(PlannedHours))}
        assert rows == {specs["amw"]: Decimal("97.3"), specs["buurtwerk"]: Decimal("103.4")}
    response = ah.post(url, data={f"spec_{specs['amw']}": "", f"spec_{specs['buurtwerk']}": "103,4"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PlannedHours.id))) == 1
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "planned_hours.update")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.old_values == {"amw": "97.3"} and event.new_values == {"amw": None}
    assert ah.get("/tellen/begroting?organisatie=abc&jaar=x").status_code == 200
    assert login_as(Role.SOCIAAL_WERKER).get(url).status_code == 403


def test_demo_data_has_the_2020_figures_of_source_001_and_is_idempotent(app, runner):
    with app.app_context():
        from monitor.counts.seed import seed_demo_returns

        lines: list[str] = []
        seed_demo_returns(lines.append)
        db.session.commit()
        first = db.session.scalar(sa.select(sa.func.count(CountReturn.id)))
        assert first > 500
        for org, expected in {"Versa Welzijn": (248, 82, 146, 124, 876), "MEE": (212, 17, 153, 133, 1071)}.items():
            totals = db.session.execute(
                sa.select(sa.func.sum(CountReturn.meldingen), sa.func.sum(CountReturn.meldingen_sociaal_plein),
                          sa.func.sum(CountReturn.closed_total), sa.func.sum(CountReturn.closed_within_six_months),
                          sa.func.sum(CountReturn.closed_hours))
                .join(Period).where(Period.year == 2020, CountReturn.organisation_id == org_id(org))).one()
            assert tuple(totals) == expected
        # Pilot wijken only in 2020: Oost and Zuidwest from the start, Noordoost and Zuidoost from June.
        t1_wijken = set(db.session.scalars(
            sa.select(CountReturn.wijk_id).join(Period).where(
                Period.year == 2020, Period.tertial == 1, CountReturn.meldingen > 0)))
        assert t1_wijken == {wijk_id("Oost"), wijk_id("Zuidwest")}
        # The werkgebied of source 001: no filler returns outside it (issue 18). Centrum joined
        # on 1 January 2021; Kwintes and Sherpa worked only in the four pilot wijken from November
        # 2020; Humanitas reports city-wide.
        in_2020 = set(db.session.scalars(sa.select(CountReturn.wijk_id).join(Period).where(Period.year == 2020)))
        assert wijk_id("Centrum") not in in_2020
        assert wijk_id("Centrum") in set(db.session.scalars(
            sa.select(CountReturn.wijk_id).join(Period).where(Period.year == 2021)))
        kwintes = set(db.session.execute(sa.select(CountReturn.wijk_id, Period.year, Period.tertial).join(Period)
                                         .where(CountReturn.organisation_id == org_id("Kwintes"))))
        assert min((y, t) for _, y, t in kwintes) == (2020, 3)
        assert {w for w, _, _ in kwintes} == {wijk_id(n) for n in ("Oost", "Zuidwest", "Noordoost", "Zuidoost")}
        humanitas = set(db.session.scalars(sa.select(CountReturn.wijk_id).where(
            CountReturn.organisation_id == org_id("Humanitas"))))
        assert humanitas == {None}
        seed_demo_returns(lines.append)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(CountReturn.id))) == first


def test_planned_hours_without_a_welfare_organisation_says_so_instead_of_404(app, login_as):
    with app.app_context():
        from monitor.models import Organisation, OrganisationKind
        db.session.execute(sa.update(Organisation).values(kind=OrganisationKind.GEMEENTE))
        db.session.commit()
    admin = login_as(Role.ADMIN)
    page = admin.get("/tellen/begroting")
    assert page.status_code == 200 and "nog geen welzijnsorganisatie" in page.get_data(as_text=True)
    assert "Voeg de eerste organisatie toe" in page.get_data(as_text=True)
    page = login_as(Role.ACCOUNTHOUDER).get("/tellen/begroting")
    assert page.status_code == 200 and "De beheerder voegt de organisaties toe" in page.get_data(as_text=True)
