/*
 * render stage: the text table of `sipflow calls` and `sipflow failed`, one
 * row per call, shared by the CLI and the Wireshark plugin so that both
 * print the same bytes (issue 5: `-z sipflow,calls` equals `sipflow calls`).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Layout: a line "start times are UTC, <date>...", a header row, one row per
 * call, then "N calls, M failed" and the B2BUA legs when there are any.
 * Widths, fitting and shortening are the table engine's
 * (render_table_engine.c): Call-IDs lose their middle ("abc…@host"),
 * reason phrases their end.
 *
 * Speed (issue 7): a row is built into one reusable buffer with each
 * cell's length and width measured on the way, then kept as ONE block
 * (reused once written) until its turn; no printf, no GString.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "render_table_engine.h"

#define ROW_GRAIN 8           /* pooled row sizes are multiples of it (rows
                                 hold pointers and 64-bit times) */
#define ROW_CLASSES 128       /* pooled rows are up to 127 grains; bigger: g_malloc */
#define ROW_CHUNK (64 * 1024) /* bytes of pool allocated at once */
/* Once the pool has that many bytes, its chunks are huge pages
 * (sf_huge_block_new): tens of thousands of rows wait behind a
 * registration on a big capture, and in 4 KiB pages their first touch
 * was a third of the page faults of `sipflow calls`.  A small table does
 * not take a huge page (it would be 2 MiB bigger). */
#define ROW_HUGE_AFTER ((size_t)1 << 20)

/* --------------------------------------------------------------- columns */

enum { COL_ID, COL_START, COL_FROM, COL_ARROW, COL_TO, COL_STATE, COL_FINAL, COL_SETUP,
       COL_ANSWER, COL_DURATION, COL_MSGS, COL_ANOMALIES, COL_CALL_ID, N_COLS };

static const sipflow_table_column call_columns[N_COLS] = {
  [COL_ID] = {.title = "#", .align = SIPFLOW_ALIGN_RIGHT},
  [COL_START] = {.title = "start"},
  [COL_FROM] = {.title = "from", .align = SIPFLOW_ALIGN_RIGHT, .max_width = 24},
  [COL_ARROW] = {.title = "", .tight = 1},
  [COL_TO] = {.title = "to", .tight = 1, .max_width = 24},
  [COL_STATE] = {.title = "state"},
  /* the status code says it; the reason phrase gives way before the Call-ID */
  [COL_FINAL] = {.title = "final", .max_width = 28, .squeeze = 1, .soft_min = 16,
                 .cut = SIPFLOW_CUT_END},
  [COL_SETUP] = {.title = "setup", .align = SIPFLOW_ALIGN_RIGHT},
  [COL_ANSWER] = {.title = "answer", .align = SIPFLOW_ALIGN_RIGHT},
  [COL_DURATION] = {.title = "duration", .align = SIPFLOW_ALIGN_RIGHT},
  [COL_MSGS] = {.title = "msgs", .align = SIPFLOW_ALIGN_RIGHT},
  [COL_ANOMALIES] = {.title = "anomalies", .squeeze = 1, .cut = SIPFLOW_CUT_END},
  /* Call-IDs differ at both ends ("abc…@host"): cut the middle */
  [COL_CALL_ID] = {.title = "call-id", .squeeze = 1},
};

/* `failed`: the sentence is the point, so it comes last and in full. */
enum { FCOL_ID, FCOL_START, FCOL_FROM, FCOL_ARROW, FCOL_TO, FCOL_STATE, FCOL_CALL_ID,
       FCOL_FAILURE, N_FCOLS };

