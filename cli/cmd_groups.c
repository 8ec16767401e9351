/*
 * `sipflow transactions` and `sipflow dialogs`: one row per transaction
 * (RFC 3261 §17) / dialog (§12), in id order, as the library grouped them
 * (sipflow_call_info's transaction_list and dialog_list).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Text: an aligned table fitted to the terminal.  --json: NDJSON, keys
 * documented in README.md ("transactions", "dialogs").
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "listing.h"
#include "output.h"

enum { TCOL_ID, TCOL_CALL, TCOL_DIALOG, TCOL_CSEQ, TCOL_CLIENT, TCOL_ARROW, TCOL_SERVER,
       TCOL_STATE, TCOL_FINAL, TCOL_REQS, TCOL_RESPS, TCOL_RETR, TCOL_START, TCOL_FRAMES,
       TCOL_BRANCH, N_TCOLS };

static const sipflow_table_column txn_columns[N_TCOLS] = {
  [TCOL_ID] = {.title = "txn", .align = SIPFLOW_ALIGN_RIGHT},
  [TCOL_CALL] = {.title = "call", .align = SIPFLOW_ALIGN_RIGHT},
  [TCOL_DIALOG] = {.title = "dlg", .align = SIPFLOW_ALIGN_RIGHT},
  [TCOL_CSEQ] = {.title = "cseq"},
  [TCOL_CLIENT] = {.title = "client", .align = SIPFLOW_ALIGN_RIGHT},
  [TCOL_ARROW] = {.title = "", .tight = 1},
  [TCOL_SERVER] = {.title = "server", .tight = 1},
  [TCOL_STATE] = {.title = "state"},
  [TCOL_FINAL] = {.title = "final", .max_width = 24, .cut = SIPFLOW_CUT_END},
  [TCOL_REQS] = {.title = "req", .align = SIPFLOW_ALIGN_RIGHT},
  [TCOL_RESPS] = {.title = "resp", .align = SIPFLOW_ALIGN_RIGHT},
  [TCOL_RETR] = {.title = "retr", .align = SIPFLOW_ALIGN_RIGHT},
  [TCOL_START] = {.title = "start"},
  [TCOL_FRAMES] = {.title = "frames", .align = SIPFLOW_ALIGN_RIGHT},
  [TCOL_BRANCH] = {.title = "branch", .squeeze = 1},
};

enum { DCOL_ID, DCOL_CALL, DCOL_METHOD, DCOL_UAC, DCOL_ARROW, DCOL_UAS, DCOL_STATE,
       DCOL_CREATED, DCOL_CONFIRMED, DCOL_ENDED, DCOL_MSGS, DCOL_START, DCOL_FROM_TAG,
       DCOL_TO_TAG, N_DCOLS };

static const sipflow_table_column dialog_columns[N_DCOLS] = {
  [DCOL_ID] = {.title = "dialog", .align = SIPFLOW_ALIGN_RIGHT},
  [DCOL_CALL] = {.title = "call", .align = SIPFLOW_ALIGN_RIGHT},
  [DCOL_METHOD] = {.title = "method"},
  [DCOL_UAC] = {.title = "uac", .align = SIPFLOW_ALIGN_RIGHT},
  [DCOL_ARROW] = {.title = "", .tight = 1},
  [DCOL_UAS] = {.title = "uas", .tight = 1},
  [DCOL_STATE] = {.title = "state"},
  [DCOL_CREATED] = {.title = "created", .align = SIPFLOW_ALIGN_RIGHT},
  [DCOL_CONFIRMED] = {.title = "confirmed", .align = SIPFLOW_ALIGN_RIGHT},
  [DCOL_ENDED] = {.title = "ended", .align = SIPFLOW_ALIGN_RIGHT},
  [DCOL_MSGS] = {.title = "msgs", .align = SIPFLOW_ALIGN_RIGHT},
  [DCOL_START] = {.title = "start"},
  [DCOL_FROM_TAG] = {.title = "from-tag", .squeeze = 1},
  [DCOL_TO_TAG] = {.title = "to-tag", .squeeze = 1},
};

typedef struct groups_state {
  list_filter filter;
  bool dialogs; /* else transactions */
} groups_state;

