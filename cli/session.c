/*
 * Reading the capture for a command: diagnostics, progress and errors on
 * stderr, messages to the command's callbacks.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

typedef struct cli_session {
  const cli_global *g;
  void *data;              /* the command's */
  sipflow_callbacks cmd;   /* the command's callbacks */
  uint64_t diagnostics;
  bool progress_shown;     /* a progress line is on stderr, to be erased */
  int64_t started_us;      /* monotonic, for the rate and the ETA */
  sipflow_ctx *ctx;        /* for cli_session_ctx */
  int64_t progress_us;     /* monotonic time of the last progress line, 0 none */
  uint32_t calls;          /* calls seen so far (ids are dense, 1-based) */
} cli_session;

int cli_check_output(const char *path)
{
  bool ok = true;

  if (!path)
    return CLI_EXIT_OK;
  if (access(path, F_OK) == 0) {
    ok = access(path, W_OK) == 0;
  } else {
    char *dir = g_path_get_dirname(path);
    ok = access(dir, W_OK | X_OK) == 0;
    g_free(dir);
  }
  if (ok)
    return CLI_EXIT_OK;
  fprintf(stderr, "sipflow: cannot write '%s': %s\n", path, strerror(errno));
  return CLI_EXIT_RUNTIME;
}

void *cli_session_data(void *session)
{
  return ((cli_session *)session)->data;
}

sipflow_ctx *cli_session_ctx(void *session)
{
  return ((cli_session *)session)->ctx;
}

static void erase_progress(cli_session *s)
{
  if (s->progress_shown) {
    fputs("\r\033[K", stderr);
    s->progress_shown = false;
  }
}

static void on_diag(const sipflow_diag *diag, void *user)
{
  cli_session *s = user;

  s->diagnostics++;
  if (s->g->quiet || s->diagnostics > CLI_MAX_DIAGNOSTICS)
    return;
  GString *line = g_string_new("sipflow: warning: ");
  out_text_escape(line, diag->text, diag->text ? strlen(diag->text) : 0);
  erase_progress(s);
  fprintf(stderr, "%s\n", line->str);
  g_string_free(line, TRUE);
}

static void on_message(const sipflow_message *msg, void *user)
{
  cli_session *s = user;
  if (msg->call > s->calls)
    s->calls = msg->call;
  if (s->cmd.on_message)
    s->cmd.on_message(msg, user);
}

/* Progress lines per second at most: the library reports every few
 * thousand packets, hundreds of times a second on a fast read. */
#define CLI_PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 4)

/* "12.3 MB of 27.0 MB (45%), 48000 packets, 10234 messages, 1830 calls,
 * 2.1 MB/s, 52000 msg/s, 7 s left" */
static void on_progress(uint64_t done, uint64_t total, uint64_t packets, uint64_t messages,
                        void *user)
{
  cli_session *s = user;
  int64_t now = g_get_monotonic_time();
  if (s->progress_us && now - s->progress_us < CLI_PROGRESS_INTERVAL_US)
    return;
  s->progress_us = now;
  double elapsed = (double)(now - s->started_us) / G_USEC_PER_SEC;
  double rate = elapsed > 0 ? (double)done / elapsed : 0;
  GString *line = g_string_new("\rsipflow: ");

  g_string_append_printf(line, "%.1f MB", (double)done / 1e6);
  if (total) {
    g_string_append_printf(line, " of %.1f MB (%d%%)", (double)total / 1e6,
                           (int)(done >= total ? 100 : done * 100 / total));
  }
  g_string_append_printf(line, ", %" PRIu64 " packets, %" PRIu64 " messages, %" PRIu32
                         " calls, %.1f MB/s, %.0f msg/s",
                         packets, messages, s->calls, rate / 1e6,
                         elapsed > 0 ? (double)messages / elapsed : 0);
  if (total && rate > 0 && done < total)
    g_string_append_printf(line, ", %.0f s left", (double)(total - done) / rate);
  g_string_append(line, "\033[K");
  fputs(line->str, stderr);
  fflush(stderr);
  s->progress_shown = true;
  g_string_free(line, TRUE);
}

static bool want_progress(const cli_global *g)
{
  if (g->progress == CLI_PROGRESS_AUTO)
    return !g->quiet && isatty(STDERR_FILENO);
  return g->progress == CLI_PROGRESS_ON;
}

int cli_read_capture(const cli_global *g, const sipflow_callbacks *cb,
                     void (*on_end)(void *data, int status), void *data)
{
  return cli_read_capture_opts(g, cb, NULL, on_end, data);
}

int cli_read_capture_opts(const cli_global *g, const sipflow_callbacks *cb,
                          const sipflow_call_options *opt,
                          void (*on_end)(void *data, int status), void *data)
{
  cli_session s = {.g = g, .data = data, .started_us = g_get_monotonic_time()};
  if (cb)
    s.cmd = *cb;
  sipflow_callbacks mine = s.cmd;
  mine.on_message = on_message;
  mine.on_diag = on_diag;

  sipflow_ctx *ctx = sipflow_new(&mine, &s, NULL);
  if (!ctx) {
    fprintf(stderr, "sipflow: cannot create the analysis context\n");
    return CLI_EXIT_RUNTIME;
  }
  s.ctx = ctx;
  if (opt)
    sipflow_set_call_options(ctx, opt);
  if (want_progress(g))
    sipflow_set_progress(ctx, on_progress);

  int rc = sipflow_read_files(ctx, g->files, g->n_files, g->filter);
  int status = rc == SIPFLOW_OK ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
  erase_progress(&s);
  if (on_end)
    on_end(data, status);
  fflush(stdout);
  if (!g->quiet && s.diagnostics > CLI_MAX_DIAGNOSTICS)
    fprintf(stderr, "sipflow: warning: … and %" PRIu64 " more diagnostics\n",
            s.diagnostics - CLI_MAX_DIAGNOSTICS);
  if (rc != SIPFLOW_OK) {
    const char *msg = sipflow_errmsg(ctx);
    GString *line = g_string_new("sipflow: ");
    if (!msg || !*msg)
      msg = sipflow_strerror(rc);
    out_text_escape(line, msg, strlen(msg));
    fprintf(stderr, "%s\n", line->str);
    g_string_free(line, TRUE);
  }
  sipflow_free(ctx);
  return status;
}
