#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Wireshark plugin loads and its fields work (tests/plugin/lib.sh says
# how tshark is made to load the build):
#  - `tshark -G plugins` lists sipflow.so from where the test put it, and
#    `-G fields` the sipflow.* fields; the .so exports only Wireshark's four
#    entry points;
#  - display filters on samples/call-busy.pcap: sipflow.failed,
#    sipflow.state == "busy", with -2 (final values) and in one pass ("so
#    far" values: the INVITE's call is still in setup when it is dissected);
#  - sipflow.dialog == N, sipflow.retransmission on call-forked/call-retrans;
#  - one "SIP Flow" subtree per message, bound to that message's bytes, when a
#    TCP segment carries two messages (tcp-two-in-one) and when a message
#    spans segments (tcp-split3);
#  - messages sipflow rejects get a subtree with sipflow.not_analysed and no
#    sipflow.call.
. "$SRCDIR/tests/lib/common.sh"
. "$SRCDIR/tests/plugin/lib.sh"
plugin_setup

# expect_frames WHAT WANT: the frame numbers tshark printed (one a line,
# as "1 2 3") are WANT.
expect_frames() {
  local got
  got=$(tr '\n' ' ' <"$TMP/ts.out" | sed 's/ *$//')
  if [ "$RC" -eq 0 ] && [ "$got" = "$2" ]; then
    ok "$1: frames $2"
  else
    bad "$1: frames '$got' (exit $RC), expected '$2'; stderr: $(head -3 "$TMP/ts.err")"
  fi
}

# ---------------------------------------------------------------- loading
"${TS[@]}" -G plugins >"$TMP/ts.out" 2>"$TMP/ts.err"
line=$(grep -F 'sipflow.so' "$TMP/ts.out")
if [ -n "$line" ] && printf '%s' "$line" | grep -q 'dissector'; then
  ok "tshark -G plugins: $(printf '%s' "$line" | tr -s '\t ' ' ')"
else
  bad "tshark -G plugins does not list sipflow.so; stderr: $(head -3 "$TMP/ts.err")"
fi
"${TS[@]}" -G fields >"$TMP/ts.out" 2>"$TMP/ts.err"
fields=$(awk -F'\t' '$1 == "F" && $3 ~ /^sipflow\./ {print $3}' "$TMP/ts.out" | sort | tr '\n' ' ')
want="sipflow.anomaly sipflow.answer_ms sipflow.call sipflow.call_id sipflow.dialog sipflow.duration_s sipflow.failed sipflow.failure sipflow.final_status sipflow.linked_call sipflow.not_analysed sipflow.retransmission sipflow.setup_ms sipflow.state sipflow.transaction "
if [ "$fields" = "$want" ]; then
  ok "tshark -G fields: the $(echo "$fields" | wc -w) sipflow fields"
else
  bad "tshark -G fields: '$fields', expected '$want'"
fi
exports=$(nm -D --defined-only "$PLUGIN" 2>/dev/null | awk '{print $3}' | sort | tr '\n' ' ')
if [ "$exports" = "plugin_register plugin_version plugin_want_major plugin_want_minor " ]; then
  ok "sipflow.so exports only the four plugin entry points"
else
  bad "sipflow.so exports: $exports"
fi

# ---------------------------------------------------------------- filters
need_sample call-busy.pcap && busy=$(ts_input "$SAMPLES/call-busy.pcap")
tsk -2 -r "$busy" -Y 'sipflow.failed' -T fields -e frame.number
expect_frames "-2 -Y sipflow.failed on call-busy" "1 2 3 4"
tsk -2 -r "$busy" -Y 'sipflow.state == "busy"' -T fields -e frame.number
expect_frames "-2 -Y 'sipflow.state == \"busy\"' on call-busy" "1 2 3 4"
tsk -2 -r "$busy" -Y 'sipflow.state == "completed"' -T fields -e frame.number
expect_frames "-2 -Y 'sipflow.state == \"completed\"' on call-busy" ""
# one pass: the state known when each packet is dissected
tsk -r "$busy" -Y 'sipflow.state == "busy"' -T fields -e frame.number
expect_frames "one pass -Y 'sipflow.state == \"busy\"' (so far)" "3 4"
tsk -2 -r "$busy" -T fields -E 'separator=|' -e frame.number -e sipflow.call \
  -e sipflow.transaction -e sipflow.state -e sipflow.final_status -e sipflow.setup_ms \
  -e sipflow.failure
want="1|1|1|busy|486||rejected by 10.0.0.3:5060 with 486 Busy Here after 250 ms"
if [ "$(head -1 "$TMP/ts.out")" = "$want" ]; then
  ok "-2 fields of frame 1: $want"
else
  bad "-2 fields of frame 1: '$(head -1 "$TMP/ts.out")', expected '$want'"
fi

