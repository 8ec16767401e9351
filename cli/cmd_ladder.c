/*
 * `sipflow ladder`: ladder diagrams (sequence diagrams) of calls.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   sipflow ladder [--call ID]... [--format F] [-o FILE] [--width N]
 *                  [--merge-ip] FILE...
 *
 * The document is the library's render stage (sipflow_ladder_doc_*: the
 * per-call headings, the order calls are written in as they are finalised,
 * the single diagram of the --call selection; see sipflow.h), the one the
 * Wireshark plugin shows too.  This file reads the options, decides the
 * width and the colours, checks that every --call was found, and writes.
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

typedef struct ladder_run {
  sipflow_ladder_doc *doc;
  const char *out_path; /* NULL = stdout */
  FILE *out;            /* opened at the first write */
  bool write_failed;
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

static void write_doc(const char *text, size_t len, void *user)
{
  write_out(user, text, len);
}

/* --------------------------------------------------------------- callbacks */

static void on_message(const sipflow_message *msg, void *user)
{
  ladder_run *r = cli_session_data(user);
  sipflow_ladder_doc_add_message(r->doc, msg);
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  ladder_run *r = cli_session_data(user);
  sipflow_ladder_doc_add_call(r->doc, c);
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
static bool check_wanted(const sipflow_ladder_doc *doc, size_t n_calls)
{
  bool ok = true;

  for (size_t i = 0; i < n_calls; i++) {
    char *missing = sipflow_ladder_doc_call_missing(doc, i);
    if (missing)
      fprintf(stderr, "sipflow: %s\n", missing);
    ok = ok && !missing;
    sipflow_buffer_free(missing);
  }
  return ok;
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
  if (cli_check_output(a->output) != CLI_EXIT_OK)
    return CLI_EXIT_RUNTIME;

  sipflow_ladder_doc_options opt = {
    .format = (sipflow_ladder_format)format,
    .render = {.width = pick_width(a), .color = want_color(a, format)},
    .ladder = {.merge_by_ip = a->merge_ip},
    .calls = (const char *const *)a->calls,
    .n_calls = a->calls ? g_strv_length(a->calls) : 0,
    /* a file gets the diagrams only; the note is for a reader */
    .no_empty_note = a->output != NULL,
  };
  ladder_run r = {.out_path = a->output};
  r.doc = sipflow_ladder_doc_new(&opt, write_doc, &r);

  sipflow_callbacks cb = {.on_message = on_message, .on_call_end = on_call_end};
  int status = cli_read_capture(g, &cb, NULL, &r);

  if (status == CLI_EXIT_OK && !check_wanted(r.doc, opt.n_calls)) {
    status = CLI_EXIT_RUNTIME;
    sipflow_ladder_doc_free(r.doc);
  } else {
    /* after an error, what was read is still shown (the error is printed
     * last) */
    sipflow_ladder_doc_finish(r.doc, status == CLI_EXIT_OK);
  }
  /* -o with nothing written (no SIP at all) still leaves an (empty) file. */
  if (status == CLI_EXIT_OK && r.out_path && !r.out && !r.write_failed)
    write_out(&r, "", 0);
  if (!close_out(&r) && status == CLI_EXIT_OK)
    status = CLI_EXIT_RUNTIME;
  return status;
}

const cli_command cli_cmd_ladder = {
  .name = "ladder",
  .summary = "ladder diagram(s) of calls: text, ascii, svg, html, mermaid, json",
  .options = ladder_options,
  .free_state = ladder_free_args,
  .run = run_ladder,
};
