/*
 * The call store: one call per Call-ID, B2BUA leg links, and the
 * finalisation of calls (analysis, on_call_end, release).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Memory stays bounded on long captures (DESIGN.md "Performance and
 * scale") because a call is finalised and freed as soon as nothing more can
 * change it:
 *  - an INVITE call whose outcome is final (every transaction answered, no
 *    confirmed dialog left, and the last INVITE answered 2xx then
 *    BYE answered, or >= 400 other than the 401/407 challenges that invite a
 *    retry) is finalised `linger_us` (default 64*T1 = 32 s, RFC 3261
 *    §17.1.1.2: the longest a retransmission can come late) after its last
 *    message;
 *  - a call of other methods (REGISTER, OPTIONS ...) whose transactions are
 *    all answered is finalised when its Call-ID has not come back for the
 *    linger plus the lifetime its REGISTER 2xx granted (the refresh reuses
 *    the Call-ID, RFC 3261 §10.2.4), or plus SF_QUIET_US without one;
 *  - any call is finalised after `idle_timeout_us` without a message, when
 *    that option is set (off by default: an answered call can be silent for
 *    hours, and REGISTER keeps its Call-ID across refreshes, RFC 3261 §10.2);
 *  - the rest at sipflow_finish().
 * Calls wait in queues ordered by last message (registrations: by the end of
 * their lifetime), so each expiry check only looks at the heads.
 *
 * Hostile or broken input must not exhaust memory either (a flood of
 * requests with fresh Call-IDs and no answer never finalises by itself):
 * at most `max_open_calls` calls are open, and one call holds at most
 * SF_MAX_CALL_TRANSACTIONS transactions and as many dialogs.  Over a limit
 * a call is finalised early, delivered like any other, and reported
 * (SIPFLOW_DIAG_CALL_LIMIT); nothing is dropped silently.
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "analyze.h"
#include "sf_ctx.h"

#define SF_DEFAULT_LINGER_US SF_TIMER_B_US
/* How long a call of other methods than INVITE, every transaction answered,
 * waits (on top of the linger) for its Call-ID to come back when no
 * registration lifetime says better: keep-alive OPTIONS of some user agents
 * reuse one Call-ID every 30-120 s. */
#define SF_QUIET_US (300 * G_GINT64_CONSTANT(1000000))
/* About 3 KiB per open call with a few transactions (the call, its first
 * string and work blocks): 0.8 GiB at the limit,
 * and more concurrent calls than a capture of a large SBC shows. */
#define SF_DEFAULT_MAX_OPEN_CALLS 262144u

/* Session-ID (RFC 7989 §6): 32 hex digits; all zeros is the "null" UUID. */
#define SF_SESSION_ID_LEN 32

/* ------------------------------------------------------------- memory */

/* First block sizes: a typical call's strings (Call-ID, URIs, tags,
 * branches: 130-380 bytes on a 1 M-message capture, a registration's 215 on
 * average, an answered call's 260: with 256 bytes, the second blocks of
 * the calls that outgrow it cost more instructions than the bytes saved
 * were worth) and its work data (a
 * few transactions of ~330 bytes).  The work block fits a registration
 * (two transactions: the challenge, then the 2xx) or an OPTIONS ping
 * exactly: they wait in flight the longest (until the binding expires:
 * ~11 k of the ~13 k calls in flight on a 1 M-message capture), and every
 * byte over their needs was that much more memory faulted and zeroed (in
 * this VM, touching fresh memory is slow).  An answered call (1.2-1.5 KiB)
 * takes a second block, which the pool keeps too. */
#define SF_STRINGS_BLOCK 320u
#define SF_WORK_BLOCK ((2 * sizeof(sf_txn) + 15) & ~(size_t)15)

void sf_calls_ptrs_grow(sf_call *c, sf_ptrs *a)
{
  if (!a->cap && a == &c->txns) {
    a->pdata = c->txns_inline;
    a->cap = SF_CALL_TXNS_INLINE;
    return;
  }
  guint cap = a->cap ? a->cap * 2 : 8;
  gpointer *pdata = sf_arena_alloc(&c->work, cap * sizeof *pdata);
  if (a->len)
    memcpy(pdata, a->pdata, a->len * sizeof *pdata); /* the old copy stays in the
                                                        arena: at most as much again */
  a->pdata = pdata;
  a->cap = cap;
}

