/*
 * Helpers for test_stream.c and test_tcpreasm.c: a stream stage whose
 * chunks and diagnostics are recorded in order, segments and datagrams
 * built by hand (sf_l4) from payload copied into buffers of exactly their
 * length, and SIP messages to cut into them.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef STREAMRIG_H
#define STREAMRIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sf_internal.h"

/* ----------------------------------------------------------- collector */

typedef struct rec {
  char kind;          /* 'c' chunk, 'd' diag */
  GString *data;      /* chunk bytes, or diag text */
  uint64_t frame;
  int64_t time_us;
  sipflow_endpoint src, dst;
  sipflow_transport transport;
  bool truncated;
  sipflow_diag_code code;
} rec;

typedef struct fx {
  GArray *recs;       /* rec, in emission order */
  sf_diag_sink sink;
  sf_stream *st;
  sipflow_endpoint a, b;
} fx;

static inline void on_chunk(void *user, const sf_sip_chunk *c)
{
  fx *f = user;
  rec r = {.kind = 'c', .data = g_string_new_len(c->data, (gssize)c->len),
           .frame = c->frame, .time_us = c->time_us, .src = *c->src, .dst = *c->dst,
           .transport = c->transport, .truncated = c->truncated};
  g_array_append_val(f->recs, r);
}

static inline void on_diag(const sipflow_diag *d, void *user)
{
  fx *f = user;
  rec r = {.kind = 'd', .data = g_string_new(d->text), .frame = d->frame, .code = d->code};
  g_array_append_val(f->recs, r);
}

static inline fx *fx_new(const sipflow_limits *limits)
{
  fx *f = g_new0(fx, 1);
  f->recs = g_array_new(FALSE, TRUE, sizeof(rec));
  f->sink.fn = on_diag;
  f->sink.user = f;
  f->st = sf_stream_new(limits, on_chunk, &f->sink, f);
  f->a = (sipflow_endpoint){.family = 4, .addr = {10, 0, 0, 1}, .port = 5060};
  f->b = (sipflow_endpoint){.family = 4, .addr = {10, 0, 0, 2}, .port = 5060};
  return f;
}

static inline void fx_free(fx *f)
{
  sf_stream_free(f->st);
  for (guint i = 0; i < f->recs->len; i++)
    g_string_free(g_array_index(f->recs, rec, i).data, TRUE);
  g_array_free(f->recs, TRUE);
  g_free(f);
}

static inline int64_t time_of(uint64_t frame)
{
  return G_GINT64_CONSTANT(1700000000000000) + (int64_t)frame * 1000;
}

/* One segment from a (dir 0) or b (dir 1) carrying payload[0..len), with
 * the ACK flag and acknowledgment number ack when has_ack. */
static inline void seg_ack(fx *f, int dir, uint64_t frame, uint32_t seq, uint8_t flags,
                           const char *payload, size_t len, bool has_ack, uint32_t ack)
{
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, payload, len);
  sf_l4 l4 = {.frame = frame, .time_us = time_of(frame),
              .src = dir ? f->b : f->a, .dst = dir ? f->a : f->b,
              .ipproto = SF_IPPROTO_TCP, .payload = copy, .len = len,
              .tcp_seq = seq, .tcp_flags = flags, .tcp_has_ack = has_ack,
              .tcp_ack = ack};
  sf_stream_tcp(f->st, &l4);
  free(copy);
}

/* The same without an acknowledgment. */
static inline void seg_n(fx *f, int dir, uint64_t frame, uint32_t seq, uint8_t flags,
                         const char *payload, size_t len)
{
  seg_ack(f, dir, frame, seq, flags, payload, len, false, 0);
}

static inline void seg(fx *f, int dir, uint64_t frame, uint32_t seq, const char *payload)
{
  seg_n(f, dir, frame, seq, 0, payload, strlen(payload));
}

