/*
 * render stage, internal: the text-table engine (render_table_engine.c)
 * that the calls table (render_table.c) draws with, and its byte buffer,
 * escaping and clock helpers.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A row is a block of text plus one sf_tcell per column (offset, bytes,
 * display width) measured while the cells were escaped: writing a line is
 * then copies and padding, no strlen, no width scan (issue 7).
 */
#ifndef SIPFLOW_RENDER_TABLE_ENGINE_H
#define SIPFLOW_RENDER_TABLE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sf_internal.h"

/* ---------------------------------------------------------------- buffer */

/* A growable byte buffer, not NUL-terminated: GString's checks and calls
 * on every append cost more than the copies on a table of a million rows. */
typedef struct sf_tbuf {
  char *p;
  size_t len, cap;
} sf_tbuf;

void sf_tbuf_grow(sf_tbuf *b, size_t n);

static inline void sf_tbuf_reserve(sf_tbuf *b, size_t n)
{
  if (b->len + n > b->cap)
    sf_tbuf_grow(b, n);
}

static inline void sf_tbuf_put(sf_tbuf *b, const char *s, size_t n)
{
  sf_tbuf_reserve(b, n);
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static inline void sf_tbuf_putc(sf_tbuf *b, char c)
{
  sf_tbuf_reserve(b, 1);
  b->p[b->len++] = c;
}

/* "00" to "99": numbers are written two digits a division. */
extern const char sf_digit_pairs[201];

/* v in decimal; returns the digits written (= their display width). */
static inline size_t sf_tbuf_uint(sf_tbuf *b, uint64_t v)
{
  /* the digits end 20 bytes before tmp's end, so that 20 bytes from
   * their start can be moved at once (a fixed move, not a call) */
  char tmp[40], *end = tmp + 20, *p = end;
  while (v >= 100) {
    p -= 2;
    memcpy(p, sf_digit_pairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10) {
    p -= 2;
    memcpy(p, sf_digit_pairs + 2 * v, 2);
  } else {
    *--p = (char)('0' + v);
  }
  size_t n = (size_t)(end - p);
  sf_tbuf_reserve(b, 20);
  memcpy(b->p + b->len, p, 20);
  b->len += n;
  return n;
}

/* ------------------------------------------------------------------ text */

#define SF_ONES UINT64_C(0x0101010101010101)
#define SF_HIGHS UINT64_C(0x8080808080808080)

/* Printable ASCII but '\': kept as it is, one column a byte. */
static inline bool sf_plain_byte(unsigned char c)
{
  return c >= 0x20 && c < 0x7f && c != '\\';
}

/* Whether the 8 bytes of x are all sf_plain_byte(), at once (bit tricks
 * from "Bit Twiddling Hacks": a byte below 0x20, one of 0x7f and above, one
 * equal to '\' each set the high bit of their byte in the result; a borrow
 * or a carry only ever starts at such a byte). */
static inline bool sf_plain_word(uint64_t x)
{
  uint64_t below = (x - SF_ONES * 0x20) & ~x;
  uint64_t above = x | (x + SF_ONES); /* 0x7f -> 0x80; >= 0x80 already */
  uint64_t bs = x ^ (SF_ONES * '\\');
  uint64_t is_bs = (bs - SF_ONES) & ~bs;
  return ((below | above | is_bs) & SF_HIGHS) == 0;
}

/* End of the run of plain bytes of s from i (exclusive bound len). */
static inline size_t sf_plain_run_end(const unsigned char *s, size_t i, size_t len)
{
  uint64_t x;
  while (i + 8 <= len) {
    memcpy(&x, s + i, 8);
    if (!sf_plain_word(x))
      break;
    i += 8;
  }
  /* the last bytes: the last 8 of the text at once when they are plain */
  if (i < len && len >= 8 && i + 8 > len) {
    memcpy(&x, s + len - 8, 8);
    if (sf_plain_word(x))
      return len;
  }
  while (i < len && sf_plain_byte(s[i]))
    i++;
  return i;
}

#ifdef __SSE2__
#include <emmintrin.h>

/* Whether the 16 bytes at p are all sf_plain_byte(): as signed bytes,
 * 0x80 and above are negative, so one compare finds them with the
 * controls. */
static inline bool sf_plain16(const unsigned char *p)
{
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                             _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)),
                                          _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return _mm_movemask_epi8(bad) == 0;
}
#endif