sf_call *sf_calls_find(sf_correlate *st, const char *call_id, size_t len)
{
  return sf_calltable_find(&st->calls, sf_correlate_hash_bytes(call_id, len), call_id, len);
}

/* g_queue_unlink / g_queue_push_tail_link, inline: they run for most
 * messages. */
static void queue_unlink(GQueue *q, GList *l)
{
  if (l->prev)
    l->prev->next = l->next;
  else
    q->head = l->next;
  if (l->next)
    l->next->prev = l->prev;
  else
    q->tail = l->prev;
  l->prev = l->next = NULL;
  q->length--;
}

static void queue_push_tail(GQueue *q, GList *l)
{
  l->next = NULL;
  l->prev = q->tail;
  if (q->tail)
    q->tail->next = l;
  else
    q->head = l;
  q->tail = l;
  q->length++;
}

/* The order of the active queue is needed only to finalise its head: with
 * an idle timeout, or when the open calls reach max_open_calls.  Until then
 * a call that stays active is not moved to the tail at each of its
 * messages (most messages: a call in progress is active), which took a
 * third of the work on a message's call and touched the cache lines of
 * its neighbours; its `touched` says where it belongs, and the first time
 * the order is needed the queue is sorted on it.  Kept in order from then
 * on. */
static gint by_touch(gconstpointer a, gconstpointer b, gpointer unused)
{
  const sf_call *x = a, *y = b;
  (void)unused;
  return x->touched < y->touched ? -1 : x->touched > y->touched;
}

static void order_active(sf_correlate *st)
{
  if (st->active_in_order)
    return;
  g_queue_sort(&st->active, by_touch, NULL); /* relinks the calls' own links */
  st->active_in_order = true;
}

/* ------------------------------------------------------------- calls */

/* Call structures come from slabs too, and go back to st->spare_calls.
 * They are 64-aligned, so that their hot fields share as few cache lines as
 * the layout of sf_call says. */
#define SF_CALL_ALIGN 64u
#define SF_CALL_SIZE ((sizeof(sf_call) + SF_CALL_ALIGN - 1) & ~(size_t)(SF_CALL_ALIGN - 1))

static sf_call *call_get(sf_correlate *st)
{
  if (!st->spare_calls) {
    /* one item more than used, to align the first one */
    char *slab = sf_arena_slab_new(&st->chunks, &st->call_slabs, SF_CALL_SIZE, SF_ARENA_SLAB_ITEMS + 1);
    char *items = (char *)(((uintptr_t)slab + SF_CALL_ALIGN - 1) & ~(uintptr_t)(SF_CALL_ALIGN - 1));
    for (size_t i = 0; i < SF_ARENA_SLAB_ITEMS; i++) {
      sf_call *c = (sf_call *)(items + i * SF_CALL_SIZE);
      c->link.data = c;
      c->link.next = st->spare_calls ? &st->spare_calls->link : NULL;
      st->spare_calls = c;
    }
  }
  sf_call *c = st->spare_calls;
  st->spare_calls = c->link.next ? c->link.next->data : NULL;
  return memset(c, 0, sizeof *c);
}

/* h: the hash of m's Call-ID (sf_calltable_find) */
static sf_call *call_new(sf_correlate *st, const sipflow_message *m, uint32_t h)
{
  sf_call *c = call_get(st);

  c->strings.pool = &st->strings_pool;
  c->work.pool = &st->work_pool;
  c->id = ++st->next_call;
  if (m->call_id.ptr && m->call_id.len < sizeof c->call_id_buf) {
    memcpy(c->call_id_buf, m->call_id.ptr, m->call_id.len); /* NUL: call_get zeroed it */
    c->call_id.ptr = c->call_id_buf;
  } else {
    c->call_id.ptr = sf_calls_strdup(c, m->call_id.ptr, m->call_id.len);
  }
  c->call_id.len = m->call_id.len;
  c->hash = m->call_id.ptr ? h : sf_correlate_hash_bytes(c->call_id.ptr, 0);
  c->link.data = c;
  return c;
}

/* What only correlation needs: the transactions, dialogs and their index. */
static void call_drop_work(sf_call *c)
{
  if (c->txn_index)
    g_hash_table_destroy(c->txn_index);
  c->txn_index = NULL;
  sf_arena_free(&c->work);
  memset(&c->txns, 0, sizeof c->txns);
  memset(&c->dialogs, 0, sizeof c->dialogs);
  memset(&c->session_ids, 0, sizeof c->session_ids);
}

