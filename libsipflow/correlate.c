/*
 * correlate stage: transactions (RFC 3261 §17), dialogs (§12, their rules
 * in dialog.c), calls (Call-ID) and retransmissions, assigned to each
 * message before it is delivered.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The context calls sf_ctx_correlate() for every parsed message.  The
 * message's call is found (or created) by Call-ID in calls.c; here the
 * message is matched to a transaction of that call and to a dialog, the
 * retransmission flag is set, and the facts analyze.c needs later (times of
 * the first 180/183, 2xx, final, CANCEL, ACK ...) are recorded.  Nothing of
 * the message is kept by reference: what is kept is copied into the call.
 *
 * Transactions are looked up inside their call, so two calls can never share
 * one even when broken user agents reuse a branch.
 */
#include <stddef.h>
#include <string.h>

#include "analyze.h"
#include "dialog.h"
#include "sf_ctx.h"

/* RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this. */
#define SF_MAGIC_COOKIE "z9hG4bK"

/* ------------------------------------------------------------ helpers */

/* Two words folded by one wide multiplication: every bit of the product's
 * halves depends on every bit of both words (wyhash's "mum" step). */
static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
  unsigned __int128 r = (unsigned __int128)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
  uint64_t lo = a * b, hi = (a >> 32) * (b >> 32) + ((a * (b >> 32)) >> 32);
  return lo ^ hi ^ (lo >> 29);
#endif
}

/* Sixteen bytes per step, in the way of wyhash: keys are 10-100 bytes and
 * the Call-ID is hashed for every message, where the former FNV-style
 * eight bytes a step with a shift and a multiplication each cost a third
 * more.  The last 16 bytes (or the whole of a shorter key) are read as two
 * words that may overlap: fixed-size loads within the key, never a copy. */
uint32_t sf_correlate_hash_bytes(const char *ptr, size_t len)
{
  const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
  uint64_t seed = k0 ^ len, a, b;

  if (!ptr)
    return 0;
  if (len > 16) {
    const char *end = ptr + len;
    for (; end - ptr > 16; ptr += 16)
      seed = fold_mul(sf_load64(ptr) ^ k1, sf_load64(ptr + 8) ^ seed);
    a = sf_load64(end - 16);
    b = sf_load64(end - 8);
  } else if (len >= 8) {
    a = sf_load64(ptr);
    b = sf_load64(ptr + len - 8);
  } else if (len >= 4) { /* tags: two overlapping 4-byte words */
    a = sf_load32(ptr);
    b = sf_load32(ptr + len - 4);
  } else {
    a = len ? (uint64_t)(uint8_t)ptr[0] << 16 | (uint64_t)(uint8_t)ptr[len >> 1] << 8 |
                (uint8_t)ptr[len - 1]
            : 0;
    b = 0;
  }
  uint64_t h = fold_mul(k1 ^ len, fold_mul(a ^ k1, b ^ seed));
  return (uint32_t)h ? (uint32_t)h : 1;
}

guint sf_correlate_key_hash(gconstpointer key)
{
  const sf_key *k = key;
  return sf_correlate_hash_bytes(k->ptr, k->len);
}

gboolean sf_correlate_key_equal(gconstpointer a, gconstpointer b)
{
  const sf_key *x = a, *y = b;
  return x->len == y->len && memcmp(x->ptr, y->ptr, x->len) == 0;
}


/* Direction of a message as a hash of both endpoints: their words folded
 * by two wide multiplications (this runs for every message; laying the
 * endpoints out in a buffer and hashing its bytes cost three times as
 * much, one multiplication per word half again).  The source and the
 * destination meet different constants, so that swapping them changes
 * the hash. */
static uint32_t direction_hash(const sipflow_endpoint *src, const sipflow_endpoint *dst)
{
  const char *s = (const char *)src->addr, *d = (const char *)dst->addr;
  uint64_t ports = (uint64_t)src->family << 48 | (uint64_t)src->port << 32 |
                   (uint64_t)dst->family << 16 | dst->port;
  uint64_t h = fold_mul(sf_load64(s) ^ ports ^ 0xc2b2ae3d27d4eb4full, sf_load64(d) ^ 0x165667b19e3779f9ull) ^
               fold_mul(sf_load64(s + 8) ^ 0xd6e8feb86659fd93ull, sf_load64(d + 8) ^ 0xff51afd7ed558ccdull);
  return (uint32_t)(h ^ h >> 32);
}

