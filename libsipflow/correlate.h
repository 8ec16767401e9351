/*
 * correlate stage, private: the facts kept per call, transaction and dialog.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * correlate.c fills these structures message by message (copying what it
 * keeps: message spans die after the callback); analyze.c turns them into a
 * sipflow_call_info (state, timings, anomalies, failure sentence).  All the
 * memory of a call (its strings, transactions, dialogs and its info view)
 * belongs to the call and goes away with it.
 */
#ifndef SF_CORRELATE_H
#define SF_CORRELATE_H

#include <string.h>

#include "sf_internal.h"

/* "No time yet": capture times can be 0 or negative in tests. */
#define SF_NO_TIME INT64_MIN

/* Retransmission memory of a transaction: what was already seen.  Directions
 * and tags are kept as 32-bit hashes (a collision only hides a
 * retransmission flag, it never merges transactions).  The first
 * SF_TXN_RESP_SEEN_INLINE responses are kept in the transaction (an INVITE
 * sees 100, 180 or 183, and a final: 3-4), the rest up to the maximum in
 * room taken from the call's work arena when needed: with room for 16 in
 * every transaction, the registrations waiting for their binding to
 * expire (~11 k on a 1 M-message capture, 2 transactions each) held
 * 4 MiB of it unused. */
#define SF_TXN_MAX_REQ_SEEN 4
#define SF_TXN_MAX_RESP_SEEN 16
#define SF_TXN_RESP_SEEN_INLINE 4

typedef struct sf_req_seen {
  uint32_t dir;      /* hash of src -> dst */
  bool ack;          /* the ACK of a non-2xx final, else the request itself */
} sf_req_seen;

typedef struct sf_resp_seen {
  uint32_t dir;
  uint32_t to_tag;   /* hash, 0 = no tag */
  int status;
} sf_resp_seen;

/* A span-like hash key, stored inside the object it indexes. */
typedef struct sf_key {
  const char *ptr;
  size_t len;
} sf_key;

struct sf_call;

/* A bump allocator (arena.c): a call's memory comes in a few blocks that are
 * freed at once, instead of a dozen heap objects per call and per
 * transaction (allocation was a fifth of the time on big captures). */
typedef struct sf_arena_block {
  struct sf_arena_block *next; /* the older block */
  size_t size; /* of the data after the header (which keeps it 16-aligned) */
} sf_arena_block;

typedef struct sf_arena {
  struct sf_arena_block *blocks;
  char *cur;
  size_t left, next_size;
  struct sf_block_pool *pool;  /* where first-size blocks come from and go */
} sf_arena;

/* Memory handed out in slabs of a few dozen items (arena.c): one malloc
 * while the number of calls in flight grows, none in a steady stream.
 * Slabs are freed together with the context. */
typedef struct sf_slab {
  struct sf_slab *next;
  size_t in_chunk;             /* cut from an sf_chunks (not freed alone);
                                  also keeps the items 16-aligned */
} sf_slab;

/* Where slabs are cut from (arena.c), once a capture has a few MiB of
 * them: chunks of 2 MiB that the kernel may back with one huge page each.  Thousands of calls in flight spread over
 * tens of MiB; in 4 KiB pages every call touched was a TLB miss besides
 * its cache misses (with huge pages `sipflow calls` took a fifth less
 * time on a 1 M-message capture).  Freed together with the context. */
typedef struct sf_chunks {
  struct sf_chunk *list;
  char *cur;
  size_t left;
  size_t malloced;             /* slab bytes from malloc before the first
                                  chunk (arena.c) */
} sf_chunks;

/* First- and second-size blocks not in use (spare[0]: block bytes,
 * spare[1]: twice that): as many as were in use at once, at most. */
typedef struct sf_block_pool {
  struct sf_arena_block *spare[2];
  sf_slab *slabs;
  size_t block;                /* the size of the blocks it keeps */
  sf_chunks *chunks;           /* where its slabs come from */
} sf_block_pool;

/* An array of pointers growing in a call's arena.  Same shape as GPtrArray
 * (pdata, len), so g_ptr_array_index() reads it. */