static const sipflow_table_column failed_columns[N_FCOLS] = {
  [FCOL_ID] = {.title = "#", .align = SIPFLOW_ALIGN_RIGHT},
  [FCOL_START] = {.title = "start"},
  [FCOL_FROM] = {.title = "from", .align = SIPFLOW_ALIGN_RIGHT, .max_width = 24},
  [FCOL_ARROW] = {.title = "", .tight = 1},
  [FCOL_TO] = {.title = "to", .tight = 1, .max_width = 24},
  [FCOL_STATE] = {.title = "state"},
  [FCOL_CALL_ID] = {.title = "call-id", .squeeze = 1},
  [FCOL_FAILURE] = {.title = "why", .overflow = 1},
};

G_STATIC_ASSERT((int)COL_START == (int)FCOL_START);

/* ------------------------------------------------------------------ rows */

/* A call's cells, kept until the row's turn: thousands wait behind a
 * long call (a registration holds hundreds back), so a held row is as
 * small as its content: this header, each cell's length and width (the
 * offsets follow from the lengths), then the text, without the start
 * cell, which is made when the row is added (the date shows when the day
 * differs from the first row's). */
struct sipflow_table_row {
  sipflow_calls_table *pool; /* the table whose pool holds it, or NULL:
                                a row of its own (g_malloc) */
  union {
    int64_t start_us;
    sipflow_table_row *next_spare; /* in the pool's list of free rows */
  };
  uint32_t call, linked_call;
  uint32_t bytes;   /* of text */
  uint8_t size_class; /* pooled: its block is size_class * ROW_GRAIN bytes */
  bool failed;
  bool wide;        /* a cell of 256 bytes or columns or more: sf_tcell cells */
  /* n_cols row_cell (or sf_tcell when wide), then the text */
  _Alignas(sf_tcell) unsigned char data[];
};

/* A cell of a held row, all but a few long ones: a byte each for length
 * and width (tens of thousands of rows wait behind a registration on a
 * big capture; with 16-bit fields the cells were a fifth of a row). */
typedef struct row_cell {
  uint8_t len, width;
} row_cell;

struct sipflow_calls_table {
  sf_table *table;
  sipflow_write_fn write;
  void *user;
  bool failed_only, started;
  size_t n_cols;
  int64_t first_day;  /* UTC day of the first row */
  uint64_t shown, failed;
  GString *links;     /* "1 ↔ 2, 3 ↔ 4" */
  GHashTable *pairs;  /* gint64 lo << 32 | hi: the pairs in links */
  sf_tbuf text;       /* the text of the row being built, or being added */
  sf_tcell cells[N_COLS];
  row_cell packed[N_COLS]; /* the same, as a held row keeps them */
  size_t n;           /* cells built */
  /* Rows come from a pool: malloc and free cost as much as building the
   * row (thousands wait for their turn behind a long call, beyond what
   * malloc caches).  A row takes the grains its size needs, carved from
   * chunks of ROW_CHUNK bytes; a row written goes back to the list of
   * spare blocks of its size. */
  GPtrArray *chunks;
  char *carve, *carve_end;           /* the rest of the last chunk */
  size_t chunk_bytes;                /* in chunks */
  sipflow_table_row *spare[ROW_CLASSES];
  int64_t clock_sec;  /* the start cell made last, reused for the rows */
  bool clock_date;    /* of the same second (many on a busy link) */
  size_t clock_len;   /* 0: none yet */
  char clock[SF_CLOCK_MAX];
};

/* The cells are built one after the other into t->text, each with its
 * width. */
static inline void cell_begin(sipflow_calls_table *t)
{
  t->cells[t->n++].off = (uint32_t)t->text.len;
}

static inline void cell_end(sipflow_calls_table *t, size_t width)
{
  sf_tcell *c = &t->cells[t->n - 1];
  c->len = (uint32_t)(t->text.len - c->off);
  c->width = (uint32_t)width;
  /* cut when longer than 255: then the row keeps `cells` (row_is_wide) */
  t->packed[t->n - 1] = (row_cell){(uint8_t)c->len, (uint8_t)width};
}

