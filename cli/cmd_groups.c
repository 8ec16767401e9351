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

/* A row waiting for its turn (list_order), ONE allocation: the --json
 * line, or the table's cells one after the other, each NUL-terminated
 * (the start cell empty: it is made when printed). */
typedef struct group_row {
  int64_t start_us;
  bool json;
  size_t len; /* of text: the --json line is written without a strlen */
  char text[];
} group_row;

typedef struct groups_out {
  const groups_state *st;
  bool json;
  list_order *order;
  sipflow_table *table; /* the library's table engine */
  GString *buf;         /* the row being built, reused */
  out_lines lines;      /* --json: the lines, in batches */
  int64_t first_day;
  uint64_t shown;
} groups_out;

static void group_row_free(void *p)
{
  g_free(p);
}

/* ------------------------------------------------------------------ JSON */

static void json_uint(GString *b, const char *quoted, size_t n, uint64_t v)
{
  out_json_key(b, quoted, n);
  out_uint(b, v);
}

/* ids and frames: 0 means none -> null */
static void json_id(GString *b, const char *quoted, size_t n, uint64_t v)
{
  out_json_key(b, quoted, n);
  if (v)
    out_uint(b, v);
  else
    out_put(b, "null", 4);
}

static void json_str(GString *b, const char *quoted, size_t n, const char *s)
{
  out_json_key(b, quoted, n);
  out_json_cstr(b, s);
}

static void json_bool(GString *b, const char *quoted, size_t n, int v)
{
  out_json_key(b, quoted, n);
  g_string_append(b, v ? "true" : "false");
}

static void json_time(GString *b, const char *quoted, size_t n, int64_t us)
{
  out_json_key(b, quoted, n);
  out_time_epoch(b, us);
}

static void json_endpoint(GString *b, const char *quoted, size_t n, const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  json_str(b, quoted, n, ep->family ? sipflow_endpoint_format(ep, buf, sizeof buf) : NULL);
}

/* The NDJSON line of a transaction into b (empty). */
static void txn_json(GString *b, const sipflow_transaction_info *t, const sipflow_call_info *c)
{
  g_string_append_c(b, '{');

  json_uint(b, OUT_KEY("transaction"), t->id);
  json_uint(b, OUT_KEY("call"), t->call);
  json_str(b, OUT_KEY("call_id"), c->call_id);
  json_id(b, OUT_KEY("dialog"), t->dialog);
  json_str(b, OUT_KEY("method"), t->method);
  json_uint(b, OUT_KEY("cseq"), t->cseq);
  json_str(b, OUT_KEY("branch"), t->branch);
  json_bool(b, OUT_KEY("rfc2543"), t->rfc2543);
  json_endpoint(b, OUT_KEY("src"), &t->src);
  json_endpoint(b, OUT_KEY("dst"), &t->dst);
  json_str(b, OUT_KEY("state"), sipflow_transaction_state_name(t->state));
  json_id(b, OUT_KEY("final_status"), (uint64_t)(t->final_status > 0 ? t->final_status : 0));
  json_str(b, OUT_KEY("reason"), t->final_status ? t->final_reason : NULL);
  json_bool(b, OUT_KEY("request_seen"), t->request_seen);
  json_uint(b, OUT_KEY("requests"), t->requests);
  json_uint(b, OUT_KEY("responses"), t->responses);
  json_uint(b, OUT_KEY("retransmissions"), t->retransmissions);
  json_id(b, OUT_KEY("cancels"), t->cancels);
  json_time(b, OUT_KEY("start"), t->start_us);
  json_time(b, OUT_KEY("end"), t->end_us);
  json_id(b, OUT_KEY("first_frame"), t->first_frame);
  json_id(b, OUT_KEY("last_frame"), t->last_frame);
  out_put(b, "}\n", 2);
}

