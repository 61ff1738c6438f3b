"""The media engine as the control plane sees it: park a caller, play to them, hand them
to an agent's browser leg, end the call. ``RtpEngine`` drives rtpengine over ng;
``FakeMedia`` records what was asked, for tests of the control plane alone. Both also
subscribe a supervisor's browser to a party and publish theirs (``telephony/listen.py``).

Tags: rtpengine knows a call by its Call-ID and each side by a tag. The caller is always
``caller``; the queue's placeholder leg is ``queue``; each agent leg gets a new tag (a
re-offer that reused the queue's tag left the browser's DTLS failing). A callback dialled
out is the same call the other way round: the placeholder offers (``dial``), the
customer's answer comes back as ``caller`` (``dialled``), and from then on the customer
is the caller to every other step (agent leg, hold music, recording, listening in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from hearthline.telephony.ng import Ng

CALLER = "caller"
QUEUE = "queue"

_SIP_LEG: dict[str, Any] = {
    "ICE": "remove",
    "transport-protocol": "RTP/AVP",
    "rtcp-mux": ["demux"],
    "replace": ["origin", "session-connection"],
    "flags": ["trust-address"],
}
# Opus and PCMU offered; telephone-event stripped: a DTMF stream on an SSRC of its own
# silenced Chrome's audio.
_BROWSER_LEG: dict[str, Any] = {
    "ICE": "force",
    "transport-protocol": "UDP/TLS/RTP/SAVPF",
    "rtcp-mux": ["offer", "require"],
    "SDES": ["off"],
    "flags": ["generate mid", "trust-address"],
    "replace": ["origin", "session-connection"],
    "codec": {"transcode": ["opus"], "strip": ["telephone-event"]},
}
# A caller in a browser tab (the "call the center" page), as the flags of the answers
# that go back to it: WebRTC on the caller's side, whatever the other side is.
_BROWSER_CALLER: dict[str, Any] = {
    "ICE": "force",
    "transport-protocol": "UDP/TLS/RTP/SAVPF",
    "rtcp-mux": ["accept"],
    "SDES": ["off"],
    "flags": ["trust-address"],
    "replace": ["origin", "session-connection"],
}
# A browser's own offer that rtpengine answers (a supervisor's microphone, published).
_PUBLISHED_LEG: dict[str, Any] = {
    "ICE": "force",
    "transport-protocol": "UDP/TLS/RTP/SAVPF",
    "rtcp-mux": ["accept"],
    "SDES": ["off"],
    "flags": ["trust-address"],
    "replace": ["origin", "session-connection"],
}
# Where the parked caller's far side "is": nobody listens; rtpengine plays the prompts.
# telephone-event accepted, so rtpengine handles the caller's RFC 2833 keys (and reports
# them to the menu) rather than dropping a payload type the other side does not know.
_PLACEHOLDER = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=queue\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 9 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\na=sendrecv\r\n"
)


class MediaEngine(Protocol):
    async def park(self, call: str, sdp: str) -> str:
        """Takes the caller's offer; returns the SDP to answer them with."""
        ...

    async def park_browser(self, call: str, sdp: str) -> str:
        """``park`` for a caller in a browser tab: their offer and our answer are WebRTC."""
        ...

    async def dial(self, call: str) -> str:
        """The SDP offer to dial a customer with (their leg will be the caller's)."""
        ...

    async def dialled(self, call: str, sdp: str) -> None:
        """The dialled customer's answer: they are the call's caller from now."""
        ...

    async def play(self, call: str, wav: str) -> None:
        """Plays ``wav`` to the caller, over and over, until ``stop_play``."""
        ...

    async def play_once(self, call: str, wav: str) -> None:
        """Plays ``wav`` to the caller once (a menu's prompt)."""
        ...

    async def record(self, call: str) -> None:
        """Starts recording the call (a voicemail)."""
        ...

    async def stop_play(self, call: str) -> None: ...

    async def offer_agent(self, call: str, caller_sdp: str, agent_tag: str) -> str:
        """The WebRTC offer for a new agent leg, connected to the caller."""
        ...

    async def answer_agent(self, call: str, agent_tag: str, sdp: str) -> None:
        """The browser's answer: media flows both ways from now."""
        ...

    async def restart_agent(self, call: str, caller_sdp: str, agent_tag: str) -> str:
        """A fresh offer for the agent leg in place (same tag and ports), with new ICE
        credentials: answered, the browser restarts ICE on the same connection."""
        ...

    async def end(self, call: str) -> None: ...


