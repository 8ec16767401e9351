/*
 * render stage: the ladder document, the diagrams of a capture as
 * `sipflow ladder` writes them, for the CLI and the Wireshark plugin alike
 * (sipflow_ladder_doc_*; the contract is in sipflow.h).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Two shapes:
 *  - per call (text/ascii, no call chosen): one sipflow_ladder per open
 *    call; a finalised call becomes its heading and its diagram, written in
 *    call number order.  `next` is the lowest call number not written yet;
 *    finalised calls above it wait in `held` (DOC_HELD at most); numbers
 *    above it already done (written early, or a call with nothing to draw)
 *    are in `ahead`, so that `next` can jump over them.
 *  - one diagram (`all`): the chosen calls, or every call in the formats
 *    that show several calls in one document; in text the headings of the
 *    chosen calls are gathered in `headings` and written first.
 */
#include <errno.h>
#include <stdlib.h>

#include "render.h"

#define DOC_HELD 1000 /* finalised calls waiting for an earlier one */

/* One of options.calls. */
typedef struct wanted_call {
  char *arg;
  uint32_t number; /* arg read as a call number, 0 when it is not one */
  bool seen;
} wanted_call;

/* Per call: a finalised call waiting for its turn. */
typedef struct finished_call {
  GString *heading; /* ready to write */
  sipflow_ladder *ladder;
} finished_call;

struct sipflow_ladder_doc {
  sipflow_ladder_format format;
  sipflow_render_options render;
  sipflow_ladder_options ladder_opt;
  char *title; /* render.title, copied */
  sipflow_write_fn write;
  void *user;
  wanted_call *wanted;
  size_t n_wanted;
  bool no_empty_note;
  sipflow_ladder *all; /* one diagram; NULL per call */
  GString *headings;   /* one diagram, text, calls chosen: their headings */
  GHashTable *open;    /* per call: call number -> sipflow_ladder * */
  GTree *held;         /* per call: call number -> finished_call * */
  GHashTable *ahead;   /* per call: numbers above next already done */
  uint32_t next;       /* per call: lowest call number not written yet */
  size_t calls_written;
};

static bool is_text(sipflow_ladder_format f)
{
  return f == SIPFLOW_LADDER_TEXT || f == SIPFLOW_LADDER_ASCII;
}

/* html and json show each message's whole text; the other formats only
 * what the ladder derives from the parsed fields. */
static bool keeps_text(sipflow_ladder_format f)
{
  return f == SIPFLOW_LADDER_HTML || f == SIPFLOW_LADDER_JSON;
}

/* ------------------------------------------------------------- headings */

static void escape_heading(const sipflow_ladder_doc *d, GString *out, const char *raw)
{
  if (d->format == SIPFLOW_LADDER_ASCII)
    sf_escape(out, raw, strlen(raw), SF_ESC_ASCII, SF_ESC_BACKSLASH);
  else
    sf_escape_terminal(out, raw, strlen(raw));
}

/* Columns of escaped (valid UTF-8) text: one per code point. */
static size_t columns(const char *s, size_t len)
{
  size_t w = 0;
  for (size_t i = 0; i < len; i++)
    w += ((unsigned char)s[i] & 0xc0) != 0x80;
  return w;
}

/* Appends the words of text, lines broken before `width` columns, each
 * line starting with indent.  A word longer than a line stays whole. */
