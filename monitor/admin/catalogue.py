"""The beheerder's quality catalogue and maatschappelijke doelen: create, edit, order,
deactivate, and delete only what nothing uses yet (audited)."""

from __future__ import annotations

import sqlalchemy as sa

from .. import audit
from ..catalogues import Quality, SocietalGoal, city_goals, city_qualities, quality_goals
from ..errors import DomainError
from ..extensions import db

QUALITY_FIELDS = ("code", "name", "description", "position", "active")
GOAL_FIELDS = ("code", "name", "position", "active")


def _quality_snapshot(quality: Quality) -> dict:
    data = audit.snapshot(quality, QUALITY_FIELDS)
    data["goals"] = [g.code for g in quality.goals]
    return data


def uses(table_name: str, object_id: int, skip: frozenset[str] = frozenset()) -> int:
    """How many rows of any table (stories, plans, sessions, …) refer to ``object_id``.

    Read from the schema's foreign keys, so a module added later is counted too without
    this module knowing it.
    """
    total = 0
    for table in db.metadata.tables.values():
        if table.name in skip:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == table_name:
                total += db.session.scalar(
                    sa.select(sa.func.count()).select_from(table).where(fk.parent == object_id)) or 0
    return total


def quality_in_use(quality: Quality) -> bool:
    """Whether stories, QIM plans, monitorgesprekken or initiatives use the quality."""
    return uses("qualities", quality.id, frozenset({quality_goals.name})) > 0


def goal_in_use(goal: SocietalGoal) -> bool:
    """Whether a quality (or anything else) refers to the doel."""
    return uses("societal_goals", goal.id) > 0


def _clean_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not code or any(c.isspace() for c in code):
        raise DomainError("Een code is kort en zonder spaties, bijvoorbeeld K8.", "code")
    return code


def _check_unique(model, code: str, name: str, exclude_id: int | None) -> None:
    # Compared in Python (casefold), as the admin's other names: SQLite's lower() is ASCII only.
    query = sa.select(model.id, model.code, model.name)
    for row_id, other_code, other_name in db.session.execute(query):
        if row_id == exclude_id:
            continue
        if other_code.casefold() == code.casefold():
            raise DomainError("Deze code bestaat al.", "code")
        if other_name.strip().casefold() == name.casefold():
            raise DomainError("Deze naam bestaat al.", "name")


def _goals(ids: list[int]) -> list[SocietalGoal]:
    ids = sorted(set(ids or []))
    goals = list(db.session.scalars(sa.select(SocietalGoal).where(SocietalGoal.id.in_(ids or [-1]))))
    if len(goals) != len(ids):
        raise DomainError("Kies alleen bestaande doelen.", "goal_ids")
    return goals


def save_quality(quality: Quality | None, *, code: str, name: str, description: str = "",
                 goal_ids: list[int] | None = None) -> Quality:
    """Create or change a city-wide quality; a new one comes last in the catalogue.

    :raise DomainError: duplicate code or name, a code change of a quality in use, or an
        unknown doel.
    """
    code, name = _clean_code(code), (name or "").strip()
    if not name:
        raise DomainError("Vul een naam in.", "name")
    _check_unique(Quality, code, name, quality.id if quality else None)
    goals = _goals(goal_ids or [])
    if quality is None:
        last = max((q.position for q in city_qualities(active_only=False)), default=0)
        quality = Quality(code=code, name=name, description=(description or "").strip(),
                          position=last + 1, active=True)
        quality.goals = goals
        db.session.add(quality)
        audit.record("quality.create", quality, new=_quality_snapshot(quality), summary=name)
    else:
        if quality.buurt_id is not None:
            raise DomainError("Een eigen kwaliteit van een buurt wijzigt u in het QIM-plan.")
        if code != quality.code and quality_in_use(quality):
            raise DomainError("Deze kwaliteit is al gebruikt; haar code verandert niet meer.", "code")
        old = _quality_snapshot(quality)
        quality.code, quality.name, quality.description = code, name, (description or "").strip()
        quality.goals = goals
        before, after = audit.changes(old, _quality_snapshot(quality))
        if after:
            audit.record("quality.update", quality, old=before, new=after, summary=name)
    db.session.commit()
    return quality


