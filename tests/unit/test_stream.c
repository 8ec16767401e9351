/*
 * Unit tests for libsipflow/stream.c and tcpframe.c: UDP datagrams, TCP
 * directions and the framing of their bytes (sequence order, holes and
 * acknowledgments: test_tcpreasm.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The chunks and diagnostics the stage emits are recorded, in order, and
 * compared byte for byte.
 */
#include "streamrig.h"

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

/* Three messages cut into three segments at every pair of points: the end
 * of each header block (CRLF CRLF, bare LF LF after a folded line) found
 * whatever segment brings it, once the start line is whole or not. */
static void test_every_pair_of_split_points(void **state)
{
  (void)state;
  char *m1 = make_msg("INVITE", 1, 50), *m3 = make_resp(180, "Ringing", 1);
  const char *m2 = "SIP/2.0 100 Trying\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\n"
                   "Call-ID: call-1@10.0.0.1\nCSeq: 1\n INVITE\nl: 3\n\nabc";
  char *all = g_strconcat(m1, m2, m3, NULL);
  size_t n = strlen(all), e1 = strlen(m1), e2 = e1 + strlen(m2);

  for (size_t a = 1; a < n; a++)
    for (size_t b = a + 1; b < n; b++) {
      fx *f = fx_new(NULL);
      seg_n(f, 0, 1, ISN, 0, all, a);
      seg_n(f, 0, 2, ISN + (uint32_t)a, 0, all + a, b - a);
      seg_n(f, 0, 3, ISN + (uint32_t)b, 0, all + b, n - b);
      assert_int_equal(f->recs->len, 3);
      assert_chunk(f, 0, m1, e1 <= a ? 1 : e1 <= b ? 2 : 3);
      assert_chunk(f, 1, m2, e2 <= a ? 1 : e2 <= b ? 2 : 3);
      assert_chunk(f, 2, m3, 3);
      fx_free(f);
    }
  g_free(m1), g_free(m3), g_free(all);
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
      cmocka_unit_test(test_keepalives),
      cmocka_unit_test(test_junk_before_start_line),
      cmocka_unit_test(test_junk_run_between_messages),
      cmocka_unit_test(test_no_content_length),
      cmocka_unit_test(test_non_numeric_content_length),
      cmocka_unit_test(test_bad_content_length_then_next_segment),
      cmocka_unit_test(test_message_too_large),
      cmocka_unit_test(test_headers_without_end),
      cmocka_unit_test(test_http_stream),
      cmocka_unit_test(test_sip_after_non_sip),
      cmocka_unit_test(test_syn_then_data),
      cmocka_unit_test(test_both_directions),
      cmocka_unit_test(test_byte_by_byte),
      cmocka_unit_test(test_every_split_point),
      cmocka_unit_test(test_every_pair_of_split_points),
      cmocka_unit_test(test_stream_count_limit),
      cmocka_unit_test(test_expire),
      cmocka_unit_test(test_finish),
      cmocka_unit_test(test_rst_closes_both_directions),
      cmocka_unit_test(test_udp_datagrams),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
