#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes seed inputs for the fuzz targets from samples/ (python3 stdlib only).

    seeds.py SAMPLES_DIR OUT_DIR

OUT_DIR/parse   SIP messages found in the sample captures (byte 0 = header
                array option, see fuzz_parse.c) plus a few hand-written ones
OUT_DIR/sdp     their SDP bodies
OUT_DIR/stream  scripts (fuzz_stream.c) replaying messages as TCP segments,
                split, out of order, retransmitted, over UDP
OUT_DIR/pcap    the sample captures themselves (<= 32 KiB), hostile ones
                included, some with option bits set (fuzz_pcap.c)
Files are named by the SHA-1 of their content, like libFuzzer does.
"""
import hashlib
import os
import struct
import sys

STARTS = [b"SIP/2.0 ", b"INVITE ", b"ACK ", b"BYE ", b"CANCEL ", b"OPTIONS ",
          b"REGISTER ", b"MESSAGE ", b"SUBSCRIBE ", b"NOTIFY ", b"PRACK ", b"UPDATE ",
          b"INFO ", b"REFER ", b"PUBLISH "]

HANDWRITTEN = [
    b"INVITE sip:bob@example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds;rport;received=1.2.3.4\r\n"
    b"Via: SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKx, SIP/2.0/UDP h\r\n"
    b"Max-Forwards: 70\r\nTo: \"Bob \\\"B\\\"\" <sip:bob@example.com>\r\n"
    b"From: Alice <sip:alice@example.com;tag=inuri>;tag=1928301774\r\n"
    b"i: a84b4c76e66710@pc33.example.com\r\nCSeq: 314159 INVITE\r\n"
    b"m: <sip:alice@pc33.example.com>\r\nc: application/sdp\r\n"
    b"Subject: folded\r\n  continuation\r\n\tand tab\r\n"
    b"Reason: Q.850;cause=17;text=\"User busy\"\r\nUser-Agent: x\r\n"
    b"l: 31\r\n\r\nv=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\n",
    b"SIP/2.0 486 Busy Here\r\nv: SIP/2.0/UDP a;branch=z9hG4bK1\r\nf: <sip:a@b>;tag=1\r\n"
    b"t: <sip:c@d>;tag=2\r\ni: id\r\nCSeq: 1 INVITE\r\nServer: s\r\nContent-Length: 0\r\n\r\n",
    b"SIP/2.0 200\nCall-ID: lf-only\nCSeq: 4294967295 OPTIONS\nContent-Length : 0\n\n",
    b"OPTIONS sip:x SIP/2.0\r\nCall-ID: \x00nul\r\nCSeq: 1 OPTIONS\r\n"
    b"From: \"\xff\xfe\xc3\x28\" <sip:a@b>;tag=\x1b[31m\r\n\r\n",
]

SDP_HANDWRITTEN = [
    b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
    b"a=sendonly\r\nm=audio 4000 RTP/AVP 0 8 101 18\r\na=rtpmap:101 telephone-event/8000\r\n"
    b"a=rtpmap:8 PCMA/8000\r\nm=video 0 RTP/AVP 96\r\nc=IN IP6 ::1\r\na=inactive\r\n"
    b"m=image 5000 udptl t38\r\n",
]


def pcap_packets(data):
    """Packet bytes of a classic pcap or a pcapng (EPB, SPB) file."""
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = "<" if magic[0] in (0xd4, 0x4d) else ">"
        pos = 24
        while pos + 16 <= len(data):
            caplen = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
            yield data[pos + 16:pos + 16 + caplen]
            pos += 16 + caplen
    elif magic == b"\x0a\x0d\x0d\x0a":
        end = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        pos = 0
        while pos + 12 <= len(data):
            btype, blen = struct.unpack(end + "II", data[pos:pos + 8])
            if blen < 12:
                return
            if btype == 6:
                caplen = struct.unpack(end + "I", data[pos + 20:pos + 24])[0]
                yield data[pos + 28:pos + 28 + caplen]
            elif btype == 3:
                yield data[pos + 12:pos + blen - 4]
            pos += blen


def sip_in(packet):
    """The SIP message a packet's payload starts with, or None."""
    best = None
    for s in STARTS:
        i = packet.find(s)
        if i >= 0 and (best is None or i < best):
            best = i
    return packet[best:] if best is not None else None