static uint32_t span_hash(sipflow_span s)
{
  return sf_correlate_hash_bytes(s.ptr, s.len);
}


/* The method a message is about (its own, or its CSeq's for a response)
 * as a number, worked out once per message.  SIPFLOW_METHOD_OTHER for the
 * unknown ones, which then never compare equal to a known one, as their
 * names would not. */
static sipflow_span method_of(const sipflow_message *m)
{
  return m->is_request ? m->method : m->cseq_method;
}

/* "Not classified yet": a response's CSeq method is needed only for a new
 * transaction or call (the_method). */
#define SF_METHOD_UNKNOWN ((sipflow_method)SIPFLOW_METHOD_COUNT)

static sipflow_method the_method(const sipflow_message *m, sipflow_method mid)
{
  if (mid == SF_METHOD_UNKNOWN)
    mid = sf_stats_method(method_of(m).ptr, method_of(m).len);
  return mid;
}

/* A method name kept by the call: static for the known ones. */
static const char *keep_method(sf_call *c, sipflow_span m, sipflow_method mid)
{
  if (mid != SIPFLOW_METHOD_OTHER)
    return sf_method_names[mid]; /* mid < SIPFLOW_METHOD_COUNT */
  return sf_calls_strdup(c, m.ptr, m.len);
}

/* ------------------------------------------------------- transactions */

/* A transaction key, as the parts of the message it is made of: it is
 * compared in place with the keys the call's transactions keep, and
 * written out only for a new transaction (or for the hash index of a call
 * with many transactions).  Written out it is the prefix, then every part
 * followed by a NUL; two keys are equal when those bytes are. */
#define SF_KEY_MAX_PARTS 5

typedef struct txn_key {
  const char *prefix;
  size_t prefix_len;
  sipflow_span part[SF_KEY_MAX_PARTS];
  unsigned n;
  size_t len;                 /* bytes written out */
  bool rfc2543;
  char cseq[16];              /* "2<CSeq>" of the RFC 2543 rule */
} txn_key;

static void key_part(txn_key *k, sipflow_span s)
{
  if (!s.ptr)
    s.len = 0;
  k->part[k->n++] = s;
  k->len += s.len + 1;
}

static bool has_magic_cookie(const sipflow_message *m)
{
  return m->branch.ptr && m->branch.len >= strlen(SF_MAGIC_COOKIE) &&
         memcmp(m->branch.ptr, SF_MAGIC_COOKIE, strlen(SF_MAGIC_COOKIE)) == 0;
}

/* The key of the transaction msg would belong to if its method were
 * `method` (the caller decides that for ACK and CANCEL).
 * RFC 3261 §17.2.3: top Via branch + sent-by + method.
 * Without the magic cookie, the RFC 2543 rule of §17.2.3's last paragraph:
 * Call-ID (implicit: transactions live in their call), CSeq number, From
 * tag, top Via (transport + sent-by, not its received/rport parameters,
 * which the server adds to the response's copy) and the method.  The
 * Request-URI and the To tag of that rule are left out because responses
 * cannot be matched on them (no Request-URI; the To tag appears only in the
 * response), and CSeq + From tag already separate the requests of a
 * Call-ID. */
static void build_key(txn_key *k, const sipflow_message *m, sipflow_span method)
{
  k->n = 0;
  k->rfc2543 = !has_magic_cookie(m);
  if (!k->rfc2543) {
    k->prefix = "3";
    k->prefix_len = k->len = 1;
    key_part(k, m->branch);
  } else {
    char *end = k->cseq + sizeof k->cseq, *p = end;
    uint32_t v = m->cseq;
    do
      *--p = (char)('0' + v % 10);
    while (v /= 10);
    *--p = '2';
    k->prefix = "";
    k->prefix_len = k->len = 0;
    key_part(k, (sipflow_span){p, (size_t)(end - p)});
    key_part(k, m->from_tag);
    key_part(k, m->via_transport);
  }
  key_part(k, m->via_sent_by);
  key_part(k, method);
}