/* The NDJSON line of a dialog into b (empty). */
static void dialog_json(GString *b, const sipflow_dialog_info *d, const sipflow_call_info *c)
{
  g_string_append_c(b, '{');

  json_uint(b, OUT_KEY("dialog"), d->id);
  json_uint(b, OUT_KEY("call"), d->call);
  json_str(b, OUT_KEY("call_id"), d->call_id ? d->call_id : c->call_id);
  json_str(b, OUT_KEY("method"), d->method);
  json_str(b, OUT_KEY("from_tag"), d->from_tag);
  json_str(b, OUT_KEY("to_tag"), d->to_tag);
  json_endpoint(b, OUT_KEY("uac"), &d->uac);
  json_endpoint(b, OUT_KEY("uas"), &d->uas);
  json_str(b, OUT_KEY("state"), sipflow_dialog_state_name(d->state));
  json_id(b, OUT_KEY("transaction"), d->transaction);
  json_bool(b, OUT_KEY("before_capture"), d->before_capture);
  json_id(b, OUT_KEY("created_frame"), d->created_frame);
  json_id(b, OUT_KEY("confirmed_frame"), d->confirmed_frame);
  json_id(b, OUT_KEY("terminated_frame"), d->terminated_frame);
  json_time(b, OUT_KEY("start"), d->start_us);
  json_time(b, OUT_KEY("end"), d->end_us);
  json_uint(b, OUT_KEY("messages"), d->messages);
  out_put(b, "}\n", 2);
}

/* ------------------------------------------------------------------ text */

/* The cells are built into one buffer, each ended by a NUL: no printf and
 * no allocation per cell (issue 7: a table of a million transactions). */
static void cell_end(GString *b)
{
  g_string_append_c(b, '\0');
}

/* s escaped for the terminal, "-" when that leaves nothing */
static void cell_escaped(GString *b, const char *s)
{
  size_t at = b->len;
  if (s)
    out_text_escape(b, s, strlen(s));
  if (b->len == at)
    g_string_append_c(b, '-');
  cell_end(b);
}

static void cell_endpoint(GString *b, const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  out_puts(b, ep->family ? sipflow_endpoint_format(ep, buf, sizeof buf) : "?");
  cell_end(b);
}

static void cell_uint(GString *b, uint64_t v)
{
  out_uint(b, v);
  cell_end(b);
}

/* ids and frames: 0 means none, "-" */
static void cell_id(GString *b, uint64_t v)
{
  if (v)
    out_uint(b, v);
  else
    g_string_append_c(b, '-');
  cell_end(b);
}

static void cell_str(GString *b, const char *s)
{
  out_puts(b, s);
  cell_end(b);
}

static void txn_cells(GString *b, const sipflow_transaction_info *t)
{
  cell_id(b, t->id);
  cell_id(b, t->call);
  cell_id(b, t->dialog);
  out_uint(b, t->cseq); /* "1 INVITE" */
  g_string_append_c(b, ' ');
  cell_escaped(b, t->method);
  cell_endpoint(b, &t->src);
  cell_str(b, "→");
  cell_endpoint(b, &t->dst);
  cell_str(b, sipflow_transaction_state_name(t->state));
  if (t->final_status) { /* "486 Busy Here", "486 " without a reason */
    if (t->final_status < 0)
      g_string_append_c(b, '-');
    out_uint(b, (uint64_t)ABS((int64_t)t->final_status));
    g_string_append_c(b, ' ');
    if (t->final_reason)
      cell_escaped(b, t->final_reason);
    else
      cell_end(b);
  } else {
    cell_str(b, "-");
  }
  cell_uint(b, t->requests);
  cell_uint(b, t->responses);
  cell_uint(b, t->retransmissions);
  cell_end(b); /* start */
  out_uint(b, t->first_frame);
  if (t->first_frame != t->last_frame) {
    g_string_append_c(b, '-');
    out_uint(b, t->last_frame);
  }
  cell_end(b);
  cell_escaped(b, t->branch);
}

static void dialog_cells(GString *b, const sipflow_dialog_info *d)
{
  cell_id(b, d->id);
  cell_id(b, d->call);
  cell_escaped(b, d->method);
  cell_endpoint(b, &d->uac);
  cell_str(b, "→");
  cell_endpoint(b, &d->uas);
  cell_str(b, sipflow_dialog_state_name(d->state));
  if (d->before_capture)
    cell_str(b, "before");
  else
    cell_id(b, d->created_frame);
  cell_id(b, d->confirmed_frame);
  cell_id(b, d->terminated_frame);
  cell_uint(b, d->messages);
  cell_end(b); /* start */
  cell_escaped(b, d->from_tag);
  cell_escaped(b, d->to_tag);
}

