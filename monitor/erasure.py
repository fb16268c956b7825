"""Erasure everywhere: one call reaches the audit trail and every module's copies.

A service that erases a person's content (a story withdrawn, anonymised or deleted; client
records past their retention period) calls :func:`erase` inside its transaction. The audit
trail's earlier events about the object lose their content (:func:`monitor.audit.redact_subject`)
and every module that keeps a copy of such content elsewhere (a dossier quoting a story's
title, an annual report) registers an eraser with :func:`monitor.registry.add_eraser` and rewrites its
copy in the same transaction. New modules get the audit part for free.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import audit
from .registry import registry


def erase(object_type: str, object_id: Any, *, keep: Iterable[str] = ()) -> None:
    """Erase the content about one object everywhere; the caller commits.

    :param object_type: the model's class name as the audit trail records it (``"Story"``).
    :param keep: extra audit value keys that are facts for this object (see ``FACT_KEYS``).
    """
    audit.redact_subject(object_type, object_id, keep=keep)
    for eraser in registry().erasers.values():
        eraser(object_type, object_id)