/* Writes k out into out (k->len bytes). */
static void key_write(const txn_key *k, char *out)
{
  if (k->prefix_len) /* "3" or nothing */
    *out++ = k->prefix[0];
  for (unsigned i = 0; i < k->n; i++) {
    if (k->part[i].len)
      memcpy(out, k->part[i].ptr, k->part[i].len);
    out += k->part[i].len;
    *out++ = '\0';
  }
}

static bool key_matches(const sf_key *have, const txn_key *k)
{
  const char *p = have->ptr;
  size_t n0 = k->part[0].len;

  if (have->len != k->len)
    return false;
  /* Quick reject on the last byte of the first part: the branch's, where
   * branches differ (they all start with the magic cookie). */
  if (n0 && p[k->prefix_len + n0 - 1] != k->part[0].ptr[n0 - 1])
    return false;
  if (!sf_bytes_equal(p, k->prefix, k->prefix_len))
    return false;
  p += k->prefix_len;
  for (unsigned i = 0; i < k->n; i++) {
    size_t n = k->part[i].len;
    if (!sf_bytes_equal(p, k->part[i].ptr, n) || p[n] != '\0')
      return false;
    p += n + 1;
  }
  return true;
}

/* Up to this many transactions a call finds them by a linear search
 * (cheaper than hashing the key for the 2-6 of a usual call, and the key
 * lengths already tell most apart); beyond, by a hash table (a REGISTER
 * refreshed for days, a flood). */
#define SF_TXN_LINEAR 16

static sf_txn *txn_lookup(sf_correlate *st, sf_call *c, const txn_key *k)
{
  if (c->txn_index) {
    g_string_set_size(st->key, k->len);
    key_write(k, st->key->str);
    sf_key key = {st->key->str, k->len};
    return g_hash_table_lookup(c->txn_index, &key);
  }
  /* newest first: a response is more often for a recent transaction
   * (keys are unique in a call, so the order changes nothing else) */
  for (guint i = c->txns.len; i-- > 0;) {
    sf_txn *t = g_ptr_array_index(&c->txns, i);
    if (key_matches(&t->key, k))
      return t;
  }
  return NULL;
}

/* The stored key "3" branch NUL rest... (build_key's RFC 3261 layout) has
 * at p the bytes of s followed by a NUL. */
static bool part_at(const char *p, sipflow_span s)
{
  size_t n = s.ptr ? s.len : 0;
  return sf_bytes_equal(p, s.ptr, n) && p[n] == '\0';
}

/* txn_lookup for the usual case, an RFC 3261 branch in a call without an
 * index: the stored keys are compared with the message's spans directly,
 * without building a txn_key (this runs for every message).  Same
 * comparison as key_matches over build_key's parts. */
static size_t span_len(sipflow_span s) { return s.ptr ? s.len : 0; }

/* The length of m's key under the RFC 3261 rule, written out. */
static size_t key_3261_len(const sipflow_message *m, sipflow_span method)
{
  return 1 + m->branch.len + 1 + span_len(m->via_sent_by) + 1 + span_len(method) + 1;
}

/* Writes m's key under the RFC 3261 rule straight from the message (a new
 * transaction, the usual case): the bytes build_key + key_write give. */
static char *key_put(char *out, sipflow_span s)
{
  size_t n = span_len(s);
  sf_copy_short(out, s.ptr, n);
  out[n] = '\0';
  return out + n + 1;
}

/* (Part by part, not a loop over an array of the parts: that array was
 * written out on the stack first.) */
static void key_3261_write(char *out, const sipflow_message *m, sipflow_span method)
{
  *out++ = '3';
  out = key_put(out, m->branch);
  out = key_put(out, m->via_sent_by);
  key_put(out, method);
}