typedef struct group_row {
  char *line;    /* --json */
  char **cells;  /* table; the start cell is filled when printed */
  int64_t start_us;
} group_row;

typedef struct groups_out {
  const groups_state *st;
  bool json;
  list_order *order;
  sipflow_table *table; /* the library's table engine */
  int64_t first_day;
  uint64_t shown;
} groups_out;

static void group_row_free(void *p)
{
  group_row *r = p;
  g_free(r->line);
  g_strfreev(r->cells);
  g_free(r);
}

/* ------------------------------------------------------------------ JSON */

static void json_key(GString *b, const char *key)
{
  g_string_append_printf(b, "%s\"%s\":", b->len > 1 ? "," : "", key);
}

static void json_uint(GString *b, const char *key, uint64_t v)
{
  json_key(b, key);
  g_string_append_printf(b, "%" PRIu64, v);
}

/* ids and frames: 0 means none -> null */
static void json_id(GString *b, const char *key, uint64_t v)
{
  json_key(b, key);
  if (v)
    g_string_append_printf(b, "%" PRIu64, v);
  else
    g_string_append(b, "null");
}

static void json_str(GString *b, const char *key, const char *s)
{
  json_key(b, key);
  out_json_cstr(b, s);
}

static void json_bool(GString *b, const char *key, int v)
{
  json_key(b, key);
  g_string_append(b, v ? "true" : "false");
}

static void json_time(GString *b, const char *key, int64_t us)
{
  json_key(b, key);
  out_time_epoch(b, us);
}

static void json_endpoint(GString *b, const char *key, const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  json_str(b, key, ep->family ? sipflow_endpoint_format(ep, buf, sizeof buf) : NULL);
}

static char *txn_json(const sipflow_transaction_info *t, const sipflow_call_info *c)
{
  GString *b = g_string_new("{");

  json_uint(b, "transaction", t->id);
  json_uint(b, "call", t->call);
  json_str(b, "call_id", c->call_id);
  json_id(b, "dialog", t->dialog);
  json_str(b, "method", t->method);
  json_uint(b, "cseq", t->cseq);
  json_str(b, "branch", t->branch);
  json_bool(b, "rfc2543", t->rfc2543);
  json_endpoint(b, "src", &t->src);
  json_endpoint(b, "dst", &t->dst);
  json_str(b, "state", sipflow_transaction_state_name(t->state));
  json_id(b, "final_status", (uint64_t)(t->final_status > 0 ? t->final_status : 0));
  json_str(b, "reason", t->final_status ? t->final_reason : NULL);
  json_bool(b, "request_seen", t->request_seen);
  json_uint(b, "requests", t->requests);
  json_uint(b, "responses", t->responses);
  json_uint(b, "retransmissions", t->retransmissions);
  json_id(b, "cancels", t->cancels);
  json_time(b, "start", t->start_us);
  json_time(b, "end", t->end_us);
  json_id(b, "first_frame", t->first_frame);
  json_id(b, "last_frame", t->last_frame);
  g_string_append(b, "}\n");
  return g_string_free(b, FALSE);
}

static char *dialog_json(const sipflow_dialog_info *d, const sipflow_call_info *c)
{
  GString *b = g_string_new("{");

  json_uint(b, "dialog", d->id);
  json_uint(b, "call", d->call);
  json_str(b, "call_id", d->call_id ? d->call_id : c->call_id);
  json_str(b, "method", d->method);
  json_str(b, "from_tag", d->from_tag);
  json_str(b, "to_tag", d->to_tag);
  json_endpoint(b, "uac", &d->uac);
  json_endpoint(b, "uas", &d->uas);
  json_str(b, "state", sipflow_dialog_state_name(d->state));
  json_id(b, "transaction", d->transaction);
  json_bool(b, "before_capture", d->before_capture);
  json_id(b, "created_frame", d->created_frame);
  json_id(b, "confirmed_frame", d->confirmed_frame);
  json_id(b, "terminated_frame", d->terminated_frame);
  json_time(b, "start", d->start_us);
  json_time(b, "end", d->end_us);
  json_uint(b, "messages", d->messages);
  g_string_append(b, "}\n");
  return g_string_free(b, FALSE);
}

/* ------------------------------------------------------------------ text */

