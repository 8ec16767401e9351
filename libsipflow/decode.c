/*
 * Decode: link layer -> IPv4/IPv6 (fragments, tunnels) -> UDP/TCP payloads;
 * the GRE and MPLS tunnels are peeled in decode_tunnel.c.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every read is checked against the captured length.  When a length field
 * points past the captured bytes, two cases differ:
 *  - the packet was cut by the snaplen (caplen < wirelen): that is expected,
 *    it was reported once as SIPFLOW_DIAG_TRUNCATED_PACKET, and whatever
 *    transport payload is left is still delivered with truncated = true;
 *  - it was not: the header lies, the packet is reported as BAD_LINK/BAD_IP
 *    and nothing is delivered.
 * "missing" below is the number of bytes of the current layer that the
 * snaplen cut off (0 when the layer is whole).
 *
 * IP header checksums are not verified: captures taken on the sending host
 * see checksums the NIC fills in later, and a wrong checksum would not change
 * which SIP message was sent.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "ipfrag.h"

/* Tunnels within tunnels deeper than this are taken as a hostile loop. */
#define SF_DECODE_MAX_DEPTH 8

#define SF_DEFAULT_FRAGMENT_BYTES ((size_t)64 << 20)
#define SF_DEFAULT_FRAGMENT_TIMEOUT_US ((int64_t)30 * G_USEC_PER_SEC)

/* pcap link types (DLT_ and LINKTYPE_ values as pcap_datalink() returns
 * them on Linux and BSD). */
enum {
  LT_NULL = 0,
  LT_EN10MB = 1,
  LT_RAW_DLT = 12,      /* DLT_RAW on most systems */
  LT_RAW_BSD = 14,      /* DLT_RAW on OpenBSD */
  LT_RAW = 101,         /* LINKTYPE_RAW in files */
  LT_LOOP = 108,
  LT_LINUX_SLL = 113,
  LT_IPV4 = 228,
  LT_IPV6 = 229,
  LT_LINUX_SLL2 = 276
};

/* IP protocol numbers (IANA) beyond the SF_IPPROTO_* ones. */
enum {
  IPP_HOPOPTS = 0,
  IPP_IPIP = 4,
  IPP_IPV6 = 41,
  IPP_ROUTING = 43,
  IPP_FRAGMENT = 44,
  IPP_GRE = 47,
  IPP_AH = 51,
  IPP_DSTOPTS = 60,
  IPP_MOBILITY = 135,
  IPP_HIP = 139,
  IPP_SHIM6 = 140
};

struct sf_decode {
  sf_decode_head head;        /* first: read by sf_decode_packet() */
  sf_decode_emit_fn emit;
  sf_diag_sink *diag;
  void *user;
  sf_ipfrag *frag;
  bool udp_filtered;          /* head.udp_first_byte is the caller's */
};

/* The UDP filter when there is none (every first byte wanted), so that
 * the fast path never tests for NULL. */
static const bool every_byte[256] = {[0 ... 255] = true};

/* The network-layer fields the transport layer reports. */
typedef struct ip_info {
  uint8_t family;
  uint8_t src[16];
  uint8_t dst[16];
} ip_info;

static uint32_t rd32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ------------------------------------------------------- diagnostics */

void sf_decode_report(sf_decode_pkt *pk, sipflow_diag_code code, const char *fmt, ...)
{
  char text[400];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  sf_diag_emit(pk->dec->diag, pk->frame, code, "frame %" PRIu64 ": %s", pk->frame, text);
}

static bool too_deep(sf_decode_pkt *pk, int depth)
{
  if (depth <= SF_DECODE_MAX_DEPTH)
    return false;
  sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "more than %d nested encapsulations, not decoded",
                   SF_DECODE_MAX_DEPTH);
  return true;
}

/* --------------------------------------------------------- transport */

/* The TCP header fields sf_l4 carries. */
typedef struct tcp_fields {
  uint32_t seq, ack;
  uint8_t flags;
  bool has_ack;
} tcp_fields;

