/*
 * Unit tests for libsipflow/stream.c: UDP datagrams and TCP reassembly.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Segments are built by hand (sf_l4) from payload copied into buffers of
 * exactly their length; the chunks and diagnostics the stage emits are
 * recorded, in order, and compared byte for byte.
 */
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

static void on_chunk(void *user, const sf_sip_chunk *c)
{
  fx *f = user;
  rec r = {.kind = 'c', .data = g_string_new_len(c->data, (gssize)c->len),
           .frame = c->frame, .time_us = c->time_us, .src = c->src, .dst = c->dst,
           .transport = c->transport, .truncated = c->truncated};
  g_array_append_val(f->recs, r);
}

static void on_diag(const sipflow_diag *d, void *user)
{
  fx *f = user;
  rec r = {.kind = 'd', .data = g_string_new(d->text), .frame = d->frame, .code = d->code};
  g_array_append_val(f->recs, r);
}

static fx *fx_new(const sipflow_limits *limits)
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

static void fx_free(fx *f)
{
  sf_stream_free(f->st);
  for (guint i = 0; i < f->recs->len; i++)
    g_string_free(g_array_index(f->recs, rec, i).data, TRUE);
  g_array_free(f->recs, TRUE);
  g_free(f);
}

static int64_t time_of(uint64_t frame)
{
  return G_GINT64_CONSTANT(1700000000000000) + (int64_t)frame * 1000;
}

/* One segment from a (dir 0) or b (dir 1) carrying payload[0..len). */
static void seg_n(fx *f, int dir, uint64_t frame, uint32_t seq, uint8_t flags,
                  const char *payload, size_t len)
{
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, payload, len);
  sf_l4 l4 = {.frame = frame, .time_us = time_of(frame),
              .src = dir ? f->b : f->a, .dst = dir ? f->a : f->b,
              .ipproto = SF_IPPROTO_TCP, .payload = copy, .len = len,
              .tcp_seq = seq, .tcp_flags = flags};
  sf_stream_tcp(f->st, &l4);
  free(copy);
}

static void seg(fx *f, int dir, uint64_t frame, uint32_t seq, const char *payload)
{
  seg_n(f, dir, frame, seq, 0, payload, strlen(payload));
}

static void datagram(fx *f, uint64_t frame, const char *payload, size_t len, bool cut)
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

static void check_chunk(const fx *f, guint i, const char *bytes, uint64_t frame, int line)
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

static void check_diag(const fx *f, guint i, sipflow_diag_code code, uint64_t frame,
                       const char *text, int line)
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

static const rec *rec_at(const fx *f, guint i)
{
  assert_true(i < f->recs->len);
  return &g_array_index(f->recs, rec, i);
}

/* ------------------------------------------------------------ messages */

/* A request with a body of body_len 'x' characters in lines of 40, the last
 * one ending with LF too (SDP lines end with CRLF, RFC 4566 §5). */
static char *make_msg(const char *method, unsigned cseq, size_t body_len)
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

static char *make_resp(int status, const char *reason, unsigned cseq)
{
  return g_strdup_printf("SIP/2.0 %d %s\r\n"
                         "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK%u\r\n"
                         "Call-ID: call-%u@10.0.0.1\r\n"
                         "CSeq: %u INVITE\r\n"
                         "l: 0\r\n\r\n",
                         status, reason, cseq, cseq, cseq);
}

#define ISN 1000u /* first data byte when a SYN with seq ISN - 1 is sent */

/* ------------------------------------------------------------ basics */

static void test_one_message_one_segment(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m = make_msg("INVITE", 1, 120);

  seg(f, 0, 1, 5000, m);
  assert_int_equal(f->recs->len, 1);
  assert_chunk(f, 0, m, 1);
  const rec *r = rec_at(f, 0);
  assert_int_equal(r->transport, SIPFLOW_TRANSPORT_TCP);
  assert_memory_equal(&r->src, &f->a, sizeof f->a);
  assert_memory_equal(&r->dst, &f->b, sizeof f->b);
  assert_false(r->truncated);
  assert_int_equal(sf_stream_segments(f->st), 1);
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 1);
  g_free(m);
  fx_free(f);
}

static void test_two_messages_one_segment(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 50), *m2 = make_resp(180, "Ringing", 1);
  char *both = g_strconcat(m1, m2, NULL);

  seg(f, 0, 7, 1, both);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 0, m1, 7);
  assert_chunk(f, 1, m2, 7);
  g_free(m1), g_free(m2), g_free(both);
  fx_free(f);
}