static char *escaped(const char *s)
{
  GString *g = g_string_new(NULL);
  if (s)
    out_text_escape(g, s, strlen(s));
  if (g->len == 0)
    g_string_assign(g, "-");
  return g_string_free(g, FALSE);
}

static char *endpoint_cell(const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  return g_strdup(ep->family ? sipflow_endpoint_format(ep, buf, sizeof buf) : "?");
}

static char *id_cell(uint64_t v)
{
  return v ? g_strdup_printf("%" PRIu64, v) : g_strdup("-");
}

static char **txn_cells(const sipflow_transaction_info *t)
{
  char **cells = g_new0(char *, N_TCOLS + 1);
  char *method = escaped(t->method), *reason = escaped(t->final_reason);

  cells[TCOL_ID] = id_cell(t->id);
  cells[TCOL_CALL] = id_cell(t->call);
  cells[TCOL_DIALOG] = id_cell(t->dialog);
  cells[TCOL_CSEQ] = g_strdup_printf("%" PRIu32 " %s", t->cseq, method);
  cells[TCOL_CLIENT] = endpoint_cell(&t->src);
  cells[TCOL_ARROW] = g_strdup("→");
  cells[TCOL_SERVER] = endpoint_cell(&t->dst);
  cells[TCOL_STATE] = g_strdup(sipflow_transaction_state_name(t->state));
  cells[TCOL_FINAL] = t->final_status ? g_strdup_printf("%d %s", t->final_status,
                                                        t->final_reason ? reason : "")
                                      : g_strdup("-");
  cells[TCOL_REQS] = g_strdup_printf("%" PRIu32, t->requests);
  cells[TCOL_RESPS] = g_strdup_printf("%" PRIu32, t->responses);
  cells[TCOL_RETR] = g_strdup_printf("%" PRIu32, t->retransmissions);
  cells[TCOL_START] = g_strdup("");
  cells[TCOL_FRAMES] = t->first_frame == t->last_frame
                           ? g_strdup_printf("%" PRIu64, t->first_frame)
                           : g_strdup_printf("%" PRIu64 "-%" PRIu64, t->first_frame,
                                             t->last_frame);
  cells[TCOL_BRANCH] = escaped(t->branch);
  g_free(method);
  g_free(reason);
  return cells;
}

static char **dialog_cells(const sipflow_dialog_info *d)
{
  char **cells = g_new0(char *, N_DCOLS + 1);

  cells[DCOL_ID] = id_cell(d->id);
  cells[DCOL_CALL] = id_cell(d->call);
  cells[DCOL_METHOD] = escaped(d->method);
  cells[DCOL_UAC] = endpoint_cell(&d->uac);
  cells[DCOL_ARROW] = g_strdup("→");
  cells[DCOL_UAS] = endpoint_cell(&d->uas);
  cells[DCOL_STATE] = g_strdup(sipflow_dialog_state_name(d->state));
  cells[DCOL_CREATED] = d->before_capture ? g_strdup("before") : id_cell(d->created_frame);
  cells[DCOL_CONFIRMED] = id_cell(d->confirmed_frame);
  cells[DCOL_ENDED] = id_cell(d->terminated_frame);
  cells[DCOL_MSGS] = g_strdup_printf("%" PRIu32, d->messages);
  cells[DCOL_START] = g_strdup("");
  cells[DCOL_FROM_TAG] = escaped(d->from_tag);
  cells[DCOL_TO_TAG] = escaped(d->to_tag);
  return cells;
}

static void print_row(void *p, void *user)
{
  group_row *r = p;
  groups_out *o = user;
  size_t start_col = o->st->dialogs ? DCOL_START : TCOL_START;

  o->shown++;
  if (r->line) {
    fputs(r->line, stdout);
    group_row_free(r);
    return;
  }
  int64_t day = out_utc_day(r->start_us);
  if (!o->table) {
    GString *g = g_string_new(NULL);
    out_time_clock(g, r->start_us, true, false);
    g_string_truncate(g, 10); /* the date */
    printf("start times are UTC, %s\n", g->str);
    g_string_free(g, TRUE);
    o->first_day = day;
    o->table = o->st->dialogs
                   ? sipflow_table_new(dialog_columns, N_DCOLS, out_terminal_width(), out_write_stdout, stdout)
                   : sipflow_table_new(txn_columns, N_TCOLS, out_terminal_width(), out_write_stdout, stdout);
  }
  GString *start = g_string_new(NULL);
  out_time_clock(start, r->start_us, day != o->first_day, true);
  g_free(r->cells[start_col]);
  r->cells[start_col] = g_string_free(start, FALSE);
  sipflow_table_add(o->table, (const char *const *)r->cells);
  group_row_free(r);
}

