/*
 * Helpers for test_decode.c and test_ipfrag.c: a decode stage whose
 * emitted payloads and diagnostics are collected, and builders that wrap a
 * payload in UDP/TCP, IPv4/IPv6 (fragments too) and link headers.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef DECODERIG_H
#define DECODERIG_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipfrag.h"
#include "sf_internal.h"

/* ----------------------------------------------------------- collector */

typedef struct got {
  sf_l4 l4;
  uint8_t *bytes; /* copy of the payload */
} got;

typedef struct collector {
  GArray *l4s;        /* got */
  GPtrArray *texts;   /* diag texts */
  GArray *codes;      /* sipflow_diag_code */
  GArray *frames;     /* uint64_t */
  sf_diag_sink sink;
  sf_decode *dec;
} collector;

static inline void on_l4(void *user, const sf_l4 *l4)
{
  collector *c = user;
  got g = {.l4 = *l4, .bytes = l4->len ? g_memdup2(l4->payload, l4->len) : g_malloc0(1)};
  g.l4.payload = NULL;
  g_array_append_val(c->l4s, g);
}

static inline void on_diag(const sipflow_diag *d, void *user)
{
  collector *c = user;
  g_ptr_array_add(c->texts, g_strdup(d->text));
  g_array_append_val(c->codes, d->code);
  g_array_append_val(c->frames, d->frame);
}

static inline collector *collector_new(const sipflow_limits *limits)
{
  collector *c = g_new0(collector, 1);
  c->l4s = g_array_new(FALSE, FALSE, sizeof(got));
  c->texts = g_ptr_array_new_with_free_func(g_free);
  c->codes = g_array_new(FALSE, FALSE, sizeof(sipflow_diag_code));
  c->frames = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  c->sink.fn = on_diag;
  c->sink.user = c;
  c->dec = sf_decode_new(limits, on_l4, &c->sink, c);
  return c;
}

static inline void collector_reset(collector *c)
{
  for (guint i = 0; i < c->l4s->len; i++)
    g_free(g_array_index(c->l4s, got, i).bytes);
  g_array_set_size(c->l4s, 0);
  g_ptr_array_set_size(c->texts, 0);
  g_array_set_size(c->codes, 0);
  g_array_set_size(c->frames, 0);
}

static inline void collector_free(collector *c)
{
  collector_reset(c);
  sf_decode_free(c->dec);
  g_array_free(c->l4s, TRUE);
  g_ptr_array_free(c->texts, TRUE);
  g_array_free(c->codes, TRUE);
  g_array_free(c->frames, TRUE);
  g_free(c);
}

static inline int setup(void **state)
{
  *state = collector_new(NULL);
  return 0;
}

static inline int teardown(void **state)
{
  collector_free(*state);
  return 0;
}

static inline got *nth(collector *c, guint i)
{
  assert_true(i < c->l4s->len);
  return &g_array_index(c->l4s, got, i);
}

static inline const char *diag_text(collector *c, guint i)
{
  assert_true(i < c->texts->len);
  return g_ptr_array_index(c->texts, i);
}

static inline sipflow_diag_code diag_code(collector *c, guint i)
{
  assert_true(i < c->codes->len);
  return g_array_index(c->codes, sipflow_diag_code, i);
}

static inline void assert_endpoint(const sipflow_endpoint *ep, const char *want)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  assert_string_equal(sipflow_endpoint_format(ep, buf, sizeof buf), want);
}

/* Asserts exactly one delivered payload with these endpoints and bytes. */
static inline void assert_one(collector *c, const char *src, const char *dst, uint8_t proto,
                              const char *payload)
{
  assert_int_equal(c->texts->len, 0);
  assert_int_equal(c->l4s->len, 1);
  got *g = nth(c, 0);
  assert_endpoint(&g->l4.src, src);
  assert_endpoint(&g->l4.dst, dst);
  assert_int_equal(g->l4.ipproto, proto);
  assert_int_equal(g->l4.len, strlen(payload));
  assert_memory_equal(g->bytes, payload, strlen(payload));
  assert_false(g->l4.truncated);
}

/* ------------------------------------------------------------ builders */

static const char SIP[] = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n";

static inline GByteArray *bytes(const void *p, size_t n)
{
  GByteArray *b = g_byte_array_new();
  g_byte_array_append(b, p, (guint)n);
  return b;
}

static inline GByteArray *payload(const char *s)
{
  return bytes(s, strlen(s));
}

static inline void put16(uint8_t *p, unsigned v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
  put16(p, v >> 16);
  put16(p + 2, v & 0xffff);
}

static inline void push(GByteArray *b, const uint8_t *h, size_t n)
{
  g_byte_array_prepend(b, h, (guint)n);
}

static inline void push_udp(GByteArray *b, unsigned sport, unsigned dport)
{
  uint8_t h[8] = {0};
  put16(h, sport);
  put16(h + 2, dport);
  put16(h + 4, b->len + 8);
  push(b, h, 8);
}

