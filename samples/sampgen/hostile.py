# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile captures (samples/hostile/): what an attacker or a broken device
may put in a capture.  Each one also carries a valid OPTIONS/200 pair over
UDP (Call-ID "<token>@10.0.0.1" from cid("hostile-NAME")), so a test can
check that everything else is still reported.  tests/cli/hostile.sh asserts
the exit status, the exact diagnostics and the messages of each.

Every file is deterministic and under 2 MB."""
import struct

from . import net
from .flows import ALICE, BOB, UdpPath, cid, options_pair, sess
from .net import Capture, TcpConn
from .sip import Leg, Msg, RawMsg, UA, sdp

CASES = []
DIR = "hostile/"

TA = UA("alice", ALICE.addr, 5060, agent=ALICE.agent, display="Alice",
        domain="example.com", transport="TCP")
TB = UA("bob", BOB.addr, 5060, agent=BOB.agent, display="Bob", domain="example.com",
        transport="TCP")
CLIENT = (ALICE.addr, 49152)


def case(fn):
    CASES.append(fn)
    return fn


def cap(name, readme, **kw):
    c = Capture(DIR + name, **kw)
    c.readme = readme
    return c


def valid_pair(c, name, t):
    """The OPTIONS/200 that every hostile capture carries."""
    return options_pair(UdpPath(c, ALICE, BOB), Leg(ALICE, BOB, cid("hostile-" + name, ALICE)),
                        t=t)


def send_in_segments(conn, t, side, start, end, size=1460):
    """Sends stream bytes [start, end) in segments of at most size bytes,
    10 us apart."""
    n = 0
    for s in range(start, end, size):
        conn.seg(t + n * 0.00001, side, s, min(s + size, end))
        n += 1


def with_bytes(c, fn):
    """Makes c write fn(bytes it would write) instead (broken files)."""
    plain = Capture.file_bytes
    c.file_bytes = lambda: fn(plain(c))
    return c


# ------------------------------------------------------------- IP and TCP

@case
def frag_overlap():
    c = cap("frag-overlap", "a MESSAGE in 3 IPv4 fragments; a 4th fragment (frame 2) "
            "covers the 2nd one's bytes with different data and arrives first: the "
            "first data is kept, the conflict reported")
    leg = Leg(ALICE, BOB, cid("frag-overlap", ALICE))
    text = "".join("line %03d of a long instant message\r\n" % i for i in range(80))
    msg = leg.request("MESSAGE", body=text, ctype="text/plain")
    dgram = net.udp(ALICE.addr, BOB.addr, 5060, 5060, msg.data)
    size = 1480
    chunks = [dgram[i:i + size] for i in range(0, len(dgram), size)]
    assert len(chunks) == 3
    evil = chunks[1].replace(b"line", b"LINE")
    assert evil != chunks[1] and len(evil) == len(chunks[1])
    group = net.FragGroup(3, [(ALICE.ep, BOB.ep, "udp", msg)])
    ident = c.next_ident(ALICE.addr)
    order = [(0, chunks[0], True), (1, evil, True), (1, chunks[1], False), (2, chunks[2], True)]
    for n, (i, data, counts) in enumerate(order):
        l3 = net.ipv4(ALICE.addr, BOB.addr, net.PROTO_UDP, data, ident,
                      mf=i < 2, offset=i * size)
        c.add_l3(n * 0.00001, l3, ALICE.addr, BOB.addr,
                 [("frag", group, i)] if counts else [])
    valid_pair(c, "frag-overlap", 1.0)
    return [c]


@case
def tcp_seq_wrap():
    c = cap("tcp-seq-wrap", "TCP whose sequence numbers wrap past 2^32 inside the "
            "INVITE (sent in 2 segments, captured out of order) and inside the 200")
    conn = TcpConn(c, CLIENT, TB.ep, isn_c=0xFFFFFF00, isn_s=0xFFFFFFF0)
    conn.handshake(0.0)
    leg = Leg(TA, TB, cid("tcp-seq-wrap", TA))
    inv = leg.request("INVITE", body=b"")
    start, end = conn.push("c", inv)
    assert end > 0x100, "the INVITE must cross the wrap"
    conn.seg(0.0030, "c", start + 0x180, end)
    conn.seg(0.0032, "c", start, start + 0x180)
    ok = leg.response(inv, 200)
    conn.send(0.5, "s", ok)
    conn.send(0.51, "c", leg.ack(inv, ok))
    valid_pair(c, "tcp-seq-wrap", 1.0)
    return [c]


# ------------------------------------------------------------------- SIP

@case
def content_length_4g():
    c = cap("content-length-4g", "Content-Length: 4294967296: over TCP the message "
            "is skipped (its boundary is unknown) and the next one framed; over UDP "
            "the datagram is the message")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = Leg(TA, TB, cid("content-length-4g", TA))
    bad = leg.request("MESSAGE", body=b"four gigabytes", ctype="text/plain")
    bad.clen = "4294967296"
    bad.listed = False
    conn.send(0.002, "c", bad)
    good = leg.request("MESSAGE", body=b"hello", ctype="text/plain")
    conn.send(0.004, "c", good)
    conn.send(0.006, "s", leg.response(good, 200))
    uleg = Leg(ALICE, BOB, cid("content-length-4g-udp", ALICE))
    udp_bad = uleg.request("MESSAGE", body=b"four gigabytes", ctype="text/plain")
    udp_bad.clen = "4294967296"
    UdpPath(c, ALICE, BOB).send(0.5, "a", udp_bad)
    valid_pair(c, "content-length-4g", 1.0)
    return [c]


@case
def headers_10000():
    c = cap("headers-10000", "TCP: a MESSAGE with 10 000 extension headers before its "
            "Call-ID and CSeq (170 KB in 117 segments), then its 200")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = Leg(TA, TB, cid("headers-10000", TA))
    base = leg.request("MESSAGE", body=b"many headers", ctype="text/plain")
    head = [(n, v) for n, v in base.headers if n not in ("Call-ID", "CSeq")]
    pads = [("X-Pad-%05d" % i, str(i)) for i in range(10000)]
    msg = Msg(base.start, head + pads + [("Call-ID", base.get("Call-ID")),
                                         ("CSeq", base.get("CSeq"))], base.body)
    start, end = conn.push("c", msg)
    send_in_segments(conn, 0.002, "c", start, end)
    conn.send(0.1, "s", leg.response(base, 200))
    valid_pair(c, "headers-10000", 1.0)
    return [c]


@case
def header_1mb():
    c = cap("header-1mb", "TCP: a MESSAGE with a 1 MiB header line (over the 256 KiB "
            "message limit: skipped), then in its own segment a good MESSAGE and its 200")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = Leg(TA, TB, cid("header-1mb", TA))
    big = leg.request("MESSAGE", body=b"x", ctype="text/plain",
                      extra=[("X-Long", "a" * (1 << 20))])
    big.listed = False
    start, end = conn.push("c", big)
    send_in_segments(conn, 0.002, "c", start, end)
    good = leg.request("MESSAGE", body=b"after the long one", ctype="text/plain")
    conn.send(0.2, "c", good)
    conn.send(0.202, "s", leg.response(good, 200))
    valid_pair(c, "header-1mb", 1.0)
    return [c]


def raw_options(n, extra, call_id=None, listed=True):
    """An OPTIONS written byte for byte with extra header lines (bytes)."""
    i = call_id or ("%s@10.0.0.1" % n).encode()
    lines = [b"OPTIONS sip:bob@example.com SIP/2.0",
             b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK" + n.encode(),
             b"Max-Forwards: 70", b"From: <sip:alice@example.com>;tag=" + n.encode(),
             b"To: <sip:bob@example.com>", b"Call-ID: " + i, b"CSeq: 1 OPTIONS"]
    text = b"\r\n".join(lines + extra + [b"Content-Length: 0"]) + b"\r\n\r\n"
    return RawMsg(text, i.decode("latin-1"), 1, "OPTIONS", "OPTIONS", listed=listed)


@case
def nul_in_headers():
    c = cap("nul-in-headers", "UDP: NUL bytes in header values (User-Agent, Subject, "
            "the Call-ID): reported; a NUL in a header name: malformed")
    p = UdpPath(c, ALICE, BOB)
    p.send(0.0, "a", raw_options("nul1", [b"User-Agent: evil\x00agent",
                                          b"Subject: \x00\x00\x00"]))
    p.send(0.1, "a", raw_options("nul2", [], call_id=b"nul\x00call@10.0.0.1"))
    p.send(0.2, "a", raw_options("nul3", [b"X-Bad\x00Name: value"], listed=False))
    valid_pair(c, "nul-in-headers", 1.0)
    return [c]


@case
def utf8_display():
    c = cap("utf8-display", "UDP: an INVITE and its 486 whose From display name is "
            "invalid UTF-8 (lone continuation bytes, an overlong form, a truncated "
            "sequence, 0xFF) and carries an ESC sequence")
    leg = Leg(ALICE, BOB, cid("utf8-display", ALICE))
    inv = leg.request("INVITE", body=b"")
    bad = b'"\xff\xfe Al\xc3\x28ice \xc0\xaf \x80\x80 \x1b[2J\xe2\x82" <sip:alice@example.com>'
    frm = bad + b";tag=" + leg.a_tag.encode()
    raw = inv.data.replace(inv.get("From").encode(), frm)
    rinv = RawMsg(raw, leg.call_id, 1, "INVITE", "INVITE")
    p = UdpPath(c, ALICE, BOB)
    p.send(0.0, "a", rinv)
    busy = leg.response(inv, 486)
    rbusy = RawMsg(busy.data.replace(inv.get("From").encode(), frm), leg.call_id, 1,
                   "INVITE", 486)
    p.send(0.05, "b", rbusy)
    valid_pair(c, "utf8-display", 1.0)
    return [c]


@case
def endless_fold():
    c = cap("endless-fold", "TCP: a header folded line after line (300 KB, no end of "
            "headers) until the connection closes; UDP: a datagram ending inside a "
            "folded header (reported)")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = Leg(TA, TB, cid("endless-fold", TA))
    msg = leg.request("MESSAGE", body=b"", ctype="text/plain")
    head = msg.data[:msg.data.index(b"Content-Length")] + b"Subject: start"
    fold = b"".join(b"\r\n  folded line %06d" % i for i in range(15000))
    start, end = conn.push("c", head + fold)
    send_in_segments(conn, 0.002, "c", start, end)
    conn.close(0.5)
    uleg = Leg(ALICE, BOB, cid("endless-fold-udp", ALICE))
    umsg = uleg.request("OPTIONS")
    uhead = umsg.data[:umsg.data.index(b"Content-Length")] + b"Subject: start"
    udata = uhead + b"".join(b"\r\n\tmore %03d" % i for i in range(40))
    UdpPath(c, ALICE, BOB).send(0.6, "a", RawMsg(udata, uleg.call_id, 1, "OPTIONS",
                                                 "OPTIONS"))
    valid_pair(c, "endless-fold", 1.0)
    return [c]


# ---------------------------------------------------------------- files

def pcap_records(data):
    """[(offset of the record header, caplen)] of a little-endian pcap."""
    out, pos = [], 24
    while pos + 16 <= len(data):
        caplen = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        out.append((pos, caplen))
        pos += 16 + caplen
    return out


def set_caplen(data, record, caplen, wirelen=None):
    pos = pcap_records(data)[record][0]
    data = data[:pos + 8] + struct.pack("<I", caplen) + data[pos + 12:]
    if wirelen is not None:
        data = data[:pos + 12] + struct.pack("<I", wirelen) + data[pos + 16:]
    return data


@case
def caplen_over_snaplen():
    c = cap("caplen-over-snaplen", "pcap with snaplen 600 whose 3rd record (an "
            "INVITE with SDP) says caplen 748 > snaplen: libpcap keeps the first 600 "
            "bytes, enough for the INVITE to be reported", snaplen=600)
    p = UdpPath(c, ALICE, BOB)
    valid_pair(c, "caplen-over-snaplen", 0.0)
    leg = Leg(ALICE, BOB, cid("caplen-over-snaplen", ALICE))
    inv = leg.request("INVITE", body=sdp(ALICE, sess("caplen-over-snaplen")))
    p.send(0.5, "a", inv)
    assert len(c.packets[-1].data) == 748, len(c.packets[-1].data)
    c.packets[-1].caplen = len(c.packets[-1].data)      # written whole, > snaplen;
    # libpcap cuts it to 600 bytes, which still hold the key headers: listed
    return [c]


@case
def caplen_huge():
    c = cap("caplen-huge", "pcap whose 3rd record says caplen 0xFFFFFF00: libpcap "
            "refuses it; the 2 packets before are reported")
    valid_pair(c, "caplen-huge", 0.0)
    leg = Leg(ALICE, BOB, cid("caplen-huge", ALICE))
    UdpPath(c, ALICE, BOB).send(0.5, "a", leg.request("OPTIONS"))
    c.packets[-1].missing = True
    return [with_bytes(c, lambda d: set_caplen(d, 2, 0xFFFFFF00))]


@case
def caplen_beyond_eof():
    c = cap("caplen-beyond-eof", "pcap whose last record says caplen 60000 (< snaplen) "
            "but the file ends after its 429 bytes")
    valid_pair(c, "caplen-beyond-eof", 0.0)
    leg = Leg(ALICE, BOB, cid("caplen-beyond-eof", ALICE))
    UdpPath(c, ALICE, BOB).send(0.5, "a", leg.request("OPTIONS"))
    c.packets[-1].missing = True
    return [with_bytes(c, lambda d: set_caplen(d, 2, 60000, 60000))]


def pcapng_block(block_type, body):
    body += b"\x00" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def insert_blocks(data, blocks_after):
    """Inserts extra blocks into a pcapng: {index of the block to follow: [blocks]}."""
    out, pos, i = [], 0, 0
    while pos + 8 <= len(data):
        length = struct.unpack("<I", data[pos + 4:pos + 8])[0]
        out.append(data[pos:pos + length])
        out += blocks_after.get(i, [])
        pos += length
        i += 1
    return b"".join(out)


@case
def pcapng_unknown_blocks():
    c = cap("pcapng-unknown-blocks", "pcapng with blocks of unknown types (a "
            "reserved type, a local-use type with the high bit set, a Custom Block) "
            "between the packets: skipped", fmt="pcapng")
    valid_pair(c, "pcapng-unknown-blocks", 0.0)
    unknown = [pcapng_block(0x0BADB10C, b"unknown block type " * 3),
               pcapng_block(0x80001234, b"\xff" * 17),
               pcapng_block(0x00000BAD, struct.pack("<I", 32473) + b"custom data, copiable")]
    # SHB, IDB, EPB (OPTIONS), [unknown], EPB (200)
    return [with_bytes(c, lambda d: insert_blocks(d, {2: unknown}))]


@case
def pcapng_bad_block():
    c = cap("pcapng-bad-block", "pcapng whose 4th block has an unknown type and a "
            "length that is not a multiple of 4: libpcap stops there", fmt="pcapng")
    valid_pair(c, "pcapng-bad-block", 0.0)
    leg = Leg(ALICE, BOB, cid("pcapng-bad-block", ALICE))
    UdpPath(c, ALICE, BOB).send(0.5, "a", leg.request("OPTIONS"))
    c.packets[-1].missing = True
    bad = struct.pack("<II", 0x0BADB10C, 23) + b"x" * 11 + struct.pack("<I", 23)
    return [with_bytes(c, lambda d: insert_blocks(d, {3: [bad]}))]
