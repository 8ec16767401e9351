/*
 * Whole-capture outputs of the plugin: the call table, the failed calls, the
 * KPIs and the ladders.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each one replays the stored messages, in capture order, into a fresh
 * library context and finishes it: the library then sees exactly what the
 * `sipflow` CLI sees for the same messages, whatever pass Wireshark is in
 * and even while a live capture still grows (the plugin's own context is
 * never finished).  Replaying is cheap next to dissection (the library
 * handles millions of messages per second).
 *
 * The call table (sipflow_render_calls_table) and the KPIs
 * (sipflow_render_stats) are the library's, the ones `sipflow calls` and
 * `sipflow stats` print (tests/cli/plugin_outputs.sh checks both byte for
 * byte).
 */
#include <stdlib.h>

#include "sfw.h"

/* --------------------------------------------------------------- replay */

static void replay_on_message(const sipflow_message *msg, void *user)
{
  sfw_replay *r = user;
  if (msg->call > r->n_calls)
    r->n_calls = msg->call;
  if (r->on_message)
    r->on_message(msg, r->user);
}

static void replay_on_call_end(const sipflow_call_info *call, void *user)
{
  sfw_replay *r = user;
  if (r->on_call_end)
    r->on_call_end(call, r->user);
}

void sfw_replay_run(sfw_replay *r)
{
  sfw_state *st = sfw_state_get();
  sipflow_callbacks cb = {.on_message = replay_on_message, .on_call_end = replay_on_call_end};
  /* keep_calls: the call table reads every call after the end */
  sipflow_call_options opt = {.keep_calls = 1};

  r->ctx = sipflow_new(&cb, r, NULL);
  sipflow_set_call_options(r->ctx, &opt);
  for (guint i = 0; i < st->msgs->len; i++) {
    const sfw_msg *m = g_ptr_array_index(st->msgs, i);
    sipflow_feed_sip(r->ctx, m->bytes, m->len, m->frame, m->time_us, &m->src, &m->dst,
                     m->transport);
  }
  sipflow_finish(r->ctx);
}

void sfw_replay_free(sfw_replay *r)
{
  sipflow_free(r->ctx);
  r->ctx = NULL;
}

/* ------------------------------------------------------------ call table */

/* The width `sipflow calls` fits its table to when stdout is not a
 * terminal (cli/output.c out_terminal_width): $COLUMNS when it is a
 * number, else the library's default.  tshark's output is not a terminal
 * either, so both print the same bytes. */
static unsigned table_width(void)
{
  const char *cols = g_getenv("COLUMNS");
  if (cols && *cols) {
    char *end;
    long v = strtol(cols, &end, 10);
    if (*end == '\0' && v > 0 && v < 100000)
      return (unsigned)v;
  }
  return 0; /* the library's default, 120 */
}

/* The table of `sipflow calls` (or `sipflow failed`), by the library's
 * code that the CLI calls too, over the calls in only_calls (NULL: all). */
char *sfw_report_calls(GHashTable *only_calls, bool failed_only, char **err)
{
  sfw_replay r = {0};
  GPtrArray *calls = g_ptr_array_new();
  sipflow_table_options opt = {.width = table_width(), .failed_only = failed_only};
  char *text = NULL;

  sfw_replay_run(&r);
  for (uint32_t id = 1; id <= r.n_calls; id++) {
    const sipflow_call_info *c = sipflow_get_call(r.ctx, id);
    if (!c || (only_calls && !g_hash_table_contains(only_calls, GUINT_TO_POINTER(id))))
      continue;
    if (!failed_only || c->failure)
      g_ptr_array_add(calls, (gpointer)c);
  }
  int rc = sipflow_render_calls_table((const sipflow_call_info *const *)calls->pdata,
                                      calls->len, &opt, &text, NULL);
  g_ptr_array_free(calls, TRUE);
  sfw_replay_free(&r);
  *err = rc == SIPFLOW_OK ? NULL : g_strdup(sipflow_strerror(rc));
  return text;
}

/* ------------------------------------------------------------------ KPIs */

/* The text of `sipflow stats`: the library's (sipflow_render_stats), the
 * CLI prints the same. */
char *sfw_report_stats(char **err)
{
  sfw_replay r = {0};
  sipflow_stats s;
  char *text = NULL;

  sfw_replay_run(&r);
  if (sipflow_get_stats(r.ctx, &s) == SIPFLOW_OK)
    sipflow_render_stats(&s, &text, NULL);
  sfw_replay_free(&r);
  *err = NULL;
  return text ? text : g_strdup("");
}