static SF_ALWAYS_INLINE sf_txn *txn_lookup_3261(const sf_call *c, const sipflow_message *m,
                                                 sipflow_span method)
{
  sipflow_span b = m->branch, s = m->via_sent_by;
  size_t len = key_3261_len(m, method);

  for (guint i = c->txns.len; i-- > 0;) {
    sf_txn *t = g_ptr_array_index(&c->txns, i);
    const char *p = t->key.ptr;
    /* the branch's last byte first: where branches differ */
    if (t->key.len != len || p[b.len] != b.ptr[b.len - 1] || p[0] != '3')
      continue;
    /* "3": its branch starts with the magic cookie too, which is not
     * compared again */
    if (!part_at(p + 1 + strlen(SF_MAGIC_COOKIE), (sipflow_span){b.ptr + strlen(SF_MAGIC_COOKIE),
                                                                 b.len - strlen(SF_MAGIC_COOKIE)}))
      continue;
    p += 1 + b.len + 1;
    if (!part_at(p, s))
      continue;
    p += span_len(s) + 1;
    if (part_at(p, method))
      return t;
  }
  return NULL;
}

/* find_txn for an RFC 2543 key or a call with an index.  Not inline: its
 * key on the stack made every lookup save and restore registers. */
__attribute__((noinline)) static sf_txn *find_txn_keyed(sf_correlate *st, sf_call *c,
                                                       const sipflow_message *m,
                                                       sipflow_span method)
{
  txn_key k;
  build_key(&k, m, method);
  return txn_lookup(st, c, &k);
}

/* find_txn in a call with transactions.  Not inline: see find_txn_keyed. */
__attribute__((noinline)) static sf_txn *find_txn_in(sf_correlate *st, sf_call *c,
                                                    const sipflow_message *m,
                                                    sipflow_span method)
{
  if (G_LIKELY(!c->txn_index && has_magic_cookie(m)))
    return txn_lookup_3261(c, m, method);
  return find_txn_keyed(st, c, m, method);
}

/* The transaction of m's key with that method, NULL when none.  A new
 * call's first message (a fifth of them) has none to look through. */
static inline sf_txn *find_txn(sf_correlate *st, sf_call *c, const sipflow_message *m,
                               sipflow_span method)
{
  return c->txns.len ? find_txn_in(st, c, m, method) : NULL;
}

static void txn_index_add(sf_call *c, sf_txn *t)
{
  sf_calls_ptrs_add(c, &c->txns, t);
  if (!c->txn_index && c->txns.len > SF_TXN_LINEAR) {
    c->txn_index = g_hash_table_new(sf_correlate_key_hash, sf_correlate_key_equal);
    for (guint i = 0; i + 1 < c->txns.len; i++) {
      sf_txn *x = g_ptr_array_index(&c->txns, i);
      g_hash_table_insert(c->txn_index, &x->key, x);
    }
  }
  if (c->txn_index)
    g_hash_table_insert(c->txn_index, &t->key, t);
}


/* Copies m's key (with that method) into the call's strings: under the
 * RFC 3261 rule it holds the branch, NUL-terminated, which the
 * transaction's info shows. */
static void txn_keep_key(sf_call *c, sf_txn *t, const sipflow_message *m, sipflow_span method)
{
  char *key;

  t->rfc2543 = !has_magic_cookie(m);
  if (!t->rfc2543) {
    t->key.len = key_3261_len(m, method);
    key = sf_calls_string_room(c, t->key.len);
    key_3261_write(key, m, method);
    t->branch = key + 1; /* "3" branch NUL ... */
  } else {
    txn_key k;
    build_key(&k, m, method);
    t->key.len = k.len;
    key = sf_calls_string_room(c, k.len);
    key_write(&k, key);
    t->branch = m->branch.ptr ? sf_calls_strdup(c, m->branch.ptr, m->branch.len) : NULL;
  }
  t->key.ptr = key;
}

/* Not inline: kept apart, the lookups of every message need fewer
 * registers saved and restored. */