def write(out, sub, data, seen):
    d = os.path.join(out, sub)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    if (sub, name) in seen:
        return
    seen.add((sub, name))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def record(op, seq_delta, payload, time=1):
    return bytes([op, seq_delta & 0xFF, len(payload), time]) + payload


def record_ack(op, seq_delta, ack_delta, payload, time=1):
    """A record of a script whose configuration byte has bit 2 (ACK byte)."""
    return bytes([op, seq_delta & 0xFF, len(payload), time, ack_delta & 0xFF]) + payload


def stream_scripts(msg):
    """A few TCP/UDP scripts carrying msg (fuzz_stream.c format)."""
    m = msg[:250 * 3]
    parts = [m[i:i + 250] for i in range(0, len(m), 250)]
    syn = record(0x08, 0, b"")
    inorder = b"\x00" + syn + b"".join(record(0x00, 0, p) for p in parts) + record(0x10, 0, b"")
    yield inorder
    if len(parts) >= 2:
        # second part first (held), then the first part (fills the hole)
        ooo = b"\x00" + syn + record(0x00, len(parts[0]) & 0x7F if len(parts[0]) < 128 else 0,
                                     parts[1]) + record(0x00, 0, parts[0])
        yield ooo
    small = [m[i:i + 100] for i in range(0, min(len(m), 400), 100)]
    if len(small) >= 3:
        # the second piece never captured; the peer's ACK covers it (a hole
        # declared at the ACK), then the rest of the stream
        yield b"\x04" + record_ack(0x08, 0, 0, b"") + record_ack(0x00, 0, 0, small[0]) + \
            record_ack(0x00, len(small[1]), 0, small[2]) + record_ack(0x01, 0, 0, b"") + \
            b"".join(record_ack(0x00, 0, 0, p) for p in small[3:])
    half = len(m) // 2
    if 0 < half < 250:
        split = b"\x01" + record(0x00, 0, m[:half]) + record(0x00, 0, m[half:min(len(m), half + 250)])
        yield split
    yield b"\x00" + record(0x04, 0, m[:250])                      # UDP
    yield b"\x00" + record(0x01, 0, m[:250]) + record(0x01, -20, m[:250])  # reverse flow, overlap


def with_option(pcap, opt):
    if len(pcap) >= 24 and pcap[:4] == b"\xd4\xc3\xb2\xa1":
        return pcap[:8] + bytes([opt]) + pcap[9:]
    return None


def main():
    samples, out = sys.argv[1], sys.argv[2]
    seen = set()
    files = []
    for root, _, names in os.walk(samples):
        for n in sorted(names):
            if n.endswith((".pcap", ".pcapng")):
                files.append(os.path.join(root, n))
    messages = list(HANDWRITTEN)
    for path in sorted(files):
        with open(path, "rb") as f:
            data = f.read()
        if len(data) <= 32 * 1024:
            write(out, "pcap", data, seen)
            for opt in (0x3F, 0x0A, 0x11, 0x44):
                v = with_option(data, opt)
                if v and len(files) < 400:
                    write(out, "pcap", v, seen)
        for pkt in pcap_packets(data):
            s = sip_in(pkt)
            if s and len(s) < 16384:
                messages.append(s)
    for m in messages:
        write(out, "parse", b"\x00" + m, seen)
        write(out, "parse", b"\x81" + m, seen)
        body = m.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in m else b""
        if body.startswith(b"v="):
            write(out, "sdp", body, seen)
        for s in stream_scripts(m):
            write(out, "stream", s, seen)
    for s in SDP_HANDWRITTEN:
        write(out, "sdp", s, seen)
    counts = {}
    for sub, _ in seen:
        counts[sub] = counts.get(sub, 0) + 1
    print("seeds: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
