/*
 * Fuzz target: the stream stage (UDP datagrams, TCP reassembly, SIP framing)
 * driven by a byte script of segments.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Script: byte 0 = configuration (bit 0: tiny limits, so the buffer, stream
 * count, message size and idle limits are hit; bit 1: no diagnostic
 * callback; bit 2: TCP records carry an ACK byte).  Then records until
 * the input ends:
 *   op    bits 0-1 flow (0 A->B, 1 B->A, 2 C->B, 3 B->C; C is IPv6),
 *         bit 2 UDP instead of TCP, bit 3 SYN, bit 4 FIN, bit 5 RST,
 *         bit 6 snaplen-truncated, bit 7 absolute sequence number follows
 *   seq   int8 added to the flow's cursor (where the script's previous
 *         segment of that flow ended), or with bit 7 four bytes big-endian
 *   ack   (configuration bit 2, TCP only) int8 added to the reverse flow's
 *         cursor: the ACK flag is set with that acknowledgement number, so
 *         that ACKs covering bytes the script never sent declare holes
 *   len   payload length 0..255 (fewer when the input ends)
 *   time  capture time step: < 200: milliseconds, else (time-200) * 10 s
 *   payload
 * Every payload is copied into a buffer of exactly its length.  Each
 * emitted chunk goes through the parser, as the context would do.
 */
#include <string.h>

#include "fuzz_common.h"
#include "sf_internal.h"

typedef struct fuzz_state {
  sf_header headers[SF_PARSE_MAX_HEADERS];
  sf_header again[SF_PARSE_MAX_HEADERS];
  uint64_t chunks;
} fuzz_state;

static void on_chunk(void *user, const sf_sip_chunk *c)
{
  fuzz_state *fs = user;
  sipflow_message msg;
  const char *why;
  size_t n = SF_PARSE_MAX_HEADERS;
  bool stream = c->transport != SIPFLOW_TRANSPORT_UDP;

  FUZZ_CHECK(c->data && c->len > 0);
  FUZZ_CHECK(c->transport == SIPFLOW_TRANSPORT_UDP || c->transport == SIPFLOW_TRANSPORT_TCP);
  /* the chunk must be readable to its last byte */
  volatile char last = c->data[c->len - 1];
  (void)last;
  int rc = sf_parse_message(c->data, c->len, stream, &c->start, &msg, fs->headers, &n, NULL,
                            &why);
  if (rc == SIPFLOW_OK)
    FUZZ_CHECK(msg.raw_len <= c->len);
  /* the framer's reading of the start line (kept across segments for TCP)
   * is the parser's own */
  if (c->start.next) {
    sipflow_message msg2;
    const char *why2;
    size_t n2 = SF_PARSE_MAX_HEADERS;
    int rc2 = sf_parse_message(c->data, c->len, stream, NULL, &msg2, fs->again, &n2, NULL, &why2);
    FUZZ_CHECK(rc2 == rc && why2 == why && n2 == n);
    FUZZ_CHECK(memcmp(&msg2, &msg, sizeof msg) == 0);
    FUZZ_CHECK(memcmp(fs->again, fs->headers, n * sizeof fs->headers[0]) == 0);
  }
  fs->chunks++;
}

static void on_diag(const sipflow_diag *d, void *user)
{
  FUZZ_CHECK(d->text && fuzz_touch_str(d->text) < 512);
  FUZZ_CHECK(d->code >= SIPFLOW_DIAG_TRUNCATED_PACKET && d->code <= SIPFLOW_DIAG_CALL_LIMIT);
}

static sipflow_endpoint endpoint(int which)
{
  sipflow_endpoint e = {0};
  if (which == 2) {
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 3};
    e.family = 6;
    memcpy(e.addr, v6, 16);
    e.port = 5070;
  } else {
    e.family = 4;
    e.addr[0] = 10;
    e.addr[3] = (uint8_t)(which + 1);
    e.port = 5060;
  }
  return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const int flow_src[4] = {0, 1, 2, 1}, flow_dst[4] = {1, 0, 1, 2};
  fuzz_state *fs = calloc(1, sizeof *fs);
  sf_diag_sink sink = {0};
  sipflow_limits tiny = {.max_message_size = 600, .max_tcp_buffer = 1024,
                         .max_tcp_streams = 2,
                         .tcp_idle_timeout_us = 3 * G_GINT64_CONSTANT(1000000)};
  uint32_t cursor[4] = {0};
  int64_t now = G_GINT64_CONSTANT(1768471200000000);
  size_t pos = 1;
  uint64_t frame = 0;

  if (size < 1) {
    free(fs);
    return 0;
  }
  if (!(data[0] & 2)) {
    sink.fn = on_diag;
    sink.user = fs;
  }
  sf_stream *st = sf_stream_new((data[0] & 1) ? &tiny : NULL, on_chunk, &sink, fs);

  while (pos + 4 <= size) {
    uint8_t op = data[pos], time = data[pos + 3];
    int flow = op & 3;
    uint32_t seq = cursor[flow] + (uint32_t)(int32_t)(int8_t)data[pos + 1];
    size_t len = data[pos + 2];
    pos += 4;
    if (op & 0x80) {
      if (pos + 4 > size)
        break;
      seq = (uint32_t)data[pos] << 24 | (uint32_t)data[pos + 1] << 16 |
            (uint32_t)data[pos + 2] << 8 | data[pos + 3];
      pos += 4;
    }
    bool with_ack = (data[0] & 4) && !(op & 4) && pos < size;
    uint32_t ack = 0;
    if (with_ack)
      ack = cursor[flow ^ 1] + (uint32_t)(int32_t)(int8_t)data[pos++];
    if (len > size - pos)
      len = size - pos;
    uint8_t *payload = malloc(len ? len : 1);
    memcpy(payload, data + pos, len);
    pos += len;
    now += time < 200 ? (int64_t)time * 1000 : (int64_t)(time - 200) * 10000000;

    sf_l4 l4 = {.frame = ++frame, .time_us = now, .src = endpoint(flow_src[flow]),
                .dst = endpoint(flow_dst[flow]), .payload = payload, .len = len,
                .truncated = (op & 0x40) != 0, .tcp_seq = seq};
    if (op & 4) {
      l4.ipproto = SF_IPPROTO_UDP;
      sf_stream_datagram(st, &l4);
    } else {
      l4.ipproto = SF_IPPROTO_TCP;
      l4.tcp_flags = (uint8_t)(((op & 8) ? SF_TCP_SYN : 0) | ((op & 0x10) ? SF_TCP_FIN : 0) |
                               ((op & 0x20) ? SF_TCP_RST : 0));
      l4.tcp_has_ack = with_ack;
      l4.tcp_ack = ack;
      sf_stream_tcp(st, &l4);
      cursor[flow] = seq + (uint32_t)len + ((op & 8) ? 1u : 0u) + ((op & 0x10) ? 1u : 0u);
    }
    free(payload);
    if (time >= 200 || frame % 8 == 0)
      sf_stream_expire(st, now);
  }
  sf_stream_finish(st);
  FUZZ_CHECK(sf_stream_segments(st) <= frame);
  sf_stream_free(st);
  free(fs);
  return 0;
}
