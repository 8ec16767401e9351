/*
 * Stream stage: UDP datagrams, and TCP directions, cut into SIP messages.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * UDP: a datagram that starts with a SIP start line is one chunk; the parser
 * applies its Content-Length (RFC 3261 §18.3).
 *
 * TCP: one "direction" per (source, destination) endpoint pair, kept here
 * with its connection events (SYN, FIN, RST, reuse); its bytes are put in
 * order by tcpreasm.c and cut into messages by tcpframe.c.  A direction
 * given up as not SIP costs nothing more than a look at each new segment's
 * start.
 *
 * Every direction is also in an LRU queue (least recently used first), which
 * makes idle expiry and the stream-count limit O(1) per stream.
 */
#include <inttypes.h>
#include <string.h>

#include "tcp.h"

#define SF_DEFAULT_MAX_MESSAGE (65535u * 4)
#define SF_DEFAULT_MAX_TCP_BUFFER (1024u * 1024)
#define SF_DEFAULT_MAX_TCP_STREAMS 65536u
#define SF_DEFAULT_TCP_IDLE_US (300 * G_GINT64_CONSTANT(1000000))

/* ------------------------------------------------------------ helpers */

static size_t addr_len(const sipflow_endpoint *e)
{
  return e->family == 4 ? 4 : 16;
}

/* Endpoint hash and equality read IPv4 addresses as one word: every TCP
 * segment looks its direction up. */
static guint endpoint_hash(const sipflow_endpoint *e)
{
  uint32_t w[4];
  guint h = e->family * 65599u + e->port;

  if (e->family == 4) {
    memcpy(w, e->addr, 4);
    h = (h ^ w[0]) * 0x9e3779b1u;
  } else {
    memcpy(w, e->addr, 16);
    for (size_t i = 0; i < 4; i++)
      h = (h ^ w[i]) * 0x9e3779b1u;
  }
  return h ^ (h >> 15);
}

static bool endpoint_equal(const sipflow_endpoint *a, const sipflow_endpoint *b)
{
  if (a->family != b->family || a->port != b->port)
    return false;
  if (a->family == 4) {
    uint32_t x, y;
    memcpy(&x, a->addr, 4);
    memcpy(&y, b->addr, 4);
    return x == y;
  }
  return memcmp(a->addr, b->addr, addr_len(a)) == 0;
}

static guint key_hash(const flow_key *f)
{
  return endpoint_hash(&f->src) * 16777619u ^ endpoint_hash(&f->dst);
}

static bool key_equal(const flow_key *x, const flow_key *y)
{
  return endpoint_equal(&x->src, &y->src) && endpoint_equal(&x->dst, &y->dst);
}

/* For diagnostics: "10.0.0.1:5060 -> 10.0.0.2:5060". */
sf_dir_label sf_stream_dir_label(const sf_dir *d)
{
  sf_dir_label l;
  char a[SIPFLOW_ENDPOINT_STRLEN], b[SIPFLOW_ENDPOINT_STRLEN];
  g_snprintf(l.s, sizeof l.s, "%s -> %s",
             sipflow_endpoint_format(&d->key.src, a, sizeof a),
             sipflow_endpoint_format(&d->key.dst, b, sizeof b));
  return l;
}

/* ------------------------------------------------ the directions table */

/* Every segment looks its direction up (bare ACKs the reverse one), so the
 * table is a plain chained one with the hash kept in each direction: a
 * GHashTable lookup, through its function pointers, cost ~150 instructions,
 * as much as the rest of a segment's bookkeeping.  The LRU list is threaded
 * through the directions for the same reason. */
#define SF_DIRS_MIN_BITS 6

static size_t bucket_of(const sf_stream *st, guint hash)
{
  /* Fibonacci hashing: the top bits of the product mix every bit of hash. */
  return (size_t)((hash * 0x9e3779b1u) >> (32 - st->bucket_bits));
}

static sf_dir *dirs_find(const sf_stream *st, const flow_key *key)
{
  guint h = key_hash(key);
  for (sf_dir *d = st->buckets[bucket_of(st, h)]; d; d = d->hnext)
    if (d->hash == h && key_equal(&d->key, key))
      return d;
  return NULL;
}

static void dirs_put(sf_stream *st, sf_dir *d)
{
  sf_dir **b = &st->buckets[bucket_of(st, d->hash)];
  d->hnext = *b;
  *b = d;
}

