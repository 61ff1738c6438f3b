"""The default prompts, spoken by espeak-ng and resampled by sox to 8 kHz mono WAV (what
a PCMU trunk carries), generated once into the data directory."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from hearthline.telephony.rtpengine import VoiceUnavailable

DEFAULT_PROMPTS = {
    "reconnect": (
        "We are sorry: your agent was disconnected. Please stay on the line; "
        "the next agent will take your call."
    ),
    "menu-closed": "We are closed now. Please call again during our opening hours.",
    "menu-invalid": "Sorry, that is not an option.",
    # Played before anything else to a caller whose call will be recorded.
    "consent": "This call may be recorded for quality and training.",
    # A caller a queue sends to voicemail (full, or waiting too long).
    "voicemail": (
        "We cannot take your call now. Please leave your name, your number and your "
        "message, then hang up."
    ),
    # A caller a queue turns into a callback (full, or waiting too long), before the BYE.
    "callback": (
        "All our agents are busy. We have kept your number and will call you back as "
        "soon as an agent is free. Goodbye."
    ),
    "greeting": (
        "Thank you for calling. All our agents are busy helping other customers. "
        "Please stay on the line; your call will be answered in turn."
    ),
}


# The hold music: a slow A-minor arpeggio of sine tones, made by sox (no recording to
# license). Notes in Hz, each half a second.
HOLD_NOTES = (440.0, 523.25, 659.25, 523.25)


def ensure_default(directory: Path) -> dict[str, Path]:
    """The default prompts' files (and ``hold``, the music), generated where missing."""
    directory.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for name, text in DEFAULT_PROMPTS.items():
        wav = directory / f"{name}.wav"
        if not wav.exists():
            _speak(text, wav)
        out[name] = wav
    hold = directory / "hold.wav"
    if not hold.exists():
        _arpeggio(hold)
    out["hold"] = hold
    return out


@functools.cache
def spoken_default(name: str) -> bytes:
    """A default prompt as the voice stack speaks it, for the administration pages to play
    on a server whose voice is off too; kept in memory (five short files), nothing written
    where the voice stack keeps its own."""
    with tempfile.TemporaryDirectory() as scratch:
        wav = Path(scratch) / f"{name}.wav"
        _speak(DEFAULT_PROMPTS[name], wav)
        return wav.read_bytes()


def _arpeggio(wav: Path) -> None:
    sox = _sox()
    notes = [wav.with_suffix(f".{i}.wav") for i in range(len(HOLD_NOTES))]
    for note, hz in zip(notes, HOLD_NOTES, strict=True):
        subprocess.run(
            [sox, "-n", "-r", "8000", "-c", "1", "-b", "16", str(note), "synth", "0.5", "sine",
             str(hz), "fade", "0.02", "0.5", "0.05", "vol", "0.4"],
            check=True, capture_output=True,
        )  # fmt: skip
    subprocess.run([sox, *map(str, notes), str(wav)], check=True, capture_output=True)
    for note in notes:
        note.unlink()


def _sox() -> str:
    sox = shutil.which("sox")
    if sox is None:
        raise VoiceUnavailable("the prompts need sox (the Debian package of that name)")
    return sox


def _speak(text: str, wav: Path) -> None:
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak is None or sox is None:
        raise VoiceUnavailable(
            "the prompts need espeak-ng and sox (Debian packages of those names)"
        )
    raw = wav.with_suffix(".raw.wav")
    subprocess.run([espeak, "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(
        [sox, str(raw), "-r", "8000", "-c", "1", "-b", "16", str(wav)],
        check=True,
        capture_output=True,
    )
    raw.unlink()


# Uploaded prompts: what a PCMU trunk carries, so rtpengine plays them without resampling.
PROMPT_RATE = 8000
MAX_PROMPT_S = 120.0
MAX_PROMPT_BYTES = 2 * 1024 * 1024


class PromptRefused(ValueError):
    """An uploaded prompt that is not a usable WAV; the message says why."""


def check_wav(data: bytes) -> float:
    """The prompt's length in seconds, or PromptRefused naming what is wrong."""
    if len(data) > MAX_PROMPT_BYTES:
        raise PromptRefused(f"a prompt is at most {MAX_PROMPT_BYTES} bytes, not {len(data)}")
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise PromptRefused("a prompt is a WAV file (RIFF/WAVE)")
    try:
        with wave.open(io.BytesIO(data)) as w:
            rate, channels, width, frames = (
                w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes(),
            )  # fmt: skip
            got = len(w.readframes(frames))
    except (wave.Error, EOFError) as exc:
        raise PromptRefused(f"the WAV does not decode: {exc}") from None
    if (rate, channels, width) != (PROMPT_RATE, 1, 2):
        raise PromptRefused(
            f"a prompt is {PROMPT_RATE} Hz mono 16-bit PCM, not {rate} Hz, "
            f"{channels} channel(s), {8 * width}-bit"
        )
    seconds = float(got) / (2 * int(rate))
    if got < 2 * frames or seconds < 0.1:
        raise PromptRefused("the WAV holds less audio than its header says, or under 0.1 s")
    if seconds > MAX_PROMPT_S:
        raise PromptRefused(f"a prompt is at most {MAX_PROMPT_S:.0f} s, not {seconds:.1f} s")
    return seconds


def speak(text: str, wav: Path) -> Path:
    """``text`` spoken into ``wav`` (8 kHz mono), unless it is there already."""
    if not wav.exists():
        wav.parent.mkdir(parents=True, exist_ok=True)
        _speak(text, wav)
    return wav


def joined(parts: list[Path], out: Path) -> Path:
    """The prompts one after another in one file (rtpengine plays one file at a time)."""
    if out.exists():
        return out
    frames: list[bytes] = []
    params = None
    for part in parts:
        with wave.open(str(part)) as w:
            params = params or w.getparams()
            frames.append(w.readframes(w.getnframes()))
    assert params is not None
    tmp = out.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setparams(params)
        w.writeframes(b"".join(frames))
    tmp.replace(out)
    return out


def seconds_of(wav: Path) -> float:
    with wave.open(str(wav)) as w:
        return float(w.getnframes()) / int(w.getframerate())