class RtpEngine:
    def __init__(self, client: Ng) -> None:
        self.ng = client
        # Calls whose caller is a browser: every answer towards them keeps them on WebRTC.
        self.browser_callers: set[str] = set()

    async def park(self, call: str, sdp: str) -> str:
        await self.ng.request("offer", call_id=call, from_tag=CALLER, sdp=sdp, **_SIP_LEG)
        answer = await self.ng.request(
            "answer", call_id=call, from_tag=CALLER, to_tag=QUEUE, sdp=_PLACEHOLDER,
            **self._caller_flags(call),
        )  # fmt: skip
        return str(answer["sdp"])

    async def park_browser(self, call: str, sdp: str) -> str:
        self.browser_callers.add(call)
        return await self.park(call, sdp)

    def _caller_flags(self, call: str) -> dict[str, Any]:
        return _BROWSER_CALLER if call in self.browser_callers else _SIP_LEG

    async def dial(self, call: str) -> str:
        offer = await self.ng.request(
            "offer", call_id=call, from_tag=QUEUE, sdp=_PLACEHOLDER, **_SIP_LEG
        )
        return str(offer["sdp"])

    async def dialled(self, call: str, sdp: str) -> None:
        await self.ng.request(
            "answer", call_id=call, from_tag=QUEUE, to_tag=CALLER, sdp=sdp, **_SIP_LEG
        )

    async def play(self, call: str, wav: str) -> None:
        await self.ng.request(
            "play media", call_id=call, from_tag=CALLER, file=wav, repeat_times=10_000
        )

    async def play_once(self, call: str, wav: str) -> None:
        await self.ng.request("play media", call_id=call, from_tag=CALLER, file=wav)

    async def record(self, call: str) -> None:
        await self.ng.request("start recording", call_id=call)

    async def stop_play(self, call: str) -> None:
        await self.ng.request("stop media", call_id=call, from_tag=CALLER)

    async def offer_agent(self, call: str, caller_sdp: str, agent_tag: str) -> str:
        # The answer to this re-offer names a new caller-side port: it is not sent to the
        # caller, and rtpengine keeps taking their media on the port they already use.
        offer = await self.ng.request(
            "offer", call_id=call, from_tag=CALLER, to_tag=agent_tag, sdp=caller_sdp,
            **_BROWSER_LEG,
        )  # fmt: skip
        return str(offer["sdp"])

    async def restart_agent(self, call: str, caller_sdp: str, agent_tag: str) -> str:
        # ``reset``: rtpengine 10.5 has no ICE-restart flag; a re-offer on the same tags
        # with ``reset`` comes with a new ice-ufrag and ice-pwd (same port, same DTLS
        # fingerprint), which is what makes the browser restart ICE (checked on 10.5.3).
        flags = {**_BROWSER_LEG, "flags": [*_BROWSER_LEG["flags"], "reset"]}
        offer = await self.ng.request(
            "offer", call_id=call, from_tag=CALLER, to_tag=agent_tag, sdp=caller_sdp, **flags
        )
        return str(offer["sdp"])

    async def answer_agent(self, call: str, agent_tag: str, sdp: str) -> None:
        # An answer's flags describe the side it goes back to: the caller's, plain RTP
        # from a trunk, WebRTC from a browser tab.
        await self.ng.request(
            "answer", call_id=call, from_tag=CALLER, to_tag=agent_tag, sdp=sdp,
            **self._caller_flags(call),
        )  # fmt: skip

    async def end(self, call: str) -> None:
        self.browser_callers.discard(call)
        await self.ng.request("delete", call_id=call)

    async def received(self, call: str, tag: str) -> int | None:
        """The RTP packets rtpengine has received from ``tag``'s side (None: it knows no
        such leg). One ng ``query``: per tag, its media's streams, each with its counters."""
        answer = await self.ng.request("query", call_id=call)
        found = answer.get("tags", {}).get(tag)
        if not isinstance(found, dict):
            return None
        return sum(
            int(stream.get("stats", {}).get("packets", 0))
            for media in found.get("medias", ())
            for stream in media.get("streams", ())
            if "RTP" in stream.get("flags", ())
        )

    # Listening in (``telephony/listen.py``): rtpengine's publish/subscribe.

    async def subscribe(self, call: str, from_tag: str, to_tag: str) -> str:
        # One party per subscription: several from-tags in one duplicate ``a=mid``, which
        # Chrome refuses.
        offer = await self.ng.request(
            "subscribe request", call_id=call, from_tag=from_tag, to_tag=to_tag, **_BROWSER_LEG
        )
        return str(offer["sdp"])

    async def subscribe_answer(self, call: str, to_tag: str, sdp: str) -> None:
        await self.ng.request("subscribe answer", call_id=call, to_tag=to_tag, sdp=sdp)

    async def unsubscribe(self, call: str, to_tag: str) -> None:
        await self.ng.request("unsubscribe", call_id=call, to_tag=to_tag)

    async def publish(self, call: str, tag: str, sdp: str) -> str:
        answer = await self.ng.request(
            "publish", call_id=call, from_tag=tag, sdp=sdp, **_PUBLISHED_LEG
        )
        return str(answer["sdp"])

    async def unpublish(self, call: str, tag: str) -> None:
        # A delete naming a from-tag ends that branch only; the call goes on.
        await self.ng.request("delete", call_id=call, from_tag=tag)