/* tcp: NULL for UDP. */
static void emit_l4(sf_decode_pkt *pk, const ip_info *ip, uint8_t proto, uint16_t sport,
                    uint16_t dport, const uint8_t *payload, size_t len, bool truncated,
                    const tcp_fields *tcp)
{
  sf_l4 l4 = {
      .frame = pk->frame,
      .time_us = pk->time_us,
      .ipproto = proto,
      .payload = payload,
      .len = len,
      .truncated = truncated,
  };

  if (tcp) {
    l4.tcp_seq = tcp->seq;
    l4.tcp_ack = tcp->ack;
    l4.tcp_flags = tcp->flags;
    l4.tcp_has_ack = tcp->has_ack;
  }
  l4.src.family = l4.dst.family = ip->family;
  if (ip->family == 4) { /* constant sizes: a move each, not a memcpy call */
    memcpy(l4.src.addr, ip->src, 4);
    memcpy(l4.dst.addr, ip->dst, 4);
  } else {
    memcpy(l4.src.addr, ip->src, 16);
    memcpy(l4.dst.addr, ip->dst, 16);
  }
  l4.src.port = sport;
  l4.dst.port = dport;
  pk->dec->emit(pk->dec->user, &l4);
}

/* Does the consumer want this UDP payload?  Asked before an sf_l4 is
 * built, so that RTP, most packets of a capture, costs no more. */
static inline bool udp_wanted(const sf_decode *dec, const uint8_t *payload, size_t len)
{
  return !dec->udp_filtered || (len > 0 && dec->head.udp_first_byte[payload[0]]);
}

/* RFC 768: the length field covers header and data; bytes after it are
 * padding. */
static void decode_udp(sf_decode_pkt *pk, const ip_info *ip, const uint8_t *d, size_t len,
                       size_t missing)
{
  if (!sf_decode_need(pk, len, 8, missing > 0, SIPFLOW_DIAG_BAD_IP, "UDP header"))
    return;
  size_t ulen = sf_decode_rd16(d + 4);
  if (ulen < 8) {
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "UDP length %zu is shorter than its header", ulen);
    return;
  }
  bool truncated = false;
  size_t plen = ulen - 8;
  if (ulen > len) {
    if (ulen > len + missing) {
      sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "UDP length %zu beyond the %zu bytes of IP payload",
                       ulen, len + missing);
      return;
    }
    truncated = true;
    plen = len - 8;
  }
  if (!udp_wanted(pk->dec, d + 8, plen))
    return;
  emit_l4(pk, ip, SF_IPPROTO_UDP, sf_decode_rd16(d), sf_decode_rd16(d + 2), d + 8, plen,
          truncated, NULL);
}

/* RFC 9293 §3.1: data offset in 32-bit words. */
static void decode_tcp(sf_decode_pkt *pk, const ip_info *ip, const uint8_t *d, size_t len,
                       size_t missing)
{
  if (!sf_decode_need(pk, len, 20, missing > 0, SIPFLOW_DIAG_BAD_IP, "TCP header"))
    return;
  size_t hlen = (size_t)(d[12] >> 4) * 4;
  if (hlen < 20) {
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "TCP data offset %zu is shorter than the header",
                     hlen);
    return;
  }
  if (!sf_decode_need(pk, len, hlen, missing > 0, SIPFLOW_DIAG_BAD_IP, "TCP header with options"))
    return;
  tcp_fields tcp = {.seq = rd32(d + 4), .ack = rd32(d + 8),
                    .flags = d[13] & (SF_TCP_FIN | SF_TCP_SYN | SF_TCP_RST),
                    .has_ack = (d[13] & 0x10) != 0};
  emit_l4(pk, ip, SF_IPPROTO_TCP, sf_decode_rd16(d), sf_decode_rd16(d + 2), d + hlen, len - hlen,
          missing > 0, &tcp);
}

/* ----------------------------------------------------- IP payloads */

static void decode_ip_payload(sf_decode_pkt *pk, const ip_info *ip, uint8_t proto,
                              const uint8_t *d, size_t len, size_t missing, int depth);

/* Hands a fragment to ipfrag and decodes the datagram it may complete.  The
 * datagram is reported with this packet's frame and time: the one that
 * completed it, as Wireshark shows it. */
static void decode_fragment(sf_decode_pkt *pk, const ip_info *ip, uint8_t key_proto, uint32_t id,
                            sf_ipfrag_piece *piece, int depth)
{
  sf_ipfrag_key key = {.family = ip->family, .proto = key_proto, .id = id};
  sf_ipfrag_datagram dg;

  memcpy(key.src, ip->src, sizeof key.src);
  memcpy(key.dst, ip->dst, sizeof key.dst);
  piece->frame = pk->frame;
  piece->time_us = pk->time_us;
  if (!sf_ipfrag_add(pk->dec->frag, &key, piece, &dg))
    return;
  decode_ip_payload(pk, ip, dg.proto, dg.data, dg.len, 0, depth + 1);
  g_free(dg.data);
}

