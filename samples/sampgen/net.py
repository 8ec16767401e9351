# SPDX-License-Identifier: GPL-2.0-or-later
"""Packets and capture files for the sample generator (python3 stdlib only).

A Capture collects packets in capture order.  Each packet remembers what the
generator put in it ("events"): whole SIP messages (UDP), one fragment of an
IP datagram, or a byte range of a TCP stream.  manifest() then replays the
packets in order and reports each SIP message at the frame where it
COMPLETES: the last IP fragment to arrive, or the TCP segment after which
every byte of the message (and every byte before it in the stream) has been
seen.  Bytes the capture never saw ("lost" segments) count as passed over:
a message that overlaps them is never reported, the messages after them are.
"""
import ipaddress
import struct

T0_US = 1768471200 * 1_000_000          # 2026-01-15 10:00:00 UTC

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
PROTO_IPIP, PROTO_TCP, PROTO_UDP, PROTO_IPV6, PROTO_GRE = 4, 6, 17, 41, 47
PROTO_IPV6_FRAG = 44


# ------------------------------------------------------------------ basics

def ip(addr):
    return ipaddress.ip_address(addr)


def family(addr):
    return ip(addr).version


def fmt_endpoint(ep):
    addr, port = ep
    return ("[%s]:%d" if family(addr) == 6 else "%s:%d") % (ip(addr).compressed, port)


def mac_of(addr):
    """A locally administered MAC derived from the address (02:00 + last 4 bytes)."""
    return b"\x02\x00" + ip(addr).packed[-4:]


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header(src, dst, proto, length):
    if family(src) == 4:
        return ip(src).packed + ip(dst).packed + struct.pack("!BBH", 0, proto, length)
    return ip(src).packed + ip(dst).packed + struct.pack("!IxxxB", length, proto)


# -------------------------------------------------------------- L3 and L4

def ipv4(src, dst, proto, payload, ident, ttl=64, df=False, mf=False, offset=0):
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (offset // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags,
                      ttl, proto, 0, ip(src).packed, ip(dst).packed)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, next_header, payload, hop_limit=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), next_header, hop_limit,
                       ip(src).packed, ip(dst).packed) + payload


def udp(src, dst, sport, dport, payload):
    """A UDP datagram with its checksum computed (RFC 768; mandatory on IPv6)."""
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    csum = checksum(pseudo_header(src, dst, PROTO_UDP, length) + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, csum) + payload


TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=64240, options=b""):
    bits = 0
    for f in flags:
        bits |= TCP_FLAGS[f]
    offset = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      offset << 4, bits, window, 0, 0) + options
    csum = checksum(pseudo_header(src, dst, PROTO_TCP, len(hdr) + len(payload)) + hdr + payload)
    return hdr[:16] + struct.pack("!H", csum) + hdr[18:] + payload


def ip_packet(src, dst, proto, payload, ident):
    if family(src) == 4:
        return ipv4(src, dst, proto, payload, ident, df=(proto == PROTO_TCP))
    return ipv6(src, dst, proto, payload)


# ------------------------------------------------------------ link layers
# A link wrapper takes (l3 bytes, src address, dst address) and returns the
# frame; the addresses are the ones of the outermost IP header.

def ethertype_of(addr):
    return ETH_IPV4 if family(addr) == 4 else ETH_IPV6


def eth(l3, src, dst):
    return mac_of(dst) + mac_of(src) + struct.pack("!H", ethertype_of(src)) + l3


def vlan(vid, prio=0):
    def wrap(l3, src, dst):
        return (mac_of(dst) + mac_of(src) + struct.pack("!HH", 0x8100, (prio << 13) | vid)
                + struct.pack("!H", ethertype_of(src)) + l3)
    return wrap


def qinq(outer_vid, inner_vid):
    """802.1ad service tag (0x88a8) outside an 802.1Q customer tag."""
    def wrap(l3, src, dst):
        return (mac_of(dst) + mac_of(src) + struct.pack("!HHHH", 0x88A8, outer_vid, 0x8100,
                                                        inner_vid)
                + struct.pack("!H", ethertype_of(src)) + l3)
    return wrap


