"""QIM: qualities and stakeholders per buurt, their judgements, and client outcomes."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the QIM module (quality catalogue for now)."""
    from . import models  # noqa: F401  (tables known to migrations)
