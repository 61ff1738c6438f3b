#!/usr/bin/env bash
# Installs what real calls need: Debian's rtpengine-daemon (userspace; not the `rtpengine`
# metapackage, which builds a kernel module), sip-tester (sipp, the trunk's caller in tests)
# and espeak-ng with sox (the prompts); iptables and iproute2 for the tests that cut an
# agent's network off in a namespace of their own; kamailio, the SIP proxy in front of several
# B2BUA workers (``voice_b2bua_workers``). Never fails: where it cannot install it says what
# is missing in one line, and voice stays off.
set -uo pipefail
need=()
command -v rtpengine >/dev/null 2>&1 || need+=(rtpengine-daemon)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need+=(sox)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# Voice runs without it (one B2BUA); only voice_b2bua_workers > 1 needs it.
has_kamailio() { command -v kamailio >/dev/null 2>&1 || [ -x /usr/sbin/kamailio ]; }
voice_needs=${#need[@]}
has_kamailio || need+=(kamailio)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing for voice: ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${need[@]}"; } >/dev/null 2>&1
  # Debian enables its own rtpengine unit on the default ports; ours runs as a child process.
  # So does Kamailio's, on 5060; ours runs as a child process too.
  command -v systemctl >/dev/null 2>&1 && systemctl disable --now rtpengine-daemon kamailio >/dev/null 2>&1
  still=()
  for tool in rtpengine sipp espeak-ng sox; do command -v $tool >/dev/null 2>&1 || still+=($tool); done
  has_kamailio || echo "several B2BUA workers (voice_b2bua_workers) are off: could not install kamailio"
  [ ${#still[@]} -eq 0 ] && exit 0
  echo "voice is off: could not install ${still[*]} (apt-get install ${need[*]})"
  exit 0
fi
if [ "$voice_needs" -eq 0 ]; then
  echo "several B2BUA workers (voice_b2bua_workers) need Debian's kamailio (run make as root, or apt-get install kamailio)"
  exit 0
fi
echo "voice is off: needs Debian packages ${need[*]} (run make as root, or apt-get install them)"
exit 0
