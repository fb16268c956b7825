"""The fixed labels of a story that residents read, marked for the catalogues (issue 19 §4).

The enums in :mod:`.models` keep their Dutch labels (staff pages, documents, the audit
trail); the public pages show them through the ``vertaald`` filter
(:func:`monitor.i18n.translate_label`), which finds them here in the reader's language.
``tests/narratives/test_languages.py`` checks that every label is listed.
"""

from __future__ import annotations

from ..i18n import N_

PUBLIC_LABELS = (
    # StoryStatus.label (the resident's own page)
    N_("Concept"), N_("Wacht op moderatie"), N_("Teruggestuurd"), N_("Gepubliceerd"), N_("Afgewezen"),
    N_("Ingetrokken"),
    # Visibility.label
    N_("Openbaar (iedereen)"), N_("Raad (raadsleden en medewerkers)"), N_("Intern (alleen medewerkers)"),
    # StoryForm.label
    N_("Tekst"), N_("Fotoserie"), N_("Interview"), N_("Hoorspel"), N_("Theater"), N_("Anders"),
    # Teller.label
    N_("Een inwoner, in eigen woorden"), N_("Opgetekend door een professional"),
    # TellingWay.public_label
    N_("Verteld aan een medewerker, die het opschreef"), N_("Verteld in een andere taal en vertaald"),
    N_("Opgeschreven door een medewerker, samen met de verteller"),
    # ReportReason.label (the readers' report form)
    N_("Er staat iets in over iemand die dat niet wil (naam, adres, foto)"),
    N_("Het is kwetsend, beledigend of discriminerend"), N_("Het gaat over mij en ik wil dit niet"),
    N_("Er klopt iets niet"), N_("Iets anders"),
)
