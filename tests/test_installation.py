"""Issue 15: the gemeente's name, short name, logo and theme come from the installation's settings."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from PIL import Image

from monitor import storage
from monitor.models import Role

ROOT = Path(__file__).resolve().parent.parent


def _png(size=(400, 200), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def _save(client, **fields):
    data = {"municipality_name": "", "short_name": "", "theme": "", **fields}
    return client.post("/beheer/installatie", data=data, content_type="multipart/form-data")


def test_the_beheerder_names_the_gemeente_and_every_page_follows(app, login_as):
    admin = login_as(Role.ADMIN)
    home = admin.get("/start").get_data(as_text=True)
    assert "gemeente Hilversum" in home  # the environment's default (the tests' installation)
    response = _save(admin, municipality_name="Gooise Meren", short_name="GM", theme="tellen-groen")
    assert response.status_code == 302
    page = admin.get("/start").get_data(as_text=True)
    assert "gemeente Gooise Meren" in page and "gemeente Hilversum" not in page
    assert '<html lang="nl" dir="ltr" class="tellen-groen-theme">' in page
    assert "css/theme-tellen-groen.css" in page and "design-tokens" not in page
    assert "<title>" in page and "Tellen &amp; Vertellen GM</title>" in page
    # Residents' pages too, without signing in.
    public = app.test_client().get("/toegankelijkheid").get_data(as_text=True)
    assert "De gemeente Gooise Meren wil dat iedereen" in public
    # Emptied again: the environment's default comes back.
    _save(admin)
    assert "gemeente Hilversum" in admin.get("/start").get_data(as_text=True)


def test_a_logo_is_stored_shown_and_replaced(app, login_as):
    admin = login_as(Role.ADMIN)
    response = _save(admin, municipality_name="Hilversum", logo=(io.BytesIO(_png()), "logo.png"))
    assert response.status_code == 302
    page = admin.get("/start").get_data(as_text=True)
    src = re.search(r'<img class="site-logo__image" src="([^"]+)" alt="Logo gemeente Hilversum">', page).group(1)
    served = app.test_client().get(src)  # public: also on the sign-in page
    assert served.status_code == 200 and served.mimetype == "image/png"
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.height == 96 and image.width == 192  # made small, proportions kept
    with app.app_context():
        first_keys = list(storage.current().keys("huisstijl"))
    assert len(first_keys) == 1
    _save(admin, municipality_name="Hilversum", logo=(io.BytesIO(_png(colour=(0, 0, 200))), "nieuw.png"))
    with app.app_context():
        keys = list(storage.current().keys("huisstijl"))
    assert len(keys) == 1 and keys != first_keys  # the old file is gone
    assert app.test_client().get(src).status_code == 404
    _save(admin, municipality_name="Hilversum", remove_logo="y")
    assert "site-logo__image" not in admin.get("/start").get_data(as_text=True)


def test_a_file_that_is_no_image_gets_a_dutch_error_and_keeps_what_was_typed(app, login_as):
    admin = login_as(Role.ADMIN)
    response = _save(admin, municipality_name="Wijdemeren", short_name="WDM",
                     logo=(io.BytesIO(b"<svg onload=alert(1)></svg>"), "logo.svg"))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "geen bruikbare afbeelding (PNG of JPEG)" in text
    assert 'value="Wijdemeren"' in text and 'value="WDM"' in text
    assert "gemeente Wijdemeren" not in admin.get("/start").get_data(as_text=True)  # nothing saved
    with app.app_context():
        assert list(storage.current().keys("huisstijl")) == []


def test_an_unknown_theme_is_refused(login_as):
    admin = login_as(Role.ADMIN)
    response = _save(admin, municipality_name="Hilversum", theme="../../etc/passwd")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "utrecht-form-field-error-message" in text and "Not a valid" not in text
    assert "css/theme-tellen.css" in admin.get("/start").get_data(as_text=True)


def test_only_the_beheerder_changes_the_settings(login_as):
    for role in (Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.RAADSLID):
        client = login_as(role)
        assert client.get("/beheer/installatie").status_code == 403
        assert _save(client, municipality_name="Overgenomen").status_code == 403


def test_an_installation_without_a_name_asks_the_beheerder_for_it(app, login_as):
    app.config["MUNICIPALITY_NAME"] = ""
    admin = login_as(Role.ADMIN)
    page = admin.get("/inrichting").get_data(as_text=True)
    assert "De naam van de gemeente is nog niet ingesteld" in page
    assert "gemeente ·" not in admin.get("/start").get_data(as_text=True)


def test_no_utrecht_design_tokens_are_served_and_no_colour_is_hard_coded():
    package = json.loads((ROOT / "package.json").read_text())
    assert "@utrecht/design-tokens" not in package["dependencies"]
    assert "@utrecht/component-library-css" in package["dependencies"]
    assert "design-tokens" not in (ROOT / "scripts" / "copy-vendor.mjs").read_text()
    assert "design-tokens" not in (ROOT / "templates" / "base.html").read_text()
    hex_colour = re.compile(r"#[0-9a-fA-F]{3,6}\b")
    for css in (ROOT / "static" / "css").glob("*.css"):
        if css.name.startswith("theme-") or css.name == "document.css":  # document.css: PDFs
            continue
        assert not hex_colour.search(css.read_text()), css.name
    base = (ROOT / "static" / "css" / "theme-tellen.css").read_text()
    assert "--utrecht-button-primary-action-background-color: var(--tv-accent)" in base
    for theme in (ROOT / "static" / "css").glob("theme-*.css"):
        text = theme.read_text()
        assert text.startswith("/* Thema: ") and "--tv-accent:" in text
        assert "Gemeente Utrecht. All rights reserved" not in text
