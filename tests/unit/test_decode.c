/*
 * Unit tests for decode.c: hand-built frames in memory (IP fragments:
 * test_ipfrag.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "decoderig.h"

/* --------------------------------------------------------- link layers */

static void test_ethernet_udp(void **state)
{
  collector *c = *state;
  GByteArray *b = udp4(SIP);
  push_eth(b, 0x0800);
  feed_free(c, 1, 42, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  assert_int_equal(nth(c, 0)->l4.frame, 42);
  assert_int_equal(nth(c, 0)->l4.time_us, 42000);
}

static void test_ethernet_padding_trimmed(void **state)
{
  collector *c = *state;
  GByteArray *b = udp4("hi");
  push_eth(b, 0x0800);
  uint8_t pad[20] = {0xee};
  g_byte_array_append(b, pad, sizeof pad);
  feed_free(c, 1, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, "hi");
}

static void test_vlan_qinq(void **state)
{
  collector *c = *state;
  GByteArray *b = udp4(SIP);
  push_tag(b, 20, 0x0800);
  push_tag(b, 10, 0x8100);
  push_tag(b, 5, 0x9100);
  push_eth(b, 0x88a8);
  feed_free(c, 1, 3, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
}

static void test_mpls(void **state)
{
  collector *c = *state;
  uint8_t top[4] = {0, 0x10, 0x00, 64}, bottom[4] = {0, 0x20, 0x01, 64};

  GByteArray *b = udp4(SIP);
  push(b, bottom, 4);
  push(b, top, 4);
  push_eth(b, 0x8847);
  feed_free(c, 1, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  b = udp6(SIP);
  push(b, bottom, 4);
  push_eth(b, 0x8848);
  feed_free(c, 1, 2, b);
  assert_one(c, "[2001:db8::1]:5060", "[2001:db8::2]:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  /* pseudowire: control word then a whole Ethernet frame */
  uint8_t cw[4] = {0};
  b = udp4(SIP);
  push_eth(b, 0x0800);
  push(b, cw, 4);
  push(b, bottom, 4);
  push_eth(b, 0x8847);
  feed_free(c, 1, 3, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  /* no bottom-of-stack before the end: malformed */
  b = bytes(top, 4);
  g_byte_array_append(b, top, 4);
  push_eth(b, 0x8847);
  feed_free(c, 1, 4, b);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_BAD_LINK);
  assert_string_equal(diag_text(c, 0), "frame 4: MPLS label stack needs 4 bytes, only 0 present");
}

static void test_pppoe(void **state)
{
  collector *c = *state;
  uint8_t h[8] = {0x11, 0, 0, 1, 0, 0, 0x00, 0x21};
  GByteArray *b = udp4(SIP);
  put16(h + 4, b->len + 2);
  push(b, h, 8);
  push_eth(b, 0x8864);
  feed_free(c, 1, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
}

static void test_sll(void **state)
{
  collector *c = *state;
  uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
  GByteArray *b = udp4(SIP);
  push(b, sll, 16);
  feed_free(c, 113, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  /* a VLAN tag left in place by the kernel */
  b = udp4(SIP);
  push_tag(b, 7, 0x0800);
  sll[14] = 0x81;
  push(b, sll, 16);
  feed_free(c, 113, 2, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
}

static void test_sll2(void **state)
{
  collector *c = *state;
  uint8_t sll2[20] = {0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0};
  GByteArray *b = udp6(SIP);
  push(b, sll2, 20);
  feed_free(c, 276, 1, b);
  assert_one(c, "[2001:db8::1]:5060", "[2001:db8::2]:5062", SF_IPPROTO_UDP, SIP);
}

static void test_raw(void **state)
{
  collector *c = *state;
  static const int v4_types[] = {12, 14, 101, 228};
  static const int v6_types[] = {12, 14, 101, 229};

  for (size_t i = 0; i < G_N_ELEMENTS(v4_types); i++) {
    feed_free(c, v4_types[i], 1, udp4(SIP));
    assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
    collector_reset(c);
  }
  for (size_t i = 0; i < G_N_ELEMENTS(v6_types); i++) {
    feed_free(c, v6_types[i], 1, udp6(SIP));
    assert_one(c, "[2001:db8::1]:5060", "[2001:db8::2]:5062", SF_IPPROTO_UDP, SIP);
    collector_reset(c);
  }
  /* LINKTYPE_IPV4 with an IPv6 packet is a bad header */
  feed_free(c, 228, 9, udp6(SIP));
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_BAD_IP);
  assert_string_equal(diag_text(c, 0), "frame 9: IPv4 header with version 6");
  collector_reset(c);

  uint8_t junk[24] = {0x50};
  feed_free(c, 101, 10, bytes(junk, sizeof junk));
  assert_int_equal(c->l4s->len, 0);
  assert_string_equal(diag_text(c, 0), "frame 10: IP version 5 is neither 4 nor 6");
}

static void test_null_and_loop(void **state)
{
  collector *c = *state;
  uint8_t le_inet[4] = {2, 0, 0, 0}, be_inet[4] = {0, 0, 0, 2};
  uint8_t le_inet6_darwin[4] = {30, 0, 0, 0}, be_inet6_fbsd[4] = {0, 0, 0, 28};
  uint8_t be_inet6_nbsd[4] = {0, 0, 0, 24};

  GByteArray *b = udp4(SIP);
  push(b, le_inet, 4);
  feed_free(c, 0, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  b = udp4(SIP);
  push(b, be_inet, 4);
  feed_free(c, 0, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  const uint8_t *v6[] = {le_inet6_darwin, be_inet6_fbsd, be_inet6_nbsd};
  for (size_t i = 0; i < G_N_ELEMENTS(v6); i++) {
    b = udp6(SIP);
    push(b, v6[i], 4);
    feed_free(c, 0, 1, b);
    assert_one(c, "[2001:db8::1]:5060", "[2001:db8::2]:5062", SF_IPPROTO_UDP, SIP);
    collector_reset(c);
  }

  /* DLT_LOOP: network byte order only */
  b = udp4(SIP);
  push(b, be_inet, 4);
  feed_free(c, 108, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  b = udp4(SIP);
  push(b, le_inet, 4);
  feed_free(c, 108, 5, b);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_BAD_LINK);
  assert_string_equal(diag_text(c, 0),
                      "frame 5: loopback header with unknown address family 0x02000000");
}

static void test_unsupported_linktype(void **state)
{
  collector *c = *state;
  GByteArray *b = udp4(SIP);
  assert_int_equal(feed(c, 105, 1, b), SIPFLOW_ERR_LINKTYPE); /* 802.11 */
  assert_int_equal(feed(c, 147, 1, b), SIPFLOW_ERR_LINKTYPE);
  g_byte_array_free(b, TRUE);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 0);

  static const int yes[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
  for (size_t i = 0; i < G_N_ELEMENTS(yes); i++)
    assert_true(sf_decode_linktype_supported(yes[i]));
  assert_false(sf_decode_linktype_supported(-1));
  assert_false(sf_decode_linktype_supported(9));
}

/* ------------------------------------------------------ IP and transport */

static void test_tcp(void **state)
{
  collector *c = *state;
  GByteArray *b = payload(SIP);
  push_tcp(b, 40000, 5060, 0xdeadbeef, SF_TCP_FIN | 0x08 /* PSH */, 3);
  push_ipv4(b, 6, "192.0.2.1", "192.0.2.2");
  push_eth(b, 0x0800);
  feed_free(c, 1, 1, b);
  assert_one(c, "192.0.2.1:40000", "192.0.2.2:5060", SF_IPPROTO_TCP, SIP);
  assert_int_equal(nth(c, 0)->l4.tcp_seq, 0xdeadbeef);
  assert_int_equal(nth(c, 0)->l4.tcp_flags, SF_TCP_FIN);
  assert_true(nth(c, 0)->l4.tcp_has_ack);
  assert_int_equal(nth(c, 0)->l4.tcp_ack, 0x21524110);
  collector_reset(c);

  b = payload("");
  push_tcp(b, 40000, 5060, 7, SF_TCP_SYN, 0);
  b->data[13] &= (uint8_t)~0x10; /* a first SYN: no ACK */
  push_ipv6(b, 6, "2001:db8::1", "2001:db8::2");
  feed_free(c, 229, 2, b);
  assert_one(c, "[2001:db8::1]:40000", "[2001:db8::2]:5060", SF_IPPROTO_TCP, "");
  assert_int_equal(nth(c, 0)->l4.tcp_flags, SF_TCP_SYN);
  assert_int_equal(nth(c, 0)->l4.tcp_seq, 7);
  assert_false(nth(c, 0)->l4.tcp_has_ack);
}

static void test_ipv4_options_and_tso(void **state)
{
  collector *c = *state;
  GByteArray *b = payload(SIP);
  push_udp(b, 5060, 5060);
  push_ipv4_frag(b, 17, "10.1.1.1", "10.2.2.2", 1, 0, 3);
  feed_free(c, 228, 1, b);
  assert_one(c, "10.1.1.1:5060", "10.2.2.2:5060", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  /* total length 0: segmentation offload, the length is what was captured */
  b = payload(SIP);
  push_tcp(b, 1, 2, 0, 0, 0);
  push_ipv4(b, 6, "10.1.1.1", "10.2.2.2");
  b->data[2] = b->data[3] = 0;
  feed_free(c, 228, 1, b);
  assert_one(c, "10.1.1.1:1", "10.2.2.2:2", SF_IPPROTO_TCP, SIP);
}

static void test_udp_length_trims(void **state)
{
  collector *c = *state;
  GByteArray *b = payload("abcdef");
  push_udp(b, 1, 2);
  b->data[5] = 8 + 3; /* UDP says 3 bytes of data */
  push_ipv4(b, 17, "10.0.0.1", "10.0.0.2");
  feed_free(c, 228, 1, b);
  assert_one(c, "10.0.0.1:1", "10.0.0.2:2", SF_IPPROTO_UDP, "abc");
}

static void test_ipv6_extension_headers(void **state)
{
  collector *c = *state;
  GByteArray *b = udp6(SIP);
  /* udp6 already put an IPv6 header: rebuild with a chain instead */
  g_byte_array_remove_range(b, 0, 40);
  uint8_t ah[16] = {17, 2}; /* AH: (2 + 2) * 4 = 16 bytes */
  push(b, ah, 16);
  push_ext(b, 51, 0);  /* destination options -> AH */
  push_ext(b, 60, 1);  /* routing (16 bytes) -> destination options */
  uint8_t atomic[8] = {43, 0, 0, 0, 0, 0, 0, 9}; /* RFC 6946 atomic fragment */
  push(b, atomic, 8);
  push_ext(b, 44, 0);  /* hop-by-hop -> fragment */
  push_ipv6(b, 0, "2001:db8::1", "2001:db8::2");
  feed_free(c, 229, 1, b);
  assert_one(c, "[2001:db8::1]:5060", "[2001:db8::2]:5062", SF_IPPROTO_UDP, SIP);
  assert_int_equal(sf_decode_fragments_reassembled(c->dec), 0);
  collector_reset(c);

  /* ESP and No Next Header end the chain silently */
  b = payload("opaque");
  push_ipv6(b, 50, "2001:db8::1", "2001:db8::2");
  feed_free(c, 229, 1, b);
  b = payload("");
  push_ipv6(b, 59, "2001:db8::1", "2001:db8::2");
  feed_free(c, 229, 2, b);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 0);
}

static void test_tunnels(void **state)
{
  collector *c = *state;

  GByteArray *b = udp4(SIP); /* IP-in-IP */
  push_ipv4(b, 4, "198.51.100.1", "198.51.100.2");
  push_eth(b, 0x0800);
  feed_free(c, 1, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  b = udp6(SIP); /* 6in4 */
  push_ipv4(b, 41, "198.51.100.1", "198.51.100.2");
  feed_free(c, 228, 1, b);
  assert_one(c, "[2001:db8::1]:5060", "[2001:db8::2]:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  b = udp6(SIP); /* IPv6-in-IPv6 */
  push_ipv6(b, 41, "2001:db8:ffff::1", "2001:db8:ffff::2");
  feed_free(c, 229, 1, b);
  assert_one(c, "[2001:db8::1]:5060", "[2001:db8::2]:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  b = udp4(SIP); /* IPv4 in IPv6 */
  push_ipv6(b, 4, "2001:db8:ffff::1", "2001:db8:ffff::2");
  feed_free(c, 229, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
}

static void test_gre(void **state)
{
  collector *c = *state;

  /* checksum + key + sequence (RFC 2784, RFC 2890) carrying IPv4 */
  uint8_t gre_cks[16] = {0xb0, 0x00, 0x08, 0x00, 0xaa, 0xbb, 0, 0, 0, 0, 0, 42, 0, 0, 0, 7};
  GByteArray *b = udp4(SIP);
  push(b, gre_cks, sizeof gre_cks);
  push_ipv4(b, 47, "198.51.100.1", "198.51.100.2");
  push_eth(b, 0x0800);
  feed_free(c, 1, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  /* key only, transparent Ethernet bridging, VLAN inside */
  uint8_t gre_teb[8] = {0x20, 0x00, 0x65, 0x58, 0, 0, 0, 1};
  b = udp6(SIP);
  push_tag(b, 3, 0x86dd);
  push_eth(b, 0x8100);
  push(b, gre_teb, sizeof gre_teb);
  push_ipv4(b, 47, "198.51.100.1", "198.51.100.2");
  feed_free(c, 228, 1, b);
  assert_one(c, "[2001:db8::1]:5060", "[2001:db8::2]:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  /* ERSPAN type II: GRE with sequence, 8-byte ERSPAN header, Ethernet */
  uint8_t gre_erspan[8] = {0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 5};
  uint8_t erspan[8] = {0x10, 0x01, 0, 0, 0, 0, 0, 0};
  b = udp4(SIP);
  push_eth(b, 0x0800);
  push(b, erspan, 8);
  push(b, gre_erspan, 8);
  push_ipv6(b, 47, "2001:db8:ffff::1", "2001:db8:ffff::2");
  feed_free(c, 229, 1, b);
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  /* GRE version 1 (PPTP) is not IP: ignored, no diagnostic */
  uint8_t gre_v1[8] = {0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 0};
  b = udp4(SIP);
  push(b, gre_v1, 8);
  push_ipv4(b, 47, "198.51.100.1", "198.51.100.2");
  feed_free(c, 228, 1, b);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 0);
}

static void test_nesting_bounded(void **state)
{
  collector *c = *state;
  GByteArray *b = udp4(SIP);

  for (int i = 0; i < 8; i++)
    push_ipv4(b, 4, "198.51.100.1", "198.51.100.2");
  feed_free(c, 228, 1, b); /* 8 tunnels: still decoded */
  assert_one(c, "10.0.0.1:5060", "10.0.0.2:5062", SF_IPPROTO_UDP, SIP);
  collector_reset(c);

  b = udp4(SIP);
  for (int i = 0; i < 9; i++)
    push_ipv4(b, 4, "198.51.100.1", "198.51.100.2");
  feed_free(c, 228, 2, b);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_BAD_IP);
  assert_string_equal(diag_text(c, 0),
                      "frame 2: more than 8 nested encapsulations, not decoded");
}

/* ------------------------------------------------------- UDP filter */

/* Payloads the consumer does not want are dropped before they are emitted,
 * on the fast path (Ethernet + IPv4 + UDP) and on the general one alike;
 * TCP is never filtered. */
static void test_udp_filter(void **state)
{
  collector *c = *state;
  static const bool sip_only[256] = {['O'] = true, ['\r'] = true};
  const char rtp[] = "\x80\x08rtp"; /* RTP version 2, PT 8 */

  sf_decode_set_udp_filter(c->dec, sip_only);

  GByteArray *b = udp4(rtp); /* fast path */
  push_eth(b, 0x0800);
  feed_free(c, 1, 1, b);
  b = udp4(""); /* empty payload */
  push_eth(b, 0x0800);
  feed_free(c, 1, 2, b);
  b = udp4(rtp); /* general path: VLAN */
  push_tag(b, 7, 0x0800);
  push_eth(b, 0x8100);
  feed_free(c, 1, 3, b);
  b = udp6(rtp);
  feed_free(c, 229, 4, b);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 0);

  b = udp4(SIP);
  push_eth(b, 0x0800);
  feed_free(c, 1, 5, b);
  b = udp4(SIP);
  push_tag(b, 7, 0x0800);
  push_eth(b, 0x8100);
  feed_free(c, 1, 6, b);
  b = payload(rtp); /* TCP: the filter is for UDP only */
  push_tcp(b, 1, 5060, 1, 0, 0);
  push_ipv4(b, 6, "10.0.0.1", "10.0.0.2");
  push_eth(b, 0x0800);
  feed_free(c, 1, 7, b);
  assert_int_equal(c->l4s->len, 3);
  assert_int_equal(nth(c, 0)->l4.frame, 5);
  assert_int_equal(nth(c, 0)->l4.len, strlen(SIP));
  assert_memory_equal(nth(c, 0)->bytes, SIP, strlen(SIP));
  assert_int_equal(nth(c, 1)->l4.frame, 6);
  assert_int_equal(nth(c, 2)->l4.frame, 7);
  assert_int_equal(nth(c, 2)->l4.ipproto, SF_IPPROTO_TCP);
  collector_reset(c);

  /* a reassembled datagram is filtered too, and still counted */
  GByteArray *dgram = big_udp(3000);
  dgram->data[8] = 0x80;
  GPtrArray *frags = fragments4(dgram, 1480, 0x55);
  for (guint i = 0; i < frags->len; i++)
    assert_int_equal(feed(c, 228, 10 + i, g_ptr_array_index(frags, i)), SIPFLOW_OK);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(c->texts->len, 0);
  assert_int_equal(sf_decode_fragments_reassembled(c->dec), 1);
  for (guint i = 0; i < frags->len; i++)
    g_byte_array_free(g_ptr_array_index(frags, i), TRUE);
  g_ptr_array_free(frags, TRUE);
  g_byte_array_free(dgram, TRUE);

  /* the table stream uses: RTP out, SIP and keep-alives in */
  assert_false(sf_stream_datagram_first_byte[0x80]);
  assert_false(sf_stream_datagram_first_byte[0xbf]);
  assert_false(sf_stream_datagram_first_byte[0]);
  assert_true(sf_stream_datagram_first_byte['I']);
  assert_true(sf_stream_datagram_first_byte['S']);
  assert_true(sf_stream_datagram_first_byte['\r']);
}

/* sf_decode_plain_udp(), the inline fast path's test: exactly Ethernet +
 * IPv4 without options, not a fragment (Don't Fragment allowed) + UDP
 * with a payload, all captured and consistent; anything else is left to
 * the general path. */
static void test_plain_udp_fast_path(void **state)
{
  collector *c = *state;
  GByteArray *b = udp4("hi");
  push_eth(b, 0x0800);
  uint8_t *d = b->data;
  size_t n = b->len;

  assert_int_equal(n, 14 + 20 + 8 + 2);
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 10);
  assert_int_equal(sf_decode_plain_udp(1, d, n + 20, n), 10); /* Ethernet trailer */
  assert_int_equal(sf_decode_plain_udp(228, d, n, n), 0);     /* not Ethernet */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n + 1), 0);   /* snaplen cut */
  assert_int_equal(sf_decode_plain_udp(1, d, n - 1, n - 1), 0); /* IP total beyond */
  d[20] = 0x40; /* Don't Fragment */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 10);
  d[20] = 0x20; /* More Fragments */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 0);
  d[20] = 0x00;
  d[21] = 0x01; /* fragment offset 8 */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 0);
  d[21] = 0x00;
  d[14] = 0x46; /* IPv4 options */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 0);
  d[14] = 0x45;
  d[23] = 6; /* TCP */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 0);
  d[23] = 17;
  d[12] = 0x86; /* ethertype 0x8600 */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 0);
  d[12] = 0x08;
  d[39] = 11; /* UDP length beyond the IP payload */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 0);
  d[39] = 7; /* UDP length below its header */
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 0);
  d[39] = 10;
  assert_int_equal(sf_decode_plain_udp(1, d, n, n), 10);
  g_byte_array_free(b, TRUE);

  /* an empty payload is the general path's: without a filter it is still
   * emitted, with a filter it is dropped (test_udp_filter) */
  b = udp4("");
  push_eth(b, 0x0800);
  assert_int_equal(sf_decode_plain_udp(1, b->data, b->len, b->len), 0);
  feed_free(c, 1, 3, b);
  assert_int_equal(c->l4s->len, 1);
  assert_int_equal(nth(c, 0)->l4.len, 0);
  assert_int_equal(nth(c, 0)->l4.frame, 3);
  assert_int_equal(c->texts->len, 0);
}