@dataclass
class FakeMedia:
    """Answers as rtpengine would, without media; ``log`` lists what was asked."""

    log: list[tuple[str, ...]] = field(default_factory=list)
    playing: set[str] = field(default_factory=set)

    async def park(self, call: str, sdp: str) -> str:
        self.log.append(("park", call))
        return f"v=0\r\ns=parked {call}\r\n"

    async def park_browser(self, call: str, sdp: str) -> str:
        self.log.append(("park_browser", call))
        return f"v=0\r\ns=parked {call}\r\n"

    async def dial(self, call: str) -> str:
        self.log.append(("dial", call))
        return f"v=0\r\ns=dial {call}\r\nm=audio 9 RTP/AVP 0\r\n"

    async def dialled(self, call: str, sdp: str) -> None:
        self.log.append(("dialled", call))

    async def play(self, call: str, wav: str) -> None:
        self.log.append(("play", call, wav))
        self.playing.add(call)

    async def play_once(self, call: str, wav: str) -> None:
        self.log.append(("play_once", call, wav))

    async def record(self, call: str) -> None:
        self.log.append(("record", call))

    async def stop_play(self, call: str) -> None:
        self.log.append(("stop_play", call))
        self.playing.discard(call)

    async def offer_agent(self, call: str, caller_sdp: str, agent_tag: str) -> str:
        self.log.append(("offer_agent", call, agent_tag))
        return f"v=0\r\ns=offer {call} {agent_tag}\r\n"

    async def answer_agent(self, call: str, agent_tag: str, sdp: str) -> None:
        self.log.append(("answer_agent", call, agent_tag))

    async def restart_agent(self, call: str, caller_sdp: str, agent_tag: str) -> str:
        self.log.append(("restart_agent", call, agent_tag))
        return f"v=0\r\ns=restart {call} {agent_tag}\r\n"

    async def end(self, call: str) -> None:
        self.log.append(("end", call))
        self.playing.discard(call)

    async def subscribe(self, call: str, from_tag: str, to_tag: str) -> str:
        self.log.append(("subscribe", call, from_tag, to_tag))
        return f"v=0\r\ns=subscribe {call} {from_tag} {to_tag}\r\nm=audio 9 RTP/AVP 0\r\n"

    async def subscribe_answer(self, call: str, to_tag: str, sdp: str) -> None:
        self.log.append(("subscribe_answer", call, to_tag))

    async def unsubscribe(self, call: str, to_tag: str) -> None:
        self.log.append(("unsubscribe", call, to_tag))

    async def publish(self, call: str, tag: str, sdp: str) -> str:
        self.log.append(("publish", call, tag))
        return f"v=0\r\ns=published {call} {tag}\r\nm=audio 9 RTP/AVP 0\r\n"

    async def unpublish(self, call: str, tag: str) -> None:
        self.log.append(("unpublish", call, tag))
