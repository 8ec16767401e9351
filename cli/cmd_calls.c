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
#include <math.h>
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

/* The rows held until their turn (list_order) are, by output: --json and
 * --csv, an out_held_line; the table, a sipflow_table_row.  One allocation a
 * call either way, none for a line whose turn it is already. */
typedef struct calls_out {
  const calls_state *st;
  bool json, csv;
  bool every_call;            /* no filter: each call has a row */
  list_order *order;
  sipflow_calls_table *table; /* the library's (the plugin prints the same) */
  GString *buf;               /* the line being built, reused */
  out_lines out;              /* --json, --csv: the lines, in batches */
  uint64_t shown;
} calls_out;

/* ------------------------------------------------------------------ JSON */


static void json_endpoint(GString *b, const char *quoted, size_t n, const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  out_json_key(b, quoted, n);
  out_json_cstr(b, ep->family ? sipflow_endpoint_format(ep, buf, sizeof buf) : NULL);
}

/* -1 (not applicable) is null. */
static void json_ms(GString *b, const char *quoted, size_t n, int64_t ms)
{
  out_json_key(b, quoted, n);
  if (ms < 0)
    out_put(b, "null", 4);
  else
    out_uint(b, (uint64_t)ms); /* >= 0 here */
}

/* "12.345": duration_s is a whole number of ms (sipflow.h), so this is
 * what "%.3f" prints, without printf on every line; printf when it is not. */
static void put_seconds(GString *b, double s)
{
  int64_t ms = (int64_t)(s * 1000.0 + 0.5);
  if (s < 0 || signbit(s) || s > 1e12 || (double)ms / 1000.0 != s) {
    g_string_append_printf(b, "%.3f", s);
    return;
  }
  char frac[4] = {'.', (char)('0' + ms % 1000 / 100), (char)('0' + ms % 100 / 10),
                  (char)('0' + ms % 10)};
  out_uint(b, (uint64_t)ms / 1000);
  out_put(b, frac, 4);
}

/* The NDJSON line of a call into b (emptied first). */
static void call_json(GString *b, const sipflow_call_info *c)
{
  g_string_assign(b, "{");

  out_json_key(b, OUT_KEY("call"));
  out_uint(b, c->call);
  out_json_key(b, OUT_KEY("call_id"));
  out_json_cstr(b, c->call_id);
  out_json_key(b, OUT_KEY("method"));
  out_json_cstr(b, c->method);
  out_json_key(b, OUT_KEY("from"));
  out_json_cstr(b, c->from);
  out_json_key(b, OUT_KEY("to"));
  out_json_cstr(b, c->to);
  json_endpoint(b, OUT_KEY("src"), &c->src);
  json_endpoint(b, OUT_KEY("dst"), &c->dst);
  out_json_key(b, OUT_KEY("start"));
  out_time_epoch(b, c->start_us);
  out_json_key(b, OUT_KEY("end"));
  out_time_epoch(b, c->end_us);
  out_json_key(b, OUT_KEY("state"));
  out_json_cstr(b, sipflow_call_state_name(c->state));
  out_json_key(b, OUT_KEY("final_status"));
  if (c->final_status)
    out_uint(b, (uint64_t)c->final_status); /* a status code, 100-699 */
  else
    out_put(b, "null", 4);
  out_json_key(b, OUT_KEY("reason"));
  out_json_cstr(b, c->final_status ? c->reason : NULL);
  out_json_key(b, OUT_KEY("messages"));
  out_uint(b, c->messages);
  out_json_key(b, OUT_KEY("transactions"));
  out_uint(b, c->transactions);
  out_json_key(b, OUT_KEY("dialogs"));
  out_uint(b, c->dialogs);
  out_json_key(b, OUT_KEY("retransmissions"));
  out_uint(b, c->retransmissions);
  json_ms(b, OUT_KEY("setup_ms"), c->setup_ms);
  json_ms(b, OUT_KEY("answer_ms"), c->answer_ms);
  out_json_key(b, OUT_KEY("duration_s"));
  if (c->duration_s < 0)
    out_put(b, "null", 4);
  else
    put_seconds(b, c->duration_s);
  out_json_key(b, OUT_KEY("anomalies"));
  g_string_append_c(b, '[');
  for (unsigned i = 0, n = 0; i < SIPFLOW_ANOMALY_COUNT; i++) {
    if (c->anomalies & (1u << i)) {
      g_string_append(b, n++ ? "," : "");
      out_json_cstr(b, sipflow_anomaly_name(1u << i));
    }
  }
  g_string_append_c(b, ']');
  out_json_key(b, OUT_KEY("failure"));
  out_json_cstr(b, c->failure);
  out_put(b, "}\n", 2);
}

/* ------------------------------------------------------------------- CSV */

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

/* ",text" (a CSV field after the separator) */
static void csv_next(GString *b, const char *s)
{
  g_string_append_c(b, ',');
  out_csv_field(b, s);
}

/* ",123", or "," for null (-1) */
static void csv_number(GString *b, int64_t v)
{
  g_string_append_c(b, ',');
  if (v >= 0)
    out_uint(b, (uint64_t)v);
}

/* The CSV line of a call into b (emptied first): same fields and order as
 * the JSON; null is an empty field, the anomalies are joined with ';'.
 * Numbers and names need no quoting: they go in as they are. */
