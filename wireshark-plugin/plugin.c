/*
 * sipflow Wireshark plugin: registration, the "SIP Flow" fields and the
 * postdissector that feeds every SIP message Wireshark found to libsipflow.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * How the bytes are found (../shared/docs/wireshark-plugin.md §4): the
 * postdissector wants the `sip` protocol item; each item is one SIP message
 * inside a data source (the frame, or "Reassembled TCP").  Two traps:
 *  - the wanted items exist on the first pass only, so everything is
 *    computed then and kept per frame (p_add_proto_data); later passes (tshark
 *    -2, the GUI re-dissecting a clicked packet) rebuild the subtree from it;
 *  - without a visible tree an item runs to the end of its data source, so a
 *    message ends where the next item of the same source starts, and over TCP
 *    the library measures it (sipflow_stream_message_length).
 */
#define WS_LOG_DOMAIN "sipflow"
#include <wireshark.h>

#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/tap.h>

#include "sfw.h"

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "0.0.0"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_sipflow = -1;
static int hf_call = -1;
static int hf_call_id = -1;
static int hf_transaction = -1;
static int hf_dialog = -1;
static int hf_retransmission = -1;
static int hf_state = -1;
static int hf_final_status = -1;
static int hf_setup_ms = -1;
static int hf_answer_ms = -1;
static int hf_duration_s = -1;
static int hf_failed = -1;
static int hf_failure = -1;
static int hf_anomaly = -1;
static int hf_linked_call = -1;
static int hf_not_analysed = -1;
static gint ett_sipflow = -1;
static int hfid_sip = -1;
static int tap_sipflow = -1;
static dissector_handle_t sipflow_handle;

/* ------------------------------------------------ what a frame keeps */

/* One SIP message of a frame: where its bytes are and what it was. */
typedef struct sfw_item {
  guint ds_index; /* position in pinfo->data_src */
  gint start, len;
  const sfw_msg *msg; /* NULL: the library did not take it */
  const char *why;    /* then: its reason (file scope) */
} sfw_item;

typedef struct sfw_frame {
  guint n;
  sfw_item items[];
} sfw_frame;

/* ----------------------------------------------------- first pass */

static bool endpoint_of(const address *a, guint32 port, sipflow_endpoint *ep)
{
  memset(ep, 0, sizeof *ep);
  ep->port = (uint16_t)port;
  if (a->type == AT_IPv4 && a->len == 4) {
    ep->family = 4;
    memcpy(ep->addr, a->data, 4);
    return true;
  }
  if (a->type == AT_IPv6 && a->len == 16) {
    ep->family = 6;
    memcpy(ep->addr, a->data, 16);
    return true;
  }
  return false;
}

static sipflow_transport transport_of(packet_info *pinfo)
{
  bool tls = proto_is_frame_protocol(pinfo->layers, "tls");
  if (proto_is_frame_protocol(pinfo->layers, "websocket"))
    return tls ? SIPFLOW_TRANSPORT_WSS : SIPFLOW_TRANSPORT_WS;
  if (tls)
    return SIPFLOW_TRANSPORT_TLS;
  if (pinfo->ptype == PT_TCP)
    return SIPFLOW_TRANSPORT_TCP;
  if (pinfo->ptype == PT_SCTP)
    return SIPFLOW_TRANSPORT_SCTP;
  return SIPFLOW_TRANSPORT_UDP;
}

static bool is_stream(sipflow_transport t)
{
  return t == SIPFLOW_TRANSPORT_TCP || t == SIPFLOW_TRANSPORT_TLS;
}

static guint data_source_index(packet_info *pinfo, tvbuff_t *tvb)
{
  guint i = 0;
  for (GSList *l = pinfo->data_src; l; l = l->next, i++)
    if (get_data_source_tvb(l->data) == tvb)
      return i;
  return G_MAXUINT;
}

static tvbuff_t *data_source_at(packet_info *pinfo, guint index)
{
  GSList *l = g_slist_nth(pinfo->data_src, index);
  return l ? get_data_source_tvb(l->data) : NULL;
}