typedef struct sf_ptrs {
  gpointer *pdata;
  guint len, cap;
} sf_ptrs;

typedef struct sf_txn {
  /* set by txn_new (correlate.c) */
  uint32_t id;
  sipflow_method mid;         /* method as a number: compared on every
                                 message, where strcmp was 5% of the time */
  struct sf_call *call;
  sf_key key;                 /* copy in the call's strings */
  const char *method;
  const char *branch;
  uint32_t cseq;
  bool rfc2543;
  sipflow_endpoint src, dst;  /* client -> server */
  uint64_t first_frame;
  int64_t start_us;
  int64_t request_us;         /* first request, SF_NO_TIME when none */
  int64_t ring_us;            /* first 180/183 */
  int64_t progress_us;        /* first 101-199 */
  int64_t answer_us;          /* first 2xx */
  int64_t final_us;           /* first final */
  /* zero in a new transaction, from here to req_seen (one memset of a
   * third of the structure; the retransmission memory is read only up to
   * n_req_seen, n_resp_seen) */
  const char *final_reason;
  bool request_seen;
  bool initial;               /* request outside a dialog (no To tag) */
  bool acked;                 /* INVITE: ACK of its non-2xx final seen */
  bool ack_2xx;               /* INVITE: an ACK for its 2xx seen */
  bool open;                  /* request seen, no final yet (counted in
                                 the call's open_txns) */
  uint8_t n_req_seen, n_resp_seen;
  uint64_t last_frame;
  int64_t end_us;
  int final_status;
  int final_q850;             /* Q.850 cause in the final's Reason, 0 none */
  sipflow_endpoint final_src; /* who sent the first final */
  uint32_t requests, responses, retransmissions;
  uint32_t dialog;            /* first dialog id seen in it, 0 = none */
  struct sf_txn *cancels;     /* CANCEL: the INVITE transaction it cancels */
  struct sf_resp_seen *resp_more; /* responses SF_TXN_RESP_SEEN_INLINE .. max-1
                                 (work arena), NULL until the inline ones
                                 are used up */
  sf_req_seen req_seen[SF_TXN_MAX_REQ_SEEN];
  sf_resp_seen resp_seen[SF_TXN_RESP_SEEN_INLINE];
} sf_txn;

/* The i-th response a transaction saw (i < n_resp_seen). */
static inline const sf_resp_seen *sf_txn_resp_seen(const sf_txn *t, unsigned i)
{
  return i < SF_TXN_RESP_SEEN_INLINE ? &t->resp_seen[i]
                                     : &t->resp_more[i - SF_TXN_RESP_SEEN_INLINE];
}

typedef struct sf_dialog {
  uint32_t id;
  const char *from_tag, *to_tag;
  const char *method;
  sipflow_method mid;
  uint32_t txn;
  uint32_t cseq;
  size_t from_len, to_len;    /* of from_tag, to_tag */
  sipflow_endpoint uac, uas;
  sipflow_dialog_state state;
  bool before_capture;
  uint64_t created_frame, confirmed_frame, terminated_frame;
  int64_t start_us, end_us;
  uint32_t messages;
} sf_dialog;

/* Which finalisation queue a call is in (calls.c).  QUIET: a call of
 * other methods than INVITE (REGISTER, OPTIONS ...) with every transaction
 * answered, waiting to see whether its Call-ID is used again; REGISTERED:
 * the same for a REGISTER whose 2xx granted a lifetime (binding_us). */
typedef enum sf_call_queue {
  SF_QUEUE_NONE = 0, SF_QUEUE_ACTIVE, SF_QUEUE_OVER, SF_QUEUE_QUIET, SF_QUEUE_REGISTERED
} sf_call_queue;

/* Room for a Call-ID inside the call (most are 20-50 bytes): the Call-ID
 * table compares a message's Call-ID with it, and kept inside the call it
 * arrives with the call's first lines instead of one more cache miss on
 * the call's strings. */
#define SF_CALL_ID_INLINE 48
/* Transactions of a call whose pointers the call holds itself (most calls
 * have 2-6): one miss less per message. */
#define SF_CALL_TXNS_INLINE 4

