# SPDX-License-Identifier: GPL-2.0-or-later
"""Captures for the message-extraction foundation: link layers, IP
fragments, tunnels, TCP framing, odd and broken SIP, odd files."""
import hashlib

from . import net
from .flows import (ALICE, BOB, PROXY, TcpPath, UdpPath, answered_call, cid, options_pair,
                    register_flow, sess)
from .net import Capture, TcpConn
from .sip import ALLOW, Leg, RawMsg, UA, big_sdp, sdp, token

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def cap(name, readme, **kw):
    c = Capture(name, **kw)
    c.readme = readme
    return c


def tcp_ua(ua, port=None):
    return UA(ua.user, ua.addr, port or ua.port, agent=ua.agent, display=ua.display,
              domain=ua.domain, transport="TCP", rtp_port=ua.rtp_port)


# ------------------------------------------------------------ UDP, IP, links

@case
def udp_basic():
    c = cap("udp-basic", "Ethernet/IPv4/UDP, the standard call "
            "INVITE/100/180/200/ACK/BYE/200")
    answered_call(UdpPath(c, ALICE, BOB), Leg(ALICE, BOB, cid("udp-basic", ALICE)), "udp-basic")
    return [c]


@case
def ipv4_frag_ooo():
    c = cap("ipv4-frag-ooo", "INVITE with a ~3000-byte SDP in 3 IPv4 fragments captured "
            "out of order (last, first, middle: frames 1-3), its 200 and ACK unfragmented")
    leg = Leg(ALICE, BOB, cid("ipv4-frag-ooo", ALICE))
    inv = leg.request("INVITE", body=big_sdp(ALICE, sess("frag4"), 3000))
    c.udp(0.0, ALICE.ep, BOB.ep, inv, frag=(1480, [2, 0, 1]))
    ok = leg.response(inv, 200, body=sdp(BOB, sess("frag4b")))
    c.udp(1.5, BOB.ep, ALICE.ep, ok)
    c.udp(1.51, ALICE.ep, BOB.ep, leg.ack(inv, ok))
    return [c]


@case
def ipv6_frag():
    a = UA("alice", "2001:db8::1", agent=ALICE.agent, display="Alice", domain="example.com")
    b = UA("bob", "2001:db8::3", agent=BOB.agent, display="Bob", domain="example.com",
           rtp_port=20000)
    c = cap("ipv6-frag", "IPv6 INVITE (~1900 bytes) in 2 fragments (Fragment header), "
            "then its 200 and ACK")
    leg = Leg(a, b, cid("ipv6-frag", a))
    inv = leg.request("INVITE", body=big_sdp(a, sess("frag6"), 1500))
    c.udp(0.0, a.ep, b.ep, inv, frag=(1448, [0, 1]))
    ok = leg.response(inv, 200, body=sdp(b, sess("frag6b")))
    c.udp(1.2, b.ep, a.ep, ok)
    c.udp(1.21, a.ep, b.ep, leg.ack(inv, ok))
    return [c]


@case
def vlan():
    c = cap("vlan", "OPTIONS/200 in 802.1Q VLAN 100; MESSAGE in QinQ "
            "(0x88a8 vid 300 + 0x8100 vid 100), its 200 in VLAN 100")
    p = UdpPath(c, ALICE, BOB, link=net.vlan(100))
    options_pair(p, Leg(ALICE, BOB, cid("vlan-options", ALICE)))
    leg = Leg(ALICE, BOB, cid("vlan-message", ALICE))
    msg = leg.request("MESSAGE", body="Hello from a QinQ link", ctype="text/plain")
    c.udp(1.0, ALICE.ep, BOB.ep, msg, link=net.qinq(300, 100))
    c.udp(1.004, BOB.ep, ALICE.ep, leg.response(msg, 200), link=net.vlan(100))
    return [c]


@case
def mpls():
    c = cap("mpls", "Ethernet + MPLS stack of 2 labels (1001, 2002) + IPv4 + UDP: "
            "INVITE/200/ACK")
    p = UdpPath(c, ALICE, BOB, link=net.mpls([1001, 2002]))
    leg = Leg(ALICE, BOB, cid("mpls", ALICE))
    times = dict(invite=0.0, ok=0.9, ack=0.91)
    answered_call(p, leg, "mpls", times=times)
    return [c]


