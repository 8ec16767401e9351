/*
 * Filters and id ordering for the list commands.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "listing.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"

/* ------------------------------------------------------- option parsing */

/* The state named name in the kind's vocabulary, or -1. */
static int state_from_name(list_kind kind, const char *name)
{
  if (kind == LIST_CALLS)
    return sipflow_call_state_from_name(name);
  for (int i = 0; i < 32; i++) {
    const char *n = kind == LIST_TRANSACTIONS
                        ? sipflow_transaction_state_name((sipflow_transaction_state)i)
                        : sipflow_dialog_state_name((sipflow_dialog_state)i);
    if (strcmp(n, "unknown") == 0)
      break;
    if (strcmp(n, name) == 0)
      return i;
  }
  return -1;
}

/* "setup, ringing, ..." for the error message. */
static char *state_names(list_kind kind)
{
  GString *g = g_string_new(NULL);
  for (int i = 0; i < 32; i++) {
    const char *n = kind == LIST_CALLS ? sipflow_call_state_name((sipflow_call_state)i)
                    : kind == LIST_TRANSACTIONS
                        ? sipflow_transaction_state_name((sipflow_transaction_state)i)
                        : sipflow_dialog_state_name((sipflow_dialog_state)i);
    if (strcmp(n, "unknown") == 0)
      break;
    g_string_append_printf(g, "%s%s", i ? ", " : "", n);
  }
  return g_string_free(g, FALSE);
}

static gboolean parse_state(const char *option, const char *value, gpointer data,
                            GError **error)
{
  list_filter *f = data;
  char **names = g_strsplit(value, ",", -1);
  gboolean ok = TRUE;

  for (char **n = names; ok && *n; n++) {
    char *name = g_strstrip(*n);
    int st = state_from_name(f->kind, name);
    if (st < 0) {
      char *all = state_names(f->kind);
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  "unknown state '%s' for %s (one of: %s)", name, option, all);
      g_free(all);
      ok = FALSE;
    } else {
      f->states |= 1u << st;
    }
  }
  g_strfreev(names);
  return ok;
}

static gboolean parse_method(const char *option, const char *value, gpointer data,
                             GError **error)
{
  list_filter *f = data;
  char **names = g_strsplit(value, ",", -1);

  for (char **n = names; *n; n++) {
    char *name = g_strstrip(*n);
    if (*name)
      g_ptr_array_add(f->methods, g_ascii_strup(name, -1));
  }
  g_strfreev(names);
  return TRUE;
}

/* Epoch seconds with an optional fraction, exactly (no double rounding). */
static bool parse_epoch(const char *s, int64_t *us)
{
  int64_t sec = 0, frac = 0, scale = 1000000;
  const char *p = s;

  if (!g_ascii_isdigit(*p))
    return false;
  for (; g_ascii_isdigit(*p); p++) {
    if (sec > (INT64_MAX / 1000000 - 9) / 10)
      return false;
    sec = sec * 10 + (*p - '0');
  }
  if (*p == '.') {
    for (p++; g_ascii_isdigit(*p); p++) {
      scale /= 10;
      frac += (*p - '0') * scale; /* digits past the µs add 0 */
    }
  }
  if (*p)
    return false;
  *us = sec * 1000000 + frac;
  return true;
}

bool list_parse_time(const char *text, int64_t *us)
{
  if (!text)
    return false;
  if (parse_epoch(text, us))
    return true;

  /* glib wants seconds: complete "2026-01-15" and "2026-01-15T10:00". */
  size_t n = strlen(text);
  char *iso = n == 10 ? g_strconcat(text, "T00:00:00", NULL)
              : n == 16 ? g_strconcat(text, ":00", NULL)
                        : g_strdup(text);
  GTimeZone *utc = g_time_zone_new_utc();
  GDateTime *dt = g_date_time_new_from_iso8601(iso, utc);
  g_time_zone_unref(utc);
  g_free(iso);
  if (!dt)
    return false;
  *us = g_date_time_to_unix(dt) * 1000000 + g_date_time_get_microsecond(dt);
  g_date_time_unref(dt);
  return true;
}