def mpls(labels, ttl=64):
    """Ethernet + an MPLS label stack (RFC 3032), bottom-of-stack on the last."""
    def wrap(l3, src, dst):
        stack = b""
        for i, label in enumerate(labels):
            bos = 1 if i == len(labels) - 1 else 0
            stack += struct.pack("!I", (label << 12) | (bos << 8) | ttl)
        return mac_of(dst) + mac_of(src) + struct.pack("!H", 0x8847) + stack + l3
    return wrap


def sll(local):
    """Linux cooked v1: packet type 0 (to us) or 4 (sent by us), ARPHRD_ETHER."""
    def wrap(l3, src, dst):
        pkttype = 4 if src == local else 0
        return (struct.pack("!HHH", pkttype, 1, 6) + mac_of(src) + b"\x00\x00"
                + struct.pack("!H", ethertype_of(src)) + l3)
    return wrap


def sll2(local, ifindex=2):
    """Linux cooked v2: protocol, reserved, ifindex, ARPHRD_ETHER, pkttype, addr."""
    def wrap(l3, src, dst):
        pkttype = 4 if src == local else 0
        return (struct.pack("!HHIHBB", ethertype_of(src), 0, ifindex, 1, pkttype, 6)
                + mac_of(src) + b"\x00\x00" + l3)
    return wrap


def raw(l3, src, dst):
    return l3


def null_le(l3, src, dst):
    """DLT_NULL: AF_INET (2) in the capturing host's byte order (little-endian)."""
    return struct.pack("<I", 2) + l3


def loop(l3, src, dst):
    """DLT_LOOP (OpenBSD): AF_INET (2) in network byte order."""
    return struct.pack("!I", 2) + l3


DEFAULT_LINK = {LINKTYPE_ETHERNET: eth, LINKTYPE_RAW: raw, LINKTYPE_IPV4: raw,
                LINKTYPE_IPV6: raw, LINKTYPE_NULL: null_le, LINKTYPE_LOOP: loop}


# ---------------------------------------------------------------- tunnels
# A tunnel between outer addresses oa and ob carries the inner packets of
# inner_a from oa to ob and all the others back from ob to oa.  It is called
# as tunnel(inner l3, inner src, inner dst, capture) and returns
# (outer l3, outer src, outer dst).

def _tunnel(oa, ob, inner_a, proto, header=b""):
    def wrap(l3, src, dst, cap):
        osrc, odst = (oa, ob) if src == inner_a else (ob, oa)
        return ipv4(osrc, odst, proto, header + l3, cap.next_ident(osrc)), osrc, odst
    return wrap


def ipip(oa, ob, inner_a):
    """IPv4 in IPv4 (RFC 2003)."""
    return _tunnel(oa, ob, inner_a, PROTO_IPIP)


def six_in_four(oa, ob, inner_a):
    """IPv6 in IPv4 (RFC 4213)."""
    return _tunnel(oa, ob, inner_a, PROTO_IPV6)


def gre(oa, ob, inner_a, key):
    """GRE (RFC 2890) with the Key bit set, carrying IPv4."""
    return _tunnel(oa, ob, inner_a, PROTO_GRE, struct.pack("!HHI", 0x2000, ETH_IPV4, key))


# ---------------------------------------------------------------- capture

class Packet:
    def __init__(self, ts_us, data, events, caplen=None):
        self.ts_us = ts_us
        self.data = data
        self.events = events
        self.caplen = len(data) if caplen is None else caplen
        self.missing = False          # set when the file is cut inside this packet

    @property
    def cut(self):
        return self.caplen < len(self.data)


class FragGroup:
    """The fragments of one IP datagram and the SIP messages it carries."""

    def __init__(self, count, rows):
        self.count = count
        self.rows = rows