/* RFC 8200 §4.5 fragment header: next header, reserved, offset|M, id. */
static void decode_ipv6_fragment(sf_decode_pkt *pk, const ip_info *ip, const uint8_t *d,
                                 size_t len, size_t missing, int depth)
{
  if (!sf_decode_need(pk, len, 8, missing > 0, SIPFLOW_DIAG_BAD_IP, "IPv6 fragment header"))
    return;
  uint8_t next = d[0];
  uint16_t off_m = sf_decode_rd16(d + 2);
  size_t offset = off_m & 0xfff8;
  bool more = off_m & 1;
  uint32_t id = rd32(d + 4);

  if (offset == 0 && !more) { /* atomic fragment, RFC 6946: not fragmented at all */
    decode_ip_payload(pk, ip, next, d + 8, len - 8, missing, depth);
    return;
  }
  sf_ipfrag_piece piece = {.offset = offset, .len = len - 8 + missing, .data = d + 8,
                           .avail = len - 8, .more = more, .next_proto = next};
  decode_fragment(pk, ip, 0, id, &piece, depth);
}

/* Walks extension headers and tunnels down to the transport layer. */
static void decode_ip_payload(sf_decode_pkt *pk, const ip_info *ip, uint8_t proto,
                              const uint8_t *d, size_t len, size_t missing, int depth)
{
  bool cut = missing > 0;

  if (too_deep(pk, depth))
    return;
  for (;;) {
    switch (proto) {
    case IPP_HOPOPTS:
    case IPP_ROUTING:
    case IPP_DSTOPTS:
    case IPP_MOBILITY:
    case IPP_HIP:
    case IPP_SHIM6: { /* RFC 8200 §4, RFC 6564: length in 8-octet units, minus 1 */
      if (ip->family != 6)
        return;
      if (!sf_decode_need(pk, len, 2, cut, SIPFLOW_DIAG_BAD_IP, "IPv6 extension header"))
        return;
      size_t hl = ((size_t)d[1] + 1) * 8;
      if (!sf_decode_need(pk, len, hl, cut, SIPFLOW_DIAG_BAD_IP, "IPv6 extension header"))
        return;
      proto = d[0];
      d += hl;
      len -= hl;
      continue;
    }
    case IPP_AH: { /* RFC 4302 §2.2: length in 4-octet units, minus 2 */
      if (!sf_decode_need(pk, len, 2, cut, SIPFLOW_DIAG_BAD_IP, "IP authentication header"))
        return;
      size_t hl = ((size_t)d[1] + 2) * 4;
      if (!sf_decode_need(pk, len, hl, cut, SIPFLOW_DIAG_BAD_IP, "IP authentication header"))
        return;
      proto = d[0];
      d += hl;
      len -= hl;
      continue;
    }
    case IPP_FRAGMENT:
      if (ip->family == 6)
        decode_ipv6_fragment(pk, ip, d, len, missing, depth);
      return;
    case IPP_IPIP:
      sf_decode_ipv4(pk, d, len, cut, depth + 1);
      return;
    case IPP_IPV6:
      sf_decode_ipv6(pk, d, len, cut, depth + 1);
      return;
    case IPP_GRE:
      sf_decode_tunnel_gre(pk, d, len, missing, depth + 1);
      return;
    case SF_IPPROTO_UDP:
      decode_udp(pk, ip, d, len, missing);
      return;
    case SF_IPPROTO_TCP:
      decode_tcp(pk, ip, d, len, missing);
      return;
    default:
      /* SCTP (DATA chunks not decoded yet), ICMP, ESP (encrypted), No Next
       * Header (59): nothing to deliver. */
      return;
    }
  }
}

/* ------------------------------------------------------------ IPv4/6 */