/* ------------------------------------------------------------- command */

static group_row *new_row(int64_t start_us)
{
  group_row *r = g_new0(group_row, 1);
  r->start_us = start_us;
  return r;
}

static void put_transactions(groups_out *o, const sipflow_call_info *c, bool call_ok)
{
  const list_filter *f = &o->st->filter;

  for (size_t i = 0; i < c->n_transactions; i++) {
    const sipflow_transaction_info *t = &c->transaction_list[i];
    group_row *r = NULL;
    if (call_ok && list_filter_state(f, (int)t->state) && list_filter_method(f, t->method) &&
        list_filter_time(f, t->start_us)) {
      r = new_row(t->start_us);
      if (o->json)
        r->line = txn_json(t, c);
      else
        r->cells = txn_cells(t);
    }
    list_order_put(o->order, t->id, r);
  }
}

static void put_dialogs(groups_out *o, const sipflow_call_info *c, bool call_ok)
{
  const list_filter *f = &o->st->filter;

  for (size_t i = 0; i < c->n_dialogs; i++) {
    const sipflow_dialog_info *d = &c->dialog_list[i];
    group_row *r = NULL;
    if (call_ok && list_filter_state(f, (int)d->state) && list_filter_method(f, d->method) &&
        list_filter_time(f, d->start_us)) {
      r = new_row(d->start_us);
      if (o->json)
        r->line = dialog_json(d, c);
      else
        r->cells = dialog_cells(d);
    }
    list_order_put(o->order, d->id, r);
  }
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  groups_out *o = cli_session_data(user);
  bool call_ok = list_filter_call(&o->st->filter, c);

  if (o->st->dialogs)
    put_dialogs(o, c, call_ok);
  else
    put_transactions(o, c, call_ok);
}

static void on_end(void *data, int status)
{
  groups_out *o = data;
  const char *what = o->st->dialogs ? "dialog" : "transaction";

  list_order_flush(o->order);
  if (o->json)
    return;
  if (o->table) {
    sipflow_table_finish(o->table);
    o->table = NULL;
  }
  if (o->shown || status == CLI_EXIT_OK)
    printf("%" PRIu64 " %s%s\n", o->shown, what, o->shown == 1 ? "" : "s");
}

static int run_groups(const cli_global *g, void *state)
{
  groups_state *st = state;
  groups_out o = {.st = st, .json = g->json};
  sipflow_callbacks cb = {.on_call_end = on_call_end};

  o.order = list_order_new(print_row, group_row_free, &o);
  int status = cli_read_capture(g, &cb, on_end, &o);
  list_order_free(o.order);
  return status;
}

static GOptionGroup *options_for(void **state, bool dialogs)
{
  groups_state *st = g_new0(groups_state, 1);
  st->dialogs = dialogs;
  st->filter.kind = dialogs ? LIST_DIALOGS : LIST_TRANSACTIONS;
  *state = st;
  return list_filter_group(&st->filter);
}

static GOptionGroup *transactions_options(void **state)
{
  return options_for(state, false);
}

static GOptionGroup *dialogs_options(void **state)
{
  return options_for(state, true);
}

static void groups_free(void *state)
{
  groups_state *st = state;
  if (!st)
    return;
  list_filter_clear(&st->filter);
  g_free(st);
}

const cli_command cli_cmd_transactions = {
  .name = "transactions",
  .summary = "one row per transaction",
  .options = transactions_options,
  .free_state = groups_free,
  .run = run_groups,
};

const cli_command cli_cmd_dialogs = {
  .name = "dialogs",
  .summary = "one row per dialog",
  .options = dialogs_options,
  .free_state = groups_free,
  .run = run_groups,
};
