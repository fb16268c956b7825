"""QIM screens on one blueprint ``qim``: plans, the six steps, rounds, results, the answer page.

Importing the view modules registers their routes on ``bp`` (endpoint names are the
function names, so ``url_for("qim.<name>")`` is the same as before the split).
"""

from __future__ import annotations

from . import answer, plans, results, rounds, steps  # noqa: F401  (routes on bp)
from .common import bp

__all__ = ["bp"]