static gboolean parse_window(const char *option, const char *value, gpointer data,
                             GError **error)
{
  list_filter *f = data;
  int64_t us;

  if (!list_parse_time(value, &us)) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "bad time '%s' for %s (epoch seconds, or ISO-8601 UTC like "
                "2026-01-15T10:00:05)",
                value, option);
    return FALSE;
  }
  if (strcmp(option, "--since") == 0)
    f->has_since = true, f->since_us = us;
  else
    f->has_until = true, f->until_us = us;
  return TRUE;
}

GOptionGroup *list_filter_group(list_filter *f)
{
  const char *state_help = f->kind == LIST_CALLS ? "only calls in that state (comma list: busy,rejected)"
                           : f->kind == LIST_TRANSACTIONS
                               ? "only transactions in that state (trying, proceeding, "
                                 "completed, confirmed, accepted, terminated)"
                               : "only dialogs in that state (early, confirmed, terminated)";
  const char *method_help = f->kind == LIST_CALLS ? "only calls started by that method (INVITE,REGISTER ...)"
                            : f->kind == LIST_TRANSACTIONS
                                ? "only transactions of that method"
                                : "only dialogs created by that method";
  const GOptionEntry entries[] = {
    {"call", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_STRING_ARRAY, &f->call_ids,
     "only this call: Call-ID or call number (repeatable)", "CALL"},
    {"from", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_STRING, &f->from,
     "only calls (and their parts) whose From user contains TEXT", "TEXT"},
    {"to", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_STRING, &f->to, "same for the To user",
     "TEXT"},
    {"state", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_CALLBACK, (void *)parse_state, state_help, "STATE"},
    {"method", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_CALLBACK, (void *)parse_method, method_help, "METHOD"},
    {"since", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_CALLBACK, (void *)parse_window,
     "only what starts at or after TIME (epoch seconds or ISO-8601, UTC)", "TIME"},
    {"until", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_CALLBACK, (void *)parse_window,
     "only what starts at or before TIME", "TIME"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  GOptionGroup *group = g_option_group_new("filters", "Filters:", "Show the filter options",
                                           f, NULL);

  f->methods = g_ptr_array_new_with_free_func(g_free);
  g_option_group_add_entries(group, entries);
  return group;
}

void list_filter_clear(list_filter *f)
{
  g_strfreev(f->call_ids);
  g_free(f->from);
  g_free(f->to);
  if (f->methods)
    g_ptr_array_free(f->methods, TRUE);
  f->call_ids = NULL;
  f->from = f->to = NULL;
  f->methods = NULL;
}

/* ------------------------------------------------------------- matching */

void list_uri_name_append(GString *out, const char *uri)
{
  sipflow_span user;
  size_t before = out->len;

  if (uri && sipflow_uri_user(uri, strlen(uri), &user) >= 0)
    out_text_escape(out, user.ptr, user.len);
  if (out->len == before)
    g_string_append_c(out, '-');
}

char *list_uri_name(const char *uri)
{
  GString *g = g_string_new(NULL);
  list_uri_name_append(g, uri);
  return g_string_free(g, FALSE);
}

/* ASCII case-insensitive substring search (user parts are ASCII in
 * practice; other bytes compare as they are). */
static bool contains_nocase(const char *hay, const char *needle)
{
  size_t n = strlen(needle);

  for (; *hay; hay++)
    if (g_ascii_strncasecmp(hay, needle, n) == 0)
      return true;
  return n == 0;
}

static bool user_matches(const char *uri, const char *needle)
{
  if (!needle)
    return true;
  char *name = list_uri_name(uri);
  bool ok = strcmp(name, "-") != 0 && contains_nocase(name, needle);
  g_free(name);
  return ok;
}

/* "3": the call number shown in the `call` column (as `ladder --call`). */
static bool is_call_number(const char *s, uint32_t call)
{
  uint64_t v = 0;

  if (!*s)
    return false;
  for (const char *p = s; *p; p++) {
    if (!g_ascii_isdigit(*p) || v > UINT32_MAX)
      return false;
    v = v * 10 + (uint64_t)(*p - '0');
  }
  return v == call;
}

bool list_filter_none(const list_filter *f)
{
  return !(f->call_ids && f->call_ids[0]) && !f->from && !f->to && !f->states &&
         !(f->methods && f->methods->len) && !f->has_since && !f->has_until;
}

bool list_filter_call(const list_filter *f, const sipflow_call_info *call)
{
  if (f->call_ids && f->call_ids[0]) {
    bool found = false;
    for (char **id = f->call_ids; *id && !found; id++)
      found = (call->call_id && strcmp(*id, call->call_id) == 0) || is_call_number(*id, call->call);
    if (!found)
      return false;
  }
  return user_matches(call->from, f->from) && user_matches(call->to, f->to);
}

bool list_filter_state(const list_filter *f, int state)
{
  return !f->states || (state >= 0 && state < 32 && (f->states & (1u << state)));
}

bool list_filter_method(const list_filter *f, const char *method)
{
  if (!f->methods || f->methods->len == 0)
    return true;
  for (guint i = 0; method && i < f->methods->len; i++)
    if (g_ascii_strcasecmp(g_ptr_array_index(f->methods, i), method) == 0)
      return true;
  return false;
}

bool list_filter_time(const list_filter *f, int64_t start_us)
{
  return (!f->has_since || start_us >= f->since_us) &&
         (!f->has_until || start_us <= f->until_us);
}

bool list_filter_item(const list_filter *f, int state, const char *method, int64_t start_us)
{
  return list_filter_state(f, state) && list_filter_method(f, method) &&
         list_filter_time(f, start_us);
}

/* ------------------------------------------------------------ id order */

/* A ring of slots indexed by id - next: put and emit are O(1) (issue 7: a
 * hash insert and steal per row cost more than the row itself).  The ring
 * spans the ids from `next` to the highest id held, which is what a hash
 * would hold too.  An id that does not fit (already passed, or absurdly far
 * ahead) is a stray, kept in a hash table: emitted when its turn comes, or
 * at the flush in id order. */
#define ORDER_MAX_SPAN ((size_t)1 << 24) /* slots at most */

struct list_order {
  list_emit_fn emit;
  GDestroyNotify free_row;
  void *user;
  uint32_t next;      /* the id to emit next */
  void **slot;        /* id lives at (head + id - next) & (cap - 1) */
  size_t cap, head;   /* cap a power of two */
  size_t held;        /* slots in use */
  GHashTable *strays; /* id -> row, rare */
};

/* What is stored for a row put as NULL (nothing to show), so that an empty
 * slot (NULL) still means "not put yet". */
static char filtered_row;
#define FILTERED ((void *)&filtered_row)

list_order *list_order_new(list_emit_fn emit, GDestroyNotify free_row, void *user)
{
  list_order *o = g_new0(list_order, 1);
  o->emit = emit;
  o->free_row = free_row;
  o->user = user;
  o->next = 1;
  o->cap = 64;
  o->slot = g_new0(void *, o->cap);
  o->strays = g_hash_table_new(g_direct_hash, g_direct_equal);
  return o;
}

static void drop_row(list_order *o, void *row)
{
  if (row && row != FILTERED && o->free_row)
    o->free_row(row);
}

static void emit_row(list_order *o, void *row)
{
  if (!row || row == FILTERED)
    return;
  o->emit(row, o->user); /* takes it */
}

static void **slot_of(list_order *o, size_t offset)
{
  return &o->slot[(o->head + offset) & (o->cap - 1)];
}

/* Room for offset: the ring made bigger in place (realloc), the slots
 * that had wrapped round (before head) moved after the old end, so that
 * they follow on from head again.  In place, a big ring is moved by the
 * kernel (mremap) instead of copied into fresh pages: on a 1 M-message
 * capture the ring grows to 1 MiB, and new copies of it were a seventh of
 * the page faults of `sipflow calls`. */
static void grow(list_order *o, size_t offset)
{
  size_t old = o->cap, cap = old;
  while (cap <= offset)
    cap *= 2;
  o->slot = g_renew(void *, o->slot, cap);
  memcpy(o->slot + old, o->slot, o->head * sizeof *o->slot);
  memset(o->slot, 0, o->head * sizeof *o->slot);
  memset(o->slot + old + o->head, 0, (cap - old - o->head) * sizeof *o->slot);
  o->cap = cap;
}

/* Asks for the first lines of a row: its cells and the start of its text
 * (a hint: any address will do, the filtered marker or NULL too). */
static void prefetch_row(const void *row)
{
  for (unsigned off = 0; off < 384; off += 64)
    __builtin_prefetch((const char *)row + off);
}

/* Emits the rows from `next` on while they are there. */
static void advance(list_order *o)
{
  for (bool first = true;; first = false) {
    void **s = slot_of(o, 0), *row = *s;
    if (row) {
      *s = NULL;
      o->held--;
    } else if (!g_hash_table_size(o->strays) ||
               !g_hash_table_steal_extended(o->strays, GUINT_TO_POINTER(o->next), NULL, &row)) {
      return;
    }
    o->head = (o->head + 1) & (o->cap - 1);
    o->next++;
    /* A row waits here until every earlier call has ended (a registration
     * can hold hundreds back), so the rows written in one go are out of
     * the cache: the one two places ahead is asked for while this one is
     * written (and at the start, the next one too). */
    if (first)
      prefetch_row(*slot_of(o, 0));
    prefetch_row(*slot_of(o, 1));
    emit_row(o, row);
  }
}

void list_order_put(list_order *o, uint32_t id, void *row)
{
  if (!row)
    row = FILTERED;
  size_t offset = (size_t)id - o->next;
  if (id < o->next || offset >= ORDER_MAX_SPAN) {
    void *old = NULL;
    if (g_hash_table_steal_extended(o->strays, GUINT_TO_POINTER(id), NULL, &old))
      drop_row(o, old); /* the same id twice: the last one counts */
    g_hash_table_insert(o->strays, GUINT_TO_POINTER(id), row);
    return;
  }
  if (offset >= o->cap)
    grow(o, offset);
  void **s = slot_of(o, offset);
  if (*s)
    drop_row(o, *s), o->held--;
  *s = row;
  o->held++;
  if (offset == 0)
    advance(o);
}

bool list_order_is_next(const list_order *o, uint32_t id)
{
  return id == o->next;
}

static gint compare_ids(gconstpointer a, gconstpointer b)
{
  guint x = GPOINTER_TO_UINT(*(gpointer const *)a), y = GPOINTER_TO_UINT(*(gpointer const *)b);
  return x < y ? -1 : x > y;
}

void list_order_flush(list_order *o)
{
  guint n;
  gpointer *ids = g_hash_table_get_keys_as_array(o->strays, &n);
  guint k = 0;

  qsort(ids, n, sizeof *ids, (int (*)(const void *, const void *))compare_ids);
  for (size_t i = 0; i <= o->cap; i++) {
    /* the strays before the ring slot's id (all that are left at the end) */
    uint64_t id = i < o->cap ? (uint64_t)o->next + i : UINT64_MAX;
    for (; k < n && GPOINTER_TO_UINT(ids[k]) < id; k++) {
      gpointer row = NULL;
      g_hash_table_steal_extended(o->strays, ids[k], NULL, &row);
      emit_row(o, row);
    }
    if (i < o->cap) {
      void **s = slot_of(o, i), *row = *s;
      *s = NULL;
      emit_row(o, row);
    }
  }
  o->held = 0;
  g_free(ids);
}

void list_order_free(list_order *o)
{
  if (!o)
    return;
  for (size_t i = 0; i < o->cap; i++)
    drop_row(o, o->slot[i]);
  GHashTableIter it;
  gpointer row;
  g_hash_table_iter_init(&it, o->strays);
  while (g_hash_table_iter_next(&it, NULL, &row))
    drop_row(o, row);
  g_hash_table_destroy(o->strays);
  g_free(o->slot);
  g_free(o);
}
