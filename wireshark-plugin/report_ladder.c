/*
 * The ladder as `sipflow ladder` prints it (cli/cmd_ladder.c), from a
 * replay of the stored messages.  The diagram itself is the library's
 * (sipflow_ladder_render); what is repeated here is only the CLI's layout
 * around it:
 *  - no call chosen, text/ascii: each call on its own, in call number
 *    order, after a heading (a rule "━━ call N: state, final ━━━…" across
 *    the width, then "failed: <sentence>" wrapped below it), a blank line
 *    between calls.  (The CLI streams: when more than 1000 finished calls
 *    wait behind one still open, it prints them first; the plugin, having
 *    the whole capture, always keeps call number order.);
 *  - one call chosen (a call number or a Call-ID, as `--call`): the
 *    headings of the calls it matches, then one diagram.
 * tests/cli/plugin_outputs.sh compares both with the CLI byte for byte, so
 * a change on either side shows up there.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sfw.h"

typedef struct ladder_doc {
  sipflow_ladder_format format;
  sipflow_render_options render;
  const char *want;       /* the chosen call's number or Call-ID, NULL = all */
  uint32_t want_number;   /* want read as a number, 0 when it is not one */
  bool seen;              /* a message matched want */
  sipflow_ladder *all;    /* the one diagram (a call chosen, or not text) */
  GHashTable *open;       /* per call: call id -> sipflow_ladder * */
  GTree *finished;        /* per call: call id -> finished_call * */
  GString *headings;      /* a call chosen: the headings of its calls */
  GString *out;
  size_t calls_written;
} ladder_doc;

static bool is_text(sipflow_ladder_format f)
{
  return f == SIPFLOW_LADDER_TEXT || f == SIPFLOW_LADDER_ASCII;
}

/* "call 3: busy, 486 Busy Here" */
static char *title_of(const sipflow_call_info *c)
{
  GString *g = g_string_new(NULL);

  g_string_append_printf(g, "call %u: %s", c->call, sipflow_call_state_name(c->state));
  if (c->final_status)
    g_string_append_printf(g, ", %d %s", c->final_status, c->reason ? c->reason : "");
  return g_string_free(g, FALSE);
}

/* 7-bit text for the ascii format: every other byte as \xNN. */
static void ascii_escape(GString *out, const char *s)
{
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c < 0x7f && c != '\\')
      g_string_append_c(out, (char)c);
    else if (c == '\\')
      g_string_append(out, "\\\\");
    else
      g_string_append_printf(out, "\\x%02x", c);
  }
}

static void escape_for(const ladder_doc *d, GString *out, const char *raw)
{
  if (d->format == SIPFLOW_LADDER_ASCII)
    ascii_escape(out, raw);
  else
    sfw_text_escape(out, raw, strlen(raw));
}

/* Columns of UTF-8 text: one per code point. */
static size_t text_width(const char *s)
{
  return (size_t)g_utf8_strlen(s, -1);
}

/* Appends words to out, breaking lines before `width` columns; each line
 * starts with indent.  A word longer than a line stays whole. */
static void append_wrapped(GString *out, const char *text, const char *indent, size_t width)
{
  char **words = g_strsplit(text, " ", -1);
  size_t col = 0, ind = text_width(indent);

  for (char **w = words; *w; w++) {
    size_t n = text_width(*w);
    if (!**w)
      continue;
    if (col && col + 1 + n > width) {
      g_string_append_c(out, '\n');
      col = 0;
    }
    if (!col) {
      g_string_append(out, indent);
      col = ind;
    } else {
      g_string_append_c(out, ' ');
      col++;
    }
    g_string_append(out, *w);
    col += n;
  }
  g_string_append_c(out, '\n');
  g_strfreev(words);
}

/* "━━ call 3: busy, 486 Busy Here ━━━━━…" across the width, then the
 * failure sentence (NULL: none) wrapped below it. */
static void write_heading(const ladder_doc *d, GString *out, const char *title,
                          const char *failure)
{
  bool ascii = d->format == SIPFLOW_LADDER_ASCII;
  unsigned width = d->render.width ? d->render.width : 100;
  GString *g = g_string_new(ascii ? "== " : "━━ ");

  escape_for(d, g, title);
  g_string_append_c(g, ' ');
  for (size_t col = text_width(g->str); col < width; col++)
    g_string_append(g, ascii ? "=" : "━");
  g_string_append_c(g, '\n');
  if (failure) {
    GString *f = g_string_new("failed: ");
    escape_for(d, f, failure);
    append_wrapped(g, f->str, "   ", width);
    g_string_free(f, TRUE);
  }
  g_string_append_len(out, g->str, (gssize)g->len);
  g_string_free(g, TRUE);
}

static void write_ladder(ladder_doc *d, const sipflow_ladder *l)
{
  char *buf = NULL;
  size_t len = 0;

  if (sipflow_ladder_render(l, d->format, &d->render, &buf, &len) == SIPFLOW_OK)
    g_string_append_len(d->out, buf, (gssize)len);
  sipflow_buffer_free(buf);
}

