"""Issue 14: the whole story and the full picture in the dossier, in documents a council accepts."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document
from lxml import etree
from pypdf import PdfReader

from monitor.catalogues import Quality
from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story, StoryPhoto

from ..counts.conftest import make_return  # noqa: F401  (fixture)
from ..narratives.conftest import image_bytes, make_story  # noqa: F401  (fixture)
from ..qim.conftest import make_plan, make_round  # noqa: F401  (fixtures)
from .conftest import docx_text, pdf_text
from .test_meetings_flow import open_session

BODY = "Elke **dinsdag** wieden we samen de moestuin.\n\nDaarna drinken we thee bij de kas."
PHOTO_URL = re.compile(r"/monitorgesprekken/foto/([A-Za-z0-9]+)/web")


def dutch(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def pdf_facts(data: bytes) -> dict:
    """What a council's document check looks at: language, tags, pages, bookmarks, images."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]

    def titles(outline) -> list[str]:
        found = []
        for entry in outline:
            found += titles(entry) if isinstance(entry, list) else [entry.title]
        return found

    return {"lang": str(root.get("/Lang")), "marked": bool(root.get("/MarkInfo", {}).get("/Marked")),
            "structure": "/StructTreeRoot" in root, "pages": len(reader.pages),
            "bookmarks": titles(reader.outline),
            # Pages share one resource dictionary: count the distinct images of the document.
            "images": len({i.name for p in reader.pages for i in p.images}),
            "first_page": reader.pages[0].extract_text()}


def docx_facts(data: bytes) -> dict:
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    defaults = document.styles.element.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docDefaults")
    return {"a4": (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7),
            "nl": "nl-NL" in etree.tostring(defaults).decode(),
            "normal_nl": 'w:val="nl-NL"' in document.styles["Normal"].element.xml,
            "pictures": len(document.inline_shapes), "language": document.core_properties.language}


def _add_photo(client, story_id: int, alt: str, *, caption: str = "", recognisable: bool = False) -> None:
    colour = (len(alt) * 7 % 256, 90, 160)  # a different picture per photo
    data = {"nieuw-photo-file": (io.BytesIO(image_bytes(color=colour)), "foto.jpg"), "nieuw-photo-alt_text": alt,
            "nieuw-photo-caption": caption}
    if recognisable:
        data["nieuw-photo-recognisable_people"] = data["nieuw-photo-portrait_consent"] = "y"
    response = client.post(f"/verhalen/verhaal/{story_id}/fotos", data=data, content_type="multipart/form-data")
    assert response.status_code == 302


def _story_with_photos(app, make_story, coordinator) -> tuple[int, str]:  # noqa: F811
    story_id = make_story(wijk="Oost", title="De moestuin achter de flat", body=BODY, about=date(2026, 2, 1),
                          qualities=("K1",), summary="Buren die samen groente kweken.")
    _add_photo(coordinator, story_id, "Tomaten aan de plant", caption="De eerste oogst")
    _add_photo(coordinator, story_id, "Buren wieden samen", recognisable=True)
    _add_photo(coordinator, story_id, "Kinderen bij de kas", recognisable=True)
    with app.app_context():
        story = db.session.get(Story, story_id)
        story.teller_name = "Fatima"
        # A photo from before the portrait consent was asked: recognisable, without consent.
        legacy = db.session.scalar(sa.select(StoryPhoto).where(StoryPhoto.alt_text == "Kinderen bij de kas"))
        legacy.portrait_consent = False
        db.session.commit()
        quality = db.session.scalar(sa.select(Quality.name).where(Quality.code == "K1"))
    return story_id, quality


def _issue(app, coordinator, story_id: int) -> int:
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    assert coordinator.post(f"/monitorgesprekken/{session_id}/verhalen", data={
        "story-story_id": str(story_id), "story-storyteller_present": "y"}).status_code == 302
    assert coordinator.post(f"/monitorgesprekken/{session_id}/dossier").status_code == 302
    return session_id