def options_capture(name, readme, a=ALICE, b=BOB, **kw):
    link = kw.pop("link", None)
    tunnel = kw.pop("tunnel", None)
    c = cap(name, readme, **kw)
    options_pair(UdpPath(c, a, b, link=link, tunnel=tunnel), Leg(a, b, cid(name, a)))
    return [c]


@case
def cooked():
    return (options_capture("sll", "Linux cooked v1 (linktype 113): OPTIONS/200",
                            linktype=net.LINKTYPE_LINUX_SLL, link=net.sll(ALICE.addr))
            + options_capture("sll2", "Linux cooked v2 (linktype 276): OPTIONS/200",
                              linktype=net.LINKTYPE_LINUX_SLL2, link=net.sll2(ALICE.addr)))


@case
def raw_ip():
    a6 = UA("alice", "2001:db8::1", agent=ALICE.agent, domain="example.com")
    b6 = UA("bob", "2001:db8::3", agent=BOB.agent, domain="example.com")
    return (options_capture("rawip", "raw IP (linktype 101), IPv4: OPTIONS/200",
                            linktype=net.LINKTYPE_RAW)
            + options_capture("rawip228", "raw IPv4 (linktype 228): OPTIONS/200",
                              linktype=net.LINKTYPE_IPV4)
            + options_capture("rawip6", "raw IPv6 (linktype 229): OPTIONS/200", a6, b6,
                              linktype=net.LINKTYPE_IPV6))


@case
def null_loop():
    return (options_capture("null-loop", "BSD loopback (linktype 0, AF_INET=2 "
                            "little-endian): OPTIONS/200", linktype=net.LINKTYPE_NULL)
            + options_capture("loop", "OpenBSD loopback (linktype 108, AF_INET=2 "
                              "big-endian): OPTIONS/200", linktype=net.LINKTYPE_LOOP))


@case
def pcapng_basic():
    c = cap("pcapng-basic", "pcapng (SHB + IDB + EPB): REGISTER/401/REGISTER/200",
            fmt="pcapng")
    register_flow(UdpPath(c, ALICE, PROXY), Leg(ALICE, PROXY, cid("pcapng-basic", ALICE),
                                                to_uri="sip:alice@example.com"))
    return [c]


@case
def pcapng_blocks():
    c = cap("pcapng-blocks", "pcapng with nanosecond time stamps (if_tsresol 9), "
            "name resolution, statistics and secrets blocks between the packets, and a "
            "second interface (µs) from the 3rd packet on: REGISTER/401/REGISTER/200",
            fmt="pcapng")
    register_flow(UdpPath(c, ALICE, PROXY), Leg(ALICE, PROXY, cid("pcapng-blocks", ALICE),
                                                to_uri="sip:alice@example.com"))
    c.file_bytes = lambda: net.write_pcapng_blocks(c.packets, c.linktype, c.snaplen)
    return [c]


@case
def tunnels():
    a6 = UA("alice", "2001:db8:1::1", agent=ALICE.agent, domain="example.com")
    b6 = UA("bob", "2001:db8:2::1", agent=BOB.agent, domain="example.com")
    return (options_capture("ipip", "IPv4-in-IPv4 (198.51.100.1 -> .2, proto 4): "
                            "OPTIONS/200 between 10.0.0.1 and 10.0.0.3",
                            tunnel=net.ipip("198.51.100.1", "198.51.100.2", ALICE.addr))
            + options_capture("gre", "GRE with key 0x1234 (proto 47) carrying IPv4: "
                              "OPTIONS/200", tunnel=net.gre("198.51.100.1", "198.51.100.2",
                                                            ALICE.addr, 0x1234))
            + options_capture("6in4", "IPv6-in-IPv4 (proto 41): OPTIONS/200 between "
                              "2001:db8:1::1 and 2001:db8:2::1", a6, b6,
                              tunnel=net.six_in_four("198.51.100.1", "198.51.100.2",
                                                     a6.addr)))


# ----------------------------------------------------------------------- TCP

