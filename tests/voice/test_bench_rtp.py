"""The voice benchmark's RTP endpoints over real loopback UDP: an Opus sender's tone
decodes at its frequency, and markers sent among the tone are heard and timed."""

from __future__ import annotations

import asyncio

import pytest
from bench.voice_rtp import MARK_EVERY, Codec, Endpoint, Opus, endpoint, mark_delays_ms, peak_hz


async def _exchange(
    sender_codec: Codec, receiver_codec: Codec, frames: int
) -> tuple[Endpoint, Endpoint]:
    sender = await endpoint(sender_codec, 0.0)
    receiver = await endpoint(receiver_codec, 1000.0)
    sender.peer = ("127.0.0.1", receiver.port)
    for _ in range(frames):
        sender.send_frame()
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert sender.transport is not None and receiver.transport is not None
    sender.transport.close()
    receiver.transport.close()
    return sender, receiver


def _codec(name: str, marks: bool) -> Codec:
    return Opus(1000.0, marks=marks) if name == "opus" else Codec(1000.0, marks=marks)


@pytest.mark.parametrize("name", ["opus", "pcmu"])
def test_tone_decodes_at_its_frequency_and_markers_are_timed(name: str) -> None:
    sender, receiver = asyncio.run(
        _exchange(_codec(name, True), _codec(name, False), 3 * MARK_EVERY)
    )
    assert receiver.heard_at is not None, "the 1000 Hz tone was never heard"
    assert abs(peak_hz(receiver.tail) - 1000.0) < 30
    assert len(sender.marks_sent) == 3
    delays = mark_delays_ms(sender, receiver)
    assert len(delays) == 3, receiver.marks_heard
    # Straight over loopback: a marker arrives within a few ms of leaving.
    assert all(0 <= d < 15 for d in delays), delays


def test_opus_answers_the_offered_payload_type() -> None:
    sender, receiver = asyncio.run(
        _exchange(Opus(1000.0, marks=False, pt=96), Opus(600.0, marks=False, pt=111), 20)
    )
    # A receiver drops packets of a payload type it did not negotiate.
    assert sender.codec.pt == 96
    assert receiver.first_at is None
