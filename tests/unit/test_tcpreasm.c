/*
 * Unit tests for libsipflow/tcpreasm.c: TCP bytes put back in sequence
 * order, retransmissions, holes lost by the capture (timeouts, limits,
 * truncated segments, the receiver's acknowledgments).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "streamrig.h"

/* ------------------------------------------------------ order and copies */

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

/* ------------------------------------------------------------ holes */

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

/* ------------------------------------------------------ acknowledgments */

/* How many gap diagnostics f recorded. */
static unsigned gaps(const fx *f)
{
  unsigned n = 0;
  for (guint i = 0; i < f->recs->len; i++)
    n += rec_at(f, i)->kind == 'd' && rec_at(f, i)->code == SIPFLOW_DIAG_TCP_GAP;
  return n;
}

/* Data held after a hole: once the receiver acknowledges past the hole,
 * the hole is declared at that acknowledgment (not a second later, not at
 * a limit), and what was held completes in the packets that brought it.
 * An acknowledgment that covers only part of the hole says nothing: the
 * rest may still come. */
static void test_ack_declares_hole(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("INFO", 2, 200);
  char *m3 = make_msg("BYE", 3, 0), *resp = make_resp(200, "OK", 3);
  size_t l1 = strlen(m1), l2 = strlen(m2), l3 = strlen(m3);
  uint32_t s2 = ISN + (uint32_t)l1, end = s2 + (uint32_t)(l2 + l3);
  char *tail = g_strconcat(m2 + 150, m3, NULL);

  seg_n(f, 0, 1, ISN - 1, SF_TCP_SYN, "", 0);
  seg_ack(f, 1, 2, 5000, SF_TCP_SYN, "", 0, true, ISN);
  seg(f, 0, 3, ISN, m1);
  seg_n(f, 0, 4, s2, 0, m2, 100);
  seg(f, 0, 5, s2 + 150, tail); /* m2[100..150) is never captured */
  seg_ack(f, 1, 6, 5001, 0, "", 0, true, s2 + 100);
  seg_ack(f, 1, 7, 5001, 0, "", 0, true, s2 + 149);
  assert_int_equal(f->recs->len, 1);
  /* the reply (its direction is followed) acknowledges everything */
  seg_ack(f, 1, 8, 5001, 0, resp, strlen(resp), true, end);
  assert_int_equal(f->recs->len, 4);
  assert_chunk(f, 0, m1, 3);
  assert_diag(f, 1, SIPFLOW_DIAG_TCP_GAP, 8,
              "frame 8: 50 bytes missing in TCP stream 10.0.0.1:5060 -> 10.0.0.2:5060 "
              "(acknowledged by the receiver, not in the capture)");
  assert_chunk(f, 2, m3, 5);
  assert_chunk(f, 3, resp, 8);
  sf_stream_finish(f->st);
  assert_int_equal(f->recs->len, 4);
  assert_int_equal(gaps(f), 1);
  g_free(m1), g_free(m2), g_free(m3), g_free(resp), g_free(tail);
  fx_free(f);
}

/* Bytes acknowledged before anything after them is seen (a whole message
 * lost): the segment after them is taken at once, where it would have been
 * held until the hole timed out. */
static void test_ack_before_next_segment(void **state)
{
  (void)state;
  fx *f = fx_new(NULL);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("ACK", 1, 0);
  char *m3 = make_msg("BYE", 2, 0);
  size_t l1 = strlen(m1), l2 = strlen(m2);
  uint32_t s3 = ISN + (uint32_t)(l1 + l2);

  seg(f, 0, 1, ISN, m1);
  seg_ack(f, 1, 2, 7000, 0, "", 0, true, s3); /* m2 got there; the capture lost it */
  assert_int_equal(f->recs->len, 1);
  seg(f, 0, 3, s3, m3);
  assert_int_equal(f->recs->len, 3);
  assert_chunk(f, 0, m1, 1);
  char *text = g_strdup_printf("frame 3: %zu bytes missing in TCP stream 10.0.0.1:5060 -> "
                               "10.0.0.2:5060 (acknowledged by the receiver, not in the "
                               "capture)", l2);
  assert_diag(f, 1, SIPFLOW_DIAG_TCP_GAP, 3, text);
  assert_chunk(f, 2, m3, 3);
  assert_int_equal(gaps(f), 1);
  g_free(m1), g_free(m2), g_free(m3), g_free(text);
  fx_free(f);
}

/* Acknowledgments that prove nothing: without the ACK flag, behind what
 * was delivered, or further ahead than could ever be held (a bogus
 * field).  The hole then waits, and a retransmission fills it. */
static void test_ack_not_believed(void **state)
{
  (void)state;
  sipflow_limits lim = {.max_tcp_buffer = 4096};
  fx *f = fx_new(&lim);
  char *m1 = make_msg("INVITE", 1, 0), *m2 = make_msg("ACK", 1, 0);
  char *m3 = make_msg("BYE", 2, 0);
  size_t l1 = strlen(m1), l2 = strlen(m2), l3 = strlen(m3);
  uint32_t s2 = ISN + (uint32_t)l1, s3 = s2 + (uint32_t)l2;

  seg(f, 0, 1, ISN, m1);
  seg(f, 0, 2, s3, m3);                                      /* held: m2 not yet seen */
  seg_ack(f, 1, 3, 7000, 0, "", 0, false, s3 + (uint32_t)l3); /* no ACK flag */
  seg_ack(f, 1, 4, 7000, 0, "", 0, true, ISN);                /* behind */
  seg_ack(f, 1, 5, 7000, 0, "", 0, true, s2 + 4097);          /* beyond the buffer */
  assert_int_equal(f->recs->len, 1);
  seg(f, 0, 6, s2, m2); /* the retransmission */
  assert_int_equal(f->recs->len, 3);
  assert_chunk(f, 0, m1, 1);
  assert_chunk(f, 1, m2, 6);
  assert_chunk(f, 2, m3, 6);
  assert_int_equal(gaps(f), 0);
  g_free(m1), g_free(m2), g_free(m3);
  fx_free(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_out_of_order_3_1_2),
      cmocka_unit_test(test_out_of_order_without_syn),
      cmocka_unit_test(test_retransmissions),
      cmocka_unit_test(test_retransmitted_held_segment),
      cmocka_unit_test(test_seq_wraparound),
      cmocka_unit_test(test_gap_resyncs_on_next_message),
      cmocka_unit_test(test_fin_with_hole),
      cmocka_unit_test(test_hole_timeout),
      cmocka_unit_test(test_late_retransmission_fills_hole),
      cmocka_unit_test(test_buffer_limit),
      cmocka_unit_test(test_tiny_segment_flood),
      cmocka_unit_test(test_truncated_segment),
      cmocka_unit_test(test_ack_declares_hole),
      cmocka_unit_test(test_ack_before_next_segment),
      cmocka_unit_test(test_ack_not_believed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
