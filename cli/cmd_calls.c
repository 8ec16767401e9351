/*
 * `sipflow calls` and `sipflow failed`: one row per call (Call-ID), in call
 * id order; `failed` keeps only the calls that failed, with the reason in
 * words.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Text: an aligned table fitted to the terminal.  --json: NDJSON with the
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

enum { COL_ID, COL_START, COL_FROM, COL_ARROW, COL_TO, COL_STATE, COL_FINAL, COL_SETUP,
       COL_ANSWER, COL_DURATION, COL_MSGS, COL_ANOMALIES, COL_CALL_ID, N_COLS };

static const out_column call_columns[N_COLS] = {
  [COL_ID] = {.title = "#", .align = OUT_RIGHT},
  [COL_START] = {.title = "start"},
  [COL_FROM] = {.title = "from", .align = OUT_RIGHT, .max_width = 24},
  [COL_ARROW] = {.title = "", .tight = true},
  [COL_TO] = {.title = "to", .tight = true, .max_width = 24},
  [COL_STATE] = {.title = "state"},
  /* the status code says it; the reason phrase gives way before the Call-ID */
  [COL_FINAL] = {.title = "final", .max_width = 28, .squeeze = true, .soft_min = 16,
                 .cut_end = true},
  [COL_SETUP] = {.title = "setup", .align = OUT_RIGHT},
  [COL_ANSWER] = {.title = "answer", .align = OUT_RIGHT},
  [COL_DURATION] = {.title = "duration", .align = OUT_RIGHT},
  [COL_MSGS] = {.title = "msgs", .align = OUT_RIGHT},
  [COL_ANOMALIES] = {.title = "anomalies", .squeeze = true, .cut_end = true},
  /* Call-IDs differ at both ends ("abc…@host"): cut the middle */
  [COL_CALL_ID] = {.title = "call-id", .squeeze = true},
};

/* `failed`: the sentence is the point, so it comes last and in full. */
enum { FCOL_ID, FCOL_START, FCOL_FROM, FCOL_ARROW, FCOL_TO, FCOL_STATE, FCOL_CALL_ID,
       FCOL_FAILURE, N_FCOLS };

static const out_column failed_columns[N_FCOLS] = {
  [FCOL_ID] = {.title = "#", .align = OUT_RIGHT},
  [FCOL_START] = {.title = "start"},
  [FCOL_FROM] = {.title = "from", .align = OUT_RIGHT, .max_width = 24},
  [FCOL_ARROW] = {.title = "", .tight = true},
  [FCOL_TO] = {.title = "to", .tight = true, .max_width = 24},
  [FCOL_STATE] = {.title = "state"},
  [FCOL_CALL_ID] = {.title = "call-id", .squeeze = true},
  [FCOL_FAILURE] = {.title = "why", .overflow = true},
};

typedef struct calls_state {
  list_filter filter;
  gboolean csv;
  bool failed_only;
} calls_state;

/* One call ready to print; the start column of a table row is filled when
 * it is printed (the date shows only when it differs from the first row's). */
typedef struct call_row {
  char *line;      /* --json / --csv: the whole line */
  char **cells;    /* table */
  int64_t start_us;
  uint32_t call, linked_call;
  bool failed;
} call_row;

typedef struct calls_out {
  const calls_state *st;
  bool json, csv;
  list_order *order;
  out_table *table;
  int64_t first_day;   /* UTC day of the first row printed */
  uint64_t shown, failed;
  GString *links;      /* "1 ↔ 2, 3 ↔ 4" */
  GHashTable *pairs;   /* gint64 lo << 32 | hi: the pairs in links */
  GString *scratch;    /* row being built, start cell being printed */
} calls_out;

