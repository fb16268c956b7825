"""PostgreSQL full-text search of the archive: the index is the table ``story_search``.

Written in the same transaction as the story change (:func:`write_in_transaction`, run
before every commit that queued a story), so every host sees a change the moment it is
committed and no host needs a repair pass. The text search configuration ``tv_dutch``
(migration ``s15_search_postgresql``) is PostgreSQL's ``dutch`` (Snowball stemmer and stop
words) with ``unaccent`` before it: "buurten" finds "buurt", "cafe" finds "café". A story
in another language (column ``lang``) has its title, summary and text in ``tv_simple``
(migration ``s15b_search_language``: ``simple`` with ``unaccent``, nothing stemmed, no stop
words), its tags and places still in ``tv_dutch``; a query unit searches such a story with
both configurations' words (as the Whoosh engine's plain fields).

What the reader typed is read by :func:`monitor.search_query.read_query` (the same rules
and limits as the Whoosh engine) and each word or phrase becomes ``plainto_tsquery`` /
``phraseto_tsquery`` of its own text, joined with ``tsquery_and/or/not``: bound
parameters only, no operator of the reader ever reaches PostgreSQL's own parsers.
Highlights are ``ts_headline`` with private-use markers, escaped here and turned into
``<mark>``. Suggestions come from ``story_search_words`` by trigram likeness (``pg_trgm``).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from ... import search as whoosh_search  # its analyser counts words: the same limits
from ...extensions import db
from ...search_query import WORD, Hit, QueryPlan, SearchResult, SearchTimeout, Unit, read_query
from ..models import Story, StoryIndexOp, StoryStatus
from .models import SearchWord, StorySearchDoc

CONFIG = "tv_dutch"
PLAIN_CONFIG = "tv_simple"  # stories not in Dutch
START, STOP = "\ue000", "\ue001"
HEADLINE_TITLE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
# One passage of 15 to 35 words around the best match (a short text: from its start).
HEADLINE_TEXT = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15"
FACET_COLUMNS = {"wijk": "f_wijk", "jaar": "f_year", "vorm": "f_form", "taal": "lang"}
T = StorySearchDoc


def _config(name: str = CONFIG):
    return sa.literal_column(f"'{name}'::regconfig", postgresql.REGCONFIG)


def _row_config():
    """The configuration of each row's own title, summary and text."""
    return sa.case((T.lang == "nl", _config()), else_=_config(PLAIN_CONFIG))


def _clean(value: str) -> str:
    return (value or "").replace(START, "").replace(STOP, "")


def _unit(unit: Unit, plain: bool = False):
    """The unit as a tsquery for Dutch stories, or (``plain``) for the others: their
    words as written, or the Dutch words (their tags and places are Dutch)."""
    # Words of one sign are not searched (as the Whoosh analyser's minimum length).
    words = " ".join(w for w in WORD.findall(unit.raw) if len(w) > 1)
    fn = sa.func.phraseto_tsquery if unit.phrase and len(unit.tokens) > 1 else sa.func.plainto_tsquery
    if plain:
        return sa.func.tsquery_or(fn(_config(PLAIN_CONFIG), words), fn(_config(), words))
    return fn(_config(), words)


def _join(fn, parts):
    query = parts[0]
    for part in parts[1:]:
        query = fn(query, part)
    return query


def _tsquery(plan: QueryPlan, plain: bool = False):
    """(wanted, excluded) tsquery expressions; ``wanted`` None: every story."""
    wanted = None
    if plan.clauses:
        wanted = _join(sa.func.tsquery_and, [_join(sa.func.tsquery_or, [_unit(u, plain) for u in c])
                                             for c in plan.clauses])
    excluded = (_join(sa.func.tsquery_or, [_unit(u, plain) for u in plan.excluded])
                if plan.excluded else None)
    return wanted, excluded


def _matches(dutch, plain):
    """The row's document matches: the Dutch query for a Dutch story, the plain one else
    (two conditions, each able to use the GIN index)."""
    return sa.or_(sa.and_(T.lang == "nl", T.document.op("@@")(dutch)),
                  sa.and_(T.lang != "nl", T.document.op("@@")(plain)))


