/*
 * `sipflow calls` and `sipflow failed`: one row per call (Call-ID), in call
 * id order; `failed` keeps only the calls that failed, with the reason in
 * words.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Text: the library's table (sipflow_calls_table_*, render_table.c, which
 * the Wireshark plugin prints too) fitted to the terminal.  --json: NDJSON with the
 * keys of DESIGN.md "calls --json keys", in that order.  --csv: the same
 * fields as RFC 4180 CSV with a header row.  The library decides every
 * outcome, timing and sentence (sipflow_call_info); this file only formats.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "listing.h"
#include "output.h"

/* The `calls --json` keys, in DESIGN.md order (also the CSV header). */
static const char *const json_keys[] = {
  "call", "call_id", "method", "from", "to", "src", "dst", "start", "end", "state",
  "final_status", "reason", "messages", "transactions", "dialogs", "retransmissions",
  "setup_ms", "answer_ms", "duration_s", "anomalies", "failure"};
enum { N_KEYS = G_N_ELEMENTS(json_keys) };

typedef struct calls_state {
  list_filter filter;
  gboolean csv;
  bool failed_only;
} calls_state;

/* One call ready to print. */
typedef struct call_row {
  char *line;              /* --json / --csv: the whole line */
  sipflow_table_row *cells; /* table */
} call_row;

typedef struct calls_out {
  const calls_state *st;
  bool json, csv;
  list_order *order;
  sipflow_calls_table *table; /* the library's (the plugin prints the same) */
  uint64_t shown;
} calls_out;

static void call_row_free(void *p)
{
  call_row *r = p;
  g_free(r->line);
  sipflow_table_row_free(r->cells);
  g_free(r);
}

/* ------------------------------------------------------------------ JSON */

static void json_key(GString *b, const char *key)
{
  /* no printf: this runs for every key of every line */
  out_puts(b, b->len > 1 ? ",\"" : "\"");
  out_puts(b, key);
  out_put(b, "\":", 2);
}

static void json_endpoint(GString *b, const char *key, const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  json_key(b, key);
  out_json_cstr(b, ep->family ? sipflow_endpoint_format(ep, buf, sizeof buf) : NULL);
}

/* -1 (not applicable) is null. */
static void json_ms(GString *b, const char *key, int64_t ms)
{
  json_key(b, key);
  if (ms < 0)
    g_string_append(b, "null");
  else
    out_uint(b, (uint64_t)ms); /* >= 0 here */
}

static char *call_json(const sipflow_call_info *c)
{
  GString *b = g_string_new("{");

  json_key(b, "call");
  out_uint(b, c->call);
  json_key(b, "call_id");
  out_json_cstr(b, c->call_id);
  json_key(b, "method");
  out_json_cstr(b, c->method);
  json_key(b, "from");
  out_json_cstr(b, c->from);
  json_key(b, "to");
  out_json_cstr(b, c->to);
  json_endpoint(b, "src", &c->src);
  json_endpoint(b, "dst", &c->dst);
  json_key(b, "start");
  out_time_epoch(b, c->start_us);
  json_key(b, "end");
  out_time_epoch(b, c->end_us);
  json_key(b, "state");
  out_json_cstr(b, sipflow_call_state_name(c->state));
  json_key(b, "final_status");
  if (c->final_status)
    out_uint(b, (uint64_t)c->final_status); /* a status code, 100-699 */
  else
    g_string_append(b, "null");
  json_key(b, "reason");
  out_json_cstr(b, c->final_status ? c->reason : NULL);
  json_key(b, "messages");
  out_uint(b, c->messages);
  json_key(b, "transactions");
  out_uint(b, c->transactions);
  json_key(b, "dialogs");
  out_uint(b, c->dialogs);
  json_key(b, "retransmissions");
  out_uint(b, c->retransmissions);
  json_ms(b, "setup_ms", c->setup_ms);
  json_ms(b, "answer_ms", c->answer_ms);
  json_key(b, "duration_s");
  if (c->duration_s < 0)
    g_string_append(b, "null");
  else
    g_string_append_printf(b, "%.3f", c->duration_s);
  json_key(b, "anomalies");
  g_string_append_c(b, '[');
  for (unsigned i = 0, n = 0; i < SIPFLOW_ANOMALY_COUNT; i++) {
    if (c->anomalies & (1u << i)) {
      g_string_append(b, n++ ? "," : "");
      out_json_cstr(b, sipflow_anomaly_name(1u << i));
    }
  }
  g_string_append_c(b, ']');
  json_key(b, "failure");
  out_json_cstr(b, c->failure);
  g_string_append(b, "}\n");
  return g_string_free(b, FALSE);
}