/* text (len bytes) shown as it is: ASCII, or UTF-8 of that many columns */
static void cell_text(sipflow_calls_table *t, const char *s, size_t len, size_t width)
{
  cell_begin(t);
  sf_tbuf_put(&t->text, s, len);
  cell_end(t, width);
}

/* "-" when nothing was escaped: an empty cell would read as a gap */
static size_t dash_if_empty(sipflow_calls_table *t, size_t width)
{
  if (width)
    return width;
  sf_tbuf_putc(&t->text, '-');
  return 1;
}

/* s escaped, "-" when that leaves nothing */
static void cell_escaped(sipflow_calls_table *t, const char *s)
{
  cell_begin(t);
  cell_end(t, dash_if_empty(t, s ? sf_text_escape(&t->text, s, strlen(s)) : 0));
}

/* the user part of a URI (or its host), escaped; "-" when none */
static void cell_uri_name(sipflow_calls_table *t, const char *uri)
{
  sipflow_span user;
  size_t w = 0;
  cell_begin(t);
  if (uri && sipflow_uri_user(uri, strlen(uri), &user) >= 0)
    w = sf_text_escape(&t->text, user.ptr, user.len);
  cell_end(t, dash_if_empty(t, w));
}

static void cell_uint(sipflow_calls_table *t, uint64_t v)
{
  cell_begin(t);
  cell_end(t, sf_tbuf_uint(&t->text, v));
}

/* "0.120" (seconds, like the duration), or "-" when not applicable.
 * Written in place: three of these a row, most under 100 s. */
static void cell_ms(sipflow_calls_table *t, int64_t ms)
{
  cell_begin(t);
  if (ms < 0) {
    sf_tbuf_putc(&t->text, '-');
    cell_end(t, 1);
    return;
  }
  uint64_t sec = (uint64_t)ms / 1000;
  unsigned frac = (unsigned)((uint64_t)ms % 1000);
  size_t n;
  sf_tbuf_reserve(&t->text, 24); /* 20 digits at most, then ".123" */
  if (sec < 10) {
    t->text.p[t->text.len] = (char)('0' + sec);
    n = 1;
  } else if (sec < 100) {
    memcpy(t->text.p + t->text.len, sf_digit_pairs + 2 * sec, 2);
    n = 2;
  } else {
    n = sf_tbuf_uint(&t->text, sec); /* in the room reserved */
    t->text.len -= n;
  }
  char *q = t->text.p + t->text.len + n;
  q[0] = '.';
  q[1] = (char)('0' + frac / 100);
  memcpy(q + 2, sf_digit_pairs + 2 * (frac % 100), 2);
  t->text.len += n + 4;
  cell_end(t, n + 4);
}

/* "486 Busy Here", "486 " without a reason, "-" without a final response */
static void cell_final(sipflow_calls_table *t, const sipflow_call_info *c)
{
  cell_begin(t);
  if (!c->final_status) {
    sf_tbuf_putc(&t->text, '-');
    cell_end(t, 1);
    return;
  }
  size_t w = 1;
  if (c->final_status < 0)
    sf_tbuf_putc(&t->text, '-'), w++;
  w += sf_tbuf_uint(&t->text, (uint64_t)ABS((int64_t)c->final_status));
  sf_tbuf_putc(&t->text, ' ');
  if (c->reason)
    w += dash_if_empty(t, sf_text_escape(&t->text, c->reason, strlen(c->reason)));
  cell_end(t, w);
}

/* "no-ack,retransmissions" (ASCII names), "-" when none */
static void cell_anomalies(sipflow_calls_table *t, unsigned flags)
{
  cell_begin(t);
  size_t at = t->text.len;
  /* the flags set, lowest first (most calls have none) */
  for (unsigned set = flags & ((1u << SIPFLOW_ANOMALY_COUNT) - 1); set; set &= set - 1) {
    if (t->text.len != at)
      sf_tbuf_putc(&t->text, ',');
    const char *name = sipflow_anomaly_name(set & -set);
    sf_tbuf_put(&t->text, name, strlen(name));
  }
  cell_end(t, dash_if_empty(t, t->text.len - at));
}

