/*
 * Unit tests for ipfrag.c: IPv4 and IPv6 fragments through the decode
 * stage (and ipfrag on its own), hand-built in memory.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "decoderig.h"

/* ----------------------------------------------------------- reassembly */

/* Feeds the fragments in the given order with frames 1, 2, ... and checks
 * the datagram comes out once, on the last frame, with the exact bytes. */
static void check_reassembly(collector *c, const unsigned *order, size_t n_order)
{
  GByteArray *dgram = big_udp(3000);
  GPtrArray *frags = fragments4(dgram, 1480, 0x77);
  assert_int_equal(frags->len, n_order);

  for (size_t i = 0; i < n_order; i++) {
    assert_int_equal(feed(c, 228, i + 1, g_ptr_array_index(frags, order[i])), SIPFLOW_OK);
    assert_int_equal(c->l4s->len, i + 1 == n_order ? 1 : 0);
  }
  assert_int_equal(c->texts->len, 0);
  got *g = nth(c, 0);
  assert_int_equal(g->l4.frame, n_order);
  assert_int_equal(g->l4.time_us, (int64_t)n_order * 1000);
  assert_int_equal(g->l4.len, 3000);
  assert_memory_equal(g->bytes, dgram->data + 8, 3000);
  assert_endpoint(&g->l4.src, "10.0.0.1:5060");
  assert_int_equal(sf_decode_fragments_reassembled(c->dec), 1);
  for (guint i = 0; i < frags->len; i++)
    g_byte_array_free(g_ptr_array_index(frags, i), TRUE);
  g_ptr_array_free(frags, TRUE);
  g_byte_array_free(dgram, TRUE);
}

static void test_fragments_in_order(void **state)
{
  static const unsigned order[] = {0, 1, 2};
  check_reassembly(*state, order, 3);
}

static void test_fragments_reversed(void **state)
{
  static const unsigned order[] = {2, 1, 0};
  check_reassembly(*state, order, 3);
}

static void test_fragments_shuffled(void **state)
{
  static const unsigned order[] = {1, 2, 0};
  check_reassembly(*state, order, 3);
}

static void test_fragments_overlap(void **state)
{
  collector *c = *state;
  GByteArray *dgram = big_udp(40); /* 48 bytes */
  GByteArray *a = bytes(dgram->data, 32), *z = bytes(dgram->data + 16, 32);
  /* second fragment repeats bytes 16..31 with different contents: first
   * wins, and the conflict is reported (hostile input, issue 6) */
  memset(z->data, 0xff, 16);
  push_ipv4_frag(a, 17, "10.0.0.1", "10.0.0.2", 9, 0x2000, 0);
  push_ipv4_frag(z, 17, "10.0.0.1", "10.0.0.2", 9, 16 / 8, 0);
  feed_free(c, 228, 1, a);
  feed_free(c, 228, 2, z);
  assert_int_equal(c->texts->len, 1);
  assert_string_equal(diag_text(c, 0), "frame 2: fragment of IPv4 datagram 10.0.0.1 -> 10.0.0.2 "
                                  "id 0x9 overlaps bytes 16-47 already received with "
                                  "different data; the first data is kept");
  assert_int_equal(c->l4s->len, 1);
  assert_int_equal(nth(c, 0)->l4.len, 40);
  assert_memory_equal(nth(c, 0)->bytes, dgram->data + 8, 40);
  collector_reset(c);

  /* a fragment inside another, in the other order: the later one fills only
   * the holes around the earlier */
  GByteArray *mid = bytes(dgram->data + 8, 8), *all = bytes(dgram->data, 48);
  memset(mid->data, 0xab, 8);
  push_ipv4_frag(mid, 17, "10.0.0.1", "10.0.0.2", 10, 0x2000 | 1, 0);
  push_ipv4_frag(all, 17, "10.0.0.1", "10.0.0.2", 10, 0, 0);
  /* a fragment without More Fragments at offset 0 is not a fragment: make
   * the whole one a fragment by hand with a zero-length tail */
  all->data[6] = 0x20;
  GByteArray *tail = payload("");
  push_ipv4_frag(tail, 17, "10.0.0.1", "10.0.0.2", 10, 48 / 8, 0);
  feed_free(c, 228, 1, mid);
  feed_free(c, 228, 2, all);
  assert_int_equal(c->l4s->len, 0);
  feed_free(c, 228, 3, tail);
  assert_int_equal(c->texts->len, 1);
  assert_string_equal(diag_text(c, 0), "frame 2: fragment of IPv4 datagram 10.0.0.1 -> 10.0.0.2 "
                                  "id 0xa overlaps bytes 0-47 already received with "
                                  "different data; the first data is kept");
  assert_int_equal(c->l4s->len, 1);
  assert_int_equal(nth(c, 0)->l4.frame, 3);
  uint8_t want[40];
  memcpy(want, dgram->data + 8, 40);
  memset(want, 0xab, 8); /* UDP data bytes 0..7 = datagram bytes 8..15 */
  assert_memory_equal(nth(c, 0)->bytes, want, 40);
  g_byte_array_free(dgram, TRUE);
}