/* RFC 791 §3.1. */
void sf_decode_ipv4(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth)
{
  if (!sf_decode_need(pk, len, 20, cut, SIPFLOW_DIAG_BAD_IP, "IPv4 header"))
    return;
  if (d[0] >> 4 != 4) {
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "IPv4 header with version %u", d[0] >> 4);
    return;
  }
  size_t ihl = (size_t)(d[0] & 0x0f) * 4;
  if (ihl < 20) {
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "IPv4 header length %zu is below 20", ihl);
    return;
  }
  if (!sf_decode_need(pk, len, ihl, cut, SIPFLOW_DIAG_BAD_IP, "IPv4 header with options"))
    return;
  size_t total = sf_decode_rd16(d + 2);
  if (total == 0)
    total = len; /* TCP segmentation offload on the capturing host: the NIC
                    fills the length in later (Wireshark assumes the same) */
  if (total < ihl) {
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP,
                     "IPv4 total length %zu is below its header length %zu", total, ihl);
    return;
  }
  size_t missing = 0;
  if (total > len) {
    if (!cut) {
      sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP,
                       "IPv4 total length %zu beyond the %zu bytes present", total, len);
      return;
    }
    missing = total - len;
    total = len;
  }
  /* total < len: Ethernet padding or trailer, ignored. */
  ip_info ip = {.family = 4};
  memcpy(ip.src, d + 12, 4);
  memcpy(ip.dst, d + 16, 4);
  uint8_t proto = d[9];
  uint16_t frag = sf_decode_rd16(d + 6);
  size_t offset = (size_t)(frag & 0x1fff) * 8;
  bool more = frag & 0x2000;

  if (offset || more) {
    sf_ipfrag_piece piece = {.offset = offset, .len = total - ihl + missing,
                             .data = d + ihl, .avail = total - ihl, .more = more,
                             .next_proto = proto};
    decode_fragment(pk, &ip, proto, sf_decode_rd16(d + 4), &piece, depth);
    return;
  }
  decode_ip_payload(pk, &ip, proto, d + ihl, total - ihl, missing, depth);
}

/* RFC 8200 §3. */
void sf_decode_ipv6(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth)
{
  if (!sf_decode_need(pk, len, 40, cut, SIPFLOW_DIAG_BAD_IP, "IPv6 header"))
    return;
  if (d[0] >> 4 != 6) {
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "IPv6 header with version %u", d[0] >> 4);
    return;
  }
  size_t plen = sf_decode_rd16(d + 4);
  uint8_t next = d[6];
  if (plen == 0 && next == IPP_HOPOPTS) {
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "IPv6 jumbogram (RFC 2675) not supported");
    return;
  }
  size_t missing = 0;
  if (plen > len - 40) {
    if (!cut) {
      sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP,
                       "IPv6 payload length %zu beyond the %zu bytes present", plen, len - 40);
      return;
    }
    missing = plen - (len - 40);
    plen = len - 40;
  }
  ip_info ip = {.family = 6};
  memcpy(ip.src, d + 8, 16);
  memcpy(ip.dst, d + 24, 16);
  decode_ip_payload(pk, &ip, next, d + 40, plen, missing, depth);
}

bool sf_decode_ip_version(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth)
{
  switch (d[0] >> 4) {
  case 4:
    sf_decode_ipv4(pk, d, len, cut, depth);
    return true;
  case 6:
    sf_decode_ipv6(pk, d, len, cut, depth);
    return true;
  default:
    return false;
  }
}

/* Raw IP: the version nibble tells which. */
static void decode_ip_any(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth)
{
  if (!sf_decode_need(pk, len, 1, cut, SIPFLOW_DIAG_BAD_IP, "IP header"))
    return;
  if (!sf_decode_ip_version(pk, d, len, cut, depth))
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_IP, "IP version %u is neither 4 nor 6", d[0] >> 4);
}

/* ------------------------------------------------------- link layers */

/* Dispatches on an ethertype, first peeling any number of VLAN tags. */
static void decode_ethertype(sf_decode_pkt *pk, uint16_t type, const uint8_t *d, size_t len,
                             bool cut, int depth)
{
  for (;;) {
    switch (type) {
    case ET_VLAN:
    case ET_QINQ:
    case ET_QINQ_OLD: /* tag control (2 bytes), then the next ethertype */
      if (!sf_decode_need(pk, len, 4, cut, SIPFLOW_DIAG_BAD_LINK, "VLAN tag"))
        return;
      type = sf_decode_rd16(d + 2);
      d += 4;
      len -= 4;
      continue;
    case ET_IPV4:
      sf_decode_ipv4(pk, d, len, cut, depth);
      return;
    case ET_IPV6:
      sf_decode_ipv6(pk, d, len, cut, depth);
      return;
    case ET_MPLS:
    case ET_MPLS_MC:
      sf_decode_tunnel_mpls(pk, d, len, cut, depth);
      return;
    case ET_PPPOE: /* RFC 2516 §4: 6-byte header, then the PPP protocol */
      if (!sf_decode_need(pk, len, 8, cut, SIPFLOW_DIAG_BAD_LINK, "PPPoE header"))
        return;
      if (sf_decode_rd16(d + 6) == 0x0021)
        sf_decode_ipv4(pk, d + 8, len - 8, cut, depth);
      else if (sf_decode_rd16(d + 6) == 0x0057)
        sf_decode_ipv6(pk, d + 8, len - 8, cut, depth);
      return;
    default:
      return; /* ARP, LLDP, 802.3 lengths ...: not IP, nothing to report */
    }
  }
}