/* ------------------------------------------------------------------- CSV */

/* "no-ack;retransmissions", or "" */
static char *anomaly_list(unsigned flags, const char *sep)
{
  GString *g = g_string_new(NULL);
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    if (flags & (1u << i))
      g_string_append_printf(g, "%s%s", g->len ? sep : "", sipflow_anomaly_name(1u << i));
  return g_string_free(g, FALSE);
}

static void csv_header(void)
{
  GString *b = g_string_new(NULL);
  for (size_t i = 0; i < N_KEYS; i++) {
    if (i)
      g_string_append_c(b, ',');
    out_csv_field(b, json_keys[i]);
  }
  g_string_append(b, "\r\n"); /* RFC 4180 §2: CRLF line breaks */
  fwrite(b->str, 1, b->len, stdout);
  g_string_free(b, TRUE);
}

/* Same fields and order as the JSON; null is an empty field, the
 * anomalies are joined with ';'. */
static char *call_csv(const sipflow_call_info *c)
{
  char src[SIPFLOW_ENDPOINT_STRLEN], dst[SIPFLOW_ENDPOINT_STRLEN];
  GString *b = g_string_new(NULL);
  char *anomalies = anomaly_list(c->anomalies, ";");
  char *nums[6];

  nums[0] = g_strdup_printf("%" PRIu32, c->call);
  nums[1] = c->final_status ? g_strdup_printf("%d", c->final_status) : NULL;
  nums[2] = c->setup_ms >= 0 ? g_strdup_printf("%" PRId64, c->setup_ms) : NULL;
  nums[3] = c->answer_ms >= 0 ? g_strdup_printf("%" PRId64, c->answer_ms) : NULL;
  nums[4] = c->duration_s >= 0 ? g_strdup_printf("%.3f", c->duration_s) : NULL;
  nums[5] = g_strdup_printf("%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32, c->messages,
                            c->transactions, c->dialogs, c->retransmissions);

  out_csv_field(b, nums[0]);
  const char *texts[] = {c->call_id, c->method, c->from, c->to,
                         c->src.family ? sipflow_endpoint_format(&c->src, src, sizeof src) : NULL,
                         c->dst.family ? sipflow_endpoint_format(&c->dst, dst, sizeof dst) : NULL};
  for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
    g_string_append_c(b, ',');
    out_csv_field(b, texts[i]);
  }
  g_string_append_c(b, ',');
  out_time_epoch(b, c->start_us);
  g_string_append_c(b, ',');
  out_time_epoch(b, c->end_us);
  g_string_append_c(b, ',');
  out_csv_field(b, sipflow_call_state_name(c->state));
  g_string_append_c(b, ',');
  out_csv_field(b, nums[1]);
  g_string_append_c(b, ',');
  out_csv_field(b, c->final_status ? c->reason : NULL);
  g_string_append_printf(b, ",%s,", nums[5]); /* four counters, never quoted */
  out_csv_field(b, nums[2]);
  g_string_append_c(b, ',');
  out_csv_field(b, nums[3]);
  g_string_append_c(b, ',');
  out_csv_field(b, nums[4]);
  g_string_append_c(b, ',');
  out_csv_field(b, anomalies);
  g_string_append_c(b, ',');
  out_csv_field(b, c->failure);
  g_string_append(b, "\r\n");

  for (size_t i = 0; i < G_N_ELEMENTS(nums); i++)
    g_free(nums[i]);
  g_free(anomalies);
  return g_string_free(b, FALSE);
}

