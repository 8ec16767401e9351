/*
 * `sipflow messages`: one row per SIP message, in capture order.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Text: an aligned table (frame, time since the first message, endpoints,
 * transport, start line, CSeq, Call-ID), the absolute start time in a
 * header line.  --json: NDJSON with the keys of DESIGN.md "messages --json
 * keys", in that order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"

enum { COL_FRAME, COL_TIME, COL_SRC, COL_ARROW, COL_DST, COL_TRANSPORT, COL_MESSAGE,
       COL_CSEQ, COL_CALL_ID, N_COLS };

static const sipflow_table_column columns[N_COLS] = {
  [COL_FRAME] = {.title = "frame", .align = SIPFLOW_ALIGN_RIGHT},
  [COL_TIME] = {.title = "time", .align = SIPFLOW_ALIGN_RIGHT},
  [COL_SRC] = {.title = "source"},
  [COL_ARROW] = {.title = "", .tight = 1},
  [COL_DST] = {.title = "destination", .tight = 1},
  [COL_TRANSPORT] = {.title = "proto"},
  /* a long Request-URI must not push the Call-ID off the screen */
  [COL_MESSAGE] = {.title = "message", .max_width = 48, .squeeze = 1, .soft_min = 24,
                   .cut = SIPFLOW_CUT_END},
  [COL_CSEQ] = {.title = "cseq"},
  /* Call-IDs differ at both ends ("abc…@host"): cut the middle */
  [COL_CALL_ID] = {.title = "call-id", .squeeze = 1},
};

typedef struct messages_out {
  bool json;
  bool started;          /* first message seen */
  int64_t first_us;      /* its time: the table's time origin */
  uint64_t count;
  uint64_t retransmissions;
  sipflow_table *table; /* the library's table engine */
  GString *buf;          /* reused for each row */
  out_lines lines;       /* --json: the lines, in batches */
} messages_out;

/* ------------------------------------------------------------------ JSON */

/* Correlation ids: 0 in the struct means "none / not known" -> null. */
static void json_id(GString *b, const char *quoted, size_t n, uint32_t id)
{
  out_json_key(b, quoted, n);
  if (id)
    out_uint(b, id);
  else
    out_puts(b, "null");
}

static void json_endpoint(GString *b, const char *quoted, size_t n, const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  out_json_key(b, quoted, n);
  out_json_cstr(b, sipflow_endpoint_format(ep, buf, sizeof buf));
}

static void print_json(messages_out *o, const sipflow_message *m)
{
  GString *b = o->buf;
  sipflow_span none = {NULL, 0};

  g_string_assign(b, "{");
  out_json_key(b, OUT_KEY("frame"));
  out_uint(b, m->frame);
  out_json_key(b, OUT_KEY("time"));
  out_time_epoch(b, m->time_us);
  json_endpoint(b, OUT_KEY("src"), &m->src);
  json_endpoint(b, OUT_KEY("dst"), &m->dst);
  out_json_key(b, OUT_KEY("transport"));
  out_json_cstr(b, sipflow_transport_name(m->transport));
  out_json_key(b, OUT_KEY("type"));
  out_json_cstr(b, m->is_request ? "request" : "response");
  out_json_key(b, OUT_KEY("method"));
  out_json_span(b, m->is_request ? m->method : none);
  out_json_key(b, OUT_KEY("status"));
  if (m->is_request)
    out_puts(b, "null");
  else
    out_uint(b, (uint64_t)m->status); /* 100-699 (parser) */
  out_json_key(b, OUT_KEY("reason"));
  if (m->is_request)
    out_puts(b, "null");
  else /* a status line may end right after the code: "" */
    out_json_string(b, m->reason.ptr ? m->reason.ptr : "", m->reason.len);
  out_json_key(b, OUT_KEY("call_id"));
  out_json_span(b, m->call_id);
  out_json_key(b, OUT_KEY("cseq"));
  out_uint(b, m->cseq);
  out_json_key(b, OUT_KEY("cseq_method"));
  out_json_span(b, m->cseq_method);
  out_json_key(b, OUT_KEY("from_tag"));
  out_json_span(b, m->from_tag);
  out_json_key(b, OUT_KEY("to_tag"));
  out_json_span(b, m->to_tag);
  out_json_key(b, OUT_KEY("branch"));
  out_json_span(b, m->branch);
  json_id(b, OUT_KEY("transaction"), m->transaction);
  json_id(b, OUT_KEY("dialog"), m->dialog);
  json_id(b, OUT_KEY("call"), m->call);
  out_json_key(b, OUT_KEY("retransmission"));
  out_puts(b, m->retransmission ? "true" : "false");
  out_put(b, "}\n", 2);
  out_lines_put(&o->lines, b->str, b->len);
}