__attribute__((noinline)) static sf_txn *txn_new(sf_correlate *st, sf_call *c,
                                                const sipflow_message *m, sipflow_span method,
                                                sipflow_method mid)
{
  sf_txn *t = sf_calls_work_room(c, sizeof *t);
  /* the fields that start at zero, copied from a zero block: GCC stores
   * that with a few vector moves, where the memset became a `rep stos`,
   * slow to start (static: a zero block on the stack was written out
   * too before the copy) */
  static const struct {
    char b[offsetof(sf_txn, req_seen) - offsetof(sf_txn, final_reason)];
  } zero;
  memcpy(&t->final_reason, &zero, sizeof zero);

  t->id = ++st->next_txn;
  t->call = c;
  txn_keep_key(c, t, m, method);
  t->mid = mid;
  t->method = keep_method(c, method, mid);
  if (t->mid == SIPFLOW_METHOD_INVITE)
    c->saw_invite = true;
  t->cseq = m->cseq;
  t->src = m->is_request ? m->src : m->dst;
  t->dst = m->is_request ? m->dst : m->src;
  t->first_frame = m->frame;
  t->start_us = m->time_us;
  t->request_us = t->ring_us = t->progress_us = t->answer_us = t->final_us = SF_NO_TIME;
  if (!m->is_request) {
    /* Only the response was captured: the request was outside a dialog
     * unless the tags name a dialog already set up. */
    sf_dialog *d = sf_dialog_find(c, m);
    t->initial = !d || d->state == SIPFLOW_DIALOG_EARLY;
  }
  txn_index_add(c, t);
  return t;
}

/* The INVITE transaction a CANCEL or an ACK refers to (same key but the
 * method; RFC 3261 §9.2, §17.2.3). */
static sf_txn *invite_of(sf_correlate *st, sf_call *c, const sipflow_message *m)
{
  return find_txn(st, c, m, (sipflow_span){"INVITE", 6});
}

static bool same_branch(const sf_txn *t, const sipflow_message *m)
{
  if (!t->branch || !m->branch.ptr)
    return !t->branch && !m->branch.ptr;
  return strlen(t->branch) == m->branch.len && memcmp(t->branch, m->branch.ptr, m->branch.len) == 0;
}

/* The INVITE transaction a CANCEL cancels: RFC 3261 §9.1 wants the CANCEL's
 * top Via equal to the INVITE's, but some user agents change its sent-by
 * (e.g. drop the port), so failing the exact key the newest INVITE of the
 * call with the same CSeq number and branch is taken. */
static sf_txn *cancelled_invite(sf_correlate *st, sf_call *c, const sipflow_message *m)
{
  sf_txn *t = invite_of(st, c, m);
  for (guint i = c->txns.len; !t && i-- > 0;) {
    sf_txn *x = g_ptr_array_index(&c->txns, i);
    if (x->cseq == m->cseq && x->mid == SIPFLOW_METHOD_INVITE && same_branch(x, m))
      t = x;
  }
  return t;
}

/* Finds or creates the transaction of m.  *ack_of_final is set when m is
 * the ACK of a non-2xx final response, which belongs to the INVITE
 * transaction (§17.1.1.3); an ACK for a 2xx is a transaction of its own
 * (§13.2.2.4, it carries a new branch). */
static sf_txn *match_transaction(sf_correlate *st, sf_call *c, const sipflow_message *m,
                                 sipflow_method mid, bool *ack_of_final)
{
  sipflow_span method = method_of(m);
  sf_txn *t;

  *ack_of_final = false;
  if (m->is_request && mid == SIPFLOW_METHOD_ACK) {
    t = invite_of(st, c, m);
    if (t && !sf_status_is_2xx(t->final_status)) {
      *ack_of_final = true;
      return t;
    }
  }
  t = find_txn(st, c, m, method);
  if (t)
    return t;
  t = txn_new(st, c, m, method, the_method(m, mid));
  if (t->mid == SIPFLOW_METHOD_CANCEL)
    t->cancels = cancelled_invite(st, c, m);
  return t;
}

/* The room for the responses after the inline ones, taken the first
 * time it is needed (rare: forking, or many provisional responses). */
