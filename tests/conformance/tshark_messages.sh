#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Which SIP messages are in a capture: sipflow against Wireshark's dissector.
# For every capture of the conformance corpus ($CORPUS, never copied into the
# project) and every samples/*.pcap*, the list of (frame, Call-ID, CSeq
# number, method or status) from
#   tshark -o tcp.reassemble_out_of_order:TRUE -r F -Y sip -T json
# (every "sip" layer of a frame, only the messages with a CSeq, as the corpus
# README counts them) must equal the one from `sipflow messages --json`,
# message for message (as sets; sipflow's frames must not go down), except for the differences listed in KNOWN below,
# which must then be exactly those.  The corpus files' counts must also be
# the "sip messages" column of $CORPUS/README.md.
. "$SRCDIR/tests/lib/common.sh"

command -v tshark >/dev/null || skip "tshark is not installed (apt-get install tshark)"
[ -n "${CORPUS:-}" ] && [ -f "$CORPUS/README.md" ] || skip "no conformance corpus at '${CORPUS:-}'"

# Where sipflow and tshark 4.0 differ on purpose.  One line per message on
# which they differ: file, '>' (sipflow has it, tshark not) or '<' (tshark
# only), frame, Call-ID, CSeq, method or status.  Why, per file:
#  tshark 4.0 is wrong (the corpus README lists these three):
#  - tcp-keepalive.pcap: a CRLF keep-alive shares a TCP segment with the next
#    OPTIONS; tshark drops that OPTIONS.  RFC 3261 §7.5: CRLFs before a start
#    line on a stream are ignored.
#  - tcp-junk.pcap: junk bytes before a start line on TCP; tshark never
#    resynchronises, sipflow skips to the next start line (with a diagnostic).
#  - compact.pcap: "CSeq : 1 OPTIONS" (white space before the colon) is legal
#    (HCOLON, RFC 3261 §25.1); tshark sees no CSeq, so the corpus rule drops it.
#  tshark 4.0 also never resynchronises after bytes a capture lost:
#  - tcp-gap.pcap: the middle segment of an INVITE is missing; tshark loses
#    everything after it in that direction (the ACK and the BYE); sipflow
#    drops the broken INVITE (diagnostic) and finds the next start line.
#  sipflow rejects, by rule, messages tshark still shows:
#  - malformed.pcap: a REGISTER without Call-ID: RFC 3261 §8.1.1 makes it
#    mandatory; sipflow reports it as a diagnostic, not a message.
#  - no-content-length.pcap: an OPTIONS over TCP without Content-Length:
#    RFC 3261 §18.3 requires it on streams (no way to know where the message
#    ends); sipflow reports it, tshark takes the rest of the segment.
KNOWN=$(cat <<'TSV'
tcp-keepalive.pcap	>	8	e9377d4e7b586ad8@10.0.0.1	2	OPTIONS
tcp-junk.pcap	>	4	ece62cc033e23de5@10.0.0.1	1	OPTIONS
compact.pcap	>	8	da00e970a50e8e9b@10.0.0.1	1	OPTIONS
tcp-gap.pcap	>	9	d50b34c2e256775e@10.0.0.1	1	ACK
tcp-gap.pcap	>	10	d50b34c2e256775e@10.0.0.1	2	BYE
malformed.pcap	<	1		1	REGISTER
no-content-length.pcap	<	5	481f7cbb9b678c9c@10.0.0.1	1	OPTIONS
TSV
)

readme_counts=$($SIPMSGS readme-counts "$CORPUS/README.md")
[ -n "$readme_counts" ] || bad "no counts found in $CORPUS/README.md"

shopt -s nullglob
files=("$CORPUS"/*.pcap "$CORPUS"/*.pcapng "$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng)
checked=0
for f in "${files[@]}"; do
  name=$(basename "$f")
  case $f in "$CORPUS"/*) in_corpus=1 ;; *) in_corpus=0 ;; esac
  tshark -o tcp.reassemble_out_of_order:TRUE -r "$f" -Y sip -T json 2>/dev/null >"$TMP/tshark.json"
  [ -s "$TMP/tshark.json" ] || echo "[]" >"$TMP/tshark.json"
  if ! $SIPMSGS tshark <"$TMP/tshark.json" >"$TMP/tshark.tsv"; then
    bad "$name: cannot read tshark's JSON"
    continue
  fi
  "$SIPFLOW" messages --json -q "$f" >"$TMP/sipflow.json" 2>"$TMP/err"
  rc=$?
  if [ "$rc" -ne 0 ] && [ -s "$TMP/tshark.tsv" ] && [ ! -s "$TMP/sipflow.json" ]; then
    bad "$name: sipflow exit $rc: $(head -1 "$TMP/err")"
  fi
  $SIPMSGS conform <"$TMP/sipflow.json" >"$TMP/sipflow.tsv"
  # Capture order: frame numbers never go down (the comparison below is
  # on sets of messages; the manifests of tests/cli check the exact order).
  if ! cut -f1 "$TMP/sipflow.tsv" | sort -n -c 2>/dev/null; then
    bad "$name: messages not in capture order: frames $(cut -f1 "$TMP/sipflow.tsv" | tr '\n' ' ')"
  fi

  # Differences as "<" tshark only / ">" sipflow only, compared as sets of lines.
  diff "$TMP/tshark.tsv" "$TMP/sipflow.tsv" | grep '^[<>]' | sed 's/^\([<>]\) /\1\t/' \
    | sort >"$TMP/diff"
  printf '%s\n' "$KNOWN" | awk -F'\t' -v n="$name" '$1 == n' | cut -f2- | sort >"$TMP/known"
  sed -i '/^$/d' "$TMP/known"
  if cmp -s "$TMP/diff" "$TMP/known"; then
    if [ -s "$TMP/known" ]; then
      ok "$name: $(wc -l <"$TMP/sipflow.tsv") messages; differs from tshark exactly as known ($(wc -l <"$TMP/known") lines)"
    else
      ok "$name: $(wc -l <"$TMP/sipflow.tsv") messages, same as tshark"
    fi
  else
    bad "$name: sipflow and tshark differ (< tshark only, > sipflow only):"
    head -20 "$TMP/diff" | sed 's/^/    /'
    if [ -s "$TMP/known" ]; then
      echo "  known differences expected:"
      sed 's/^/    /' "$TMP/known"
    fi
  fi

  want=$(printf '%s\n' "$readme_counts" | awk -F'\t' -v n="$name" '$1 == n {print $2}')
  if [ "$in_corpus" = 1 ]; then
    got=$(wc -l <"$TMP/sipflow.tsv")
    if [ -z "$want" ]; then
      bad "$name: not in the table of $CORPUS/README.md"
    elif [ "$got" -eq "$want" ]; then
      ok "$name: $got SIP messages as in the corpus README"
    else
      bad "$name: $got SIP messages, the corpus README says $want"
    fi
  fi
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || bad "no capture checked"
finish
