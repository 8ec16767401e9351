/*
 * render_mermaid — the ladder as a Mermaid sequenceDiagram (renders in
 * GitHub and GitLab markdown), and the model as one JSON object.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Mermaid: participants get safe aliases (A..Z, then L27, L28 ...) and the
 * lane label after "as" (a label in quotes would show the quotes).  Requests
 * are solid arrows (->>), responses dotted (-->>); a retransmission uses the
 * open arrow heads (-) and --)).  Capture text goes through SF_ESC_MERMAID:
 * ';' '#' '%' '"' '<' '>' '&' become entity codes like #59; (a ';' would end
 * the statement, "%%{" would start a directive), controls a visible \xNN.
 * Several calls: each run of consecutive arrows of one call sits in a
 * "rect" of that call's colour.
 */
#include <stdio.h>

#include "render.h"

/* -------------------------------------------------------------- mermaid */

static void alias(GString *out, unsigned column)
{
  if (column < 26)
    g_string_append_c(out, (char)('A' + column));
  else
    g_string_append_printf(out, "L%u", column + 1);
}

/* "rgba(31,119,180,0.12)" from "#1f77b4". */
static void rect_color(GString *out, unsigned call_index)
{
  const char *hex = sf_render_call_color(call_index);
  unsigned long v = strtoul(hex + 1, NULL, 16);
  g_string_append_printf(out, "rgba(%lu,%lu,%lu,0.12)", (v >> 16) & 0xff, (v >> 8) & 0xff,
                         v & 0xff);
}

static void mermaid_label(GString *out, const sipflow_ladder_arrow *a)
{
  sf_escape_str(out, a->label, SF_ESC_MERMAID);
  if (a->transport != SIPFLOW_TRANSPORT_UDP)
    g_string_append_printf(out, " [%s]", sipflow_transport_name(a->transport));
  if (a->retransmission)
    g_string_append(out, " (retr)");
  if (a->sdp) {
    g_string_append(out, "<br/>");
    sf_escape_str(out, a->sdp, SF_ESC_MERMAID);
  }
}

void sf_render_mermaid(GString *out, const sipflow_ladder *l)
{
  sf_view v;
  GString *g = g_string_new(NULL);
  bool rects;
  int open_call = -1;

  sf_view_init(&v, l, -1);
  rects = v.n_calls > 1;
  g_string_append(out, "sequenceDiagram\n");
  if (v.n_arrows) {
    sf_render_date(g, v.t0_us);
    g_string_append_printf(out, "    %%%% sipflow: %zu messages from %s\n", v.n_arrows, g->str);
  }
  for (unsigned c = 0; c < sipflow_ladder_call_count(l); c++) {
    g_string_truncate(g, 0);
    sf_render_call_title(g, l, c);
    g_string_append(out, "    %% ");
    sf_escape(out, g->str, g->len, SF_ESC_MERMAID, 0);
    g_string_append_c(out, '\n');
  }
  for (unsigned c = 0; c < v.n_lanes; c++) {
    const sipflow_ladder_lane *lane = sipflow_ladder_get_lane(l, v.lanes[c]);
    g_string_append(out, "    participant ");
    alias(out, c);
    g_string_append(out, " as ");
    sf_escape_str(out, lane->address, SF_ESC_MERMAID);
    if (lane->agent) {
      g_string_append(out, "<br/>");
      sf_escape_str(out, lane->agent, SF_ESC_MERMAID);
    }
    g_string_append_c(out, '\n');
  }
  for (size_t i = 0; i < v.n_arrows; i++) {
    const sipflow_ladder_arrow *a = sf_view_arrow(&v, i);
    if (rects && open_call != (int)a->call_index) {
      if (open_call >= 0)
        g_string_append(out, "    end\n");
      g_string_append(out, "    rect ");
      rect_color(out, a->call_index);
      g_string_append_c(out, '\n');
      open_call = (int)a->call_index;
    }
    g_string_append(out, rects ? "        " : "    ");
    alias(out, (unsigned)v.column[a->from_lane]);
    g_string_append(out, a->is_request ? (a->retransmission ? "-)" : "->>")
                                       : (a->retransmission ? "--)" : "-->>"));
    alias(out, (unsigned)v.column[a->to_lane]);
    g_string_append(out, ": ");
    mermaid_label(out, a);
    g_string_append_c(out, '\n');
  }
  if (open_call >= 0)
    g_string_append(out, "    end\n");
  g_string_free(g, TRUE);
  sf_view_clear(&v);
}

