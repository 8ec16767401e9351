/*
 * decode stage, tunnels: GRE (RFC 2784, RFC 2890, RFC 1701 routing) with
 * the ERSPAN and transparent-Ethernet payloads mirrored traffic arrives in,
 * and MPLS label stacks (RFC 3032).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Apart from decode.c because these are encapsulations to peel, not
 * layers SIP rides on: each finds where its payload starts and hands it
 * back to decode.c's IPv4, IPv6 or Ethernet decoder one level deeper.
 * They are rare in SIP captures, so the calls across files cost nothing
 * measurable; IP-in-IP and 6in4 (protocols 4 and 41) need no header of
 * their own and stay in decode.c's IP payload walk.  The rules on cut
 * (snaplen) and missing bytes are decode.c's (see its header).
 */
#include "decode.h"

/* GRE header length per RFC 2784 (checksum), RFC 2890 (key, sequence) and
 * the RFC 1701 routing field, or 0 when the header is not all present. */
static size_t gre_header_length(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut)
{
  uint16_t flags = sf_decode_rd16(d);
  size_t off = 4;

  if (flags & 0xc000) /* checksum present or routing present: checksum+offset */
    off += 4;
  if (flags & 0x2000) /* key */
    off += 4;
  if (flags & 0x1000) /* sequence number */
    off += 4;
  if (!sf_decode_need(pk, len, off, cut, SIPFLOW_DIAG_BAD_IP, "GRE header"))
    return 0;
  if (flags & 0x4000) { /* RFC 1701 §2.1: source route entries up to a NULL one */
    for (;;) {
      if (!sf_decode_need(pk, len, off + 4, cut, SIPFLOW_DIAG_BAD_IP, "GRE source route"))
        return 0;
      uint16_t af = sf_decode_rd16(d + off);
      size_t sre_len = d[off + 3];
      off += 4 + sre_len;
      if (af == 0 && sre_len == 0)
        break;
    }
    if (!sf_decode_need(pk, len, off, cut, SIPFLOW_DIAG_BAD_IP, "GRE source route"))
      return 0;
  }
  return off;
}

void sf_decode_tunnel_gre(sf_decode_pkt *pk, const uint8_t *d, size_t len, size_t missing,
                          int depth)
{
  bool cut = missing > 0;

  if (!sf_decode_need(pk, len, 4, cut, SIPFLOW_DIAG_BAD_IP, "GRE header"))
    return;
  uint16_t flags = sf_decode_rd16(d), ptype = sf_decode_rd16(d + 2);
  if ((flags & 7) != 0)
    return; /* version 1 is PPTP's enhanced GRE carrying PPP (RFC 2637) */
  size_t off = gre_header_length(pk, d, len, cut);
  if (off == 0)
    return;
  d += off;
  len -= off;
  switch (ptype) {
  case ET_IPV4:
    sf_decode_ipv4(pk, d, len, cut, depth);
    break;
  case ET_IPV6:
    sf_decode_ipv6(pk, d, len, cut, depth);
    break;
  case ET_TEB:
    sf_decode_ethernet(pk, d, len, cut, depth);
    break;
  case ET_ERSPAN2: /* type II has an 8-byte header and a sequence number; type I neither */
    if (flags & 0x1000) {
      if (!sf_decode_need(pk, len, 8, cut, SIPFLOW_DIAG_BAD_LINK, "ERSPAN header"))
        return;
      d += 8;
      len -= 8;
    }
    sf_decode_ethernet(pk, d, len, cut, depth);
    break;
  case ET_ERSPAN3: { /* 12 bytes, then 8 more when the O flag is set */
    if (!sf_decode_need(pk, len, 12, cut, SIPFLOW_DIAG_BAD_LINK, "ERSPAN header"))
      return;
    size_t hl = (d[11] & 1) ? 20 : 12;
    if (!sf_decode_need(pk, len, hl, cut, SIPFLOW_DIAG_BAD_LINK, "ERSPAN header"))
      return;
    sf_decode_ethernet(pk, d + hl, len - hl, cut, depth);
    break;
  }
  default:
    break; /* PPP, MPLS, ... over GRE: not decoded */
  }
}

/* MPLS label stack (RFC 3032): 4-byte entries up to bottom-of-stack.  The
 * payload type is not written anywhere; like Wireshark, guess from the first
 * nibble: 4 or 6 is IP, 0 is a pseudowire control word (RFC 4385) followed
 * by Ethernet. */
void sf_decode_tunnel_mpls(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth)
{
  for (;;) {
    if (!sf_decode_need(pk, len, 4, cut, SIPFLOW_DIAG_BAD_LINK, "MPLS label stack"))
      return;
    bool bottom = d[2] & 1;
    d += 4;
    len -= 4;
    if (bottom)
      break;
  }
  if (!sf_decode_need(pk, len, 1, cut, SIPFLOW_DIAG_BAD_LINK, "MPLS payload"))
    return;
  if (d[0] >> 4 == 0) {
    if (sf_decode_need(pk, len, 4, cut, SIPFLOW_DIAG_BAD_LINK, "MPLS pseudowire control word"))
      sf_decode_ethernet(pk, d + 4, len - 4, cut, depth + 1);
    return;
  }
  (void)sf_decode_ip_version(pk, d, len, cut, depth); /* other payloads: nothing to say */
}