/* The fields every message reads or writes come first, in the first three
 * cache lines (calls are 64-aligned, calls.c), followed by the inline
 * Call-ID: with thousands of calls in flight a call is out of the cache
 * when its next message comes, and these lines are asked for at once
 * (sf_calltable_find) instead of one miss after the other. */
typedef struct sf_call {
  /* line 0: lookup */
  uint32_t id;
  uint32_t hash;              /* sf_correlate_hash_bytes of call_id */
  sf_key call_id;             /* NUL-terminated copy (call_id_buf or the
                                 strings); key of the Call-ID table */
  sf_ptrs txns;               /* sf_txn* (work arena), in id order */
  sf_ptrs dialogs;            /* sf_dialog* (work arena), in id order */
  GHashTable *txn_index;      /* sf_key* -> sf_txn*, only for calls with
                                 many transactions (else a linear search) */
  /* line 1: counting and the finalisation queue */
  GList link;                 /* in its finalisation queue; data = this call */
  int64_t end_us;
  uint64_t last_frame;
  uint32_t messages, retransmissions;
  /* incremental facts for "is the outcome final?" (finalisation) */
  uint32_t open_txns;         /* requests seen without final response */
  uint32_t confirmed_dialogs; /* confirmed, not terminated (an early dialog
                                 left by forking does not keep a call open:
                                 the UAC drops it, RFC 3261 §13.2.2.4) */
  int last_invite_final;      /* final of the newest initial INVITE, 0 none */
  sf_call_queue queue;
  /* line 2 */
  const char *method;
  uint64_t touched;           /* sf_correlate.touches at its last message:
                                 the order of the active queue */
  uint32_t last_invite_cseq;
  sipflow_method mid;         /* of method */
  bool have_request;          /* src/dst/from/to come from a request */
  bool saw_initial;           /* an out-of-dialog request was seen */
  bool bye_answered;
  bool saw_invite;            /* an INVITE transaction (else: QUIET queue) */
  bool any_final;             /* a final response in some transaction */
  bool info_owned;
  gpointer txns_inline[SF_CALL_TXNS_INLINE]; /* txns.pdata while it fits:
                                 the transactions are then asked for as
                                 soon as the call's lines arrive */
  /* line 3 */
  char call_id_buf[SF_CALL_ID_INLINE];
  sf_arena strings;           /* strings, kept as long as the call's info
                                 (its blocks and cur in line 3: the
                                 transaction keys and tags a message is
                                 compared with are asked for from them) */
  int64_t binding_us;         /* REGISTER: lifetime granted by the last 2xx
                                 (the refresh reuses the Call-ID), 0 none;
                                 read with a final response, which writes
                                 its reason into the strings (same line) */
  /* the rest: read at the call's start and end */
  uint64_t first_frame;
  int64_t start_us;
  sf_arena work;              /* transactions, dialogs, keys, arrays: freed
                                 when the call is finalised */
  const char *from, *to;
  sipflow_endpoint src, dst;
  uint32_t linked_call;
  sf_ptrs session_ids;        /* const char* (in strings) this call put in
                                 the context's Session-ID table */
  sf_key xref;                /* Call-ID named by X-Call-ID/X-CID, waiting
                                 in the context's xref table (ptr NULL: none) */
  /* the public view, built by analyze.c (sf_analyze_call); it and its
   * arrays are in an sf_views of the context until sf_analyze_keep gives
   * the call its own copy (info_owned): most calls never need one, and
   * thousands are open at once */
  sipflow_call_info *info;
} sf_call;

/* The lines sf_calltable_find asks for: up to the end of the inline
 * Call-ID. */
#define SF_CALL_HOT_BYTES (offsetof(sf_call, call_id_buf) + SF_CALL_ID_INLINE)

/* Room for the transaction and dialog arrays of a call's info view,
 * reused from one call to the next: a view is read during on_call_end or
 * until the next sipflow_get_call, so one allocation per call (a tenth of
 * the analysis) is not needed. */
typedef struct sf_views {
  sipflow_call_info info;
  sipflow_transaction_info *txns;
  sipflow_dialog_info *dialogs;
  size_t txns_cap, dialogs_cap;
} sf_views;