/* Ethernet + plain IPv4 + TCP takes a shortcut to the TCP layer
 * (decode_plain_tcp()); it must say and deliver exactly what the walk
 * through every layer says of the same IPv4 packet as raw IP (link type
 * 228), odd TCP headers included. */
static void test_plain_tcp_as_general_path(void **state)
{
  collector *c = *state;
  enum { OFFSET_LOW, OFFSET_BEYOND, HEADER_CUT, TSO, TRAILER, GOOD, N_CASES };

  for (int k = 0; k < N_CASES; k++) {
    GByteArray *got_by[2];
    for (int eth = 0; eth < 2; eth++) {
      GByteArray *b = payload(k == OFFSET_BEYOND ? "hi" : SIP);
      push_tcp(b, 40000, 5060, 99, 0x08, 5);
      if (k == OFFSET_LOW)
        b->data[12] = 0x40; /* 16 bytes */
      if (k == OFFSET_BEYOND)
        b->data[12] = 0xf0; /* 60 bytes, more than the 22 of the segment */
      push_ipv4(b, 6, "192.0.2.1", "192.0.2.2");
      if (k == HEADER_CUT) { /* total length 30: 10 bytes of TCP header */
        b->data[2] = 0;
        b->data[3] = 30;
      }
      if (k == TSO)
        b->data[2] = b->data[3] = 0;
      if (eth)
        push_eth(b, 0x0800);
      if (k == TRAILER) {
        static const uint8_t pad[6] = {0xee, 0xee};
        g_byte_array_append(b, pad, sizeof pad);
      }
      feed_free(c, eth ? 1 : 228, 5, b);
      GByteArray *out = g_byte_array_new(); /* what came out, as text */
      for (guint i = 0; i < c->l4s->len; i++) {
        char line[256];
        int n = snprintf(line, sizeof line, "l4 %u len %zu seq %u ack %u trunc %d|",
                         nth(c, i)->l4.ipproto, nth(c, i)->l4.len, nth(c, i)->l4.tcp_seq,
                         nth(c, i)->l4.tcp_ack, nth(c, i)->l4.truncated);
        g_byte_array_append(out, (const uint8_t *)line, (guint)n);
        g_byte_array_append(out, nth(c, i)->bytes, (guint)nth(c, i)->l4.len);
      }
      for (guint i = 0; i < c->texts->len; i++)
        g_byte_array_append(out, (const uint8_t *)diag_text(c, i),
                            (guint)strlen(diag_text(c, i)));
      got_by[eth] = out;
      if (k == GOOD || k == TRAILER || k == TSO) {
        assert_int_equal(c->l4s->len, 1);
        assert_int_equal(nth(c, 0)->l4.len, strlen(SIP));
      } else {
        assert_int_equal(c->l4s->len, 0);
        assert_int_equal(c->texts->len, 1);
      }
      collector_reset(c);
    }
    assert_int_equal(got_by[0]->len, got_by[1]->len);
    assert_memory_equal(got_by[0]->data, got_by[1]->data, got_by[0]->len);
    g_byte_array_free(got_by[0], TRUE);
    g_byte_array_free(got_by[1], TRUE);
  }
}