/* ------------------------------------------------------------------ text */

static void write_stdout(const char *text, size_t len, void *user)
{
  fwrite(text, 1, len, user);
}

static void print_row(void *p, void *user)
{
  call_row *r = p;
  calls_out *o = user;

  o->shown++;
  if (r->line) {
    fputs(r->line, stdout);
    return;
  }
  sipflow_calls_table_add(o->table, r->cells);
  r->cells = NULL; /* taken */
}

/* ------------------------------------------------------------- command */

static void on_call_end(const sipflow_call_info *c, void *user)
{
  calls_out *o = cli_session_data(user);
  const list_filter *f = &o->st->filter;

  if ((o->st->failed_only && !c->failure) || !list_filter_call(f, c) ||
      !list_filter_state(f, (int)c->state) || !list_filter_method(f, c->method) ||
      !list_filter_time(f, c->start_us)) {
    list_order_put(o->order, c->call, NULL);
    return;
  }
  call_row *r = g_new0(call_row, 1);
  if (o->json)
    r->line = call_json(c);
  else if (o->csv)
    r->line = call_csv(c);
  else
    r->cells = sipflow_calls_table_row(o->table, c);
  list_order_put(o->order, c->call, r);
}

static void on_end(void *data, int status)
{
  calls_out *o = data;

  list_order_flush(o->order);
  if (o->json || o->csv)
    return;
  /* no summary when nothing was shown because of an error: it says it all */
  sipflow_calls_table_finish(o->table, o->shown != 0 || status == CLI_EXIT_OK);
  o->table = NULL;
}

static int run_calls(const cli_global *g, void *state)
{
  calls_state *st = state;
  calls_out o = {.st = st, .json = g->json, .csv = st->csv};
  sipflow_callbacks cb = {.on_call_end = on_call_end};

  if (g->json && st->csv) {
    fprintf(stderr, "sipflow: --json and --csv cannot be used together\n"
                    "Run 'sipflow --help' for usage.\n");
    return CLI_EXIT_USAGE;
  }
  if (!o.json && !o.csv) {
    /* not a tty: $COLUMNS or 120, the width the plugin uses too */
    sipflow_table_options opt = {.width = out_terminal_width(), .failed_only = st->failed_only};
    o.table = sipflow_calls_table_new(&opt, write_stdout, stdout);
  }
  o.order = list_order_new(print_row, call_row_free, &o);
  if (o.csv)
    csv_header();
  int status = cli_read_capture(g, &cb, on_end, &o);
  list_order_free(o.order);
  sipflow_calls_table_finish(o.table, 0); /* still there when reading failed early */
  return status;
}

static GOptionGroup *calls_options_common(void **state, bool failed_only)
{
  calls_state *st = g_new0(calls_state, 1);
  st->failed_only = failed_only;
  st->filter.kind = LIST_CALLS;
  *state = st;

  GOptionGroup *group = list_filter_group(&st->filter);
  const GOptionEntry entries[] = {
    {"csv", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_NONE, &st->csv, "CSV output (RFC 4180, header row)", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_option_group_add_entries(group, entries);
  return group;
}

static GOptionGroup *calls_options(void **state)
{
  return calls_options_common(state, false);
}

static GOptionGroup *failed_options(void **state)
{
  return calls_options_common(state, true);
}

static void calls_free(void *state)
{
  calls_state *st = state;
  if (!st)
    return;
  list_filter_clear(&st->filter);
  g_free(st);
}

const cli_command cli_cmd_calls = {
  .name = "calls",
  .summary = "one row per call: who, when, outcome, timings",
  .options = calls_options,
  .free_state = calls_free,
  .run = run_calls,
};

const cli_command cli_cmd_failed = {
  .name = "failed",
  .summary = "only the failed calls, with the reason in words",
  .options = failed_options,
  .free_state = calls_free,
  .run = run_calls,
};
