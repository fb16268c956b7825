"""The one list of what feature packages contribute to the shell.

Every contribution point is a typed ``add_...`` function a module calls in its
``init_app(app)``; the shell and the other modules read them back through
:func:`registry`. Nothing else is passed between modules through ``app.extensions``.

- navigation (:func:`add_nav`) and home-page tasks (:func:`add_home_section`),
- the beheerder's set-up checklist (:func:`add_setup_check`, :class:`SetupCheck`),
- demo data (:func:`add_demo_seeder`),
- monitorgesprek dossier sections (:func:`add_dossier_section`) and annual-report
  sections (:func:`add_annual_section`), both built from :class:`Section` / :class:`Table`,
- the story source the monitorgesprek chooses its stories from (:func:`set_story_source`),
- erasers for copies of erased content (:func:`add_eraser`),
- start-up / maintenance tasks (:func:`add_startup_task`) and periodic jobs (:func:`add_job`),
- hooks run after a restore (:func:`add_after_restore`),
- notification kinds (:func:`add_notification_kind`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, current_app

# --- navigation and home page ----------------------------------------------------------


@dataclass(order=True)
class NavItem:
    """A link in the main navigation, shown to those holding ``permission``."""

    order: int
    label: str = field(compare=False)
    endpoint: str = field(compare=False)
    permission: str = field(compare=False)


@dataclass
class HomeTask:
    """Something a person has to do, shown on their home page."""

    title: str
    url: str | None = None
    detail: str = ""
    urgency: str = "info"  # "info", "warning" or "error" (overdue)
    # Further links beside the title: (label, url), e.g. an agenda file to download.
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Trend:
    """A formatted figure with how it moved since the previous period.

    ``direction`` is ``"up"``, ``"down"``, ``"same"`` or ``""`` (no comparison possible);
    ``label`` is the text alternative of the arrow ("gestegen van 40 naar 52").
    """

    text: str
    direction: str = ""
    label: str = ""

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "same": "→"}.get(self.direction, "")


@dataclass
class HomeTable:
    """A small table on the home page; a cell is a formatted string or a :class:`Trend`."""

    caption: str
    headers: list[str]
    rows: list[list[str | Trend]]
    numeric: list[int] = field(default_factory=list)
    note: str = ""


@dataclass
class HomeSection:
    """A block of the home page, produced per user by a feature package.

    Besides its tasks a section may show tables (figures) and a link to read more.
    """

    heading: str
    tasks: list[HomeTask]
    empty_text: str = "Er is niets dat op u wacht."
    order: int = 100
    tables: list[HomeTable] = field(default_factory=list)
    more: tuple[str, str] | None = None  # (label, url)


@dataclass
class SetupCheck:
    """One item of the beheerder's set-up checklist: what a module needs before it works.

    ``missing`` says in Dutch what is still lacking (empty when the item is ready); ``url``
    is the page that fixes it.
    """

    title: str
    missing: list[str] = field(default_factory=list)
    url: str | None = None
    done_text: str = ""

    @property
    def done(self) -> bool:
        return not self.missing


@dataclass(order=True)
class SetupChecks:
    """``producer() -> list[SetupCheck]``: a module's set-up checks, under ``module``."""

    order: int
    module: str = field(compare=False)
    producer: Callable[[], list[SetupCheck]] = field(compare=False)


# --- dossier and annual-report sections ------------------------------------------------


