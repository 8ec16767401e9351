#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes tiny pcap files for the CLI tests (python3 stdlib only).

    from mkpcap import udp_packet, write_pcap
    write_pcap(path, [(time_us, udp_packet(src, sport, dst, dport, payload)), ...])

Ethernet + IPv4 or IPv6 (chosen from the address) + UDP, checksums left 0
(allowed for UDP over IPv4; sipflow does not check them).
"""
import ipaddress
import struct

LINKTYPE_ETHERNET = 1


def _ipv4_header(src, dst, proto, payload_len):
    total = 20 + payload_len
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, proto, 0,
                       src.packed, dst.packed)


def _ipv6_header(src, dst, proto, payload_len):
    return struct.pack("!IHBB16s16s", 6 << 28, payload_len, proto, 64,
                       src.packed, dst.packed)


def udp_packet(src, sport, dst, dport, payload):
    """An Ethernet frame carrying one UDP datagram."""
    if isinstance(payload, str):
        payload = payload.encode()
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if s.version == 4:
        ethertype, ip = 0x0800, _ipv4_header(s, d, 17, len(udp))
    else:
        ethertype, ip = 0x86DD, _ipv6_header(s, d, 17, len(udp))
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ethertype)
    return eth + ip + udp


def write_pcap(path, packets, linktype=LINKTYPE_ETHERNET, snaplen=65535):
    """packets: iterable of (time_us, frame bytes)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for time_us, data in packets:
            f.write(struct.pack("<IIII", time_us // 1000000, time_us % 1000000,
                                len(data), len(data)))
            f.write(data)