static void test_one_message_three_segments(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m = make_msg("MESSAGE", 1, 300);
  size_t n = strlen(m);

  seg_n(f, 0, 1, ISN, 0, m, 100);
  assert_int_equal(f->recs->len, 0);
  seg_n(f, 0, 2, ISN + 100, 0, m + 100, 200);
  assert_int_equal(f->recs->len, 0);
  seg_n(f, 0, 3, ISN + 300, 0, m + 300, n - 300);
  assert_int_equal(f->recs->len, 1);
  assert_chunk(f, 0, m, 3);
  assert_int_equal(sf_stream_segments(f->st), 3);
  g_free(m);
  fx_free(f);
}

static void test_out_of_order_3_1_2(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 100), *m2 = make_msg("BYE", 2, 0);
  char *all = g_strconcat(m1, m2, NULL);
  size_t n = strlen(all), l1 = strlen(m1);

  seg_n(f, 0, 1, ISN - 1, SF_TCP_SYN, "", 0);
  seg_n(f, 0, 2, ISN + (uint32_t)l1 - 10, 0, all + l1 - 10, n - (l1 - 10)); /* 3 */
  seg_n(f, 0, 3, ISN, 0, all, 40);                                           /* 1 */
  assert_int_equal(f->recs->len, 0);
  seg_n(f, 0, 4, ISN + 40, 0, all + 40, l1 - 10 - 40);                        /* 2 */
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 0, m1, 4);
  assert_chunk(f, 1, m2, 4);
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 2);
  g_free(m1), g_free(m2), g_free(all);
  fx_free(f);
}

/* Without a SYN the first segment seen sets the start; later ones may still
 * come out of order. */
static void test_out_of_order_without_syn(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m = make_msg("INVITE", 1, 200);
  size_t n = strlen(m);

  seg_n(f, 0, 1, ISN, 0, m, 60);
  seg_n(f, 0, 2, ISN + 120, 0, m + 120, n - 120);
  seg_n(f, 0, 3, ISN + 60, 0, m + 60, 60);
  assert_int_equal(f->recs->len, 1);
  assert_chunk(f, 0, m, 3);
  g_free(m);
  fx_free(f);
}

static void test_retransmissions(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 80), *m2 = make_resp(100, "Trying", 1);
  char *m3 = make_msg("ACK", 1, 0);
  size_t l1 = strlen(m1), l2 = strlen(m2);
  char *all = g_strconcat(m1, m2, m3, NULL);
  size_t n = strlen(all);

  seg_n(f, 0, 1, ISN, 0, all, l1);
  seg_n(f, 0, 2, ISN, 0, all, l1); /* exact duplicate */
  assert_int_equal(f->recs->len, 1);
  /* Overlapping: old bytes of m1 plus the first half of m2. */
  seg_n(f, 0, 3, ISN + 30, 0, all + 30, l1 - 30 + l2 / 2);
  seg_n(f, 0, 4, ISN + (uint32_t)(l1 + l2 / 2), 0, all + l1 + l2 / 2, n - l1 - l2 / 2);
  /* A late copy of everything. */
  seg_n(f, 0, 5, ISN, 0, all, n);
  assert_int_equal(f->recs->len, 3);
  assert_chunk(f, 0, m1, 1);
  assert_chunk(f, 1, m2, 4);
  assert_chunk(f, 2, m3, 4);
  g_free(m1), g_free(m2), g_free(m3), g_free(all);
  fx_free(f);
}

/* A held (out-of-order) segment retransmitted, and a retransmission that
 * covers delivered bytes and new ones. */
static void test_retransmitted_held_segment(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m = make_msg("OPTIONS", 3, 100);
  size_t n = strlen(m);

  seg_n(f, 0, 1, ISN, 0, m, 50);
  seg_n(f, 0, 2, ISN + 100, 0, m + 100, n - 100);
  seg_n(f, 0, 3, ISN + 100, 0, m + 100, n - 100);
  seg_n(f, 0, 4, ISN + 100, 0, m + 100, 20);
  seg_n(f, 0, 5, ISN + 10, 0, m + 10, 100); /* old 40 bytes + the hole */
  assert_int_equal(f->recs->len, 1);
  assert_chunk(f, 0, m, 5);
  g_free(m);
  fx_free(f);
}

static void test_keepalives(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("REGISTER", 1, 0), *m2 = make_resp(200, "OK", 1);
  char *s2 = g_strconcat("\r\n\r\n", m1, "\r\n", NULL);
  char *s3 = g_strconcat("\r\n\r\n", m2, NULL);
  uint32_t seq = ISN;

  seg(f, 0, 1, seq, "\r\n\r\n");
  seq += 4;
  seg(f, 0, 2, seq, s2);
  seq += (uint32_t)strlen(s2);
  seg(f, 0, 3, seq, s3);
  seq += (uint32_t)strlen(s3);
  seg(f, 0, 4, seq, "\r\n\r\n");
  seq += 4;
  seg_n(f, 0, 5, seq, SF_TCP_FIN, "", 0);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 0, m1, 2);
  assert_chunk(f, 1, m2, 3);
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 2);
  g_free(m1), g_free(m2), g_free(s2), g_free(s3);
  fx_free(f);
}