@dataclass
class Table:
    """A table of formatted figures (the same in page, dossier, PDF and Word)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[int] = field(default_factory=list)  # right-aligned column indexes
    # Draw the table as a bar chart too (SVG, in page, dossier and PDF): "bars" charts the
    # first numeric column per row, "grouped" every numeric column. Only the figures the
    # table shows are drawn ("<5", "×" and "—" are gaps), so chart and table cannot disagree.
    chart: str = ""
    chart_columns: list[int] = field(default_factory=list)  # the columns to draw (default: numeric)


@dataclass
class Section:
    """One block of a monitorgesprek (part 1: impact, part 2: the story) or annual report.

    Figures are formatted (Dutch) and protected by the module that produces them: the
    dossier's audience (participants, residents, council members) is outside the owning
    organisations.
    """

    key: str
    title: str
    part: int = 1
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty_text: str = "Geen gegevens voor deze wijk en periode."
    # Story ids behind ``items`` (part 2), so a story withdrawn later can be blanked out.
    refs: list[int] = field(default_factory=list)
    # The whole stories behind ``refs`` (part 2), as :attr:`StorySource.dossier_story` gives
    # them: frozen with the dossier, blanked (text and photos) when a story is erased.
    stories: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        tables = [Table(**t) for t in data.get("tables", [])]
        return cls(**{**data, "tables": tables})


@dataclass(order=True)
class DossierSection:
    """``producer(wijk, period) -> Section | None``: a section of the monitorgesprek.

    :param missing_permission: who may see the section's ``missing`` list beyond the
        preparers' right (``None``: every preparer).
    """

    order: int
    key: str = field(compare=False)
    producer: Callable[[Any, Any], Section | None] = field(compare=False)
    missing_permission: str | None = field(default=None, compare=False)


@dataclass(order=True)
class AnnualSection:
    """``producer(report) -> Section | None``: the year's figures in an annual report.

    ``report`` has ``year``, ``scope`` ("wijk" or "organisatie"), ``wijk_id``,
    ``organisation_id``, ``subject``, ``wijk_ids`` (the wijken it covers) and
    ``protected``: ``True`` for the compilation read outside the organisation (counts of
    persons through the disclosure control), ``False`` for the one the organisation itself
    and the accounthouder read (its own figures exact). A producer that ignores it protects.
    """

    order: int
    key: str = field(compare=False)
    producer: Callable[[Any], Section | None] = field(compare=False)


# --- stories for the monitorgesprek ----------------------------------------------------


@dataclass
class StorySource:
    """How the monitorgesprek asks the story archive for stories (registered by the archive).

    :param candidates: ``(wijk, period) -> [{"id", "title", "summary"}]``, the stories the
        dossier's audience may read, newest first.
    :param feedback: ``(story_id, session_title, why)``: tell the storyteller why the
        session chose their story (the caller commits).
    :param published: ``(ids) -> ids`` still there for the dossier's audience.
    :param withdrawn: ``(ids) -> ids`` their tellers withdrew (``None``: every story no
        longer published counts as withdrawn).
    :param title: ``(story_id) -> title | None``: the current title of a story that still
        exists and was not withdrawn (for rewriting copies after an erasure).
    :param text: ``(story_id) -> {"title", "summary", "body"} | None``: the text of a story
        still there for the dossier's audience (the annual report quotes it), else ``None``.
    :param dossier_story: ``(story_id) -> dict | None``: the whole story as the dossier's
        audience may read it (``None`` when it is not there for them): ``id``, ``title``,
        ``summary``, ``body_html`` (sanitised), ``teller``, ``about``, ``place``, ``form``,
        ``qualities`` (names) and ``photos`` (``key``, ``alt``, ``caption``, ``width``,
        ``height``: only photos whose consent covers that audience).
    :param photo: ``(key, size) -> bytes | None``: a photo of such a story ("web" or
        "thumb"), ``None`` when it is gone or no longer there for that audience.
    :param photos_present: ``(keys) -> keys`` still there for the dossier's audience.
    """

    candidates: Callable[[Any, Any], Iterable[dict[str, Any]]]
    feedback: Callable[[int, str, str], Any]
    published: Callable[[set[int]], Iterable[int]]
    withdrawn: Callable[[set[int]], Iterable[int]] | None = None
    title: Callable[[int], str | None] | None = None
    text: Callable[[int], dict[str, str] | None] | None = None
    dossier_story: Callable[[int], dict[str, Any] | None] | None = None
    photo: Callable[[str, str], bytes | None] | None = None
    photos_present: Callable[[set[str]], Iterable[str]] | None = None


# --- operations ----------------------------------------------------------------------


@dataclass(order=True)
class StartupTask:
    """A reconciliation step run at start-up and by ``flask maintenance``; lower ``order`` first.

    ``func()`` runs in an app context and returns an optional one-line Dutch summary.
    """

    order: int
    name: str
    func: Callable[[], str | None]


@dataclass
class Job:
    """A periodic job: ``func(now)`` once per period of ``every``, run by the job worker
    (``flask --app wsgi worker``) and by ``flask --app wsgi jobs run-due [--now]``.

    ``now`` is the moment the run is for, as naive UTC (like every stored timestamp); with
    ``--now`` it is the given local time. ``func`` runs in an app context, commits its own
    work and returns an optional one-line Dutch summary. It must be idempotent and safe to
    run twice (notifications are, per occasion).

    Periods are aligned to the local clock (Europe/Amsterdam): ``every=timedelta(days=1)``
    runs once per day from midnight, ``offset=timedelta(hours=7)`` moves that to 07:00, and
    ``every=timedelta(hours=1)`` runs once per clock hour. A job is due when it has not run
    in the current period; a run that failed is tried again later in the period. Lower
    ``order`` runs first within one round (sending mail runs last, so reminders made in the
    same round go out at once).
    """

    name: str
    func: Callable[[Any], str | None]
    every: timedelta
    offset: timedelta = timedelta(0)
    order: int = 100


@dataclass(order=True)
class AfterRestore:
    """``func()`` runs after a restore, in an app context, once the data is back.

    ``name`` says what it rebuilds (``"zoekindex"``); ``func`` returns an optional summary.
    """

    order: int
    name: str = field(compare=False)
    func: Callable[[], str | None] = field(compare=False)


@dataclass
class NotificationKind:
    """A kind of notification a module sends through :func:`monitor.notifications.notify`.

    ``label`` names it on the preferences page; ``required`` kinds (an invitation, a
    password reset) are mailed whatever the preference, and carry no unsubscribe link.
    """

    key: str
    label: str
    description: str = ""
    required: bool = False


# --- the registry --------------------------------------------------------------------


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home: list[Callable[[Any], HomeSection | None]] = field(default_factory=list)
    setup_checks: list[SetupChecks] = field(default_factory=list)
    seeders: list[tuple[int, str, Callable[[Callable[[str], None]], None]]] = field(
        default_factory=list
    )
    dossier_sections: list[DossierSection] = field(default_factory=list)
    annual_sections: list[AnnualSection] = field(default_factory=list)
    story_source: StorySource | None = None
    erasers: dict[str, Callable[[str, Any], None]] = field(default_factory=dict)
    startup_tasks: list[StartupTask] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    after_restore: list[AfterRestore] = field(default_factory=list)
    notification_kinds: dict[str, NotificationKind] = field(default_factory=dict)


def registry(app: Flask | None = None) -> Registry:
    """The registry of ``app`` (default: the current app)."""
    app = app or current_app
    return app.extensions.setdefault("monitor_registry", Registry())


def add_nav(app: Flask, label: str, endpoint: str, permission: str, order: int) -> None:
    """Add a main-navigation link for holders of ``permission``."""
    registry(app).nav.append(NavItem(order, label, endpoint, permission))
    registry(app).nav.sort()


def add_home_section(app: Flask, producer: Callable[[Any], HomeSection | None]) -> None:
    """Register ``producer(user) -> HomeSection | None`` for the home page."""
    registry(app).home.append(producer)


def add_setup_check(app: Flask, order: int, module: str,
                    producer: Callable[[], list[SetupCheck]]) -> None:
    """Register ``producer() -> list[SetupCheck]``: what ``module`` needs before it works.

    It runs in a request (it may call ``url_for``) for the beheerder's start page and the
    set-up checklist; lower ``order`` first; a second registration of ``module`` replaces the first.
    """
    entries = registry(app).setup_checks
    entries[:] = [e for e in entries if e.module != module] + [SetupChecks(order, module, producer)]
    entries.sort()


def add_demo_seeder(
    app: Flask, order: int, name: str, seeder: Callable[[Callable[[str], None]], None]
) -> None:
    """Register ``seeder(echo)`` for ``seed-demo``; lower ``order`` runs first."""
    registry(app).seeders.append((order, name, seeder))
    registry(app).seeders.sort(key=lambda s: s[0])


def add_dossier_section(
    app: Flask, order: int, key: str, producer: Callable[[Any, Any], Section | None],
    missing_permission: str | None = None,
) -> None:
    """Add ``producer(wijk, period) -> Section | None`` to the monitorgesprek.

    Lower ``order`` comes first; a second registration of ``key`` replaces the first.
    """
    entries = registry(app).dossier_sections
    entries[:] = [e for e in entries if e.key != key]
    entries.append(DossierSection(order, key, producer, missing_permission))
    entries.sort()


def add_annual_section(app: Flask, order: int, key: str, producer: Callable[[Any], Section | None]) -> None:
    """Add ``producer(report) -> Section | None`` for the year's figures of an annual report."""
    entries = registry(app).annual_sections
    entries[:] = [e for e in entries if e.key != key] + [AnnualSection(order, key, producer)]
    entries.sort()


