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
 * Speed (issue 7): a row waiting for its turn keeps what it shows of its
 * call (numbers, and the texts as the call has them) in ONE pooled block.
 * Once the first rows have set the widths, a row is made straight into its
 * line when it is added: each cell escaped and laid out where it lies,
 * once.  The first rows are measured to size the columns, held as they
 * wait for their turn, then made into their lines the same way.  No
 * printf, no GString.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "correlate.h" /* sf_copy_short */
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

/* Text of a call a row shows: NULL ptr when the call has none (a reason
 * phrase may be absent, "486 ", or empty, "486 -"). */
typedef struct row_text {
  const char *ptr;
  size_t len;
} row_text;

/* What a row shows of a call: its numbers, and its texts as the call has
 * them (the user parts of From and To already cut out of their URIs), to
 * be escaped when the row's cells are made. */
typedef struct row_fields {
  int64_t start_us, setup_ms, answer_ms, duration_ms;
  uint32_t call, linked_call, messages;
  int final_status;
  unsigned anomalies;
  sipflow_call_state state;
  row_text from, to, reason, call_id, failure;
} row_fields;

enum { N_ROW_TEXTS = 5 };

/* A call kept until its row's turn: thousands wait behind a long call (a
 * registration holds hundreds back), so a held row is its fields and the
 * bytes of its texts, no more.  Its cells are made when it is added, when
 * the widths are known most of the time (after the first rows): then
 * straight into its line, each cell escaped and laid out once. */
struct sipflow_table_row {
  sipflow_calls_table *pool; /* the table whose pool holds it, or NULL:
                                a row of its own (g_malloc) */
  union {
    int64_t start_us;
    sipflow_table_row *next_spare; /* in the pool's list of free rows */
  };
  int64_t setup_ms, answer_ms, duration_ms;
  uint32_t call, linked_call, messages;
  int32_t final_status;
  uint32_t anomalies;
  /* the lengths of from, to, reason, call_id, failure, their bytes
   * following in that order; ROW_NO_TEXT: none */
  uint32_t text_len[N_ROW_TEXTS];
  uint8_t state;
  uint8_t size_class; /* pooled: its block is size_class * ROW_GRAIN bytes */
  char text[];
};

#define ROW_NO_TEXT UINT32_MAX

/* Bytes the cells of a row may take besides the escaped texts: the
 * numbers, the start time (SF_CLOCK_MAX), the state, the anomaly names,
 * and the SF_TABLE_SLACK the engine reads past a cell. */
#define ROW_FIXED_TEXT 512

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
  sf_tbuf text;       /* the cells of the row being added, or its line
                         once the widths are frozen */
  const sf_tcolumn *cols; /* the frozen columns (sf_table_frozen), or NULL
                             while the first rows are held for the widths */
  GPtrArray *sample;  /* those rows (sipflow_table_row), in order */
  size_t line_room;   /* cols: bytes a line takes besides its texts */
  sf_tbuf scratch;    /* cols: text escaped before it is copied */
  sf_tcell cells[N_COLS];
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

/* ----------------------------------------------------------------- cells */

/* The cells of a row are made through a cursor into t->text, with the
 * room for all of them reserved (no check a byte).  Once the first rows
 * have set the widths (t->cols), a row is made straight into its line:
 * each cell after its gap, put in its column where it lies
 * (sf_tline_put).  Before, the cursor notes each cell's place and width
 * (cells): the widths size the columns (sf_table_measure).  The
 * helpers are always inlined into make_row, once for each way, so that the
 * cursor stays in registers and the way is known where it is compiled. */
typedef struct row_cursor {
  sipflow_calls_table *t;
  char *q;                 /* where the next byte goes */
  char *at;                /* the text of the cell being made */
  const sf_tcolumn *col;   /* its column (a line) */
  sf_tcell *cell;          /* its place (cells), or NULL: a line */
  size_t used;             /* columns of the line so far */
} row_cursor;

static SF_ALWAYS_INLINE void cell_begin(row_cursor *c)
{
  if (!c->cell)
    c->q = sf_tline_gap(c->q, c->col);
  c->at = c->q;
}

/* The cell made: put in its column (a squeezable last column may use the
 * room left), or noted. */
static SF_ALWAYS_INLINE void cell_end(row_cursor *c, size_t width, bool last)
{
  if (c->cell) {
    *c->cell++ = (sf_tcell){(uint32_t)(c->at - c->t->text.p), (uint32_t)(c->q - c->at),
                            (uint32_t)width};
    return;
  }
  size_t limit = last ? sf_tline_last_limit(c->col, c->used) : c->col->limit;
  c->q = sf_tline_put(c->at, c->q, width, c->col, limit, &c->used);
  c->col++;
}

