/*
 * render stage: the text table of `sipflow calls` and `sipflow failed`, one
 * row per call, shared by the CLI and the Wireshark plugin so that both
 * print the same bytes (issue 5: `-z sipflow,calls` equals `sipflow calls`).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Layout: a line "start times are UTC, <date>...", a header row, one row per
 * call, then "N calls, M failed" and the B2BUA legs when there are any.
 * The columns are as wide as their widest cell among the first rows
 * (TABLE_SAMPLE_ROWS), then fitted to the given width: squeezable columns
 * give way, Call-IDs lose their middle ("abc…@host"), reason phrases their
 * end.  After the sample the widths are frozen and rows are written as they
 * come, so memory stays bounded on a capture of a million calls.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "sf_internal.h"

#define TABLE_DEFAULT_WIDTH 120
#define TABLE_SAMPLE_ROWS 500 /* rows kept to size the columns */
#define TABLE_SQUEEZE_MIN 16  /* a squeezed column never gets narrower */
#define TABLE_COLUMN_GAP 2

/* ----------------------------------------------------------------- text */

/* One well-formed UTF-8 sequence at p (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF): its length, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
  size_t n;
  uint32_t c, min;

  if (len == 0)
    return 0;
  if (p[0] < 0x80) {
    *cp = p[0];
    return 1;
  }
  if ((p[0] & 0xe0) == 0xc0)
    n = 2, c = p[0] & 0x1f, min = 0x80;
  else if ((p[0] & 0xf0) == 0xe0)
    n = 3, c = p[0] & 0x0f, min = 0x800;
  else if ((p[0] & 0xf8) == 0xf0)
    n = 4, c = p[0] & 0x07, min = 0x10000;
  else
    return 0;
  if (len < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    c = c << 6 | (p[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return n;
}

/* Capture bytes made safe for a terminal, exactly as the CLI's
 * out_text_escape: printable UTF-8 kept, control characters (C0, DEL, C1,
 * which include CSI) and invalid bytes as \xNN, '\' doubled. */
static void text_escape(GString *out, const char *p, size_t len)
{
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0;

  while (p && i < len) {
    uint32_t cp;
    size_t n = utf8_decode(s + i, len - i, &cp);
    if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      size_t bad = n ? n : 1;
      for (size_t k = 0; k < bad; k++)
        g_string_append_printf(out, "\\x%02x", s[i + k]);
      i += bad;
      continue;
    }
    if (cp == '\\')
      g_string_append(out, "\\\\");
    else
      g_string_append_len(out, p + i, (gssize)n);
    i += n;
  }
}

/* Display width: one column per code point (the text is escaped). */
static size_t text_width(const char *s, size_t len)
{
  size_t w = 0;
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80)
      w++;
  return w;
}

/* Byte offset of the first `cols` code points of s. */
static size_t prefix_bytes(const char *s, size_t cols)
{
  size_t i = 0;
  while (s[i] && cols > 0) {
    i++;
    while (((unsigned char)s[i] & 0xc0) == 0x80)
      i++;
    cols--;
  }
  return i;
}

/* Call-IDs usually differ at the start and end with the host after '@':
 * keep both ends.  width < 3 keeps the start. */
static void shorten_middle(GString *out, const char *s, size_t width)
{
  size_t w = text_width(s, strlen(s));

  if (w <= width) {
    g_string_append(out, s);
    return;
  }
  if (width < 3) {
    g_string_append_len(out, s, (gssize)prefix_bytes(s, width));
    return;
  }
  size_t avail = width - 1, head = (avail + 1) / 2, tail = avail - head;
  g_string_append_len(out, s, (gssize)prefix_bytes(s, head));
  g_string_append(out, "…");
  g_string_append(out, s + prefix_bytes(s, w - tail));
}