TA, TB = tcp_ua(ALICE), tcp_ua(BOB)
CLIENT = (ALICE.addr, 49152)


def tcp_leg(name):
    return Leg(TA, TB, cid(name, TA))


@case
def tcp_two_in_one():
    c = cap("tcp-two-in-one", "TCP handshake, INVITE, then ONE segment carrying "
            "100 Trying + 180 Ringing, then 200, ACK")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = tcp_leg("tcp-two-in-one")
    inv = leg.request("INVITE", body=sdp(TA, sess("t2")))
    conn.send(0.002, "c", inv)
    conn.send(0.030, "s", leg.response(inv, 100), leg.response(inv, 180))
    ok = leg.response(inv, 200, body=sdp(TB, sess("t2b")))
    conn.send(2.0, "s", ok)
    conn.send(2.01, "c", leg.ack(inv, ok))
    return [c]


@case
def tcp_split3():
    c = cap("tcp-split3", "TCP: one INVITE with SDP split over three segments "
            "(in the headers, in the body), then 200 in one segment, ACK")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = tcp_leg("tcp-split3")
    inv = leg.request("INVITE", body=sdp(TA, sess("t3")))
    start, end = conn.push("c", inv)
    hdr_end = inv.data.index(b"\r\n\r\n")
    cuts = [start, start + 300, start + hdr_end + 4 + 60, end]
    for i in range(3):
        conn.seg(0.002 + i * 0.0002, "c", cuts[i], cuts[i + 1])
    ok = leg.response(inv, 200, body=sdp(TB, sess("t3b")))
    conn.send(1.5, "s", ok)
    conn.send(1.51, "c", leg.ack(inv, ok))
    return [c]


@case
def tcp_ooo():
    c = cap("tcp-ooo", "TCP: INVITE in 2 segments captured out of order (2nd before "
            "1st), then 200, ACK")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = tcp_leg("tcp-ooo")
    inv = leg.request("INVITE", body=sdp(TA, sess("too")))
    start, end = conn.push("c", inv)
    mid = start + 400
    conn.seg(0.0030, "c", mid, end)
    conn.seg(0.0032, "c", start, mid)
    ok = leg.response(inv, 200, body=sdp(TB, sess("toob")))
    conn.send(1.5, "s", ok)
    conn.send(1.51, "c", leg.ack(inv, ok))
    return [c]