/* Doubles the buckets once there are more directions than buckets. */
static void dirs_grow(sf_stream *st)
{
  size_t n = (size_t)1 << st->bucket_bits;
  sf_dir **old = st->buckets;

  st->bucket_bits++;
  st->buckets = g_new0(sf_dir *, n * 2);
  for (size_t i = 0; i < n; i++)
    for (sf_dir *d = old[i], *next; d; d = next) {
      next = d->hnext;
      dirs_put(st, d);
    }
  g_free(old);
}

static void dirs_insert(sf_stream *st, sf_dir *d)
{
  d->hash = key_hash(&d->key);
  if (st->n_dirs >= (size_t)1 << st->bucket_bits && st->bucket_bits < 30)
    dirs_grow(st);
  dirs_put(st, d);
  st->n_dirs++;
}

static void dirs_remove(sf_stream *st, sf_dir *d)
{
  sf_dir **pp = &st->buckets[bucket_of(st, d->hash)];
  while (*pp != d)
    pp = &(*pp)->hnext;
  *pp = d->hnext;
  st->n_dirs--;
}

static void lru_unlink(sf_stream *st, sf_dir *d)
{
  if (d->older)
    d->older->newer = d->newer;
  else
    st->oldest = d->newer;
  if (d->newer)
    d->newer->older = d->older;
  else
    st->newest = d->older;
  d->older = d->newer = NULL;
}

static void lru_push_newest(sf_stream *st, sf_dir *d)
{
  d->older = st->newest;
  d->newer = NULL;
  if (st->newest)
    st->newest->newer = d;
  else
    st->oldest = d;
  st->newest = d;
}

/* ---------------------------------------------------- directions */

static void dir_clear(sf_dir *d)
{
  sf_tcpframe_clear(d);
  sf_tcpreasm_clear(d);
}

/* Starts the direction over at seq (new connection, or SIP again): every
 * field back to zero but its place in the table and list, its peer and
 * when it was last used. */
static void dir_restart(sf_dir *d, uint32_t seq)
{
  dir_clear(d);
  sf_dir keep = *d;
  memset(d, 0, sizeof *d);
  d->key = keep.key;
  d->hash = keep.hash;
  d->hnext = keep.hnext;
  d->older = keep.older;
  d->newer = keep.newer;
  d->peer = keep.peer;
  d->last_time_us = keep.last_time_us;
  d->last_frame = keep.last_frame;
  d->state = DIR_ACTIVE;
  d->next_seq = seq;
}

static void dir_remove(sf_stream *st, sf_dir *d)
{
  if (d->peer)
    d->peer->peer = NULL;
  lru_unlink(st, d);
  dirs_remove(st, d);
  dir_clear(d);
  g_free(d);
}

static void evict_oldest(sf_stream *st, const stamp *at)
{
  sf_dir *d = st->oldest;
  if (d->state == DIR_ACTIVE && (d->sip_seen || d->len || d->held))
    sf_diag_emit(st->diag, at->frame, SIPFLOW_DIAG_TCP_LIMIT,
                 "frame %" PRIu64 ": more than %zu TCP streams; dropped the least "
                 "recently used, %s", at->frame, st->max_streams,
                 sf_stream_dir_label(d).s);
  dir_remove(st, d);
}

static sf_dir *dir_new(sf_stream *st, const flow_key *key, uint32_t seq, const stamp *at)
{
  while (st->n_dirs >= st->max_streams && st->oldest)
    evict_oldest(st, at);
  sf_dir *d = g_new0(sf_dir, 1);
  d->key = *key;
  d->state = DIR_ACTIVE;
  d->next_seq = seq;
  /* Linked to the reverse direction, whose acknowledgments tell about this
   * one's holes (the same endpoint at both ends has no reverse). */
  flow_key back = {.src = key->dst, .dst = key->src};
  sf_dir *r = dirs_find(st, &back);
  if (r) {
    d->peer = r;
    r->peer = d;
  }
  dirs_insert(st, d);
  lru_push_newest(st, d);
  return d;
}

static void touch(sf_stream *st, sf_dir *d, const stamp *at)
{
  d->last_time_us = at->time_us;
  d->last_frame = at->frame;
  if (st->newest != d) {
    lru_unlink(st, d);
    lru_push_newest(st, d);
  }
}

/* Does a segment of a stream not followed so far look like SIP: a start
 * line (possibly cut by the segment end) at its beginning, or a whole one
 * at the beginning of one of its lines? */
static bool worth_following(const uint8_t *data, size_t n)
{
  const char *p = (const char *)data;
  size_t b = sf_tcp_skip_blanks(p, n);
  if (b == n)
    return false;
  if (sf_framer_is_sip_start(p + b, n - b) != 0)
    return true;
  long off = sf_framer_find_start(p + b, n - b);
  return off >= 0 && sf_framer_is_sip_start(p + b + off, n - b - (size_t)off) == 1;
}