static void write_call(ladder_doc *d, const char *title, const char *failure,
                       const sipflow_ladder *l)
{
  if (d->calls_written++)
    g_string_append_c(d->out, '\n');
  write_heading(d, d->out, title, failure);
  write_ladder(d, l);
}

/* A finalised call waiting for the end: printed in call number order. */
typedef struct finished_call {
  char *title, *failure;
  sipflow_ladder *ladder;
} finished_call;

static void finished_free(gpointer p)
{
  finished_call *f = p;
  g_free(f->title);
  g_free(f->failure);
  sipflow_ladder_free(f->ladder);
  g_free(f);
}

static bool span_is(sipflow_span s, const char *text)
{
  size_t n = strlen(text);
  return s.ptr && s.len == n && memcmp(s.ptr, text, n) == 0;
}

static void on_message(const sipflow_message *m, void *user)
{
  ladder_doc *d = user;

  if (d->want) {
    if (!(d->want_number && m->call == d->want_number) && !span_is(m->call_id, d->want))
      return;
    d->seen = true;
  }
  if (d->all) {
    sipflow_ladder_add(d->all, m);
    return;
  }
  sipflow_ladder *l = g_hash_table_lookup(d->open, GUINT_TO_POINTER(m->call));
  if (!l) {
    l = sipflow_ladder_new(NULL);
    g_hash_table_insert(d->open, GUINT_TO_POINTER(m->call), l);
  }
  sipflow_ladder_add(l, m);
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  ladder_doc *d = user;

  if (d->all) {
    if (d->want && ((d->want_number && c->call == d->want_number) ||
                    (c->call_id && strcmp(c->call_id, d->want) == 0))) {
      char *t = title_of(c);
      write_heading(d, d->headings, t, c->failure);
      g_free(t);
    }
    return;
  }
  gpointer l = NULL;
  if (!g_hash_table_steal_extended(d->open, GUINT_TO_POINTER(c->call), NULL, &l))
    return;
  finished_call *f = g_new0(finished_call, 1);
  f->title = title_of(c);
  f->failure = g_strdup(c->failure);
  f->ladder = l;
  g_tree_insert(d->finished, GUINT_TO_POINTER(c->call), f);
}

static gboolean write_finished(gpointer key, gpointer value, gpointer user)
{
  finished_call *f = value;
  write_call(user, f->title, f->failure, f->ladder);
  return FALSE;
}

static gint cmp_ids(gconstpointer a, gconstpointer b, gpointer unused)
{
  guint x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);
  return x < y ? -1 : x > y;
}

/* "17" -> 17; anything else (a Call-ID) -> 0, as the CLI reads --call. */
static uint32_t call_number(const char *arg)
{
  char *end = NULL;
  unsigned long long v;

  if (!g_ascii_isdigit(arg[0]))
    return 0;
  errno = 0;
  v = strtoull(arg, &end, 10);
  return errno == 0 && *end == '\0' && v <= UINT32_MAX ? (uint32_t)v : 0;
}

char *sfw_report_ladder(const char *call, sipflow_ladder_format format, unsigned width,
                        char **err)
{
  ladder_doc d = {.format = format, .render = {.width = width}, .want = call,
                  .out = g_string_new(NULL), .headings = g_string_new(NULL)};
  sfw_replay r = {.on_message = on_message, .on_call_end = on_call_end, .user = &d};

  *err = NULL;
  if (call)
    d.want_number = call_number(call);
  if (!call && is_text(format))
  {
    d.open = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sipflow_ladder_free);
    d.finished = g_tree_new_full(cmp_ids, NULL, NULL, finished_free);
  } else
    d.all = sipflow_ladder_new(NULL);
  sfw_replay_run(&r);

  if (call && !d.seen) {
    GString *e = g_string_new("no call '");
    sfw_text_escape(e, call, strlen(call));
    g_string_append(e, "' in the capture (give a call number as 'sipflow calls' shows it, "
                       "or a Call-ID)");
    *err = g_string_free(e, FALSE);
  } else if (d.open) {
    g_tree_foreach(d.finished, write_finished, &d);
    /* messages of no finalised call (none expected after sipflow_finish) */
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, d.open);
    while (g_hash_table_iter_next(&it, &key, &value)) {
      char *t = g_strdup_printf("call %u", GPOINTER_TO_UINT(key));
      write_call(&d, t, NULL, value);
      g_free(t);
      g_hash_table_iter_remove(&it);
    }
    if (!d.calls_written)
      g_string_append(d.out, "no SIP messages\n");
  } else {
    if (is_text(format))
      g_string_append(d.out, d.headings->str);
    write_ladder(&d, d.all);
  }
  sfw_replay_free(&r);
  if (d.open) {
    g_hash_table_destroy(d.open);
    g_tree_destroy(d.finished);
  }
  sipflow_ladder_free(d.all);
  g_string_free(d.headings, TRUE);
  if (*err) {
    g_string_free(d.out, TRUE);
    return NULL;
  }
  return g_string_free(d.out, FALSE);
}
