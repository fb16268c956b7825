"""Demo stories drawn from the situations in the source documents, with drawn photos."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import photos, search
from ..catalogues import Quality
from ..extensions import db
from ..models import Buurt, User, Wijk
from ..timeutil import utcnow
from . import engines, services
from .models import ConsentMethod, Story, StoryForm, StoryStatus, Teller, Visibility
from .services import photo_files

SEED = 20180401  # the day the Meent's ontmoetingscentrum opened (source 000)

# (title, summary, body, wijk, buurt or None, qualities, tags, form, teller)
SITUATIONS = [
    ("Koffie en geheugen in de Meent",
     "In het nieuwe ontmoetingscentrum van de Hilversumse Meent vinden ouderen met beginnende "
     "geheugenproblemen elke week een vaste plek.",
     "Sinds april is er in onze wijk een **ontmoetingscentrum** voor ouderen. Vrijwilligers van de "
     "bewonersvereniging zetten de koffie, een medewerker van HilverZorg kent iedereen bij naam.\n\n"
     "*'Ik kwam eerst alleen voor de koffie,'* vertelt een deelnemer van 81. *'Nu help ik met de "
     "krant voorlezen.'* Haar dochter merkt het thuis: haar moeder is rustiger en zij heeft als "
     "mantelzorger een ochtend voor zichzelf.",
     "Hilversumse Meent", "Hilversumse Meent", ["K1", "K3", "K7"], "ouderen, ontmoeting, mantelzorg",
     StoryForm.INTERVIEW, Teller.PROFESSIONAL),
    ("Vrijwilligers van de bewonersvereniging",
     "Zes buurtbewoners houden het ontmoetingscentrum in de Meent draaiende; vervanging is "
     "onderling geregeld.",
     "Wie op dinsdag ziek is, belt Kees, en Kees regelt het. Zo simpel kan het zijn. De "
     "bewonersvereniging begon met twee vrijwilligers, nu zijn het er zes.\n\n- koffie en thee\n"
     "- samen de boodschappenlijst maken\n- een wandeling rond de vijver\n\nDe buurt zorgt hier "
     "voor de buurt.",
     "Hilversumse Meent", "Hilversumse Meent", ["K2", "K1"], "vrijwilligers, bewonersvereniging",
     StoryForm.TEKST, Teller.INWONER),
    ("De weg naar het ontmoetingscentrum",
     "Veel ouderen in de Meent weten de nieuwe voorziening nog niet te vinden; een buurvrouw "
     "nam haar buurman mee.",
     "Van de 1.300 inwoners boven de 65 in de Meent komen er nog maar een paar. Een buurvrouw "
     "besloot haar buurman gewoon mee te nemen. *'Hij zat de hele dag binnen.'* Nu gaat hij "
     "twee keer per week, en vraagt hij zelf of zij meegaat.",
     "Hilversumse Meent", "Hilversumse Meent", ["K4", "K6"], "ouderen, eenzaamheid, buren",
     StoryForm.TEKST, Teller.INWONER),
    ("Na de brand: De Kleine Lelie",
     "Na de brand in buurthuis De Lelie kwam er aan de Hilvertsweg een tijdelijke plek: "
     "De Kleine Lelie, met een wijksteunpunt.",
     "De ochtend na de brand stonden buurtbewoners voor het zwartgeblakerde buurthuis. "
     "*'Waar moeten we nu heen?'* Samen met de buurt werd een tijdelijke plek gevonden aan de "
     "Hilvertsweg: **De Kleine Lelie**.\n\nVersa, MEE en de buurtcoördinator zitten er nu "
     "samen in het wijksteunpunt. Door de grote ramen aan de drukke weg lopen mensen makkelijk "
     "binnen.",
     "Zuid", "Bloemenbuurt", ["K1", "K6"], "buurthuis, brand, wijksteunpunt",
     StoryForm.FOTOSERIE, Teller.PROFESSIONAL),
    ("Een Syrische taal- en cultuurgroep in De Kleine Lelie",
     "Nieuwe Hilversummers uit Syrië begonnen in De Kleine Lelie een eigen groep; buurtgenoten "
     "schuiven aan.",
     "Elke donderdagmiddag ruikt De Kleine Lelie naar kardemom. De taal- en cultuurgroep is "
     "door bewoners zelf opgezet. Wie Nederlands wil oefenen, komt; wie Arabisch wil leren, "
     "ook.\n\n> 'Hier ben ik geen nieuwkomer, hier ben ik buurvrouw.'",
     "Zuid", "Bloemenbuurt", ["K2", "K4", "K5"], "taal, cultuur, nieuwkomers",
     StoryForm.INTERVIEW, Teller.INWONER),
    ("Het ombudsmanspreekuur",
     "In De Kleine Lelie ontstond uit de wijk een spreekuur waar bewoners terechtkunnen met "
     "brieven en klachten.",
     "Een gepensioneerde jurist uit de Bloemenbuurt bood aan om één ochtend per week brieven "
     "door te nemen met buurtbewoners. Het **ombudsmanspreekuur** was geboren. Soms is het "
     "een toeslag, soms een conflict met de verhuurder.",
     "Zuid", "Bloemenbuurt", ["K6", "K7"], "spreekuur, formulieren, vrijwilligers",
     StoryForm.TEKST, Teller.PROFESSIONAL),
    ("Samen in de tuin",
     "Een vrijwilliger van de vrijwillige thuishulp helpt een oudere buurman met zijn tuin; "
     "er groeit meer dan alleen groente.",
     "Hij kan niet meer bukken, zij houdt van tuinieren. Via de coördinator vrijwillige "
     "thuishulp van Versa Welzijn vonden ze elkaar. *'Eigenlijk drinken we vooral koffie,'* "
     "zegt ze lachend. De tuin ziet er beter uit dan ooit.",
     "Oost", "Geuzenbuurt", ["K7", "K3"], "vrijwillige thuishulp, tuin, ouderen",
     StoryForm.FOTOSERIE, Teller.INWONER),
    ("Boodschappen op vrijdag",
     "Vrijwillige thuishulp: elke vrijdag doet een student de boodschappen met een buurvrouw "
     "die slecht ter been is.",
     "Ze gaan samen, langzaam, met de rollator. Het gaat niet om de boodschappen, zegt de "
     "coördinator van de vrijwillige thuishulp: *het gaat om het contact.* De buurvrouw kent "
     "nu de kassières bij naam.",
     "Oost", "Electrobuurt", ["K7", "K4"], "vrijwillige thuishulp, boodschappen",
     StoryForm.TEKST, Teller.PROFESSIONAL),
    ("Even vrijaf voor de mantelzorger",
     "Een maatje uit de vrijwillige thuishulp blijft een middag bij een zieke man, zodat zijn "
     "vrouw even op adem kan komen.",
     "Veertig jaar getrouwd, drie jaar mantelzorger. Eén middag per week gaat ze nu naar de "
     "markt, of gewoon naar het bos. Het maatje is getraind door Versa Welzijn en weet wat "
     "hij moet doen als het niet goed gaat.",
     "Noordwest", "Trompenberg-Zuid", ["K3", "K7", "K6"], "mantelzorg, maatje, vrijwillige thuishulp",
     StoryForm.INTERVIEW, Teller.PROFESSIONAL),
    ("De jongerenwerker op het pleintje",
     "Een jongerenwerker van Versa maakt contact met een groep jongeren die elke avond op het "
     "pleintje hangt.",
     "Eerst stond hij er gewoon. Een week, twee weken. Toen vroeg een van de jongens wat hij "
     "kwam doen. *'Met jullie praten.'* Nu organiseren de jongeren zelf een voetbaltoernooi "
     "voor de kinderen uit de buurt, en weet de jongerenwerker wie er thuis problemen heeft.",
     "Oost", "Kleine Driftbuurt", ["K5", "K1"], "jongeren, jongerenwerk, voetbal",
     StoryForm.TEKST, Teller.PROFESSIONAL),
    ("Van hangplek naar podium",
     "Jongeren uit Noordwest maakten met hun jongerenwerker een muziekavond voor de buurt.",
     "De buurt klaagde over lawaai. De jongerenwerker stelde voor: maak er een echte avond "
     "van. Ze regelden een podium in het buurthuis, nodigden de buren uit en draaiden hun "
     "eigen muziek. De klagende buurman kwam ook, en bleef tot het eind.",
     "Noordwest", "Mediapark", ["K5", "K2", "K1"], "jongeren, muziek, buurthuis",
     StoryForm.HOORSPEL, Teller.INWONER),
    ("Moestuinen bij de school",
     "Kinderen en buurtbewoners werken samen in de schooltuin; Urban Farming brengt de buurt "
     "naar buiten.",
     "Twintig vrijwilligers, honderden kinderen en heel veel pompoenen. In de tuinen bij de "
     "scholen leren kinderen waar hun eten vandaan komt, en ontmoeten ouders en buurtbewoners "
     "elkaar tussen de bedden.",
     "Centrum", None, ["K1", "K5", "K3"], "urban farming, kinderen, tuin",
     StoryForm.FOTOSERIE, Teller.PROFESSIONAL),
]

QUOTES = [
    "Een bewoner zei na afloop: 'Dit had ik een jaar geleden niet gedacht.'",
    "De buurtcoördinator merkt dat mensen elkaar sneller weten te vinden.",
    "Volgende maand gaan ze verder, dan met nog meer buurtbewoners.",
    "Het begon klein, maar in de buurt praten mensen erover.",
]

PALETTES = [
    ((200, 225, 240), (120, 170, 90), (230, 200, 160), (170, 60, 50)),
    ((250, 230, 200), (140, 160, 80), (210, 210, 220), (60, 90, 150)),
    ((220, 235, 220), (100, 140, 70), (240, 220, 180), (120, 70, 40)),
]


def _lookup():
    wijken = {w.name: w for w in db.session.scalars(sa.select(Wijk))}
    buurten = {(b.wijk.name, b.name): b for b in db.session.scalars(sa.select(Buurt))}
    qualities = {q.code: q for q in db.session.scalars(sa.select(Quality))}
    return wijken, buurten, qualities


def seed_demo_stories(echo: Callable[[str], None]) -> None:
    """Add 36 demo stories (12 situations × 3 moments) with drawn photos; index them.

    Idempotent: stories are recognised by their fixed reference (``VH-DEMO..``).
    """
    rnd = random.Random(SEED)
    wijken, buurten, qualities = _lookup()
    author = db.session.scalar(sa.select(User).where(User.email == "sociaalwerker@hilversum.demo"))
    coordinator = db.session.scalar(sa.select(User).where(User.email == "buurtcoordinator@hilversum.demo"))
    existing = set(db.session.scalars(sa.select(Story.reference).where(Story.reference.like("VH-DEMO%"))))
    created: list[Story] = []
    today = date.today()
    number = 0
    for round_ in range(3):
        for index, (title, summary, body, wijk, buurt, codes, tags, form, teller) in enumerate(SITUATIONS):
            number += 1
            reference = f"VH-DEMO{number:02d}"
            quote = QUOTES[rnd.randrange(len(QUOTES))]
            about = today - timedelta(days=60 + round_ * 300 + rnd.randrange(200))
            photo_count = rnd.choice([0, 1, 2]) if form != StoryForm.FOTOSERIE else 3
            roll = rnd.random()
            if reference in existing:
                continue
            status = StoryStatus.GEPUBLICEERD
            if round_ == 0 and index in (1, 6):
                status = StoryStatus.INGEDIEND
            elif round_ == 0 and index == 9:
                status = StoryStatus.TERUGGESTUURD
            visibility = (Visibility.OPENBAAR if roll < 0.6 else
                          Visibility.RAAD if roll < 0.85 else Visibility.INTERN)
            professional = teller == Teller.PROFESSIONAL
            story = Story(
                reference=reference,
                title=title if round_ == 0 else f"{title} ({about.year})",
                summary=summary, body=f"{body}\n\n{quote}",
                wijk=wijken[wijk], buurt=buurten.get((wijk, buurt)) if buurt else None,
                about_date=about, form=form, teller=teller, tags=tags,
                visibility=visibility, status=status,
                author=author if professional else None,
                contributed_publicly=not professional,
                consent_given=True,
                consent_method=ConsentMethod.SCHRIFTELIJK if professional else ConsentMethod.ONLINE,
                consent_date=about,
                consent_recorded_by=(f"{author.name} ({author.email})" if professional and author
                                     else "De inwoner zelf, via het online formulier"),
                submitted_at=utcnow(),
                moderation_remarks=("Kun je de naam van de jongen weglaten en iets meer vertellen "
                                    "over het toernooi?" if status == StoryStatus.TERUGGESTUURD else ""),
            )
            story.qualities = [qualities[c] for c in codes if c in qualities]
            if status == StoryStatus.GEPUBLICEERD:
                story.published_at = utcnow()
                story.published_by = coordinator
            db.session.add(story)
            inputs = [
                services.PhotoInput(
                    stream=io.BytesIO(photos.demo_image(SEED + number * 10 + i,
                                                        f"{wijk} {i + 1}", PALETTES[(number + i) % 3])),
                    alt_text=f"Getekende illustratie bij '{title}': huizen, bomen en figuren ({i + 1})",
                    caption=f"{wijk}, {about.year}")
                for i in range(photo_count)
            ]
            written: list[str] = []
            photo_files._attach_photos(story, photo_files._prepare_photos(inputs), written)
            created.append(story)
    db.session.flush()
    published = [s for s in created if s.status == StoryStatus.GEPUBLICEERD]
    if published and engines.current().same_transaction:
        engines.current().write([s.id for s in published])  # committed with the stories
    elif published:
        dirname = current_app.config["SEARCH_INDEX_DIR"]
        with search.writer_lock(dirname, timeout=60):
            search.write(dirname, [services.document(s) for s in published], [])
    echo(f"  {len(created)} verhalen toegevoegd ({len(published)} gepubliceerd en geïndexeerd).")
