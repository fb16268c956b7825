"""The blueprint of the Vertellen pages (/verhalen): every view module of the package adds its routes to it.

The package's ``init_app`` imports the view modules; none of them imports another one's routes.
"""

from flask import Blueprint

bp = Blueprint("narratives", __name__, url_prefix="/verhalen")