static void shorten_end(GString *out, const char *s, size_t width)
{
  if (text_width(s, strlen(s)) <= width) {
    g_string_append(out, s);
    return;
  }
  g_string_append_len(out, s, (gssize)prefix_bytes(s, width ? width - 1 : 0));
  if (width)
    g_string_append(out, "…");
}

/* "10:00:02" (UTC), or "2026-01-16 00:00:01" when with_date; times cut,
 * not rounded.  Epoch seconds when the system cannot say. */
static void clock_time(GString *out, int64_t us, bool with_date)
{
  int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000); /* floor */
  int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  time_t t = (time_t)sec;
  struct tm tm;
  char buf[64];

  if (gmtime_r(&t, &tm) &&
      strftime(buf, sizeof buf, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm)) {
    g_string_append(out, buf);
    return;
  }
  uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
  g_string_append_printf(out, "%s%" PRIu64 ".%06" PRIu64, us < 0 ? "-" : "",
                         mag / 1000000, mag % 1000000);
}

static int64_t utc_day(int64_t us)
{
  const int64_t day = 86400LL * 1000000;
  return us >= 0 ? us / day : -((-us + day - 1) / day);
}

/* --------------------------------------------------------------- columns */

typedef enum align { ALIGN_LEFT, ALIGN_RIGHT } align;

typedef struct column {
  const char *title;
  align align;
  unsigned max_width; /* 0 = no cap; longer cells are shortened */
  bool squeeze;       /* shrinks (down to 16) so that rows fit; the last
                         squeezable column gives way first */
  unsigned soft_min;  /* squeeze: shrink down to this first, before any
                         other column goes below its natural width */
  bool tight;         /* one space before this column instead of two */
  bool cut_end;       /* shorten by cutting the end, not the middle */
  bool overflow;      /* last column only: printed whole, not counted when
                         fitting the others (a sentence the terminal wraps) */
} column;

enum { COL_ID, COL_START, COL_FROM, COL_ARROW, COL_TO, COL_STATE, COL_FINAL, COL_SETUP,
       COL_ANSWER, COL_DURATION, COL_MSGS, COL_ANOMALIES, COL_CALL_ID, N_COLS };

static const column call_columns[N_COLS] = {
  [COL_ID] = {.title = "#", .align = ALIGN_RIGHT},
  [COL_START] = {.title = "start"},
  [COL_FROM] = {.title = "from", .align = ALIGN_RIGHT, .max_width = 24},
  [COL_ARROW] = {.title = "", .tight = true},
  [COL_TO] = {.title = "to", .tight = true, .max_width = 24},
  [COL_STATE] = {.title = "state"},
  /* the status code says it; the reason phrase gives way before the Call-ID */
  [COL_FINAL] = {.title = "final", .max_width = 28, .squeeze = true, .soft_min = 16,
                 .cut_end = true},
  [COL_SETUP] = {.title = "setup", .align = ALIGN_RIGHT},
  [COL_ANSWER] = {.title = "answer", .align = ALIGN_RIGHT},
  [COL_DURATION] = {.title = "duration", .align = ALIGN_RIGHT},
  [COL_MSGS] = {.title = "msgs", .align = ALIGN_RIGHT},
  [COL_ANOMALIES] = {.title = "anomalies", .squeeze = true, .cut_end = true},
  /* Call-IDs differ at both ends ("abc…@host"): cut the middle */
  [COL_CALL_ID] = {.title = "call-id", .squeeze = true},
};

/* `failed`: the sentence is the point, so it comes last and in full. */
enum { FCOL_ID, FCOL_START, FCOL_FROM, FCOL_ARROW, FCOL_TO, FCOL_STATE, FCOL_CALL_ID,
       FCOL_FAILURE, N_FCOLS };