static void append_wrapped(GString *out, const char *text, const char *indent, size_t width)
{
  char **words = g_strsplit(text, " ", -1);
  size_t col = 0, ind = columns(indent, strlen(indent));

  for (char **w = words; *w; w++) {
    size_t n = columns(*w, strlen(*w));
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
static void append_heading(const sipflow_ladder_doc *d, GString *out, const char *title,
                           const char *failure)
{
  bool ascii = d->format == SIPFLOW_LADDER_ASCII;
  unsigned width = d->render.width ? d->render.width : SF_TEXT_DEFAULT_WIDTH;
  size_t start = out->len;

  g_string_append(out, ascii ? "== " : "━━ ");
  escape_heading(d, out, title);
  g_string_append_c(out, ' ');
  for (size_t col = columns(out->str + start, out->len - start); col < width; col++)
    g_string_append(out, ascii ? "=" : "━");
  g_string_append_c(out, '\n');
  if (failure) {
    GString *f = g_string_new("failed: ");
    escape_heading(d, f, failure);
    append_wrapped(out, f->str, "   ", width);
    g_string_free(f, TRUE);
  }
}

/* The heading of a finalised call: "call 3: busy, 486 Busy Here". */
static void append_call_heading(const sipflow_ladder_doc *d, GString *out,
                                const sipflow_call_info *c)
{
  GString *title = g_string_new(NULL);

  g_string_append_printf(title, "call %u: %s", c->call, sipflow_call_state_name(c->state));
  if (c->final_status)
    g_string_append_printf(title, ", %d %s", c->final_status, c->reason ? c->reason : "");
  append_heading(d, out, title->str, c->failure);
  g_string_free(title, TRUE);
}

/* -------------------------------------------------------------- writing */

static void emit(const sipflow_ladder_doc *d, const char *text, size_t len)
{
  if (len)
    d->write(text, len, d->user);
}

static void emit_ladder(const sipflow_ladder_doc *d, const sipflow_ladder *l)
{
  char *buf = NULL;
  size_t len = 0;

  if (sipflow_ladder_render(l, d->format, &d->render, &buf, &len) == SIPFLOW_OK)
    emit(d, buf, len);
  sipflow_buffer_free(buf);
}

/* Per call: a blank line between calls, the heading, the diagram. */
static void emit_call(sipflow_ladder_doc *d, const GString *heading, const sipflow_ladder *l)
{
  if (d->calls_written++)
    emit(d, "\n", 1);
  emit(d, heading->str, heading->len);
  emit_ladder(d, l);
}

static void finished_free(void *p)
{
  finished_call *f = p;
  g_string_free(f->heading, TRUE);
  sipflow_ladder_free(f->ladder);
  g_free(f);
}

/* Writes (f NULL: a call with nothing to draw) and frees call id, and
 * moves `next` past every number already done. */
static void put_in_order(sipflow_ladder_doc *d, uint32_t id, finished_call *f)
{
  if (f) {
    emit_call(d, f->heading, f->ladder);
    finished_free(f);
  }
  if (id != d->next) {
    if (id > d->next) /* below it: `next` is past it already */
      g_hash_table_add(d->ahead, GUINT_TO_POINTER(id));
    return;
  }
  d->next++;
  while (g_hash_table_remove(d->ahead, GUINT_TO_POINTER(d->next)))
    d->next++;
}

/* Writes the lowest held call; false when none is held. */
static bool emit_lowest(sipflow_ladder_doc *d)
{
  GTreeNode *n = g_tree_node_first(d->held);
  if (!n)
    return false;
  uint32_t id = GPOINTER_TO_UINT(g_tree_node_key(n));
  finished_call *f = g_tree_node_value(n);
  g_tree_steal(d->held, GUINT_TO_POINTER(id));
  put_in_order(d, id, f);
  return true;
}

/* A finalised call: written now if its turn has come (then the calls held
 * behind it), else held back (see the top of the file). */
static void put_call(sipflow_ladder_doc *d, uint32_t id, finished_call *f)
{
  if (id <= d->next) { /* its turn, or late after being skipped */
    put_in_order(d, id, f);
  } else {
    g_tree_insert(d->held, GUINT_TO_POINTER(id), f);
    if (g_tree_nnodes(d->held) > DOC_HELD)
      emit_lowest(d);
  }
  GTreeNode *n;
  while ((n = g_tree_node_first(d->held)) && GPOINTER_TO_UINT(g_tree_node_key(n)) == d->next)
    emit_lowest(d);
}

static gint cmp_ids(gconstpointer a, gconstpointer b)
{
  guint x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);
  return x < y ? -1 : x > y;
}

static gint cmp_ids_data(gconstpointer a, gconstpointer b, gpointer unused)
{
  (void)unused;
  return cmp_ids(a, b);
}

/* Per call, at the end: the held calls, then the messages of no finalised
 * call (none expected after sipflow_finish), by call number. */
static void emit_rest(sipflow_ladder_doc *d, bool complete)
{
  while (emit_lowest(d))
    ;
  GList *ids = g_list_sort(g_hash_table_get_keys(d->open), cmp_ids);
  for (GList *k = ids; k; k = k->next) {
    GString *h = g_string_new(NULL);
    char *title = g_strdup_printf("call %u", GPOINTER_TO_UINT(k->data));
    append_heading(d, h, title, NULL);
    emit_call(d, h, g_hash_table_lookup(d->open, k->data));
    g_free(title);
    g_string_free(h, TRUE);
  }
  g_list_free(ids);
  if (!d->calls_written && complete && !d->no_empty_note)
    emit(d, "no SIP messages\n", 16);
}

/* ------------------------------------------------------------ selection */

static bool span_is(sipflow_span s, const char *text)
{
  size_t n = strlen(text);
  return s.ptr && s.len == n && memcmp(s.ptr, text, n) == 0;
}

/* Whether the message belongs to a chosen call (marking those it matches). */
static bool message_chosen(sipflow_ladder_doc *d, const sipflow_message *m)
{
  bool any = false;

  for (size_t i = 0; i < d->n_wanted; i++) {
    wanted_call *w = &d->wanted[i];
    if ((w->number && m->call == w->number) || span_is(m->call_id, w->arg)) {
      w->seen = true;
      any = true;
    }
  }
  return any;
}

static bool call_chosen(const sipflow_ladder_doc *d, const sipflow_call_info *c)
{
  for (size_t i = 0; i < d->n_wanted; i++) {
    const wanted_call *w = &d->wanted[i];
    if ((w->number && c->call == w->number) || (c->call_id && strcmp(c->call_id, w->arg) == 0))
      return true;
  }
  return false;
}

/* "17" -> 17; anything else (a Call-ID) -> 0. */
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

/* ------------------------------------------------------------------ API */

sipflow_ladder_doc *sipflow_ladder_doc_new(const sipflow_ladder_doc_options *options,
                                           sipflow_write_fn write, void *user)
{
  static const sipflow_ladder_doc_options defaults = {0};
  const sipflow_ladder_doc_options *o = options ? options : &defaults;

  if (!write || (unsigned)o->format >= SIPFLOW_LADDER_FORMAT_COUNT)
    return NULL;
  sipflow_ladder_doc *d = g_new0(sipflow_ladder_doc, 1);
  d->format = o->format;
  d->render = o->render;
  d->title = g_strdup(o->render.title);
  d->render.title = d->title;
  d->ladder_opt = o->ladder;
  d->write = write;
  d->user = user;
  d->no_empty_note = o->no_empty_note != 0;
  d->n_wanted = o->calls ? o->n_calls : 0;
  d->wanted = g_new0(wanted_call, d->n_wanted + 1);
  for (size_t i = 0; i < d->n_wanted; i++) {
    const char *arg = o->calls[i] ? o->calls[i] : "";
    d->wanted[i] = (wanted_call){.arg = g_strdup(arg), .number = call_number(arg)};
  }
  if (!d->n_wanted && is_text(d->format)) {
    d->open = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sipflow_ladder_free);
    d->held = g_tree_new_full(cmp_ids_data, NULL, NULL, finished_free);
    d->ahead = g_hash_table_new(NULL, NULL);
    d->next = 1;
  } else {
    d->all = sipflow_ladder_new(&d->ladder_opt);
    if (d->n_wanted && is_text(d->format))
      d->headings = g_string_new(NULL);
  }
  return d;
}