/* Where item i ends: its own length (exact with a visible tree), the next
 * item of the same data source, or the captured end of the source. */
static gint item_end(GPtrArray *items, guint i)
{
  field_info *fi = g_ptr_array_index(items, i);
  gint end = tvb_captured_length(fi->ds_tvb);

  if (fi->length > 0 && fi->start + fi->length < end)
    end = fi->start + fi->length;
  for (guint j = i + 1; j < items->len; j++) {
    field_info *next = g_ptr_array_index(items, j);
    if (next->ds_tvb == fi->ds_tvb && next->start > fi->start) {
      if (next->start < end)
        end = next->start;
      break;
    }
  }
  return end;
}

static void feed_item(packet_info *pinfo, GPtrArray *items, guint i, sfw_item *out,
                      const sipflow_endpoint *src, const sipflow_endpoint *dst,
                      sipflow_transport transport)
{
  field_info *fi = g_ptr_array_index(items, i);
  gint end = item_end(items, i);

  out->ds_index = data_source_index(pinfo, fi->ds_tvb);
  out->start = fi->start;
  out->len = end > fi->start ? end - fi->start : 0;
  out->msg = NULL;
  out->why = NULL;
  if (out->len <= 0)
    return;
  const char *bytes = (const char *)tvb_get_ptr(fi->ds_tvb, fi->start, out->len);
  if (is_stream(transport)) {
    long n = sipflow_stream_message_length(bytes, (size_t)out->len);
    if (n < 0) {
      out->why = n == SIPFLOW_ERR_INCOMPLETE
                     ? "incomplete message (fewer bytes than its Content-Length)"
                     : "no usable Content-Length over a stream (RFC 3261 §18.3)";
      return;
    }
    out->len = (gint)n;
  }
  int64_t t_us = (int64_t)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
  out->msg = sfw_feed(pinfo->num, t_us, src, dst, transport, bytes, (size_t)out->len);
  if (!out->msg)
    out->why = wmem_strdup(wmem_file_scope(), sfw_state_get()->last_diag);
}

/* First pass: one sfw_frame per frame that has SIP messages. */
static sfw_frame *first_pass(packet_info *pinfo, proto_tree *tree)
{
  GPtrArray *items = tree ? proto_get_finfo_ptr_array(tree, hfid_sip) : NULL;
  sipflow_endpoint src, dst;

  if (!items || items->len == 0)
    return NULL;
  if (!endpoint_of(&pinfo->src, pinfo->srcport, &src) ||
      !endpoint_of(&pinfo->dst, pinfo->destport, &dst))
    return NULL;
  sipflow_transport transport = transport_of(pinfo);
  sfw_frame *f = wmem_alloc0(wmem_file_scope(),
                             sizeof *f + items->len * sizeof(sfw_item));
  f->n = items->len;
  for (guint i = 0; i < items->len; i++)
    feed_item(pinfo, items, i, &f->items[i], &src, &dst, transport);
  return f;
}

/* ------------------------------------------------------ the subtree */

static void add_call_fields(proto_tree *t, tvbuff_t *tvb, gint at, const sfw_call_view *v)
{
#define GEN(x) proto_item_set_generated(x)
  GEN(proto_tree_add_string(t, hf_state, tvb, at, 0, sipflow_call_state_name(v->state)));
  if (v->final_status > 0)
    GEN(proto_tree_add_uint(t, hf_final_status, tvb, at, 0, (guint32)v->final_status));
  if (v->setup_ms >= 0)
    GEN(proto_tree_add_int64(t, hf_setup_ms, tvb, at, 0, v->setup_ms));
  if (v->answer_ms >= 0)
    GEN(proto_tree_add_int64(t, hf_answer_ms, tvb, at, 0, v->answer_ms));
  if (v->duration_s >= 0)
    GEN(proto_tree_add_double(t, hf_duration_s, tvb, at, 0, v->duration_s));
  /* present only on failed calls, so that the filter `sipflow.failed`
   * (a field test) selects them */
  if (v->failure) {
    GEN(proto_tree_add_boolean(t, hf_failed, tvb, at, 0, TRUE));
    GEN(proto_tree_add_string(t, hf_failure, tvb, at, 0, v->failure));
  }
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    if (v->anomalies & (1u << i))
      GEN(proto_tree_add_string(t, hf_anomaly, tvb, at, 0, sipflow_anomaly_name(1u << i)));
  if (v->linked_call)
    GEN(proto_tree_add_uint(t, hf_linked_call, tvb, at, 0, v->linked_call));
#undef GEN
}

