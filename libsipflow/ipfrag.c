/*
 * IPv4 and IPv6 fragment reassembly.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each datagram being rebuilt (a "set") has one buffer, grown to the highest
 * byte any fragment reached, and a sorted list of the byte ranges already
 * filled.  Fragments may come in any order and may overlap: bytes already
 * filled are never overwritten, so the FIRST data to arrive for a byte wins
 * (RFC 5722 says to drop overlapping IPv6 sets and Linux drops overlapping
 * IPv4 ones too, but a capture reader is better off showing what it has).
 * A set completes when its last fragment (More Fragments = 0) is known and
 * the filled ranges cover [0, total) without a hole.
 *
 * Sets are also kept in a queue in order of creation, so that expiry and the
 * memory limit drop the oldest first without scanning the hash table.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ipfrag.h"

/* Memory a set costs besides its buffer and ranges: the struct, its hash
 * entry and array header, roughly.  Counted so that many tiny sets cannot
 * grow past the limit unseen. */
#define SF_IPFRAG_SET_OVERHEAD 256

typedef struct frag_range {
  size_t start, end; /* [start, end) */
} frag_range;

typedef struct frag_set {
  sf_ipfrag_key key;
  GList link;            /* node in sf_ipfrag.order, data = this set */
  uint64_t first_frame;
  int64_t first_time_us;
  uint8_t *buf;
  size_t buf_len;        /* bytes allocated */
  size_t cost;           /* what this set adds to sf_ipfrag.pending */
  GArray *ranges;        /* frag_range, sorted, disjoint, never adjacent */
  size_t total;          /* payload length, once the last fragment is seen */
  bool total_known;
  bool have_first;       /* the offset-0 fragment arrived */
  bool cut;              /* some fragment was cut by the snaplen */
  uint8_t proto;
} frag_set;

struct sf_ipfrag {
  GHashTable *sets;      /* &set->key -> set */
  GQueue order;          /* oldest first */
  size_t pending;
  size_t max_bytes;
  int64_t timeout_us;
  sf_diag_sink *diag;
  uint64_t reassembled;
};

/* ------------------------------------------------------------ keys */

static guint key_hash(gconstpointer p)
{
  const sf_ipfrag_key *k = p;
  size_t alen = k->family == 4 ? 4 : 16;
  uint32_t h = 2166136261u; /* FNV-1a */
  uint8_t head[6] = {k->family, k->proto, (uint8_t)(k->id >> 24), (uint8_t)(k->id >> 16),
                     (uint8_t)(k->id >> 8), (uint8_t)k->id};

  for (size_t i = 0; i < sizeof head; i++)
    h = (h ^ head[i]) * 16777619u;
  for (size_t i = 0; i < alen; i++)
    h = (h ^ k->src[i]) * 16777619u;
  for (size_t i = 0; i < alen; i++)
    h = (h ^ k->dst[i]) * 16777619u;
  return h;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
  const sf_ipfrag_key *x = a, *y = b;
  size_t alen = x->family == 4 ? 4 : 16;

  return x->family == y->family && x->proto == y->proto && x->id == y->id &&
         memcmp(x->src, y->src, alen) == 0 && memcmp(x->dst, y->dst, alen) == 0;
}

/* "IPv4 datagram 10.0.0.1 -> 10.0.0.2 id 0x1c46", for diagnostics. */
static const char *describe(const sf_ipfrag_key *k, char *buf, size_t size)
{
  char src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN] = "?";
  int af = k->family == 4 ? AF_INET : AF_INET6;

  inet_ntop(af, k->src, src, sizeof src);
  inet_ntop(af, k->dst, dst, sizeof dst);
  snprintf(buf, size, "IPv%u datagram %s -> %s id 0x%" PRIx32, k->family, src, dst, k->id);
  return buf;
}

/* ------------------------------------------------------------ sets */

static size_t filled_bytes(const frag_set *set)
{
  size_t n = 0;
  for (guint i = 0; i < set->ranges->len; i++) {
    const frag_range *r = &g_array_index(set->ranges, frag_range, i);
    n += r->end - r->start;
  }
  return n;
}

static frag_set *set_new(sf_ipfrag *fr, const sf_ipfrag_key *key, const sf_ipfrag_piece *piece)
{
  frag_set *set = g_new0(frag_set, 1);

  set->key = *key;
  set->first_frame = piece->frame;
  set->first_time_us = piece->time_us;
  set->ranges = g_array_new(FALSE, FALSE, sizeof(frag_range));
  set->link.data = set;
  set->cost = SF_IPFRAG_SET_OVERHEAD;
  fr->pending += set->cost;
  g_queue_push_tail_link(&fr->order, &set->link);
  g_hash_table_insert(fr->sets, &set->key, set);
  return set;
}

static void set_drop(sf_ipfrag *fr, frag_set *set)
{
  g_hash_table_remove(fr->sets, &set->key);
  g_queue_unlink(&fr->order, &set->link);
  fr->pending -= set->cost;
  g_array_free(set->ranges, TRUE);
  g_free(set->buf);
  g_free(set);
}