static void print_row(void *p, void *user)
{
  group_row *r = p;
  groups_out *o = user;
  size_t start_col = o->st->dialogs ? DCOL_START : TCOL_START;
  size_t n_cols = o->st->dialogs ? N_DCOLS : N_TCOLS;

  o->shown++;
  if (r->json) {
    out_lines_put(&o->lines, r->text, r->len);
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
    o->table = o->st->dialogs ? sipflow_table_new(dialog_columns, N_DCOLS, out_terminal_width(),
                                                  out_write_file, stdout)
                              : sipflow_table_new(txn_columns, N_TCOLS, out_terminal_width(),
                                                  out_write_file, stdout);
  }
  const char *cells[MAX((int)N_TCOLS, (int)N_DCOLS)];
  const char *text = r->text;
  for (size_t c = 0; c < n_cols; c++) {
    cells[c] = text;
    text += strlen(text) + 1;
  }
  g_string_truncate(o->buf, 0);
  out_time_clock(o->buf, r->start_us, day != o->first_day, true);
  cells[start_col] = o->buf->str;
  sipflow_table_add(o->table, cells);
  group_row_free(r);
}

/* ------------------------------------------------------------- command */

/* The row built in o->buf, copied out with its start time. */
static group_row *new_row(groups_out *o, int64_t start_us)
{
  group_row *r = g_malloc(sizeof *r + o->buf->len + 1);
  r->start_us = start_us;
  r->json = o->json;
  r->len = o->buf->len;
  memcpy(r->text, o->buf->str, o->buf->len + 1);
  return r;
}

/* The row built in o->buf for id: a --json line whose turn it is goes out
 * at once, without a copy; any other row waits in o->order. */
static void put_row(groups_out *o, uint32_t id, int64_t start_us)
{
  if (o->json && list_order_is_next(o->order, id)) {
    o->shown++;
    out_lines_put(&o->lines, o->buf->str, o->buf->len);
    list_order_put(o->order, id, NULL);
    return;
  }
  list_order_put(o->order, id, new_row(o, start_us));
}

static void put_transactions(groups_out *o, const sipflow_call_info *c, bool call_ok)
{
  const list_filter *f = &o->st->filter;

  for (size_t i = 0; i < c->n_transactions; i++) {
    const sipflow_transaction_info *t = &c->transaction_list[i];
    if (!call_ok || !list_filter_item(f, (int)t->state, t->method, t->start_us)) {
      list_order_put(o->order, t->id, NULL);
      continue;
    }
    g_string_truncate(o->buf, 0);
    if (o->json)
      txn_json(o->buf, t, c);
    else
      txn_cells(o->buf, t);
    put_row(o, t->id, t->start_us);
  }
}

static void put_dialogs(groups_out *o, const sipflow_call_info *c, bool call_ok)
{
  const list_filter *f = &o->st->filter;

  for (size_t i = 0; i < c->n_dialogs; i++) {
    const sipflow_dialog_info *d = &c->dialog_list[i];
    if (!call_ok || !list_filter_item(f, (int)d->state, d->method, d->start_us)) {
      list_order_put(o->order, d->id, NULL);
      continue;
    }
    g_string_truncate(o->buf, 0);
    if (o->json)
      dialog_json(o->buf, d, c);
    else
      dialog_cells(o->buf, d);
    put_row(o, d->id, d->start_us);
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
  if (o->json) {
    out_lines_flush(&o->lines);
    return;
  }
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
  o.buf = g_string_sized_new(512);
  if (o.json)
    out_lines_init(&o.lines);
  int status = cli_read_capture(g, &cb, on_end, &o);
  list_order_free(o.order);
  g_string_free(o.buf, TRUE);
  out_lines_clear(&o.lines);
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
