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

/* v in decimal; returns the digits written (= their display width). */
size_t sf_tbuf_uint(sf_tbuf *b, uint64_t v);

/* ------------------------------------------------------------------ text */

/* Appends len bytes at p (NULL: nothing) made safe for a terminal, exactly
 * as the CLI's out_text_escape: printable UTF-8 kept, control characters
 * (C0, DEL, C1, which include CSI) and invalid bytes as \xNN, '\' doubled.
 * Returns the display width of what it appended (a column a code point). */
size_t sf_text_escape(sf_tbuf *out, const char *p, size_t len);

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

/* Bytes that must be readable after the end of any cell's text: short
 * cells are copied with one fixed 16-byte move. */
#define SF_TABLE_SLACK 16

/* The engine is the public sipflow_table (sipflow.h); these are its
 * internal entry points for callers that built cells already measured. */
typedef sipflow_table sf_table;

/* A table written through write(text, len, user), a line per call.  The
 * first rows are held to size the columns (header from cols[].title, which
 * is copied with cols), then the widths are frozen and rows are written as
 * they come.  width: the columns to fit the rows to. */
sf_table *sf_table_new(const sipflow_table_column *cols, size_t n_cols, unsigned width,
                       sipflow_write_fn write, void *user);
/* A row: n_cols cells whose text is at base (SF_TABLE_SLACK bytes readable
 * past every cell), bytes at least the sum of their lengths; written now,
 * or copied and held. */
void sf_table_add(sf_table *t, const char *base, const sf_tcell *cells, size_t bytes);
/* Writes the header and the rows held unless that was done already (and
 * no row is held since); the widths are frozen from then on. */
void sf_table_flush(sf_table *t);
/* Frees t, writing nothing. */
void sf_table_free(sf_table *t);

#endif