def save_goal(goal: SocietalGoal | None, *, code: str, name: str) -> SocietalGoal:
    """Create or change a maatschappelijk doel. :raise DomainError: duplicate code or name."""
    code, name = _clean_code(code), (name or "").strip()
    if not name:
        raise DomainError("Vul een naam in.", "name")
    _check_unique(SocietalGoal, code, name, goal.id if goal else None)
    if goal is None:
        last = max((g.position for g in city_goals()), default=0)
        goal = SocietalGoal(code=code, name=name, position=last + 1, active=True)
        db.session.add(goal)
        audit.record("societal_goal.create", goal, new=audit.snapshot(goal, GOAL_FIELDS), summary=name)
    else:
        if code != goal.code and goal_in_use(goal):
            raise DomainError("Dit doel is al aan kwaliteiten gekoppeld; zijn code verandert niet meer.",
                              "code")
        old = audit.snapshot(goal, GOAL_FIELDS)
        goal.code, goal.name = code, name
        before, after = audit.changes(old, audit.snapshot(goal, GOAL_FIELDS))
        if after:
            audit.record("societal_goal.update", goal, old=before, new=after, summary=name)
    db.session.commit()
    return goal


def set_active(entry: Quality | SocietalGoal, active: bool) -> None:
    """(De)activate a quality or doel: it stays with what used it, but is no longer offered."""
    if entry.active == active:
        return
    entry.active = active
    kind = "quality" if isinstance(entry, Quality) else "societal_goal"
    audit.record(f"{kind}.{'activate' if active else 'deactivate'}", entry,
                 old={"active": not active}, new={"active": active}, summary=entry.name)
    db.session.commit()


def move(entry: Quality | SocietalGoal, step: int) -> None:
    """Move a quality or doel one place up (``-1``) or down (``+1``) in the catalogue."""
    entries = (city_qualities(active_only=False) if isinstance(entry, Quality) else city_goals())
    index = next(i for i, e in enumerate(entries) if e.id == entry.id)
    target = index + step
    if not 0 <= target < len(entries):
        return
    old = [e.code for e in entries]
    entries[index], entries[target] = entries[target], entries[index]
    for position, item in enumerate(entries, start=1):
        item.position = position
    kind = "quality" if isinstance(entry, Quality) else "societal_goal"
    audit.record(f"{kind}.reorder", entry, old={"order": old}, new={"order": [e.code for e in entries]},
                 summary=entry.name)
    db.session.commit()


def delete(entry: Quality | SocietalGoal) -> str:
    """Delete a quality or doel nothing uses yet (a mistake); returns its name.

    :raise DomainError: when stories, plans, sessions or qualities use it (deactivate it instead).
    """
    if isinstance(entry, Quality):
        if entry.buurt_id is not None:
            raise DomainError("Een eigen kwaliteit van een buurt hoort bij het QIM-plan.")
        if quality_in_use(entry):
            raise DomainError(f"{entry.name} wordt al gebruikt (in verhalen, QIM-plannen of "
                              "monitorgesprekken) en blijft daarom bestaan. Deactiveer haar: "
                              "dan wordt zij niet meer aangeboden.")
        entry.goals = []
        kind, data = "quality", _quality_snapshot(entry)
    else:
        if goal_in_use(entry):
            raise DomainError(f"{entry.name} is aan kwaliteiten gekoppeld en blijft daarom bestaan. "
                              "Deactiveer het doel of haal het eerst bij die kwaliteiten weg.")
        kind, data = "societal_goal", audit.snapshot(entry, GOAL_FIELDS)
    name = entry.name
    audit.record(f"{kind}.delete", entry, old=data, summary=name)
    db.session.delete(entry)
    db.session.commit()
    return name