/* An open-addressing table of calls (calltable.c): slots hold a hash and
 * the call, so a probe touches one array and a call only on a hash match.
 * One table is keyed by Call-ID (hash of the bytes), one by call id. */
typedef struct sf_call_slot {
  uint32_t hash;              /* 0: empty */
  uint32_t id;                /* the call's id (sorting without reading calls) */
  sf_call *call;
} sf_call_slot;

typedef struct sf_call_table {
  sf_call_slot *slots;
  size_t mask;                /* number of slots - 1 (a power of two) */
  size_t n;
} sf_call_table;

/* A call being brought into the cache one step per message (calls.c). */
typedef struct sf_warm {
  const struct sf_call *call;
  unsigned step;
} sf_warm;

/* The state of the correlate stage, hung off sipflow_ctx.correlate. */
typedef struct sf_stats sf_stats;

typedef struct sf_correlate {
  sipflow_ctx *ctx;           /* for on_call_end */
  sf_call_table calls;        /* open calls by Call-ID */
  sf_call_table calls_by_id;  /* open calls by id, only once by_id is set */
  bool by_id;                 /* sipflow_get_call asked for an open call:
                                 calls_by_id is kept from then on (a reader
                                 that never asks pays nothing for it) */
  GHashTable *kept;           /* id -> sf_call*, finalised calls (keep_calls) */
  GHashTable *sessions;       /* Session-ID UUID (call's strings) -> sf_call* */
  GHashTable *xrefs;          /* sf_key* (referrer->xref) -> referrer sf_call* */
  GQueue active;              /* open calls, least recently touched first
                                 once active_in_order is set, else in no
                                 particular order (sf_calls_touch) */
  GQueue over;                /* open calls whose outcome is final, same order */
  GQueue quiet;               /* non-INVITE calls all answered, same order */
  GQueue registered;          /* registrations, by end_us + binding_us */
  uint32_t next_call, next_txn, next_dialog;
  uint64_t touches;           /* messages correlated (sf_call.touched) */
  bool active_in_order;       /* the active queue is kept in order */
  GString *key;               /* scratch: a transaction key written out, for
                                 the calls with a txn_index */
  sipflow_call_options options;
  int64_t now_us;             /* latest capture time seen */
  int64_t next_expiry_us;     /* no open call expires before this (calls.c:
                                 at most the earliest deadline of the queue
                                 heads, so most messages skip the check) */
  sf_stats *stats;
  sf_chunks chunks;           /* the slabs' memory */
  sf_block_pool strings_pool, work_pool; /* for the calls' arenas */
  struct sf_call *spare_calls; /* calls not in use, linked by link.next */
  sf_slab *call_slabs;
  sf_views final_views;       /* for the call being finalised */
  sf_views query_views;       /* for sipflow_get_call on an open call */
  sf_warm warm_over[2];       /* the queue heads (and the calls after */
  sf_warm warm_quiet[2];      /* them) being brought into the cache: the */
  sf_warm warm_registered[2]; /* next calls finalised (calls.c) */
  unsigned warm_turn;
} sf_correlate;

/* The info of a call finalised gets its transaction and dialog lists
 * (sipflow_call_options.summary_only, which keep_calls overrides). */
static inline bool sf_calls_lists_wanted(const sf_correlate *st)
{
  return !st->options.summary_only || st->options.keep_calls;
}

/* Asks for the cache line at p (a hint: no fault on any address, NULL
 * too).  GCC and clang emit prefetcht0 / prfm for it at -O2.  The empty
 * asm emits nothing but is a side effect the compiler must keep: without
 * it GCC (12, -O2) took a function that only prefetches for a pure one
 * and deleted the calls to it made from its own file (warm_queue's calls
 * to sf_calls_warm_call, the strings block of sf_calls_prefetch_call,
 * analyze.c's prefetch_transactions: none of them ran; objdump now shows
 * them). */
static inline void sf_prefetch(const void *p)
{
  __builtin_prefetch(p);
  __asm__ volatile("");
}

/* correlate.c */