/* duration_s is a whole number of ms (sipflow.h) */
static int64_t duration_ms(double duration_s)
{
  return duration_s < 0 ? -1 : (int64_t)(duration_s * 1000.0 + 0.5);
}

static void call_cells(sipflow_calls_table *t, const sipflow_call_info *c)
{
  cell_uint(t, c->call);
  t->packed[t->n] = (row_cell){0, 0}; /* start: made when added */
  t->cells[t->n++] = (sf_tcell){0, 0, 0};
  cell_uri_name(t, c->from);
  cell_text(t, "→", sizeof "→" - 1, 1);
  cell_uri_name(t, c->to);
  const char *state = sipflow_call_state_name(c->state);
  size_t state_len = strlen(state); /* ASCII: a byte a column */
  cell_text(t, state, state_len, state_len);
  if (t->failed_only) {
    cell_escaped(t, c->call_id);
    cell_escaped(t, c->failure);
    return;
  }
  cell_final(t, c);
  cell_ms(t, c->setup_ms);
  cell_ms(t, c->answer_ms);
  cell_ms(t, duration_ms(c->duration_s));
  cell_uint(t, c->messages);
  cell_anomalies(t, c->anomalies);
  cell_escaped(t, c->call_id);
}

/* A block of `size` bytes for a row: from the pool when it fits. */
static sipflow_table_row *row_block(sipflow_calls_table *t, size_t size)
{
  size_t grains = (size + ROW_GRAIN - 1) / ROW_GRAIN;
  sipflow_table_row *r;
  if (grains >= ROW_CLASSES) {
    r = g_malloc(size);
    r->pool = NULL;
    return r;
  }
  r = t->spare[grains];
  if (r) {
    t->spare[grains] = r->next_spare;
  } else {
    size_t block = grains * ROW_GRAIN;
    if ((size_t)(t->carve_end - t->carve) < block) {
      /* the rest of the last one is lost */
      size_t n = t->chunk_bytes >= ROW_HUGE_AFTER ? SF_HUGE_PAGE : ROW_CHUNK;
      char *p = n > ROW_CHUNK ? sf_huge_block_new(n) : NULL;
      if (!p)
        p = g_malloc(n = ROW_CHUNK);
      t->carve = p;
      t->carve_end = p + n;
      t->chunk_bytes += n;
      g_ptr_array_add(t->chunks, p); /* g_free is free() */
    }
    r = (sipflow_table_row *)t->carve;
    t->carve += block;
  }
  r->pool = t;
  r->size_class = (uint8_t)grains;
  return r;
}

/* A cell of the row built is too long for a row_cell.  A cell is never
 * wider than its bytes (a column takes one byte at least), so a row of
 * at most 255 bytes (most) has none. */
static bool row_is_wide(const sipflow_calls_table *t)
{
  if (t->text.len <= UINT8_MAX)
    return false;
  for (size_t i = 0; i < t->n; i++)
    if (t->cells[i].len > UINT8_MAX || t->cells[i].width > UINT8_MAX)
      return true;
  return false;
}

SIPFLOW_API sipflow_table_row *sipflow_calls_table_row(sipflow_calls_table *t,
                                                       const sipflow_call_info *call)
{
  if (!t || !call)
    return NULL;
  t->text.len = 0;
  t->n = 0;
  call_cells(t, call);
  g_assert(t->n == t->n_cols);

  bool wide = row_is_wide(t);
  size_t cells = t->n * (wide ? sizeof(sf_tcell) : sizeof(row_cell));
  sipflow_table_row *r = row_block(t, sizeof *r + cells + t->text.len);
  if (wide)
    memcpy(r->data, t->cells, cells);
  else if (t->n == N_COLS) /* constant sizes: moves, not a call */
    memcpy(r->data, t->packed, N_COLS * sizeof(row_cell));
  else
    memcpy(r->data, t->packed, N_FCOLS * sizeof(row_cell));
  memcpy(r->data + cells, t->text.p, t->text.len);
  r->wide = wide;
  r->bytes = (uint32_t)t->text.len;
  r->start_us = call->start_us;
  r->call = call->call;
  r->linked_call = call->linked_call;
  r->failed = call->failure != NULL;
  return r;
}