static inline void datagram(fx *f, uint64_t frame, const char *payload, size_t len,
                            bool cut)
{
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, payload, len);
  sf_l4 l4 = {.frame = frame, .time_us = time_of(frame), .src = f->a, .dst = f->b,
              .ipproto = SF_IPPROTO_UDP, .payload = copy, .len = len, .truncated = cut};
  sf_stream_datagram(f->st, &l4);
  free(copy);
}

/* The i-th record of f must be a chunk with exactly these bytes and frame. */
#define assert_chunk(f, i, bytes, frame_) check_chunk((f), (i), (bytes), (frame_), __LINE__)

static inline void check_chunk(const fx *f, guint i, const char *bytes, uint64_t frame,
                               int line)
{
  if (i >= f->recs->len) {
    print_error("line %d: record %u missing (%u records)\n", line, i, f->recs->len);
    fail();
  }
  const rec *r = &g_array_index(f->recs, rec, i);
  if (r->kind != 'c') {
    print_error("line %d: record %u is a diag: %s\n", line, i, r->data->str);
    fail();
  }
  if (r->data->len != strlen(bytes) || memcmp(r->data->str, bytes, r->data->len) != 0) {
    print_error("line %d: chunk %u is\n[%s]\nexpected\n[%s]\n", line, i, r->data->str,
                bytes);
    fail();
  }
  assert_int_equal(r->frame, frame);
  assert_int_equal(r->time_us, time_of(frame));
}

#define assert_diag(f, i, code_, frame_, text)                                     \
  check_diag((f), (i), (code_), (frame_), (text), __LINE__)

static inline void check_diag(const fx *f, guint i, sipflow_diag_code code,
                              uint64_t frame, const char *text, int line)
{
  if (i >= f->recs->len) {
    print_error("line %d: record %u missing (%u records)\n", line, i, f->recs->len);
    fail();
  }
  const rec *r = &g_array_index(f->recs, rec, i);
  if (r->kind != 'd') {
    print_error("line %d: record %u is a chunk, expected diag \"%s\"\n", line, i, text);
    fail();
  }
  assert_int_equal(r->code, code);
  assert_int_equal(r->frame, frame);
  assert_string_equal(r->data->str, text);
}

static inline const rec *rec_at(const fx *f, guint i)
{
  assert_true(i < f->recs->len);
  return &g_array_index(f->recs, rec, i);
}

/* ------------------------------------------------------------ messages */

/* A request with a body of body_len 'x' characters in lines of 40, the last
 * one ending with LF too (SDP lines end with CRLF, RFC 4566 §5). */
static inline char *make_msg(const char *method, unsigned cseq, size_t body_len)
{
  GString *body = g_string_new(NULL);
  for (size_t i = 0; i < body_len; i++)
    g_string_append_c(body, (i % 40 == 39 || i + 1 == body_len) ? '\n' : 'x');
  char *m = g_strdup_printf("%s sip:bob@example.com SIP/2.0\r\n"
                            "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK%u\r\n"
                            "From: <sip:alice@example.com>;tag=a1\r\n"
                            "To: <sip:bob@example.com>\r\n"
                            "Call-ID: call-%u@10.0.0.1\r\n"
                            "CSeq: %u %s\r\n"
                            "Content-Length: %zu\r\n\r\n%s",
                            method, cseq, cseq, cseq, method, body_len, body->str);
  g_string_free(body, TRUE);
  return m;
}

static inline char *make_resp(int status, const char *reason, unsigned cseq)
{
  return g_strdup_printf("SIP/2.0 %d %s\r\n"
                         "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK%u\r\n"
                         "Call-ID: call-%u@10.0.0.1\r\n"
                         "CSeq: %u INVITE\r\n"
                         "l: 0\r\n\r\n",
                         status, reason, cseq, cseq, cseq);
}

#define ISN 1000u /* first data byte when a SYN with seq ISN - 1 is sent */

#endif /* STREAMRIG_H */
