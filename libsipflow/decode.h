/*
 * decode stage, private: what decode.c (link layers, IP, transport) and
 * decode_tunnel.c (GRE, MPLS) share: the packet being decoded, the
 * bounds check every header read goes through, and the layers a tunnel
 * hands its payload back to.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The checks are static inline: they run for every header of every
 * packet, and a call each would cost more than the comparison.
 */
#ifndef SF_DECODE_H
#define SF_DECODE_H

#include "sf_internal.h"

/* Ethertypes (IEEE registry) and the GRE protocol types that reuse them. */
enum {
  ET_IPV4 = 0x0800,
  ET_IPV6 = 0x86dd,
  ET_VLAN = 0x8100,     /* 802.1Q */
  ET_QINQ = 0x88a8,     /* 802.1ad */
  ET_QINQ_OLD = 0x9100, /* pre-standard QinQ */
  ET_MPLS = 0x8847,
  ET_MPLS_MC = 0x8848,
  ET_PPPOE = 0x8864,    /* PPPoE session stage, RFC 2516 */
  ET_TEB = 0x6558,      /* transparent Ethernet bridging (GRE) */
  ET_ERSPAN2 = 0x88be,  /* ERSPAN type I/II over GRE */
  ET_ERSPAN3 = 0x22eb   /* ERSPAN type III over GRE */
};

/* The packet being decoded. */
typedef struct sf_decode_pkt {
  sf_decode *dec;
  uint64_t frame;
  int64_t time_us;
} sf_decode_pkt;

/* Reports a diagnostic about pk, "frame N: " and the formatted text. */
void sf_decode_report(sf_decode_pkt *pk, sipflow_diag_code code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* The big-endian 16-bit field at p. */
static inline uint16_t sf_decode_rd16(const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

/* True when `want` bytes of `what` are present.  Otherwise reports a bad
 * header, unless the snaplen explains the shortage (cut). */
static inline bool sf_decode_need(sf_decode_pkt *pk, size_t have, size_t want, bool cut,
                                  sipflow_diag_code code, const char *what)
{
  if (have >= want)
    return true;
  if (!cut)
    sf_decode_report(pk, code, "%s needs %zu bytes, only %zu present", what, want, have);
  return false;
}

/* decode.c: the layers a tunnel's payload is decoded as.  len bytes at d
 * are captured; cut: the snaplen cut the packet; depth: encapsulations
 * so far (past SF_DECODE_MAX_DEPTH, decode.c, it is reported, not decoded). */
void sf_decode_ipv4(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth);
void sf_decode_ipv6(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth);
void sf_decode_ethernet(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth);
/* An IPv4 or IPv6 packet as its version nibble (d[0] >> 4, len >= 1) says;
 * false, and nothing decoded or reported, for any other version. */
bool sf_decode_ip_version(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth);

/* decode_tunnel.c */

/* A GRE packet (IP protocol 47) of depth tunnels; missing: bytes of it the
 * snaplen cut off. */
void sf_decode_tunnel_gre(sf_decode_pkt *pk, const uint8_t *d, size_t len, size_t missing,
                          int depth);
/* An MPLS label stack and what it carries (ethertype 0x8847/0x8848). */
void sf_decode_tunnel_mpls(sf_decode_pkt *pk, const uint8_t *d, size_t len, bool cut, int depth);

#endif