static const column failed_columns[N_FCOLS] = {
  [FCOL_ID] = {.title = "#", .align = ALIGN_RIGHT},
  [FCOL_START] = {.title = "start"},
  [FCOL_FROM] = {.title = "from", .align = ALIGN_RIGHT, .max_width = 24},
  [FCOL_ARROW] = {.title = "", .tight = true},
  [FCOL_TO] = {.title = "to", .tight = true, .max_width = 24},
  [FCOL_STATE] = {.title = "state"},
  [FCOL_CALL_ID] = {.title = "call-id", .squeeze = true},
  [FCOL_FAILURE] = {.title = "why", .overflow = true},
};

G_STATIC_ASSERT((int)COL_START == (int)FCOL_START);

/* ------------------------------------------------------------------ rows */

struct sipflow_table_row {
  char **cells; /* one block: the pointers, then the strings */
  int64_t start_us;
  uint32_t call, linked_call;
  bool failed;
  char start[40]; /* the start cell, filled when the row is added */
};

struct sipflow_calls_table {
  const column *cols;
  size_t n_cols;
  bool failed_only;
  unsigned total_width;
  sipflow_write_fn write;
  void *user;
  size_t width[N_COLS]; /* frozen display widths, valid once `frozen` */
  GPtrArray *pending;   /* sipflow_table_row * not written yet */
  bool frozen, started;
  int64_t first_day;    /* UTC day of the first row */
  uint64_t shown, failed;
  GString *links;       /* "1 ↔ 2, 3 ↔ 4" */
  GHashTable *pairs;    /* gint64 lo << 32 | hi: the pairs in links */
  GString *line, *cell, *scratch;
};

/* The cells are built one after the other, NUL-separated, then handed over
 * as ONE block: a table of a million calls would otherwise make a dozen
 * allocations per row. */
typedef struct cells_builder {
  GString *text;
  size_t start[N_COLS];
  size_t n;
} cells_builder;

static void cell_begin(cells_builder *b)
{
  if (b->n)
    g_string_append_c(b->text, '\0');
  b->start[b->n++] = b->text->len;
}

static bool cell_empty(const cells_builder *b)
{
  return b->text->len == b->start[b->n - 1];
}

static void cell_str(cells_builder *b, const char *s)
{
  cell_begin(b);
  g_string_append(b->text, s);
}

/* s escaped, "-" when that leaves nothing */
static void cell_escaped(cells_builder *b, const char *s)
{
  cell_begin(b);
  if (s)
    text_escape(b->text, s, strlen(s));
  if (cell_empty(b))
    g_string_append_c(b->text, '-');
}

/* the user part of a URI (or its host), escaped; "-" when none */
static void cell_uri_name(cells_builder *b, const char *uri)
{
  sipflow_span user;
  cell_begin(b);
  if (uri && sipflow_uri_user(uri, strlen(uri), &user) >= 0)
    text_escape(b->text, user.ptr, user.len);
  if (cell_empty(b))
    g_string_append_c(b->text, '-');
}