need_sample call-forked.pcap && forked=$(ts_input "$SAMPLES/call-forked.pcap")
tsk -2 -r "$forked" -Y 'sipflow.dialog == 2' -T fields -e frame.number
expect_frames "-Y 'sipflow.dialog == 2' on call-forked (the second early dialog)" "4"
tsk -2 -r "$forked" -Y 'sipflow.dialog == 1' -T fields -e frame.number
expect_frames "-Y 'sipflow.dialog == 1' on call-forked" "3 5 6 7 8"
tsk -2 -r "$forked" -Y 'sipflow.transaction == 3 && sipflow.duration_s == 17' -T fields -e frame.number
expect_frames "-Y 'sipflow.transaction == 3 && sipflow.duration_s == 17' (BYE)" "7 8"
need_sample call-retrans.pcap && retrans=$(ts_input "$SAMPLES/call-retrans.pcap")
tsk -r "$retrans" -Y 'sipflow.retransmission' -T fields -e frame.number
expect_frames "-Y sipflow.retransmission on call-retrans" "2 3 7"
tsk -2 -r "$retrans" -Y 'sipflow.anomaly == "retransmissions"' -T fields -e frame.number
expect_frames "-Y 'sipflow.anomaly == \"retransmissions\"' on call-retrans" "1 2 3 4 5 6 7 8 9 10"

# ------------------------------------------- one subtree per TCP message
# pdml.py ranges: "frame sip-items | sipflow-subtrees" as pos:size in their
# data source (the frame, or "Reassembled TCP" at 0).  The sip items' sizes
# are exact in PDML; the plugin computed its ranges on the first pass,
# without a visible tree.  tcp-two-in-one: frame 5 carries 100 Trying and
# 180 Ringing (54 + 271 = 325, 325 + 333 = the 658-byte frame);
# tcp-split3: the INVITE spans frames 1-6 and is reassembled in frame 6.
for s in "tcp-two-in-one:4 54:720 | 54:720,5 54:271 325:333 | 54:271 325:333,6 54:689 | 54:689,7 54:332 | 54:332" \
         "tcp-split3:6 0:720 | 0:720,7 54:689 | 54:689,8 54:332 | 54:332"; do
  name=${s%%:*}
  want=${s#*:}
  need_sample "$name.pcap" || continue
  in=$(ts_input "$SAMPLES/$name.pcap")
  tsk -2 -r "$in" -Y sip -T pdml -j sipflow
  got=$(python3 "$SRCDIR/tests/plugin/pdml.py" ranges <"$TMP/ts.out" | paste -sd, -)
  if [ "$got" = "$want" ]; then
    ok "$name: one subtree per message, on its bytes: $got"
  else
    bad "$name: subtrees '$got', expected '$want'"
  fi
done

# A segment that ends inside the next message: tests/plugin/mk_tcp_multi.py
# (INVITE + the start of an OPTIONS in frame 4; the rest of it + an INFO in
# frame 5; two responses in frame 6).  Without a visible tree the INVITE's
# sip item runs to the end of frame 4: the library's framing must cut it.
if python3 "$SRCDIR/tests/plugin/mk_tcp_multi.py" "$TMP/mix.pcap"; then
  in=$(ts_input "$TMP/mix.pcap")
  want="4 54:338 | 54:338,5 0:223 223:281 | 0:223 223:281,6 54:207 261:211 | 54:207 261:211,7 54:209 | 54:209"
  for pass in "-2" ""; do
    tsk $pass -r "$in" -Y sip -T pdml -j sipflow
    got=$(python3 "$SRCDIR/tests/plugin/pdml.py" ranges <"$TMP/ts.out" | paste -sd, -)
    if [ "$got" = "$want" ]; then
      ok "mk_tcp_multi ${pass:-one pass}: one subtree per message: $got"
    else
      bad "mk_tcp_multi ${pass:-one pass}: subtrees '$got', expected '$want'"
    fi
  done
  python3 "$SRCDIR/tests/plugin/pdml.py" messages <"$TMP/ts.out" >"$TMP/plugin.tsv"
  "$SIPFLOW" messages --json "$TMP/mix.pcap" >"$TMP/cli.json" 2>/dev/null
  if python3 "$SRCDIR/tests/plugin/pdml.py" compare "$TMP/plugin.tsv" "$TMP/cli.json" >"$TMP/cmp" &&
     [ ! -s "$TMP/cmp" ] && [ "$(wc -l <"$TMP/plugin.tsv")" -eq 6 ]; then
    ok "mk_tcp_multi: the plugin's 6 messages and their ids match the CLI's"
  else
    bad "mk_tcp_multi: plugin and CLI differ: $(head -5 "$TMP/cmp")"
  fi
else
  bad "tests/plugin/mk_tcp_multi.py failed"
fi

# ------------------------------------------------------- not analysed
need_sample malformed.pcap && in=$(ts_input "$SAMPLES/malformed.pcap")
tsk -r "$in" -Y 'sipflow.not_analysed && !sipflow.call' -T fields -e frame.number -e sipflow.not_analysed
if grep -q '^1	frame 1: SIP request without Call-ID header' "$TMP/ts.out"; then
  ok "malformed.pcap: frame 1 not analysed ($(head -1 "$TMP/ts.out" | cut -f2))"
else
  bad "malformed.pcap: no sipflow.not_analysed on frame 1: $(head -3 "$TMP/ts.out")"
fi
need_sample no-content-length.pcap && in=$(ts_input "$SAMPLES/no-content-length.pcap")
tsk -r "$in" -Y 'sipflow.not_analysed' -T fields -e frame.number -e sipflow.not_analysed
if grep -q '^5	no usable Content-Length over a stream' "$TMP/ts.out"; then
  ok "no-content-length.pcap: frame 5 (TCP, no Content-Length) not analysed"
else
  bad "no-content-length.pcap: $(head -3 "$TMP/ts.out")"
fi
finish
