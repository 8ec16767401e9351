/*
 * render_report — the HTML report of a whole capture (sipflow_report_*):
 * the data as JSON inside a page whose inline script draws everything.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Why the page draws the ladders itself instead of carrying one SVG per
 * call: an SVG costs ~0.8 kB per arrow, the data to draw it ~80 bytes, and
 * only the ladder the reader opens is ever drawn.  With 10 000 calls the
 * page is then mostly the message texts (which it must carry anyway).
 *
 * The page (report/report.{css,js}, embedded at build time by
 * report/embed.py into report_page.h) reads two JSON documents:
 *   #report-data   {title, source, t0, stats, lanes, calls, arrows}
 *   #report-texts  [message text, ...], same order as arrows; parsed only
 *                  when a message is first shown
 * Times in the data are integers, microseconds since t0 (the earliest time
 * seen).  arrows are grouped by call (call c owns arrows[a[0] .. a[0]+a[1])),
 * each an array:
 *   [frame, t, from_lane, to_lane, status (0: request), label, sdp|null,
 *    retransmission (0/1), transport, cseq, method, request_uri|null]
 * Every string from the capture is first made visible (sf_escape TEXT:
 * controls and invisible characters as \xNN), then JSON-escaped with '<',
 * '>' and '&' as \u escapes, so no "</script>" or "]]>" can appear.
 */
#include <math.h>

#include "render.h"
#include "report_page.h"

struct sipflow_report {
  sipflow_ladder *ladder;   /* every message (lanes, labels, texts) */
  GStringChunk *strings;    /* the calls' strings */
  GArray *calls;            /* sipflow_call_info, lists dropped */
  GHashTable *call_row;     /* call number -> index in calls + 1 */
};

/* ------------------------------------------------------------ lifecycle */

sipflow_report *sipflow_report_new(void)
{
  sipflow_report *r = g_new0(sipflow_report, 1);

  r->ladder = sipflow_ladder_new(NULL);
  r->strings = g_string_chunk_new(4096);
  r->calls = g_array_new(FALSE, TRUE, sizeof(sipflow_call_info));
  r->call_row = g_hash_table_new(NULL, NULL);
  return r;
}

void sipflow_report_free(sipflow_report *r)
{
  if (!r)
    return;
  g_hash_table_destroy(r->call_row);
  g_array_free(r->calls, TRUE);
  g_string_chunk_free(r->strings);
  sipflow_ladder_free(r->ladder);
  g_free(r);
}

int sipflow_report_add_message(sipflow_report *r, const sipflow_message *msg)
{
  if (!r || !msg)
    return SIPFLOW_ERR_INVALID;
  return sipflow_ladder_add(r->ladder, msg);
}

static const char *keep(sipflow_report *r, const char *s)
{
  return s ? g_string_chunk_insert(r->strings, s) : NULL;
}

int sipflow_report_add_call(sipflow_report *r, const sipflow_call_info *call)
{
  if (!r || !call)
    return SIPFLOW_ERR_INVALID;
  sipflow_call_info c = *call;
  c.call_id = keep(r, c.call_id);
  c.method = keep(r, c.method);
  c.from = keep(r, c.from);
  c.to = keep(r, c.to);
  c.reason = keep(r, c.reason);
  c.failure = keep(r, c.failure);
  c.n_transactions = 0, c.transaction_list = NULL;
  c.n_dialogs = 0, c.dialog_list = NULL;

  gpointer row = g_hash_table_lookup(r->call_row, GUINT_TO_POINTER(c.call));
  if (row) {
    g_array_index(r->calls, sipflow_call_info, GPOINTER_TO_UINT(row) - 1) = c;
  } else {
    g_array_append_val(r->calls, c);
    g_hash_table_insert(r->call_row, GUINT_TO_POINTER(c.call), GUINT_TO_POINTER(r->calls->len));
  }
  return SIPFLOW_OK;
}

/* ------------------------------------------------------------ JSON bits */

/* A JSON string of capture text, made visible first (see the top). */
static void json_text(GString *out, const char *s, size_t len, unsigned flags)
{
  GString *vis;

  if (!s) {
    g_string_append(out, "null");
    return;
  }
  vis = g_string_sized_new(len + 16);
  sf_escape(vis, s, len, SF_ESC_TEXT, flags);
  g_string_append_c(out, '"');
  sf_escape(out, vis->str, vis->len, SF_ESC_JSON, 0);
  g_string_append_c(out, '"');
  g_string_free(vis, TRUE);
}

