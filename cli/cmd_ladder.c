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
 *    (outcome, failure sentence), printed as soon as the library finalises
 *    the call and then freed, so memory follows the open calls, not the
 *    file.
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

/* What a heading says about a call (copied from on_call_end). */
typedef struct call_heading {
  uint32_t call;
  char *text; /* "call 3: busy, rejected by ..." (raw, escaped when written) */
} call_heading;

typedef struct ladder_run {
  sipflow_ladder_format format;
  sipflow_ladder_options ladder_opt;
  sipflow_render_options render_opt;
  bool per_call;          /* text/ascii without --call: stream call by call */
  wanted_call *wanted;
  size_t n_wanted;
  sipflow_ladder *all;    /* the one diagram (not per_call) */
  GHashTable *open;       /* per_call: call number -> sipflow_ladder* */
  GArray *headings;       /* not per_call: call_heading of the selected calls */
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

/* "call 3: busy, 486 Busy Here: rejected by ..." from a finalised call. */
static char *heading_of(const sipflow_call_info *c)
{
  GString *g = g_string_new(NULL);

  g_string_append_printf(g, "call %u: %s", c->call, sipflow_call_state_name(c->state));
  if (c->final_status)
    g_string_append_printf(g, ", %d %s", c->final_status, c->reason ? c->reason : "");
  if (c->failure)
    g_string_append_printf(g, " - %s", c->failure);
  return g_string_free(g, FALSE);
}

/* The heading line: "━━ call 3: busy … ━━" (text) / "== ... ==" (ascii). */
static void write_heading(ladder_run *r, const char *raw)
{
  bool ascii = r->format == SIPFLOW_LADDER_ASCII;
  GString *g = g_string_new(ascii ? "== " : "━━ ");

  if (ascii)
    ascii_escape(g, raw);
  else
    out_text_escape(g, raw, strlen(raw));
  g_string_append(g, ascii ? " ==\n" : " ━━\n");
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
static void write_call(ladder_run *r, const char *heading, const sipflow_ladder *l)
{
  if (r->calls_written++)
    write_out(r, "\n", 1);
  write_heading(r, heading);
  write_ladder(r, l);
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

static void on_message(const sipflow_message *m, void *user)
{
  ladder_run *r = cli_session_data(user);

  if (r->n_wanted && !selected(r, m))
    return;
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
      call_heading h = {.call = c->call, .text = heading_of(c)};
      g_array_append_val(r->headings, h);
    }
    return;
  }
  sipflow_ladder *l = g_hash_table_lookup(r->open, GUINT_TO_POINTER(c->call));
  if (!l)
    return;
  char *heading = heading_of(c);
  write_call(r, heading, l);
  g_free(heading);
  g_hash_table_remove(r->open, GUINT_TO_POINTER(c->call));
}

/* Messages the library attached to no finalised call (call id 0). */
static void flush_orphans(ladder_run *r)
{
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init(&it, r->open);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    char *heading = g_strdup_printf("call %u", GPOINTER_TO_UINT(key));
    write_call(r, heading, value);
    g_free(heading);
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
    write_heading(r, g_array_index(r->headings, call_heading, i).text);
  if (text && r->headings->len)
    write_out(r, "\n", 1);
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
    .headings = g_array_new(FALSE, TRUE, sizeof(call_heading)),
  };
  for (size_t i = 0; i < n_wanted; i++)
    r.wanted[i] = (wanted_call){.arg = a->calls[i], .number = call_number(a->calls[i])};
  if (r.per_call)
    r.open = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sipflow_ladder_free);
  else
    r.all = sipflow_ladder_new(&r.ladder_opt);

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
    g_free(g_array_index(r.headings, call_heading, i).text);
  g_array_free(r.headings, TRUE);
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