/* text (len bytes) shown as it is: ASCII, or UTF-8 of that many columns */
static SF_ALWAYS_INLINE void cell_text(row_cursor *c, const char *s, size_t len, size_t width)
{
  cell_begin(c);
  sf_copy_short(c->q, s, len);
  c->q += len;
  cell_end(c, width, false);
}

/* v in decimal at q, written from its last digit back (no copy of digits
 * made elsewhere); returns their end. */
static SF_ALWAYS_INLINE char *put_uint(char *q, uint64_t v)
{
  size_t n = 1; /* the digits, two a division */
  uint64_t x = v;
  for (; x >= 100; x /= 100)
    n += 2;
  n += x >= 10;
  char *p = q + n;
  while (v >= 100) {
    p -= 2;
    memcpy(p, sf_digit_pairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10)
    memcpy(p - 2, sf_digit_pairs + 2 * v, 2);
  else
    p[-1] = (char)('0' + v);
  return q + n;
}

static SF_ALWAYS_INLINE void cell_uint(row_cursor *c, uint64_t v)
{
  cell_begin(c);
  c->q = put_uint(c->q, v);
  cell_end(c, (size_t)(c->q - c->at), false);
}

/* "0.120" (seconds, like the duration), or "-" when not applicable. */
static SF_ALWAYS_INLINE void cell_ms(row_cursor *c, int64_t ms)
{
  cell_begin(c);
  if (ms < 0) {
    *c->q++ = '-';
  } else {
    unsigned frac = (unsigned)((uint64_t)ms % 1000);
    char *q = put_uint(c->q, (uint64_t)ms / 1000);
    q[0] = '.';
    q[1] = (char)('0' + frac / 100);
    memcpy(q + 2, sf_digit_pairs + 2 * (frac % 100), 2);
    c->q = q + 4;
  }
  cell_end(c, (size_t)(c->q - c->at), false);
}

/* Text that is not all plain: escaped through t->scratch, then copied. */
static char *put_escaped_slow(sipflow_calls_table *t, char *q, const char *s, size_t len,
                              size_t plain, size_t *width)
{
  t->scratch.len = 0;
  *width = sf_text_escape_from(&t->scratch, s, len, plain);
  if (!t->scratch.len) /* nothing kept: scratch may have no buffer */
    return q;
  memcpy(q, t->scratch.p, t->scratch.len);
  return q + t->scratch.len;
}

/* s escaped at q (sf_text_escape: most text is plain, one copy); "-" when
 * that leaves nothing, or there is no s: an empty cell would read as a
 * gap.  Adds its width to *width; returns its end. */
static SF_ALWAYS_INLINE char *put_escaped(sipflow_calls_table *t, char *q, row_text s,
                                          size_t *width)
{
  const unsigned char *u = (const unsigned char *)s.ptr;
  size_t w = s.len;
  if (!s.ptr) {
    w = 0;
  } else if (sf_all_plain(u, s.len)) {
    sf_copy_short(q, s.ptr, s.len);
    q += s.len;
  } else {
    q = put_escaped_slow(t, q, s.ptr, s.len, sf_plain_run_end(u, 0, s.len), &w);
  }
  if (!w)
    *q++ = '-', w = 1;
  *width += w;
  return q;
}

static SF_ALWAYS_INLINE void cell_escaped(row_cursor *c, row_text s, bool last)
{
  size_t w = 0;
  cell_begin(c);
  c->q = put_escaped(c->t, c->q, s, &w);
  cell_end(c, w, last);
}

/* "486 Busy Here", "486 " without a reason, "-" without a final response */
static SF_ALWAYS_INLINE void cell_final(row_cursor *c, const row_fields *f)
{
  cell_begin(c);
  size_t w = 1;
  if (!f->final_status) {
    *c->q++ = '-';
  } else {
    if (f->final_status < 0)
      *c->q++ = '-', w++;
    char *q = put_uint(c->q, (uint64_t)ABS((int64_t)f->final_status));
    w += (size_t)(q - c->q);
    *q++ = ' ';
    c->q = q;
    if (f->reason.ptr)
      c->q = put_escaped(c->t, c->q, f->reason, &w);
  }
  cell_end(c, w, false);
}

/* "no-ack,retransmissions" (ASCII names), "-" when none */
static SF_ALWAYS_INLINE void cell_anomalies(row_cursor *c, unsigned flags)
{
  cell_begin(c);
  /* the flags set, lowest first (most calls have none) */
  for (unsigned set = flags & ((1u << SIPFLOW_ANOMALY_COUNT) - 1); set; set &= set - 1) {
    if (c->q != c->at)
      *c->q++ = ',';
    const char *name = sipflow_anomaly_name(set & -set);
    size_t len = strlen(name);
    memcpy(c->q, name, len);
    c->q += len;
  }
  if (c->q == c->at)
    *c->q++ = '-';
  cell_end(c, (size_t)(c->q - c->at), false);
}

/* The cells of a row into t->text: its line (cells NULL, the widths
 * frozen), or its cells noted there.  Returns the end of the text.  The
 * start cell needs first_day: the row is being added. */
static SF_ALWAYS_INLINE char *make_row(sipflow_calls_table *t, const row_fields *f,
                                       sf_tcell *cells)
{
  /* room for all at once: an escaped byte takes 4 at most */
  size_t texts = f->from.len + f->to.len + f->reason.len + f->call_id.len + f->failure.len;
  sf_tbuf_reserve(&t->text, (cells ? ROW_FIXED_TEXT : t->line_room) + 4 * texts);
  row_cursor c = {.t = t, .q = t->text.p, .col = t->cols, .cell = cells};
  cell_uint(&c, f->call);
  update_clock(t, f->start_us);
  cell_text(&c, t->clock, t->clock_len, t->clock_len);
  cell_escaped(&c, f->from, false);
  cell_text(&c, "→", sizeof "→" - 1, 1);
  cell_escaped(&c, f->to, false);
  const char *state = sipflow_call_state_name(f->state);
  size_t state_len = strlen(state); /* ASCII: a byte a column */
  cell_text(&c, state, state_len, state_len);
  if (t->failed_only) {
    cell_escaped(&c, f->call_id, false);
    cell_escaped(&c, f->failure, true);
  } else {
    cell_final(&c, f);
    cell_ms(&c, f->setup_ms);
    cell_ms(&c, f->answer_ms);
    cell_ms(&c, f->duration_ms);
    cell_uint(&c, f->messages);
    cell_anomalies(&c, f->anomalies);
    cell_escaped(&c, f->call_id, true);
  }
  g_assert(cells ? c.cell == cells + t->n_cols : c.col == t->cols + t->n_cols);
  return c.q;
}

/* The row's line, written through t->write. */
static void row_line(sipflow_calls_table *t, const row_fields *f)
{
  char *end = sf_tline_end(t->text.p, make_row(t, f, NULL));
  t->write(t->text.p, (size_t)(end - t->text.p), t->user);
}

/* ---------------------------------------------------------------- fields */

/* duration_s is a whole number of ms (sipflow.h) */
static int64_t duration_ms(double duration_s)
{
  return duration_s < 0 ? -1 : (int64_t)(duration_s * 1000.0 + 0.5);
}

static row_text text_of(const char *s)
{
  return (row_text){s, s ? strlen(s) : 0};
}

/* The user part of a URI (or its host); none when it has none. */
static row_text uri_name(const char *uri)
{
  sipflow_span user;
  if (sf_uri_user_cstr(uri, &user) >= 0)
    return (row_text){user.ptr, user.len};
  return (row_text){NULL, 0};
}

static void fields_of_call(row_fields *f, const sipflow_call_info *c, bool failed_only)
{
  f->start_us = c->start_us;
  f->setup_ms = c->setup_ms;
  f->answer_ms = c->answer_ms;
  f->duration_ms = duration_ms(c->duration_s);
  f->call = c->call;
  f->linked_call = c->linked_call;
  f->messages = c->messages;
  f->final_status = c->final_status;
  f->anomalies = c->anomalies;
  f->state = c->state;
  f->from = uri_name(c->from);
  f->to = uri_name(c->to);
  f->reason = text_of(c->reason);
  f->call_id = text_of(c->call_id);
  /* the calls table shows only whether there is one */
  f->failure = failed_only ? text_of(c->failure) : (row_text){c->failure, 0};
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

/* A text of a held row: its bytes at q, its length (ROW_NO_TEXT: none);
 * returns their end. */
static inline char *hold_text(char *q, uint32_t *len, row_text s)
{
  *len = s.ptr ? (uint32_t)s.len : ROW_NO_TEXT;
  sf_copy_short(q, s.ptr, s.len); /* len 0 when none */
  return q + s.len;
}

/* The text of a held row at p, of length len; returns its end. */
static inline const char *held_text(const char *p, uint32_t len, row_text *s)
{
  if (len == ROW_NO_TEXT) {
    *s = (row_text){NULL, 0};
    return p;
  }
  *s = (row_text){p, len};
  return p + len;
}

/* A held row of f: its fields and a copy of its texts. */
static sipflow_table_row *hold_row(sipflow_calls_table *t, const row_fields *f)
{
  size_t bytes = f->from.len + f->to.len + f->reason.len + f->call_id.len + f->failure.len;
  sipflow_table_row *r = row_block(t, sizeof *r + bytes);
  r->start_us = f->start_us;
  r->setup_ms = f->setup_ms;
  r->answer_ms = f->answer_ms;
  r->duration_ms = f->duration_ms;
  r->call = f->call;
  r->linked_call = f->linked_call;
  r->messages = f->messages;
  r->final_status = f->final_status;
  r->anomalies = f->anomalies;
  r->state = (uint8_t)f->state;
  char *q = r->text;
  q = hold_text(q, &r->text_len[0], f->from);
  q = hold_text(q, &r->text_len[1], f->to);
  q = hold_text(q, &r->text_len[2], f->reason);
  q = hold_text(q, &r->text_len[3], f->call_id);
  hold_text(q, &r->text_len[4], f->failure);
  return r;
}

SIPFLOW_API sipflow_table_row *sipflow_calls_table_row(sipflow_calls_table *t,
                                                       const sipflow_call_info *call)
{
  if (!t || !call)
    return NULL;
  row_fields f;
  fields_of_call(&f, call, t->failed_only);
  return hold_row(t, &f);
}

/* The fields of a held row, its texts where it keeps them. */
static void fields_of_row(row_fields *f, const sipflow_table_row *r)
{
  f->start_us = r->start_us;
  f->setup_ms = r->setup_ms;
  f->answer_ms = r->answer_ms;
  f->duration_ms = r->duration_ms;
  f->call = r->call;
  f->linked_call = r->linked_call;
  f->messages = r->messages;
  f->final_status = r->final_status;
  f->anomalies = r->anomalies;
  f->state = (sipflow_call_state)r->state;
  const char *p = r->text;
  p = held_text(p, r->text_len[0], &f->from);
  p = held_text(p, r->text_len[1], &f->to);
  p = held_text(p, r->text_len[2], &f->reason);
  p = held_text(p, r->text_len[3], &f->call_id);
  held_text(p, r->text_len[4], &f->failure);
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
  t->sample = g_ptr_array_new();
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

/* The header, then the first rows, held until they had sized the
 * columns; from then on, rows go straight into their lines. */
static void flush_sample(sipflow_calls_table *t)
{
  sf_table_flush(t->table);
  t->cols = sf_table_frozen(t->table);
  /* each cell's gap, padding, the 16-byte moves of sf_tline_put */
  t->line_room = ROW_FIXED_TEXT;
  for (size_t c = 0; c < t->n_cols; c++)
    t->line_room += SF_TLINE_ROOM(&t->cols[c]);
  for (size_t i = 0; i < t->sample->len; i++) {
    sipflow_table_row *r = g_ptr_array_index(t->sample, i);
    row_fields f;
    fields_of_row(&f, r);
    row_line(t, &f);
    sipflow_table_row_free(r);
  }
  g_ptr_array_set_size(t->sample, 0);
}

/* The row of f, written now straight into its line once the widths are
 * frozen; before, its cells measured for the widths, and it is held. */
static void add_fields(sipflow_calls_table *t, const row_fields *f)
{
  count_row(t, f->call, f->linked_call, f->failure.ptr != NULL, f->start_us);
  if (t->cols) {
    row_line(t, f);
    return;
  }
  make_row(t, f, t->cells);
  sf_table_measure(t->table, t->cells);
  g_ptr_array_add(t->sample, hold_row(t, f));
  if (t->sample->len >= SF_TABLE_SAMPLE_ROWS)
    flush_sample(t);
}

SIPFLOW_API void sipflow_calls_table_add(sipflow_calls_table *t, sipflow_table_row *row)
{
  if (t && row) {
    row_fields f;
    fields_of_row(&f, row);
    add_fields(t, &f);
  }
  sipflow_table_row_free(row);
}

SIPFLOW_API void sipflow_calls_table_add_call(sipflow_calls_table *t,
                                              const sipflow_call_info *call)
{
  if (!t || !call)
    return;
  row_fields f;
  fields_of_call(&f, call, t->failed_only);
  add_fields(t, &f);
}

SIPFLOW_API void sipflow_calls_table_finish(sipflow_calls_table *t, int summary)
{
  if (!t)
    return;
  if (t->started)
    flush_sample(t);
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
  g_free(t->scratch.p);
  g_ptr_array_free(t->sample, TRUE);
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
