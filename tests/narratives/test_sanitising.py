"""Story text is Markdown; the HTML shown is always sanitised."""

from __future__ import annotations

from monitor.models import Role
from monitor.narratives.services import render_markdown

HOSTILE = """Hallo buurt!

<script>alert('xss')</script>

[klik](javascript:alert(1)) en [ook](JaVaScRiPt:alert(2)) en [data](data:text/html;base64,PHNjcmlwdD4=)

<img src="x" onerror="alert(3)">
<a href="https://www.hilversum.nl" onclick="alert(4)" style="color:red">gemeente</a>
<iframe src="https://evil.example"></iframe>
<p onmouseover="alert(5)">zweef</p>

**vet** en *schuin*
"""


def test_render_markdown_removes_scripts_event_attributes_and_unsafe_links():
    html = str(render_markdown(HOSTILE))
    lowered = html.lower()
    assert "<script" not in lowered and "alert('xss')" not in html
    assert "javascript:" not in lowered and "data:text" not in lowered
    for attribute in ("onerror", "onclick", "onmouseover", "style="):
        assert attribute not in lowered
    assert "<iframe" not in lowered and "<img" not in lowered
    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html
    assert 'href="https://www.hilversum.nl"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_story_page_shows_sanitised_text(narr_app, client, make_story):
    story_id = make_story(title="Vijandige tekst", body=HOSTILE)
    html = client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    lowered = html.lower()
    assert "alert(" not in html
    assert "javascript:" not in lowered and "onerror" not in lowered
    assert "<strong>vet</strong>" in html


def test_title_and_search_highlights_are_escaped(narr_app, client, make_story, login_as):
    make_story(title="<b onmouseover=alert(1)>Buurtfeest</b>", body="Een feest in de buurt.")
    html = client.get("/verhalen/?q=buurt").get_data(as_text=True)
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=alert(1)&gt;" in html or "&lt;b" in html
    assert "<mark>" in html


def test_moderation_preview_is_sanitised(narr_app, make_story, login_as):
    from monitor.narratives.models import StoryStatus

    story_id = make_story(body=HOSTILE, wijk="Oost", status=StoryStatus.INGEDIEND)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    html = coordinator.get(f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)
    assert "alert(" not in html and "javascript:" not in html.lower()