static void call_free(sf_correlate *st, sf_call *c)
{
  sf_analyze_release(c);
  call_drop_work(c);
  sf_arena_free(&c->strings);
  c->link.data = c;
  c->link.next = st->spare_calls ? &st->spare_calls->link : NULL;
  st->spare_calls = c;
}

sf_correlate *sf_calls_new(sipflow_ctx *ctx)
{
  sf_correlate *st = g_new0(sf_correlate, 1);

  st->ctx = ctx;
  st->kept = g_hash_table_new(g_direct_hash, g_direct_equal);
  st->sessions = g_hash_table_new(g_str_hash, g_str_equal);
  st->xrefs = g_hash_table_new(sf_correlate_key_hash, sf_correlate_key_equal);
  g_queue_init(&st->active);
  g_queue_init(&st->over);
  g_queue_init(&st->quiet);
  g_queue_init(&st->registered);
  st->key = g_string_sized_new(128);
  st->options.linger_us = SF_DEFAULT_LINGER_US;
  st->now_us = INT64_MIN;
  st->next_expiry_us = INT64_MIN;
  st->stats = sf_stats_new();
  st->strings_pool.block = SF_STRINGS_BLOCK;
  st->work_pool.block = SF_WORK_BLOCK;
  st->strings_pool.chunks = st->work_pool.chunks = &st->chunks;
  return st;
}

static void free_call_value(gpointer key, gpointer value, gpointer user)
{
  call_free(user, value);
}

void sf_calls_free(sf_correlate *st)
{
  if (!st)
    return;
  for (size_t i = 0; st->calls.slots && i <= st->calls.mask; i++)
    if (st->calls.slots[i].hash)
      call_free(st, st->calls.slots[i].call);
  g_hash_table_foreach(st->kept, free_call_value, st);
  sf_calltable_free(&st->calls);
  sf_calltable_free(&st->calls_by_id);
  st->spare_calls = NULL;
  sf_arena_slabs_free(&st->call_slabs);
  g_hash_table_destroy(st->kept);
  sf_analyze_views_free(&st->final_views);
  sf_analyze_views_free(&st->query_views);
  g_hash_table_destroy(st->sessions);
  g_hash_table_destroy(st->xrefs);
  g_string_free(st->key, TRUE);
  sf_stats_free(st->stats);
  sf_arena_pool_clear(&st->strings_pool);
  sf_arena_pool_clear(&st->work_pool);
  sf_arena_chunks_free(&st->chunks);
  g_free(st);
}

/* -------------------------------------------------------------- links */

/* Two legs of one call through a B2BUA: exposed, calls kept separate. */
static void link_calls(sf_call *a, sf_call *b)
{
  if (a == b)
    return;
  if (!a->linked_call)
    a->linked_call = b->id;
  if (!b->linked_call)
    b->linked_call = a->id;
}

static sipflow_span trim(sipflow_span v)
{
  while (v.len && (v.ptr[0] == ' ' || v.ptr[0] == '\t' || v.ptr[0] == '<')) {
    v.ptr++;
    v.len--;
  }
  while (v.len && (v.ptr[v.len - 1] == ' ' || v.ptr[v.len - 1] == '\t' ||
                   v.ptr[v.len - 1] == '>' || v.ptr[v.len - 1] == '\r' ||
                   v.ptr[v.len - 1] == '\n'))
    v.len--;
  return v;
}

/* X-Call-ID / X-CID (de-facto B2BUA headers) name the other leg's Call-ID;
 * it may not have been seen yet, then c waits in the xref table. */
static void link_by_call_id(sf_correlate *st, sf_call *c, const sf_header_marks *h)
{
  sipflow_span v = {NULL, 0};

  if (c->xref.ptr || c->linked_call)
    return;
  if (h->have_x_call_id)
    v = h->x_call_id;
  if (!v.ptr && h->have_x_cid)
    v = h->x_cid;
  if (!v.ptr)
    return;
  v = trim(v);
  sf_key key = {v.ptr, v.len};
  if (!v.len || sf_correlate_key_equal(&key, &c->call_id))
    return;
  sf_call *other = sf_calls_find(st, v.ptr, v.len);
  if (other) {
    link_calls(c, other);
    return;
  }
  c->xref.ptr = sf_calls_strdup(c, v.ptr, v.len);
  c->xref.len = v.len;
  if (!g_hash_table_contains(st->xrefs, &c->xref))
    g_hash_table_insert(st->xrefs, &c->xref, c);
}

