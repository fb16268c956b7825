"""Reference data shipped with the application (CSV files of DOMAIN.md, common passwords)."""

from __future__ import annotations

import csv
from importlib import resources


def read_reference_csv(name: str) -> list[dict[str, str]]:
    """Read one of the reference CSV files shipped in this package.

    :param name: the file name, e.g. ``"qualities.csv"``.
    """
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))