static void test_fragments_ipv6(void **state)
{
  collector *c = *state;
  GByteArray *dgram = big_udp(2000);
  size_t cut = 1232;
  GByteArray *f1 = bytes(dgram->data, cut), *f2 = bytes(dgram->data + cut, dgram->len - cut);
  uint8_t fh1[8] = {17, 0, 0, 1, 0xca, 0xfe, 0, 1}; /* offset 0, M */
  uint8_t fh2[8] = {17, 0, 0, 0, 0xca, 0xfe, 0, 1};
  put16(fh2 + 2, (unsigned)cut); /* offset 1232 = 154 * 8, M = 0 */
  push(f1, fh1, 8);
  push_ipv6(f1, 44, "2001:db8::1", "2001:db8::2");
  push(f2, fh2, 8);
  push_ext(f2, 44, 0); /* hop-by-hop before the fragment header */
  push_ipv6(f2, 0, "2001:db8::1", "2001:db8::2");
  feed_free(c, 229, 5, f2);
  assert_int_equal(c->l4s->len, 0);
  feed_free(c, 229, 6, f1);
  assert_int_equal(c->texts->len, 0);
  assert_int_equal(c->l4s->len, 1);
  got *g = nth(c, 0);
  assert_int_equal(g->l4.frame, 6);
  assert_endpoint(&g->l4.src, "[2001:db8::1]:5060");
  assert_int_equal(g->l4.len, 2000);
  assert_memory_equal(g->bytes, dgram->data + 8, 2000);
  g_byte_array_free(dgram, TRUE);
}

static void test_fragment_expiry(void **state)
{
  collector *c = *state;
  GByteArray *dgram = big_udp(3000);
  GPtrArray *frags = fragments4(dgram, 1480, 0x1c46);

  /* frame 1 at t = 1 ms; 30 s later it is not yet expired, after it is */
  assert_int_equal(feed(c, 228, 1, g_ptr_array_index(frags, 0)), SIPFLOW_OK);
  sf_decode_expire(c->dec, 1000 + 30 * G_USEC_PER_SEC);
  assert_int_equal(c->texts->len, 0);
  sf_decode_expire(c->dec, 1001 + 30 * G_USEC_PER_SEC);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_FRAGMENT_EXPIRED);
  assert_int_equal(g_array_index(c->frames, uint64_t, 0), 1);
  assert_string_equal(diag_text(c, 0), "frame 1: incomplete IPv4 datagram 10.0.0.1 -> "
                                       "10.0.0.2 id 0x1c46 dropped after 30 s (1480 bytes "
                                       "received)");
  /* the rest no longer completes anything */
  assert_int_equal(feed(c, 228, 2, g_ptr_array_index(frags, 1)), SIPFLOW_OK);
  assert_int_equal(feed(c, 228, 3, g_ptr_array_index(frags, 2)), SIPFLOW_OK);
  assert_int_equal(c->l4s->len, 0);
  /* end of capture drops what is left */
  sf_decode_expire(c->dec, INT64_MAX);
  assert_int_equal(c->texts->len, 2);
  assert_string_equal(diag_text(c, 1), "frame 2: incomplete IPv4 datagram 10.0.0.1 -> "
                                       "10.0.0.2 id 0x1c46 dropped at end of capture "
                                       "(1528 bytes received)");
  for (guint i = 0; i < frags->len; i++)
    g_byte_array_free(g_ptr_array_index(frags, i), TRUE);
  g_ptr_array_free(frags, TRUE);
  g_byte_array_free(dgram, TRUE);
}