int sipflow_ladder_doc_add_message(sipflow_ladder_doc *d, const sipflow_message *msg)
{
  sipflow_message lean;

  if (!d || !msg)
    return SIPFLOW_ERR_INVALID;
  if (d->n_wanted && !message_chosen(d, msg))
    return SIPFLOW_OK;
  if (!keeps_text(d->format)) { /* half the memory on a big capture */
    lean = *msg;
    lean.raw_len = 0;
    msg = &lean;
  }
  if (d->all)
    return sipflow_ladder_add(d->all, msg);
  sipflow_ladder *l = g_hash_table_lookup(d->open, GUINT_TO_POINTER(msg->call));
  if (!l) {
    l = sipflow_ladder_new(&d->ladder_opt);
    g_hash_table_insert(d->open, GUINT_TO_POINTER(msg->call), l);
  }
  return sipflow_ladder_add(l, msg);
}

int sipflow_ladder_doc_add_call(sipflow_ladder_doc *d, const sipflow_call_info *c)
{
  gpointer l = NULL;
  finished_call *f = NULL;

  if (!d || !c)
    return SIPFLOW_ERR_INVALID;
  if (d->all) {
    if (d->headings && call_chosen(d, c))
      append_call_heading(d, d->headings, c);
    return SIPFLOW_OK;
  }
  if (g_hash_table_steal_extended(d->open, GUINT_TO_POINTER(c->call), NULL, &l)) {
    f = g_new0(finished_call, 1);
    f->heading = g_string_new(NULL);
    append_call_heading(d, f->heading, c);
    f->ladder = l;
  }
  put_call(d, c->call, f);
  return SIPFLOW_OK;
}

char *sipflow_ladder_doc_call_missing(const sipflow_ladder_doc *d, size_t index)
{
  if (!d || index >= d->n_wanted || d->wanted[index].seen)
    return NULL;
  GString *g = g_string_new("no call '");
  const char *arg = d->wanted[index].arg;
  sf_escape_terminal(g, arg, strlen(arg));
  g_string_append(g, "' in the capture (give a call number as 'sipflow calls' shows it, "
                     "or a Call-ID)");
  return g_string_free(g, FALSE);
}

void sipflow_ladder_doc_finish(sipflow_ladder_doc *d, int complete)
{
  if (!d)
    return;
  if (!d->all) {
    emit_rest(d, complete != 0);
  } else if (complete || sipflow_ladder_arrow_count(d->all)) {
    if (d->headings)
      emit(d, d->headings->str, d->headings->len);
    emit_ladder(d, d->all);
  }
  sipflow_ladder_doc_free(d);
}

void sipflow_ladder_doc_free(sipflow_ladder_doc *d)
{
  if (!d)
    return;
  if (d->held)
    g_tree_destroy(d->held);
  if (d->ahead)
    g_hash_table_destroy(d->ahead);
  if (d->open)
    g_hash_table_destroy(d->open);
  if (d->headings)
    g_string_free(d->headings, TRUE);
  sipflow_ladder_free(d->all);
  for (size_t i = 0; i < d->n_wanted; i++)
    g_free(d->wanted[i].arg);
  g_free(d->wanted);
  g_free(d->title);
  g_free(d);
}
