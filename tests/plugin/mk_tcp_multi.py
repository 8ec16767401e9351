#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a small TCP SIP capture that mixes message boundaries and segment
boundaries (python3 stdlib only), for tests/cli/plugin_load.sh:

  frame 4: an INVITE with SDP, then the first 60 bytes of an OPTIONS
  frame 5: the rest of that OPTIONS, then a whole INFO with a body
  frame 6 (other direction): 100 Trying and 200 OK (to the OPTIONS)
  frame 7 (other direction): 200 OK (to the INFO)

usage: mk_tcp_multi.py OUT.pcap
"""
import struct
import sys

A, B = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
AP, BP = 40000, 5060


def sip(start, call_id, cseq, branch, body=b"", to_tag=None, ctype=None):
    h = [start,
         "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=%s" % branch,
         "From: <sip:alice@a.example>;tag=a1",
         "To: <sip:bob@b.example>" + (";tag=%s" % to_tag if to_tag else ""),
         "Call-ID: %s" % call_id,
         "CSeq: %s" % cseq,
         "Max-Forwards: 70"]
    if ctype:
        h.append("Content-Type: %s" % ctype)
    h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body


SDP = (b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
       b"m=audio 4000 RTP/AVP 0\r\n")
INVITE = sip("INVITE sip:bob@b.example SIP/2.0", "mix-1@a", "1 INVITE", "z9hG4bK-inv1",
             SDP, ctype="application/sdp")
OPTIONS = sip("OPTIONS sip:bob@b.example SIP/2.0", "mix-2@a", "1 OPTIONS", "z9hG4bK-opt2")
INFO = sip("INFO sip:bob@b.example SIP/2.0", "mix-3@a", "1 INFO", "z9hG4bK-info3",
           b"Signal=5\r\nDuration=160\r\n", ctype="application/dtmf-relay")
TRYING = sip("SIP/2.0 100 Trying", "mix-1@a", "1 INVITE", "z9hG4bK-inv1")
OK_OPT = sip("SIP/2.0 200 OK", "mix-2@a", "1 OPTIONS", "z9hG4bK-opt2", to_tag="b2")
OK_INFO = sip("SIP/2.0 200 OK", "mix-3@a", "1 INFO", "z9hG4bK-info3", to_tag="b3")


def tcp_frame(src, sport, dst, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000,
                     64, 6, 0, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    return eth + ip + tcp + payload


def main(path):
    SYN, ACK, PSH = 0x02, 0x10, 0x08
    a_seq, b_seq = 1000, 5000
    up = INVITE + OPTIONS + INFO
    cut = len(INVITE) + 60
    down = TRYING + OK_OPT
    frames = [
        tcp_frame(A, AP, B, BP, a_seq, 0, SYN),
        tcp_frame(B, BP, A, AP, b_seq, a_seq + 1, SYN | ACK),
        tcp_frame(A, AP, B, BP, a_seq + 1, b_seq + 1, ACK),
        tcp_frame(A, AP, B, BP, a_seq + 1, b_seq + 1, PSH | ACK, up[:cut]),
        tcp_frame(A, AP, B, BP, a_seq + 1 + cut, b_seq + 1, PSH | ACK, up[cut:]),
        tcp_frame(B, BP, A, AP, b_seq + 1, a_seq + 1 + len(up), PSH | ACK, down),
        tcp_frame(B, BP, A, AP, b_seq + 1 + len(down), a_seq + 1 + len(up), PSH | ACK,
                  OK_INFO),
    ]
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, data in enumerate(frames):
            t = 1768471200 * 1000000 + i * 10000
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(data), len(data)))
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