static void call_csv(GString *b, const sipflow_call_info *c)
{
  char ep[SIPFLOW_ENDPOINT_STRLEN];

  g_string_truncate(b, 0);
  out_uint(b, c->call);
  csv_next(b, c->call_id);
  csv_next(b, c->method);
  csv_next(b, c->from);
  csv_next(b, c->to);
  csv_next(b, c->src.family ? sipflow_endpoint_format(&c->src, ep, sizeof ep) : NULL);
  csv_next(b, c->dst.family ? sipflow_endpoint_format(&c->dst, ep, sizeof ep) : NULL);
  g_string_append_c(b, ',');
  out_time_epoch(b, c->start_us);
  g_string_append_c(b, ',');
  out_time_epoch(b, c->end_us);
  csv_next(b, sipflow_call_state_name(c->state));
  g_string_append_c(b, ',');
  if (c->final_status) {
    if (c->final_status < 0)
      g_string_append_c(b, '-');
    out_uint(b, (uint64_t)ABS((int64_t)c->final_status));
  }
  csv_next(b, c->final_status ? c->reason : NULL);
  csv_number(b, c->messages);
  csv_number(b, c->transactions);
  csv_number(b, c->dialogs);
  csv_number(b, c->retransmissions);
  csv_number(b, c->setup_ms);
  csv_number(b, c->answer_ms);
  g_string_append_c(b, ',');
  if (c->duration_s >= 0)
    put_seconds(b, c->duration_s);
  g_string_append_c(b, ',');
  for (unsigned i = 0, n = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    if (c->anomalies & (1u << i)) {
      if (n++)
        g_string_append_c(b, ';');
      out_csv_field(b, sipflow_anomaly_name(1u << i));
    }
  csv_next(b, c->failure);
  out_put(b, "\r\n", 2);
}

/* ------------------------------------------------------------------ text */

static void put_line(calls_out *o, const char *text, size_t len)
{
  o->shown++;
  out_lines_put(&o->out, text, len);
}

static void print_line(void *line, void *user)
{
  out_held_line *l = line;
  put_line(user, l->text, l->len);
  g_free(l);
}

static void print_table_row(void *row, void *user)
{
  calls_out *o = user;
  o->shown++;
  sipflow_calls_table_add(o->table, row); /* takes it */
}

static void table_row_free(void *row)
{
  sipflow_table_row_free(row);
}

/* The table's lines go out in batches, as the --json lines do: a write
 * to stdout a line cost as much as making the line. */
static void table_write(const char *text, size_t len, void *user)
{
  out_lines_put(user, text, len);
}

/* ------------------------------------------------------------- command */

static void on_call_end(const sipflow_call_info *c, void *user)
{
  calls_out *o = cli_session_data(user);
  const list_filter *f = &o->st->filter;

  if (!o->every_call &&
      ((o->st->failed_only && !c->failure) || !list_filter_call(f, c) ||
       !list_filter_item(f, (int)c->state, c->method, c->start_us))) {
    list_order_put(o->order, c->call, NULL);
    return;
  }
  void *row;
  if (o->json || o->csv) {
    if (o->json)
      call_json(o->buf, c);
    else
      call_csv(o->buf, c);
    if (list_order_is_next(o->order, c->call)) {
      /* its turn: out now, and the rows it held back after it */
      put_line(o, o->buf->str, o->buf->len);
      list_order_put(o->order, c->call, NULL);
      return;
    }
    row = out_held_line_new(o->buf->str, o->buf->len);
  } else {
    if (list_order_is_next(o->order, c->call)) {
      o->shown++;
      sipflow_calls_table_add_call(o->table, c);
      list_order_put(o->order, c->call, NULL);
      return;
    }
    row = sipflow_calls_table_row(o->table, c);
  }
  list_order_put(o->order, c->call, row);
}

static void on_end(void *data, int status)
{
  calls_out *o = data;

  list_order_flush(o->order);
  if (o->json || o->csv) {
    out_lines_flush(&o->out);
    return;
  }
  /* no summary when nothing was shown because of an error: it says it all */
  sipflow_calls_table_finish(o->table, o->shown != 0 || status == CLI_EXIT_OK);
  o->table = NULL;
  out_lines_flush(&o->out);
}

static int run_calls(const cli_global *g, void *state)
{
  calls_state *st = state;
  calls_out o = {.st = st, .json = g->json, .csv = st->csv,
                 .every_call = !st->failed_only && list_filter_none(&st->filter)};
  sipflow_callbacks cb = {.on_call_end = on_call_end};

  if (g->json && st->csv) {
    fprintf(stderr, "sipflow: --json and --csv cannot be used together\n"
                    "Run 'sipflow --help' for usage.\n");
    return CLI_EXIT_USAGE;
  }
  if (!o.json && !o.csv) {
    /* not a tty: $COLUMNS or 120, the width the plugin uses too */
    sipflow_table_options opt = {.width = out_terminal_width(), .failed_only = st->failed_only};
    o.table = sipflow_calls_table_new(&opt, table_write, &o.out);
  }
  o.buf = g_string_sized_new(1024);
  out_lines_init(&o.out);
  if (o.table)
    o.order = list_order_new(print_table_row, table_row_free, &o);
  else
    o.order = list_order_new(print_line, g_free, &o);
  if (o.csv)
    csv_header();
  /* every output here shows the summary of a call, none its lists */
  sipflow_call_options copt = {.summary_only = 1};
  int status = cli_read_capture_opts(g, &cb, &copt, on_end, &o);
  list_order_free(o.order);
  g_string_free(o.buf, TRUE);
  sipflow_calls_table_finish(o.table, 0); /* still there when reading failed early */
  out_lines_clear(&o.out); /* the lines of rows emitted before a read error */
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
