/*
 * render stage: the text of `sipflow stats` (sipflow_render_stats), for the
 * CLI and the Wireshark plugin alike.  Every number is sipflow_get_stats()'s
 * (stats.c); this file only lays them out:
 *
 *   messages        12 (7 requests, 5 responses)
 *     by method     INVITE 2  ACK 2  BYE 1  ...
 *   ...
 *   ASR             50.0 %  (1 answered / 2 INVITE calls)
 *   top failures
 *          1  486 Busy Here
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>

#include "render.h"

#define LABEL "%-16s"

/* "INVITE 10  ACK 8" for the non-zero counters. */
static void append_count(GString *g, const char *name, uint64_t n)
{
  if (n)
    g_string_append_printf(g, "%s%s %" PRIu64, g->len ? "  " : "", name, n);
}

/* A labelled line of counters, "none" when they are all 0; empties g. */
static void append_line(GString *out, const char *label, GString *g)
{
  g_string_append_printf(out, LABEL "%s\n", label, g->len ? g->str : "none");
  g_string_truncate(g, 0);
}

static const char *plural(uint64_t n)
{
  return n == 1 ? "" : "s";
}

static void append_messages(GString *out, const sipflow_stats *s, GString *g)
{
  g_string_append_printf(out, LABEL "%" PRIu64 " (%" PRIu64 " request%s, %" PRIu64
                         " response%s)\n", "messages", s->messages, s->requests,
                         plural(s->requests), s->responses, plural(s->responses));
  for (int m = 0; m < SIPFLOW_METHOD_COUNT; m++)
    append_count(g, sipflow_method_name((sipflow_method)m), s->by_method[m]);
  append_line(out, "  by method", g);
  for (int c = 1; c <= 6; c++) {
    char name[4] = {(char)('0' + c), 'x', 'x', 0};
    append_count(g, name, s->by_status_class[c]);
  }
  append_line(out, "  by status", g);
  g_string_append_printf(out, LABEL "%" PRIu64 "\n", "retransmissions", s->retransmissions);
}

static void append_calls(GString *out, const sipflow_stats *s, GString *g)
{
  g_string_append_printf(out, LABEL "%" PRIu64 " (%" PRIu64 " INVITE), %" PRIu64
                         " transaction%s, %" PRIu64 " dialog%s\n", "calls", s->calls,
                         s->invite_calls, s->transactions, plural(s->transactions),
                         s->dialogs, plural(s->dialogs));
  for (int st = 0; st < SIPFLOW_CALL_STATE_COUNT; st++)
    append_count(g, sipflow_call_state_name((sipflow_call_state)st), s->calls_by_state[st]);
  append_line(out, "  outcomes", g);
  g_string_append_printf(out, LABEL "%" PRIu64 "\n", "  failed", s->failed);
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    append_count(g, sipflow_anomaly_name(1u << i), s->anomalies[i]);
  append_line(out, "  anomalies", g);
}

/* ITU-T E.411 ASR and NER, PDD, ACD (definitions in sipflow.h). */
static void append_kpis(GString *out, const sipflow_stats *s)
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

static void append_top_failures(GString *out, const sipflow_stats *s)
{
  size_t n = s->n_top_failures < SIPFLOW_STATS_TOP_FAILURES ? s->n_top_failures
                                                             : SIPFLOW_STATS_TOP_FAILURES;

  g_string_append_printf(out, "top failures%s\n", n ? "" : "    none");
  for (size_t i = 0; i < n; i++) {
    const sipflow_failure_count *f = &s->top_failures[i];
    g_string_append_printf(out, "  %6" PRIu64 "  ", f->calls);
    if (f->label)
      sf_escape_terminal(out, f->label, strlen(f->label));
    g_string_append_c(out, '\n');
  }
}

int sipflow_render_stats(const sipflow_stats *stats, char **out, size_t *out_len)
{
  if (out)
    *out = NULL;
  if (out_len)
    *out_len = 0;
  if (!stats || !out)
    return SIPFLOW_ERR_INVALID;
  GString *g = g_string_new(NULL), *counters = g_string_new(NULL);
  append_messages(g, stats, counters);
  append_calls(g, stats, counters);
  append_kpis(g, stats);
  append_top_failures(g, stats);
  g_string_free(counters, TRUE);
  if (out_len)
    *out_len = g->len;
  *out = g_string_free(g, FALSE);
  return SIPFLOW_OK;
}