void sf_decode_ethernet(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth)
{
  if (too_deep(pk, depth))
    return;
  if (!sf_decode_need(pk, len, 14, cut, SIPFLOW_DIAG_BAD_LINK, "Ethernet header"))
    return;
  decode_ethertype(pk, sf_decode_rd16(d + 12), d + 14, len - 14, cut, depth);
}

/* BSD address families in DLT_NULL / DLT_LOOP headers: AF_INET is 2
 * everywhere, AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS). */
static int af_to_version(uint32_t af)
{
  if (af == 2)
    return 4;
  if (af == 24 || af == 28 || af == 30)
    return 6;
  return 0;
}

/* DLT_NULL holds the family in the byte order of the capturing host, which
 * may not be ours: accept either.  DLT_LOOP is always big-endian. */
static void decode_loopback(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut,
                            bool any_order)
{
  if (!sf_decode_need(pk, len, 4, cut, SIPFLOW_DIAG_BAD_LINK, "loopback header"))
    return;
  uint32_t be = rd32(d);
  uint32_t le = (uint32_t)d[3] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[1] << 8 | d[0];
  int version = af_to_version(be);
  if (!version && any_order)
    version = af_to_version(le);
  if (version == 4)
    sf_decode_ipv4(pk, d + 4, len - 4, cut, 0);
  else if (version == 6)
    sf_decode_ipv6(pk, d + 4, len - 4, cut, 0);
  else
    sf_decode_report(pk, SIPFLOW_DIAG_BAD_LINK,
                     "loopback header with unknown address family 0x%08" PRIx32, be);
}

static void decode_link(sf_decode_pkt *pk, int linktype, const uint8_t *d, size_t len, bool cut)
{
  switch (linktype) {
  case LT_EN10MB:
    sf_decode_ethernet(pk, d, len, cut, 0);
    break;
  case LT_LINUX_SLL: /* 16 bytes; protocol (an ethertype) last */
    if (sf_decode_need(pk, len, 16, cut, SIPFLOW_DIAG_BAD_LINK, "Linux cooked header"))
      decode_ethertype(pk, sf_decode_rd16(d + 14), d + 16, len - 16, cut, 0);
    break;
  case LT_LINUX_SLL2: /* 20 bytes; protocol (an ethertype) first */
    if (sf_decode_need(pk, len, 20, cut, SIPFLOW_DIAG_BAD_LINK, "Linux cooked v2 header"))
      decode_ethertype(pk, sf_decode_rd16(d), d + 20, len - 20, cut, 0);
    break;
  case LT_RAW_DLT:
  case LT_RAW_BSD:
  case LT_RAW:
    decode_ip_any(pk, d, len, cut, 0);
    break;
  case LT_IPV4:
    sf_decode_ipv4(pk, d, len, cut, 0);
    break;
  case LT_IPV6:
    sf_decode_ipv6(pk, d, len, cut, 0);
    break;
  case LT_NULL:
    decode_loopback(pk, d, len, cut, true);
    break;
  case LT_LOOP:
    decode_loopback(pk, d, len, cut, false);
    break;
  }
}

/* --------------------------------------------------------------- API */

sf_decode *sf_decode_new(const sipflow_limits *limits, sf_decode_emit_fn emit,
                         sf_diag_sink *diag, void *user)
{
  sf_decode *dec = g_new0(sf_decode, 1);
  size_t max_bytes = limits && limits->max_fragment_bytes ? limits->max_fragment_bytes
                                                          : SF_DEFAULT_FRAGMENT_BYTES;
  int64_t timeout = limits && limits->fragment_timeout_us > 0
                        ? limits->fragment_timeout_us
                        : SF_DEFAULT_FRAGMENT_TIMEOUT_US;

  dec->emit = emit;
  dec->diag = diag;
  dec->user = user;
  dec->frag = sf_ipfrag_new(max_bytes, timeout, diag);
  dec->head.udp_first_byte = every_byte;
  return dec;
}

