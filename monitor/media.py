"""Sound and film uploads: the only module that imports PyAV (FFmpeg in its wheels).

An upload is accepted by what it *is*, never by its name: FFmpeg must recognise the
container (MP3, MP4/M4A/MOV, Ogg, WAV, WebM/Matroska), find an audio or video stream and
decode it. :func:`probe` does the cheap part in the request (container, streams, declared
duration, the first packets decoded); :func:`convert` decodes everything and encodes a new,
web-playable file from the decoded samples and pixels alone:

* audio → AAC in MP4 (``.m4a``, ``audio/mp4``): plays in every current browser;
* video → H.264 (yuv420p) with AAC in MP4 (``.mp4``, ``video/mp4``), at most
  ``MAX_VIDEO_SIDE`` pixels on its long side and ``MAX_FPS`` frames a second, turned upright
  by the phone's rotation.

Nothing of the original container is copied: no metadata (location, device, owner, dates),
no chapters, no cover art, no subtitles. :func:`convert` also counts the decoded duration,
so a file that declares a short duration but plays longer is refused.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from fractions import Fraction

import av
from av.error import FFmpegError

logger = logging.getLogger(__name__)

# FFmpeg's names of the demuxers that are accepted (what the file is, not its name).
ACCEPTED_CONTAINERS = {"mp3", "mov,mp4,m4a,3gp,3g2,mj2", "ogg", "wav", "matroska,webm"}
FORMAT_LABELS = "MP3, M4A/AAC, Ogg/Opus of WAV (geluid), MP4, WebM of MOV (film)"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_AUDIO_SECONDS = 15 * 60
DEFAULT_MAX_VIDEO_SECONDS = 3 * 60
MAX_VIDEO_SIDE = 1280
MAX_VIDEO_PIXELS = 1280 * 720
MAX_SOURCE_PIXELS = 4096 * 4096  # declared frame size beyond this is refused unread
MAX_FPS = 30
AUDIO_RATE = 48000
AUDIO = "audio"
VIDEO = "video"
CONTENT_TYPES = {AUDIO: "audio/mp4", VIDEO: "video/mp4"}
EXTENSIONS = {AUDIO: "m4a", VIDEO: "mp4"}

NOT_MEDIA = f"Dit bestand is geen geluid of film van een toegestaan type ({FORMAT_LABELS})."
UNREADABLE = ("Dit bestand is geen geluid of film van een toegestaan type, of het is beschadigd. "
              f"Toegestaan: {FORMAT_LABELS}.")
DAMAGED = "Het geluid of de film is beschadigd of onvolledig en kan niet worden afgespeeld."


class MediaError(ValueError):
    """The upload is refused; the message is Dutch and meant for the user."""


@dataclass(frozen=True)
class Probe:
    """What the file is, read from its container and its first packets."""

    kind: str  # AUDIO or VIDEO
    duration: float  # seconds, as declared (checked again while converting)
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Converted:
    """A cleaned recording ready to be stored: a new file without any metadata."""

    data: bytes
    kind: str
    duration: float
    width: int = 0
    height: int = 0

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


def new_key() -> str:
    """A random, unguessable base name for a recording's file."""
    return secrets.token_hex(16)