static void test_junk_before_start_line(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m = make_msg("INVITE", 1, 10);
  char *s = g_strconcat("garbage here\r\nand more\r\n\r\n", m, NULL);

  seg_n(f, 0, 1, ISN - 1, SF_TCP_SYN, "", 0);
  seg(f, 0, 2, ISN, s);
  assert_int_equal(f->recs->len, 2);
  assert_diag(f, 0, SIPFLOW_DIAG_JUNK_SKIPPED, 2,
              "frame 2: 26 bytes of non-SIP data skipped in TCP stream "
              "10.0.0.1:5060 -> 10.0.0.2:5060");
  assert_chunk(f, 1, m, 2);
  g_free(m), g_free(s);
  fx_free(f);
}

/* Junk between messages, spread over segments: one diagnostic per run. */
static void test_junk_run_between_messages(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("BYE", 2, 0);
  char *s1 = g_strconcat(m1, "\x01\x02junk", NULL);
  uint32_t seq = ISN;

  seg(f, 0, 1, seq, s1);
  seq += (uint32_t)strlen(s1);
  seg(f, 0, 2, seq, "more junk INVITE not a start\r\nstill junk\r\n");
  seq += 42;
  seg(f, 0, 3, seq, m2);
  assert_int_equal(f->recs->len, 3);
  assert_chunk(f, 0, m1, 1);
  assert_diag(f, 1, SIPFLOW_DIAG_JUNK_SKIPPED, 1,
              "frame 1: 48 bytes of non-SIP data skipped in TCP stream "
              "10.0.0.1:5060 -> 10.0.0.2:5060");
  assert_chunk(f, 2, m2, 3);
  g_free(m1), g_free(m2), g_free(s1);
  fx_free(f);
}

/* ------------------------------------------------------------ gaps */

static void test_gap_resyncs_on_next_message(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("INFO", 2, 200);
  char *m3 = make_msg("BYE", 3, 0);
  size_t l1 = strlen(m1), l2 = strlen(m2);

  seg_n(f, 0, 1, ISN - 1, SF_TCP_SYN, "", 0);
  seg(f, 0, 2, ISN, m1);
  seg_n(f, 0, 3, ISN + (uint32_t)l1, 0, m2, 100);
  /* m2[100..150) is never captured; the tail of m2 and m3 are held. */
  char *tail = g_strconcat(m2 + 150, m3, NULL);
  seg(f, 0, 4, ISN + (uint32_t)(l1 + 150), tail);
  assert_int_equal(f->recs->len, 1);
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 3);
  assert_chunk(f, 0, m1, 2);
  assert_diag(f, 1, SIPFLOW_DIAG_TCP_GAP, 4,
              "frame 4: 50 bytes missing in TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060");
  assert_chunk(f, 2, m3, 4);
  (void)l2;
  g_free(m1), g_free(m2), g_free(m3), g_free(tail);
  fx_free(f);
}

/* A FIN after a hole: the held data is delivered at once. */
static void test_fin_with_hole(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("BYE", 2, 0);
  size_t l1 = strlen(m1), l2 = strlen(m2);

  seg_n(f, 0, 1, ISN, 0, m1, l1);
  seg_n(f, 0, 2, ISN + (uint32_t)l1 + 77, SF_TCP_FIN, m2, l2);
  assert_int_equal(f->recs->len, 3);
  assert_chunk(f, 0, m1, 1);
  assert_diag(f, 1, SIPFLOW_DIAG_TCP_GAP, 2,
              "frame 2: 77 bytes missing in TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060");
  assert_chunk(f, 2, m2, 2);
  /* The stream is closed: late retransmissions make no duplicates. */
  seg_n(f, 0, 3, ISN, 0, m1, l1);
  seg_n(f, 0, 4, ISN + (uint32_t)l1 + 77, SF_TCP_FIN, m2, l2);
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 3);
  g_free(m1), g_free(m2);
  fx_free(f);
}

/* Data after a hole that waited over a second when more data comes: the
 * hole is lost (the peer got it, the capture did not); held messages keep
 * the frames they completed in.  time_of() puts frames 1 ms apart. */
static void test_hole_timeout(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 100), *m2 = make_msg("ACK", 1, 0);
  char *m3 = make_msg("BYE", 2, 0);
  size_t l1 = strlen(m1), l2 = strlen(m2);

  seg_n(f, 0, 1, ISN - 1, SF_TCP_SYN, "", 0);
  seg_n(f, 0, 2, ISN, 0, m1, 100);
  seg_n(f, 0, 3, ISN + 150, 0, m1 + 150, l1 - 150); /* [100, 150) lost */
  seg_n(f, 0, 500, ISN + (uint32_t)l1, 0, m2, l2);  /* 0.5 s: still waiting */
  assert_int_equal(f->recs->len, 0);
  seg_n(f, 0, 1200, ISN + (uint32_t)(l1 + l2), 0, m3, strlen(m3));
  assert_int_equal(f->recs->len, 3);
  assert_diag(f, 0, SIPFLOW_DIAG_TCP_GAP, 1200,
              "frame 1200: 50 bytes missing in TCP stream 10.0.0.1:5060 -> "
              "10.0.0.2:5060");
  assert_chunk(f, 1, m2, 500);
  assert_chunk(f, 2, m3, 1200);
  g_free(m1), g_free(m2), g_free(m3);
  fx_free(f);
}