/* Cheap test for a given-up direction: does this segment start with a
 * whole SIP start line? */
static bool starts_sip(const uint8_t *data, size_t n)
{
  const char *p = (const char *)data;
  size_t b = sf_tcp_skip_blanks(p, n);
  return b < n && sf_framer_is_sip_start(p + b, n - b) == 1;
}

static void close_dir(sf_stream *st, sf_dir *d, uint32_t end_seq, const stamp *at)
{
  sf_tcpreasm_flush(st, d, at, d->state == DIR_ACTIVE ? &end_seq : NULL);
  dir_clear(d);
  d->state = DIR_CLOSED;
  d->end_seq = end_seq;
}

/* RST: the connection is over in both directions (RFC 793 §3.4). */
static void on_rst(sf_stream *st, sf_dir *d, const sf_l4 *l4, const stamp *at)
{
  flow_key back = {.src = l4->dst, .dst = l4->src};
  sf_dir *r = dirs_find(st, &back);
  if (r == d)
    r = NULL; /* source and destination are the same endpoint */
  if (d) {
    sf_tcpreasm_flush(st, d, at, NULL);
    dir_remove(st, d);
  }
  if (r) {
    sf_tcpreasm_flush(st, r, at, NULL);
    dir_remove(st, r);
  }
}

/* SYN: the stream starts at ISN + 1 (RFC 793 §3.3). */
static sf_dir *on_syn(sf_stream *st, sf_dir *d, const flow_key *key, uint32_t seq,
                      const stamp *at)
{
  if (d && d->have_syn && d->syn_seq == seq)
    return d; /* retransmitted SYN */
  if (d) {
    sf_tcpreasm_flush(st, d, at, NULL); /* the 4-tuple is reused: a new connection */
    dir_restart(d, seq + 1);
  } else {
    d = dir_new(st, key, seq + 1, at);
  }
  d->have_syn = true;
  d->syn_seq = seq;
  return d;
}

/* Finds or creates the direction of a segment; NULL when not worth it. */
static sf_dir *dir_for_segment(sf_stream *st, const sf_l4 *l4, const stamp *at)
{
  flow_key key = {.src = l4->src, .dst = l4->dst};
  sf_dir *d = dirs_find(st, &key);
  uint32_t seq = l4->tcp_seq;

  if (l4->tcp_flags & SF_TCP_RST) {
    on_rst(st, d, l4, at);
    return NULL;
  }
  if (l4->tcp_flags & SF_TCP_SYN)
    return on_syn(st, d, &key, seq, at);
  if (!d)
    return l4->len && worth_following(l4->payload, l4->len)
               ? dir_new(st, &key, seq, at) : NULL;
  if (d->state == DIR_CLOSED && l4->len && (int32_t)(seq - d->end_seq) > 0 &&
      worth_following(l4->payload, l4->len))
    dir_restart(d, seq); /* reused without a SYN in the capture */
  else if (d->state == DIR_NOT_SIP && l4->len && starts_sip(l4->payload, l4->len))
    dir_restart(d, seq);
  return d;
}

/* ------------------------------------------------------------ public */

sf_stream *sf_stream_new(const sipflow_limits *limits, sf_stream_emit_fn emit,
                         sf_diag_sink *diag, void *user)
{
  sf_stream *st = g_new0(sf_stream, 1);
  sipflow_limits none = {0};

  if (!limits)
    limits = &none;
  st->max_message = limits->max_message_size ? limits->max_message_size
                                             : SF_DEFAULT_MAX_MESSAGE;
  st->max_buffer = limits->max_tcp_buffer ? limits->max_tcp_buffer
                                          : SF_DEFAULT_MAX_TCP_BUFFER;
  st->max_streams = limits->max_tcp_streams ? limits->max_tcp_streams
                                            : SF_DEFAULT_MAX_TCP_STREAMS;
  st->idle_timeout_us = limits->tcp_idle_timeout_us > 0 ? limits->tcp_idle_timeout_us
                                                        : SF_DEFAULT_TCP_IDLE_US;
  st->emit = emit;
  st->user = user;
  st->diag = diag;
  st->bucket_bits = SF_DIRS_MIN_BITS;
  st->buckets = g_new0(sf_dir *, (size_t)1 << SF_DIRS_MIN_BITS);
  return st;
}