/* "0.120" (seconds, like the duration), or "-" when not applicable */
static void cell_ms(cells_builder *b, int64_t ms)
{
  cell_begin(b);
  if (ms < 0)
    g_string_append_c(b->text, '-');
  else
    g_string_append_printf(b->text, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
}

/* "486 Busy Here", "486 " without a reason, "-" without a final response */
static void cell_final(cells_builder *b, const sipflow_call_info *c)
{
  cell_begin(b);
  if (!c->final_status) {
    g_string_append_c(b->text, '-');
    return;
  }
  g_string_append_printf(b->text, "%d ", c->final_status);
  if (c->reason) {
    size_t at = b->text->len;
    text_escape(b->text, c->reason, strlen(c->reason));
    if (b->text->len == at)
      g_string_append_c(b->text, '-');
  }
}

static void cell_anomalies(cells_builder *b, unsigned flags)
{
  cell_begin(b);
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    if (flags & (1u << i)) {
      if (!cell_empty(b))
        g_string_append_c(b->text, ',');
      g_string_append(b->text, sipflow_anomaly_name(1u << i));
    }
  if (cell_empty(b))
    g_string_append_c(b->text, '-');
}

static void call_cells(cells_builder *b, const sipflow_call_info *c, bool failed_only)
{
  cell_begin(b);
  g_string_append_printf(b->text, "%" PRIu32, c->call);
  cell_str(b, ""); /* start: when written (the date shows when the day changes) */
  cell_uri_name(b, c->from);
  cell_str(b, "→");
  cell_uri_name(b, c->to);
  cell_str(b, sipflow_call_state_name(c->state));
  if (failed_only) {
    cell_escaped(b, c->call_id);
    cell_escaped(b, c->failure);
    return;
  }
  cell_final(b, c);
  cell_ms(b, c->setup_ms);
  cell_ms(b, c->answer_ms);
  /* duration_s is a whole number of ms (sipflow.h) */
  cell_ms(b, c->duration_s < 0 ? -1 : (int64_t)(c->duration_s * 1000.0 + 0.5));
  cell_begin(b);
  g_string_append_printf(b->text, "%" PRIu32, c->messages);
  cell_anomalies(b, c->anomalies);
  cell_escaped(b, c->call_id);
}

SIPFLOW_API sipflow_table_row *sipflow_calls_table_row(sipflow_calls_table *t,
                                                       const sipflow_call_info *call)
{
  if (!t || !call)
    return NULL;
  cells_builder b = {.text = t->scratch, .n = 0};
  g_string_truncate(t->scratch, 0);
  call_cells(&b, call, t->failed_only);
  g_assert(b.n == t->n_cols);
  g_string_append_c(b.text, '\0');

  sipflow_table_row *r = g_new0(sipflow_table_row, 1);
  r->cells = g_malloc((b.n + 1) * sizeof *r->cells + b.text->len);
  char *strings = (char *)(r->cells + b.n + 1);
  memcpy(strings, b.text->str, b.text->len);
  for (size_t i = 0; i < b.n; i++)
    r->cells[i] = strings + b.start[i];
  r->cells[b.n] = NULL;
  r->start_us = call->start_us;
  r->call = call->call;
  r->linked_call = call->linked_call;
  r->failed = call->failure != NULL;
  return r;
}

SIPFLOW_API void sipflow_table_row_free(sipflow_table_row *row)
{
  if (!row)
    return;
  g_free(row->cells);
  g_free(row);
}

/* ----------------------------------------------------------------- table */

static size_t gap_before(const sipflow_calls_table *t, size_t c)
{
  return c == 0 ? 0 : t->cols[c].tight ? 1 : TABLE_COLUMN_GAP;
}

static size_t cell_width(const char *s)
{
  return text_width(s, strlen(s));
}

/* Each column as wide as its widest cell so far (capped at max_width);
 * then, while a row is wider than total_width, the squeezable columns give
 * way: first those with a soft minimum down to it, then every one, the
 * last first, down to TABLE_SQUEEZE_MIN.  Still too wide: so be it. */
static void freeze_widths(sipflow_calls_table *t)
{
  size_t sum = 0;

  for (size_t c = 0; c < t->n_cols; c++) {
    size_t w = cell_width(t->cols[c].title);
    for (size_t r = 0; r < t->pending->len && !t->cols[c].overflow; r++) {
      const sipflow_table_row *row = g_ptr_array_index(t->pending, r);
      w = MAX(w, cell_width(row->cells[c]));
    }
    if (t->cols[c].max_width && w > t->cols[c].max_width)
      w = t->cols[c].max_width;
    t->width[c] = w;
    sum += w + gap_before(t, c);
  }
  for (int pass = 0; pass < 2; pass++) {
    for (size_t c = t->n_cols; c-- > 0 && sum > t->total_width;) {
      size_t floor = pass == 0 ? t->cols[c].soft_min : 0;
      if (!t->cols[c].squeeze || (pass == 0 && floor == 0))
        continue;
      floor = MAX(floor, TABLE_SQUEEZE_MIN);
      if (t->width[c] <= floor)
        continue;
      size_t give = MIN(sum - t->total_width, t->width[c] - floor);
      t->width[c] -= give;
      sum -= give;
    }
  }
  t->frozen = true;
}

static void spaces(GString *g, size_t n)
{
  for (; n > 0; n--)
    g_string_append_c(g, ' ');
}

/* A cell shortened to its column (the last one may use the room left:
 * rows written after the widths were frozen can be longer). */
static const char *fitted(sipflow_calls_table *t, size_t c, const char *text, size_t used)
{
  if (!t->cols[c].max_width && !t->cols[c].squeeze)
    return text;
  size_t limit = t->width[c];
  if (c == t->n_cols - 1 && t->cols[c].squeeze && t->total_width > used)
    limit = MAX(limit, t->total_width - used);
  if (cell_width(text) <= limit)
    return text;
  g_string_truncate(t->cell, 0);
  if (t->cols[c].cut_end)
    shorten_end(t->cell, text, limit);
  else
    shorten_middle(t->cell, text, limit);
  return t->cell->str;
}

static void write_cells(sipflow_calls_table *t, const char *const *cells)
{
  GString *l = t->line;
  size_t used = 0; /* display width of the line so far */

  g_string_truncate(l, 0);
  for (size_t c = 0; c < t->n_cols; c++) {
    size_t gap = gap_before(t, c);
    spaces(l, gap);
    used += gap;
    const char *text = fitted(t, c, cells[c] ? cells[c] : "", used);
    size_t w = cell_width(text), pad = w < t->width[c] ? t->width[c] - w : 0;
    if (t->cols[c].align == ALIGN_RIGHT)
      spaces(l, pad), used += pad;
    g_string_append(l, text);
    used += w;
    if (t->cols[c].align == ALIGN_LEFT && c != t->n_cols - 1)
      spaces(l, pad), used += pad;
  }
  while (l->len && l->str[l->len - 1] == ' ')
    g_string_truncate(l, l->len - 1);
  g_string_append_c(l, '\n');
  t->write(l->str, l->len, t->user);
}

/* The date shows only when the row's day differs from the first row's. */
static void fill_start(sipflow_calls_table *t, sipflow_table_row *r)
{
  g_string_truncate(t->scratch, 0);
  clock_time(t->scratch, r->start_us, utc_day(r->start_us) != t->first_day);
  g_strlcpy(r->start, t->scratch->str, sizeof r->start);
  r->cells[COL_START] = r->start;
}

static void write_row(sipflow_calls_table *t, sipflow_table_row *r)
{
  write_cells(t, (const char *const *)r->cells);
}

static void flush_pending(sipflow_calls_table *t)
{
  const char *titles[N_COLS];

  freeze_widths(t);
  for (size_t c = 0; c < t->n_cols; c++)
    titles[c] = t->cols[c].title;
  write_cells(t, titles);
  for (size_t r = 0; r < t->pending->len; r++)
    write_row(t, g_ptr_array_index(t->pending, r));
  g_ptr_array_set_size(t->pending, 0);
}

static void write_str(sipflow_calls_table *t, const char *s)
{
  t->write(s, strlen(s), t->user);
}

/* The line above the table: the date of the first row. */
static void start_table(sipflow_calls_table *t, int64_t start_us)
{
  GString *g = g_string_new("start times are UTC, ");
  clock_time(g, start_us, true);
  g_string_truncate(g, strlen("start times are UTC, ") + 10); /* the date */
  g_string_append(g, t->failed_only ? "\n" : "; setup, answer and duration in seconds\n");
  write_str(t, g->str);
  g_string_free(g, TRUE);
  t->first_day = utc_day(start_us);
  t->started = true;
}

/* Each B2BUA pair once, whichever leg comes first. */
static void note_link(sipflow_calls_table *t, uint32_t call, uint32_t linked)
{
  uint32_t lo = MIN(call, linked), hi = MAX(call, linked);
  gint64 *key = g_new(gint64, 1);
  *key = (gint64)lo << 32 | hi;
  if (g_hash_table_add(t->pairs, key))
    g_string_append_printf(t->links, "%s%" PRIu32 " ↔ %" PRIu32, t->links->len ? ", " : "",
                           lo, hi);
}

SIPFLOW_API sipflow_calls_table *sipflow_calls_table_new(const sipflow_table_options *opt,
                                                         sipflow_write_fn write, void *user)
{
  if (!write)
    return NULL;
  sipflow_calls_table *t = g_new0(sipflow_calls_table, 1);
  t->failed_only = opt && opt->failed_only;
  t->cols = t->failed_only ? failed_columns : call_columns;
  t->n_cols = t->failed_only ? N_FCOLS : N_COLS;
  t->total_width = opt && opt->width ? opt->width : TABLE_DEFAULT_WIDTH;
  t->write = write;
  t->user = user;
  t->pending = g_ptr_array_new_with_free_func((GDestroyNotify)sipflow_table_row_free);
  t->links = g_string_new(NULL);
  t->pairs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  t->line = g_string_new(NULL);
  t->cell = g_string_new(NULL);
  t->scratch = g_string_new(NULL);
  return t;
}

SIPFLOW_API void sipflow_calls_table_add(sipflow_calls_table *t, sipflow_table_row *row)
{
  if (!t || !row) {
    sipflow_table_row_free(row);
    return;
  }
  t->shown++;
  t->failed += row->failed;
  if (row->linked_call)
    note_link(t, row->call, row->linked_call);
  if (!t->started)
    start_table(t, row->start_us);
  fill_start(t, row);
  if (t->frozen) {
    write_row(t, row);
    sipflow_table_row_free(row);
    return;
  }
  g_ptr_array_add(t->pending, row);
  if (t->pending->len >= TABLE_SAMPLE_ROWS)
    flush_pending(t);
}

SIPFLOW_API void sipflow_calls_table_finish(sipflow_calls_table *t, int summary)
{
  if (!t)
    return;
  if (t->started && (!t->frozen || t->pending->len))
    flush_pending(t);
  if (summary) {
    GString *g = g_string_new(NULL);
    if (t->failed_only)
      g_string_append_printf(g, "%" PRIu64 " failed call%s\n", t->shown,
                             t->shown == 1 ? "" : "s");
    else
      g_string_append_printf(g, "%" PRIu64 " call%s, %" PRIu64 " failed\n", t->shown,
                             t->shown == 1 ? "" : "s", t->failed);
    if (t->links->len)
      g_string_append_printf(g, "legs of the same call (B2BUA): %s\n", t->links->str);
    write_str(t, g->str);
    g_string_free(g, TRUE);
  }
  g_ptr_array_free(t->pending, TRUE);
  g_string_free(t->links, TRUE);
  g_hash_table_destroy(t->pairs);
  g_string_free(t->line, TRUE);
  g_string_free(t->cell, TRUE);
  g_string_free(t->scratch, TRUE);
  g_free(t);
}

static void append_to_gstring(const char *text, size_t len, void *user)
{
  g_string_append_len(user, text, (gssize)len);
}

SIPFLOW_API int sipflow_render_calls_table(const sipflow_call_info *const *calls, size_t n,
                                           const sipflow_table_options *opt, char **out,
                                           size_t *out_len)
{
  if (!out || (n && !calls))
    return SIPFLOW_ERR_INVALID;
  GString *g = g_string_new(NULL);
  sipflow_calls_table *t = sipflow_calls_table_new(opt, append_to_gstring, g);
  for (size_t i = 0; i < n; i++)
    if (calls[i])
      sipflow_calls_table_add(t, sipflow_calls_table_row(t, calls[i]));
  sipflow_calls_table_finish(t, 1);
  if (out_len)
    *out_len = g->len;
  *out = g_string_free(g, FALSE);
  return SIPFLOW_OK;
}