/* A late retransmission that fills the hole is what was waited for. */
static void test_late_retransmission_fills_hole(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 100), *m2 = make_msg("ACK", 1, 0);
  size_t l1 = strlen(m1);

  seg_n(f, 0, 1, ISN - 1, SF_TCP_SYN, "", 0);
  seg_n(f, 0, 2, ISN, 0, m1, 100);
  seg_n(f, 0, 3, ISN + (uint32_t)l1, 0, m2, strlen(m2));
  seg_n(f, 0, 3000, ISN + 100, 0, m1 + 100, l1 - 100);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 0, m1, 3000);
  assert_chunk(f, 1, m2, 3000);
  g_free(m1), g_free(m2);
  fx_free(f);
}

/* Out-of-order data over the buffer limit: the hole is given up. */
static void test_buffer_limit(void **state)
{
  (void)state;
  sipflow_limits lim = {.max_tcp_buffer = 1000};
  fx *f = fx_new(&lim);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("MESSAGE", 2, 900);
  size_t l1 = strlen(m1), l2 = strlen(m2);
  uint32_t s2 = ISN + (uint32_t)l1 + 2000;

  seg(f, 0, 1, ISN, m1);
  seg_n(f, 0, 2, s2, 0, m2, 600);
  assert_int_equal(f->recs->len, 1);
  seg_n(f, 0, 3, s2 + 600, 0, m2 + 600, l2 - 600);
  assert_int_equal(f->recs->len, 3);
  assert_chunk(f, 0, m1, 1);
  assert_diag(f, 1, SIPFLOW_DIAG_TCP_GAP, 3,
              "frame 3: 2000 bytes missing in TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060");
  assert_chunk(f, 2, m2, 3);
  g_free(m1), g_free(m2);
  fx_free(f);
}

/* Hostile input (issue 6): a flood of 1-byte segments after a hole, all at
 * the same capture time.  Held segments are capped (2048) so that the
 * sorted list cannot grow long: the hole is declared lost when the cap is
 * passed, and what follows is framed again. */
static void test_tiny_segment_flood(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  const char *start = "OPTIONS sip:a@b SIP/2.0\r\n";
  char *m2 = make_msg("BYE", 2, 0);
  uint32_t seq = ISN + (uint32_t)strlen(start) + 10; /* 10 bytes never seen */
  sf_l4 l4 = {.time_us = time_of(1), .src = f->a, .dst = f->b,
              .ipproto = SF_IPPROTO_TCP};

  seg(f, 0, 1, ISN, start);
  for (uint64_t frame = 2; frame <= 2050; frame++) {
    uint8_t *x = malloc(1);
    x[0] = 'x';
    l4.frame = frame;
    l4.payload = x;
    l4.len = 1;
    l4.tcp_seq = seq++;
    sf_stream_tcp(f->st, &l4);
    free(x);
    assert_int_equal(f->recs->len, frame < 2050 ? 0 : 1);
  }
  assert_diag(f, 0, SIPFLOW_DIAG_TCP_GAP, 2050,
              "frame 2050: 10 bytes missing in TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060");
  seg(f, 0, 2051, seq, m2);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 1, m2, 2051);
  g_free(m2);
  fx_free(f);
}

/* A segment cut by the snaplen: the next one is known not to follow on. */
static void test_truncated_segment(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("BYE", 2, 0);
  size_t l1 = strlen(m1);

  uint8_t *copy = g_memdup2(m1, 100);
  sf_l4 l4 = {.frame = 1, .time_us = time_of(1), .src = f->a, .dst = f->b,
              .ipproto = SF_IPPROTO_TCP, .payload = copy, .len = 100, .truncated = true,
              .tcp_seq = ISN};
  sf_stream_tcp(f->st, &l4);
  g_free(copy);
  seg(f, 0, 2, ISN + (uint32_t)l1, m2);
  assert_int_equal(f->recs->len, 2);
  char *text = g_strdup_printf("frame 2: %zu bytes missing in TCP stream 10.0.0.1:5060 -> "
                               "10.0.0.2:5060", l1 - 100);
  assert_diag(f, 0, SIPFLOW_DIAG_TCP_GAP, 2, text);
  assert_chunk(f, 1, m2, 2);
  g_free(m1), g_free(m2), g_free(text);
  fx_free(f);
}