@case
def tcp_retrans():
    c = cap("tcp-retrans", "TCP: the INVITE segment retransmitted exactly; 180 then the "
            "first half of the 200, then a retransmission overlapping the second half "
            "of that segment and carrying the rest of the 200; ACK")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = tcp_leg("tcp-retrans")
    inv = leg.request("INVITE", body=sdp(TA, sess("trt")))
    start, end = conn.push("c", inv)
    conn.seg(0.002, "c", start, end)
    conn.seg(0.210, "c", start, end)                  # RTO: same bytes again
    conn.send(0.230, "s", leg.response(inv, 100))
    conn.send(0.330, "s", leg.response(inv, 180))
    ok = leg.response(inv, 200, body=sdp(TB, sess("trtb")))
    s, e = conn.push("s", ok)
    half = s + (e - s) // 2
    conn.seg(2.0, "s", s, half)
    conn.seg(2.25, "s", s + (half - s) // 2, e)       # overlaps [.., half), adds the rest
    conn.send(2.26, "c", leg.ack(inv, ok))
    return [c]


@case
def tcp_keepalive():
    c = cap("tcp-keepalive", "TCP: OPTIONS/200; CRLFCRLF ping alone + CRLF pong "
            "(RFC 5626 4.4.1); CRLFCRLF ping in the same segment right before an OPTIONS; "
            "its 200; a UDP datagram holding only CRLFCRLF")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = tcp_leg("tcp-keepalive")
    for i, t in enumerate((0.002, 30.0)):
        if i == 1:
            conn.send(t - 15.0, "c", b"\r\n\r\n")
            conn.send(t - 15.0 + 0.001, "s", b"\r\n")
            conn.push("c", b"\r\n\r\n")
        req = leg.request("OPTIONS", extra=[("Accept", "application/sdp")])
        conn.send(t, "c", req)
        conn.send(t + 0.003, "s", leg.response(req, 200, extra=[("Allow", ALLOW)]))
    c.udp(40.0, ("10.0.0.5", 5060), BOB.ep, b"\r\n\r\n")
    return [c]


@case
def tcp_junk():
    c = cap("tcp-junk", "TCP: the first client segment is \"garbage\\r\\n\" followed by "
            "an OPTIONS; its 200; a second OPTIONS/200 on the same connection")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    conn.push("c", b"garbage\r\n")
    leg = tcp_leg("tcp-junk")
    for t in (0.002, 1.0):
        req = leg.request("OPTIONS", extra=[("Accept", "application/sdp")])
        conn.send(t, "c", req)
        conn.send(t + 0.003, "s", leg.response(req, 200, extra=[("Allow", ALLOW)]))
    return [c]


@case
def tcp_gap():
    c = cap("tcp-gap", "TCP: INVITE in 3 segments whose middle one the capture lost "
            "(never retransmitted: the peer got it); then 100/180/200, ACK, BYE/200 "
            "(the ACK and BYE follow the gap in the same stream)")
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(0.0)
    leg = tcp_leg("tcp-gap")
    inv = leg.request("INVITE", body=sdp(TA, sess("tgap")))
    start, end = conn.push("c", inv)
    conn.seg(0.0020, "c", start, start + 300)
    conn.seg(0.0022, "c", start + 300, start + 600, lost=True)
    conn.seg(0.0024, "c", start + 600, end)
    path = TcpPath(conn)
    times = dict(trying=0.030, ringing=0.130, ok=2.0, ack=2.01, bye=12.0, bye_ok=12.02)
    path.send(times["trying"], "b", leg.response(inv, 100))
    path.send(times["ringing"], "b", leg.response(inv, 180))
    ok = leg.response(inv, 200, body=sdp(TB, sess("tgapb")))
    path.send(times["ok"], "b", ok)
    path.send(times["ack"], "a", leg.ack(inv, ok))
    bye = leg.request("BYE")
    path.send(times["bye"], "a", bye)
    path.send(times["bye_ok"], "b", leg.response(bye, 200))
    return [c]


# ------------------------------------------------------------ SIP text forms

def crlf(*lines, body=""):
    return "\r\n".join(lines) + "\r\n\r\n" + body


@case
def compact():
    c = cap("compact", "compact headers i f t v m l c k s o e; SUBSCRIBE with a folded "
            "Subject and a folded Via; OPTIONS with \"CSeq : 1 OPTIONS\"")
    a, b = ALICE, BOB
    p = UdpPath(c, a, b)
    i1 = cid("compact-invite", a)
    br = lambda n: "z9hG4bK" + token("compact", n, n=16)
    body = sdp(a, sess("compact"))
    inv = RawMsg(crlf(
        "INVITE sip:bob@example.com SIP/2.0",
        "v: SIP/2.0/UDP 10.0.0.1:5060;branch=" + br(1),
        "Max-Forwards: 70",
        'f: "Alice" <sip:alice@example.com>;tag=c0a1f2',
        "t: <sip:bob@example.com>",
        "i: " + i1,
        "CSeq: 1 INVITE",
        "m: <sip:alice@10.0.0.1:5060>",
        "k: replaces, timer",
        "s: Project review",
        "User-Agent: " + a.agent,
        "c: application/sdp",
        "l: %d" % len(body), body=body), i1, 1, "INVITE", "INVITE")
    p.send(0.0, "a", inv)
    body_b = sdp(b, sess("compactb"))
    ok = RawMsg(crlf(
        "SIP/2.0 200 OK",
        "v: SIP/2.0/UDP 10.0.0.1:5060;branch=" + br(1),
        'f: "Alice" <sip:alice@example.com>;tag=c0a1f2',
        "t: <sip:bob@example.com>;tag=b7e3d9",
        "i: " + i1,
        "CSeq: 1 INVITE",
        "m: <sip:bob@10.0.0.3:5060>",
        "k: timer",
        "Server: " + b.agent,
        "c: application/sdp",
        "l: %d" % len(body_b), body=body_b), i1, 1, "INVITE", 200)
    p.send(1.0, "b", ok)
    ack = RawMsg(crlf(
        "ACK sip:bob@10.0.0.3:5060 SIP/2.0",
        "v: SIP/2.0/UDP 10.0.0.1:5060;branch=" + br(2),
        "Max-Forwards: 70",
        'f: "Alice" <sip:alice@example.com>;tag=c0a1f2',
        "t: <sip:bob@example.com>;tag=b7e3d9",
        "i: " + i1,
        "CSeq: 1 ACK",
        "l: 0"), i1, 1, "ACK", "ACK")
    p.send(1.01, "a", ack)

    i2 = cid("compact-subscribe", a)
    sub = RawMsg(crlf(
        "SUBSCRIBE sip:bob@example.com SIP/2.0",
        "Via: SIP/2.0/UDP 10.0.0.1:5060",
        "  ;branch=" + br(3),
        "Max-Forwards: 70",
        "f: <sip:alice@example.com>;tag=5e11a0",
        "t: <sip:bob@example.com>",
        "i: " + i2,
        "CSeq: 7 SUBSCRIBE",
        "m: <sip:alice@10.0.0.1:5060>",
        "o: presence",
        "Expires: 600",
        "Subject: weekly presence",
        "\tsubscription check",
        "l: 0"), i2, 7, "SUBSCRIBE", "SUBSCRIBE")
    p.send(2.0, "a", sub)
    sub_ok = RawMsg(crlf(
        "SIP/2.0 200 OK",
        "v: SIP/2.0/UDP 10.0.0.1:5060;branch=" + br(3),
        "f: <sip:alice@example.com>;tag=5e11a0",
        "t: <sip:bob@example.com>;tag=90ac44",
        "i: " + i2,
        "CSeq: 7 SUBSCRIBE",
        "m: <sip:bob@10.0.0.3:5060>",
        "Expires: 600",
        "l: 0"), i2, 7, "SUBSCRIBE", 200)
    p.send(2.004, "b", sub_ok)

    i3 = cid("compact-message", a)
    text = "Meeting moved to 11:00"
    msg = RawMsg(crlf(
        "MESSAGE sip:bob@example.com SIP/2.0",
        "v: SIP/2.0/UDP 10.0.0.1:5060;branch=" + br(4),
        "Max-Forwards: 70",
        "f: <sip:alice@example.com>;tag=71d2e8",
        "t: <sip:bob@example.com>",
        "i: " + i3,
        "CSeq: 1 MESSAGE",
        "c: text/plain",
        "e: identity",
        "l: %d" % len(text), body=text), i3, 1, "MESSAGE", "MESSAGE")
    p.send(3.0, "a", msg)
    msg_ok = RawMsg(crlf(
        "SIP/2.0 200 OK",
        "v: SIP/2.0/UDP 10.0.0.1:5060;branch=" + br(4),
        "f: <sip:alice@example.com>;tag=71d2e8",
        "t: <sip:bob@example.com>;tag=2b8f61",
        "i: " + i3,
        "CSeq: 1 MESSAGE",
        "l: 0"), i3, 1, "MESSAGE", 200)
    p.send(3.004, "b", msg_ok)

    i4 = cid("compact-options", a)
    opt = RawMsg(crlf(
        "OPTIONS sip:bob@example.com SIP/2.0",
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=" + br(5),
        "Max-Forwards: 70",
        "From: <sip:alice@example.com>;tag=3f9b02",
        "To: <sip:bob@example.com>",
        "Call-ID: " + i4,
        "CSeq : 1 OPTIONS",
        "Accept: application/sdp",
        "Content-Length: 0"), i4, 1, "OPTIONS", "OPTIONS")
    p.send(4.0, "a", opt)
    opt_ok = RawMsg(crlf(
        "SIP/2.0 200 OK",
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=" + br(5),
        "From: <sip:alice@example.com>;tag=3f9b02",
        "To: <sip:bob@example.com>;tag=e40c7d",
        "Call-ID: " + i4,
        "CSeq: 1 OPTIONS",
        "Allow: " + ALLOW,
        "Content-Length: 0"), i4, 1, "OPTIONS", 200)
    p.send(4.004, "b", opt_ok)
    return [c]


# ---------------------------------------------------------- not SIP / broken

@case
def http_sip_port():
    c = cap("http-sip-port", "no SIP: HTTP GET/200 over TCP port 5060, SSDP "
            "\"NOTIFY * HTTP/1.1\" to 239.255.255.250:1900, \"GET / HTTP/1.1\" over UDP 5060")
    conn = TcpConn(c, ("10.0.0.5", 50312), ("10.0.0.3", 5060))
    conn.handshake(0.0)
    conn.send(0.001, "c", crlf("GET / HTTP/1.1", "Host: 10.0.0.3:5060",
                               "User-Agent: curl/8.5.0", "Accept: */*").encode())
    page = "<html><body>Acme DeskPhone 7.0.4</body></html>\n"
    conn.send(0.004, "s", crlf("HTTP/1.1 200 OK", "Content-Type: text/html",
                               "Content-Length: %d" % len(page), "Connection: close",
                               body=page).encode())
    conn.close(0.005, first="s")
    c.udp(1.0, ("10.0.0.5", 1900), ("239.255.255.250", 1900), crlf(
        "NOTIFY * HTTP/1.1", "HOST: 239.255.255.250:1900", "CACHE-CONTROL: max-age=1800",
        "LOCATION: http://10.0.0.5:80/description.xml", "NT: upnp:rootdevice",
        "NTS: ssdp:alive", "SERVER: Linux/6.1 UPnP/1.0 Example/1.0",
        "USN: uuid:%s::upnp:rootdevice" % token("ssdp", n=32)).encode())
    c.udp(2.0, ("10.0.0.5", 40000), ("10.0.0.3", 5060), crlf(
        "GET / HTTP/1.1", "Host: 10.0.0.3", "User-Agent: scanner/1.0").encode())
    return [c]


@case
def sip_other_port():
    c = cap("sip-other-port", "SIP on non-standard ports: OPTIONS/200 on UDP 5080, "
            "MESSAGE/200 on UDP 12345, OPTIONS/200 as plain text on TCP 5061")
    a = UA("alice", "10.0.0.1", 5080, agent=ALICE.agent, domain="example.com")
    b = UA("bob", "10.0.0.3", 5080, agent=BOB.agent, domain="example.com")
    options_pair(UdpPath(c, a, b), Leg(a, b, cid("port-5080", a)))
    a2 = UA("alice", "10.0.0.1", 12345, agent=ALICE.agent, domain="example.com")
    b2 = UA("bob", "10.0.0.3", 12345, agent=BOB.agent, domain="example.com")
    leg = Leg(a2, b2, cid("port-12345", a2))
    msg = leg.request("MESSAGE", body="Lunch?", ctype="text/plain")
    c.udp(1.0, a2.ep, b2.ep, msg)
    c.udp(1.003, b2.ep, a2.ep, leg.response(msg, 200))
    ta = UA("alice", "10.0.0.1", 5061, agent=ALICE.agent, domain="example.com",
            transport="TCP")
    tb = UA("bob", "10.0.0.3", 5061, agent=BOB.agent, domain="example.com", transport="TCP")
    conn = TcpConn(c, ("10.0.0.1", 49200), tb.ep)
    conn.handshake(2.0)
    options_pair(TcpPath(conn), Leg(ta, tb, cid("port-5061", ta)), t=2.002)
    return [c]


@case
def malformed():
    c = cap("malformed", "a REGISTER without Call-ID, an OPTIONS without CSeq, a binary "
            "junk datagram to UDP 5060, then one valid OPTIONS/200")
    p = UdpPath(c, ALICE, PROXY)
    leg = Leg(ALICE, PROXY, cid("malformed-register", ALICE), to_uri="sip:alice@example.com")
    reg = leg.request("REGISTER", ruri="sip:example.com", extra=[("Expires", "3600")])
    reg.headers = [(n, v) for n, v in reg.headers if n != "Call-ID"]
    reg.listed = False
    p.send(0.0, "a", reg)
    leg2 = Leg(ALICE, PROXY, cid("malformed-nocseq", ALICE))
    opt = leg2.request("OPTIONS")
    opt.headers = [(n, v) for n, v in opt.headers if n != "CSeq"]
    opt.listed = False
    p.send(1.0, "a", opt)
    junk = b"".join(hashlib.sha256(b"junk%d" % i).digest() for i in range(3))
    c.udp(2.0, ("10.0.0.5", 5060), PROXY.ep, b"\x00\xff" + junk)
    options_pair(p, Leg(ALICE, PROXY, cid("malformed-ok", ALICE)), t=3.0)
    return [c]


@case
def no_content_length():
    c = cap("no-content-length", "UDP INVITE with an SDP body and no Content-Length "
            "(body = rest of datagram: listed); TCP OPTIONS without Content-Length (an "
            "error, not listed), then OPTIONS with Content-Length on the same stream and "
            "its 200 (listed)")
    leg = Leg(ALICE, BOB, cid("no-clen-udp", ALICE))
    inv = leg.request("INVITE", body=sdp(ALICE, sess("noclen")))
    inv.clen = None
    c.udp(0.0, ALICE.ep, BOB.ep, inv)
    conn = TcpConn(c, CLIENT, TB.ep)
    conn.handshake(1.0)
    leg2 = tcp_leg("no-clen-tcp")
    bad = leg2.request("OPTIONS", extra=[("Accept", "application/sdp")])
    bad.clen = None
    bad.listed = False
    conn.send(1.002, "c", bad)
    good = leg2.request("OPTIONS", extra=[("Accept", "application/sdp")])
    conn.send(2.0, "c", good)
    conn.send(2.003, "s", leg2.response(good, 200, extra=[("Allow", ALLOW)]))
    return [c]


def terse_options(n):
    """OPTIONS and 200 short enough for a 200-byte snaplen over Ethernet."""
    i = "s%d" % n
    req = RawMsg(crlf("OPTIONS sip:10.0.0.3 SIP/2.0",
                      "v:SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK%d" % n,
                      "f:<sip:10.0.0.1>;tag=%d" % n, "t:<sip:10.0.0.3>", "i:" + i,
                      "CSeq:1 OPTIONS", "Max-Forwards:70", "l:0"), i, 1, "OPTIONS", "OPTIONS")
    resp = RawMsg(crlf("SIP/2.0 200 OK", "v:SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK%d" % n,
                       "f:<sip:10.0.0.1>;tag=%d" % n, "t:<sip:10.0.0.3>;tag=b%d" % n,
                       "i:" + i, "CSeq:1 OPTIONS", "l:0"), i, 1, "OPTIONS", 200)
    return req, resp


@case
def snaplen():
    c = cap("snaplen", "snaplen 200: OPTIONS (whole), a 706-byte INVITE cut to 200 "
            "bytes (caplen 200 < len), 200 OK (whole)", snaplen=200)
    req, resp = terse_options(1)
    p = UdpPath(c, ALICE, BOB)
    p.send(0.0, "a", req)
    leg = Leg(ALICE, BOB, cid("snaplen", ALICE))
    p.send(0.001, "a", leg.request("INVITE", body=sdp(ALICE, sess("snap"))))
    p.send(0.004, "b", resp)
    assert not c.packets[0].cut and c.packets[1].cut and not c.packets[2].cut
    return [c]


@case
def truncated():
    c = cap("truncated", "OPTIONS/200 twice, the file cut in the middle of the 4th "
            "packet's data")
    p = UdpPath(c, ALICE, BOB)
    options_pair(p, Leg(ALICE, BOB, cid("truncated-1", ALICE)), t=0.0)
    options_pair(p, Leg(ALICE, BOB, cid("truncated-2", ALICE)), t=1.0)
    whole = len(net.write_pcap(c.packets, c.linktype, c.snaplen))
    c.truncate_at = whole - len(c.packets[-1].data) // 2
    c.packets[-1].missing = True      # for the manifest: the 4th never arrives
    return [c]


@case
def not_captures():
    """Files that are not captures at all: no manifest."""
    return [("not-a-capture.txt", b"This is not a capture file.\n"
             b"sipflow must say so and exit with status 1.\n"),
            ("empty.pcap", b"")]
