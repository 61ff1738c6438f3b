"""Real calls: the media engine's control (rtpengine over the ng protocol), the child
processes that carry calls (rtpengine, the B2BUA), and the control plane that joins a
caller to the agent the routing core chose. See docs/voice.md."""