class Capture:
    def __init__(self, name, linktype=LINKTYPE_ETHERNET, fmt="pcap", snaplen=262144,
                 link=None):
        self.name = name
        self.linktype = linktype
        self.fmt = fmt
        self.snaplen = snaplen
        self.link = link or DEFAULT_LINK.get(linktype)
        self.packets = []
        self.idents = {}
        self.truncate_at = None      # cut the FILE after this many bytes
        self.readme = ""              # one line for samples/README.md

    # -- time and IP ids
    @staticmethod
    def ts(sec):
        return T0_US + round(sec * 1_000_000)

    def next_ident(self, src):
        """IPv4 ids: one counter per source address, from a fixed start."""
        if src not in self.idents:
            self.idents[src] = 0x1000 + ip(src).packed[-1] * 0x100
        self.idents[src] = (self.idents[src] + 1) & 0xFFFF
        return self.idents[src]

    # -- raw adding
    def add_l3(self, t, l3, src, dst, events=(), link=None, tunnel=None, caplen=None):
        if tunnel:
            l3, src, dst = tunnel(l3, src, dst, self)
        frame = (link or self.link)(l3, src, dst)
        if caplen is None and len(frame) > self.snaplen:
            caplen = self.snaplen
        self.packets.append(Packet(self.ts(t), frame, list(events), caplen))

    # -- UDP
    def udp(self, t, src, dst, payload, link=None, tunnel=None, frag=None, listed=True):
        """One UDP datagram from src to dst ((addr, port) pairs).  payload is a
        SIP message, a list of them, or bytes.  frag=(size, order) cuts the IP
        datagram into fragments of at most size payload bytes, captured in
        the given order of fragment indexes, 10 us apart."""
        msgs = payload if isinstance(payload, list) else [payload]
        data = b"".join(m if isinstance(m, bytes) else m.data for m in msgs)
        rows = [(src, dst, "udp", m) for m in msgs
                if not isinstance(m, bytes) and m.listed and listed]
        dgram = udp(src[0], dst[0], src[1], dst[1], data)
        if not frag:
            l3 = ip_packet(src[0], dst[0], PROTO_UDP, dgram, self.next_ident(src[0]))
            self.add_l3(t, l3, src[0], dst[0], [("msgs", rows)], link, tunnel)
            return
        size, order = frag
        chunks = [dgram[i:i + size] for i in range(0, len(dgram), size)]
        assert sorted(order) == list(range(len(chunks))), (self.name, len(chunks))
        group = FragGroup(len(chunks), rows)
        ident = self.next_ident(src[0])
        for n, i in enumerate(order):
            more, offset = i < len(chunks) - 1, i * size
            if family(src[0]) == 4:
                l3 = ipv4(src[0], dst[0], PROTO_UDP, chunks[i], ident, mf=more, offset=offset)
            else:
                fh = struct.pack("!BBHI", PROTO_UDP, 0, offset | int(more), 0x5F000000 | ident)
                l3 = ipv6(src[0], dst[0], PROTO_IPV6_FRAG, fh + chunks[i])
            self.add_l3(t + n * 0.00001, l3, src[0], dst[0], [("frag", group, i)], link, tunnel)

    # -- output
    def manifest(self):
        return manifest_rows(self.packets)

    def file_bytes(self):
        data = (write_pcapng if self.fmt == "pcapng" else write_pcap)(
            self.packets, self.linktype, self.snaplen)
        return data if self.truncate_at is None else data[:self.truncate_at]

    def filename(self):
        return self.name + (".pcapng" if self.fmt == "pcapng" else ".pcap")


# -------------------------------------------------------------------- TCP

class TcpStream:
    """One direction of a TCP connection: the bytes sent, where each SIP
    message lies in them, and which ranges the capture never saw."""

    def __init__(self, src, dst, isn):
        self.src, self.dst, self.isn = src, dst, isn
        self.data = bytearray()
        self.msgs = []                # (start, end, message)
        self.lost = []                # (start, end)
        self.sent = 0                 # bytes handed to seg() so far
        self.delivered = []           # ranges the peer got (for its ACKs)
        self.fin = False

    def push(self, item):
        start = len(self.data)
        self.data += item if isinstance(item, bytes) else item.data
        if not isinstance(item, bytes) and item.listed:
            self.msgs.append((start, len(self.data), item))
        return start, len(self.data)

    def prefix(self):
        """Bytes the peer holds contiguously from the start (for its ACK)."""
        return contiguous(self.delivered)