SIPFLOW_API void sipflow_table_row_free(sipflow_table_row *row)
{
  if (row && row->pool) {
    sipflow_calls_table *t = row->pool;
    row->next_spare = t->spare[row->size_class];
    t->spare[row->size_class] = row;
  } else {
    g_free(row);
  }
}

/* ----------------------------------------------------------------- table */

static void write_str(sipflow_calls_table *t, const char *s)
{
  t->write(s, strlen(s), t->user);
}

/* The line above the table: the date of the first row. */
static void start_table(sipflow_calls_table *t, int64_t start_us)
{
  char date[SF_CLOCK_MAX];
  GString *g = g_string_new("start times are UTC, ");
  g_string_append_len(g, date, (gssize)MIN(sf_clock_time(date, start_us, true), 10));
  g_string_append(g, t->failed_only ? "\n" : "; setup, answer and duration in seconds\n");
  write_str(t, g->str);
  g_string_free(g, TRUE);
  t->first_day = sf_utc_day(start_us);
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

/* The start cell: "10:00:02", the date in front only when the row's day
 * differs from the first row's.  The same second as the row before: the
 * same text. */
static void update_clock(sipflow_calls_table *t, int64_t us)
{
  /* the second of the row before (most rows of a busy link): the same
   * text, without the two divisions below */
  if (us >= 0 && t->clock_len && t->clock_sec >= 0 &&
      (uint64_t)(us - t->clock_sec * 1000000) < 1000000)
    return;
  int64_t sec = us / 1000000;
  bool date = sf_utc_day(us) != t->first_day;

  /* us >= 0: then the second is what sf_clock_time shows */
  if (us < 0 || !t->clock_len || sec != t->clock_sec || date != t->clock_date) {
    t->clock_len = sf_clock_time(t->clock, us, date);
    t->clock_sec = us < 0 ? -1 : sec;
    t->clock_date = date;
  }
}

/* The cells with their offsets, the text being laid out in their order
 * after the start cell's.  Inlined with n a constant: the loop unrolled. */
static SF_ALWAYS_INLINE void unpack_cells(sipflow_calls_table *t, const row_cell *rc,
                                          size_t n)
{
  uint32_t off = (uint32_t)t->clock_len;
#pragma GCC unroll 16
  for (size_t c = 0; c < n; off += rc[c].len, c++)
    t->cells[c] = (sf_tcell){off, rc[c].len, rc[c].width};
}

static void unpack_wide(sipflow_calls_table *t, const sf_tcell *rc)
{
  uint32_t off = (uint32_t)t->clock_len;
  for (size_t c = 0; c < t->n_cols; off += rc[c].len, c++)
    t->cells[c] = (sf_tcell){off, rc[c].len, rc[c].width};
}

/* The row laid out for the engine in t->text and t->cells: the start cell,
 * then the text held, each cell where the lengths before it end. */
static void unpack_row(sipflow_calls_table *t, const sipflow_table_row *row)
{
  size_t n = t->n_cols, cells = n * (row->wide ? sizeof(sf_tcell) : sizeof(row_cell));
  const unsigned char *text = row->data + cells;

  update_clock(t, row->start_us);
  t->text.len = 0;
  sf_tbuf_reserve(&t->text, t->clock_len + row->bytes + SF_TABLE_SLACK);
  if (t->clock_len <= SF_TABLE_SLACK) /* "10:00:02": one 16-byte move */
    memcpy(t->text.p, t->clock, SF_TABLE_SLACK);
  else
    memcpy(t->text.p, t->clock, t->clock_len);
  memcpy(t->text.p + t->clock_len, text, row->bytes);
  t->text.len = t->clock_len + row->bytes;

  if (row->wide)
    unpack_wide(t, (const sf_tcell *)row->data);
  else if (n == N_COLS)
    unpack_cells(t, (const row_cell *)row->data, N_COLS);
  else
    unpack_cells(t, (const row_cell *)row->data, N_FCOLS);
  /* the start cell was held empty */
  t->cells[COL_START] = (sf_tcell){0, (uint32_t)t->clock_len, (uint32_t)t->clock_len};
}

SIPFLOW_API sipflow_calls_table *sipflow_calls_table_new(const sipflow_table_options *opt,
                                                         sipflow_write_fn write, void *user)
{
  if (!write)
    return NULL;
  sipflow_calls_table *t = g_new0(sipflow_calls_table, 1);
  t->failed_only = opt && opt->failed_only;
  t->n_cols = t->failed_only ? N_FCOLS : N_COLS;
  t->table = sf_table_new(t->failed_only ? failed_columns : call_columns, t->n_cols,
                          opt && opt->width ? opt->width : SF_TABLE_DEFAULT_WIDTH, write, user);
  t->write = write;
  t->user = user;
  t->links = g_string_new(NULL);
  t->pairs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  t->chunks = g_ptr_array_new_with_free_func(g_free);
  return t;
}

/* A row about to be written: the counts of the summary, the B2BUA legs,
 * the line above the table before the first. */
static void count_row(sipflow_calls_table *t, uint32_t call, uint32_t linked_call, bool failed,
                      int64_t start_us)
{
  t->shown++;
  t->failed += failed;
  if (linked_call)
    note_link(t, call, linked_call);
  if (!t->started)
    start_table(t, start_us);
}

SIPFLOW_API void sipflow_calls_table_add(sipflow_calls_table *t, sipflow_table_row *row)
{
  if (!t || !row) {
    sipflow_table_row_free(row);
    return;
  }
  count_row(t, row->call, row->linked_call, row->failed, row->start_us);
  unpack_row(t, row);
  sf_table_add(t->table, t->text.p, t->cells, t->text.len);
  sipflow_table_row_free(row);
}

SIPFLOW_API void sipflow_calls_table_add_call(sipflow_calls_table *t,
                                              const sipflow_call_info *call)
{
  if (!t || !call)
    return;
  count_row(t, call->call, call->linked_call, call->failure != NULL, call->start_us);
  t->text.len = 0;
  t->n = 0;
  call_cells(t, call);
  g_assert(t->n == t->n_cols);
  /* the start cell after the others' text: cells need not be in order */
  update_clock(t, call->start_us);
  uint32_t at = (uint32_t)t->text.len;
  sf_tbuf_put(&t->text, t->clock, t->clock_len);
  sf_tbuf_reserve(&t->text, SF_TABLE_SLACK);
  t->cells[COL_START] = (sf_tcell){at, (uint32_t)t->clock_len, (uint32_t)t->clock_len};
  sf_table_add(t->table, t->text.p, t->cells, t->text.len);
}

SIPFLOW_API void sipflow_calls_table_finish(sipflow_calls_table *t, int summary)
{
  if (!t)
    return;
  if (t->started)
    sf_table_flush(t->table);
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
  sf_table_free(t->table);
  g_string_free(t->links, TRUE);
  g_hash_table_destroy(t->pairs);
  g_free(t->text.p);
  g_ptr_array_free(t->chunks, TRUE);
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
      sipflow_calls_table_add_call(t, calls[i]);
  sipflow_calls_table_finish(t, 1);
  if (out_len)
    *out_len = g->len;
  *out = g_string_free(g, FALSE);
  return SIPFLOW_OK;
}