@pytest.mark.slow
def test_the_council_reads_the_whole_story_and_the_full_picture_in_page_pdf_and_word(
        narr_app, make_story, make_return, make_plan, make_round, login_as):  # noqa: F811
    app = narr_app
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id, quality = _story_with_photos(app, make_story, coordinator)
    # Tellen: 40 meldingen now against 20 in each of the three periods before.
    for year, tertial, meldingen in ((2025, 1, 20), (2025, 2, 20), (2025, 3, 20), (2026, 1, 40)):
        make_return("Versa Welzijn", "Oost", year, tertial, meldingen=meldingen, closed_total=10,
                    hours={"buurtwerk": 200}, volunteers=6, fte=1)
    # QIM in the Geuzenbuurt (Oost): four groups; one too small to show, so a second is masked.
    scores = {"Bewoners": [4, 5, 5, 4, 5, 6], "Professionals": [8, 8, 9, 8, 7, 8, 8],
              "Ondernemers": [6, 7, 6, 7, 6], "Jongeren": [2, 3, 2]}
    plan = make_plan("Geuzenbuurt", 2026, qualities=("K1",), groups=tuple(scores))
    make_round(plan, 2026, 1, scores={("K1", g): v for g, v in scores.items()})
    session_id = _issue(app, coordinator, story_id)

    council = login_as(Role.RAADSLID)
    page = council.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    # The story whole: sanitised Markdown, teller as consented, qualities, consented photos only.
    assert "<strong>dinsdag</strong>" in page and "Buren die samen groente kweken." in page
    assert "Fatima" in page and "de verteller is aanwezig" in page and quality in page
    assert 'alt="Tomaten aan de plant"' in page and "De eerste oogst" in page
    assert 'alt="Buren wieden samen"' in page and "Kinderen bij de kas" not in page
    keys = PHOTO_URL.findall(page)
    assert len(set(keys)) == 2
    for key in keys:
        photo = council.get(f"/monitorgesprekken/foto/{key}/web")
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
        assert photo.headers["Cache-Control"] == "no-store"

    # QIM per group with their difference; the small group and its complement masked.
    means = {g: sum(v) / len(v) for g, v in scores.items()}
    row = page[page.index('caption">Oordelen per groep belanghebbenden, buurt Geuzenbuurt'):]
    row = row[row.index(f'header-cell">{quality}<'):][:900]
    assert f"{dutch(means['Bewoners'])} (n=6)" in row and f"{dutch(means['Professionals'])} (n=7)" in row
    assert "&lt;5" in row and "×" in row
    assert dutch(means["Jongeren"]) not in row and dutch(means["Ondernemers"]) not in row
    spread = round(means["Professionals"], 1) - round(means["Bewoners"], 1)
    assert f"{dutch(spread)} punt (uiteenlopend)" in row
    assert "<svg" in page and "dossier-chart" in page  # the chart beside its table

    # Tellen: against the period before and a year before, with the outlier.
    counts = page[page.index(">Nieuwe meldingen<"):][:700]
    assert ">40<" in counts and ">20<" in counts and counts.count("+100%") == 2
    assert "uitschieter: 100% boven het gemiddelde van de 3 perioden ervoor" in counts

    pdf = council.get(f"/monitorgesprekken/{session_id}/dossier.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    facts = pdf_facts(pdf.data)
    assert facts["lang"] == "nl" and facts["marked"] is True and facts["structure"]
    assert facts["pages"] > 0 and facts["images"] == 2
    assert "Deel 2 — Het verhaal" in facts["bookmarks"] and "De moestuin achter de flat" in facts["bookmarks"]
    text = pdf_text(pdf.data)
    assert "Gemeente Hilversum · wijk Oost · mei 2026" in text and re.search(r"Pagina 1 van \d+", text)
    assert "dinsdag wieden we samen de moestuin" in text and "Fatima" in text
    assert re.search(r"Nieuwe meldingen\s+40\s+20\s+\+100%", text)
    assert f"{dutch(means['Professionals'])} (n=7)" in text and "Kinderen bij de kas" not in text

    word = council.get(f"/monitorgesprekken/{session_id}/dossier.docx")
    assert word.status_code == 200 and word.headers["Cache-Control"] == "no-store"
    facts = docx_facts(word.data)
    assert facts["a4"] and facts["nl"] and facts["normal_nl"] and facts["language"] == "nl-NL"
    assert facts["pictures"] == 2
    text = docx_text(word.data)
    assert "dinsdag wieden we samen de moestuin" in text and "Fatima" in text
    assert "Nieuwe meldingen" in text and "+100%" in text and f"{dutch(means['Bewoners'])} (n=6)" in text


@pytest.mark.slow
def test_a_withdrawn_story_leaves_every_issued_dossier_text_and_photos(
        narr_app, make_story, login_as):  # noqa: F811
    app = narr_app
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id, _ = _story_with_photos(app, make_story, coordinator)
    session_id = _issue(app, coordinator, story_id)
    council = login_as(Role.RAADSLID)
    url = f"/monitorgesprekken/{session_id}/dossier"
    keys = set(PHOTO_URL.findall(council.get(url).get_data(as_text=True)))
    assert len(keys) == 2
    with app.app_context():
        archive_keys = list(db.session.scalars(sa.select(StoryPhoto.file_key).where(StoryPhoto.story_id == story_id)))
    accounthouder, report_url = _compile_report(app, login_as)
    report = accounthouder.get(report_url).get_data(as_text=True)
    assert "dinsdag" in report and set(PHOTO_URL.findall(report)) == keys
    assert "dinsdag" in pdf_text(accounthouder.get(report_url + ".pdf").data)

    assert coordinator.post(f"/verhalen/verhaal/{story_id}/intrekken").status_code == 302
    page = council.get(url).get_data(as_text=True)
    pdf = council.get(url + ".pdf").data
    word = council.get(url + ".docx").data
    report = accounthouder.get(report_url).get_data(as_text=True)
    report_pdf = accounthouder.get(report_url + ".pdf").data
    report_word = accounthouder.get(report_url + ".docx").data
    assert not PHOTO_URL.findall(report)
    assert pdf_facts(report_pdf)["images"] == 0 and docx_facts(report_word)["pictures"] == 0
    for text in (page, pdf_text(pdf), docx_text(word), report, pdf_text(report_pdf), docx_text(report_word)):
        assert "Dit verhaal is ingetrokken door de verteller." in text
        for gone in ("De moestuin achter de flat", "dinsdag", "groente kweken", "Fatima", "Tomaten",
                     "De eerste oogst", "Buren wieden"):
            assert gone not in text, gone
    assert not PHOTO_URL.findall(page)
    assert pdf_facts(pdf)["images"] == 0 and docx_facts(word)["pictures"] == 0
    for key in keys:
        assert council.get(f"/monitorgesprekken/foto/{key}/web").status_code in (404, 410)
        assert coordinator.get(f"/monitorgesprekken/foto/{key}/thumb").status_code in (404, 410)
    for key in archive_keys:
        assert council.get(f"/verhalen/foto/{key}/web").status_code == 410


@pytest.mark.slow
def test_the_annual_report_documents_are_tagged_dutch_a4_and_tell_the_story(
        narr_app, make_story, login_as):  # noqa: F811
    app = narr_app
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id, _ = _story_with_photos(app, make_story, coordinator)
    _issue(app, coordinator, story_id)
    accounthouder, report_url = _compile_report(app, login_as)
    assert accounthouder.post(report_url, data={"introduction": "Een jaar samen tellen.",
                                                "conclusions": "Meer ontmoeting nodig."}).status_code == 302
    pdf = accounthouder.get(report_url + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    facts = pdf_facts(pdf.data)
    assert facts["lang"] == "nl" and facts["marked"] and facts["structure"] and facts["pages"] > 0
    assert facts["images"] == 2 and "Conclusies" in facts["bookmarks"]
    text = pdf_text(pdf.data)
    assert "Gemeente Hilversum · Oost · jaarrapportage 2026" in text
    for expected in ("Een jaar samen tellen.", "Meer ontmoeting nodig.", "dinsdag wieden we samen", "Fatima"):
        assert expected in text, expected
    word = accounthouder.get(report_url + ".docx")
    facts = docx_facts(word.data)
    assert facts["a4"] and facts["nl"] and facts["normal_nl"] and facts["pictures"] == 2
    text = docx_text(word.data)
    assert "dinsdag wieden we samen" in text and "Meer ontmoeting nodig." in text


def _compile_report(app, login_as) -> tuple:
    accounthouder = login_as(Role.ACCOUNTHOUDER)
    with app.app_context():
        from monitor.models import Wijk

        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
    response = accounthouder.post("/monitorgesprekken/jaarrapportages", data={"year": "2026", "subject": f"wijk-{oost}"})
    report_url = response.headers["Location"]
    accounthouder.post(report_url, data={"introduction": "", "conclusions": "", "samenstellen": "1"})
    return accounthouder, report_url


def test_an_issued_dossier_keeps_the_story_as_it_was_when_the_story_is_edited_later(
        narr_app, make_story, login_as):  # noqa: F811
    app = narr_app
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id = make_story(wijk="Oost", title="Het bankje bij de vijver", body="Iedere ochtend zit Kees daar.",
                          about=date(2026, 3, 1), summary="Een plek om te praten.")
    session_id = _issue(app, coordinator, story_id)
    with app.app_context():
        story = db.session.get(Story, story_id)
        wijk_id, about = story.wijk_id, story.about_date.isoformat()
        qualities = [str(q.id) for q in story.qualities]
    edit = coordinator.post(f"/verhalen/verhaal/{story_id}/bewerken", data={
        "title": "Het nieuwe bankje", "summary": "Een plek om te praten.",
        "body": "Nu staat er een nieuw bankje.", "wijk_id": str(wijk_id), "buurt_id": "",
        "about_date": about, "form": "tekst", "quality_ids": qualities, "tags": "",
        "teller": "inwoner", "teller_name": "", "consent_given": "y", "consent_method": "schriftelijk",
        "consent_date": about})
    assert edit.status_code == 302, edit.get_data(as_text=True)
    _add_photo(coordinator, story_id, "Het nieuwe bankje in de zon")
    page = login_as(Role.RAADSLID).get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    assert "Iedere ochtend zit Kees daar." in page and "Het bankje bij de vijver" in page
    assert "Nu staat er een nieuw bankje." not in page and "in de zon" not in page


def test_a_chart_draws_only_what_its_table_shows(app):
    from monitor.meetings.charts import chart_svg, parse_number
    from monitor.registry import Table

    assert [parse_number(t) for t in ("1.234,5", "7,5 (n=8)", "45%", "<5", "×", "—", "−3")] == \
        [1234.5, 7.5, 45.0, None, None, None, -3.0]
    table = Table("Oordelen", ["Kwaliteit", "Bewoners", "Professionals", "Verschil"],
                  [["Ontmoeting", "4,8 (n=6)", "<5", "—"]], numeric=[1, 2, 3], chart="grouped",
                  chart_columns=[1, 2])
    svg = str(chart_svg(table.__dict__))
    assert svg.count("<rect") == 2 + 1  # the legend of two series, one bar: "<5" is a gap
    assert "&lt;5" in svg and "style=" not in svg and "<script" not in svg
    assert chart_svg(Table("Geen grafiek", ["a", "b"], [["x", "1"]], numeric=[1])) == ""


@pytest.mark.slow
def test_an_unnamed_installation_prints_no_empty_gemeente_and_its_logo_heads_the_document(
        narr_app, make_story, login_as):  # noqa: F811
    app = narr_app
    app.config["MUNICIPALITY_NAME"] = ""
    admin = login_as(Role.ADMIN)
    saved = admin.post("/beheer/installatie", data={
        "municipality_name": "", "short_name": "", "municipality_code": "", "theme": "",
        "logo": (io.BytesIO(image_bytes("PNG", (200, 80))), "logo.png")},
        content_type="multipart/form-data")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id, _ = _story_with_photos(app, make_story, coordinator)
    session_id = _issue(app, coordinator, story_id)
    pdf = coordinator.get(f"/monitorgesprekken/{session_id}/dossier.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    assert "wijk Oost · mei 2026" in text and "Gemeente" not in text.split("wijk Oost · mei 2026")[0]
    assert pdf_facts(pdf.data)["images"] == 3  # the two photos and the logo
    word = coordinator.get(f"/monitorgesprekken/{session_id}/dossier.docx")
    assert "Gemeente  ·" not in docx_text(word.data) and "Gemeente ·" not in docx_text(word.data)