/* ------------------------------------------------------------------ text */

static char *escaped_span(sipflow_span s)
{
  GString *g = g_string_new(NULL);
  out_text_escape(g, s.ptr, s.len);
  return g_string_free(g, FALSE);
}

/* "INVITE sip:bob@example.com" or "200 OK". */
static char *message_summary(const sipflow_message *m)
{
  GString *g = g_string_new(NULL);

  if (m->is_request) {
    out_text_escape(g, m->method.ptr, m->method.len);
    g_string_append_c(g, ' ');
    out_text_escape(g, m->request_uri.ptr, m->request_uri.len);
  } else {
    g_string_append_printf(g, "%d ", m->status);
    out_text_escape(g, m->reason.ptr, m->reason.len);
  }
  return g_string_free(g, FALSE);
}

static void start_table(messages_out *o, const sipflow_message *first)
{
  GString *g = g_string_new("capture start ");
  out_time_utc(g, first->time_us);
  g_string_append(g, "; times are seconds since then; (R) = retransmission");
  printf("%s\n", g->str);
  g_string_free(g, TRUE);
  o->table = sipflow_table_new(columns, N_COLS, out_terminal_width(), out_write_file, stdout);
}

static void print_row(messages_out *o, const sipflow_message *m)
{
  char frame[24], src[SIPFLOW_ENDPOINT_STRLEN], dst[SIPFLOW_ENDPOINT_STRLEN];
  GString *time = g_string_new(NULL), *cseq = g_string_new(NULL);
  char *summary = message_summary(m), *call_id = escaped_span(m->call_id);

  snprintf(frame, sizeof frame, "%" PRIu64, m->frame);
  out_time_relative(time, m->time_us - o->first_us);
  g_string_append_printf(cseq, "%" PRIu32 " ", m->cseq);
  out_text_escape(cseq, m->cseq_method.ptr, m->cseq_method.len);
  if (m->retransmission) { /* in front: a narrow column cuts the end */
    char *marked = g_strconcat("(R) ", summary, NULL);
    g_free(summary);
    summary = marked;
  }

  const char *cells[N_COLS] = {
    [COL_FRAME] = frame,
    [COL_TIME] = time->str,
    [COL_SRC] = sipflow_endpoint_format(&m->src, src, sizeof src),
    [COL_ARROW] = "→",
    [COL_DST] = sipflow_endpoint_format(&m->dst, dst, sizeof dst),
    [COL_TRANSPORT] = sipflow_transport_name(m->transport),
    [COL_MESSAGE] = summary,
    [COL_CSEQ] = cseq->str,
    [COL_CALL_ID] = call_id,
  };
  sipflow_table_add(o->table, cells);
  g_string_free(time, TRUE);
  g_string_free(cseq, TRUE);
  g_free(summary);
  g_free(call_id);
}

/* ------------------------------------------------------------- command */

static void on_message(const sipflow_message *m, void *user)
{
  messages_out *o = cli_session_data(user);

  if (!o->started) {
    o->started = true;
    o->first_us = m->time_us;
    if (!o->json)
      start_table(o, m);
  }
  o->count++;
  o->retransmissions += m->retransmission != 0;
  if (o->json)
    print_json(o, m);
  else
    print_row(o, m);
}

/* The rest of the table and a count line; nothing more after an error
 * that left no message (the error says it all). */
static void on_end(void *data, int status)
{
  messages_out *o = data;

  out_lines_flush(&o->lines);
  if (o->table) {
    sipflow_table_finish(o->table);
    o->table = NULL;
    printf("%" PRIu64 " message%s, %" PRIu64 " retransmission%s\n", o->count,
           o->count == 1 ? "" : "s", o->retransmissions, o->retransmissions == 1 ? "" : "s");
  } else if (!o->json && status == CLI_EXIT_OK) {
    printf("no SIP messages\n");
  }
}

static int run_messages(const cli_global *g, void *state)
{
  messages_out o = {.json = g->json, .buf = g_string_new(NULL)};
  sipflow_callbacks cb = {.on_message = on_message};

  if (o.json)
    out_lines_init(&o.lines);
  int status = cli_read_capture(g, &cb, on_end, &o);
  g_string_free(o.buf, TRUE);
  out_lines_clear(&o.lines);
  return status;
}

const cli_command cli_cmd_messages = {
  .name = "messages",
  .summary = "one row per SIP message, in capture order",
  .run = run_messages,
};