/* Copies a UUID (32 hex digits) lower-cased into out; false when the span
 * is not one or is the null UUID. */
static bool session_uuid(const char *p, size_t n, char out[SF_SESSION_ID_LEN + 1])
{
  bool zero = true;

  if (n != SF_SESSION_ID_LEN)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (!g_ascii_isxdigit(p[i]))
      return false;
    out[i] = g_ascii_tolower(p[i]);
    zero = zero && p[i] == '0';
  }
  out[n] = '\0';
  return !zero;
}

static void session_add(sf_correlate *st, sf_call *c, const char *uuid)
{
  sf_call *other = g_hash_table_lookup(st->sessions, uuid);
  if (other) {
    link_calls(c, other);
    return;
  }
  const char *kept = sf_calls_strdup(c, uuid, strlen(uuid));
  sf_calls_ptrs_add(c, &c->session_ids, (gpointer)kept);
  g_hash_table_insert(st->sessions, (gpointer)kept, c);
}

/* RFC 7989 §6: Session-ID: local-uuid [;remote=uuid].  A B2BUA that
 * supports it passes the UUIDs on, so the legs share them. */
static void link_by_session_id(sf_correlate *st, sf_call *c, const sf_header_marks *h)
{
  char uuid[SF_SESSION_ID_LEN + 1];

  if (!h->have_session_id || !h->session_id.ptr)
    return;
  sipflow_span v = trim(h->session_id);
  size_t i = 0;
  while (i < v.len && v.ptr[i] != ';' && v.ptr[i] != ' ' && v.ptr[i] != '\t')
    i++;
  if (session_uuid(v.ptr, i, uuid))
    session_add(st, c, uuid);
  for (size_t k = i; k + 7 <= v.len; k++) {
    if (g_ascii_strncasecmp(v.ptr + k, "remote=", 7) != 0)
      continue;
    size_t s = k + 7, e = s;
    while (e < v.len && g_ascii_isxdigit(v.ptr[e]))
      e++;
    if (session_uuid(v.ptr + s, e - s, uuid))
      session_add(st, c, uuid);
    break;
  }
}

/* The parser noted the three headers on its way through the message's
 * headers (sf_header_marks): no second walk over them here. */
void sf_calls_link_headers(sf_correlate *st, sf_call *c, const sipflow_message *m)
{
  const sf_message_internal *in = m->internal_;

  if (!in)
    return;
  link_by_call_id(st, c, &in->marks);
  link_by_session_id(st, c, &in->marks);
}

/* ------------------------------------------------------------- lookup */

static void finalise(sf_correlate *st, sf_call *c);

/* The call's Call-ID for a diagnostic, cut short (the CLI escapes it). */
static int diag_call_id_len(const sf_call *c)
{
  return (int)MIN(c->call_id.len, (size_t)80);
}

/* One call holds too much: it is finalised, and the message starts a new
 * call with the same Call-ID. */
static bool call_is_full(sf_correlate *st, sf_call *c, const sipflow_message *m)
{
  if (c->txns.len < SF_MAX_CALL_TRANSACTIONS && c->dialogs.len < SF_MAX_CALL_TRANSACTIONS)
    return false;
  sf_diag_emit(&st->ctx->diag, m->frame, SIPFLOW_DIAG_CALL_LIMIT,
               "frame %" PRIu64 ": call %" PRIu32 " (Call-ID %.*s) has %u transactions "
               "and %u dialogs, over the %u limit; finalised early, a new call starts",
               m->frame, c->id, diag_call_id_len(c), c->call_id.ptr, c->txns.len,
               c->dialogs.len, SF_MAX_CALL_TRANSACTIONS);
  finalise(st, c);
  return true;
}

/* Makes room for one more open call: finalises the least recently active
 * one, taking first a call whose outcome is already final. */