/* ------------------------------------------------------------ bad framing */

static void test_no_content_length(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  const char *bad = "OPTIONS sip:b@y SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n";
  char *m2 = make_msg("INVITE", 2, 30);
  char *s = g_strconcat(bad, m2, NULL);

  seg(f, 0, 9, ISN, s);
  assert_int_equal(f->recs->len, 2);
  assert_diag(f, 0, SIPFLOW_DIAG_SIP_BAD_CONTENT_LENGTH, 9,
              "frame 9: TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060: no Content-Length on a "
              "stream; message skipped");
  assert_chunk(f, 1, m2, 9);
  g_free(m2), g_free(s);
  fx_free(f);
}

static void test_non_numeric_content_length(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  const char *bad = "SIP/2.0 200 OK\r\nCall-ID: x\r\nContent-Length: many\r\n\r\nabc\r\n";
  char *m2 = make_resp(200, "OK", 2);
  char *s = g_strconcat(bad, m2, NULL);

  seg(f, 0, 3, ISN, s);
  assert_int_equal(f->recs->len, 2);
  assert_diag(f, 0, SIPFLOW_DIAG_SIP_BAD_CONTENT_LENGTH, 3,
              "frame 3: TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060: Content-Length is not "
              "a number; message skipped");
  assert_chunk(f, 1, m2, 3); /* "abc" skipped quietly */
  g_free(m2), g_free(s);
  fx_free(f);
}

/* Hostile input (issue 6, samples/hostile/content-length-4g.pcap): the
 * skipped message's body does not end its line; the next segment starts a
 * message all the same. */
static void test_bad_content_length_then_next_segment(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  const char *bad = "MESSAGE sip:b@y SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n"
                    "Content-Length: 4294967296\r\n\r\nfour gigabytes";
  char *m2 = make_msg("MESSAGE", 2, 5);

  seg(f, 0, 4, ISN, bad);
  seg(f, 0, 5, ISN + (uint32_t)strlen(bad), m2);
  assert_int_equal(f->recs->len, 2);
  assert_diag(f, 0, SIPFLOW_DIAG_SIP_BAD_CONTENT_LENGTH, 4,
              "frame 4: TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060: Content-Length is out "
              "of range; message skipped");
  assert_chunk(f, 1, m2, 5);
  fx_free(f);

  /* the same with a body that is junk from its first byte (skipped as a
   * line that goes on in the next segment) */
  f = fx_new(NULL);
  const char *bad2 = "MESSAGE sip:b@y SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n"
                     "Content-Length: 4294967296\r\n\r\n<four gigabytes>";
  seg(f, 0, 4, ISN, bad2);
  seg(f, 0, 5, ISN + (uint32_t)strlen(bad2), m2);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 1, m2, 5);
  g_free(m2);
  fx_free(f);
}

static void test_message_too_large(void **state)
{
  (void)state;
  sipflow_limits lim = {.max_message_size = 500};
  fx *f = fx_new(&lim);
  char *big = make_msg("MESSAGE", 1, 1000), *m2 = make_msg("BYE", 2, 0);
  size_t lb = strlen(big);

  seg_n(f, 0, 1, ISN, 0, big, 400);
  seg_n(f, 0, 2, ISN + 400, 0, big + 400, lb - 400);
  seg(f, 0, 3, ISN + (uint32_t)lb, m2);
  assert_int_equal(f->recs->len, 2);
  char *text = g_strdup_printf("frame 1: SIP message of %zu bytes over the 500-byte limit "
                               "in TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060; message "
                               "skipped", lb);
  assert_diag(f, 0, SIPFLOW_DIAG_SIP_TOO_LARGE, 1, text);
  assert_chunk(f, 1, m2, 3);
  g_free(big), g_free(m2), g_free(text);
  fx_free(f);
}

static void test_headers_without_end(void **state)
{
  (void)state;
  sipflow_limits lim = {.max_message_size = 500};
  fx *f = fx_new(&lim);
  GString *s = g_string_new("INVITE sip:b@y SIP/2.0\r\n");
  while (s->len < 600)
    g_string_append(s, "X-Filler: 0123456789\r\n");
  char *m2 = make_msg("BYE", 2, 0);
  uint32_t seq = ISN;

  seg_n(f, 0, 1, seq, 0, s->str, s->len);
  seq += (uint32_t)s->len;
  seg(f, 0, 2, seq, "\r\n");
  seq += 2;
  seg(f, 0, 3, seq, m2);
  assert_int_equal(f->recs->len, 2);
  assert_diag(f, 0, SIPFLOW_DIAG_SIP_TOO_LARGE, 1,
              "frame 1: no end of SIP headers within 500 bytes in TCP stream "
              "10.0.0.1:5060 -> 10.0.0.2:5060; message skipped");
  assert_chunk(f, 1, m2, 3);
  g_string_free(s, TRUE);
  g_free(m2);
  fx_free(f);
}