__attribute__((noinline)) static sf_resp_seen *resp_seen_more(sf_txn *t)
{
  if (!t->resp_more)
    t->resp_more = sf_calls_work_room(
      t->call, (SF_TXN_MAX_RESP_SEEN - SF_TXN_RESP_SEEN_INLINE) * sizeof(sf_resp_seen));
  return t->resp_more;
}

/* RFC 3261 §17.1.1.2 / §17.2.1: a request repeated in the same direction,
 * or a response with the same status, direction and To tag, is a
 * retransmission.  Records what is new. */
static bool is_retransmission(sf_txn *t, const sipflow_message *m, bool ack_of_final)
{
  uint32_t dir = direction_hash(&m->src, &m->dst);

  if (m->is_request) {
    for (unsigned i = 0; i < t->n_req_seen; i++)
      if (t->req_seen[i].dir == dir && t->req_seen[i].ack == ack_of_final)
        return true;
    if (t->n_req_seen < SF_TXN_MAX_REQ_SEEN)
      t->req_seen[t->n_req_seen++] = (sf_req_seen){.dir = dir, .ack = ack_of_final};
    return false;
  }
  uint32_t tag = span_hash(m->to_tag);
  unsigned n = t->n_resp_seen;
  for (unsigned i = 0; i < MIN(n, SF_TXN_RESP_SEEN_INLINE); i++)
    if (t->resp_seen[i].dir == dir && t->resp_seen[i].status == m->status &&
        t->resp_seen[i].to_tag == tag)
      return true;
  for (unsigned i = SF_TXN_RESP_SEEN_INLINE; i < n; i++) {
    const sf_resp_seen *r = &t->resp_more[i - SF_TXN_RESP_SEEN_INLINE];
    if (r->dir == dir && r->status == m->status && r->to_tag == tag)
      return true;
  }
  if (t->n_resp_seen < SF_TXN_RESP_SEEN_INLINE)
    t->resp_seen[t->n_resp_seen++] =
      (sf_resp_seen){.dir = dir, .to_tag = tag, .status = m->status};
  else if (t->n_resp_seen < SF_TXN_MAX_RESP_SEEN)
    resp_seen_more(t)[t->n_resp_seen++ - SF_TXN_RESP_SEEN_INLINE] =
      (sf_resp_seen){.dir = dir, .to_tag = tag, .status = m->status};
  return false;
}

/* An ACK for a 2xx acknowledges the INVITE(s) of the same CSeq number in the
 * call: with a proxy that does not record-route, the one ACK goes end to end
 * and stands for both hops. */
static void mark_2xx_acked(sf_call *c, uint32_t cseq)
{
  for (guint i = 0; i < c->txns.len; i++) {
    sf_txn *t = g_ptr_array_index(&c->txns, i);
    if (t->cseq == cseq && t->mid == SIPFLOW_METHOD_INVITE)
      t->ack_2xx = true;
  }
}

static void request_facts(sf_call *c, sf_txn *t, const sipflow_message *m,
                          bool ack_of_final)
{
  if (ack_of_final) {
    t->acked = true;
    return;
  }
  if (t->request_seen)
    return; /* the same request seen again at another capture point */
  t->request_seen = true;
  t->src = m->src;
  t->dst = m->dst;
  t->request_us = m->time_us;
  t->initial = !m->to_tag.ptr;
  if (t->initial)
    c->saw_initial = true;
  if (t->mid == SIPFLOW_METHOD_ACK) {
    mark_2xx_acked(c, m->cseq);
  } else if (!t->final_status) {
    t->open = true;
    c->open_txns++;
  }
}

/* Seconds in an "expires" value, capped: a lifetime longer than a day
 * would only make memory grow on hostile input.  -1 when not a number. */
#define SF_MAX_BINDING_S 86400

static long expires_seconds(const char *p, size_t n)
{
  size_t i = 0;
  long v = 0;

  while (i < n && (p[i] == ' ' || p[i] == '\t'))
    i++;
  if (i == n || !g_ascii_isdigit(p[i]))
    return -1;
  for (; i < n && g_ascii_isdigit(p[i]); i++)
    v = MIN(v * 10 + (p[i] - '0'), (long)SF_MAX_BINDING_S);
  return v;
}