/* Whether the len bytes at s are all plain (most text: names, numbers,
 * Call-IDs): 16 bytes a step, the last ones in steps that overlap, never
 * a byte outside s. */
static SF_ALWAYS_INLINE bool sf_all_plain(const unsigned char *s, size_t len)
{
  uint64_t x;
#ifdef __SSE2__
  if (len >= 16) {
    for (size_t i = 0; i + 16 < len; i += 16)
      if (!sf_plain16(s + i))
        return false;
    return sf_plain16(s + len - 16);
  }
#endif
  if (len >= 8) {
    uint64_t y;
    memcpy(&x, s, 8);
    memcpy(&y, s + len - 8, 8);
    return sf_plain_word(x) && sf_plain_word(y);
  }
  if (len >= 4) {
    uint32_t a, b;
    memcpy(&a, s, 4);
    memcpy(&b, s + len - 4, 4);
    return sf_plain_word((uint64_t)b << 32 | a);
  }
  for (size_t i = 0; i < len; i++)
    if (!sf_plain_byte(s[i]))
      return false;
  return true;
}

/* The library's one escaping of capture text for a terminal (the tables,
 * the ladder headings, the stats, and the CLI's own lines through
 * sipflow_escape_text): printable UTF-8 is kept; control characters (C0,
 * DEL, C1, which include CSI), the invisible and bidirectional format
 * characters (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF,
 * U+061C) and invalid bytes become "\xNN" a byte, as in the ladder
 * diagrams; '\' is doubled.  Writes the result through write in pieces
 * and returns its display width (a column a code point). */
size_t sf_term_escape(const char *p, size_t len, sipflow_write_fn write, void *user);

/* sf_text_escape of text whose first `plain` bytes are plain. */
size_t sf_text_escape_from(sf_tbuf *out, const char *p, size_t len, size_t plain);

/* Appends len bytes at p (NULL: nothing) escaped by sf_term_escape and
 * returns the display width of what it appended.
 * Inline: most text (numbers, names, Call-IDs) is plain, one copy. */
static SF_ALWAYS_INLINE size_t sf_text_escape(sf_tbuf *out, const char *p, size_t len)
{
  if (!p)
    return 0;
  if (sf_all_plain((const unsigned char *)p, len)) {
    sf_tbuf_put(out, p, len);
    return len;
  }
  return sf_text_escape_from(out, p, len, sf_plain_run_end((const unsigned char *)p, 0, len));
}

/* Display width of escaped text: one column per code point. */
size_t sf_text_width(const char *s, size_t len);

/* ---------------------------------------------------------------- times */

#define SF_CLOCK_MAX 64 /* bytes sf_clock_time may write */

/* "10:00:02" (UTC), or "2026-01-16 00:00:01" when with_date; times cut,
 * not rounded; epoch seconds when the system cannot say.  gmtime_r and
 * strftime: a thousand instructions, so callers keep the text of the last
 * second they asked for.  Returns the
 * length written at buf (SF_CLOCK_MAX bytes), not NUL-terminated. */
size_t sf_clock_time(char *buf, int64_t us, bool with_date);

/* The UTC day of us (days since 1970-01-01, rounded down). */
int64_t sf_utc_day(int64_t us);

/* ----------------------------------------------------------------- table */

/* A cell of a row: its text at base + off, len bytes, width columns. */
typedef struct sf_tcell {
  uint32_t off, len, width;
} sf_tcell;

#define SF_TABLE_DEFAULT_WIDTH 120
#define SF_TABLE_SAMPLE_ROWS 500 /* rows that size the columns */

/* Bytes that must be readable after the end of any cell's text: short
 * cells are copied with one fixed 16-byte move. */
#define SF_TABLE_SLACK 16

/* The engine is the public sipflow_table (sipflow.h); these are its
 * internal entry points for callers that built cells already measured. */
typedef sipflow_table sf_table;

/* A column as given, plus what the layout decided once the widths were
 * frozen. */
typedef struct sf_tcolumn {
  sipflow_table_column def;
  size_t gap;    /* spaces before it */
  size_t width;  /* frozen display width */
  size_t limit;  /* wider cells are shortened; SIZE_MAX: never */
  size_t room;   /* the last column, squeezable: the table's width less its
                    gap (it may use what the cells before it leave); 0 */
  /* where a cell's padding goes, as masks of it (all ones or zero): no
   * branch on the alignment per cell */
  size_t lead_pad;  /* aligned right: spaces before the text */
  size_t trail_pad; /* left aligned and not last: spaces after the text */
} sf_tcolumn;

