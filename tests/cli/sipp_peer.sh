#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Real peers (issue 3): sipp plays a caller and a callee on 127.0.0.1
# (scenarios in tests/peer/), tcpdump (or dumpcap) captures them on lo, and
# sipflow must report what the scenario did:
#   completed/udp  INVITE 100 180 200 ACK, 1 s, BYE 200   -> state completed, 200
#   completed/tcp  the same over one TCP connection        -> completed, transport tcp
#   busy/udp       INVITE 100 180 486 ACK                  -> busy, 486, failure names the callee
#   rejected/tcp   INVITE 100 180 603 ACK                  -> rejected, 603, idem
# and `messages --json` must list the same messages as tshark on the capture.
# Skips (77) when sipp or a capture tool is missing, or when capturing on lo
# is not permitted.  Every process it starts is bounded by `timeout`, and
# stopped by its PID on exit.
. "$SRCDIR/tests/lib/common.sh"

PEER="$SRCDIR/tests/peer"
PEERCHECK="python3 $PEER/peercheck.py"

command -v sipp >/dev/null || skip "sipp is not installed (Debian package sip-tester)"
command -v tcpdump >/dev/null || command -v dumpcap >/dev/null \
  || skip "neither tcpdump nor dumpcap is installed"
command -v timeout >/dev/null || skip "timeout (coreutils) is not installed"

# PIDs of the background processes still running (each a `timeout` wrapper,
# which passes the signal on to its child).
RUNNING=()
stop_all() {
  local pid
  for pid in "${RUNNING[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${RUNNING[@]}"; do wait "$pid" 2>/dev/null; done
  RUNNING=()
}
trap 'stop_all; rm -rf "$TMP"' EXIT
trap 'exit 143' INT TERM HUP

# forget PID: it has been waited for.
forget() {
  local keep=() pid
  for pid in "${RUNNING[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  RUNNING=("${keep[@]}")
}

# start_capture FILE FILTER: captures on lo into FILE (pcap) in the background
# and returns once the capture is listening; CAPTURE_PID.  Returns 1 with the
# tool's message in $TMP/cap.err when it could not start.
start_capture() {
  local file=$1 filter=$2 tool ready
  for tool in tcpdump dumpcap; do
    command -v $tool >/dev/null || continue
    : >"$TMP/cap.err"
    if [ $tool = tcpdump ]; then
      # -Z root: as root, do not drop to the tcpdump user, who may not
      # write into $TMP (mode 0700).
      local z=()
      [ "$(id -u)" -eq 0 ] && z=(-Z root)
      timeout 120 tcpdump -i lo -n -U --immediate-mode "${z[@]}" -w "$file" "$filter" \
        2>"$TMP/cap.err" </dev/null &
      ready="listening on"
    else
      timeout 120 dumpcap -i lo -P -f "$filter" -w "$file" 2>"$TMP/cap.err" </dev/null &
      ready="^File: " # "Capturing on" comes before the device is opened
    fi
    CAPTURE_PID=$!
    RUNNING+=("$CAPTURE_PID")
    for _ in $(seq 100); do
      if grep -q "$ready" "$TMP/cap.err"; then
        CAPTURE_TOOL=$tool
        return 0
      fi
      kill -0 "$CAPTURE_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$CAPTURE_PID" 2>/dev/null
    wait "$CAPTURE_PID" 2>/dev/null
    forget "$CAPTURE_PID"
    cp "$TMP/cap.err" "$TMP/cap.err.$tool"
  done
  cat "$TMP"/cap.err.tcpdump "$TMP"/cap.err.dumpcap >"$TMP/cap.err" 2>/dev/null
  return 1
}