/* ----------------------------------------------------------------- json */
/* The model as ONE line of JSON: `--json` always means NDJSON (DESIGN.md). */

/* Seconds with microseconds, without the locale's decimal point. */
static void json_seconds(GString *out, int64_t us)
{
  uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
  g_string_append_printf(out, "%s%" G_GUINT64_FORMAT ".%06u", us < 0 ? "-" : "",
                         mag / 1000000, (unsigned)(mag % 1000000));
}

static void json_str(GString *out, const char *key, const char *value)
{
  g_string_append_printf(out, ",\"%s\":", key);
  if (!value) {
    g_string_append(out, "null");
    return;
  }
  g_string_append_c(out, '"');
  sf_escape_str(out, value, SF_ESC_JSON);
  g_string_append_c(out, '"');
}

static void json_lane(GString *out, const sipflow_ladder_lane *lane)
{
  char ep[SIPFLOW_ENDPOINT_STRLEN];

  g_string_append_printf(out, "{\"index\":%u", lane->index);
  json_str(out, "address", lane->address);
  json_str(out, "agent", lane->agent);
  json_str(out, "endpoint", sipflow_endpoint_format(&lane->endpoint, ep, sizeof ep));
  g_string_append_c(out, '}');
}

static void json_call(GString *out, const sipflow_ladder_call *c)
{
  g_string_append_printf(out, "{\"index\":%u,\"call\":%u", c->index, c->call);
  json_str(out, "call_id", c->call_id);
  g_string_append_printf(out, ",\"first_arrow\":%zu,\"arrows\":%zu", c->first_arrow,
                         c->n_arrows);
  json_str(out, "color", sf_render_call_color(c->index));
  g_string_append_c(out, '}');
}

static void json_arrow(GString *out, const sipflow_ladder_arrow *a)
{
  char src[SIPFLOW_ENDPOINT_STRLEN], dst[SIPFLOW_ENDPOINT_STRLEN];

  g_string_append_printf(out,
                         "{\"index\":%zu,\"call\":%u,\"call_index\":%u,\"frame\":%" G_GUINT64_FORMAT
                         ",\"time\":",
                         a->index, a->call, a->call_index, a->frame);
  json_seconds(out, a->time_us);
  g_string_append(out, ",\"rel\":");
  json_seconds(out, a->rel_us);
  g_string_append(out, ",\"delta\":");
  json_seconds(out, a->delta_us);
  g_string_append_printf(out, ",\"from\":%u,\"to\":%u", a->from_lane, a->to_lane);
  json_str(out, "src", sipflow_endpoint_format(&a->src, src, sizeof src));
  json_str(out, "dst", sipflow_endpoint_format(&a->dst, dst, sizeof dst));
  json_str(out, "transport", sipflow_transport_name(a->transport));
  json_str(out, "type", a->is_request ? "request" : "response");
  json_str(out, "method", a->method);
  if (a->is_request)
    g_string_append(out, ",\"status\":null");
  else
    g_string_append_printf(out, ",\"status\":%d", a->status);
  json_str(out, "request_uri", a->request_uri);
  json_str(out, "label", a->label);
  g_string_append_printf(out, ",\"cseq\":%u,\"retransmission\":%s", a->cseq,
                         a->retransmission ? "true" : "false");
  json_str(out, "sdp", a->sdp);
  g_string_append(out, ",\"message\":\"");
  sf_escape(out, a->text, a->text_len, SF_ESC_JSON, 0);
  g_string_append(out, "\"}");
}

void sf_render_json(GString *out, const sipflow_ladder *l)
{
  size_t n;

  g_string_append(out, "{\"lanes\":[");
  n = sipflow_ladder_lane_count(l);
  for (size_t i = 0; i < n; i++) {
    g_string_append(out, i ? "," : "");
    json_lane(out, sipflow_ladder_get_lane(l, i));
  }
  g_string_append(out, "],\"calls\":[");
  n = sipflow_ladder_call_count(l);
  for (size_t i = 0; i < n; i++) {
    g_string_append(out, i ? "," : "");
    json_call(out, sipflow_ladder_get_call(l, i));
  }
  g_string_append(out, "],\"arrows\":[");
  n = sipflow_ladder_arrow_count(l);
  for (size_t i = 0; i < n; i++) {
    g_string_append(out, i ? "," : "");
    json_arrow(out, sipflow_ladder_get_arrow(l, i));
  }
  g_string_append(out, "]}\n");
}