def contiguous(ranges):
    end = 0
    for s, e in sorted(ranges):
        if s > end:
            break
        end = max(end, e)
    return end


class TcpConn:
    def __init__(self, cap, client, server, isn_c=0x3A4C1000, isn_s=0x7B2E5000, link=None):
        self.cap, self.link = cap, link
        self.c = TcpStream(client, server, isn_c)
        self.s = TcpStream(server, client, isn_s)

    def _dirs(self, side):
        return (self.c, self.s) if side == "c" else (self.s, self.c)

    def _send(self, t, side, flags, seq, payload=b"", events=(), options=b""):
        me, peer = self._dirs(side)
        ack = 0
        if "A" in flags:
            ack = peer.isn + 1 + peer.prefix() + (1 if peer.fin else 0)
        seg = tcp(me.src[0], me.dst[0], me.src[1], me.dst[1], seq, ack, flags, payload,
                  options=options)
        l3 = ip_packet(me.src[0], me.dst[0], PROTO_TCP, seg, self.cap.next_ident(me.src[0]))
        self.cap.add_l3(t, l3, me.src[0], me.dst[0], events, self.link)

    def handshake(self, t, rtt=0.0008):
        mss = struct.pack("!BBH", 2, 4, 1460) + b"\x01\x01\x04\x02"   # MSS, NOP NOP SACK-perm
        self._send(t, "c", "S", self.c.isn, options=mss)
        self._send(t + rtt / 2, "s", "SA", self.s.isn, options=mss)
        self._send(t + rtt, "c", "A", self.c.isn + 1)

    def push(self, side, *items):
        me, _ = self._dirs(side)
        rng = None
        for item in items:
            r = me.push(item)
            rng = r if rng is None else (rng[0], r[1])
        return rng

    def seg(self, t, side, start=None, end=None, lost=False, flags="PA"):
        """Sends stream bytes [start, end) (default: everything not yet sent)
        in one segment.  lost=True: the capture never saw it (but the peer
        did, so later ACKs cover it)."""
        me, _ = self._dirs(side)
        start = me.sent if start is None else start
        end = len(me.data) if end is None else end
        me.sent = max(me.sent, end)
        me.delivered.append((start, end))
        if lost:
            me.lost.append((start, end))
            return
        self._send(t, side, flags, me.isn + 1 + start, bytes(me.data[start:end]),
                   [("tcp", me, start, end)])

    def send(self, t, side, *items):
        """Appends items to the stream and sends all unsent bytes in one segment."""
        self.push(side, *items)
        self.seg(t, side)

    def ack(self, t, side):
        me, _ = self._dirs(side)
        self._send(t, side, "A", me.isn + 1 + len(me.data) + (1 if me.fin else 0))

    def close(self, t, first="c", rtt=0.0008):
        """FIN from `first`, FIN-ACK from the other side, last ACK."""
        other = "s" if first == "c" else "c"
        for i, side in enumerate((first, other)):
            me, _ = self._dirs(side)
            self._send(t + i * rtt / 2, side, "FA", me.isn + 1 + len(me.data))
            me.fin = True
        self.ack(t + rtt, first)


# ---------------------------------------------------------------- manifest