/* Reports a set dropped for lack of memory, then drops it. */
static void drop_for_limit(sf_ipfrag *fr, frag_set *set, uint64_t frame)
{
  char what[160];
  sf_diag_emit(fr->diag, frame, SIPFLOW_DIAG_FRAGMENT_LIMIT,
               "frame %" PRIu64 ": IP fragment memory limit (%zu bytes) reached, "
               "incomplete %s (first fragment in frame %" PRIu64 ") dropped",
               frame, fr->max_bytes, describe(&set->key, what, sizeof what),
               set->first_frame);
  set_drop(fr, set);
}

/* Makes room for `need` more buffered bytes in set, dropping the oldest other
 * sets first.  Returns false (set dropped) when set alone would not fit. */
static bool make_room(sf_ipfrag *fr, frag_set *set, size_t need, uint64_t frame)
{
  GList *l = fr->order.head;

  while (fr->pending + need > fr->max_bytes && l) {
    GList *next = l->next;
    if (l->data != set)
      drop_for_limit(fr, l->data, frame);
    l = next;
  }
  if (fr->pending + need > fr->max_bytes) {
    drop_for_limit(fr, set, frame);
    return false;
  }
  return true;
}

static void grow_buffer(frag_set *set, size_t end)
{
  set->buf = g_realloc(set->buf, end);
  memset(set->buf + set->buf_len, 0, end - set->buf_len);
  set->buf_len = end;
}

/* Brings the set's share of the pending bytes up to date. */
static void recount(sf_ipfrag *fr, frag_set *set)
{
  size_t cost = SF_IPFRAG_SET_OVERHEAD + set->buf_len + set->ranges->len * sizeof(frag_range);
  fr->pending = fr->pending - set->cost + cost;
  set->cost = cost;
}

/* Do the captured bytes of [start, end) differ from what the filled range r
 * already holds where they overlap?  (Overlapping fragments with different
 * data are how IDS evasion works, RFC 5722 §1.) */
static bool overlap_differs(const frag_set *set, const frag_range *r, size_t start,
                            size_t data_end, const uint8_t *data)
{
  size_t a = MAX(start, r->start), b = MIN(data_end, r->end);
  return a < b && memcmp(set->buf + a, data + (a - start), b - a) != 0;
}

/* Copies the bytes of [start, end) not yet filled (first data wins), then
 * records the range as filled, merging it with the ranges it touches.
 * Returns true when bytes already filled were sent again with different
 * data. */
static bool fill(frag_set *set, size_t start, size_t end, const uint8_t *data, size_t avail)
{
  GArray *rs = set->ranges;
  size_t data_end = start + avail; /* bytes past this were cut by the snaplen */
  size_t pos = start;
  bool conflict = false;
  guint i = 0;

  for (; i < rs->len && pos < end; i++) {
    const frag_range *r = &g_array_index(rs, frag_range, i);
    if (r->end <= pos)
      continue;
    if (r->start >= end)
      break;
    conflict = conflict || overlap_differs(set, r, start, MIN(data_end, end), data);
    if (r->start > pos && pos < data_end)
      memcpy(set->buf + pos, data + (pos - start), MIN(r->start, data_end) - pos);
    pos = MAX(pos, r->end);
  }
  if (pos < end && pos < data_end)
    memcpy(set->buf + pos, data + (pos - start), MIN(end, data_end) - pos);

  /* Merge: every range overlapping or adjacent to [start, end) joins it. */
  frag_range merged = {start, end};
  guint first = 0;
  while (first < rs->len && g_array_index(rs, frag_range, first).end < start)
    first++;
  guint last = first;
  while (last < rs->len && g_array_index(rs, frag_range, last).start <= end) {
    const frag_range *r = &g_array_index(rs, frag_range, last);
    merged.start = MIN(merged.start, r->start);
    merged.end = MAX(merged.end, r->end);
    last++;
  }
  if (last > first)
    g_array_remove_range(rs, first, last - first);
  g_array_insert_val(rs, first, merged);
  return conflict;
}

static bool is_complete(const frag_set *set)
{
  if (!set->total_known || set->ranges->len != 1)
    return false;
  const frag_range *r = &g_array_index(set->ranges, frag_range, 0);
  return r->start == 0 && r->end == set->total;
}

/* The last fragment fixes the total; data beyond it, or two different
 * totals, mean the fragments do not belong together. */
static bool consistent(const frag_set *set, const sf_ipfrag_piece *piece, size_t end)
{
  size_t filled_end = set->ranges->len
                          ? g_array_index(set->ranges, frag_range, set->ranges->len - 1).end
                          : 0;
  if (!piece->more)
    return !(set->total_known && set->total != end) && filled_end <= end;
  return !(set->total_known && end > set->total);
}

/* --------------------------------------------------------------- API */

sf_ipfrag *sf_ipfrag_new(size_t max_bytes, int64_t timeout_us, sf_diag_sink *diag)
{
  sf_ipfrag *fr = g_new0(sf_ipfrag, 1);

  fr->sets = g_hash_table_new(key_hash, key_equal);
  g_queue_init(&fr->order);
  fr->max_bytes = max_bytes;
  fr->timeout_us = timeout_us;
  fr->diag = diag;
  return fr;
}