# stop_capture FILE PORT: stops the capture once it holds everything sent so
# far, and waits for it.  A datagram to PORT (in the capture filter, no SIP
# there) marks the end: dumpcap has no immediate mode and loses the packets
# still in the kernel's buffer when it is stopped.
stop_capture() {
  python3 -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"sipflow-capture-end", ("127.0.0.1", int(sys.argv[1])))' "$2"
  for _ in $(seq 100); do
    grep -q sipflow-capture-end "$1" 2>/dev/null && break
    sleep 0.1
  done
  kill "$CAPTURE_PID" 2>/dev/null
  wait "$CAPTURE_PID" 2>/dev/null
  forget "$CAPTURE_PID"
}

# wait_listening udp|tcp PORT PID: until a socket listens on PORT (at most
# 10 s, or until PID, the peer that should open it, has exited).
wait_listening() {
  for _ in $(seq 100); do
    $PEERCHECK listening "$1" "$2" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# show_log FILE: the last lines of a peer's log, indented.
show_log() {
  [ -s "$1" ] && tail -15 "$1" | sed 's/^/    /'
}

# peer_status NAME ROLE STATUS LOG: sipp's exit status (0: its scenario ran to
# the end, 1: the call failed), with its log on failure.
peer_status() {
  if [ "$3" -eq 0 ]; then
    ok "$1: sipp $2 completed its scenario"
  else
    bad "$1: sipp $2 exit $3:"
    show_log "$4.log"
    show_log "$4-errors.log"
  fi
}

# check NAME INPUT ARGS...: peercheck.py ARGS < INPUT, its lines prefixed
# with NAME; a failure when it fails.
check() {
  local name=$1 input=$2
  shift 2
  $PEERCHECK "$@" <"$input" >"$TMP/check" 2>&1
  local rc=$?
  sed "s/^\(ok\|FAIL\): /\1: $name: /" "$TMP/check"
  [ "$rc" -eq 0 ] || FAILURES=$((FAILURES + 1))
}

# run_peers NAME TRANSPORT(udp|tcp) SCENARIO UAS.xml UAC.xml [STATUS REASON]
# Captures one call between the two sipp, then checks sipflow on the capture.
# With STATUS and REASON, UAS.xml is made from tests/peer/UAS.xml.in.
run_peers() {
  local name=$1 transport=$2 scenario=$3 uas_xml=$PEER/$4 uac_xml=$PEER/$5
  local dir="$TMP/$name" base uas_port uac_port pcap t uas_pid uac
  mkdir -p "$dir"
  if [ $# -eq 7 ]; then
    uas_xml="$dir/$4"
    sed -e "s/@STATUS@/$6/g" -e "s/@REASON@/$7/g" "$PEER/$4.in" >"$uas_xml"
  fi
  pcap="$dir/capture.pcap"
  base=$($PEERCHECK ports) || { bad "$name: no free ports"; return; }
  uas_port=$base
  uac_port=$((base + 1))
  t=${transport:0:1}1 # sipp -t u1 / t1: one socket for every call
  if ! start_capture "$pcap" \
    "host 127.0.0.1 and (port $uas_port or port $uac_port or port $((base + 19)))"; then
    if grep -qiE "permission|not permitted|privilege" "$TMP/cap.err"; then
      skip "capturing on lo is not permitted ($(grep -ihE "permission|privilege" \
        "$TMP"/cap.err.* | paste -sd ' ' -))"
    fi
    bad "$name: cannot capture on lo:"
    show_log "$TMP/cap.err"
    return
  fi

  # The callee: answers one call then exits (-m 1).  The media ports (-mp)
  # are taken from the same free block so that two sipp never collide.
  (cd "$dir" && exec timeout 20 sipp -sf "$uas_xml" -t "$t" -i 127.0.0.1 \
    -p "$uas_port" -mp $((base + 10)) -m 1 -nostdin -timeout 15s -timeout_error \
    -trace_err -error_file "$dir/uas-errors.log" >"$dir/uas.log" 2>&1 </dev/null) &
  uas_pid=$!
  RUNNING+=("$uas_pid")
  if ! wait_listening "$transport" "$uas_port" "$uas_pid"; then
    bad "$name: the sipp callee does not listen on $transport port $uas_port:"
    show_log "$dir/uas.log"
    stop_all
    return
  fi

  (cd "$dir" && exec timeout 15 sipp -sf "$uac_xml" -t "$t" -i 127.0.0.1 \
    -p "$uac_port" -mp $((base + 14)) -m 1 -nostdin -timeout 10s -timeout_error \
    -trace_err -error_file "$dir/uac-errors.log" \
    "127.0.0.1:$uas_port" >"$dir/uac.log" 2>&1 </dev/null)
  peer_status "$name" caller $? "$dir/uac"
  wait "$uas_pid"
  peer_status "$name" callee $? "$dir/uas"
  forget "$uas_pid"
  stop_capture "$pcap" $((base + 19))
  if [ ! -s "$pcap" ]; then
    bad "$name: $CAPTURE_TOOL wrote no packet:"
    show_log "$TMP/cap.err"
    return
  fi

  # sipp's TCP caller connects from its -p port too.
  uac="127.0.0.1:$uac_port"

  sf messages --json "$pcap"
  expect_rc "$name: messages --json" 0
  cp "$TMP/out" "$dir/messages.json"
  check "$name" "$dir/messages.json" messages "$scenario" "$transport" "$uac" \
    "127.0.0.1:$uas_port"
  compare_tshark "$name" "$pcap" "$dir" "$uas_port"

  sf calls --json "$pcap"
  if [ "$RC" -ne 0 ]; then
    bad "$name: calls --json: exit $RC: $(head -1 "$TMP/err")"
    return
  fi
  cp "$TMP/out" "$dir/calls.json"
  check "$name" "$dir/calls.json" calls "$scenario" "$uac" "127.0.0.1:$uas_port" \
    "$dir/messages.json"
}

# compare_tshark NAME PCAP DIR PORT: `messages --json` lists the messages tshark
# dissects (frame, Call-ID, CSeq, method or status), in the same order.  tshark
# counts frames; comparing messages also holds when TCP puts two in a segment.
compare_tshark() {
  local name=$1 pcap=$2 dir=$3 port=$4 frames
  if ! command -v tshark >/dev/null; then
    echo "note: $name: tshark is not installed, messages not compared with it"
    return
  fi
  # SIP on a port that is not 5060: say so instead of relying on heuristics.
  if ! tshark -d "udp.port==$port,sip" -d "tcp.port==$port,sip" -r "$pcap" -Y sip -T json \
    2>"$dir/tshark.err" >"$dir/tshark.json" || ! $SIPMSGS tshark <"$dir/tshark.json" \
    >"$dir/tshark.tsv" 2>>"$dir/tshark.err"; then
    bad "$name: tshark could not read the capture:"
    show_log "$dir/tshark.err"
    return
  fi
  frames=$(cut -f1 "$dir/tshark.tsv" | uniq | wc -l)
  $SIPMSGS conform <"$dir/messages.json" >"$dir/sipflow.tsv"
  if [ ! -s "$dir/tshark.tsv" ]; then
    bad "$name: tshark found no SIP message in the capture"
  elif diff "$dir/tshark.tsv" "$dir/sipflow.tsv" >"$dir/diff"; then
    ok "$name: the $(wc -l <"$dir/sipflow.tsv") messages (in $frames frames) are tshark's"
  else
    bad "$name: messages differ from tshark's (< tshark, > sipflow):"
    sed 's/^/    /' "$dir/diff" | head -20
  fi
}

run_peers completed-udp udp completed uas.xml uac.xml
run_peers completed-tcp tcp completed uas.xml uac.xml
run_peers busy-udp udp busy uas_reject.xml uac_reject.xml 486 "Busy Here"
run_peers rejected-tcp tcp rejected uas_reject.xml uac_reject.xml 603 Decline
echo "captured with ${CAPTURE_TOOL:-nothing}"
finish
