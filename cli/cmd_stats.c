/*
 * `sipflow stats`: message counts by method and status class,
 * retransmissions, calls per outcome, the telecom KPIs (ASR, NER, PDD,
 * ACD) and the most frequent failure reasons.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every number comes from sipflow_get_stats() (definitions in sipflow.h)
 * and the text layout from sipflow_render_stats(), so that the CLI and the
 * Wireshark plugin agree; this file only prints.
 * --json: one object (keys in README.md "stats").
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "output.h"

typedef struct stats_out {
  bool json;
  sipflow_ctx *ctx; /* seen through the first message */
} stats_out;

/* ------------------------------------------------------------------ JSON */

static void json_key(GString *b, const char *key)
{
  char last = b->len ? b->str[b->len - 1] : '{';
  g_string_append_printf(b, "%s\"%s\":", last == '{' || last == '[' ? "" : ",", key);
}

static void json_u64(GString *b, const char *key, uint64_t v)
{
  json_key(b, key);
  g_string_append_printf(b, "%" PRIu64, v);
}

/* A KPI: null when its denominator was 0 (the library gives -1). */
static void json_kpi(GString *b, const char *key, double v, const char *fmt)
{
  json_key(b, key);
  if (v < 0)
    g_string_append(b, "null");
  else
    g_string_append_printf(b, fmt, v);
}

static void print_json(const sipflow_stats *s)
{
  GString *b = g_string_new("{");

  json_u64(b, "messages", s->messages);
  json_u64(b, "requests", s->requests);
  json_u64(b, "responses", s->responses);
  json_u64(b, "retransmissions", s->retransmissions);
  json_key(b, "by_method");
  g_string_append_c(b, '{');
  for (int m = 0; m < SIPFLOW_METHOD_COUNT; m++)
    json_u64(b, sipflow_method_name((sipflow_method)m), s->by_method[m]);
  g_string_append(b, "}");
  json_key(b, "by_status_class");
  g_string_append_c(b, '{');
  for (int c = 1; c <= 6; c++) {
    char key[4] = {(char)('0' + c), 'x', 'x', 0};
    json_u64(b, key, s->by_status_class[c]);
  }
  g_string_append(b, "}");
  json_u64(b, "calls", s->calls);
  json_u64(b, "transactions", s->transactions);
  json_u64(b, "dialogs", s->dialogs);
  json_key(b, "calls_by_state");
  g_string_append_c(b, '{');
  for (int st = 0; st < SIPFLOW_CALL_STATE_COUNT; st++)
    json_u64(b, sipflow_call_state_name((sipflow_call_state)st), s->calls_by_state[st]);
  g_string_append(b, "}");
  json_u64(b, "failed", s->failed);
  json_key(b, "anomalies");
  g_string_append_c(b, '{');
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    json_u64(b, sipflow_anomaly_name(1u << i), s->anomalies[i]);
  g_string_append(b, "}");
  json_u64(b, "invite_calls", s->invite_calls);
  json_u64(b, "answered", s->answered);
  json_u64(b, "effective", s->effective);
  json_kpi(b, "asr", s->asr, "%.2f");
  json_kpi(b, "ner", s->ner, "%.2f");
  json_u64(b, "pdd_count", s->pdd_count);
  json_kpi(b, "pdd_mean_ms", s->pdd_count ? s->pdd_mean_ms : -1, "%.1f");
  json_kpi(b, "pdd_p50_ms", s->pdd_count ? (double)s->pdd_p50_ms : -1, "%.0f");
  json_kpi(b, "pdd_p95_ms", s->pdd_count ? (double)s->pdd_p95_ms : -1, "%.0f");
  json_u64(b, "acd_count", s->acd_count);
  json_kpi(b, "acd_s", s->acd_count ? s->acd_s : -1, "%.3f");
  json_key(b, "top_failures");
  g_string_append_c(b, '[');
  for (size_t i = 0; i < s->n_top_failures; i++) {
    const sipflow_failure_count *f = &s->top_failures[i];
    g_string_append(b, i ? ",{" : "{");
    json_key(b, "label");
    out_json_cstr(b, f->label);
    json_key(b, "state");
    out_json_cstr(b, sipflow_call_state_name(f->state));
    json_key(b, "final_status");
    if (f->final_status)
      g_string_append_printf(b, "%d", f->final_status);
    else
      g_string_append(b, "null");
    json_key(b, "q850_cause");
    if (f->q850_cause)
      g_string_append_printf(b, "%d", f->q850_cause);
    else
      g_string_append(b, "null");
    json_u64(b, "calls", f->calls);
    g_string_append_c(b, '}');
  }
  g_string_append(b, "]}\n");
  fwrite(b->str, 1, b->len, stdout);
  g_string_free(b, TRUE);
}

/* ------------------------------------------------------------------ text */

/* The library's layout (sipflow_render_stats), the one the Wireshark
 * plugin shows too. */
static void print_text(const sipflow_stats *s)
{
  char *text = NULL;
  size_t len = 0;

  if (sipflow_render_stats(s, &text, &len) == SIPFLOW_OK)
    fwrite(text, 1, len, stdout);
  sipflow_buffer_free(text);
}

/* ------------------------------------------------------------- command */

static void on_message(const sipflow_message *msg, void *user)
{
  stats_out *o = cli_session_data(user);
  if (!o->ctx)
    o->ctx = cli_session_ctx(user);
}

static void on_end(void *data, int status)
{
  stats_out *o = data;
  sipflow_stats s;
  /* No message: the library's figures for an empty input. */
  sipflow_ctx *empty = o->ctx ? NULL : sipflow_new(&(sipflow_callbacks){0}, NULL, NULL);

  if (status != CLI_EXIT_OK && !o->ctx)
    goto out; /* nothing read: the error says it all */
  if (sipflow_get_stats(o->ctx ? o->ctx : empty, &s) != SIPFLOW_OK)
    goto out;
  if (o->json)
    print_json(&s);
  else
    print_text(&s);
out:
  sipflow_free(empty);
}

static int run_stats(const cli_global *g, void *state)
{
  stats_out o = {.json = g->json};
  sipflow_callbacks cb = {.on_message = on_message};

  return cli_read_capture(g, &cb, on_end, &o);
}

const cli_command cli_cmd_stats = {
  .name = "stats",
  .summary = "counts by method and status, KPIs, retransmissions",
  .run = run_stats,
};