def read_upload(stream, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The uploaded file's bytes. :raise MediaError: empty or larger than ``max_bytes``."""
    data = stream.read(max_bytes + 1)
    if not data:
        raise MediaError("Het bestand is leeg.")
    if len(data) > max_bytes:
        limit = (f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024
                 else f"{max_bytes // 1024} kB")
        raise MediaError(f"Het bestand is te groot (maximaal {limit}).")
    return data


def _minutes(seconds: float) -> str:
    if seconds < 60:
        return "1 seconde" if int(seconds) == 1 else f"{int(seconds)} seconden"
    minutes = int(seconds // 60)
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"


def _too_long(kind: str, limit: float) -> MediaError:
    what = "De film" if kind == VIDEO else "Het geluid"
    return MediaError(f"{what} is te lang (maximaal {_minutes(limit)}). Maak hem korter en "
                      "probeer het opnieuw.")


def _open(data: bytes):
    try:
        container = av.open(io.BytesIO(data), mode="r", metadata_errors="ignore")
    except (FFmpegError, UnicodeDecodeError, ValueError, OSError, EOFError) as err:
        # FFmpeg cannot tell a file of another kind from one cut off before its first frame.
        raise MediaError(UNREADABLE) from err
    if container.format.name not in ACCEPTED_CONTAINERS:
        container.close()
        raise MediaError(NOT_MEDIA)
    return container


def _streams(container):
    """The first real video stream (cover art left out) and the first audio stream."""
    video = next((s for s in container.streams.video
                  if not (s.disposition & av.stream.Disposition.attached_pic)), None)
    audio = next(iter(container.streams.audio), None)
    return video, audio


def _declared_duration(container, video, audio) -> float:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    for stream in (video, audio):
        if stream is not None and stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
    return 0.0


@contextmanager
def _decoding(container):
    """Close ``container`` afterwards; whatever FFmpeg raises becomes a Dutch :class:`MediaError`."""
    try:
        yield container
    except MediaError:
        raise
    except (FFmpegError, ValueError, OSError, MemoryError, EOFError) as err:
        raise MediaError(DAMAGED) from err
    finally:
        container.close()


def probe(data: bytes, *, max_audio_seconds: float = DEFAULT_MAX_AUDIO_SECONDS,
          max_video_seconds: float = DEFAULT_MAX_VIDEO_SECONDS) -> Probe:
    """Check what the file is without decoding all of it.

    :raise MediaError: not an accepted container, no sound or picture, too long, damaged.
    """
    with _decoding(_open(data)) as container:
        video, audio = _streams(container)
        if video is None and audio is None:
            raise MediaError(NOT_MEDIA)
        kind = VIDEO if video is not None else AUDIO
        duration = _declared_duration(container, video, audio)
        limit = max_video_seconds if kind == VIDEO else max_audio_seconds
        if duration > limit:
            raise _too_long(kind, limit)
        width = height = 0
        if video is not None:
            width, height = video.codec_context.width, video.codec_context.height
            if width * height > MAX_SOURCE_PIXELS:
                raise MediaError("De film heeft een te hoge resolutie. Maak hem kleiner en probeer het opnieuw.")
        # The first packets must decode: a renamed or damaged file stops here.
        decoded = 0
        for frame in container.decode(video if video is not None else audio):
            decoded += 1
            if decoded >= 3 or frame.time is not None and frame.time > 2:
                break
        if not decoded:
            raise MediaError(DAMAGED)
        return Probe(kind, duration, width, height)


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def _target_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, MAX_VIDEO_SIDE / max(width, height, 1),
                (MAX_VIDEO_PIXELS / max(width * height, 1)) ** 0.5)
    return _even(width * scale), _even(height * scale)


class _AudioOut:
    """AAC in the output container, fed from any decoded audio frames."""

    def __init__(self, output, channels: int):
        self.stream = output.add_stream("aac", rate=AUDIO_RATE)
        layout = "mono" if channels == 1 else "stereo"
        self.stream.codec_context.layout = layout
        self.stream.codec_context.bit_rate = 96_000 if layout == "mono" else 128_000
        self.resampler = av.AudioResampler(format="fltp", layout=layout, rate=AUDIO_RATE)
        self.output = output

    def add(self, frame) -> None:
        frame.pts = None
        for out in self.resampler.resample(frame):
            self.output.mux(self.stream.encode(out))

    def close(self) -> None:
        for out in self.resampler.resample(None):
            self.output.mux(self.stream.encode(out))
        self.output.mux(self.stream.encode(None))


class _VideoOut:
    """H.264 (yuv420p) at a bounded size and frame rate, fed from decoded pictures."""

    def __init__(self, output, source, rotation: int):
        rate = source.average_rate or source.guessed_rate or Fraction(25)
        self.rate = Fraction(min(Fraction(rate), Fraction(MAX_FPS))).limit_denominator(1001)
        width, height = source.codec_context.width, source.codec_context.height
        self.rotation = rotation
        if rotation in (90, 270):
            width, height = height, width
        self.width, self.height = _target_size(width, height)
        self.stream = output.add_stream("libx264", rate=self.rate,
                                        options={"preset": "veryfast", "crf": "26"})
        self.stream.width, self.stream.height = self.width, self.height
        self.stream.pix_fmt = "yuv420p"
        self.output = output
        self.count = 0
        self.next_time = 0.0

    def add(self, frame) -> None:
        time = frame.time or 0.0
        if time + 1e-6 < self.next_time:  # more frames a second than MAX_FPS: drop this one
            return
        self.next_time = time + 1 / float(self.rate)
        picture = frame
        if self.rotation:
            picture = _rotate(frame, self.rotation)
        out = picture.reformat(width=self.width, height=self.height, format="yuv420p")
        out.pts = self.count
        out.time_base = 1 / self.rate
        self.count += 1
        self.output.mux(self.stream.encode(out))

    def close(self) -> None:
        self.output.mux(self.stream.encode(None))


def _rotate(frame, degrees: int):
    """Turn a decoded picture upright (the phone recorded it sideways)."""
    from av.filter import Graph

    graph = Graph()
    source = graph.add_buffer(template=None, width=frame.width, height=frame.height,
                              format=frame.format.name, time_base=Fraction(1, 1000))
    name, args = {90: ("transpose", "clock"), 270: ("transpose", "cclock"),
                  180: ("rotate", "PI")}[degrees]
    node = graph.add(name, args)
    sink = graph.add("buffersink")
    source.link_to(node)
    node.link_to(sink)
    graph.configure()
    frame.pts = None
    graph.push(frame)
    return graph.pull()


def _frame_rotation(frame) -> int:
    try:
        degrees = int(round(getattr(frame, "rotation", 0) or 0)) % 360
    except (TypeError, ValueError):
        return 0
    # FFmpeg's display matrix gives the counter-clockwise angle to display it upright.
    return {90: 270, 270: 90, 180: 180}.get(degrees, 0)


def convert(data: bytes, *, max_audio_seconds: float = DEFAULT_MAX_AUDIO_SECONDS,
            max_video_seconds: float = DEFAULT_MAX_VIDEO_SECONDS) -> Converted:
    """Decode the whole file and encode a clean, web-playable copy.

    :raise MediaError: not accepted, damaged, or longer than allowed once decoded.
    """
    checked = probe(data, max_audio_seconds=max_audio_seconds, max_video_seconds=max_video_seconds)
    limit = max_video_seconds if checked.kind == VIDEO else max_audio_seconds
    # A temporary file, not memory: "faststart" (the index first, so a browser can play
    # before the whole file arrived) rewrites the file after it was written.
    handle, out_name = tempfile.mkstemp(suffix=".mp4", prefix="media-")
    os.close(handle)
    try:
        with _decoding(_open(data)) as container:
            return _encode(container, out_name, checked, limit)
    finally:
        os.unlink(out_name)


def _encode(container, out_name: str, checked: Probe, limit: float) -> Converted:
    """Decode ``container`` into a new MP4 at ``out_name``; return its bytes."""
    video, audio = _streams(container)
    output = av.open(out_name, mode="w", format="mp4",
                     options={"movflags": "+faststart"})
    try:
        output.metadata.clear()
        audio_out = _AudioOut(output, audio.codec_context.channels) if audio is not None else None
        video_out = None
        played = 0.0
        wanted = [s for s in (video, audio) if s is not None]
        for frame in container.decode(*wanted):
            time = frame.time or 0.0
            played = max(played, time)
            if played > limit + 1:
                raise _too_long(checked.kind, limit)
            if video is not None and isinstance(frame, av.VideoFrame):
                if video_out is None:
                    video_out = _VideoOut(output, video, _frame_rotation(frame))
                video_out.add(frame)
            elif audio_out is not None:
                audio_out.add(frame)
        if video is not None and video_out is None:
            raise MediaError(DAMAGED)
        if video_out is not None:
            video_out.close()
        if audio_out is not None:
            audio_out.close()
    except BaseException:
        with suppress(FFmpegError, OSError, ValueError):  # the first error is the one to tell
            output.close()
        raise
    output.close()
    width = video_out.width if video_out else 0
    height = video_out.height if video_out else 0
    with open(out_name, "rb") as fh:
        converted = fh.read()
    return Converted(converted, checked.kind, max(played, 0.0) or checked.duration,
                     width, height)