void sf_stream_free(sf_stream *st)
{
  if (!st)
    return;
  while (st->oldest)
    dir_remove(st, st->oldest);
  g_free(st->buckets);
  g_free(st);
}

/* Most datagrams are RTP: they are rejected on the first byte, which must
 * start a method (a token, RFC 3261 §25.1), "SIP/2.0" or the white space of
 * a keep-alive.  RTP version 2 starts with 0x80-0xbf: not in the table. */
const bool sf_stream_datagram_first_byte[256] = {
    ['0' ... '9'] = true, ['a' ... 'z'] = true, ['A' ... 'Z'] = true,
    ['-'] = true, ['.'] = true, ['!'] = true, ['%'] = true, ['*'] = true,
    ['_'] = true, ['+'] = true, ['`'] = true, ['\''] = true, ['~'] = true,
    ['\r'] = true, ['\n'] = true, [' '] = true, ['\t'] = true,
};

void sf_stream_datagram(sf_stream *st, const sf_l4 *l4)
{
  const char *p = (const char *)l4->payload;
  size_t n = l4->len;

  if (n == 0 || !sf_stream_datagram_first_byte[(unsigned char)p[0]])
    return;
  /* RFC 5626 §3.5.1: CRLF keep-alives are not messages. */
  size_t b = sf_tcp_skip_blanks(p, n);
  sf_start_line start;
  if (b == n || sf_framer_start_line(p + b, n - b, &start) != 1)
    return;
  sf_sip_chunk c = {.data = p + b, .len = n - b, .start = start, .frame = l4->frame,
                    .time_us = l4->time_us, .src = &l4->src, .dst = &l4->dst,
                    .transport = SIPFLOW_TRANSPORT_UDP, .truncated = l4->truncated};
  st->emit(st->user, &c);
}

/* The segment's sender acknowledges bytes of the reverse direction.  d:
 * the segment's own direction (its peer link finds the reverse), NULL for a
 * bare ACK, whose direction is not looked up (then the reverse is). */
static void take_ack(sf_stream *st, const sf_dir *d, const sf_l4 *l4, const stamp *at)
{
  sf_dir *r;

  if (d) {
    r = d->peer;
  } else {
    flow_key back = {.src = l4->dst, .dst = l4->src};
    r = st->n_dirs ? dirs_find(st, &back) : NULL;
  }
  if (r && r->state == DIR_ACTIVE)
    sf_tcpreasm_acked(st, r, l4->tcp_ack, at);
}

void sf_stream_tcp(sf_stream *st, const sf_l4 *l4)
{
  const uint8_t flags = l4->tcp_flags;
  stamp at = {.frame = l4->frame, .time_us = l4->time_us};

  if (l4->len == 0 && !(flags & (SF_TCP_SYN | SF_TCP_FIN | SF_TCP_RST))) {
    if (l4->tcp_has_ack) /* a bare ACK */
      take_ack(st, NULL, l4, &at);
    return;
  }
  if (l4->len)
    st->segments++;
  sf_dir *d = dir_for_segment(st, l4, &at);
  /* Not followed (or an RST, which flushed both directions): its
   * acknowledgment is not looked at either.  Data that is not SIP seldom
   * answers SIP, and the lookup would double the cost of each segment. */
  if (!d)
    return;
  if (l4->tcp_has_ack)
    take_ack(st, d, l4, &at);
  touch(st, d, &at);
  /* The SYN takes one sequence number; data on it (TCP Fast Open) follows. */
  uint32_t seq = l4->tcp_seq + ((flags & SF_TCP_SYN) ? 1 : 0);
  if (d->state == DIR_ACTIVE && l4->len)
    sf_tcpreasm_payload(st, d, seq, l4->payload, l4->len, &at, l4->truncated);
  if (flags & SF_TCP_FIN) {
    uint32_t end = seq + (uint32_t)l4->len;
    if (d->state != DIR_CLOSED)
      close_dir(st, d, end, &at);
  }
}

void sf_stream_expire(sf_stream *st, int64_t now_us)
{
  while (st->oldest) {
    sf_dir *d = st->oldest;
    if (!sf_tcp_idle_longer(now_us, d->last_time_us, st->idle_timeout_us))
      break;
    sf_tcpreasm_flush(st, d, NULL, NULL);
    dir_remove(st, d);
  }
}

void sf_stream_finish(sf_stream *st)
{
  while (st->oldest) {
    sf_dir *d = st->oldest;
    sf_tcpreasm_flush(st, d, NULL, NULL);
    dir_remove(st, d);
  }
}

uint64_t sf_stream_segments(const sf_stream *st)
{
  return st ? st->segments : 0;
}
