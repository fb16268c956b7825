"""Erasure everywhere: one call reaches the audit trail and every module's copies.

A service that erases a person's content (a story withdrawn, anonymised or deleted; client
records past their retention period) calls :func:`erase` inside its transaction. The audit
trail's earlier events about the object lose their content (:func:`monitor.audit.redact_subject`)
and every module that keeps a copy of such content elsewhere (a dossier quoting a story's
title, an annual report) registers an eraser with :func:`register_eraser` and rewrites its
copy in the same transaction. New modules get the audit part for free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app

from . import audit

Eraser = Callable[[str, Any], None]


def register_eraser(app: Flask, name: str, eraser: Eraser) -> None:
    """Add ``eraser(object_type, object_id)``, called by every :func:`erase` (idempotent by name).

    It runs inside the erasing service's transaction: it changes rows, never commits.
    """
    app.extensions.setdefault("erasers", {})[name] = eraser


def erase(object_type: str, object_id: Any, *, keep: Iterable[str] = ()) -> None:
    """Erase the content about one object everywhere; the caller commits.

    :param object_type: the model's class name as the audit trail records it (``"Story"``).
    :param keep: extra audit value keys that are facts for this object (see ``FACT_KEYS``).
    """
    audit.redact_subject(object_type, object_id, keep=keep)
    for eraser in current_app.extensions.get("erasers", {}).values():
        eraser(object_type, object_id)
