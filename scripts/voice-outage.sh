#!/usr/bin/env bash
# A real outage of an agent's call leg (root): runs tests/voice/netns_outage.py in a
# network namespace of its own, where iptables drops the leg's packets for 20 s and the
# page's address changes, without touching anyone else's. Loopback and a veth pair: with
# loopback alone Chromium thinks it is offline and the desk opens no stream. The suite
# runs it through tests/voice/test_real_outage.py (docs/voice.md, "Dropped legs, measured").
set -euo pipefail
cd "$(dirname "$0")/.."
exec unshare -n sh -c '
  ip link set lo up &&
  ip link add hl0 type veth peer name hl1 &&
  ip addr add 10.99.0.1/24 dev hl0 && ip link set hl0 up && ip link set hl1 up &&
  PYTHONPATH="$PWD/src" exec .venv/bin/python -m pytest -q -p no:cacheprovider -p no:xdist tests/voice/netns_outage.py "$@"
' sh "$@"
