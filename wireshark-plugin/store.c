/*
 * Per-file state of the plugin: the library context fed on the first pass,
 * the messages it took (kept so whole-capture outputs can replay them), and
 * the call values the fields show.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "sfw.h"

/* The one global the Wireshark API forces on us (see sfw.h). */
static sfw_state *g_state;

static void msg_free(gpointer p)
{
  sfw_msg *m = p;
  g_free(m->bytes);
  g_free(m);
}

static void view_free(gpointer p)
{
  sfw_call_view *v = p;
  g_free(v->call_id);
  g_free(v->failure);
  g_free(v);
}

/* The library hands over each message it accepted, with its ids. */
static void on_message(const sipflow_message *msg, void *user)
{
  sfw_state *st = user;
  if (!st->pending)
    return;
  st->pending->transaction = msg->transaction;
  st->pending->dialog = msg->dialog;
  st->pending->call = msg->call;
  st->pending->retransmission = msg->retransmission != 0;
}

static void on_diag(const sipflow_diag *diag, void *user)
{
  sfw_state *st = user;
  g_strlcpy(st->last_diag, diag->text ? diag->text : "", sizeof st->last_diag);
}

static sfw_state *state_new(void)
{
  sfw_state *st = g_new0(sfw_state, 1);
  sipflow_callbacks cb = {.on_message = on_message, .on_diag = on_diag};
  /* keep_calls: the fields of any message, clicked at any time, need its
   * call; Wireshark keeps the whole capture in memory anyway. */
  sipflow_call_options opt = {.keep_calls = 1};

  st->ctx = sipflow_new(&cb, st, NULL);
  sipflow_set_call_options(st->ctx, &opt);
  st->msgs = g_ptr_array_new_with_free_func(msg_free);
  st->views = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, view_free);
  return st;
}

sfw_state *sfw_state_get(void)
{
  if (!g_state)
    g_state = state_new();
  return g_state;
}

void sfw_state_free(void)
{
  if (!g_state)
    return;
  sipflow_free(g_state->ctx);
  g_ptr_array_free(g_state->msgs, TRUE);
  g_hash_table_destroy(g_state->views);
  g_free(g_state);
  g_state = NULL;
}

void sfw_state_reset(void)
{
  sfw_state_free();
  g_state = state_new();
}

const sfw_msg *sfw_feed(uint32_t frame, int64_t time_us, const sipflow_endpoint *src,
                        const sipflow_endpoint *dst, sipflow_transport transport,
                        const char *bytes, size_t len)
{
  sfw_state *st = sfw_state_get();
  sfw_msg *m = g_new0(sfw_msg, 1);

  m->frame = frame;
  m->time_us = time_us;
  m->src = *src;
  m->dst = *dst;
  m->transport = transport;
  m->bytes = g_malloc(len ? len : 1);
  memcpy(m->bytes, bytes, len);
  m->len = len;
  st->pending = m;
  st->last_diag[0] = '\0';
  int rc = sipflow_feed_sip(st->ctx, m->bytes, m->len, frame, time_us, src, dst, transport);
  st->pending = NULL;
  if (rc != SIPFLOW_OK || m->call == 0) {
    if (!st->last_diag[0])
      g_strlcpy(st->last_diag, sipflow_strerror(rc), sizeof st->last_diag);
    msg_free(m);
    return NULL;
  }
  g_ptr_array_add(st->msgs, m);
  st->fed++;
  return m;
}

static char *dup_or_null(const char *s)
{
  return s ? g_strdup(s) : NULL;
}

/* A call's values change only when a message is fed: the copy stays valid
 * until then.  On the first pass that means one analysis per message (the
 * "so far" values); afterwards one per call. */
const sfw_call_view *sfw_call_view_get(uint32_t call)
{
  sfw_state *st = sfw_state_get();
  sfw_call_view *v = g_hash_table_lookup(st->views, GUINT_TO_POINTER(call));

  if (v && v->valid_at == st->fed)
    return v;
  const sipflow_call_info *info = sipflow_get_call(st->ctx, call);
  if (!info)
    return NULL;
  if (!v) {
    v = g_new0(sfw_call_view, 1);
    g_hash_table_insert(st->views, GUINT_TO_POINTER(call), v);
  }
  g_free(v->call_id);
  g_free(v->failure);
  v->call = info->call;
  v->call_id = dup_or_null(info->call_id);
  v->state = info->state;
  v->final_status = info->final_status;
  v->setup_ms = info->setup_ms;
  v->answer_ms = info->answer_ms;
  v->duration_s = info->duration_s;
  v->failure = dup_or_null(info->failure);
  v->anomalies = info->anomalies;
  v->linked_call = info->linked_call;
  v->valid_at = st->fed;
  return v;
}

uint32_t sfw_call_of_frame(uint32_t frame)
{
  sfw_state *st = sfw_state_get();

  /* messages are stored in frame order (the first pass runs in order) */
  guint lo = 0, hi = st->msgs->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    const sfw_msg *m = g_ptr_array_index(st->msgs, mid);
    if (m->frame < frame)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < st->msgs->len) {
    const sfw_msg *m = g_ptr_array_index(st->msgs, lo);
    if (m->frame == frame)
      return m->call;
  }
  return 0;
}
