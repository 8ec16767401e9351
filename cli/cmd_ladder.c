/*
 * `sipflow ladder`: ladder diagrams (sequence diagrams) of calls.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   sipflow ladder [--call ID]... [--format F] [-o FILE] [--width N]
 *                  [--merge-ip] FILE...
 *
 * The drawing is the library's render stage (sipflow_ladder_*); this file
 * picks the messages, decides the width and the colours, and writes.
 *
 *  - text / ascii without --call: every call on its own, with a heading
 *    (outcome, failure sentence), in call-number order: a call is printed
 *    and freed once the library has finalised it and every call before it.
 *    A call that stays open (an OPTIONS or REGISTER call is only finalised
 *    at the end of the capture) would hold back every later one, so at most
 *    LADDER_HELD finished calls wait: then the lowest goes out, and the
 *    open call is printed when it ends.  Memory follows the calls in
 *    flight, not the file.
 *  - with --call (repeatable; a call number as `calls` shows it, or a
 *    Call-ID): only the messages of those calls are kept, and they share
 *    one diagram (B2BUA legs side by side, one colour each).
 *  - svg, html, mermaid, json without --call: one document holding every
 *    call (html: a call picker; mermaid: one coloured rect per call).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

#define LADDER_HELD 1000 /* finished calls waiting for an earlier one */

typedef struct ladder_args {
  char **calls;
  char *format;
  char *output;
  int width;
  gboolean merge_ip;
} ladder_args;

/* One --call argument. */
typedef struct wanted_call {
  const char *arg;
  uint32_t number; /* the arg read as a call number, 0 when not a number */
  bool seen;
} wanted_call;

typedef struct ladder_run {
  sipflow_ladder_format format;
  sipflow_ladder_options ladder_opt;
  sipflow_render_options render_opt;
  bool per_call;          /* text/ascii without --call: stream call by call */
  wanted_call *wanted;
  size_t n_wanted;
  sipflow_ladder *all;    /* the one diagram (not per_call) */
  GHashTable *open;       /* per_call: call number -> sipflow_ladder* */
  GTree *held;            /* per_call: call number -> finished_call waiting */
  uint32_t next;          /* per_call: lowest call number not printed yet */
  GHashTable *ahead;      /* per_call: numbers above next already printed */
  GArray *headings;       /* not per_call: heading of each selected call */
  const char *out_path;   /* NULL = stdout */
  FILE *out;              /* opened at the first write */
  bool write_failed;
  size_t calls_written;
} ladder_run;

/* ---------------------------------------------------------------- options */