/* The longest "expires" parameter in a Contact header value, -1 none. */
static long contact_expires(sipflow_span v)
{
  long best = -1;
  const char *semi;

  for (size_t i = 0; i + 8 <= v.len; i = (size_t)(semi - v.ptr) + 1) {
    semi = memchr(v.ptr + i, ';', v.len - 8 - i + 1);
    if (!semi)
      break;
    size_t k = (size_t)(semi - v.ptr) + 1;
    while (k < v.len && (v.ptr[k] == ' ' || v.ptr[k] == '\t'))
      k++;
    if (v.len - k < 8 || !sf_name_is(v.ptr + k, 8, "expires=", 8))
      continue;
    best = MAX(best, expires_seconds(v.ptr + k + 8, v.len - k - 8));
  }
  return best;
}

/* RFC 3261 §10.3 step 8: a registrar's 2xx lists the bindings with their
 * expires parameters (else the Expires header holds the lifetime, §10.2.1.1).
 * The UA refreshes before that with the same Call-ID (§10.2.4), so the call
 * of a REGISTER waits that long for the refresh before it is finalised.
 * Not inline: inlined, this rare path made the per-message code longer. */
__attribute__((noinline)) static int64_t binding_lifetime_us(const sipflow_message *m)
{
  const sf_message_internal *in = m->internal_;
  const sipflow_span *expires = NULL;
  unsigned contacts = 0;
  long s = -1;

  /* one pass for the first 16 Contact headers (compact form "m") and the
   * first Expires header (which has no compact form) */
  for (size_t i = 0; in && i < in->n_headers; i++) {
    const sf_header *h = &in->headers[i];
    if ((h->name.len == 1 && (h->name.ptr[0] | 0x20) == 'm') ||
        sf_name_is(h->name.ptr, h->name.len, "contact", 7)) {
      if (contacts++ < 16)
        s = MAX(s, contact_expires(h->value));
    } else if (!expires && sf_name_is(h->name.ptr, h->name.len, "expires", 7)) {
      expires = &h->value;
    }
  }
  if (s < 0 && expires)
    s = expires_seconds(expires->ptr, expires->len);
  return s > 0 ? (int64_t)s * G_USEC_PER_SEC : 0;
}

static void final_facts(sf_call *c, sf_txn *t, const sipflow_message *m)
{
  if (t->final_status)
    return; /* a second final (another fork): the first one counts */
  c->any_final = true;
  if (sf_status_is_2xx(m->status) && t->mid == SIPFLOW_METHOD_REGISTER)
    c->binding_us = binding_lifetime_us(m);
  t->final_status = m->status;
  t->final_reason = sf_calls_strdup(c, m->reason.ptr ? m->reason.ptr : "", m->reason.len);
  t->final_us = m->time_us;
  t->final_src = m->src;
  /* most finals have no Reason header: no call for them */
  t->final_q850 = m->reason_header.ptr ? sf_q850_cause(m) : 0;
  if (t->open) {
    t->open = false;
    c->open_txns--;
  }
  if (t->mid == SIPFLOW_METHOD_INVITE && t->initial && t->cseq >= c->last_invite_cseq) {
    c->last_invite_cseq = t->cseq;
    c->last_invite_final = m->status;
  }
  if (t->mid == SIPFLOW_METHOD_BYE)
    c->bye_answered = true;
}

static void response_facts(sf_call *c, sf_txn *t, const sipflow_message *m)
{
  int s = m->status;

  if (s > 100 && s < 200 && t->progress_us == SF_NO_TIME)
    t->progress_us = m->time_us;
  if ((s == 180 || s == 183) && t->ring_us == SF_NO_TIME)
    t->ring_us = m->time_us;
  if (sf_status_is_2xx(s) && t->answer_us == SF_NO_TIME)
    t->answer_us = m->time_us;
  if (s >= 200)
    final_facts(c, t, m);
}

static void dialog_count(sf_txn *t, sf_dialog *d, const sipflow_message *m)
{
  d->messages++;
  d->end_us = m->time_us;
  if (!t->dialog)
    t->dialog = d->id;
}