static void test_fragment_limit(void **state)
{
  sipflow_limits limits = {.max_fragment_bytes = 4000};
  collector *c = collector_new(&limits);
  GByteArray *dgram = big_udp(3000);
  GPtrArray *a = fragments4(dgram, 1480, 1), *b = fragments4(dgram, 1480, 2);

  /* set 1 holds 2960 bytes; set 2's first fragment needs 1480 more: set 1,
   * the oldest, is dropped */
  assert_int_equal(feed(c, 228, 1, g_ptr_array_index(a, 1)), SIPFLOW_OK);
  assert_int_equal(feed(c, 228, 2, g_ptr_array_index(b, 0)), SIPFLOW_OK);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_FRAGMENT_LIMIT);
  assert_string_equal(diag_text(c, 0),
                      "frame 2: IP fragment memory limit (4000 bytes) reached, incomplete "
                      "IPv4 datagram 10.0.0.1 -> 10.0.0.2 id 0x1 (first fragment in frame "
                      "1) dropped");
  assert_int_equal(feed(c, 228, 3, g_ptr_array_index(b, 2)), SIPFLOW_OK);
  assert_int_equal(feed(c, 228, 4, g_ptr_array_index(b, 1)), SIPFLOW_OK);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(c->l4s->len, 1);
  assert_int_equal(nth(c, 0)->l4.frame, 4);
  assert_memory_equal(nth(c, 0)->bytes, dgram->data + 8, 3000);
  assert_int_equal(sf_decode_fragments_reassembled(c->dec), 1);
  collector_reset(c);

  /* a datagram bigger than the limit on its own never fits */
  GByteArray *huge = big_udp(5000);
  GPtrArray *h = fragments4(huge, 1480, 3);
  for (guint i = 0; i < h->len; i++)
    assert_int_equal(feed(c, 228, 10 + i, g_ptr_array_index(h, i)), SIPFLOW_OK);
  assert_int_equal(c->l4s->len, 0);
  assert_true(c->texts->len >= 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_FRAGMENT_LIMIT);
  collector_reset(c);

  /* a fragment ending past 65535 bytes */
  GByteArray *far = payload("12345678");
  push_ipv4_frag(far, 17, "10.0.0.1", "10.0.0.2", 4, 0x1fff, 0);
  feed_free(c, 228, 20, far);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_FRAGMENT_LIMIT);
  assert_string_equal(diag_text(c, 0),
                      "frame 20: fragment of IPv4 datagram 10.0.0.1 -> 10.0.0.2 id 0x4 ends "
                      "at byte 65536, beyond the 65535-byte maximum; datagram dropped");

  GPtrArray *all[] = {a, b, h};
  for (size_t k = 0; k < G_N_ELEMENTS(all); k++) {
    for (guint i = 0; i < all[k]->len; i++)
      g_byte_array_free(g_ptr_array_index(all[k], i), TRUE);
    g_ptr_array_free(all[k], TRUE);
  }
  g_byte_array_free(dgram, TRUE);
  g_byte_array_free(huge, TRUE);
  collector_free(c);
}

static void test_fragments_disagree(void **state)
{
  collector *c = *state;
  GByteArray *f1 = payload("0123456789abcdef"), *f2 = payload("0123456789abcdef");
  push_ipv4_frag(f1, 17, "10.0.0.1", "10.0.0.2", 5, 2, 0);      /* last, ends at 32 */
  push_ipv4_frag(f2, 17, "10.0.0.1", "10.0.0.2", 5, 0x2000 | 4, 0); /* data up to 48 */
  feed_free(c, 228, 1, f1);
  feed_free(c, 228, 2, f2);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_BAD_IP);
  assert_string_equal(diag_text(c, 0), "frame 2: fragments of IPv4 datagram 10.0.0.1 -> "
                                       "10.0.0.2 id 0x5 disagree on its length; dropped");
}