void sf_decode_free(sf_decode *dec)
{
  if (!dec)
    return;
  sf_ipfrag_free(dec->frag);
  g_free(dec);
}

void sf_decode_set_udp_filter(sf_decode *dec, const bool *first_byte)
{
  dec->head.udp_first_byte = first_byte ? first_byte : every_byte;
  dec->udp_filtered = first_byte != NULL;
}

bool sf_decode_linktype_supported(int linktype)
{
  switch (linktype) {
  case LT_NULL:
  case LT_EN10MB:
  case LT_RAW_DLT:
  case LT_RAW_BSD:
  case LT_RAW:
  case LT_LOOP:
  case LT_LINUX_SLL:
  case LT_IPV4:
  case LT_IPV6:
  case LT_LINUX_SLL2:
    return true;
  }
  return false;
}

/* Out of line, like sf_decode_any(): the sf_l4 it builds would make
 * every sf_decode_packet() pay for its stack frame, also for the RTP
 * packets dropped before. */
void sf_decode_emit_plain_udp(sf_decode *dec, uint64_t frame, int64_t time_us,
                              const uint8_t *data, size_t ulen)
{
  const uint8_t *ip = data + 14, *udp = ip + 20;
  /* emit_l4()'s work without its ip_info: the addresses go straight from
   * the packet into the sf_l4 */
  sf_l4 l4 = {
      .frame = frame,
      .time_us = time_us,
      .src = {.family = 4, .port = sf_decode_rd16(udp)},
      .dst = {.family = 4, .port = sf_decode_rd16(udp + 2)},
      .ipproto = SF_IPPROTO_UDP,
      .payload = udp + 8,
      .len = ulen - 8,
  };

  memcpy(l4.src.addr, ip + 12, 4);
  memcpy(l4.dst.addr, ip + 16, 4);
  dec->emit(dec->user, &l4);
}

/* A TCP segment in Ethernet + IPv4 (no options, not a fragment, a total
 * length within the frame), all captured: straight to decode_tcp(), as
 * sf_decode_ethernet() -> sf_decode_ipv4() -> decode_ip_payload() would take it
 * (no diagnostic on the way), without their calls.  (Plain UDP never gets
 * here: sf_decode_packet() took it.)  False for any other packet. */
static bool decode_plain_tcp(sf_decode_pkt *pk, const uint8_t *d, size_t len)
{
  if (len < 14 + 20 || (sf_decode_bytes4(d + 12) & 0x00ffffff) != 0x00450008 ||
      (sf_decode_bytes4(d + 20) & 0xff00ff3f) != (uint32_t)SF_IPPROTO_TCP << 24)
    return false;
  size_t total = sf_decode_rd16(d + 16);
  if (total < 20 || total > len - 14) /* 0 (TSO) too: sf_decode_ipv4()'s */
    return false;
  ip_info ip = {.family = 4};
  memcpy(ip.src, d + 14 + 12, 4);
  memcpy(ip.dst, d + 14 + 16, 4);
  decode_tcp(pk, &ip, d + 14 + 20, total - 20, 0);
  return true;
}

int sf_decode_any(sf_decode *dec, int linktype, uint64_t frame, int64_t time_us,
                  const uint8_t *data, size_t caplen, size_t wirelen)
{
  sf_decode_pkt pk = {.dec = dec, .frame = frame, .time_us = time_us};
  bool cut = caplen < wirelen;
  if (linktype == LT_EN10MB) {
    if (!cut && decode_plain_tcp(&pk, data, caplen))
      return SIPFLOW_OK;
  } else if (!sf_decode_linktype_supported(linktype)) {
    return SIPFLOW_ERR_LINKTYPE;
  }
  if (cut)
    sf_decode_report(&pk, SIPFLOW_DIAG_TRUNCATED_PACKET, "only %zu of %zu bytes captured (snaplen)",
                     caplen, wirelen);
  decode_link(&pk, linktype, data, caplen, cut);
  return SIPFLOW_OK;
}

void sf_decode_expire(sf_decode *dec, int64_t now_us)
{
  sf_ipfrag_expire(dec->frag, now_us);
}

uint64_t sf_decode_fragments_reassembled(const sf_decode *dec)
{
  return sf_ipfrag_reassembled(dec->frag);
}