def set_story_source(app: Flask, source: StorySource) -> None:
    """Make ``source`` the archive the monitorgesprek chooses its stories from."""
    registry(app).story_source = source


def add_eraser(app: Flask, name: str, eraser: Callable[[str, Any], None]) -> None:
    """Add ``eraser(object_type, object_id)``, called by every ``monitor.erasure.erase``.

    Idempotent by name. It runs inside the erasing service's transaction: it changes rows,
    never commits.
    """
    registry(app).erasers[name] = eraser


def add_startup_task(app: Flask, name: str, func: Callable[[], str | None], order: int = 100) -> None:
    """Register ``func()`` (returning an optional one-line Dutch summary) to run at start-up.

    It runs when ``flask --app wsgi maintenance`` runs, when the job worker starts and then
    every hour as the worker's job ``onderhoud`` (see :mod:`monitor.ops.startup`).
    """
    tasks = registry(app).startup_tasks
    tasks.append(StartupTask(order, name, func))
    tasks.sort()


def startup_tasks(app: Flask) -> list[StartupTask]:
    """The registered start-up tasks of ``app`` in the order they run."""
    return list(registry(app).startup_tasks)


def add_job(app: Flask, name: str, func: Callable[[Any], str | None], every: timedelta, *,
            offset: timedelta = timedelta(0), order: int = 100) -> None:
    """Register a periodic job ``func(now: datetime)`` to run every ``every`` (idempotent by name).

    See :class:`Job` for ``offset`` (the time in the period, e.g. 07:00 for a daily job) and
    ``order``.
    """
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    registry(app).jobs[name] = Job(name, func, every, offset, order)


def add_after_restore(app: Flask, name: str, func: Callable[[], str | None], order: int = 100) -> None:
    """Register ``func()`` to run after ``flask restore`` has put the data back.

    :param name: what it rebuilds, as the restore reports it (``"zoekindex"``); a second
        registration of a name replaces the first.
    """
    hooks = registry(app).after_restore
    hooks[:] = [h for h in hooks if h.name != name] + [AfterRestore(order, name, func)]
    hooks.sort()


def add_notification_kind(app: Flask, kind: NotificationKind) -> None:
    """Declare a kind of notification a module sends (see :mod:`monitor.notifications`)."""
    registry(app).notification_kinds[kind.key] = kind