static inline void push_tcp(GByteArray *b, unsigned sport, unsigned dport, uint32_t seq,
                            uint8_t flags, unsigned optwords)
{
  uint8_t h[60] = {0};
  size_t hl = 20 + optwords * 4;
  put16(h, sport);
  put16(h + 2, dport);
  put32(h + 4, seq);
  put32(h + 8, ~seq); /* the acknowledgment number */
  h[12] = (uint8_t)((hl / 4) << 4);
  h[13] = flags | 0x10; /* ACK too, which must not leak into tcp_flags */
  memset(h + 20, 1, hl - 20); /* NOP options */
  push(b, h, hl);
}

/* IPv4 header; frag is the flags+offset field (offset in 8-byte units). */
static inline void push_ipv4_frag(GByteArray *b, uint8_t proto, const char *src,
                                  const char *dst, unsigned id, unsigned frag,
                                  unsigned optwords)
{
  uint8_t h[60] = {0};
  size_t hl = 20 + optwords * 4;
  h[0] = (uint8_t)(0x40 | (hl / 4));
  put16(h + 2, b->len + hl);
  put16(h + 4, id);
  put16(h + 6, frag);
  h[8] = 64;
  h[9] = proto;
  inet_pton(AF_INET, src, h + 12);
  inet_pton(AF_INET, dst, h + 16);
  memset(h + 20, 1, hl - 20); /* NOP options */
  push(b, h, hl);
}

static inline void push_ipv4(GByteArray *b, uint8_t proto, const char *src, const char *dst)
{
  push_ipv4_frag(b, proto, src, dst, 0x1234, 0x4000 /* DF */, 0);
}

static inline void push_ipv6(GByteArray *b, uint8_t next, const char *src, const char *dst)
{
  uint8_t h[40] = {0x60};
  put16(h + 4, b->len);
  h[6] = next;
  h[7] = 64;
  inet_pton(AF_INET6, src, h + 8);
  inet_pton(AF_INET6, dst, h + 24);
  push(b, h, 40);
}

/* Generic IPv6 extension header of 8 * (1 + extra) bytes (RFC 6564). */
static inline void push_ext(GByteArray *b, uint8_t next, unsigned extra)
{
  uint8_t h[64] = {0};
  h[0] = next;
  h[1] = (uint8_t)extra;
  push(b, h, 8 * (1 + extra));
}

static inline void push_eth(GByteArray *b, unsigned type)
{
  uint8_t h[14] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  put16(h + 12, type);
  push(b, h, 14);
}

/* One VLAN tag whose inner ethertype is `inner`. */
static inline void push_tag(GByteArray *b, unsigned vid, unsigned inner)
{
  uint8_t h[4];
  put16(h, vid);
  put16(h + 2, inner);
  push(b, h, 4);
}

static inline GByteArray *udp4(const char *body)
{
  GByteArray *b = payload(body);
  push_udp(b, 5060, 5062);
  push_ipv4(b, 17, "10.0.0.1", "10.0.0.2");
  return b;
}

static inline GByteArray *udp6(const char *body)
{
  GByteArray *b = payload(body);
  push_udp(b, 5060, 5062);
  push_ipv6(b, 17, "2001:db8::1", "2001:db8::2");
  return b;
}

static inline int feed(collector *c, int linktype, uint64_t frame, const GByteArray *b)
{
  return sf_decode_packet(c->dec, linktype, frame, (int64_t)frame * 1000, b->data, b->len,
                          b->len);
}

/* Feeds b and frees it. */
static inline void feed_free(collector *c, int linktype, uint64_t frame, GByteArray *b)
{
  assert_int_equal(feed(c, linktype, frame, b), SIPFLOW_OK);
  g_byte_array_free(b, TRUE);
}

/* ----------------------------------------------------------- fragments */

/* Cuts the UDP datagram in `dgram` (UDP header + data) into IPv4 fragments
 * of `size` bytes (a multiple of 8, except the last). */
static inline GPtrArray *fragments4(const GByteArray *dgram, size_t size, unsigned id)
{
  GPtrArray *frags = g_ptr_array_new();
  for (size_t off = 0; off < dgram->len; off += size) {
    size_t n = MIN(size, dgram->len - off);
    GByteArray *f = bytes(dgram->data + off, n);
    unsigned flags = (off + n < dgram->len ? 0x2000 : 0) | (unsigned)(off / 8);
    push_ipv4_frag(f, 17, "10.0.0.1", "10.0.0.2", id, flags, 0);
    g_ptr_array_add(frags, f);
  }
  return frags;
}

static inline GByteArray *big_udp(size_t n)
{
  GByteArray *b = g_byte_array_sized_new((guint)n + 8);
  for (size_t i = 0; i < n; i++) {
    uint8_t v = (uint8_t)(i * 7 + i / 256);
    g_byte_array_append(b, &v, 1);
  }
  push_udp(b, 5060, 5060);
  return b;
}

#endif /* DECODERIG_H */