static void make_room(sf_correlate *st, const sipflow_message *m)
{
  size_t max = st->ctx->limits.max_open_calls ? st->ctx->limits.max_open_calls
                                              : SF_DEFAULT_MAX_OPEN_CALLS;

  while (st->calls.n >= max) {
    GQueue *q = st->over.head         ? &st->over
                : st->quiet.head      ? &st->quiet
                : st->registered.head ? &st->registered
                                      : &st->active;
    if (q == &st->active)
      order_active(st);
    if (!q->head)
      return;
    sf_call *old = q->head->data;
    sf_diag_emit(&st->ctx->diag, m->frame, SIPFLOW_DIAG_CALL_LIMIT,
                 "frame %" PRIu64 ": more than %zu open calls; the least recently "
                 "active, call %" PRIu32 " (Call-ID %.*s), finalised early",
                 m->frame, max, old->id, diag_call_id_len(old), old->call_id.ptr);
    finalise(st, old);
  }
}

sf_call *sf_calls_open_new(sf_correlate *st, const sipflow_message *m, uint32_t h, sf_call *c)
{
  if (c && !call_is_full(st, c, m))
    return c;
  make_room(st, m);
  c = call_new(st, m, h);
  sf_calltable_put(&st->calls, c->hash, c);
  if (st->by_id)
    sf_calltable_put(&st->calls_by_id, sf_calltable_id_hash(c->id), c);
  /* a call seen earlier named this Call-ID in X-Call-ID / X-CID */
  sf_call *referrer =
    g_hash_table_size(st->xrefs) ? g_hash_table_lookup(st->xrefs, &c->call_id) : NULL;
  if (referrer) {
    link_calls(c, referrer);
    g_hash_table_remove(st->xrefs, &c->call_id);
  }
  return c;
}

/* ------------------------------------------------------- finalisation */

static GQueue *queue_of(sf_correlate *st, sf_call_queue q)
{
  switch (q) {
  case SF_QUEUE_ACTIVE: return &st->active;
  case SF_QUEUE_OVER: return &st->over;
  case SF_QUEUE_QUIET: return &st->quiet;
  case SF_QUEUE_REGISTERED: return &st->registered;
  default: return NULL;
  }
}

static int64_t registration_end(const sf_call *c)
{
  return c->end_us + c->binding_us;
}

/* Registrations are kept in the order their lifetimes end.  A capture's
 * lifetimes are mostly the same, so a call goes at the tail or near it; the
 * walk back is capped (a call then waits somewhat longer than its own
 * lifetime, which only costs memory, and boundedly). */
#define SF_SORTED_WALK 64

static void insert_registered(sf_correlate *st, sf_call *c)
{
  GList *after = st->registered.tail;
  for (unsigned n = 0; after && n < SF_SORTED_WALK &&
                       registration_end(after->data) > registration_end(c);
       n++)
    after = after->prev;
  if (after && registration_end(after->data) > registration_end(c))
    after = st->registered.tail; /* walk capped: at the tail */
  if (!after) {
    g_queue_push_head_link(&st->registered, &c->link);
    return;
  }
  /* link after `after` (g_queue has no link-level insert-after) */
  c->link.prev = after;
  c->link.next = after->next;
  if (after->next)
    after->next->prev = &c->link;
  else
    st->registered.tail = &c->link;
  after->next = &c->link;
  st->registered.length++;
}

static int64_t call_deadline(const sf_correlate *st, const sf_call *c);
static void expiry_lower(sf_correlate *st, const sf_call *c);
static void queue_unlink_call(sf_correlate *st, GQueue *q, sf_call *c);

void sf_calls_requeue(sf_correlate *st, sf_call *c, sf_call_queue q)
{
  GQueue *from = queue_of(st, c->queue);
  if (from)
    queue_unlink_call(st, from, c);
  c->queue = q;
  GQueue *to = queue_of(st, q);
  if (q == SF_QUEUE_REGISTERED)
    insert_registered(st, c);
  else
    queue_push_tail(to, &c->link);
  if (to->head == &c->link) /* a new head: maybe due sooner */
    expiry_lower(st, c);
}

/* Removes c from every table of the context. */
static void detach(sf_correlate *st, sf_call *c)
{
  GQueue *q = queue_of(st, c->queue);
  if (q)
    queue_unlink_call(st, q, c);
  c->queue = SF_QUEUE_NONE;
  sf_calltable_remove(&st->calls, c->hash, c);
  if (st->by_id)
    sf_calltable_remove(&st->calls_by_id, sf_calltable_id_hash(c->id), c);
  if (c->xref.ptr && g_hash_table_lookup(st->xrefs, &c->xref) == c)
    g_hash_table_remove(st->xrefs, &c->xref);
  for (guint i = 0; i < c->session_ids.len; i++) {
    const char *u = g_ptr_array_index(&c->session_ids, i);
    if (g_hash_table_lookup(st->sessions, u) == c)
      g_hash_table_remove(st->sessions, u);
  }
}

