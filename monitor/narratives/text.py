"""Story text: Markdown rendered to HTML that is always sanitised (nh3)."""

from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "h2", "h3",
                "h4", "hr", "code", "pre"}


def render_markdown(text: str) -> Markup:
    """Markdown → HTML with every raw tag, script, event attribute and unsafe link removed."""
    html = markdown.markdown(text or "", output_format="html")
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704  (sanitised by nh3 just above)


def plain_text(text: str) -> str:
    """The words of a Markdown text without any markup (for the index and excerpts)."""
    html = markdown.markdown(text or "", output_format="html")
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()


def safe_highlight(html: str) -> Markup:
    """Whoosh fragments escape the text; keep only its ``<mark>`` tags to be sure."""
    return Markup(nh3.clean(html or "", tags={"mark"}, attributes={}))  # noqa: S704