/* ------------------------------------------------------------- calls */

static void call_identity(sf_call *c, const sipflow_message *m, sipflow_method mid)
{
  if (c->have_request || (c->method && !m->is_request))
    return;
  mid = the_method(m, mid);
  c->method = keep_method(c, method_of(m), mid);
  c->mid = mid;
  c->from = m->from_uri.ptr ? sf_calls_strdup(c, m->from_uri.ptr, m->from_uri.len) : NULL;
  c->to = m->to_uri.ptr ? sf_calls_strdup(c, m->to_uri.ptr, m->to_uri.len) : NULL;
  c->src = m->is_request ? m->src : m->dst;
  c->dst = m->is_request ? m->dst : m->src;
  c->have_request = m->is_request;
}

static void call_count(sf_call *c, const sipflow_message *m)
{
  if (!c->messages) {
    c->first_frame = m->frame;
    c->start_us = m->time_us;
  }
  c->messages++;
  c->last_frame = m->frame;
  c->end_us = m->time_us;
}

static void txn_count(sf_txn *t, const sipflow_message *m)
{
  if (m->is_request)
    t->requests++;
  else
    t->responses++;
  t->last_frame = m->frame;
  t->end_us = m->time_us;
}

/* m has an X-Call-ID, X-CID or Session-ID header (the parser noted them),
 * for sf_calls_link_headers: most have none, and need no call. */
static bool may_link(const sipflow_message *m)
{
  const sf_message_internal *in = m->internal_;
  return in && (in->marks.have_x_call_id | in->marks.have_x_cid | in->marks.have_session_id);
}

static void correlate_message(sf_correlate *st, sf_call *c, sipflow_message *m,
                              sipflow_method mid)
{
  bool ack_of_final;
  sf_txn *t = match_transaction(st, c, m, mid, &ack_of_final);
  sf_dialog *d;

  call_identity(c, m, mid);
  call_count(c, m);
  txn_count(t, m);
  m->call = c->id;
  m->transaction = t->id;
  m->retransmission = is_retransmission(t, m, ack_of_final);
  if (m->retransmission) {
    /* Not a new event: no state or timing changes. */
    c->retransmissions++;
    t->retransmissions++;
    d = sf_dialog_find(c, m);
  } else {
    if (m->is_request)
      request_facts(c, t, m, ack_of_final);
    else
      response_facts(c, t, m);
    d = sf_dialog_update(st, c, t, m, ack_of_final);
    if (m->is_request && !m->to_tag.ptr && may_link(m))
      sf_calls_link_headers(st, c, m);
  }
  if (d)
    dialog_count(t, d, m);
  m->dialog = d ? d->id : 0;
}

/* ------------------------------------------------------ context hooks */

void sf_ctx_correlate_init(sipflow_ctx *ctx)
{
  ctx->correlate = sf_calls_new(ctx);
}

void sf_ctx_correlate(sipflow_ctx *ctx, sipflow_message *msg)
{
  sf_correlate *st = ctx->correlate;

  /* The slot of the message's call is asked for first: the table is too
   * big for the cache, and the expiry below (mostly the warming of the
   * next calls finalised) can run while it comes. */
  uint32_t h = sf_correlate_hash_bytes(msg->call_id.ptr, msg->call_id.len);
  sf_calls_prefetch(st, h);
  if (msg->time_us > st->now_us)
    st->now_us = msg->time_us;
  sf_calls_expire(st, st->now_us);
  sipflow_method mid =
    msg->is_request ? sf_stats_method(msg->method.ptr, msg->method.len) : SF_METHOD_UNKNOWN;
  sf_call *c = sf_calls_open(st, msg, h);
  correlate_message(st, c, msg, mid);
  sf_stats_message(st->stats, msg, mid);
  sf_calls_touch(st, c);
}

void sf_ctx_correlate_finish(sipflow_ctx *ctx)
{
  sf_calls_finish(ctx->correlate);
}

void sf_ctx_correlate_free(sipflow_ctx *ctx)
{
  sf_calls_free(ctx->correlate);
  ctx->correlate = NULL;
}