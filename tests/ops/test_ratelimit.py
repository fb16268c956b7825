"""The database-backed rate limiter: exact counts per window, across processes."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.models import Wijk
from monitor.ratelimit import RateLimitCounter, claim, hit, prune, release

from ..conftest import base_config

T0 = 1_800_000_000  # a fixed moment (epoch seconds), aligned to a 60-second window


def counters(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(sa.select(
            RateLimitCounter.bucket, RateLimitCounter.key, RateLimitCounter.count)).all()
        db.session.remove()
    return sorted(tuple(r) for r in rows)


def test_allows_up_to_the_limit_then_refuses_until_the_next_window(app):
    with app.app_context():
        assert [hit("verhalen.insturen", "192.0.2.1", 3, 60, now=T0 + s) for s in range(5)] == [
            True, True, True, False, False]
        assert hit("verhalen.insturen", "192.0.2.1", 3, 60, now=T0 + 60) is True


def test_buckets_and_keys_are_counted_separately(app):
    with app.app_context():
        assert hit("a", "k1", 1, 60, now=T0) and not hit("a", "k1", 1, 60, now=T0)
        assert hit("a", "k2", 1, 60, now=T0)
        assert hit("b", "k1", 1, 60, now=T0)
    assert counters(app) == [("a", "k1", 2), ("a", "k2", 1), ("b", "k1", 1)]


def test_expired_counters_are_pruned(app):
    with app.app_context():
        hit("oud", "k", 5, 60, now=T0)
        hit("lang", "k", 5, 3600, now=T0)
        hit("nieuw", "k", 5, 60, now=T0 + 120)  # pruning happens on the way
    assert [c[0] for c in counters(app)] == ["lang", "nieuw"]
    with app.app_context():
        assert prune(now=T0 + 7200) == 2
    assert counters(app) == []


def test_long_or_odd_keys_are_hashed_consistently(app):
    key = "ü" * 500 + "\n"
    with app.app_context():
        assert hit("link", key, 2, 60, now=T0) and hit("link", key, 2, 60, now=T0)
        assert not hit("link", key, 2, 60, now=T0)
    [(bucket, stored, count)] = counters(app)
    assert stored.startswith("sha256:") and len(stored) == 71 and count == 3


@pytest.mark.real_db
def test_a_count_survives_the_callers_rollback(app):
    with app.app_context():
        db.session.add(Wijk(name="Wordt teruggedraaid"))
        db.session.flush() if db.engine.dialect.name == "postgresql" else None
        assert hit("formulier", "k", 5, 60, now=T0)
        db.session.rollback()
        assert db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Wordt teruggedraaid")) is None
    assert counters(app) == [("formulier", "k", 1)]


def test_release_gives_one_event_back_and_never_goes_below_zero(app):
    with app.app_context():
        assert hit("link", "k", 1, 60, now=T0) and not hit("link", "k", 1, 60, now=T0)
        release("link", "k", 60, now=T0)
        release("link", "k", 60, now=T0)
        release("link", "k", 60, now=T0)  # nothing left to give back
        release("link", "k", 60, now=T0 + 60)  # another window: no row, nothing happens
    assert counters(app) == [("link", "k", 0)]
    with app.app_context():
        assert hit("link", "k", 1, 60, now=T0) and not hit("link", "k", 1, 60, now=T0)


def test_a_single_use_token_is_claimed_once_until_it_expires(app):
    with app.app_context():
        assert claim("stempel", "nonce-1", 600, now=T0)
        assert not claim("stempel", "nonce-1", 600, now=T0 + 599)
        assert claim("stempel", "nonce-2", 600, now=T0 + 1)
        assert prune(now=T0 + 602) == 2  # kept as long as the token could still be valid


def test_invalid_limits_are_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        hit("x", "y", 0, 60)


def _worker(uri: str, instance: Path, hits: int) -> None:
    code = 1
    try:
        app = create_app(base_config(instance, uri))
        with app.app_context():
            results = [hit("gedeeld", "198.51.100.1", 25, 3600, now=T0) for _ in range(hits)]
        (instance / "resultaat.json").write_text(json.dumps(results))
        code = 0
    finally:
        os._exit(code)  # leave the parent's inherited resources alone


@pytest.mark.real_db
def test_counts_are_exact_across_processes(app, tmp_path):
    """Four processes (like gunicorn workers) hit one key 15 times each: exactly 25 pass."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.engine.dispose()  # no pooled connection is shared with the children
    context = multiprocessing.get_context("fork")
    instances = [tmp_path / f"werker{i}" for i in range(4)]
    processes = [context.Process(target=_worker, args=(uri, inst, 15)) for inst in instances]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=60)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    results = [json.loads((inst / "resultaat.json").read_text()) for inst in instances]
    allowed = sum(r.count(True) for r in results)
    assert allowed == 25 and sum(len(r) for r in results) == 60
    assert counters(app) == [("gedeeld", "198.51.100.1", 60)]


def test_limit_request_answers_with_the_dutch_429_page(app):
    from werkzeug.exceptions import TooManyRequests

    from monitor.ratelimit import limit_request

    answers = []
    for _ in range(3):
        with app.test_request_context("/verhalen/nieuw", method="POST",
                                      environ_base={"REMOTE_ADDR": "192.0.2.44"}):
            try:
                limit_request("verhalen.insturen", 2, 3600)
            except TooManyRequests as exc:
                response = app.make_response(app.handle_user_exception(exc))
                answers.append((response.status_code, response.get_data(as_text=True)))
            else:
                answers.append((200, ""))
    assert [status for status, _ in answers] == [200, 200, 429]
    assert "Te veel pogingen" in answers[2][1]
