"""Story text: Markdown rendered to HTML that is always sanitised (nh3)."""

from __future__ import annotations

import re
import threading

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "h2", "h3",
                "h4", "hr", "code", "pre"}


_local = threading.local()


def _to_html(text: str) -> str:
    """``markdown.markdown(text)`` with one converter per thread, reset between texts:
    building a new converter for every text was a third of the indexing time of a story."""
    converter = getattr(_local, "markdown", None)
    if converter is None:
        converter = _local.markdown = markdown.Markdown(output_format="html")
    return converter.reset().convert(text or "")


def render_markdown(text: str) -> Markup:
    """Markdown → HTML with every raw tag, script, event attribute and unsafe link removed."""
    html = _to_html(text)
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704  (sanitised by nh3 just above)


def plain_text(text: str) -> str:
    """The words of a Markdown text without any markup (for the index and excerpts)."""
    html = _to_html(text)
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()


def safe_highlight(html: str) -> Markup:
    """Whoosh fragments escape the text; keep only its ``<mark>`` tags to be sure."""
    return Markup(nh3.clean(html or "", tags={"mark"}, attributes={}))  # noqa: S704