static GOptionGroup *ladder_options(void **state)
{
  ladder_args *a = g_new0(ladder_args, 1);
  const GOptionEntry entries[] = {
    {"call", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->calls,
     "only this call: its number (as `calls` shows) or its Call-ID; repeatable", "ID"},
    {"format", 0, 0, G_OPTION_ARG_STRING, &a->format,
     "text (default), ascii, svg, html, mermaid or json", "F"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &a->output, "write to FILE instead of stdout",
     "FILE"},
    {"width", 0, 0, G_OPTION_ARG_INT, &a->width,
     "text/ascii: columns to fit (default: the terminal's, else 100)", "N"},
    {"merge-ip", 0, 0, G_OPTION_ARG_NONE, &a->merge_ip,
     "one lane per IP address, whatever the port", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  GOptionGroup *grp = g_option_group_new("ladder", "Options of 'ladder':",
                                         "Show the options of 'ladder'", NULL, NULL);
  g_option_group_add_entries(grp, entries);
  *state = a;
  return grp;
}

static void ladder_free_args(void *state)
{
  ladder_args *a = state;
  if (!a)
    return;
  g_strfreev(a->calls);
  g_free(a->format);
  g_free(a->output);
  g_free(a);
}

/* ----------------------------------------------------------------- output */

/* Checked before reading (a long capture should not be read for nothing);
 * the file itself is created at the first write, so that an unknown --call
 * leaves an existing file alone. */
static bool output_writable(const char *path)
{
  if (access(path, F_OK) == 0)
    return access(path, W_OK) == 0;
  char *dir = g_path_get_dirname(path);
  bool ok = access(dir, W_OK | X_OK) == 0;
  g_free(dir);
  return ok;
}

static void write_failed(ladder_run *r, int err)
{
  if (!r->write_failed)
    fprintf(stderr, "sipflow: cannot write '%s': %s\n", r->out_path ? r->out_path : "stdout",
            strerror(err));
  r->write_failed = true;
}

static void write_out(ladder_run *r, const char *buf, size_t len)
{
  if (r->write_failed)
    return;
  if (!r->out) {
    r->out = r->out_path ? fopen(r->out_path, "wb") : stdout;
    if (!r->out) {
      write_failed(r, errno);
      return;
    }
  }
  if (len && fwrite(buf, 1, len, r->out) != len)
    write_failed(r, errno);
}

/* Closes the output; false (the error printed) when something was lost. */
static bool close_out(ladder_run *r)
{
  if (r->out && r->out != stdout && fclose(r->out) != 0)
    write_failed(r, errno);
  else if (r->out == stdout && fflush(stdout) != 0)
    write_failed(r, errno);
  r->out = NULL;
  return !r->write_failed;
}

/* ---------------------------------------------------------------- headings */

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

/* A heading: the call's outcome on a rule, then its failure sentence. */
typedef struct heading {
  char *title;   /* "call 3: busy, 486 Busy Here" (raw) */
  char *failure; /* NULL unless the call failed (raw) */
} heading;

static heading heading_of(const sipflow_call_info *c)
{
  GString *g = g_string_new(NULL);

  g_string_append_printf(g, "call %u: %s", c->call, sipflow_call_state_name(c->state));
  if (c->final_status)
    g_string_append_printf(g, ", %d %s", c->final_status, c->reason ? c->reason : "");
  return (heading){.title = g_string_free(g, FALSE), .failure = g_strdup(c->failure)};
}

static void heading_clear(heading *h)
{
  g_free(h->title);
  g_free(h->failure);
}

static void escape_for(const ladder_run *r, GString *out, const char *raw)
{
  if (r->format == SIPFLOW_LADDER_ASCII)
    ascii_escape(out, raw);
  else
    out_text_escape(out, raw, strlen(raw));
}

/* Appends words to out, breaking lines before `width` columns; each line
 * starts with indent.  A word longer than a line stays whole (visible). */
static void append_wrapped(GString *out, const char *text, const char *indent, size_t width)
{
  char **words = g_strsplit(text, " ", -1);
  size_t col = 0, ind = out_text_width(indent, strlen(indent));

  for (char **w = words; *w; w++) {
    size_t n = out_text_width(*w, strlen(*w));
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

/* "━━ call 3: busy, 486 Busy Here ━━━━━…" across the width (a rule between
 * calls), then the failure sentence wrapped below it. */
static void write_heading(ladder_run *r, const heading *h)
{
  bool ascii = r->format == SIPFLOW_LADDER_ASCII;
  unsigned width = r->render_opt.width ? r->render_opt.width : 100;
  GString *g = g_string_new(ascii ? "== " : "━━ ");

  escape_for(r, g, h->title);
  g_string_append_c(g, ' ');
  for (size_t col = out_text_width(g->str, g->len); col < width; col++)
    g_string_append(g, ascii ? "=" : "━");
  g_string_append_c(g, '\n');
  if (h->failure) {
    GString *f = g_string_new("failed: ");
    escape_for(r, f, h->failure);
    append_wrapped(g, f->str, "   ", width);
    g_string_free(f, TRUE);
  }
  write_out(r, g->str, g->len);
  g_string_free(g, TRUE);
}

/* -------------------------------------------------------------- rendering */

static void write_ladder(ladder_run *r, const sipflow_ladder *l)
{
  char *buf = NULL;
  size_t len = 0;

  if (sipflow_ladder_render(l, r->format, &r->render_opt, &buf, &len) == SIPFLOW_OK)
    write_out(r, buf, len);
  sipflow_buffer_free(buf);
}

/* per_call: a finished call, heading then its diagram, a blank line
 * between calls. */
static void write_call(ladder_run *r, const heading *h, const sipflow_ladder *l)
{
  if (r->calls_written++)
    write_out(r, "\n", 1);
  write_heading(r, h);
  write_ladder(r, l);
}

/* per_call: a finalised call waiting for its turn (list_order). */
typedef struct finished_call {
  heading h;
  sipflow_ladder *ladder;
} finished_call;

static void free_finished(void *row)
{
  finished_call *f = row;
  heading_clear(&f->h);
  sipflow_ladder_free(f->ladder);
  g_free(f);
}

/* Prints (f may be NULL: a call with nothing to show) and frees call id. */
static void emit_call(ladder_run *r, uint32_t id, finished_call *f)
{
  if (f)
    write_call(r, &f->h, f->ladder);
  if (f)
    free_finished(f);
  if (id != r->next) {
    g_hash_table_add(r->ahead, GUINT_TO_POINTER(id));
    return;
  }
  r->next++;
  while (g_hash_table_remove(r->ahead, GUINT_TO_POINTER(r->next)))
    r->next++;
}

static gint cmp_ids(gconstpointer a, gconstpointer b, gpointer unused)
{
  guint x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);
  return x < y ? -1 : x > y;
}

/* Prints the lowest held call; false when none is held. */
static bool emit_lowest(ladder_run *r)
{
  GTreeNode *n = g_tree_node_first(r->held);
  if (!n)
    return false;
  uint32_t id = GPOINTER_TO_UINT(g_tree_node_key(n));
  finished_call *f = g_tree_node_value(n);
  g_tree_steal(r->held, GUINT_TO_POINTER(id));
  emit_call(r, id, f);
  return true;
}

/* A finalised call: printed now if its turn has come (then those held
 * behind it), else held back (see the top of the file). */
static void put_call(ladder_run *r, uint32_t id, finished_call *f)
{
  if (id <= r->next) { /* its turn, or late after being skipped */
    emit_call(r, id, f);
  } else {
    g_tree_insert(r->held, GUINT_TO_POINTER(id), f);
    if (g_tree_nnodes(r->held) > LADDER_HELD)
      emit_lowest(r);
  }
  GTreeNode *n;
  while ((n = g_tree_node_first(r->held)) && GPOINTER_TO_UINT(g_tree_node_key(n)) == r->next)
    emit_lowest(r);
}

/* ---------------------------------------------------------------- selection */

static bool span_is(sipflow_span s, const char *text)
{
  size_t n = strlen(text);
  return s.ptr && s.len == n && memcmp(s.ptr, text, n) == 0;
}

/* Whether the message belongs to a --call (marking the ones it matches). */
static bool selected(ladder_run *r, const sipflow_message *m)
{
  bool any = false;

  for (size_t i = 0; i < r->n_wanted; i++) {
    wanted_call *w = &r->wanted[i];
    if ((w->number && m->call == w->number) || span_is(m->call_id, w->arg)) {
      w->seen = true;
      any = true;
    }
  }
  return any;
}

static bool call_selected(const ladder_run *r, const sipflow_call_info *c)
{
  for (size_t i = 0; i < r->n_wanted; i++) {
    const wanted_call *w = &r->wanted[i];
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

/* --------------------------------------------------------------- callbacks */

/* html and json show each message's whole text; the other formats only
 * what the ladder derives from the parsed fields, so the ladder gets a copy
 * without the text (half the memory on a big capture). */
static bool shows_text(sipflow_ladder_format f)
{
  return f == SIPFLOW_LADDER_HTML || f == SIPFLOW_LADDER_JSON;
}

static void on_message(const sipflow_message *msg, void *user)
{
  ladder_run *r = cli_session_data(user);
  sipflow_message lean;
  const sipflow_message *m = msg;

  if (r->n_wanted && !selected(r, msg))
    return;
  if (!shows_text(r->format)) {
    lean = *msg;
    lean.raw_len = 0;
    m = &lean;
  }
  if (!r->per_call) {
    sipflow_ladder_add(r->all, m);
    return;
  }
  sipflow_ladder *l = g_hash_table_lookup(r->open, GUINT_TO_POINTER(m->call));
  if (!l) {
    l = sipflow_ladder_new(&r->ladder_opt);
    g_hash_table_insert(r->open, GUINT_TO_POINTER(m->call), l);
  }
  sipflow_ladder_add(l, m);
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  ladder_run *r = cli_session_data(user);

  if (!r->per_call) {
    if (r->n_wanted && call_selected(r, c)) {
      heading h = heading_of(c);
      g_array_append_val(r->headings, h);
    }
    return;
  }
  gpointer l = NULL;
  finished_call *f = NULL;
  if (g_hash_table_steal_extended(r->open, GUINT_TO_POINTER(c->call), NULL, &l)) {
    f = g_new0(finished_call, 1);
    f->h = heading_of(c);
    f->ladder = l;
  }
  put_call(r, c->call, f);
}

/* The calls still held back, then messages the library attached to no
 * finalised call (call id 0). */
static void flush_orphans(ladder_run *r)
{
  while (emit_lowest(r))
    ;

  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init(&it, r->open);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    heading h = {.title = g_strdup_printf("call %u", GPOINTER_TO_UINT(key))};
    write_call(r, &h, value);
    heading_clear(&h);
    g_hash_table_iter_remove(&it);
  }
}

/* ------------------------------------------------------------------- run */

static int usage(const char *fmt, const char *arg)
{
  fputs("sipflow: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\nRun 'sipflow ladder --help' for usage.\n", stderr);
  return CLI_EXIT_USAGE;
}

/* Text width: --width, else the terminal's when writing to one (or
 * $COLUMNS when set), else the renderer's default (100). */
static unsigned pick_width(const ladder_args *a)
{
  if (a->width > 0)
    return (unsigned)a->width;
  if (!a->output && (isatty(STDOUT_FILENO) || getenv("COLUMNS")))
    return out_terminal_width();
  return 0;
}

static bool want_color(const ladder_args *a, sipflow_ladder_format f)
{
  const char *no_color = getenv("NO_COLOR"); /* https://no-color.org */
  return (f == SIPFLOW_LADDER_TEXT || f == SIPFLOW_LADDER_ASCII) && !a->output &&
         isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

/* Every --call must have matched a message; names the ones that did not. */
static bool check_wanted(const ladder_run *r)
{
  bool ok = true;

  for (size_t i = 0; i < r->n_wanted; i++) {
    if (r->wanted[i].seen)
      continue;
    GString *g = g_string_new("sipflow: no call '");
    out_text_escape(g, r->wanted[i].arg, strlen(r->wanted[i].arg));
    g_string_append(g, "' in the capture (give a call number as 'sipflow calls' shows it, "
                       "or a Call-ID)");
    fprintf(stderr, "%s\n", g->str);
    g_string_free(g, TRUE);
    ok = false;
  }
  return ok;
}

/* The one diagram of the selected (or all) calls, after the headings. */
static void write_selection(ladder_run *r)
{
  bool text = r->format == SIPFLOW_LADDER_TEXT || r->format == SIPFLOW_LADDER_ASCII;

  for (guint i = 0; text && i < r->headings->len; i++)
    write_heading(r, &g_array_index(r->headings, heading, i));
  write_ladder(r, r->all);
}

static int run_ladder(const cli_global *g, void *state)
{
  ladder_args *a = state;
  const char *fname = a->format ? a->format : g->json ? "json" : "text";
  int format = sipflow_ladder_format_from_name(fname);

  if (format < 0)
    return usage("unknown format '%s' (text, ascii, svg, html, mermaid or json)", fname);
  if (a->width < 0)
    return usage("%s", "--width must be a positive number of columns");
  if (a->output && !output_writable(a->output)) {
    fprintf(stderr, "sipflow: cannot write '%s': %s\n", a->output, strerror(errno));
    return CLI_EXIT_RUNTIME;
  }

  size_t n_wanted = a->calls ? g_strv_length(a->calls) : 0;
  ladder_run r = {
    .format = (sipflow_ladder_format)format,
    .ladder_opt = {.merge_by_ip = a->merge_ip},
    .render_opt = {.width = pick_width(a), .color = want_color(a, format)},
    .per_call = n_wanted == 0 && (format == SIPFLOW_LADDER_TEXT || format == SIPFLOW_LADDER_ASCII),
    .wanted = g_new0(wanted_call, n_wanted + 1),
    .n_wanted = n_wanted,
    .out_path = a->output,
    .headings = g_array_new(FALSE, TRUE, sizeof(heading)),
  };
  for (size_t i = 0; i < n_wanted; i++)
    r.wanted[i] = (wanted_call){.arg = a->calls[i], .number = call_number(a->calls[i])};
  if (r.per_call) {
    r.open = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sipflow_ladder_free);
    r.held = g_tree_new_full(cmp_ids, NULL, NULL, free_finished);
    r.ahead = g_hash_table_new(NULL, NULL);
    r.next = 1;
  } else {
    r.all = sipflow_ladder_new(&r.ladder_opt);
  }

  sipflow_callbacks cb = {.on_message = on_message, .on_call_end = on_call_end};
  int status = cli_read_capture(g, &cb, NULL, &r);

  if (status == CLI_EXIT_OK && !check_wanted(&r)) {
    status = CLI_EXIT_RUNTIME;
  } else if (r.per_call) {
    flush_orphans(&r);
    if (!r.calls_written && status == CLI_EXIT_OK && !r.out_path)
      write_out(&r, "no SIP messages\n", 16);
  } else if (status == CLI_EXIT_OK || sipflow_ladder_arrow_count(r.all)) {
    write_selection(&r);
  }
  /* -o with nothing written (no SIP at all) still leaves an (empty) file. */
  if (status == CLI_EXIT_OK && r.out_path && !r.out && !r.write_failed)
    write_out(&r, "", 0);
  if (!close_out(&r) && status == CLI_EXIT_OK)
    status = CLI_EXIT_RUNTIME;

  for (guint i = 0; i < r.headings->len; i++)
    heading_clear(&g_array_index(r.headings, heading, i));
  g_array_free(r.headings, TRUE);
  if (r.held)
    g_tree_destroy(r.held);
  if (r.ahead)
    g_hash_table_destroy(r.ahead);
  if (r.open)
    g_hash_table_destroy(r.open);
  sipflow_ladder_free(r.all);
  g_free(r.wanted);
  return status;
}

const cli_command cli_cmd_ladder = {
  .name = "ladder",
  .summary = "ladder diagram(s) of calls: text, ascii, svg, html, mermaid, json",
  .options = ladder_options,
  .free_state = ladder_free_args,
  .run = run_ladder,
};
