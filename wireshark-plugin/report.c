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
 * The call table is the library's (sipflow_render_calls_table), the one
 * `sipflow calls` prints; the KPIs repeat the layout of `sipflow stats`
 * (tests/cli/plugin_outputs.sh checks both byte for byte).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

/* ------------------------------------------------------------ text helpers */

/* Capture bytes made safe for a terminal or a text window, as the CLI does
 * (cli/output.c out_text_escape): printable UTF-8 kept, control characters
 * (C0, DEL, C1) and invalid bytes as \xNN, '\' doubled. */
void sfw_text_escape(GString *out, const char *s, size_t len)
{
  const char *end = s + len;

  while (s && s < end) {
    gunichar c = g_utf8_get_char_validated(s, end - s);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
      g_string_append_printf(out, "\\x%02x", (unsigned char)*s++);
      continue;
    }
    const char *next = g_utf8_next_char(s);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      for (; s < next; s++)
        g_string_append_printf(out, "\\x%02x", (unsigned char)*s);
      continue;
    }
    if (c == '\\')
      g_string_append(out, "\\\\");
    else
      g_string_append_len(out, s, next - s);
    s = next;
  }
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

/* The layout of `sipflow stats` (cli/cmd_stats.c print_text), repeated
 * here until it moves into the library; tests/cli/plugin_outputs.sh checks
 * that both stay the same. */
#define LABEL "%-16s"

static void append_count(GString *g, const char *name, uint64_t n)
{
  if (n)
    g_string_append_printf(g, "%s%s %" PRIu64, g->len ? "  " : "", name, n);
}

static void print_line(GString *out, const char *label, GString *g)
{
  g_string_append_printf(out, LABEL "%s\n", label, g->len ? g->str : "none");
  g_string_truncate(g, 0);
}

static const char *plural(uint64_t n)
{
  return n == 1 ? "" : "s";
}

static void stats_counts(GString *out, const sipflow_stats *s, GString *g)
{
  g_string_append_printf(out, LABEL "%" PRIu64 " (%" PRIu64 " request%s, %" PRIu64
                         " response%s)\n", "messages", s->messages, s->requests,
                         plural(s->requests), s->responses, plural(s->responses));
  for (int m = 0; m < SIPFLOW_METHOD_COUNT; m++)
    append_count(g, sipflow_method_name((sipflow_method)m), s->by_method[m]);
  print_line(out, "  by method", g);
  for (int c = 1; c <= 6; c++) {
    char name[4] = {(char)('0' + c), 'x', 'x', 0};
    append_count(g, name, s->by_status_class[c]);
  }
  print_line(out, "  by status", g);
  g_string_append_printf(out, LABEL "%" PRIu64 "\n", "retransmissions", s->retransmissions);
  g_string_append_printf(out, LABEL "%" PRIu64 " (%" PRIu64 " INVITE), %" PRIu64
                         " transaction%s, %" PRIu64 " dialog%s\n", "calls", s->calls,
                         s->invite_calls, s->transactions, plural(s->transactions),
                         s->dialogs, plural(s->dialogs));
  for (int st = 0; st < SIPFLOW_CALL_STATE_COUNT; st++)
    append_count(g, sipflow_call_state_name((sipflow_call_state)st), s->calls_by_state[st]);
  print_line(out, "  outcomes", g);
  g_string_append_printf(out, LABEL "%" PRIu64 "\n", "  failed", s->failed);
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    append_count(g, sipflow_anomaly_name(1u << i), s->anomalies[i]);
  print_line(out, "  anomalies", g);
}

static void stats_kpis(GString *out, const sipflow_stats *s)
{
  if (s->asr >= 0)
    g_string_append_printf(out, LABEL "%.1f %%  (%" PRIu64 " answered / %" PRIu64
                           " INVITE calls)\n", "ASR", s->asr, s->answered, s->invite_calls);
  else
    g_string_append_printf(out, LABEL "n/a (no INVITE call)\n", "ASR");
  if (s->ner >= 0)
    g_string_append_printf(out, LABEL "%.1f %%  (%" PRIu64 " of %" PRIu64
                           " INVITE calls answered, busy, unanswered or declined)\n",
                           "NER", s->ner, s->effective, s->invite_calls);
  else
    g_string_append_printf(out, LABEL "n/a (no INVITE call)\n", "NER");
  if (s->pdd_count)
    g_string_append_printf(out, LABEL "mean %.0f ms, p50 %" PRId64 " ms, p95 %" PRId64
                           " ms  (%" PRIu64 " call%s with ringing)\n", "PDD", s->pdd_mean_ms,
                           s->pdd_p50_ms, s->pdd_p95_ms, s->pdd_count, plural(s->pdd_count));
  else
    g_string_append_printf(out, LABEL "n/a (no call rang)\n", "PDD");
  if (s->acd_count)
    g_string_append_printf(out, LABEL "%.3f s  (%" PRIu64 " completed call%s)\n", "ACD",
                           s->acd_s, s->acd_count, plural(s->acd_count));
  else
    g_string_append_printf(out, LABEL "n/a (no completed call)\n", "ACD");
}

static void stats_text(GString *out, const sipflow_stats *s)
{
  GString *g = g_string_new(NULL);

  stats_counts(out, s, g);
  stats_kpis(out, s);
  g_string_append_printf(out, "top failures%s\n", s->n_top_failures ? "" : "    none");
  for (size_t i = 0; i < s->n_top_failures; i++) {
    const sipflow_failure_count *f = &s->top_failures[i];
    g_string_truncate(g, 0);
    if (f->label)
      sfw_text_escape(g, f->label, strlen(f->label));
    g_string_append_printf(out, "  %6" PRIu64 "  %s\n", f->calls, g->str);
  }
  g_string_free(g, TRUE);
}

char *sfw_report_stats(char **err)
{
  sfw_replay r = {0};
  sipflow_stats s;

  sfw_replay_run(&r);
  GString *out = g_string_new(NULL);
  if (sipflow_get_stats(r.ctx, &s) == SIPFLOW_OK)
    stats_text(out, &s);
  sfw_replay_free(&r);
  *err = NULL;
  return g_string_free(out, FALSE);
}