/* ------------------------------------------------------------ not SIP */

static void test_http_stream(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  GString *body = g_string_new(NULL);
  while (body->len < 6000)
    g_string_append(body, "<p>some page text, nothing SIP here</p>\r\n");
  char *resp = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
                               body->len, body->str);
  size_t n = strlen(resp);
  const char *req = "GET / HTTP/1.1\r\nHost: 10.0.0.2:5060\r\n\r\n";

  seg_n(f, 0, 1, ISN - 1, SF_TCP_SYN, "", 0);
  seg_n(f, 1, 2, 4999, SF_TCP_SYN, "", 0);
  seg(f, 0, 3, ISN, req);
  uint32_t seq = 5000;
  uint64_t frame = 4;
  for (size_t off = 0; off < n; off += 1400, frame++) {
    size_t len = MIN(1400, n - off);
    seg_n(f, 1, frame, seq, 0, resp + off, len);
    seq += (uint32_t)len;
  }
  /* Segments without a SYN on another connection: nothing either. */
  f->a.port = 40000;
  seg(f, 0, 100, 1, "GET /index.html HTTP/1.1\r\n");
  seg(f, 0, 101, 27, "Host: x\r\n\r\n");
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 0);
  assert_int_equal(f->sink.count, 0);
  g_string_free(body, TRUE);
  g_free(resp);
  fx_free(f);
}

/* A direction given up as not SIP is picked up again when a segment starts
 * with a SIP message. */
static void test_sip_after_non_sip(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  GString *junk = g_string_new(NULL);
  while (junk->len < 5000)
    g_string_append(junk, "lorem ipsum dolor sit amet\r\n");
  char *m = make_msg("OPTIONS", 1, 0);

  seg_n(f, 0, 1, ISN - 1, SF_TCP_SYN, "", 0);
  seg_n(f, 0, 1, ISN, 0, junk->str, junk->len);
  seg(f, 0, 2, ISN + (uint32_t)junk->len, "more junk\r\n");
  seg(f, 0, 3, ISN + (uint32_t)junk->len + 11, m);
  assert_int_equal(f->recs->len, 1);
  assert_chunk(f, 0, m, 3);
  g_string_free(junk, TRUE);
  g_free(m);
  fx_free(f);
}

/* ------------------------------------------------------------ sequence */

static void test_seq_wraparound(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 100), *m2 = make_resp(200, "OK", 1);
  char *all = g_strconcat(m1, m2, NULL);
  size_t n = strlen(all);
  uint32_t isn = 0xFFFFFFF0u;

  seg_n(f, 0, 1, isn, SF_TCP_SYN, "", 0);
  /* 15 bytes before the wrap, the rest after it; second half first. */
  seg_n(f, 0, 2, isn + 1 + 100, 0, all + 100, n - 100);
  seg_n(f, 0, 3, isn + 1, 0, all, 100);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 0, m1, 3);
  assert_chunk(f, 1, m2, 3);
  /* Retransmissions from both sides of the wrap. */
  seg_n(f, 0, 4, isn + 1, 0, all, n);
  seg_n(f, 0, 5, isn + 1 + 100, 0, all + 100, 10);
  assert_int_equal(f->recs->len, 2);
  g_free(m1), g_free(m2), g_free(all);
  fx_free(f);
}

static void test_syn_then_data(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m = make_msg("INVITE", 1, 0);
  size_t n = strlen(m);

  seg_n(f, 0, 1, 777, SF_TCP_SYN, "", 0);
  seg_n(f, 0, 2, 777, SF_TCP_SYN, "", 0); /* retransmitted SYN */
  /* The first data segment is lost; the second is held until the end. */
  seg_n(f, 0, 3, 778 + 50, 0, m + 50, n - 50);
  assert_int_equal(f->recs->len, 0);
  seg_n(f, 0, 4, 778, 0, m, 50);
  assert_int_equal(f->recs->len, 1);
  assert_chunk(f, 0, m, 4);
  assert_int_equal(sf_stream_segments(f->st), 2);
  g_free(m);
  fx_free(f);
}

static void test_both_directions(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *req = make_msg("INVITE", 1, 60), *resp = make_resp(200, "OK", 1);
  size_t lq = strlen(req), lp = strlen(resp);

  seg_n(f, 0, 1, 100, 0, req, 70);
  seg_n(f, 1, 2, 9000, 0, resp, 30);
  seg_n(f, 0, 3, 170, 0, req + 70, lq - 70);
  seg_n(f, 1, 4, 9030, 0, resp + 30, lp - 30);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 0, req, 3);
  assert_chunk(f, 1, resp, 4);
  assert_memory_equal(&rec_at(f, 0)->src, &f->a, sizeof f->a);
  assert_memory_equal(&rec_at(f, 1)->src, &f->b, sizeof f->b);
  assert_memory_equal(&rec_at(f, 1)->dst, &f->a, sizeof f->a);
  g_free(req), g_free(resp);
  fx_free(f);
}

