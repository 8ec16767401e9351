/*
 * `sipflow report FILE... -o report.html`: one self-contained HTML page
 * about the whole capture (KPIs, charts, the call table, every call's
 * ladder and messages).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The page is the library's (sipflow_report_*, libsipflow/render_report.c)
 * so that the Wireshark plugin can write the same one; this file feeds it
 * every message and finalised call, adds the KPIs of sipflow_get_stats()
 * at the end, and writes the file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

typedef struct report_args {
  char *output;
  char *title;
} report_args;

typedef struct report_run {
  const cli_global *g;
  const report_args *args;
  sipflow_report *report;
  sipflow_ctx *ctx;     /* from the first callback, for the stats */
  uint64_t calls;
  int write_status;     /* CLI_EXIT_* of writing the page */
} report_run;

/* ---------------------------------------------------------------- options */

static GOptionGroup *report_options(void **state)
{
  report_args *a = g_new0(report_args, 1);
  const GOptionEntry entries[] = {
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &a->output,
     "write the page to FILE (default: stdout, when it is not a terminal)", "FILE"},
    {"title", 0, 0, G_OPTION_ARG_STRING, &a->title,
     "title of the page (default: \"SIP capture report\")", "TEXT"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  GOptionGroup *grp = g_option_group_new("report", "Options of 'report':",
                                         "Show the options of 'report'", NULL, NULL);
  g_option_group_add_entries(grp, entries);
  *state = a;
  return grp;
}

static void report_free_args(void *state)
{
  report_args *a = state;
  if (!a)
    return;
  g_free(a->output);
  g_free(a->title);
  g_free(a);
}

/* --------------------------------------------------------------- callbacks */

static void on_message(const sipflow_message *m, void *user)
{
  report_run *r = cli_session_data(user);
  r->ctx = cli_session_ctx(user);
  sipflow_report_add_message(r->report, m);
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  report_run *r = cli_session_data(user);
  r->ctx = cli_session_ctx(user);
  r->calls++;
  sipflow_report_add_call(r->report, c);
}

/* --------------------------------------------------------------- writing */

static int write_page(const char *path, const char *buf, size_t len)
{
  FILE *f = path ? fopen(path, "wb") : stdout;
  bool ok = f && fwrite(buf, 1, len, f) == len;

  if (f && f != stdout)
    ok = fclose(f) == 0 && ok;
  else if (f)
    ok = fflush(f) == 0 && ok;
  if (ok)
    return CLI_EXIT_OK;
  fprintf(stderr, "sipflow: cannot write '%s': %s\n", path ? path : "stdout", strerror(errno));
  return CLI_EXIT_RUNTIME;
}

/* "a.pcap, b.pcap" (as given; stdin as "-"), escaped by the page. */
static char *source_of(const cli_global *g)
{
  GString *s = g_string_new(NULL);
  for (size_t i = 0; i < g->n_files; i++)
    g_string_append_printf(s, "%s%s", i ? ", " : "", g->files[i]);
  if (g->filter)
    g_string_append_printf(s, "  (filter: %s)", g->filter);
  return g_string_free(s, FALSE);
}

/* After the capture (even a truncated one: what was read is reported),
 * while the context is still alive for its statistics. */
static void on_end(void *data, int status)
{
  report_run *r = data;
  sipflow_stats stats;
  bool have_stats = r->ctx && sipflow_get_stats(r->ctx, &stats) == SIPFLOW_OK;
  char *source = source_of(r->g);
  sipflow_report_options opt = {.title = r->args->title, .source = source};
  char *page = NULL;
  size_t len = 0;

  if (sipflow_report_render(r->report, have_stats ? &stats : NULL, &opt, &page, &len) !=
      SIPFLOW_OK) {
    fprintf(stderr, "sipflow: the report could not be rendered\n");
    r->write_status = CLI_EXIT_RUNTIME;
  } else {
    r->write_status = write_page(r->args->output, page, len);
  }
  if (r->write_status == CLI_EXIT_OK && r->args->output && !r->g->quiet &&
      isatty(STDERR_FILENO))
    fprintf(stderr, "sipflow: wrote %s (%.1f MB, %" G_GUINT64_FORMAT " calls)%s\n",
            r->args->output, (double)len / 1e6, r->calls,
            status == CLI_EXIT_OK ? "" : " from the part of the capture that could be read");
  sipflow_buffer_free(page);
  g_free(source);
}

static int run_report(const cli_global *g, void *state)
{
  report_args *a = state;

  if (!a->output && isatty(STDOUT_FILENO)) {
    fputs("sipflow: 'report' writes an HTML page: give -o FILE (or redirect stdout)\n"
          "Run 'sipflow report --help' for usage.\n", stderr);
    return CLI_EXIT_USAGE;
  }
  if (cli_check_output(a->output) != CLI_EXIT_OK)
    return CLI_EXIT_RUNTIME;
  report_run r = {.g = g, .args = a, .report = sipflow_report_new()};
  sipflow_callbacks cb = {.on_message = on_message, .on_call_end = on_call_end};
  int status = cli_read_capture(g, &cb, on_end, &r);

  sipflow_report_free(r.report);
  return status != CLI_EXIT_OK ? status : r.write_status;
}

const cli_command cli_cmd_report = {
  .name = "report",
  .summary = "one self-contained HTML report: KPIs, calls, failures, ladders",
  .options = report_options,
  .free_state = report_free_args,
  .run = run_report,
};