static void test_fragment_cut_by_snaplen(void **state)
{
  collector *c = *state;
  GByteArray *dgram = big_udp(3000);
  GPtrArray *frags = fragments4(dgram, 1480, 8);
  GByteArray *mid = g_ptr_array_index(frags, 1);

  assert_int_equal(feed(c, 228, 1, g_ptr_array_index(frags, 0)), SIPFLOW_OK);
  assert_int_equal(sf_decode_packet(c->dec, 228, 2, 2000, mid->data, 200, mid->len),
                   SIPFLOW_OK);
  assert_int_equal(feed(c, 228, 3, g_ptr_array_index(frags, 2)), SIPFLOW_OK);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 2);
  assert_string_equal(diag_text(c, 0), "frame 2: only 200 of 1500 bytes captured (snaplen)");
  assert_int_equal(diag_code(c, 1), SIPFLOW_DIAG_TRUNCATED_PACKET);
  assert_string_equal(diag_text(c, 1), "frame 3: reassembled IPv4 datagram 10.0.0.1 -> "
                                       "10.0.0.2 id 0x8 dropped: some of its fragments were "
                                       "cut by the snaplen");
  for (guint i = 0; i < frags->len; i++)
    g_byte_array_free(g_ptr_array_index(frags, i), TRUE);
  g_ptr_array_free(frags, TRUE);
  g_byte_array_free(dgram, TRUE);
}

/* ipfrag on its own: the memory it says it holds goes back to 0. */
static void test_ipfrag_accounting(void **state)
{
  collector *c = *state;
  sf_ipfrag *fr = sf_ipfrag_new(1 << 20, G_USEC_PER_SEC, &c->sink);
  uint8_t data[64];
  sf_ipfrag_key k1 = {.family = 4, .proto = 17, .id = 1}, k2 = k1;
  sf_ipfrag_datagram dg = {0};

  memset(data, 0x5a, sizeof data);
  k2.id = 2;
  sf_ipfrag_piece first = {.frame = 1, .offset = 0, .len = 64, .data = data, .avail = 64,
                           .more = true, .next_proto = 17};
  sf_ipfrag_piece last = {.frame = 2, .offset = 64, .len = 16, .data = data, .avail = 16,
                          .more = false, .next_proto = 6};
  assert_false(sf_ipfrag_add(fr, &k1, &first, &dg));
  assert_false(sf_ipfrag_add(fr, &k2, &first, &dg));
  assert_int_equal(sf_ipfrag_pending_sets(fr), 2);
  size_t two = sf_ipfrag_pending_bytes(fr);
  assert_true(two >= 2 * 64);
  assert_true(sf_ipfrag_add(fr, &k1, &last, &dg));
  assert_int_equal(dg.len, 80);
  assert_int_equal(dg.proto, 17); /* from the offset-0 fragment */
  assert_int_equal(dg.data[79], 0x5a);
  g_free(dg.data);
  assert_int_equal(sf_ipfrag_pending_sets(fr), 1);
  assert_int_equal(sf_ipfrag_pending_bytes(fr), two / 2);
  assert_int_equal(sf_ipfrag_reassembled(fr), 1);
  sf_ipfrag_expire(fr, INT64_MAX);
  assert_int_equal(sf_ipfrag_pending_sets(fr), 0);
  assert_int_equal(sf_ipfrag_pending_bytes(fr), 0);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_FRAGMENT_EXPIRED);
  sf_ipfrag_free(fr);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
      T(test_fragments_in_order),
      T(test_fragments_reversed),
      T(test_fragments_shuffled),
      T(test_fragments_overlap),
      T(test_fragments_ipv6),
      T(test_fragment_expiry),
      cmocka_unit_test(test_fragment_limit),
      T(test_fragments_disagree),
      T(test_fragment_cut_by_snaplen),
      T(test_ipfrag_accounting),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