/* ------------------------------------------------- snaplen and garbage */

static void test_snaplen(void **state)
{
  collector *c = *state;
  GByteArray *b = big_udp(1472);
  push_ipv4(b, 17, "10.0.0.1", "10.0.0.2");
  push_eth(b, 0x0800);
  assert_int_equal(b->len, 1514);

  assert_int_equal(sf_decode_packet(c->dec, 1, 7, 0, b->data, 96, b->len), SIPFLOW_OK);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_TRUNCATED_PACKET);
  assert_string_equal(diag_text(c, 0), "frame 7: only 96 of 1514 bytes captured (snaplen)");
  assert_int_equal(c->l4s->len, 1);
  got *g = nth(c, 0);
  assert_true(g->l4.truncated);
  assert_int_equal(g->l4.len, 96 - 42);
  assert_memory_equal(g->bytes, b->data + 42, 96 - 42);
  assert_endpoint(&g->l4.dst, "10.0.0.2:5060");
  collector_reset(c);

  /* cut inside the IP header: only the snaplen diagnostic */
  assert_int_equal(sf_decode_packet(c->dec, 1, 8, 0, b->data, 30, b->len), SIPFLOW_OK);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_TRUNCATED_PACKET);
  assert_int_equal(c->l4s->len, 0);
  collector_reset(c);

  /* cut only in the Ethernet trailer: payload whole, not truncated */
  uint8_t fcs[4] = {1, 2, 3, 4};
  g_byte_array_append(b, fcs, 4);
  assert_int_equal(sf_decode_packet(c->dec, 1, 9, 0, b->data, 1514, 1518), SIPFLOW_OK);
  assert_int_equal(c->texts->len, 1);
  assert_int_equal(c->l4s->len, 1);
  assert_false(nth(c, 0)->l4.truncated);
  assert_int_equal(nth(c, 0)->l4.len, 1472);
  g_byte_array_free(b, TRUE);
}