static void test_byte_by_byte(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 45), *m2 = make_resp(180, "Ringing", 1);
  char *all = g_strconcat(m1, "\r\n\r\n", m2, NULL);
  size_t n = strlen(all), l1 = strlen(m1);

  for (size_t i = 0; i < n; i++)
    seg_n(f, 0, i + 1, ISN + (uint32_t)i, 0, all + i, 1);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 0, m1, l1);
  assert_chunk(f, 1, m2, n);
  assert_int_equal(sf_stream_segments(f->st), n);
  g_free(m1), g_free(m2), g_free(all);
  fx_free(f);
}

/* Two messages cut into two segments at every possible point. */
static void test_every_split_point(void **state)
{
  (void)state;
  char *m1 = make_msg("INVITE", 1, 20), *m2 = make_resp(200, "OK", 1);
  char *all = g_strconcat(m1, m2, NULL);
  size_t n = strlen(all), l1 = strlen(m1);

  for (size_t cut = 1; cut < n; cut++) {
    fx *f = fx_new(NULL);
    seg_n(f, 0, 1, ISN, 0, all, cut);
    seg_n(f, 0, 2, ISN + (uint32_t)cut, 0, all + cut, n - cut);
    assert_int_equal(f->recs->len, 2);
    assert_chunk(f, 0, m1, cut >= l1 ? 1 : 2);
    assert_chunk(f, 1, m2, 2);
    fx_free(f);
  }
  g_free(m1), g_free(m2), g_free(all);
}

/* ------------------------------------------------------------ limits */

static void test_stream_count_limit(void **state)
{
  (void)state;
  sipflow_limits lim = {.max_tcp_streams = 2};
  fx *f = fx_new(&lim);
  char *m = make_msg("INVITE", 1, 0);
  size_t n = strlen(m);

  for (int i = 0; i < 3; i++) {
    f->a.port = (uint16_t)(6000 + i);
    seg_n(f, 0, (uint64_t)i + 1, ISN, 0, m, 40);
  }
  assert_int_equal(f->recs->len, 1);
  assert_diag(f, 0, SIPFLOW_DIAG_TCP_LIMIT, 3,
              "frame 3: more than 2 TCP streams; dropped the least recently used, "
              "10.0.0.1:6000 -> 10.0.0.2:5060");
  for (int i = 0; i < 3; i++) {
    f->a.port = (uint16_t)(6000 + i);
    seg_n(f, 0, (uint64_t)i + 4, ISN + 40, 0, m + 40, n - 40);
  }
  assert_int_equal(f->recs->len, 3);
  assert_chunk(f, 1, m, 5);
  assert_int_equal(rec_at(f, 1)->src.port, 6001);
  assert_chunk(f, 2, m, 6);
  assert_int_equal(rec_at(f, 2)->src.port, 6002);
  g_free(m);
  fx_free(f);
}

static void test_expire(void **state)
{
  (void)state;
  sipflow_limits lim = {.tcp_idle_timeout_us = 10000};
  fx *f = fx_new(&lim);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("BYE", 2, 0);
  size_t l1 = strlen(m1);

  /* a -> b: an incomplete message; b -> a: a message after a hole. */
  seg_n(f, 0, 1, ISN, 0, m1, 100);
  seg_n(f, 1, 2, 4999, SF_TCP_SYN, "", 0);
  seg_n(f, 1, 3, 5000 + 30, 0, m2, strlen(m2));
  sf_stream_expire(f->st, time_of(3) + 5000);
  assert_int_equal(f->recs->len, 0);
  sf_stream_expire(f->st, time_of(3) + 9500);
  assert_int_equal(f->recs->len, 1);
  assert_diag(f, 0, SIPFLOW_DIAG_TCP_GAP, 1,
              "frame 1: incomplete SIP message (100 bytes) dropped at the end of TCP "
              "stream 10.0.0.1:5060 -> 10.0.0.2:5060");
  sf_stream_expire(f->st, time_of(3) + 20000);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 1, m2, 3); /* nothing SIP before the hole: no gap diag */
  /* The rest of m1 comes too late: its stream is gone, no message. */
  seg_n(f, 0, 4, ISN + 100, 0, m1 + 100, l1 - 100);
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 2);
  g_free(m1), g_free(m2);
  fx_free(f);
}