static void add_subtree(proto_tree *tree, packet_info *pinfo, const sfw_item *it)
{
  tvbuff_t *tvb = data_source_at(pinfo, it->ds_index);
  if (!tvb || it->start + it->len > (gint)tvb_captured_length(tvb))
    return;
  proto_item *top = proto_tree_add_item(tree, proto_sipflow, tvb, it->start, it->len, ENC_NA);
  proto_tree *t = proto_item_add_subtree(top, ett_sipflow);
  if (!it->msg) {
    proto_item_append_text(top, ", not analysed");
    proto_item_set_generated(proto_tree_add_string(t, hf_not_analysed, tvb, it->start, 0,
                                                   it->why ? it->why : "?"));
    return;
  }
  const sfw_msg *m = it->msg;
  const sfw_call_view *v = sfw_call_view_get(m->call);
  proto_item_append_text(top, ", call %u, transaction %u", m->call, m->transaction);
  if (v)
    proto_item_append_text(top, " (%s)", sipflow_call_state_name(v->state));
  proto_item_set_generated(proto_tree_add_uint(t, hf_call, tvb, it->start, 0, m->call));
  if (v && v->call_id)
    proto_item_set_generated(proto_tree_add_string(t, hf_call_id, tvb, it->start, 0,
                                                   v->call_id));
  proto_item_set_generated(proto_tree_add_uint(t, hf_transaction, tvb, it->start, 0,
                                               m->transaction));
  if (m->dialog)
    proto_item_set_generated(proto_tree_add_uint(t, hf_dialog, tvb, it->start, 0,
                                                 m->dialog));
  if (m->retransmission)
    proto_item_set_generated(proto_tree_add_boolean(t, hf_retransmission, tvb, it->start,
                                                    0, TRUE));
  if (v)
    add_call_fields(t, tvb, it->start, v);
}

static int dissect_sipflow(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
  sfw_frame *f = p_get_proto_data(wmem_file_scope(), pinfo, proto_sipflow, 0);

  if (!f && !pinfo->fd->visited) {
    f = first_pass(pinfo, tree);
    if (f)
      p_add_proto_data(wmem_file_scope(), pinfo, proto_sipflow, 0, f);
  }
  if (!f)
    return 0;
  bool tap = have_tap_listener(tap_sipflow);
  for (guint i = 0; i < f->n; i++) {
    if (tree)
      add_subtree(tree, pinfo, &f->items[i]);
    /* taps run on the second pass with -2: queue from the stored results
     * on every pass */
    if (tap && f->items[i].msg) {
      sfw_tap_rec *rec = wmem_new(pinfo->pool, sfw_tap_rec);
      rec->msg = f->items[i].msg;
      tap_queue_packet(tap_sipflow, pinfo, rec);
    }
  }
  return tvb_captured_length(tvb);
}

/* ------------------------------------------------------ registration */

static void init_file(void)
{
  sfw_state_reset();
}

static void cleanup_file(void)
{
  sfw_state_free();
}

