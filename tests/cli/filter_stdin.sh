#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --filter BPF keeps only the matching packets, and frames keep the numbers
# they have in the whole file; "-" reads the capture from stdin.
. "$SRCDIR/tests/lib/common.sh"

# Six OPTIONS, alternately on ports 5060 and 5080 (frames 2, 4, 6 on 5080),
# frame 5 on TCP-less UDP port 5090 -> 5080 to check "port" matches either side.
python3 - "$TMP/ports.pcap" <<'PY'
import os, sys
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/lib")
from mkpcap import udp_packet, write_pcap
def options(n):
    return ("OPTIONS sip:p@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK%d\r\n"
            "From: <sip:a@192.0.2.1>;tag=f%d\r\nTo: <sip:p@192.0.2.2>\r\nCall-ID: call-%d\r\n"
            "CSeq: %d OPTIONS\r\nContent-Length: 0\r\n\r\n" % (n, n, n, n))
ports = [(5060, 5060), (5060, 5080), (5060, 5060), (5080, 5060), (5090, 5080), (5070, 5070)]
t0 = 1700000000 * 1000000
write_pcap(sys.argv[1], [(t0 + i * 1000, udp_packet("192.0.2.1", sp, "192.0.2.2", dp, options(i + 1)))
                         for i, (sp, dp) in enumerate(ports)])
PY

frames() { python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["frame"]) for l in sys.stdin if l.strip()))' <"$TMP/out"; }

sf messages --json "$TMP/ports.pcap"
expect_rc "no filter" 0
got=$(frames)
[ "$got" = "1 2 3 4 5 6" ] && ok "no filter: frames $got" || bad "no filter: frames '$got', expected '1 2 3 4 5 6'"

sf messages --json --filter 'udp port 5080' "$TMP/ports.pcap"
expect_rc "--filter 'udp port 5080'" 0
got=$(frames)
[ "$got" = "2 4 5" ] && ok "--filter 'udp port 5080': frames $got (original numbers)" \
  || bad "--filter 'udp port 5080': frames '$got', expected '2 4 5'"

sf messages --json --filter 'tcp' "$TMP/ports.pcap"
expect_rc "--filter tcp" 0
[ -s "$TMP/out" ] && bad "--filter tcp: UDP messages printed" || ok "--filter tcp: nothing printed"

# Option after the file, table output: the filter applies the same way.
sf messages "$TMP/ports.pcap" --filter 'udp port 5080'
expect_rc "--filter after FILE (table)" 0
rows=$(grep -c 'call-[0-9]' "$TMP/out")
[ "$rows" -eq 3 ] && ok "--filter after FILE: 3 rows" || bad "--filter after FILE: $rows rows, expected 3"

# A generated sample with SIP on UDP 5080, UDP 12345 and TCP 5061: each
# filter keeps exactly the manifest's messages on that port, same frames.
if need_sample sip-other-port.pcap && need_sample sip-other-port.expected; then
  for f in 'udp port 5080' 'udp port 12345' 'tcp port 5061'; do
    set -- $f
    want=$(awk -F'\t' -v t="$1" -v p=":$3" '$4 == t && (substr($2, length($2) - length(p) + 1) == p || substr($3, length($3) - length(p) + 1) == p) {printf "%s ", $1}' \
      "$SAMPLES/sip-other-port.expected")
    want=${want% }
    sf messages --json --filter "$f" "$SAMPLES/sip-other-port.pcap"
    got=$(frames)
    if [ "$RC" -eq 0 ] && [ -n "$want" ] && [ "$got" = "$want" ]; then
      ok "sip-other-port --filter '$f': frames $got"
    else
      bad "sip-other-port --filter '$f': exit $RC, frames '$got', expected '$want'"
    fi
  done
fi

# stdin: the same output as with the file name, from a redirect and from a pipe.
sf messages --json "$TMP/ports.pcap"
cp "$TMP/out" "$TMP/by-name"
sf_in "$TMP/ports.pcap" messages --json -
expect_rc "stdin (redirect)" 0
cmp -s "$TMP/out" "$TMP/by-name" && ok "stdin (redirect): same as by name" \
  || bad "stdin (redirect): output differs from the file's"
cat "$TMP/ports.pcap" | "$SIPFLOW" messages --json - >"$TMP/out" 2>"$TMP/err"
RC=$?
expect_rc "stdin (pipe)" 0
cmp -s "$TMP/out" "$TMP/by-name" && ok "stdin (pipe): same as by name" \
  || bad "stdin (pipe): output differs from the file's"
sf_in "$TMP/ports.pcap" messages --json --filter 'udp port 5080' -
got=$(frames)
[ "$got" = "2 4 5" ] && ok "stdin + filter: frames $got" || bad "stdin + filter: frames '$got'"

# stdin that is not a capture names "stdin" in the error.
echo "hello" >"$TMP/text"
sf_in "$TMP/text" messages -
expect_rc "stdin not a capture" 1
expect_err "stdin not a capture" "stdin"

# The sample captures through stdin give what they give by name.
shopt -s nullglob
for f in "$SAMPLES"/demo.pcap "$SAMPLES"/*.pcapng; do
  [ -f "$f" ] || { bad "$f is missing"; continue; }
  sf messages --json "$f"
  cp "$TMP/out" "$TMP/by-name"
  rc_name=$RC
  sf_in "$f" messages --json -
  if [ "$RC" -eq "$rc_name" ] && cmp -s "$TMP/out" "$TMP/by-name"; then
    ok "$(basename "$f") via stdin: same output"
  else
    bad "$(basename "$f") via stdin: exit $RC (by name $rc_name) or output differs"
  fi
done
finish