static void test_finish(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("ACK", 1, 0);
  char *s = g_strconcat(m1, "\r\n", NULL);

  seg(f, 0, 1, ISN, s);           /* complete, trailing keep-alive only */
  f->a.port = 6000;
  seg_n(f, 0, 2, ISN, 0, m2, 60); /* incomplete */
  assert_int_equal(f->recs->len, 1);
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 2);
  assert_chunk(f, 0, m1, 1);
  assert_diag(f, 1, SIPFLOW_DIAG_TCP_GAP, 2,
              "frame 2: incomplete SIP message (60 bytes) dropped at the end of TCP "
              "stream 10.0.0.1:6000 -> 10.0.0.2:5060");
  sf_stream_finish(f->st); /* twice is harmless */
  assert_int_equal(f->recs->len, 2);
  g_free(m1), g_free(m2), g_free(s);
  fx_free(f);
}

static void test_rst_closes_both_directions(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_resp(100, "Trying", 1);

  seg_n(f, 0, 1, ISN, 0, m1, 50);
  seg_n(f, 1, 2, 7000, 0, m2, 20);
  seg_n(f, 1, 3, 7020, SF_TCP_RST, "", 0);
  assert_int_equal(f->recs->len, 2);
  assert_diag(f, 0, SIPFLOW_DIAG_TCP_GAP, 3,
              "frame 3: incomplete SIP message (20 bytes) dropped at the end of TCP "
              "stream 10.0.0.2:5060 -> 10.0.0.1:5060");
  assert_diag(f, 1, SIPFLOW_DIAG_TCP_GAP, 3,
              "frame 3: incomplete SIP message (50 bytes) dropped at the end of TCP "
              "stream 10.0.0.1:5060 -> 10.0.0.2:5060");
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 2);
  g_free(m1), g_free(m2);
  fx_free(f);
}

/* ------------------------------------------------------------ UDP */

static void test_udp_datagrams(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m = make_msg("OPTIONS", 1, 0);
  char *with_crlf = g_strconcat("\r\n", m, NULL);
  const uint8_t rtp[] = {0x80, 0x00, 0x12, 0x34, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};
  const char *ssdp = "NOTIFY * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\n\r\n";
  /* A response without Content-Length: the datagram is the message. */
  const char *resp = "SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n";

  datagram(f, 1, with_crlf, strlen(with_crlf), false);
  datagram(f, 2, "\r\n\r\n", 4, false);
  datagram(f, 3, (const char *)rtp, sizeof rtp, false);
  datagram(f, 4, ssdp, strlen(ssdp), false);
  datagram(f, 5, "", 0, false);
  datagram(f, 6, resp, strlen(resp), true);
  datagram(f, 7, "INVITE sip:x SIP/2.0", 20, false); /* no line end */
  assert_int_equal(f->recs->len, 2);
  assert_int_equal(f->sink.count, 0);
  assert_chunk(f, 0, m, 1);
  assert_int_equal(rec_at(f, 0)->transport, SIPFLOW_TRANSPORT_UDP);
  assert_false(rec_at(f, 0)->truncated);
  assert_memory_equal(&rec_at(f, 0)->src, &f->a, sizeof f->a);
  assert_chunk(f, 1, resp, 6);
  assert_true(rec_at(f, 1)->truncated);
  assert_int_equal(sf_stream_segments(f->st), 0);
  g_free(m), g_free(with_crlf);
  fx_free(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_message_one_segment),
      cmocka_unit_test(test_two_messages_one_segment),
      cmocka_unit_test(test_one_message_three_segments),
      cmocka_unit_test(test_out_of_order_3_1_2),
      cmocka_unit_test(test_out_of_order_without_syn),
      cmocka_unit_test(test_retransmissions),
      cmocka_unit_test(test_retransmitted_held_segment),
      cmocka_unit_test(test_keepalives),
      cmocka_unit_test(test_junk_before_start_line),
      cmocka_unit_test(test_junk_run_between_messages),
      cmocka_unit_test(test_gap_resyncs_on_next_message),
      cmocka_unit_test(test_fin_with_hole),
      cmocka_unit_test(test_hole_timeout),
      cmocka_unit_test(test_late_retransmission_fills_hole),
      cmocka_unit_test(test_buffer_limit),
      cmocka_unit_test(test_tiny_segment_flood),
      cmocka_unit_test(test_truncated_segment),
      cmocka_unit_test(test_no_content_length),
      cmocka_unit_test(test_non_numeric_content_length),
      cmocka_unit_test(test_bad_content_length_then_next_segment),
      cmocka_unit_test(test_message_too_large),
      cmocka_unit_test(test_headers_without_end),
      cmocka_unit_test(test_http_stream),
      cmocka_unit_test(test_sip_after_non_sip),
      cmocka_unit_test(test_seq_wraparound),
      cmocka_unit_test(test_syn_then_data),
      cmocka_unit_test(test_both_directions),
      cmocka_unit_test(test_byte_by_byte),
      cmocka_unit_test(test_every_split_point),
      cmocka_unit_test(test_stream_count_limit),
      cmocka_unit_test(test_expire),
      cmocka_unit_test(test_finish),
      cmocka_unit_test(test_rst_closes_both_directions),
      cmocka_unit_test(test_udp_datagrams),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