static void finalise(sf_correlate *st, sf_call *c)
{
  const sipflow_call_info *info =
    sf_analyze_call(c, st->now_us, &st->final_views, sf_calls_lists_wanted(st));

  detach(st, c);
  sf_stats_call(st->stats, info);
  if (st->ctx->cb.on_call_end)
    st->ctx->cb.on_call_end(info, st->ctx->user);
  if (st->options.keep_calls) {
    /* only the info view (and the strings it points to) is kept */
    sf_analyze_keep(c);
    call_drop_work(c);
    g_hash_table_insert(st->kept, GUINT_TO_POINTER(c->id), c);
  } else {
    call_free(st, c);
  }
}

static bool expired(const sf_call *c, int64_t now_us, int64_t limit_us)
{
  return limit_us >= 0 && now_us - c->end_us > limit_us;
}

static void expire_queue(sf_correlate *st, GQueue *q, int64_t now_us, int64_t limit_us)
{
  while (q->head && expired(q->head->data, now_us, limit_us))
    finalise(st, q->head->data);
}

/* The shorter of two limits (< 0: none). */
static int64_t sooner(int64_t a, int64_t b)
{
  if (a < 0)
    return b;
  return b < 0 || a < b ? a : b;
}

/* How long a call of the quiet or registered queue waits for its Call-ID
 * to come back.  (With an idle timeout shorter than that, a registration
 * may be finalised a little after it: its queue is ordered by lifetime.) */
static int64_t quiet_limit(const sf_correlate *st, const sf_call *c, int64_t idle)
{
  int64_t linger = st->options.linger_us;
  int64_t wait = c->binding_us > 0 ? c->binding_us : SF_QUIET_US;
  return sooner(linger < 0 ? -1 : linger + wait, idle);
}

static void expire_quiet(sf_correlate *st, GQueue *q, int64_t now_us, int64_t idle)
{
  while (q->head && expired(q->head->data, now_us, quiet_limit(st, q->head->data, idle)))
    finalise(st, q->head->data);
}

static int64_t idle_limit(const sf_correlate *st)
{
  return st->options.idle_timeout_us > 0 ? st->options.idle_timeout_us : -1;
}

/* The time after which c, in its queue, expires (the inverse of expired()),
 * INT64_MAX for never. */
static int64_t call_deadline(const sf_correlate *st, const sf_call *c)
{
  int64_t idle = idle_limit(st), limit;

  switch (c->queue) {
  case SF_QUEUE_OVER: limit = sooner(st->options.linger_us, idle); break;
  case SF_QUEUE_QUIET:
  case SF_QUEUE_REGISTERED: limit = quiet_limit(st, c, idle); break;
  case SF_QUEUE_ACTIVE: limit = idle; break;
  default: return INT64_MAX;
  }
  if (limit < 0 || c->end_us > INT64_MAX - limit)
    return INT64_MAX;
  return c->end_us + limit;
}

static int64_t head_deadline(const sf_correlate *st, const GQueue *q)
{
  return q->head ? call_deadline(st, q->head->data) : INT64_MAX;
}

/* next_expiry_us lowered to c's deadline, when c is a new head.  At
 * INT64_MIN ("check at the next message", and while the expiry runs, which
 * works it out again after) it stays so: nothing to work out. */
static void expiry_lower(sf_correlate *st, const sf_call *c)
{
  if (st->next_expiry_us != INT64_MIN)
    st->next_expiry_us = MIN(st->next_expiry_us, call_deadline(st, c));
}

/* Takes c out of q.  When c was its head, the next call becomes the head;
 * a queue is in deadline order only roughly (capture times can step back;
 * registrations are sorted with a capped walk), so it may be due sooner. */
static inline void queue_unlink_call(sf_correlate *st, GQueue *q, sf_call *c)
{
  bool was_head = q->head == &c->link;

  queue_unlink(q, &c->link);
  if (was_head && q->head)
    expiry_lower(st, q->head->data);
}

