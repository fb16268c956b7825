"""WebVTT captions: checked before they are stored, so every player can show them.

A strict subset of the WebVTT syntax (W3C): the ``WEBVTT`` header, optional ``NOTE``,
``STYLE`` and ``REGION`` blocks, and cues with an optional identifier, a timing line
(``00:01.000 --> 00:04.000`` or ``00:00:01.000 --> …``, optional cue settings) and at least
one line of text. Times must run forward inside a cue. Errors name the line, in Dutch.
"""

from __future__ import annotations

import re

MAX_CHARS = 200_000
_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t]+.*)?$")


class CaptionError(ValueError):
    """The captions are refused; the message is Dutch and meant for the user."""


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def validate(text: str) -> str:
    """The captions, normalised (line ends, no BOM), if they are valid WebVTT with a cue.

    :raise CaptionError: naming the line that is wrong.
    """
    if len(text) > MAX_CHARS:
        raise CaptionError("De ondertitels zijn te lang (maximaal 200.000 tekens).")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise CaptionError("De ondertitels bevatten ongeldige tekens.")
    lines = text.split("\n")
    first = lines[0]
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CaptionError("Ondertitels moeten een WebVTT-bestand zijn: de eerste regel is 'WEBVTT'.")
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    cues = 0
    for number, block in blocks:
        head = block[0]
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        if "-->" not in head:
            if len(block) < 2 or "-->" not in block[1]:
                raise CaptionError(f"Regel {number} van de ondertitels: hier hoort een tijd als "
                                   "'00:01.000 --> 00:04.000'.")
            block, number = block[1:], number + 1
        match = _TIMING.match(block[0].strip())
        if not match:
            raise CaptionError(f"Regel {number} van de ondertitels: de tijd is niet goed geschreven "
                               "(voorbeeld: 00:01.000 --> 00:04.000).")
        begin, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        if end <= begin:
            raise CaptionError(f"Regel {number} van de ondertitels: de eindtijd moet na de begintijd liggen.")
        if len(block) < 2:
            raise CaptionError(f"Regel {number} van de ondertitels: na de tijd hoort de tekst die "
                               "gesproken wordt.")
        cues += 1
    if not cues:
        raise CaptionError("De ondertitels bevatten geen enkele tekst met een tijd.")
    return text.rstrip("\n") + "\n"


def plain_text(captions: str) -> str:
    """The spoken text of valid captions (for the search index), without times or tags."""
    words = []
    for block in captions.split("\n\n")[1:]:
        lines = block.strip().split("\n")
        if not lines or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        for i, line in enumerate(lines):
            if "-->" in line:
                words.extend(re.sub(r"<[^>]*>", "", t) for t in lines[i + 1:])
                break
    return " ".join(w.strip() for w in words if w.strip())