typedef struct bad_case {
  const char *name;
  size_t at;     /* byte offset to overwrite in the frame */
  uint8_t value;
  sipflow_diag_code code;
  const char *text;
} bad_case;

static void test_bad_headers(void **state)
{
  collector *c = *state;
  /* offsets in Ethernet + IPv4 (20) + UDP: IP at 14, UDP at 34 */
  static const bad_case cases[] = {
      {"version", 14, 0x55, SIPFLOW_DIAG_BAD_IP, "frame 1: IPv4 header with version 5"},
      {"ihl", 14, 0x44, SIPFLOW_DIAG_BAD_IP, "frame 1: IPv4 header length 16 is below 20"},
      {"ihl big", 14, 0x4f, SIPFLOW_DIAG_BAD_IP,
       "frame 1: IPv4 header with options needs 60 bytes, only 48 present"},
      {"total", 16, 0x7f, SIPFLOW_DIAG_BAD_IP,
       "frame 1: IPv4 total length 32560 beyond the 48 bytes present"},
      {"udp short", 39, 4, SIPFLOW_DIAG_BAD_IP,
       "frame 1: UDP length 4 is shorter than its header"},
      {"udp long", 39, 40, SIPFLOW_DIAG_BAD_IP,
       "frame 1: UDP length 40 beyond the 28 bytes of IP payload"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    GByteArray *b = udp4("0123456789abmnop0123");
    push_eth(b, 0x0800);
    b->data[cases[i].at] = cases[i].value;
    feed_free(c, 1, 1, b);
    assert_int_equal(c->l4s->len, 0);
    assert_int_equal(c->texts->len, 1);
    assert_int_equal(diag_code(c, 0), cases[i].code);
    assert_string_equal(diag_text(c, 0), cases[i].text);
    collector_reset(c);
  }

  GByteArray *b = payload(SIP); /* TCP data offset below 5 */
  push_tcp(b, 1, 2, 0, 0, 0);
  b->data[12] = 0x40;
  push_ipv4(b, 6, "10.0.0.1", "10.0.0.2");
  feed_free(c, 228, 2, b);
  assert_int_equal(c->l4s->len, 0);
  assert_string_equal(diag_text(c, 0), "frame 2: TCP data offset 16 is shorter than the header");
  collector_reset(c);

  b = udp6(SIP); /* IPv6 payload length beyond the data */
  b->data[4] = 0x10;
  feed_free(c, 229, 3, b);
  assert_int_equal(c->l4s->len, 0);
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_BAD_IP);
  collector_reset(c);

  b = payload(""); /* jumbogram */
  push_ext(b, 17, 0);
  push_ipv6(b, 0, "2001:db8::1", "2001:db8::2");
  b->data[4] = b->data[5] = 0;
  feed_free(c, 229, 4, b);
  assert_string_equal(diag_text(c, 0), "frame 4: IPv6 jumbogram (RFC 2675) not supported");
  collector_reset(c);

  uint8_t runt[10] = {0};
  feed_free(c, 1, 5, bytes(runt, sizeof runt));
  assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_BAD_LINK);
  assert_string_equal(diag_text(c, 0), "frame 5: Ethernet header needs 14 bytes, only 10 present");
  collector_reset(c);

  assert_int_equal(sf_decode_packet(c->dec, 113, 6, 0, NULL, 0, 0), SIPFLOW_OK);
  assert_string_equal(diag_text(c, 0), "frame 6: Linux cooked header needs 16 bytes, only 0 present");
}