static void proto_register_sipflow(void)
{
  static hf_register_info hf[] = {
    {&hf_call, {"Call", "sipflow.call", FT_UINT32, BASE_DEC, NULL, 0,
                "sipflow call number (one per Call-ID, order of first appearance)", HFILL}},
    {&hf_call_id, {"Call-ID", "sipflow.call_id", FT_STRING, BASE_NONE, NULL, 0,
                   "Call-ID of the call", HFILL}},
    {&hf_transaction, {"Transaction", "sipflow.transaction", FT_UINT32, BASE_DEC, NULL, 0,
                       "Transaction number (RFC 3261 §17)", HFILL}},
    {&hf_dialog, {"Dialog", "sipflow.dialog", FT_UINT32, BASE_DEC, NULL, 0,
                  "Dialog number (RFC 3261 §12); absent outside dialogs", HFILL}},
    {&hf_retransmission, {"Retransmission", "sipflow.retransmission", FT_BOOLEAN, BASE_NONE,
                          NULL, 0, "Present on retransmissions only", HFILL}},
    {&hf_state, {"State", "sipflow.state", FT_STRING, BASE_NONE, NULL, 0,
                 "Call outcome (setup, ringing, in-call, completed, cancelled, busy, "
                 "diverted, rejected, ok, failed, pending)", HFILL}},
    {&hf_final_status, {"Final status", "sipflow.final_status", FT_UINT32, BASE_DEC, NULL, 0,
                        "Final response to the call's last initial request", HFILL}},
    {&hf_setup_ms, {"Setup time (ms)", "sipflow.setup_ms", FT_INT64, BASE_DEC, NULL, 0,
                    "INVITE to first 180/183 (post-dial delay)", HFILL}},
    {&hf_answer_ms, {"Answer time (ms)", "sipflow.answer_ms", FT_INT64, BASE_DEC, NULL, 0,
                     "INVITE to 2xx", HFILL}},
    {&hf_duration_s, {"Duration (s)", "sipflow.duration_s", FT_DOUBLE, BASE_NONE, NULL, 0,
                      "2xx to BYE", HFILL}},
    {&hf_failed, {"Failed", "sipflow.failed", FT_BOOLEAN, BASE_NONE, NULL, 0,
                  "Present on the messages of failed calls only", HFILL}},
    {&hf_failure, {"Failure", "sipflow.failure", FT_STRING, BASE_NONE, NULL, 0,
                   "Why the call failed, in words", HFILL}},
    {&hf_anomaly, {"Anomaly", "sipflow.anomaly", FT_STRING, BASE_NONE, NULL, 0,
                   "An anomaly of the call (no-ack, no-final, retransmissions, bye-481, "
                   "auth-loop, one-way-hangup, late-cancel)", HFILL}},
    {&hf_linked_call, {"Linked call", "sipflow.linked_call", FT_UINT32, BASE_DEC, NULL, 0,
                       "Other leg of the same call through a B2BUA", HFILL}},
    {&hf_not_analysed, {"Not analysed", "sipflow.not_analysed", FT_STRING, BASE_NONE, NULL,
                        0, "Why sipflow did not take this SIP message", HFILL}},
  };
  static gint *ett[] = {&ett_sipflow};

  proto_sipflow = proto_register_protocol("SIP Flow (sipflow)", "SIP Flow", "sipflow");
  proto_register_field_array(proto_sipflow, hf, array_length(hf));
  proto_register_subtree_array(ett, array_length(ett));
  sipflow_handle = create_dissector_handle(dissect_sipflow, proto_sipflow);
  register_postdissector(sipflow_handle);
  register_init_routine(init_file);
  register_cleanup_routine(cleanup_file);
  tap_sipflow = register_tap("sipflow");
  sfw_ui_register(proto_sipflow);
}

static void proto_reg_handoff_sipflow(void)
{
  hfid_sip = proto_registrar_get_id_byname("sip");
  if (hfid_sip < 0) {
    ws_warning("sipflow: Wireshark has no SIP dissector; the plugin stays idle");
    return;
  }
  GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
  g_array_append_val(wanted, hfid_sip);
  set_postdissector_wanted_hfids(sipflow_handle, wanted); /* epan owns it now */
}

void plugin_register(void)
{
  static proto_plugin plug;

  plug.register_protoinfo = proto_register_sipflow;
  plug.register_handoff = proto_reg_handoff_sipflow;
  proto_register_plugin(&plug);
}
