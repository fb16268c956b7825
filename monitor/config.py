"""Configuration from environment variables, with safe defaults under ``instance/``."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def normalise_database_url(url: str) -> str:
    """Make a ``DATABASE_URL`` usable by SQLAlchemy with the psycopg 3 driver.

    :param url: a URL as hosting platforms hand it out (``postgres://`` included).
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_or_create_secret_key(instance_path: str) -> str:
    """Read the secret key from ``instance/secret_key``; create it on first start.

    The key is generated with :mod:`secrets` and written with mode 0600, so no secret
    is ever hard-coded or committed.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


class MissingSecretKey(SystemExit):
    """Production start-up without ``SECRET_KEY``: one line on stderr, exit status 1."""


MIN_SECRET_KEY_CHARS = 32


def secret_key(app) -> str:
    """The signing key: ``SECRET_KEY`` from the environment (required in production).

    In production (``MONITOR_ENV=production``, the default) every server of an installation
    must sign sessions and forms with the same key, so a missing or short key stops the
    start with one clear line instead of making a key file per host (sign-in loops and
    "formulier verlopen" when requests hop between servers). Development and tests keep the
    generated ``instance/secret_key``.
    """
    key = app.config.get("SECRET_KEY")
    production = app.config.get("MONITOR_ENV") == "production" and not app.testing
    if production and (not key or len(key) < MIN_SECRET_KEY_CHARS):
        problem = "ontbreekt" if not key else f"is korter dan {MIN_SECRET_KEY_CHARS} tekens"
        raise MissingSecretKey(
            f"Tellen & Vertellen start niet: SECRET_KEY {problem}. Zet in productie dezelfde "
            "geheime sleutel op elke server, bijvoorbeeld uit: python3 -c \"import secrets; "
            "print(secrets.token_urlsafe(48))\" (of MONITOR_ENV=development voor een "
            "ontwikkelmachine).")
    return key or load_or_create_secret_key(app.instance_path)


def config_from_env(instance_path: str) -> dict:
    """Build the configuration mapping from the environment.

    :param instance_path: the app's instance folder; defaults for runtime data live here.
    """
    env = os.environ
    development = env.get("MONITOR_ENV", "production").lower() == "development"
    database_url = env.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(instance_path, "monitor.sqlite")
    )
    return {
        "MONITOR_ENV": "development" if development else "production",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "UPLOAD_FOLDER": env.get("MONITOR_UPLOAD_FOLDER")
        or os.path.join(instance_path, "uploads"),
        # Where files live: empty = local UPLOAD_FOLDER; see monitor/storage.py.
        "STORAGE_URL": env.get("MONITOR_STORAGE_URL") or "",
        # The archive's search engine: whoosh (embedded, one host) or postgresql (full-text
        # search in the database every host shares; only on PostgreSQL). monitor/narratives/engines.
        "SEARCH_BACKEND": (env.get("MONITOR_SEARCH_BACKEND") or "whoosh").strip().lower(),
        "SEARCH_INDEX_DIR": env.get("MONITOR_SEARCH_INDEX")
        or os.path.join(instance_path, "search-index"),
        "MAX_CONTENT_LENGTH": int(env.get("MONITOR_MAX_UPLOAD_MB", "25")) * 1024 * 1024,
        # Cookies are Secure unless explicitly running the local development server.
        "SESSION_COOKIE_SECURE": _bool(env.get("MONITOR_SECURE_COOKIES"), not development),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("MONITOR_SECURE_COOKIES"), not development),
        "PREFERRED_URL_SCHEME": "http" if development else "https",
        "LOGIN_MAX_FAILURES": int(env.get("MONITOR_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(env.get("MONITOR_LOGIN_LOCKOUT_MINUTES", "15")),
        "LOGIN_IP_MAX_FAILURES": int(env.get("MONITOR_LOGIN_IP_MAX_FAILURES", "30")),
        # Seconds one archive search may take before it is stopped with a Dutch message.
        "SEARCH_TIME_LIMIT": float(env.get("MONITOR_SEARCH_TIME_LIMIT", "3")),
        # Megabytes of postings the full Whoosh rebuild sorts in memory before it spills
        # runs to disk and merges them (``flask search rebuild``; docs/benchmarks.md).
        "SEARCH_REBUILD_MEMORY_MB": int(env.get("MONITOR_SEARCH_REBUILD_MEMORY_MB", "512")),
        # Megabytes of decoded postings a process keeps for the archive's searches (Whoosh
        # engine, monitor/search_fast.py; 8 bytes a posting; 0 keeps none).
        "SEARCH_POSTINGS_CACHE_MB": int(env.get("MONITOR_SEARCH_POSTINGS_CACHE_MB", "64")),
        # Reverse proxies in front of gunicorn whose X-Forwarded-For is trusted (nginx: 1).
        "TRUSTED_PROXIES": int(env.get("MONITOR_TRUSTED_PROXIES", "0") or 0),
        # Months after a trajectory closes before its client record is purged.
        "OUTCOMES_RETENTION_MONTHS": int(env.get("MONITOR_OUTCOMES_RETENTION_MONTHS", "24")),
        # Failures per account from any address within LOGIN_LOCKOUT_MINUTES (not for
        # browsers where the account signed in before: see monitor/auth/services.py).
        "LOGIN_ACCOUNT_MAX_FAILURES": int(env.get("MONITOR_LOGIN_ACCOUNT_MAX_FAILURES", "20")),
        "LOGIN_KNOWN_DEVICE_DAYS": int(env.get("MONITOR_LOGIN_KNOWN_DEVICE_DAYS", "90")),
        # Outgoing mail: smtp://host:port, smtp+starttls://user:pass@host:587, smtps://...;
        # empty: messages are written to instance/outbox/ (see monitor/mail.py).
        "MAIL_URL": env.get("MONITOR_MAIL_URL", "").strip(),
        "MAIL_FROM": env.get("MONITOR_MAIL_FROM", "Tellen & Vertellen <noreply@tellenenvertellen.localhost>"),
        # The job worker's queue: empty = instance/queue.sqlite; redis://host:6379/0 (monitor/jobs/queue.py).
        "QUEUE_URL": env.get("MONITOR_QUEUE_URL", "").strip(),
        "QUEUE_NAME": env.get("MONITOR_QUEUE_NAME", "tellen-vertellen").strip() or "tellen-vertellen",
        # The gemeente and the theme when the beheerder has not set them (monitor/installation.py).
        "MUNICIPALITY_NAME": env.get("MONITOR_MUNICIPALITY_NAME", "").strip(),
        "MUNICIPALITY_SHORT_NAME": env.get("MONITOR_MUNICIPALITY_SHORT_NAME", "").strip(),
        "MUNICIPALITY_CODE": env.get("MONITOR_MUNICIPALITY_CODE", "").strip().upper(),
        "THEME": env.get("MONITOR_THEME", "").strip(),
        # The installation's public address, for links in messages made without a request.
        "BASE_URL": env.get("MONITOR_BASE_URL", "http://127.0.0.1:5000"),
        # Roles that must sign in with a second factor (TOTP); others may choose to.
        "MFA_REQUIRED_ROLES": frozenset(
            r.strip() for r in env.get("MONITOR_MFA_REQUIRED_ROLES", "admin,accounthouder").split(",")
            if r.strip()),
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "tv_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": timedelta(days=1),
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "TIMEZONE": "Europe/Amsterdam",
    "PASSWORD_MIN_LENGTH": 12,
    # Bounds on one archive search (issue 12): characters and words (after stop words).
    "SEARCH_MAX_QUERY_CHARS": 200,
    "SEARCH_MAX_TERMS": 10,
    # Account mail (monitor/auth/recovery.py): link lifetimes and reset requests per hour.
    "ACCOUNT_INVITATION_DAYS": 7,
    "PASSWORD_RESET_MINUTES": 60,
    "PASSWORD_RESET_WINDOW_SECONDS": 3600,
    "PASSWORD_RESET_MAX_PER_ACCOUNT": 3,
    "PASSWORD_RESET_MAX_PER_CLIENT": 10,
    "MFA_MAX_FAILURES": 5,  # codes per account per window (monitor.ratelimit)
    "MFA_WINDOW_SECONDS": 900,
    "MFA_PENDING_SECONDS": 300,  # time between the password and the code
    "PASSWORD_HASH_METHOD": "scrypt",
    "SECRET_KEY_FALLBACKS": [],  # earlier keys, still accepted (second factors keep working)
    "SEARCH_LOCK_TIMEOUT": 5.0,  # seconds to wait for the index writer lock
    # QIM stakeholder links: failed guesses per address per window.
    "QIM_LINK_MAX_FAILURES": 20,
    "QIM_LINK_WINDOW_MINUTES": 15,
    # Counts imports: an upload whose import was never finished is removed after this.
    "COUNTS_IMPORT_STAGING_HOURS": 24,
    # Outcomes: an intermediate measurement is due this many months after the begin.
    "OUTCOMES_INTERMEDIATE_MONTHS": 6,
    # Days a deleted measurement can be restored before it is purged for good (docs/privacy.md).
    "OUTCOMES_UNDO_DAYS": 7,
    # Stories: photos per story and what one photo or request may cost (as monitor.photos).
    "NARRATIVES_MAX_PHOTOS": 3,
    # Days a removed photo can be restored before its files are erased (docs/privacy.md).
    "NARRATIVES_UNDO_DAYS": 7,
    "NARRATIVES_PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    "NARRATIVES_PHOTO_MAX_PIXELS": 40_000_000,  # declared in the file's header
    "NARRATIVES_PHOTO_MAX_DECODED_PIXELS": 16_000_000,
    "NARRATIVES_REQUEST_MAX_DECODED_PIXELS": 40_000_000,
    # Stories: recordings (sound, film; monitor.media). The request may then be as large as
    # one recording and the photos together (MAX_CONTENT_LENGTH is raised for those forms).
    "NARRATIVES_MAX_MEDIA": 1,  # per upload form
    # The whole request of a story form with uploads (0: one recording + the photos + 1 MB).
    "NARRATIVES_UPLOAD_MAX_BYTES": 0,
    "NARRATIVES_MEDIA_MAX_BYTES": 60 * 1024 * 1024,
    "NARRATIVES_MEDIA_MAX_AUDIO_SECONDS": 15 * 60,
    "NARRATIVES_MEDIA_MAX_VIDEO_SECONDS": 3 * 60,
    # Recordings up to this long are converted in the request; longer ones by the job worker.
    "NARRATIVES_MEDIA_INLINE_SECONDS": 20,
    # The public story form: minimum fill time and stories per address.
    "NARRATIVES_MIN_FILL_SECONDS": 5,
    "NARRATIVES_MAX_PER_HOUR": 3,
    "NARRATIVES_MAX_PER_DAY": 10,
    # Readers' reports ("melden") of a published story, per address.
    "NARRATIVES_REPORTS_PER_HOUR": 5,
}