/* Unaligned loads of 8 and 4 bytes (memcpy: one mov each). */
static inline uint64_t sf_load64(const char *p)
{
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

static inline uint32_t sf_load32(const char *p)
{
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

/* The n bytes at a and b are equal.  Inline: the strings compared on every
 * message (Call-IDs, transaction keys, tags) are short, and a call to
 * memcmp costs more than the comparison.  Sixteen bytes a step, the last
 * ones (or a short string) as two loads that may overlap: only the length
 * is branched on, not each word. */
static inline bool sf_bytes_equal(const char *a, const char *b, size_t n)
{
  if (n <= 16) {
    if (n >= 8)
      return ((sf_load64(a) ^ sf_load64(b)) |
              (sf_load64(a + n - 8) ^ sf_load64(b + n - 8))) == 0;
    if (n >= 4)
      return ((sf_load32(a) ^ sf_load32(b)) |
              (sf_load32(a + n - 4) ^ sf_load32(b + n - 4))) == 0;
    /* 1-3 bytes: the first, middle and last cover them all */
    return n == 0 || ((a[0] ^ b[0]) | (a[n / 2] ^ b[n / 2]) | (a[n - 1] ^ b[n - 1])) == 0;
  }
  for (; n > 16; a += 16, b += 16, n -= 16)
    if ((sf_load64(a) ^ sf_load64(b)) | (sf_load64(a + 8) ^ sf_load64(b + 8)))
      return false;
  a += n, b += n; /* the last 16 bytes, overlapping the previous step */
  return ((sf_load64(a - 16) ^ sf_load64(b - 16)) | (sf_load64(a - 8) ^ sf_load64(b - 8))) == 0;
}

static inline void sf_store64(char *p, uint64_t w)
{
  memcpy(p, &w, 8);
}

static inline void sf_store32(char *p, uint32_t w)
{
  memcpy(p, &w, 4);
}

/* memcpy(d, s, n) for the short strings a call keeps (tags, branches,
 * addresses, method names): up to 32 bytes as loads and stores that may
 * overlap, without a call into the C library. */
static inline void sf_copy_short(char *d, const char *s, size_t n)
{
  if (n >= 8) {
    if (n > 32) {
      memcpy(d, s, n);
      return;
    }
    uint64_t a = sf_load64(s), b = sf_load64(s + n - 8);
    if (n > 16) {
      uint64_t x = sf_load64(s + 8), y = sf_load64(s + n - 16);
      sf_store64(d + 8, x);
      sf_store64(d + n - 16, y);
    }
    sf_store64(d, a);
    sf_store64(d + n - 8, b);
  } else if (n >= 4) {
    uint32_t a = sf_load32(s), b = sf_load32(s + n - 4);
    sf_store32(d, a);
    sf_store32(d + n - 4, b);
  } else if (n) { /* 1-3 bytes: the first, middle and last cover them all */
    char a = s[0], b = s[n / 2], x = s[n - 1];
    d[0] = a;
    d[n / 2] = b;
    d[n - 1] = x;
  }
}

/* n (a header or parameter name) is lit, of len bytes, in any ASCII case
 * (lit in lower case, letters and punctuation only).  Inline, for the
 * header scans of the correlate stage. */
static inline bool sf_name_is(const char *n, size_t n_len, const char *lit, size_t len)
{
  if (n_len != len)
    return false;
  /* | 0x20 folds A-Z only onto a-z; lit is a literal, so the compiler
   * works out which bytes are letters (g_ascii_isalpha reads a table) */
  /* unrolled, each byte's fold and expected value are constants */
#pragma GCC unroll 16
  for (size_t i = 0; i < len; i++)
    if ((char)(n[i] | (lit[i] >= 'a' && lit[i] <= 'z' ? 0x20 : 0)) != lit[i])
      return false;
  return true;
}

guint sf_correlate_key_hash(gconstpointer key);
gboolean sf_correlate_key_equal(gconstpointer a, gconstpointer b);
/* A hash of the bytes (correlate.c); never 0 for a non-NULL ptr (0 means
 * "absent"). */
uint32_t sf_correlate_hash_bytes(const char *ptr, size_t len);

/* A 2xx (success) status; correlate.c and dialog.c both branch on it. */
static inline bool sf_status_is_2xx(int status)
{
  return status >= 200 && status < 300;
}

/* arena.c: slabs, block pools, arenas */

#define SF_ARENA_SLAB_ITEMS 32u

/* A new slab of n items of size bytes (a multiple of 16) on *slabs, freed by
 * sf_arena_slabs_free (its memory, when cut from chunks, by
 * sf_arena_chunks_free); returns the first item, 16-aligned. */
char *sf_arena_slab_new(sf_chunks *chunks, sf_slab **slabs, size_t size, size_t n);
/* Frees the chunks (every slab cut from them must be forgotten first). */
void sf_arena_chunks_free(sf_chunks *chunks);
void sf_arena_slabs_free(sf_slab **slabs);
/* Forgets the spare blocks and frees the pool's slabs (the arenas using it
 * must be freed first). */
void sf_arena_pool_clear(sf_block_pool *pool);
/* A new block with room for n bytes (sf_arena_alloc's rare path). */
void sf_arena_grow(sf_arena *a, size_t n);
/* Gives the arena's blocks back (first-size ones to the pool). */
void sf_arena_free(sf_arena *a);

/* n bytes, 8-aligned, valid until sf_arena_free.  Inline: it runs for every
 * string and structure a call keeps. */
static inline void *sf_arena_alloc(sf_arena *a, size_t n)
{
  n = (n + 7) & ~(size_t)7;
  if (n > a->left)
    sf_arena_grow(a, n);
  void *p = a->cur;
  a->cur += n;
  a->left -= n;
  return p;
}

/* calltable.c: the tables of open calls.  A slot's hash is never 0: Call-ID
 * hashes of stored calls are not (sf_correlate_hash_bytes of a non-NULL
 * pointer), nor id hashes of ids >= 1. */

void sf_calltable_put(sf_call_table *t, uint32_t hash, sf_call *c);
/* Removes c, stored under hash (nothing when it is not there). */
void sf_calltable_remove(sf_call_table *t, uint32_t hash, const sf_call *c);
/* The call with that Call-ID; h is sf_correlate_hash_bytes(call_id, len),
 * which is 0 for no Call-ID (call_id NULL): no call matches it.  Inline:
 * it runs for every message. */
static inline sf_call *sf_calltable_find(const sf_call_table *t, uint32_t h,
                                         const char *call_id, size_t len)
{
  if (!t->slots)
    return NULL;
  for (size_t i = h & t->mask; t->slots[i].hash; i = (i + 1) & t->mask) {
    if (t->slots[i].hash != h)
      continue;
    sf_call *c = t->slots[i].call;
    /* The call's hot lines (and its inline Call-ID) at once: the
     * comparison below, then the message's correlation, read them, and
     * fetched one after the other they were a miss each. */
    for (size_t off = 0; off < SF_CALL_HOT_BYTES; off += 64)
      sf_prefetch((const char *)c + off);
    if (c->call_id.len == len && sf_bytes_equal(c->call_id.ptr, call_id, len))
      return c;
  }
  return NULL;
}
/* The hash under which the by-id table keeps a call.  Ids are consecutive:
 * unscattered they would fill one long run of slots that every removal
 * walks to its end. */
static inline uint32_t sf_calltable_id_hash(uint32_t id)
{
  return id * 0x9e3779b1u; /* odd: 0 only for id 0 */
}
sf_call *sf_calltable_find_id(const sf_call_table *t, uint32_t id);
void sf_calltable_free(sf_call_table *t);

/* calls.c: the call store and the finalisation of calls */
sf_correlate *sf_calls_new(sipflow_ctx *ctx);
void sf_calls_free(sf_correlate *st);
/* The call's arenas.  Inline: they run for every string and structure a
 * call keeps, a dozen times per call, where a call cost as much as the
 * allocation. */

/* Copies len bytes at ptr into the call's strings (NUL-terminated). */
static inline const char *sf_calls_strdup(sf_call *c, const char *ptr, size_t len)
{
  if (!ptr)
    len = 0;
  char *s = sf_arena_alloc(&c->strings, len + 1);
  sf_copy_short(s, ptr, len);
  s[len] = '\0';
  return s;
}

/* n bytes (not initialised) with the call's strings. */
static inline char *sf_calls_string_room(sf_call *c, size_t n)
{
  return sf_arena_alloc(&c->strings, n);
}

/* n bytes (not initialised) in the call's work arena. */
static inline void *sf_calls_work_room(sf_call *c, size_t n)
{
  return sf_arena_alloc(&c->work, n);
}


/* sf_calls_ptrs_add when a is full (or not set up yet). */
void sf_calls_ptrs_grow(sf_call *c, sf_ptrs *a);

/* Appends p to an array of the call's work arena. */
static inline void sf_calls_ptrs_add(sf_call *c, sf_ptrs *a, gpointer p)
{
  if (G_UNLIKELY(a->len == a->cap))
    sf_calls_ptrs_grow(c, a);
  a->pdata[a->len++] = p;
}
/* The open call with this Call-ID, NULL when none. */
sf_call *sf_calls_find(sf_correlate *st, const char *call_id, size_t len);
/* A REGISTER refreshed every minute for a week keeps its Call-ID for about
 * 10 000 transactions; more is a flood (or forking gone mad, for dialogs). */
#define SF_MAX_CALL_TRANSACTIONS 16384u
/* sf_calls_open when the message's call is not found (NULL) or full. */
sf_call *sf_calls_open_new(sf_correlate *st, const sipflow_message *msg, uint32_t h,
                           sf_call *found);
/* The open call of msg's Call-ID, created when there is none; h is
 * sf_correlate_hash_bytes of the Call-ID (inline, below). */
static inline sf_call *sf_calls_open(sf_correlate *st, const sipflow_message *msg, uint32_t h);
/* Asks for the Call-ID table's slot of hash h, ahead of sf_calls_open. */
static inline void sf_calls_prefetch(const sf_correlate *st, uint32_t h)
{
  if (st->calls.slots)
    sf_prefetch(&st->calls.slots[h & st->calls.mask]);
}
/* Links B2BUA legs named by X-Call-ID / X-CID / Session-ID in msg. */
void sf_calls_link_headers(sf_correlate *st, sf_call *c, const sipflow_message *msg);
/* After a message of c: moves c to the tail of its finalisation queue
 * (inline, below). */
static inline void sf_calls_touch(sf_correlate *st, sf_call *c);
/* sf_calls_touch when c changes queue or place: to the tail of q. */
void sf_calls_requeue(sf_correlate *st, sf_call *c, sf_call_queue q);
/* callwarm.c: calls brought into the cache ahead of their use. */

/* After a message's call is found: its transactions and queue neighbours,
 * which the message's correlation reads next (hints only: no fault on any
 * address).  Not the newest strings block (the keys and tags) too: asking
 * for it on every message cost 1 M instructions on s50k and gained nothing
 * measurable on a 1 M-message capture.  Inline: it runs for every message,
 * and called it cost as much again. */
static inline void sf_calls_prefetch_call(const sf_call *c)
{
  sf_prefetch(c->link.prev);
  sf_prefetch(c->link.next);
  for (guint i = 0; i < c->txns.len && i < 8; i++)
    sf_prefetch(c->txns.pdata[i]);
}
/* One step (0 .. SF_WARM_STEPS - 1) of bringing a call about to be
 * finalised into the cache: each step reads only what the one before asked
 * for, so a step per message (or per call ahead at the end) never waits. */
#define SF_WARM_STEPS 4
void sf_calls_warm_call(const sf_correlate *st, const sf_call *c, unsigned step);
/* A step for the heads of the finalisation queues and the calls after them
 * (once per message, from sf_calls_expire; inline, below). */
static inline void sf_calls_warm_next(sf_correlate *st);
/* sf_calls_warm_next when a head is not warm yet: the over queue and, in
 * turn, the quiet or the registered one. */
void sf_calls_warm_queues(sf_correlate *st, bool quiet_turn);
/* Finalises the calls whose linger or idle time has passed at now_us
 * (inline, below). */
static inline const sf_call *sf_calls_of_link(const GList *l)
{
  return (const sf_call *)((const char *)l - offsetof(sf_call, link));
}

/* Nothing to warm in q: no head, or its steps are done and so are its
 * next call's (warm_queue in callwarm.c marks that by a step past the
 * last), or it has no next call. */
static inline bool sf_calls_warm_done(const sf_warm w[2], const GQueue *q)
{
  const GList *h = q->head;
  return !h || (w[0].call == sf_calls_of_link(h) &&
                (w[0].step > SF_WARM_STEPS || (w[0].step == SF_WARM_STEPS && !h->next)));
}

static inline void sf_calls_warm_next(sf_correlate *st)
{
  /* the quiet and registered heads change seldom: every other message */
  bool quiet_turn = st->warm_turn++ & 1;
  if (sf_calls_warm_done(st->warm_over, &st->over) &&
      (quiet_turn ? sf_calls_warm_done(st->warm_quiet, &st->quiet)
                  : sf_calls_warm_done(st->warm_registered, &st->registered)))
    return; /* most messages */
  sf_calls_warm_queues(st, quiet_turn);
}

static inline void sf_calls_expire(sf_correlate *st, int64_t now_us);
/* sf_calls_expire when some call may be due. */
void sf_calls_expire_due(sf_correlate *st, int64_t now_us);
/* End of input: finalises every open call, in id order. */
void sf_calls_finish(sf_correlate *st);

/* sf_calls_open, inline: most messages find their call, and a call to a
 * function doing both cost a tenth of the lookup. */
static inline sf_call *sf_calls_open(sf_correlate *st, const sipflow_message *msg, uint32_t h)
{
  sf_call *c = sf_calltable_find(&st->calls, h, msg->call_id.ptr, msg->call_id.len);

  if (G_LIKELY(c && c->txns.len < SF_MAX_CALL_TRANSACTIONS &&
               c->dialogs.len < SF_MAX_CALL_TRANSACTIONS)) {
    sf_calls_prefetch_call(c);
    return c;
  }
  return sf_calls_open_new(st, msg, h, c);
}

/* The per-message steps of the call store, inline: they run for every
 * message and their usual path is a few comparisons, where the calls cost
 * as much again. */

/* Nothing but retransmissions can still come for this call. */
static inline bool sf_calls_outcome_is_final(const sf_call *c)
{
  int f = c->last_invite_final;

  if (c->open_txns || c->confirmed_dialogs)
    return false;
  if (f >= 200 && f < 300)
    return c->bye_answered;
  return f >= 400 && f != 401 && f != 407;
}

/* The queue a call belongs in after its latest message. */
static inline sf_call_queue sf_calls_queue_for(const sf_call *c)
{
  if (sf_calls_outcome_is_final(c))
    return SF_QUEUE_OVER;
  if (!c->saw_invite && c->any_final && !c->open_txns && !c->confirmed_dialogs)
    return c->binding_us > 0 ? SF_QUEUE_REGISTERED : SF_QUEUE_QUIET;
  return SF_QUEUE_ACTIVE;
}

static inline void sf_calls_touch(sf_correlate *st, sf_call *c)
{
  sf_call_queue q = sf_calls_queue_for(c);

  c->touched = ++st->touches;
  /* Most messages leave the call where it was: already at the tail (a
   * call in a queue is its tail when its link has no next: the call's own
   * line, not the queue's), or active while that queue's order is not
   * kept (calls.c, order_active). */
  if (q == c->queue && ((q == SF_QUEUE_ACTIVE && !st->active_in_order) || !c->link.next))
    return;
  sf_calls_requeue(st, c, q);
}

static inline void sf_calls_expire(sf_correlate *st, int64_t now_us)
{
  /* Only the queue heads can expire (each queue is in deadline order), and
   * none does before next_expiry_us. */
  if (G_UNLIKELY(now_us > st->next_expiry_us))
    sf_calls_expire_due(st, now_us);
  sf_calls_warm_next(st);
}

#endif /* SF_CORRELATE_H */