void sf_calls_expire_due(sf_correlate *st, int64_t now_us)
{
  int64_t idle = idle_limit(st);
  st->next_expiry_us = INT64_MIN; /* worked out below, after the calls due */
  expire_queue(st, &st->over, now_us, sooner(st->options.linger_us, idle));
  expire_quiet(st, &st->quiet, now_us, idle);
  expire_quiet(st, &st->registered, now_us, idle);
  /* without an idle timeout an active call never expires (and its head,
   * not otherwise read, is left alone) */
  if (idle >= 0)
    expire_queue(st, &st->active, now_us, idle);
  st->next_expiry_us = MIN(MIN(head_deadline(st, &st->over), head_deadline(st, &st->quiet)),
                           MIN(head_deadline(st, &st->registered),
                               idle >= 0 ? head_deadline(st, &st->active) : INT64_MAX));
}

/* Sorts n slots by id: a radix sort, a byte of the id per pass (qsort's
 * calls through a function pointer cost more than the rest of the end). */
static void sort_slots_by_id(sf_call_slot *a, size_t n)
{
  sf_call_slot *tmp = g_new(sf_call_slot, n + 1), *from = a, *to = tmp;

  for (unsigned shift = 0; shift < 32; shift += 8) {
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++)
      count[(from[i].id >> shift & 0xff) + 1]++;
    for (unsigned b = 0; b < 256; b++)
      count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++) /* stable: keeps the order of the lower bytes */
      to[count[from[i].id >> shift & 0xff]++] = from[i];
    sf_call_slot *x = from;
    from = to;
    to = x;
  }
  /* four passes: the sorted slots are back in a */
  g_free(tmp);
}

/* How many calls ahead of the one finalised the next ones are brought into
 * the cache, one sf_calls_warm_call step each. */
#define SF_FINISH_AHEAD SF_WARM_STEPS

void sf_calls_finish(sf_correlate *st)
{
  /* The open calls in id order (the order they were created in), sorted
   * by the ids their slots keep; finalise() takes out of the tables only
   * the call it finalises. */
  size_t n = 0;
  sf_call_slot *open = g_new(sf_call_slot, st->calls.n + 1);
  st->next_expiry_us = INT64_MIN; /* no more deadlines to follow */
  for (size_t i = 0; st->calls.slots && i <= st->calls.mask; i++)
    if (st->calls.slots[i].hash)
      open[n++] = st->calls.slots[i];
  sort_slots_by_id(open, n);
  for (size_t i = 0; i < n; i++) {
    /* the steps of sf_calls_warm_next, in a pipeline over the next calls */
    for (unsigned k = 1; k <= SF_FINISH_AHEAD && i + k < n; k++)
      sf_calls_warm_call(st, open[i + k].call, SF_FINISH_AHEAD - k); /* farthest: step 0 */
    finalise(st, open[i].call);
  }
  g_free(open);
}

/* ----------------------------------------------------------- public API */

int sipflow_set_call_options(sipflow_ctx *ctx, const sipflow_call_options *options)
{
  if (!ctx || !options)
    return SIPFLOW_ERR_INVALID;
  sf_correlate *st = ctx->correlate;
  st->options = *options;
  if (st->options.idle_timeout_us > 0) /* the active queue expires too */
    order_active(st);
  if (!st->options.linger_us)
    st->options.linger_us = SF_DEFAULT_LINGER_US;
  st->next_expiry_us = INT64_MIN; /* the deadlines change */
  return SIPFLOW_OK;
}

const sipflow_call_info *sipflow_get_call(sipflow_ctx *ctx, uint32_t call)
{
  if (!ctx)
    return NULL;
  sf_correlate *st = ctx->correlate;
  sf_call *c = g_hash_table_lookup(st->kept, GUINT_TO_POINTER(call));
  if (c)
    return c->info;
  if (!st->by_id) { /* the first question: the index of open calls by id */
    for (size_t i = 0; st->calls.slots && i <= st->calls.mask; i++)
      if (st->calls.slots[i].hash)
        sf_calltable_put(&st->calls_by_id, sf_calltable_id_hash(st->calls.slots[i].id),
                         st->calls.slots[i].call);
    st->by_id = true;
  }
  c = sf_calltable_find_id(&st->calls_by_id, call);
  return c ? sf_analyze_call(c, st->now_us, &st->query_views, true) : NULL;
}

int sipflow_get_stats(sipflow_ctx *ctx, sipflow_stats *out)
{
  if (!ctx || !out)
    return SIPFLOW_ERR_INVALID;
  sf_correlate *st = ctx->correlate;
  sf_stats_fill(st->stats, out);
  return SIPFLOW_OK;
}