/* Garbage of every kind: pseudo-random bytes under every link type, and
 * random bytes behind a valid IPv4/IPv6 header.  Nothing may crash; what
 * comes out must lie inside the input. */
static void test_garbage(void **state)
{
  collector *c = *state;
  static const int types[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};
  uint8_t buf[128];
  uint32_t x = 12345;

  for (int round = 0; round < 400; round++) {
    size_t n = (size_t)(x % sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++) {
      x = x * 1103515245u + 12345u;
      buf[i] = (uint8_t)(x >> 16);
    }
    if (round % 2) /* make the IP header plausible half the time */
      buf[0] = (round % 4 == 1) ? 0x45 : 0x60;
    for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
      assert_int_equal(sf_decode_packet(c->dec, types[t], 1, 0, buf, n, n + (round % 3)),
                       SIPFLOW_OK);
      for (guint i = 0; i < c->l4s->len; i++)
        assert_true(nth(c, i)->l4.len <= n);
      collector_reset(c);
    }
  }
  sf_decode_expire(c->dec, INT64_MAX);
}

/* Every prefix of a valid frame: without snaplen (caplen == wirelen) each
 * one is malformed, with snaplen each one delivers what is there as soon as
 * the transport header is whole. */
static void check_every_truncation(collector *c, int linktype, GByteArray *b,
                                   size_t payload_off)
{
  for (size_t k = 0; k < b->len; k++) {
    uint8_t *copy = g_memdup2(b->data, k ? k : 1); /* exact size: ASan catches overreads */
    assert_int_equal(sf_decode_packet(c->dec, linktype, k, 0, copy, k, k), SIPFLOW_OK);
    assert_int_equal(c->l4s->len, 0);
    assert_int_equal(c->texts->len, 1);
    sipflow_diag_code code = diag_code(c, 0);
    assert_true(code == SIPFLOW_DIAG_BAD_IP || code == SIPFLOW_DIAG_BAD_LINK);
    collector_reset(c);

    assert_int_equal(sf_decode_packet(c->dec, linktype, k, 0, copy, k, b->len), SIPFLOW_OK);
    assert_int_equal(c->texts->len, 1);
    assert_int_equal(diag_code(c, 0), SIPFLOW_DIAG_TRUNCATED_PACKET);
    assert_int_equal(c->l4s->len, k >= payload_off ? 1 : 0);
    if (k >= payload_off) {
      assert_true(nth(c, 0)->l4.truncated);
      assert_int_equal(nth(c, 0)->l4.len, k - payload_off);
      assert_memory_equal(nth(c, 0)->bytes, b->data + payload_off, k - payload_off);
    }
    collector_reset(c);
    g_free(copy);
  }
  /* and the whole frame is fine */
  assert_int_equal(feed(c, linktype, 1, b), SIPFLOW_OK);
  assert_int_equal(c->texts->len, 0);
  assert_int_equal(c->l4s->len, 1);
  assert_false(nth(c, 0)->l4.truncated);
  collector_reset(c);
  g_byte_array_free(b, TRUE);
}