/* A table written through write(text, len, user), a line per call.  The
 * first rows are held to size the columns (header from cols[].title, which
 * is copied with cols), then the widths are frozen and rows are written as
 * they come.  width: the columns to fit the rows to. */
sf_table *sf_table_new(const sipflow_table_column *cols, size_t n_cols, unsigned width,
                       sipflow_write_fn write, void *user);
/* A row: n_cols cells whose text is at base (SF_TABLE_SLACK bytes readable
 * past every cell); written now, or copied and held. */
void sf_table_add(sf_table *t, const char *base, const sf_tcell *cells);
/* A row that sizes the columns as one held would (before the widths are
 * frozen), held and written by the caller: only its cells' widths count. */
void sf_table_measure(sf_table *t, const sf_tcell *cells);
/* Writes the header and the rows held unless that was done already (and
 * no row is held since); the widths are frozen from then on. */
void sf_table_flush(sf_table *t);
/* Frees t, writing nothing. */
void sf_table_free(sf_table *t);

/* ------------------------------------------------------------ lines */

/* A line is written through a cursor q, with the room for all of it
 * reserved: a cell of column col after its gap (sf_tline_gap), its text
 * made in place, then put in its column where it lies (sf_tline_put).
 * write_line lays out held rows so, and the calls table makes the cells of
 * a row straight into its line once the widths are frozen: no cell
 * measured, kept and copied into a line later (issue 7). */

/* Room a cell of col needs in a line besides its text: the gap, the
 * padding, the 16-byte moves of sf_tline_put, an ellipsis. */
#define SF_TLINE_ROOM(col) (2 + (col)->width + 2 * 16 + 3)

/* The columns once their widths are frozen (the same array from then on),
 * or NULL while rows are held to size them. */
const sf_tcolumn *sf_table_frozen(const sf_table *t);

/* The limit of the last column (col) when the cells before it took `used`
 * columns: a squeezable last column may use the room left. */
static inline size_t sf_tline_last_limit(const sf_tcolumn *col, size_t used)
{
  return col->room > used ? MAX(col->limit, col->room - used) : col->limit;
}

/* Ends the line from start to q: trailing spaces dropped, then '\n'.
 * Returns its end. */
char *sf_tline_end(const char *start, char *q);

/* The text at to end (width columns) cut to limit columns in place
 * ("abc…@host", or "486 Busy H…" when cut_end); returns its end. */
char *sf_tline_shorten(char *at, char *end, size_t width, size_t limit, bool cut_end);

/* The gap before a cell of col. */
static SF_ALWAYS_INLINE char *sf_tline_gap(char *q, const sf_tcolumn *col)
{
  memcpy(q, "  ", 2); /* gaps are 0 to 2 */
  return q + col->gap;
}

/* The cell whose text is at to end (width columns) put in its column:
 * shortened to limit columns when wider, then padded to the column's
 * width (the text moved right when aligned right).  Adds the columns of
 * gap, text and padding to *used; returns the cell's end.  Always
 * inlined: a dozen cells a row. */
static SF_ALWAYS_INLINE char *sf_tline_put(char *at, char *end, size_t width,
                                           const sf_tcolumn *col, size_t limit, size_t *used)
{
  static const char spaces[17] = "                ";
  size_t w = MIN(width, limit), cw = col->width;
  size_t pad = w < cw ? cw - w : 0;
  size_t lead = pad & col->lead_pad, trail = pad & col->trail_pad;

  *used += col->gap + w + lead + trail;
  if (width > limit)
    end = sf_tline_shorten(at, end, width, limit, col->def.cut == SIPFLOW_CUT_END);
  if (lead) {
    size_t len = (size_t)(end - at);
    if (len <= 16 && lead <= 16) { /* most: fixed moves, not calls */
      char text[16];
      memcpy(text, at, 16);
      memcpy(at, spaces, 16);
      memcpy(at + lead, text, 16);
    } else {
      memmove(at + lead, at, len);
      memset(at, ' ', lead);
    }
    end += lead;
  }
  if (trail) {
    if (trail <= 16)
      memcpy(end, spaces, 16);
    else
      memset(end, ' ', trail);
    end += trail;
  }
  return end;
}

#endif
