/*
 * IPv4 / IPv6 fragment reassembly, private to decode.c (and its tests).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SF_IPFRAG_H
#define SF_IPFRAG_H

#include "sf_internal.h"

/* Largest datagram payload rebuilt: the 16-bit length fields of RFC 791 and
 * RFC 8200 (IPv6 jumbograms, RFC 2675, are not supported). */
#define SF_IPFRAG_MAX_DATAGRAM 65535u

typedef struct sf_ipfrag sf_ipfrag;

/* What names one original datagram: RFC 791 §3.2 (source, destination,
 * protocol, identification) for IPv4; RFC 8200 §4.5 (source, destination,
 * identification) for IPv6, whose proto is always 0 here because the Next
 * Header of each fragment may differ and only the first fragment's counts. */
typedef struct sf_ipfrag_key {
  uint8_t family; /* 4 or 6 */
  uint8_t proto;
  uint32_t id;
  uint8_t src[16];
  uint8_t dst[16];
} sf_ipfrag_key;

/* One fragment as it arrived. */
typedef struct sf_ipfrag_piece {
  uint64_t frame;
  int64_t time_us;
  size_t offset;        /* of this data in the fragmentable part, bytes */
  size_t len;           /* data length according to the IP header */
  const uint8_t *data;  /* captured data */
  size_t avail;         /* bytes at data, < len when the snaplen cut it */
  bool more;            /* More Fragments flag */
  uint8_t next_proto;   /* protocol of the payload (taken from offset 0) */
} sf_ipfrag_piece;

/* A rebuilt datagram payload; the caller owns data (g_free). */
typedef struct sf_ipfrag_datagram {
  uint8_t *data;
  size_t len;
  uint8_t proto;
} sf_ipfrag_datagram;

/* max_bytes bounds the memory of all pending sets together; timeout_us is
 * the age (capture time, from the first fragment) after which
 * sf_ipfrag_expire drops a set.  Problems are reported to diag. */
sf_ipfrag *sf_ipfrag_new(size_t max_bytes, int64_t timeout_us, sf_diag_sink *diag);
void sf_ipfrag_free(sf_ipfrag *fr);

/* Adds one fragment.  Returns true when it completed its datagram, which is
 * then moved to *out and forgotten here; false otherwise (kept, or dropped
 * with a diagnostic). */
bool sf_ipfrag_add(sf_ipfrag *fr, const sf_ipfrag_key *key, const sf_ipfrag_piece *piece,
                   sf_ipfrag_datagram *out);

/* Drops (with SIPFLOW_DIAG_FRAGMENT_EXPIRED) the sets whose first fragment is
 * older than the timeout at capture time now_us; INT64_MAX drops them all
 * (end of capture). */
void sf_ipfrag_expire(sf_ipfrag *fr, int64_t now_us);

uint64_t sf_ipfrag_reassembled(const sf_ipfrag *fr);
/* Bytes held by pending sets (buffers plus bookkeeping), and how many sets
 * are pending. */
size_t sf_ipfrag_pending_bytes(const sf_ipfrag *fr);
size_t sf_ipfrag_pending_sets(const sf_ipfrag *fr);

#endif /* SF_IPFRAG_H */