static void test_every_truncation(void **state)
{
  collector *c = *state;

  GByteArray *b = udp4(SIP); /* Ethernet, two VLAN tags, IPv4, UDP */
  push_tag(b, 1, 0x0800);
  push_tag(b, 2, 0x8100);
  push_eth(b, 0x88a8);
  check_every_truncation(c, 1, b, 14 + 8 + 20 + 8);

  b = udp6(SIP); /* IPv6 with extension headers */
  g_byte_array_remove_range(b, 0, 40);
  push_ext(b, 17, 1);
  push_ext(b, 60, 0);
  push_ipv6(b, 0, "2001:db8::1", "2001:db8::2");
  check_every_truncation(c, 229, b, 40 + 8 + 16 + 8);

  uint8_t gre[8] = {0x20, 0x00, 0x65, 0x58, 0, 0, 0, 1}; /* GRE, Ethernet, TCP */
  b = payload(SIP);
  push_tcp(b, 1, 5060, 1, 0, 2);
  push_ipv4(b, 6, "10.0.0.1", "10.0.0.2");
  push_eth(b, 0x0800);
  push(b, gre, 8);
  push_ipv4(b, 47, "198.51.100.1", "198.51.100.2");
  check_every_truncation(c, 101, b, 20 + 8 + 14 + 20 + 28);

  uint8_t sll2[20] = {0x88, 0x47}; /* SLL2, MPLS, IPv4, UDP */
  uint8_t label[4] = {0, 0x10, 0x01, 64};
  b = udp4(SIP);
  push(b, label, 4);
  push(b, sll2, 20);
  check_every_truncation(c, 276, b, 20 + 4 + 20 + 8);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
      T(test_ethernet_udp),
      T(test_ethernet_padding_trimmed),
      T(test_vlan_qinq),
      T(test_mpls),
      T(test_pppoe),
      T(test_sll),
      T(test_sll2),
      T(test_raw),
      T(test_null_and_loop),
      T(test_unsupported_linktype),
      T(test_tcp),
      T(test_ipv4_options_and_tso),
      T(test_udp_length_trims),
      T(test_ipv6_extension_headers),
      T(test_tunnels),
      T(test_gre),
      T(test_nesting_bounded),
      T(test_udp_filter),
      T(test_plain_udp_fast_path),
      T(test_plain_tcp_as_general_path),
      T(test_snaplen),
      T(test_bad_headers),
      T(test_garbage),
      T(test_every_truncation),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