static void json_str(GString *out, const char *s)
{
  json_text(out, s, s ? strlen(s) : 0, 0);
}

static void json_key(GString *out, bool first, const char *key)
{
  g_string_append_printf(out, "%s\"%s\":", first ? "" : ",", key);
}

/* A finite number with `decimals` digits (locale independent), else null
 * (the library's "n/a" is negative: the caller passes NAN for it). */
static void json_double(GString *out, double v, int decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char fmt[8];

  if (!isfinite(v)) {
    g_string_append(out, "null");
    return;
  }
  g_snprintf(fmt, sizeof fmt, "%%.%df", decimals);
  g_string_append(out, g_ascii_formatd(buf, sizeof buf, fmt, v));
}

static void json_endpoint(GString *out, const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  json_str(out, ep->family ? sipflow_endpoint_format(ep, buf, sizeof buf) : NULL);
}

/* ---------------------------------------------------------------- stats */

static double kpi(double v)
{
  return v < 0 ? NAN : v;
}

static void stats_counts(GString *o, const sipflow_stats *s)
{
  g_string_append_printf(o,
                         "\"messages\":%" G_GUINT64_FORMAT ",\"requests\":%" G_GUINT64_FORMAT
                         ",\"responses\":%" G_GUINT64_FORMAT ",\"retransmissions\":%" G_GUINT64_FORMAT
                         ",\"calls\":%" G_GUINT64_FORMAT ",\"transactions\":%" G_GUINT64_FORMAT
                         ",\"dialogs\":%" G_GUINT64_FORMAT ",\"failed\":%" G_GUINT64_FORMAT
                         ",\"invite_calls\":%" G_GUINT64_FORMAT ",\"answered\":%" G_GUINT64_FORMAT
                         ",\"effective\":%" G_GUINT64_FORMAT,
                         s->messages, s->requests, s->responses, s->retransmissions, s->calls,
                         s->transactions, s->dialogs, s->failed, s->invite_calls, s->answered,
                         s->effective);
  g_string_append(o, ",\"by_method\":{");
  for (int m = 0; m < SIPFLOW_METHOD_COUNT; m++)
    g_string_append_printf(o, "%s\"%s\":%" G_GUINT64_FORMAT, m ? "," : "",
                           sipflow_method_name((sipflow_method)m), s->by_method[m]);
  g_string_append(o, "},\"by_status_class\":{");
  for (int c = 1; c <= 6; c++)
    g_string_append_printf(o, "%s\"%dxx\":%" G_GUINT64_FORMAT, c > 1 ? "," : "", c,
                           s->by_status_class[c]);
  g_string_append(o, "},\"calls_by_state\":{");
  for (int i = 0; i < SIPFLOW_CALL_STATE_COUNT; i++)
    g_string_append_printf(o, "%s\"%s\":%" G_GUINT64_FORMAT, i ? "," : "",
                           sipflow_call_state_name((sipflow_call_state)i), s->calls_by_state[i]);
  g_string_append(o, "},\"anomalies\":{");
  for (int i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    g_string_append_printf(o, "%s\"%s\":%" G_GUINT64_FORMAT, i ? "," : "",
                           sipflow_anomaly_name(1u << i), s->anomalies[i]);
  g_string_append_c(o, '}');
}

static void stats_kpis(GString *o, const sipflow_stats *s)
{
  g_string_append(o, ",\"asr\":");
  json_double(o, kpi(s->asr), 1);
  g_string_append(o, ",\"ner\":");
  json_double(o, kpi(s->ner), 1);
  g_string_append_printf(o, ",\"pdd_count\":%" G_GUINT64_FORMAT ",\"pdd_mean_ms\":", s->pdd_count);
  json_double(o, s->pdd_count ? kpi(s->pdd_mean_ms) : NAN, 1);
  g_string_append(o, ",\"pdd_p50_ms\":");
  json_double(o, s->pdd_count ? kpi((double)s->pdd_p50_ms) : NAN, 0);
  g_string_append(o, ",\"pdd_p95_ms\":");
  json_double(o, s->pdd_count ? kpi((double)s->pdd_p95_ms) : NAN, 0);
  g_string_append_printf(o, ",\"acd_count\":%" G_GUINT64_FORMAT ",\"acd_s\":", s->acd_count);
  json_double(o, s->acd_count ? kpi(s->acd_s) : NAN, 1);
  g_string_append(o, ",\"top_failures\":[");
  for (size_t i = 0; i < s->n_top_failures && i < SIPFLOW_STATS_TOP_FAILURES; i++) {
    const sipflow_failure_count *f = &s->top_failures[i];
    g_string_append(o, i ? ",{\"label\":" : "{\"label\":");
    json_str(o, f->label);
    g_string_append(o, ",\"state\":");
    json_str(o, sipflow_call_state_name(f->state));
    g_string_append_printf(o, ",\"status\":%d,\"q850\":%d,\"calls\":%" G_GUINT64_FORMAT "}",
                           f->final_status, f->q850_cause, f->calls);
  }
  g_string_append_c(o, ']');
}

static void write_stats(GString *o, const sipflow_stats *s)
{
  if (!s) {
    g_string_append(o, "null");
    return;
  }
  g_string_append_c(o, '{');
  stats_counts(o, s);
  stats_kpis(o, s);
  g_string_append_c(o, '}');
}

/* ---------------------------------------------------------------- calls */

/* A table row: the call's info, or (never added) what its messages say. */
typedef struct row {
  const sipflow_call_info *info; /* NULL: messages only */
  uint32_t call;
  int ladder_call;               /* index in the ladder's calls, -1 = none */
} row;

static gint row_cmp(gconstpointer a, gconstpointer b)
{
  uint32_t x = ((const row *)a)->call, y = ((const row *)b)->call;
  return x < y ? -1 : x > y;
}

/* Rows in call number order; every ladder call gets one. */
static GArray *make_rows(const sipflow_report *r)
{
  GArray *rows = g_array_new(FALSE, TRUE, sizeof(row));
  size_t n = sipflow_ladder_call_count(r->ladder);

  for (guint i = 0; i < r->calls->len; i++) {
    const sipflow_call_info *c = &g_array_index(r->calls, sipflow_call_info, i);
    row w = {.info = c, .call = c->call, .ladder_call = -1};
    g_array_append_val(rows, w);
  }
  /* Ladder calls are told apart by call number (0 only when fed by hand). */
  for (size_t k = 0; k < n; k++) {
    const sipflow_ladder_call *lc = sipflow_ladder_get_call(r->ladder, k);
    gpointer at = g_hash_table_lookup(r->call_row, GUINT_TO_POINTER(lc->call));
    if (lc->call && at) {
      g_array_index(rows, row, GPOINTER_TO_UINT(at) - 1).ladder_call = (int)k;
    } else {
      row w = {.info = NULL, .call = lc->call, .ladder_call = (int)k};
      g_array_append_val(rows, w);
    }
  }
  g_array_sort(rows, row_cmp);
  return rows;
}

static void write_anomalies(GString *o, unsigned flags)
{
  bool first = true;

  g_string_append_c(o, '[');
  for (int i = 0; i < SIPFLOW_ANOMALY_COUNT; i++) {
    if (!(flags & (1u << i)))
      continue;
    g_string_append(o, first ? "\"" : ",\"");
    g_string_append(o, sipflow_anomaly_name(1u << i));
    g_string_append_c(o, '"');
    first = false;
  }
  g_string_append_c(o, ']');
}

static void write_call_info(GString *o, const sipflow_call_info *c, int64_t t0)
{
  json_key(o, false, "call_id");
  json_str(o, c->call_id);
  json_key(o, false, "method");
  json_str(o, c->method);
  json_key(o, false, "from");
  json_str(o, c->from);
  json_key(o, false, "to");
  json_str(o, c->to);
  json_key(o, false, "src");
  json_endpoint(o, &c->src);
  json_key(o, false, "dst");
  json_endpoint(o, &c->dst);
  g_string_append_printf(o, ",\"start\":%" G_GINT64_FORMAT ",\"end\":%" G_GINT64_FORMAT,
                         c->start_us - t0, c->end_us - t0);
  json_key(o, false, "state");
  json_str(o, sipflow_call_state_name(c->state));
  g_string_append_printf(o, ",\"status\":%d", c->final_status);
  json_key(o, false, "reason");
  json_str(o, c->reason);
  g_string_append_printf(o,
                         ",\"q850\":%d,\"messages\":%u,\"transactions\":%u,\"dialogs\":%u,"
                         "\"retransmissions\":%u,\"attempts\":%u,\"setup_ms\":",
                         c->q850_cause, c->messages, c->transactions, c->dialogs,
                         c->retransmissions, c->attempts);
  json_double(o, c->setup_ms < 0 ? NAN : (double)c->setup_ms, 0);
  g_string_append(o, ",\"answer_ms\":");
  json_double(o, c->answer_ms < 0 ? NAN : (double)c->answer_ms, 0);
  g_string_append(o, ",\"duration_s\":");
  json_double(o, c->duration_s < 0 ? NAN : c->duration_s, 3);
  g_string_append(o, ",\"anomalies\":");
  write_anomalies(o, c->anomalies);
  json_key(o, false, "failure");
  json_str(o, c->failure);
  g_string_append_printf(o, ",\"linked\":%u", c->linked_call);
}

/* A call known only from its messages: what the ladder knows. */
static void write_call_guess(GString *o, const sipflow_ladder *l, const sipflow_ladder_call *lc,
                             int64_t t0)
{
  const sipflow_ladder_arrow *first = sipflow_ladder_get_arrow(l, lc->first_arrow);
  json_key(o, false, "call_id");
  json_str(o, lc->call_id);
  json_key(o, false, "method");
  json_str(o, first ? first->method : NULL);
  g_string_append(o, ",\"from\":null,\"to\":null,\"src\":");
  json_endpoint(o, &first->src);
  json_key(o, false, "dst");
  json_endpoint(o, &first->dst);
  g_string_append_printf(o,
                         ",\"start\":%" G_GINT64_FORMAT ",\"state\":\"unknown\",\"status\":0,"
                         "\"reason\":null,\"messages\":%zu,\"anomalies\":[],\"failure\":null",
                         first->time_us - t0, lc->n_arrows);
}

static void write_calls(GString *o, const sipflow_report *r, GArray *rows, const size_t *start,
                        int64_t t0)
{
  g_string_append(o, ",\n\"calls\":[");
  for (guint i = 0; i < rows->len; i++) {
    const row *w = &g_array_index(rows, row, i);
    const sipflow_ladder_call *lc =
        w->ladder_call >= 0 ? sipflow_ladder_get_call(r->ladder, (size_t)w->ladder_call) : NULL;
    g_string_append_printf(o, "%s{\"call\":%u", i ? ",\n" : "\n", w->call);
    if (w->info)
      write_call_info(o, w->info, t0);
    else
      write_call_guess(o, r->ladder, lc, t0);
    if (lc)
      g_string_append_printf(o, ",\"a\":[%zu,%zu]}", start[w->ladder_call], lc->n_arrows);
    else
      g_string_append(o, ",\"a\":[0,0]}");
  }
  g_string_append_c(o, ']');
}

/* --------------------------------------------------------------- arrows */

static void write_lanes(GString *o, const sipflow_ladder *l)
{
  size_t n = sipflow_ladder_lane_count(l);

  g_string_append(o, ",\n\"lanes\":[");
  for (size_t i = 0; i < n; i++) {
    const sipflow_ladder_lane *lane = sipflow_ladder_get_lane(l, i);
    g_string_append(o, i ? ",[" : "[");
    json_str(o, lane->address);
    g_string_append_c(o, ',');
    json_str(o, lane->agent);
    g_string_append_c(o, ']');
  }
  g_string_append_c(o, ']');
}

static void write_arrow(GString *o, const sipflow_ladder_arrow *a, int64_t t0)
{
  g_string_append_printf(o, "[%" G_GUINT64_FORMAT ",%" G_GINT64_FORMAT ",%u,%u,%d,", a->frame,
                         a->time_us - t0, a->from_lane, a->to_lane,
                         a->is_request ? 0 : a->status);
  json_str(o, a->label);
  g_string_append_c(o, ',');
  json_str(o, a->sdp);
  g_string_append_printf(o, ",%d,\"%s\",%u,", a->retransmission ? 1 : 0,
                         sipflow_transport_name(a->transport), a->cseq);
  json_str(o, a->method);
  g_string_append_c(o, ',');
  json_str(o, a->is_request ? a->request_uri : NULL);
  g_string_append_c(o, ']');
}

/* The arrows, grouped by call (order[]), and then their texts. */
static void write_arrows(GString *o, const sipflow_ladder *l, const size_t *order, int64_t t0)
{
  size_t n = sipflow_ladder_arrow_count(l);

  g_string_append(o, ",\n\"arrows\":[");
  for (size_t k = 0; k < n; k++) {
    g_string_append(o, k ? ",\n" : "\n");
    write_arrow(o, sipflow_ladder_get_arrow(l, order[k]), t0);
  }
  g_string_append(o, "]}</script>\n<script type=\"application/json\" id=\"report-texts\">[");
  for (size_t k = 0; k < n; k++) {
    const sipflow_ladder_arrow *a = sipflow_ladder_get_arrow(l, order[k]);
    g_string_append(o, k ? ",\n" : "\n");
    json_text(o, a->text, a->text_len, SF_ESC_KEEP_NL);
  }
  g_string_append(o, "]</script>\n");
}

/* The earliest time in the report: the origin of every time in the data. */
static int64_t first_time(const sipflow_report *r)
{
  int64_t t0 = INT64_MAX;

  for (size_t i = 0; i < sipflow_ladder_arrow_count(r->ladder); i++)
    t0 = MIN(t0, sipflow_ladder_get_arrow(r->ladder, i)->time_us);
  for (guint i = 0; i < r->calls->len; i++)
    t0 = MIN(t0, g_array_index(r->calls, sipflow_call_info, i).start_us);
  return t0 == INT64_MAX ? 0 : t0;
}

/* ----------------------------------------------------------------- page */

static void write_head(GString *o, const char *title)
{
  g_string_append(o, "<!DOCTYPE html>\n"
                     "<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
                     "<meta charset=\"utf-8\"/>\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                     "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                     "img-src data:\"/>\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                     "<meta name=\"generator\" content=\"sipflow\"/>\n<title>");
  sf_escape_str(o, title, SF_ESC_XML);
  g_string_append(o, "</title>\n<style>\n");
  g_string_append(o, sf_report_css);
  g_string_append(o, "</style>\n</head>\n");
}

static void write_data(GString *o, const sipflow_report *r, const sipflow_stats *stats,
                       const char *title, const char *source)
{
  size_t *start, *order = sf_arrows_by_call(r->ladder, &start);
  GArray *rows = make_rows(r);
  int64_t t0 = first_time(r);

  g_string_append(o, "<script type=\"application/json\" id=\"report-data\">{\"title\":");
  json_str(o, title);
  g_string_append(o, ",\"source\":");
  json_str(o, source);
  g_string_append_printf(o, ",\"t0\":%" G_GINT64_FORMAT ",\n\"stats\":", t0);
  write_stats(o, stats);
  write_lanes(o, r->ladder);
  write_calls(o, r, rows, start, t0);
  write_arrows(o, r->ladder, order, t0);
  g_array_free(rows, TRUE);
  g_free(order);
  g_free(start);
}

int sipflow_report_render(const sipflow_report *r, const sipflow_stats *stats,
                          const sipflow_report_options *options, char **out, size_t *out_len)
{
  static const sipflow_report_options defaults = {0};

  if (out)
    *out = NULL;
  if (out_len)
    *out_len = 0;
  if (!r || !out)
    return SIPFLOW_ERR_INVALID;
  if (!options)
    options = &defaults;
  const char *title = options->title ? options->title : "SIP capture report";
  /* ~0.6 kB per message, mostly its text */
  GString *o = g_string_sized_new(64 * 1024 + sipflow_ladder_arrow_count(r->ladder) * 640);

  write_head(o, title);
  g_string_append(o, "<body>\n");
  g_string_append(o, sf_report_body);
  write_data(o, r, stats, title, options->source);
  g_string_append(o, "<script>//<![CDATA[\n");
  g_string_append(o, sf_report_js);
  g_string_append(o, "//]]></script>\n</body>\n</html>\n");
  if (out_len)
    *out_len = o->len;
  *out = g_string_free(o, FALSE);
  return SIPFLOW_OK;
}
