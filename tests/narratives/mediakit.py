"""Real recordings made with PyAV for the tests: a sine tone, a few coloured frames, tags."""

from __future__ import annotations

import array
import io
import math
from fractions import Fraction

import av

PERSONAL_TAGS = {"location": "+52.0907+005.1214/", "make": "Apple", "model": "iPhone 15 Pro",
                 "artist": "Anna Brink", "com.apple.quicktime.location.ISO6709": "+52.0907+005.1214/"}
SECRET_VALUES = ("52.0907", "iPhone", "Anna Brink", "Apple")


def _tone(samples: int, rate: int, start: int) -> bytes:
    return array.array("h", [int(8000 * math.sin(2 * math.pi * 440 * (start + i) / rate))
                             for i in range(samples)]).tobytes()


def _add_tone(output, stream, seconds: float, rate: int) -> None:
    codec = stream.codec_context.codec
    fmt = codec.audio_formats[0].name if codec.audio_formats else "s16"
    resampler = av.AudioResampler(format=fmt, layout="mono", rate=rate)
    total, done = int(seconds * rate), 0
    while done < total:
        n = min(1024, total - done)
        frame = av.AudioFrame(format="s16", layout="mono", samples=n)
        frame.planes[0].update(_tone(n, rate, done))
        frame.sample_rate, frame.pts, frame.time_base = rate, done, Fraction(1, rate)
        for out in resampler.resample(frame):
            output.mux(stream.encode(out))
        done += n
    for out in resampler.resample(None):
        output.mux(stream.encode(out))
    output.mux(stream.encode(None))


# (container format, audio codec, sample rate) per accepted kind of sound file
AUDIO_KINDS = {"mp3": ("mp3", "libmp3lame", 44100), "m4a": ("ipod", "aac", 44100),
               "ogg": ("ogg", "libopus", 48000), "wav": ("wav", "pcm_s16le", 44100),
               "webm": ("webm", "libopus", 48000)}


def sound(kind: str = "mp3", seconds: float = 1.0, tags: dict | None = PERSONAL_TAGS) -> bytes:
    """A sine tone of ``seconds`` in the given kind of file, with personal metadata tags."""
    fmt, codec, rate = AUDIO_KINDS[kind]
    buffer = io.BytesIO()
    output = av.open(buffer, "w", format=fmt)
    for key, value in (tags or {}).items():
        output.metadata[key] = value
    stream = output.add_stream(codec, rate=rate)
    stream.codec_context.layout = "mono"
    _add_tone(output, stream, seconds, rate)
    output.close()
    return buffer.getvalue()


VIDEO_KINDS = {"mp4": ("mp4", "libx264"), "mov": ("mov", "libx264"), "webm": ("webm", "libvpx-vp9")}


def film(kind: str = "mov", frames: int = 10, size: tuple[int, int] = (320, 240),
         tags: dict | None = PERSONAL_TAGS) -> bytes:
    """``frames`` coloured frames at 10 a second, with device and location tags (as a phone)."""
    fmt, codec = VIDEO_KINDS[kind]
    buffer = io.BytesIO()
    options = {"movflags": "use_metadata_tags"} if fmt in ("mp4", "mov") else {}
    output = av.open(buffer, "w", format=fmt, options=options)
    for key, value in (tags or {}).items():
        output.metadata[key] = value
    stream = output.add_stream(codec, rate=10)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    for i in range(frames):
        frame = av.VideoFrame(size[0], size[1], "rgb24")
        frame.planes[0].update(bytes([(i * 25) % 256, 120, 60]) * (size[0] * size[1]))
        frame.pts = i
        for packet in stream.encode(frame.reformat(format="yuv420p")):
            output.mux(packet)
    output.mux(stream.encode(None))
    output.close()
    return buffer.getvalue()


def tags_of(data: bytes) -> str:
    """Every metadata tag of the container and its streams, as one string."""
    with av.open(io.BytesIO(data)) as container:
        parts = [f"{k}={v}" for k, v in container.metadata.items()]
        for stream in container.streams:
            parts += [f"{k}={v}" for k, v in stream.metadata.items()]
        return " ".join(parts)


def describe(data: bytes) -> dict:
    with av.open(io.BytesIO(data)) as container:
        return {"format": container.format.name,
                "codecs": sorted(s.codec_context.name for s in container.streams),
                "size": next(((s.codec_context.width, s.codec_context.height)
                              for s in container.streams.video), None)}


CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:00.900\nDe buurtkamer is elke dinsdag open.\n"
