/*
 * Output helpers shared by the sipflow commands: escaping (JSON, terminal),
 * times, CSV.  Aligned tables are the library's (sipflow_table_*).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every byte that comes from a capture is untrusted: it goes through
 * out_json_string() or out_text_escape() before it reaches stdout/stderr.
 */
#ifndef SIPFLOW_CLI_OUTPUT_H
#define SIPFLOW_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include <sipflow/sipflow.h>

/* g_string_append_len without its checks and call (GString's fields are
 * public): it runs for every field of every line, a million lines for a
 * big capture.  Same result. */
static inline void out_put(GString *g, const char *s, size_t n)
{
  if (g->len + n < g->allocated_len) {
    memcpy(g->str + g->len, s, n);
    g->len += n;
    g->str[g->len] = '\0';
  } else {
    g_string_append_len(g, s, (gssize)n);
  }
}

static inline void out_puts(GString *g, const char *s)
{
  out_put(g, s, strlen(s));
}

/* A JSON key given as a literal: OUT_KEY("call") is "\"call\":" and its
 * length, known at compile time, so that out_json_key is two small copies
 * (it runs for every key of every NDJSON line).  name: plain ASCII, no
 * escaping needed. */
#define OUT_KEY(name) "\"" name "\":", sizeof("\"" name "\":") - 1

/* The key (OUT_KEY) of the next member of the object being written in b,
 * after a comma unless it is the first one (b holds just "{"). */
static inline void out_json_key(GString *b, const char *quoted, size_t n)
{
  if (b->len > 1)
    out_put(b, ",", 1);
  out_put(b, quoted, n);
}

/* ------------------------------------------------------------ escaping */

/* Appends a JSON string literal (with the quotes) for len bytes at p, or
 * `null` when p is NULL.  Valid UTF-8 is kept; each byte of an invalid
 * sequence becomes \ufffd; control characters (and DEL) become \u00XX;
 * '"' and '\' are escaped (RFC 8259 §7). */
void out_json_string(GString *out, const char *p, size_t len);
/* Same for a span (null when span.ptr is NULL). */
void out_json_span(GString *out, sipflow_span s);
/* Appends a NUL-terminated string as JSON (null when s is NULL). */
void out_json_cstr(GString *out, const char *s);

/* A sipflow_write_fn appending to the GString user. */
void out_write_gstring(const char *text, size_t len, void *user);

/* Appends len bytes at p (NULL: nothing) made safe for a terminal: the
 * library's escaping, sipflow_escape_text() (controls, bidirectional and
 * invisible format characters and invalid UTF-8 as \xNN, '\' doubled),
 * so the CLI's own lines escape exactly as its tables and ladders. */
static inline void out_text_escape(GString *out, const char *p, size_t len)
{
  sipflow_escape_text(p, len, out_write_gstring, out);
}

/* ---------------------------------------------------------------- time */

/* "1768471200.123456": epoch seconds with exactly 6 decimals, computed from
 * integer microseconds (no rounding through a double). */
void out_time_epoch(GString *out, int64_t us);
/* Appends v in decimal (what "%" PRIu64 prints, without printf's cost on
 * every line of a big output). */
void out_uint(GString *out, uint64_t v);
/* "+0.123456" / "-0.000100": a difference in seconds, 6 decimals. */
void out_time_relative(GString *out, int64_t delta_us);
/* "2026-01-15 10:00:00.123456 UTC". */
void out_time_utc(GString *out, int64_t us);
/* "10:00:02.000" (UTC, milliseconds; "10:00:02" without with_ms, cut not
 * rounded), or "2026-01-16 00:00:01.000" with the date when with_date. */
void out_time_clock(GString *out, int64_t us, bool with_date, bool with_ms);
/* The UTC day of an epoch time in microseconds (days since 1970-01-01,
 * rounded down), to tell when a date must be shown. */
int64_t out_utc_day(int64_t us);

/* ------------------------------------------------------------- terminal */

/* Width available for a table on stdout: the terminal's (TIOCGWINSZ) when
 * stdout is a tty, else $COLUMNS when it is a number, else 120. */
unsigned out_terminal_width(void);

/* ----------------------------------------------------------------- CSV */

/* Appends one CSV field (RFC 4180 §2): the text escaped as by
 * out_text_escape() (so no CR, LF or control byte survives), then quoted
 * with '"' doubled when it holds a comma, a quote or a space at either
 * end.  NULL appends an empty field. */
void out_csv_field(GString *out, const char *s);

/* -------------------------------------------------------------- tables */

/* A sipflow_write_fn (the library's tables, sipflow_table_new) writing to
 * the FILE * user. */
void out_write_file(const char *text, size_t len, void *user);

/* -------------------------------------------------------- stdout lines */

/* NDJSON and CSV lines for stdout, written this many bytes at once: one
 * fwrite a line cost as much as making the line's numbers.  Not on a
 * terminal, where each line shows as it is made (a live capture on stdin). */
#define OUT_LINES_BATCH (32 * 1024)

typedef struct out_lines {
  GString *pending; /* lines not written yet */
  size_t batch;     /* bytes of lines written at once */
} out_lines;

/* Sets up l: batched unless stdout is a terminal. */
void out_lines_init(out_lines *l);
/* Writes the lines held to stdout (before anything else goes there). */
void out_lines_flush(out_lines *l);
/* Appends one line (text of len bytes, its newline included). */
static inline void out_lines_put(out_lines *l, const char *text, size_t len)
{
  out_put(l->pending, text, len);
  if (l->pending->len >= l->batch)
    out_lines_flush(l);
}
/* Flushes, then frees what l holds (not l). */
void out_lines_clear(out_lines *l);

/* A line held until its turn (list_order), with its length, so that it is
 * written without a strlen.  One allocation sized to it; free with g_free. */
typedef struct out_held_line {
  size_t len;
  char text[];
} out_held_line;

out_held_line *out_held_line_new(const char *text, size_t len);

#endif