static void call_row_free(void *p)
{
  call_row *r = p;
  g_free(r->line);
  g_free(r->cells); /* one block (cells_finish) */
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

/* The cells of a table row are built one after the other in a scratch
 * buffer, then handed over as ONE block (the pointer array, then the
 * strings), freed with one g_free: a table of a million calls would
 * otherwise make a dozen allocations and printf calls per row. */
typedef struct cells_builder {
  GString *text;               /* the strings so far, NUL-separated */
  size_t start[N_COLS];        /* where each cell begins in text */
  size_t n;
} cells_builder;

static void cell_begin(cells_builder *b, GString *scratch)
{
  if (b->n == 0) {
    b->text = scratch;
    g_string_truncate(scratch, 0);
  } else {
    g_string_append_c(b->text, '\0');
  }
  b->start[b->n++] = b->text->len;
}

static void cell_str(cells_builder *b, GString *scratch, const char *s)
{
  cell_begin(b, scratch);
  g_string_append(b->text, s);
}

/* s escaped for the terminal, "-" when that leaves nothing */
static void cell_escaped(cells_builder *b, GString *scratch, const char *s)
{
  cell_begin(b, scratch);
  if (s)
    out_text_escape(b->text, s, strlen(s));
  if (b->text->len == b->start[b->n - 1])
    g_string_append_c(b->text, '-');
}

static void append_uint(GString *g, uint64_t v)
{
  char buf[24], *p = buf + sizeof buf;
  do
    *--p = (char)('0' + v % 10);
  while (v /= 10);
  g_string_append_len(g, p, buf + sizeof buf - p);
}

/* "0.120" (seconds, like the duration), or "-" when not applicable */
static void cell_ms(cells_builder *b, GString *scratch, int64_t ms)
{
  cell_begin(b, scratch);
  if (ms < 0) {
    g_string_append_c(b->text, '-');
    return;
  }
  char frac[5] = {'.', (char)('0' + ms % 1000 / 100), (char)('0' + ms % 100 / 10),
                  (char)('0' + ms % 10), '\0'};
  append_uint(b->text, (uint64_t)(ms / 1000));
  g_string_append(b->text, frac);
}

static char **cells_finish(cells_builder *b)
{
  g_string_append_c(b->text, '\0');
  char **cells = g_malloc((b->n + 1) * sizeof *cells + b->text->len);
  char *strings = (char *)(cells + b->n + 1);
  memcpy(strings, b->text->str, b->text->len);
  for (size_t i = 0; i < b->n; i++)
    cells[i] = strings + b->start[i];
  cells[b->n] = NULL;
  return cells;
}

static char **call_cells(const sipflow_call_info *c, GString *scratch)
{
  cells_builder b = {.n = 0};

  cell_begin(&b, scratch); /* COL_ID */
  append_uint(b.text, c->call);
  cell_str(&b, scratch, ""); /* COL_START: when printed */
  cell_begin(&b, scratch);   /* COL_FROM */
  list_uri_name_append(b.text, c->from);
  cell_str(&b, scratch, "→");
  cell_begin(&b, scratch);   /* COL_TO */
  list_uri_name_append(b.text, c->to);
  cell_str(&b, scratch, sipflow_call_state_name(c->state));
  cell_begin(&b, scratch);   /* COL_FINAL: "486 Busy Here", "486 " without reason */
  if (c->final_status) {
    append_uint(b.text, (uint64_t)c->final_status);
    g_string_append_c(b.text, ' ');
    if (c->reason) {
      size_t at = b.text->len;
      out_text_escape(b.text, c->reason, strlen(c->reason));
      if (b.text->len == at)
        g_string_append_c(b.text, '-');
    }
  } else {
    g_string_append_c(b.text, '-');
  }
  cell_ms(&b, scratch, c->setup_ms);
  cell_ms(&b, scratch, c->answer_ms);
  /* duration_s is a whole number of ms (sipflow.h): "%.3f" without printf */
  cell_ms(&b, scratch, c->duration_s < 0 ? -1 : (int64_t)(c->duration_s * 1000.0 + 0.5));
  cell_begin(&b, scratch); /* COL_MSGS */
  append_uint(b.text, c->messages);
  cell_begin(&b, scratch); /* COL_ANOMALIES */
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    if (c->anomalies & (1u << i)) {
      if (b.text->len > b.start[b.n - 1])
        g_string_append_c(b.text, ',');
      g_string_append(b.text, sipflow_anomaly_name(1u << i));
    }
  if (b.text->len == b.start[b.n - 1])
    g_string_append_c(b.text, '-');
  cell_escaped(&b, scratch, c->call_id);
  g_assert(b.n == N_COLS);
  return cells_finish(&b);
}

static char **failed_cells(const sipflow_call_info *c, GString *scratch)
{
  cells_builder b = {.n = 0};

  cell_begin(&b, scratch); /* FCOL_ID */
  append_uint(b.text, c->call);
  cell_str(&b, scratch, ""); /* FCOL_START: when printed */
  cell_begin(&b, scratch);   /* FCOL_FROM */
  list_uri_name_append(b.text, c->from);
  cell_str(&b, scratch, "→");
  cell_begin(&b, scratch);   /* FCOL_TO */
  list_uri_name_append(b.text, c->to);
  cell_str(&b, scratch, sipflow_call_state_name(c->state));
  cell_escaped(&b, scratch, c->call_id);
  cell_escaped(&b, scratch, c->failure);
  g_assert(b.n == N_FCOLS);
  return cells_finish(&b);
}

G_STATIC_ASSERT((int)COL_START == (int)FCOL_START);

static void print_row(void *p, void *user)
{
  call_row *r = p;
  calls_out *o = user;

  o->shown++;
  o->failed += r->failed;
  if (r->linked_call) { /* each pair once, whichever leg is shown first */
    uint32_t lo = MIN(r->call, r->linked_call), hi = MAX(r->call, r->linked_call);
    gint64 *key = g_new(gint64, 1);
    *key = (gint64)lo << 32 | hi;
    if (g_hash_table_add(o->pairs, key))
      g_string_append_printf(o->links, "%s%" PRIu32 " ↔ %" PRIu32,
                             o->links->len ? ", " : "", lo, hi);
  }
  if (r->line) {
    fputs(r->line, stdout);
    return;
  }
  int64_t day = out_utc_day(r->start_us);
  if (!o->table) {
    GString *g = g_string_new(NULL);
    out_time_clock(g, r->start_us, true, false);
    g_string_truncate(g, 10); /* the date */
    printf("start times are UTC, %s%s\n", g->str,
           o->st->failed_only ? "" : "; setup, answer and duration in seconds");
    g_string_free(g, TRUE);
    o->first_day = day;
    o->table = o->st->failed_only
                   ? out_table_new(stdout, failed_columns, N_FCOLS, out_terminal_width())
                   : out_table_new(stdout, call_columns, N_COLS, out_terminal_width());
  }
  g_string_truncate(o->scratch, 0);
  out_time_clock(o->scratch, r->start_us, day != o->first_day, false);
  r->cells[COL_START] = o->scratch->str; /* == FCOL_START; the table copies it */
  out_table_add(o->table, (const char *const *)r->cells);
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
  r->start_us = c->start_us;
  r->call = c->call;
  r->linked_call = c->linked_call;
  r->failed = c->failure != NULL;
  if (o->json)
    r->line = call_json(c);
  else if (o->csv)
    r->line = call_csv(c);
  else
    r->cells = o->st->failed_only ? failed_cells(c, o->scratch) : call_cells(c, o->scratch);
  list_order_put(o->order, c->call, r);
}

static void on_end(void *data, int status)
{
  calls_out *o = data;

  list_order_flush(o->order);
  if (o->json || o->csv)
    return;
  if (o->table) {
    out_table_finish(o->table);
    o->table = NULL;
  }
  if (o->shown == 0 && status != CLI_EXIT_OK)
    return; /* the error says it all */
  if (o->st->failed_only)
    printf("%" PRIu64 " failed call%s\n", o->shown, o->shown == 1 ? "" : "s");
  else
    printf("%" PRIu64 " call%s, %" PRIu64 " failed\n", o->shown, o->shown == 1 ? "" : "s",
           o->failed);
  if (o->links->len)
    printf("legs of the same call (B2BUA): %s\n", o->links->str);
}

static int run_calls(const cli_global *g, void *state)
{
  calls_state *st = state;
  calls_out o = {.st = st, .json = g->json, .csv = st->csv, .links = g_string_new(NULL),
                 .pairs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
                 .scratch = g_string_new(NULL)};
  sipflow_callbacks cb = {.on_call_end = on_call_end};

  if (g->json && st->csv) {
    fprintf(stderr, "sipflow: --json and --csv cannot be used together\n"
                    "Run 'sipflow --help' for usage.\n");
    g_string_free(o.links, TRUE);
    g_hash_table_destroy(o.pairs);
    g_string_free(o.scratch, TRUE);
    return CLI_EXIT_USAGE;
  }
  o.order = list_order_new(print_row, call_row_free, &o);
  if (o.csv)
    csv_header();
  int status = cli_read_capture(g, &cb, on_end, &o);
  list_order_free(o.order);
  g_string_free(o.links, TRUE);
  g_hash_table_destroy(o.pairs);
  g_string_free(o.scratch, TRUE);
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