def manifest_rows(packets):
    """[(frame, src, dst, transport, msg)] in the order sipflow must report them."""
    out = []
    frag_seen = {}
    recv = {}
    pending = {}
    for frame, pkt in enumerate(packets, 1):
        if pkt.cut or pkt.missing:
            continue
        for ev in pkt.events:
            if ev[0] == "msgs":
                out += [(frame,) + row for row in ev[1]]
            elif ev[0] == "frag":
                group, index = ev[1], ev[2]
                seen = frag_seen.setdefault(id(group), set())
                before = len(seen)
                seen.add(index)
                if len(seen) == group.count and before < group.count:
                    out += [(frame,) + row for row in group.rows]
            elif ev[0] == "tcp":
                stream, start, end = ev[1], ev[2], ev[3]
                ranges = recv.setdefault(id(stream), list(stream.lost))
                ranges.append((start, end))
                todo = pending.setdefault(id(stream), list(stream.msgs))
                have = contiguous(ranges)
                while todo and todo[0][1] <= have:
                    s, e, msg = todo.pop(0)
                    if not any(ls < e and s < le for ls, le in stream.lost):
                        out.append((frame, stream.src, stream.dst, "tcp", msg))
    return out


def manifest_text(rows):
    lines = []
    for frame, src, dst, transport, msg in rows:
        lines.append("\t".join(str(v) for v in (
            frame, fmt_endpoint(src), fmt_endpoint(dst), transport, msg.call_id, msg.cseq,
            msg.cseq_method, msg.label)))
    return "".join(line + "\n" for line in lines)


# ------------------------------------------------------------- file formats

def write_pcap(packets, linktype, snaplen):
    """Classic pcap, microsecond timestamps, little-endian (magic a1b2c3d4)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for p in packets:
        out.append(struct.pack("<IIII", p.ts_us // 1_000_000, p.ts_us % 1_000_000,
                               p.caplen, len(p.data)))
        out.append(p.data[:p.caplen])
    return b"".join(out)


def _pad4(b):
    return b + b"\x00" * (-len(b) % 4)


def _option(code, value):
    return struct.pack("<HH", code, len(value)) + _pad4(value)


def _block(block_type, body):
    length = 12 + len(body)
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def write_pcapng(packets, linktype, snaplen):
    """pcapng: one Section Header, one Interface Description (microseconds),
    one Enhanced Packet Block per packet."""
    shb = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
                 + _option(4, b"sipflow samples/gen.py") + _option(0, b""))
    idb = _block(1, struct.pack("<HHI", linktype, 0, snaplen)
                 + _option(2, b"eth0") + _option(9, b"\x06") + _option(0, b""))
    out = [shb, idb]
    for p in packets:
        body = struct.pack("<IIIII", 0, p.ts_us >> 32, p.ts_us & 0xFFFFFFFF, p.caplen,
                           len(p.data)) + _pad4(p.data[:p.caplen])
        out.append(_block(6, body))
    return b"".join(out)


def _epb(iface, stamp, p):
    return _block(6, struct.pack("<IIIII", iface, stamp >> 32, stamp & 0xFFFFFFFF, p.caplen,
                                 len(p.data)) + _pad4(p.data[:p.caplen]))


def write_pcapng_blocks(packets, linktype, snaplen):
    """pcapng with what readers must skip or switch on: interface 0 in
    nanoseconds (each stamp 789 ns past the packet's µs), a Name Resolution
    Block, an Interface Statistics Block and a Decryption Secrets Block
    between the packets, then a second interface (µs) that carries the
    third packet."""
    shb = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + _option(0, b""))
    idb_ns = _block(1, struct.pack("<HHI", linktype, 0, snaplen)
                    + _option(2, b"eth0") + _option(9, b"\x09") + _option(0, b""))
    idb_us = _block(1, struct.pack("<HHI", linktype, 0, snaplen) + _option(2, b"eth1"))
    nrb = _block(4, _option(1, bytes([10, 0, 0, 1]) + b"alice.example.com\0") + _option(0, b""))
    out = [shb, idb_ns, nrb]
    for i, p in enumerate(packets):
        if i == 1:
            stamp = p.ts_us * 1000
            out.append(_block(5, struct.pack("<III", 0, stamp >> 32, stamp & 0xFFFFFFFF)))
            out.append(_block(0x0A, struct.pack("<II", 0x544C534B, 4) + b"keys"))
        if i == 2:
            out.append(idb_us)
        out.append(_epb(1, p.ts_us, p) if i == 2 else _epb(0, p.ts_us * 1000 + 789, p))
    return b"".join(out)
