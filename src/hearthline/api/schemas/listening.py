"""Bodies of listening in, whisper and barge (``api/routes/listening.py``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from hearthline.api.schemas.common import In, Out

# A browser's SDP is 1-4 KB; the media engine takes at most 8 KB.
Sdp = Annotated[str, StringConstraints(min_length=1, max_length=8192)]
Party = Literal["caller", "agent"]


class ListenIn(In):
    mode: Literal["listen", "whisper", "barge"] = "listen"


class ListenModeIn(In):
    mode: Literal["listen", "whisper", "barge"]


class ListenOffer(Out):
    party: Party
    sdp: str


class ListenOut(Out):
    session: str
    mode: str
    agent: str
    contact: str
    # Whether the agent's desk shows it (whisper and barge always).
    shown_to_agent: bool
    offers: list[ListenOffer]


class ListenAnswerIn(In):
    party: Party
    sdp: Sdp


class ListenPartyIn(In):
    party: Party


class SdpIn(In):
    sdp: Sdp


class SdpOut(Out):
    sdp: str