void sf_ipfrag_free(sf_ipfrag *fr)
{
  if (!fr)
    return;
  while (fr->order.head)
    set_drop(fr, fr->order.head->data);
  g_hash_table_destroy(fr->sets);
  g_free(fr);
}

bool sf_ipfrag_add(sf_ipfrag *fr, const sf_ipfrag_key *key, const sf_ipfrag_piece *piece,
                   sf_ipfrag_datagram *out)
{
  size_t end = piece->offset + piece->len;
  frag_set *set = g_hash_table_lookup(fr->sets, key);
  char what[160];

  if (piece->len == 0 && piece->more)
    return false; /* carries nothing and ends nothing */
  if (end > SF_IPFRAG_MAX_DATAGRAM) {
    sf_diag_emit(fr->diag, piece->frame, SIPFLOW_DIAG_FRAGMENT_LIMIT,
                 "frame %" PRIu64 ": fragment of %s ends at byte %zu, beyond the "
                 "65535-byte maximum; datagram dropped",
                 piece->frame, describe(key, what, sizeof what), end);
    if (set)
      set_drop(fr, set);
    return false;
  }
  if (!set)
    set = set_new(fr, key, piece);
  if (!consistent(set, piece, end)) {
    sf_diag_emit(fr->diag, piece->frame, SIPFLOW_DIAG_BAD_IP,
                 "frame %" PRIu64 ": fragments of %s disagree on its length; dropped",
                 piece->frame, describe(key, what, sizeof what));
    set_drop(fr, set);
    return false;
  }
  if (!piece->more) {
    set->total = end;
    set->total_known = true;
  }
  if (piece->offset == 0 && !set->have_first) {
    set->have_first = true;
    set->proto = piece->next_proto;
  }
  if (piece->avail < piece->len)
    set->cut = true;
  /* room for the bigger buffer and at most one more range */
  size_t growth = end > set->buf_len ? end - set->buf_len : 0;
  if (!make_room(fr, set, growth + sizeof(frag_range), piece->frame))
    return false;
  if (growth)
    grow_buffer(set, end);
  if (piece->len && fill(set, piece->offset, end, piece->data, MIN(piece->avail, piece->len)))
    sf_diag_emit(fr->diag, piece->frame, SIPFLOW_DIAG_BAD_IP,
                 "frame %" PRIu64 ": fragment of %s overlaps bytes %zu-%zu already "
                 "received with different data; the first data is kept",
                 piece->frame, describe(key, what, sizeof what), piece->offset, end - 1);
  recount(fr, set);
  if (!is_complete(set))
    return false;

  if (set->cut) {
    sf_diag_emit(fr->diag, piece->frame, SIPFLOW_DIAG_TRUNCATED_PACKET,
                 "frame %" PRIu64 ": reassembled %s dropped: some of its fragments "
                 "were cut by the snaplen",
                 piece->frame, describe(key, what, sizeof what));
    set_drop(fr, set);
    return false;
  }
  out->data = set->buf;
  out->len = set->total;
  out->proto = set->proto;
  set->buf = NULL;
  set_drop(fr, set);
  fr->reassembled++;
  return true;
}

void sf_ipfrag_expire(sf_ipfrag *fr, int64_t now_us)
{
  char what[160];

  /* A set expires once its age exceeds the timeout.  The queue is in
   * arrival order; capture time is close enough to monotonic there that
   * stopping at the first young set is right. */
  while (fr->order.head) {
    frag_set *set = fr->order.head->data;
    bool at_end = now_us == INT64_MAX;
    if (!at_end && (now_us < INT64_MIN + fr->timeout_us ||
                    set->first_time_us >= now_us - fr->timeout_us))
      break;
    if (at_end)
      sf_diag_emit(fr->diag, set->first_frame, SIPFLOW_DIAG_FRAGMENT_EXPIRED,
                   "frame %" PRIu64 ": incomplete %s dropped at end of capture "
                   "(%zu bytes received)",
                   set->first_frame, describe(&set->key, what, sizeof what),
                   filled_bytes(set));
    else
      sf_diag_emit(fr->diag, set->first_frame, SIPFLOW_DIAG_FRAGMENT_EXPIRED,
                   "frame %" PRIu64 ": incomplete %s dropped after %.0f s "
                   "(%zu bytes received)",
                   set->first_frame, describe(&set->key, what, sizeof what),
                   fr->timeout_us / 1e6, filled_bytes(set));
    set_drop(fr, set);
  }
}

uint64_t sf_ipfrag_reassembled(const sf_ipfrag *fr)
{
  return fr->reassembled;
}

size_t sf_ipfrag_pending_bytes(const sf_ipfrag *fr)
{
  return fr->pending;
}

size_t sf_ipfrag_pending_sets(const sf_ipfrag *fr)
{
  return g_hash_table_size(fr->sets);
}
