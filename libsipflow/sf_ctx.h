/*
 * The context structure, private to the library.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SF_CTX_H
#define SF_CTX_H

#include <inttypes.h>

#include "sf_internal.h"

struct sipflow_ctx {
  sipflow_callbacks cb;
  void *user;
  sipflow_limits limits;
  sf_diag_sink diag;
  sf_decode *decode;
  sf_stream *stream;
  sf_header *headers;     /* scratch array for the parser */
  sipflow_counters counters;
  sipflow_progress_fn progress;
  int64_t last_time_us;   /* of the last packet fed (the file reader's fast
                             loop sets it when it stops, not per packet) */
  bool finished;
  char errmsg[512];
  void *correlate;        /* correlate stage state (correlate.c) */
};

/* What sipflow_message.internal_ points to (sipflow.c): the parsed header
 * array, which the correlate stage also walks (correlate.c), and the headers
 * the parser noted on the way (the B2BUA leg links, calls.c). */
typedef struct sf_message_internal {
  const sf_header *headers;
  size_t n_headers;
  sf_header_marks marks;
} sf_message_internal;

void sf_ctx_set_error(sipflow_ctx *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* How often (in packets) idle TCP streams and stale fragments are expired. */
#define SF_EXPIRE_EVERY 4096

/* The rare work after a packet: the error of an unknown link type, and
 * every SF_EXPIRE_EVERY packets the expiry of idle streams and fragments. */
void sf_ctx_after_packet(sipflow_ctx *ctx, int rc, int linktype, int64_t time_us);

/* sf_ctx_feed_packet() once sf_decode_plain_udp() has said ulen. */
static SF_ALWAYS_INLINE int
sf_ctx_feed_packet_as(sipflow_ctx *ctx, size_t ulen, int linktype, uint64_t frame,
                      int64_t time_us, const uint8_t *data, size_t caplen, size_t wirelen)
{
  ctx->counters.packets++;
  ctx->counters.bytes += caplen;
  int rc = sf_decode_packet_as(ctx->decode, ulen, linktype, frame, time_us, data, caplen,
                               wirelen);
  if (G_UNLIKELY(rc != SIPFLOW_OK || ctx->counters.packets % SF_EXPIRE_EVERY == 0))
    sf_ctx_after_packet(ctx, rc, linktype, time_us);
  return rc;
}

/* sipflow_feed_packet() without the argument checks (nor the setting of
 * last_time_us), for the file reader (capture.c), which only passes valid
 * packets.  Inline, always: it runs for every packet of a capture, most
 * of which (RTP) decode drops in a few dozen instructions. */
static SF_ALWAYS_INLINE int
sf_ctx_feed_packet(sipflow_ctx *ctx, int linktype, uint64_t frame, int64_t time_us,
                   const uint8_t *data, size_t caplen, size_t wirelen)
{
  return sf_ctx_feed_packet_as(ctx, sf_decode_plain_udp(linktype, data, caplen, wirelen),
                               linktype, frame, time_us, data, caplen, wirelen);
}

/* For a plain UDP packet (ulen from sf_decode_plain_udp(), 0 for any
 * other) whose payload decode would drop at once (RTP, most packets of a
 * capture; wanted: sf_decode_udp_filter() of ctx->decode, which the caller
 * reads once for all its packets): counts it and returns true.  False for any other packet, which
 * the caller then feeds with sf_ctx_feed_packet_as().  Needs no time
 * stamp, so the caller converts it only for the packets fed; the packet
 * due to run the expiry (which needs the time) is fed. */
static SF_ALWAYS_INLINE bool
sf_ctx_skip_packet(sipflow_ctx *ctx, const bool *wanted, size_t ulen, const uint8_t *data,
                   size_t caplen)
{
  if (!ulen || sf_decode_plain_udp_wanted_by(wanted, data) ||
      (ctx->counters.packets + 1) % SF_EXPIRE_EVERY == 0)
    return false;
  ctx->counters.packets++;
  ctx->counters.bytes += caplen;
  return true;
}

/* correlate stage hooks (correlate.c): assign transaction/dialog/call ids and
 * the retransmission flag to msg before it is delivered. */
void sf_ctx_correlate_init(sipflow_ctx *ctx);
void sf_ctx_correlate(sipflow_ctx *ctx, sipflow_message *msg);
void sf_ctx_correlate_finish(sipflow_ctx *ctx);
void sf_ctx_correlate_free(sipflow_ctx *ctx);

#endif