def _per_row(dutch, plain):
    """The tsquery for each row (ranking and highlights)."""
    return sa.case((T.lang == "nl", dutch), else_=plain)


def _marked(value: str | None) -> str:
    """A headline as HTML: escaped, its markers as ``<mark>``; empty when nothing matched."""
    if not value or START not in value:
        return ""
    return html.escape(value).replace(START, "<mark>").replace(STOP, "</mark>")


def _words(*texts: str) -> set[str]:
    return {w for text in texts for w in WORD.findall((text or "").lower())
            if 4 <= len(w) <= 60 and not w.isdigit()}


class PostgresEngine:
    name = "postgresql"
    same_transaction = True

    # --- writing --------------------------------------------------------------------------

    def write(self, story_ids: Iterable[int]) -> None:
        from ..indexing import document, indexable, load_stories

        story_ids = sorted(set(story_ids))
        if not story_ids:
            return
        before = _words(*[t for row in db.session.execute(
            sa.select(T.title, T.summary, T.body).where(T.story_id.in_(story_ids))) for t in row])
        stories = load_stories(story_ids)
        rows, words = [], set()
        for story in stories.values():
            if not indexable(story):
                continue
            doc = document(story)
            lang = doc["f_lang"]
            sx = "" if lang == "nl" else "_plain"
            title, summary, text = doc[f"title{sx}"], doc[f"summary{sx}"], doc[f"text{sx}"]
            rows.append({
                "story_id": doc["id"], "revision": doc["revision"] or 0,
                "visibility": doc["visibility"], "f_wijk": doc["f_wijk"],
                "f_quality": doc["f_quality"], "f_year": doc["f_year"], "f_form": doc["f_form"],
                "lang": lang, "date": doc["date"], "title": _clean(title),
                "summary": _clean(summary), "body": _clean(text), "tags": doc["tags"],
                "places": f"{doc['wijk']} {doc['buurt']} {doc['qualities']}".strip()})
            words |= _words(title, summary, text)
        gone = [i for i in story_ids if not indexable(stories.get(i))]
        if gone:
            db.session.execute(sa.delete(T).where(T.story_id.in_(gone)))
        if rows:
            insert = postgresql.insert(T)
            columns = [c for c in rows[0] if c != "story_id"]
            db.session.execute(insert.on_conflict_do_update(
                index_elements=[T.story_id], set_={c: insert.excluded[c] for c in columns}), rows)
            db.session.execute(sa.update(T).where(T.story_id.in_([r["story_id"] for r in rows]))
                               .values(document=self._vector()))
        if words:
            db.session.execute(postgresql.insert(SearchWord).on_conflict_do_nothing(),
                               [{"word": w} for w in sorted(words)])
        if before - words:
            self._forget(sorted(before - words))

    @staticmethod
    def _forget(words: list[str]) -> None:
        """Drop words no indexed story has any more, in the same transaction: a withdrawn
        or edited story's words (a name) leave the vocabulary with it."""
        elsewhere = sa.select(T.story_id).where(_matches(
            sa.func.plainto_tsquery(_config(), SearchWord.word),
            sa.func.plainto_tsquery(_config(PLAIN_CONFIG), SearchWord.word))).exists()
        db.session.execute(sa.delete(SearchWord).where(SearchWord.word.in_(words), ~elsewhere))

    @staticmethod
    def _vector():
        def weighted(text, weight, config):
            return sa.func.setweight(sa.func.to_tsvector(config, text),
                                     sa.literal_column(f"'{weight}'::\"char\""))

        own = _row_config()  # the story's language for its own words; tags and places Dutch
        return (weighted(T.title, "A", own).op("||")(weighted(T.summary, "B", own))
                .op("||")(weighted(T.tags, "B", _config()))
                .op("||")(weighted(T.body, "C", own)).op("||")(weighted(T.places, "D", _config())))

    def apply_pending(self, timeout: float, batch: int) -> int:
        """Operations left from the Whoosh engine (or made outside a session commit)."""
        applied = 0
        while True:
            ops = db.session.execute(sa.select(StoryIndexOp.id, StoryIndexOp.story_id)
                                     .order_by(StoryIndexOp.id).limit(batch)).all()
            if not ops:
                return applied
            self.write({story_id for _, story_id in ops})
            db.session.execute(sa.delete(StoryIndexOp).where(
                StoryIndexOp.id.in_([op_id for op_id, _ in ops])))
            db.session.commit()
            applied += len(ops)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Every published story again, in one transaction (readers see the old or the new)."""
        db.session.execute(sa.delete(StoryIndexOp))
        db.session.execute(sa.delete(T))
        db.session.execute(sa.delete(SearchWord))
        ids = list(db.session.scalars(sa.select(Story.id).where(
            Story.status == StoryStatus.GEPUBLICEERD).order_by(Story.id)))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            self.write(chunk)
            if progress:
                progress(len(chunk))
        db.session.commit()
        return db.session.scalar(sa.select(sa.func.count()).select_from(T)) or 0

    def indexed_revisions(self) -> dict[int, Any]:
        return dict(db.session.execute(sa.select(T.story_id, T.revision)).all())

    def outdated(self) -> bool:
        return False

    def rebuilding(self) -> bool:
        return False  # rebuilt in one transaction: readers see the old rows until it commits

    def maintain(self) -> str:
        return ""  # the vocabulary is kept in each story's transaction (:meth:`_forget`)

    # --- reading --------------------------------------------------------------------------

    def vocabulary(self):
        def known(word: str) -> bool:
            return db.session.scalar(sa.select(SearchWord.word).where(SearchWord.word == word)) is not None

        def candidates(word: str) -> list[str]:
            return list(db.session.scalars(
                sa.select(SearchWord.word).where(SearchWord.word.op("%")(word))
                .order_by(sa.func.similarity(SearchWord.word, word).desc(), SearchWord.word)
                .limit(20)))

        return known, candidates

    def search(self, text: str, *, visibilities: Iterable[str],
               filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               page: int = 1, per_page: int = 10, max_chars: int = whoosh_search.MAX_QUERY_CHARS,
               max_terms: int = whoosh_search.MAX_TERMS,
               time_limit: float = whoosh_search.TIME_LIMIT) -> SearchResult:
        deadline = time.monotonic() + time_limit
        filters = {k: v for k, v in (filters or {}).items()
                   if k in whoosh_search.FACETS and v}
        text = (text or "").strip()
        plan = read_query(text, whoosh_search.analyse, max_chars=max_chars,
                          max_terms=max_terms) if text else None
        page = max(1, page)
        wanted, excluded = _tsquery(plan) if plan else (None, None)
        wanted_plain, excluded_plain = _tsquery(plan, plain=True) if plan else (None, None)
        where = [T.visibility.in_(list(visibilities))]
        if wanted is not None:
            where.append(_matches(wanted, wanted_plain))
            wanted = _per_row(wanted, wanted_plain)
        if excluded is not None:
            where.append(sa.not_(sa.func.coalesce(_matches(excluded, excluded_plain), False)))
        for facet, values in filters.items():
            if facet == "kwaliteit":
                where.append(sa.func.string_to_array(T.f_quality, ",").op("&&")(
                    sa.cast(postgresql.array(values), postgresql.ARRAY(sa.Text))))
            else:
                where.append(getattr(T, FACET_COLUMNS[facet]).in_(values))
        try:
            with db.session.begin_nested():
                # The limit for these statements only (then the transaction's own again).
                previous = db.session.scalar(sa.select(sa.func.current_setting("statement_timeout")))
                db.session.execute(sa.select(sa.func.set_config(
                    "statement_timeout", str(max(1, int(time_limit * 1000))), True)))
                result = self._run(where, wanted, plan, sort, page, per_page, deadline)
                db.session.execute(sa.select(sa.func.set_config("statement_timeout", previous, True)))
        except DBAPIError as err:
            code = getattr(err.orig, "sqlstate", None) or getattr(err.orig, "pgcode", None)
            if code == "57014":  # query_canceled: the statement_timeout
                raise SearchTimeout from None
            raise
        result.notice = plan.notice if plan else ""
        return result

    def _run(self, where, wanted, plan, sort, page, per_page, deadline) -> SearchResult:
        def check():
            if time.monotonic() > deadline:
                raise SearchTimeout

        total = db.session.scalar(sa.select(sa.func.count()).select_from(T).where(*where)) or 0
        check()
        counts: dict[str, dict[str, int]] = {}
        for facet, column in FACET_COLUMNS.items():
            col = getattr(T, column)
            counts[facet] = dict(db.session.execute(
                sa.select(col, sa.func.count()).where(*where).group_by(col)).all())
        code = sa.func.unnest(sa.func.string_to_array(T.f_quality, ",")).label("code")
        inner = sa.select(code).where(*where).subquery()
        counts["kwaliteit"] = {c: n for c, n in db.session.execute(
            sa.select(inner.c.code, sa.func.count()).group_by(inner.c.code)).all() if c}
        counts = {"wijk": counts["wijk"], "kwaliteit": counts["kwaliteit"],
                  "jaar": counts["jaar"], "vorm": counts["vorm"], "taal": counts["taal"]}
        check()
        hits: list[Hit] = []
        if total and (page - 1) * per_page < total:
            by_date = sort == "date" or plan is None or not plan.scored
            order = ([T.date.desc(), T.story_id.desc()] if by_date else
                     [sa.func.ts_rank_cd(T.document, wanted).desc(), T.date.desc(), T.story_id.desc()])
            columns = [T.story_id]
            if wanted is not None:
                own = _row_config()
                columns += [sa.func.ts_headline(own, T.title, wanted, HEADLINE_TITLE),
                            sa.func.ts_headline(own, T.body, wanted, HEADLINE_TEXT),
                            sa.func.ts_headline(own, T.summary, wanted, HEADLINE_TITLE)]
            rows = db.session.execute(sa.select(*columns).where(*where).order_by(*order)
                                      .limit(per_page).offset((page - 1) * per_page)).all()
            for row in rows:
                if wanted is None:
                    hits.append(Hit(row[0], "", ""))
                else:
                    hits.append(Hit(row[0], _marked(row[1]), _marked(row[2]) or _marked(row[3])))
            check()
        return SearchResult(hits, total, page, per_page, counts)

    def related(self, story_id: int, *, visibilities: Iterable[str], limit: int = 3) -> list[int]:
        """Visible stories sharing the most of this one's title and summary words."""
        own = db.session.get(T, story_id)
        if own is None:
            return []
        words = sorted(_words(own.title, own.summary, own.tags))[:12]
        if not words:
            return []
        dutch = _join(sa.func.tsquery_or, [sa.func.plainto_tsquery(_config(), w) for w in words])
        plain = _join(sa.func.tsquery_or, [sa.func.plainto_tsquery(_config(PLAIN_CONFIG), w)
                                           for w in words])
        plain = sa.func.tsquery_or(plain, dutch)
        return list(db.session.scalars(
            sa.select(T.story_id).where(T.visibility.in_(list(visibilities)),
                                        T.story_id != story_id, _matches(dutch, plain))
            .order_by(sa.func.ts_rank_cd(T.document, _per_row(dutch, plain)).desc(),
                      T.story_id.desc())
            .limit(limit)))


def write_in_transaction(session) -> None:
    """Before a commit: index the stories whose operations this transaction queued, and
    drop those operations, all in the same transaction (session event, PostgreSQL only)."""
    session.flush()
    ops = session.info.pop("search_ops", None)
    if not ops:
        return
    PostgresEngine().write({story_id for _, story_id in ops})
    session.execute(sa.delete(StoryIndexOp).where(StoryIndexOp.id.in_([i for i, _ in ops])))
