"""Browser tests: a live server with one user per role, and Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from monitor.extensions import db

from ..browserkit import browser, live_app, page, run_axe, serve  # noqa: F401  (fixtures)
from ..conftest import PASSWORD


@pytest.fixture(scope="module")
def live_server(database_uri: str, tmp_path_factory) -> Iterator[dict]:
    """The app served on a free localhost port, with one user per role."""
    app = live_app(database_uri, tmp_path_factory.mktemp("live"))
    users = {}
    with app.app_context():
        from monitor.admin.services import create_user
        from monitor.models import Organisation, Role, Wijk
        from monitor.seed import seed_reference

        seed_reference(2020, 2027)
        db.session.commit()
        versa = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Versa Welzijn"))
        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
        for role in Role:
            email = f"{role.value}@browser.test"
            create_user(name=f"Browser {role.label}", email=email, role=role,
                        organisation_id=versa if role == Role.SOCIAAL_WERKER else None,
                        wijk_ids=[oost] if role in (Role.SOCIAAL_WERKER, Role.BUURTCOORDINATOR) else [],
                        password=PASSWORD, must_change_password=False)
            users[role] = email
    with serve(app) as url:
        yield {"url": url, "users": users, "app": app}
