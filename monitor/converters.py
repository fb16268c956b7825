"""URL converters: an ``int`` that fits the database's integer ids."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest value of a PostgreSQL ``integer`` (and of every id column here).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:x>`` that does not match numbers beyond ``MAX_ID`` (404, not a 500).

    Without a bound, ``/beheer/gebruikers/9223372036854775809`` reaches the database
    and fails there (SQLite: "Python int too large", PostgreSQL: integer out of range).
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
