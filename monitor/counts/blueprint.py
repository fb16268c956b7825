"""The blueprint of the Tellen pages (/tellen): every view module of the package adds its routes to it.

The package's ``init_app`` imports the view modules; none of them imports another one's routes.
"""

from flask import Blueprint

bp = Blueprint("counts", __name__, url_prefix="/tellen")
