/*
 * analyze stage: what happened to a call, in the words of DESIGN.md —
 * state, final status, timings, anomalies and, for a failed call, one
 * sentence saying who refused it and how.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Decisions (the public side is documented in sipflow.h):
 *  - Attempts.  The out-of-dialog INVITEs of a Call-ID are grouped into
 *    attempts by CSeq number: a proxy in the capture shows one request on
 *    two hops (two transactions, same CSeq), a 401/407 challenge or a 3xx
 *    redirect is followed by a new INVITE with a new CSeq.  The outcome is
 *    the one of the LAST attempt, seen from its first hop (the transaction
 *    that appeared first, nearest the caller); when that hop has no final
 *    response, the final of another hop is used.
 *  - Timings start at the FIRST INVITE of the call: the post-dial delay the
 *    caller perceives includes the challenge round trip and the redirect
 *    (RFC 6076 §4.1 SRD measures from the initial INVITE).  Exception: a
 *    retry sent more than 2 s after the previous final response was not
 *    automatic (the phone asked its user for a password), so the clock
 *    starts again at that retry.  setup_ms ends at the first 180/183 of
 *    those attempts, answer_ms at the 2xx of the last attempt, duration_s
 *    runs from that 2xx to the first BYE after it.
 *    Values are rounded to the nearest millisecond.
 *  - Ringing means a 101-199 provisional: 100 Trying is hop-by-hop and says
 *    nothing about the callee.
 *  - Cancelled: the caller sent a CANCEL before any final response arrived
 *    (whatever final then came, e.g. 487 or a 408 racing it), or a 487
 *    without a CANCEL in the capture.
 *  - Failed (failure != NULL): busy, rejected, cancelled (a support engineer
 *    wants abandoned calls in the list, the sentence says it was the
 *    caller), non-INVITE `failed`, and any call whose last request got no
 *    response at all although the capture went on for 64*T1 (Timer B/F,
 *    RFC 3261 §17.1.1.2) after it.  Not failed: diverted (3xx; the caller is
 *    expected to follow it), setup/ringing at the end of the capture,
 *    answered calls.
 *  - "Who": the sender of the earliest-seen final response with that status
 *    in the attempt (behind a proxy, the element that produced it rather
 *    than the proxy relaying it); for a cancel, the sender of the CANCEL.
 */
#include <string.h>

#include "analyze.h"

/* -------------------------------------------------------------- names */

const char *sipflow_call_state_name(sipflow_call_state state)
{
  static const char *const names[SIPFLOW_CALL_STATE_COUNT] = {
    "setup", "ringing", "in-call", "completed", "cancelled", "busy",
    "diverted", "rejected", "ok", "failed", "pending"};
  return (unsigned)state < G_N_ELEMENTS(names) ? names[state] : "unknown";
}

int sipflow_call_state_from_name(const char *name)
{
  for (int i = 0; name && i < SIPFLOW_CALL_STATE_COUNT; i++)
    if (strcmp(name, sipflow_call_state_name((sipflow_call_state)i)) == 0)
      return i;
  return -1;
}

const char *sipflow_anomaly_name(unsigned flag)
{
  static const char *const names[SIPFLOW_ANOMALY_COUNT] = {
    "no-ack", "no-final", "retransmissions", "bye-481", "auth-loop",
    "one-way-hangup", "late-cancel"};
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    if (flag == 1u << i)
      return names[i];
  return NULL;
}

const char *sipflow_transaction_state_name(sipflow_transaction_state s)
{
  static const char *const names[] = {"trying", "proceeding", "completed",
                                      "confirmed", "accepted", "terminated"};
  return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

const char *sipflow_dialog_state_name(sipflow_dialog_state s)
{
  static const char *const names[] = {"early", "confirmed", "terminated"};
  return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

/* ------------------------------------------------------------ helpers */

/* A retry of an INVITE sent longer than this after the previous final was
 * not automatic (see chain_start). */
#define SF_AUTO_RETRY_US (2 * 1000 * 1000LL)

static bool is_challenge(int s) { return s == 401 || s == 407; }

static int64_t min_time(int64_t a, int64_t b)
{
  if (!sf_have_time(a))
    return b;
  if (!sf_have_time(b))
    return a;
  return a < b ? a : b;
}

/* ----------------------------------------------------------- attempts */

/* One attempt: the transactions [first, last] of the candidate list. */
typedef struct attempt {
  guint first, last;
} attempt;


static bool is_candidate(const sf_txn *t, bool invite_call)
{
  if (!t->initial)
    return false;
  if (invite_call)
    return t->mid == SIPFLOW_METHOD_INVITE;
  return t->mid != SIPFLOW_METHOD_ACK && t->mid != SIPFLOW_METHOD_CANCEL;
}

/* The candidates and the attempts of a call, in arrays with room for every
 * transaction of the call (on the stack for the usual handful: this runs
 * once per call).  Same shapes as GPtrArray and GArray, so that
 * g_ptr_array_index() and g_array_index() read them. */
#define SF_STACK_TXNS 32

typedef struct txn_list {
  sf_txn **pdata;
  guint len;
} txn_list;

typedef struct attempt_list {
  attempt *data;
  guint len;
} attempt_list;

/* Out-of-dialog requests that decide the outcome, in order of appearance,
 * when scan_transactions found none in a call of other methods: its
 * requests, as only in-dialog ones were captured. */
static void candidates_in_dialog(const sf_call *c, txn_list *out)
{
  for (guint i = 0; i < c->txns.len; i++) {
    sf_txn *t = g_ptr_array_index(&c->txns, i);
    if (t->mid != SIPFLOW_METHOD_ACK && t->mid != SIPFLOW_METHOD_CANCEL)
      out->pdata[out->len++] = t;
  }
}

/* Splits the candidates into attempts: a new attempt starts with a new CSeq
 * number, or with a request sent after the current attempt's first hop had
 * its final (a retry that reused the CSeq). */
static void attempts_of(const txn_list *cand, attempt_list *out)
{
  for (guint i = 0; i < cand->len; i++) {
    const sf_txn *t = g_ptr_array_index(cand, i);
    attempt *cur = out->len ? &g_array_index(out, attempt, out->len - 1) : NULL;
    const sf_txn *p = cur ? g_ptr_array_index(cand, cur->first) : NULL;
    bool same = p && p->cseq == t->cseq &&
                !(p->final_status && sf_have_time(p->final_us) && t->start_us > p->final_us);
    if (same)
      cur->last = i;
    else
      out->data[out->len++] = (attempt){i, i};
  }
}

/* The final that decides an attempt: its first hop's, else another hop's. */
static const sf_txn *deciding_final(const txn_list *cand, attempt a)
{
  const sf_txn *p = g_ptr_array_index(cand, a.first);
  const sf_txn *best = NULL;

  if (p->final_status)
    return p;
  for (guint i = a.first; i <= a.last; i++) {
    const sf_txn *t = g_ptr_array_index(cand, i);
    if (t->final_status && (!best || t->final_us < best->final_us))
      best = t;
  }
  return best;
}

static void cancel_of_attempt(const sf_call *c, const txn_list *cand, attempt a, sf_outcome *o)
{
  for (guint i = 0; i < c->txns.len; i++) {
    const sf_txn *t = g_ptr_array_index(&c->txns, i);
    if (t->mid != SIPFLOW_METHOD_CANCEL || !t->cancels || !t->request_seen)
      continue;
    for (guint k = a.first; k <= a.last; k++)
      if (t->cancels == g_ptr_array_index(cand, k) &&
          (!o->cancel || t->request_us < o->cancel->request_us))
        o->cancel = t;
  }
}

/* any_cancel: the call has a CANCEL to look for (most have none). */
static void outcome_of(const sf_call *c, const txn_list *cand, attempt a, bool any_cancel,
                       sf_outcome *o)
{
  const sf_txn *p = g_ptr_array_index(cand, a.first);

  memset(o, 0, sizeof *o);
  o->primary = p;
  o->request_us = sf_have_time(p->request_us) ? p->request_us : p->start_us;
  o->progress_us = p->progress_us;
  o->answer_us = p->answer_us;
  o->final_txn = deciding_final(cand, a);
  o->final_us = SF_NO_TIME;
  for (guint i = a.first; i <= a.last; i++) {
    const sf_txn *t = g_ptr_array_index(cand, i);
    o->any_response = o->any_response || t->responses > 0;
    if (!sf_have_time(p->progress_us))
      o->progress_us = min_time(o->progress_us, t->progress_us);
    if (!sf_have_time(p->answer_us))
      o->answer_us = min_time(o->answer_us, t->answer_us);
  }
  if (o->final_txn) {
    o->final_status = o->final_txn->final_status;
    o->final_us = o->final_txn->final_us;
    o->final_from = o->final_txn->final_src;
    /* the earliest response with that status: who produced it */
    int64_t best = SF_NO_TIME;
    for (guint i = a.first; i <= a.last; i++) {
      const sf_txn *t = g_ptr_array_index(cand, i);
      if (t->final_status == o->final_status && (!sf_have_time(best) || t->final_us < best)) {
        best = t->final_us;
        o->final_from = t->final_src;
      }
    }
  }
  if (any_cancel)
    cancel_of_attempt(c, cand, a, o);
}

/* Longest run of attempts ended by a 401/407 challenge. */
static unsigned challenge_streak(const txn_list *cand, const attempt_list *atts)
{
  unsigned run = 0, longest = 0;

  for (guint i = 0; i < atts->len; i++) {
    const sf_txn *f = deciding_final(cand, g_array_index(atts, attempt, i));
    run = f && is_challenge(f->final_status) ? run + 1 : 0;
    if (run > longest)
      longest = run;
  }
  return longest;
}

/* ------------------------------------------------------------- states */

static bool is_invite_call(const sf_call *c)
{
  if (c->saw_invite) /* some transaction is an INVITE (correlate.c) */
    return true;
  if (!c->method)
    return false;
  switch (c->mid) { /* methods that only exist around an INVITE */
  case SIPFLOW_METHOD_INVITE:
  case SIPFLOW_METHOD_ACK:
  case SIPFLOW_METHOD_BYE:
  case SIPFLOW_METHOD_CANCEL:
  case SIPFLOW_METHOD_PRACK:
  case SIPFLOW_METHOD_UPDATE:
    return true;
  default:
    return false;
  }
}

/* First BYE request sent at or after `after`. */
static const sf_txn *first_bye(const sf_call *c, int64_t after)
{
  const sf_txn *best = NULL;

  for (guint i = 0; i < c->txns.len; i++) {
    const sf_txn *t = g_ptr_array_index(&c->txns, i);
    if (t->mid == SIPFLOW_METHOD_BYE && t->request_seen && (!sf_have_time(after) || t->request_us >= after) &&
        (!best || t->request_us < best->request_us))
      best = t;
  }
  return best;
}

/* first_bye(c, o->answer_us), looked for once: the state and the timings
 * of an answered call both ask. */
static const sf_txn *bye_after_answer(const sf_call *c, sf_outcome *o)
{
  if (!o->bye_known) {
    o->bye = first_bye(c, o->answer_us);
    o->bye_known = true;
  }
  return o->bye;
}

static sipflow_call_state invite_state(const sf_call *c, sf_outcome *o)
{
  int f = o->final_status;
  bool cancel_first = o->cancel && (!f || o->cancel->request_us <= o->final_us);

  if (sf_status_is_2xx(f) || (!f && sf_have_time(o->answer_us)))
    return bye_after_answer(c, o) ? SIPFLOW_CALL_COMPLETED : SIPFLOW_CALL_IN_CALL;
  if (cancel_first || f == 487)
    return SIPFLOW_CALL_CANCELLED;
  if (f == 486 || f == 600)
    return SIPFLOW_CALL_BUSY;
  if (f >= 300 && f < 400)
    return SIPFLOW_CALL_DIVERTED;
  if (f >= 400)
    return SIPFLOW_CALL_REJECTED;
  return sf_have_time(o->progress_us) ? SIPFLOW_CALL_RINGING : SIPFLOW_CALL_SETUP;
}

static sipflow_call_state other_state(const sf_outcome *o)
{
  if (!o->final_status)
    return SIPFLOW_CALL_PENDING;
  return sf_status_is_2xx(o->final_status) ? SIPFLOW_CALL_OK : SIPFLOW_CALL_FAILED;
}

/* --------------------------------------------------------- anomalies */

/* The anomalies one transaction shows by itself. */
static unsigned txn_anomalies(const sf_txn *t)
{
  unsigned a = 0;

  if (t->mid == SIPFLOW_METHOD_INVITE && sf_status_is_2xx(t->final_status) && !t->ack_2xx)
    a |= SIPFLOW_ANOMALY_NO_ACK;
  if (t->mid == SIPFLOW_METHOD_INVITE && t->request_seen && !t->final_status)
    a |= SIPFLOW_ANOMALY_NO_FINAL;
  if (!t->initial && t->final_status == 481)
    a |= SIPFLOW_ANOMALY_BYE_481;
  if (t->mid == SIPFLOW_METHOD_BYE && t->request_seen && !t->final_status)
    a |= SIPFLOW_ANOMALY_ONE_WAY_HANGUP;
  if (t->mid == SIPFLOW_METHOD_CANCEL && t->request_seen && t->cancels &&
      sf_have_time(t->cancels->answer_us) && t->request_us > t->cancels->answer_us)
    a |= SIPFLOW_ANOMALY_LATE_CANCEL;
  return a;
}

/* The call's anomalies: those of its transactions (txn_anomalies, gathered
 * by scan_transactions) and those of the call as a whole. */
static unsigned call_anomalies(const sf_call *c, unsigned of_txns, unsigned streak)
{
  unsigned a = of_txns;

  if (c->retransmissions)
    a |= SIPFLOW_ANOMALY_RETRANSMISSIONS;
  if (streak > 2)
    a |= SIPFLOW_ANOMALY_AUTH_LOOP;
  return a;
}

/* --------------------------------------------------------- info view */

static sipflow_transaction_state txn_state(const sf_txn *t)
{
  if (t->mid == SIPFLOW_METHOD_ACK)
    return SIPFLOW_TXN_TERMINATED;
  if (t->final_status) {
    if (t->mid != SIPFLOW_METHOD_INVITE)
      return SIPFLOW_TXN_COMPLETED;
    if (sf_status_is_2xx(t->final_status))
      return SIPFLOW_TXN_ACCEPTED;
    return t->acked ? SIPFLOW_TXN_CONFIRMED : SIPFLOW_TXN_COMPLETED;
  }
  return t->responses ? SIPFLOW_TXN_PROCEEDING : SIPFLOW_TXN_TRYING;
}

/* Makes room for the call's arrays (at least one element each, so that
 * the info's list pointers are never NULL), when it gets lists. */
static void alloc_views(sf_call *c, sf_views *room, bool lists)
{
  size_t nt = MAX(c->txns.len, 1u), nd = MAX(c->dialogs.len, 1u);

  if (!lists) {
    sf_analyze_release(c);
    c->info = &room->info;
    return;
  }
  if (nt > room->txns_cap) {
    room->txns_cap = MAX(nt, 2 * room->txns_cap);
    g_free(room->txns);
    room->txns = g_new0(sipflow_transaction_info, room->txns_cap);
  }
  if (nd > room->dialogs_cap) {
    room->dialogs_cap = MAX(nd, 2 * room->dialogs_cap);
    g_free(room->dialogs);
    room->dialogs = g_new0(sipflow_dialog_info, room->dialogs_cap);
  }
  sf_analyze_release(c);
  c->info = &room->info;
}

static void fill_transaction(const sf_call *c, const sf_txn *t, sipflow_transaction_info *out)
{
  *out = (sipflow_transaction_info){
    .id = t->id, .call = c->id, .dialog = t->dialog, .method = t->method,
    .branch = t->branch, .rfc2543 = t->rfc2543, .cseq = t->cseq,
    .src = t->src, .dst = t->dst, .request_seen = t->request_seen,
    .first_frame = t->first_frame, .last_frame = t->last_frame,
    .start_us = t->start_us, .end_us = t->end_us,
    .final_status = t->final_status,
    .final_reason = t->final_status ? t->final_reason : NULL,
    .state = txn_state(t), .requests = t->requests, .responses = t->responses,
    .retransmissions = t->retransmissions,
    .cancels = t->cancels ? t->cancels->id : 0};
}

static void fill_dialogs(const sf_call *c, sipflow_dialog_info *out)
{
  for (guint i = 0; i < c->dialogs.len; i++) {
    const sf_dialog *d = g_ptr_array_index(&c->dialogs, i);
    out[i] = (sipflow_dialog_info){
      .id = d->id, .call = c->id, .call_id = c->call_id.ptr,
      .from_tag = d->from_tag, .to_tag = d->to_tag, .method = d->method,
      .transaction = d->txn, .uac = d->uac, .uas = d->uas, .state = d->state,
      .before_capture = d->before_capture, .created_frame = d->created_frame,
      .confirmed_frame = d->confirmed_frame, .terminated_frame = d->terminated_frame,
      .start_us = d->start_us, .end_us = d->end_us, .messages = d->messages};
  }
}

void sf_analyze_release(sf_call *c)
{
  if (c->info_owned)
    g_free(c->info); /* its arrays too (sf_analyze_keep) */
  c->info = NULL;
  c->info_owned = false;
}

/* The info and both arrays in one allocation (info first, transactions
 * next), as many elements as alloc_views gave. */
void sf_analyze_keep(sf_call *c)
{
  size_t nt = MAX(c->txns.len, 1u), nd = MAX(c->dialogs.len, 1u);
  size_t i_bytes = sizeof(sipflow_call_info), t_bytes = nt * sizeof(sipflow_transaction_info);
  char *block;

  if (c->info_owned)
    return;
  G_STATIC_ASSERT(sizeof(sipflow_call_info) % G_ALIGNOF(sipflow_transaction_info) == 0);
  G_STATIC_ASSERT(sizeof(sipflow_transaction_info) % G_ALIGNOF(sipflow_dialog_info) == 0);
  block = g_malloc(i_bytes + t_bytes + nd * sizeof(sipflow_dialog_info));
  memcpy(block, c->info, i_bytes);
  memcpy(block + i_bytes, c->info->transaction_list, t_bytes);
  memcpy(block + i_bytes + t_bytes, c->info->dialog_list, nd * sizeof(sipflow_dialog_info));
  c->info = (sipflow_call_info *)block;
  c->info_owned = true;
  c->info->transaction_list = (const sipflow_transaction_info *)(block + i_bytes);
  c->info->dialog_list = (const sipflow_dialog_info *)(block + i_bytes + t_bytes);
}

void sf_analyze_views_free(sf_views *room)
{
  g_free(room->txns);
  g_free(room->dialogs);
  memset(room, 0, sizeof *room);
}

static void fill_identity(sf_call *c, const sf_views *room, bool lists)
{
  sipflow_call_info *in = c->info;

  /* every field is set here or by sf_analyze_call (attempts, anomalies,
   * state; the rest of the outcome below): no memset of the whole view
   * first, a tenth of the analysis of a small call */
  in->state = SIPFLOW_CALL_SETUP;
  in->final_status = 0;
  in->reason = NULL;
  in->q850_cause = 0;
  in->failure = NULL;
  in->call = c->id;
  in->call_id = c->call_id.ptr;
  in->method = c->method;
  in->from = c->from;
  in->to = c->to;
  in->src = c->src;
  in->dst = c->dst;
  in->start_us = c->start_us;
  in->end_us = c->end_us;
  in->first_frame = c->first_frame;
  in->last_frame = c->last_frame;
  in->messages = c->messages;
  in->transactions = c->txns.len;
  in->dialogs = c->dialogs.len;
  in->retransmissions = c->retransmissions;
  in->linked_call = c->linked_call;
  in->setup_ms = in->answer_ms = -1;
  in->duration_s = -1;
  in->n_transactions = lists ? c->txns.len : 0;
  in->transaction_list = lists ? room->txns : NULL;
  in->n_dialogs = lists ? c->dialogs.len : 0;
  in->dialog_list = lists ? room->dialogs : NULL;
}

/* The first attempt of the automatic retry chain that ends with the last
 * attempt: a retry sent within SF_AUTO_RETRY_US of the previous final was
 * made by the user agent itself; a later one waited for the user (e.g. a
 * password prompt after a 407), and the clock restarts there. */
static guint chain_start(const txn_list *cand, const attempt_list *atts)
{
  guint k = atts->len - 1;

  while (k > 0) {
    const sf_txn *prev = deciding_final(cand, g_array_index(atts, attempt, k - 1));
    const sf_txn *cur = g_ptr_array_index(cand, g_array_index(atts, attempt, k).first);
    if (!prev || !cur->request_seen || cur->request_us - prev->final_us > SF_AUTO_RETRY_US)
      break;
    k--;
  }
  return k;
}

/* setup_ms, answer_ms, duration_s of an INVITE call. */
static void fill_timings(sf_call *c, const txn_list *cand, const attempt_list *atts, sf_outcome *o)
{
  sipflow_call_info *in = c->info;
  guint from = g_array_index(atts, attempt, chain_start(cand, atts)).first;
  const sf_txn *first = g_ptr_array_index(cand, from);
  int64_t ring = SF_NO_TIME;

  if (!first->request_seen)
    return;
  /* the first hop of each attempt is what the caller sees; the other hops
   * only when the capture missed it there */
  for (guint k = chain_start(cand, atts); k < atts->len; k++) {
    const sf_txn *p = g_ptr_array_index(cand, g_array_index(atts, attempt, k).first);
    ring = min_time(ring, p->ring_us);
  }
  if (!sf_have_time(ring))
    for (guint i = from; i < cand->len; i++)
      ring = min_time(ring, ((const sf_txn *)g_ptr_array_index(cand, i))->ring_us);
  if (sf_have_time(ring) && ring >= first->request_us)
    in->setup_ms = sf_round_ms(ring - first->request_us);
  if (!sf_have_time(o->answer_us) || o->answer_us < first->request_us)
    return;
  in->answer_ms = sf_round_ms(o->answer_us - first->request_us);
  const sf_txn *bye = bye_after_answer(c, o);
  if (bye)
    in->duration_s = (double)sf_round_ms(bye->request_us - o->answer_us) / 1000.0;
}

/* A call captured only from the middle of a dialog: no initial request. */
static void fill_mid_dialog(sf_call *c)
{
  const sf_txn *bye = first_bye(c, SF_NO_TIME);
  c->info->state = bye ? SIPFLOW_CALL_COMPLETED : SIPFLOW_CALL_IN_CALL;
}

/* What one pass over a call's transactions gathers. */
typedef struct txn_scan {
  unsigned anomalies;         /* txn_anomalies of them all */
  bool any_cancel;            /* a CANCEL request of some INVITE seen */
} txn_scan;

/* One pass over the transactions: the candidates, the anomalies each shows,
 * its info view in out (NULL: none).  A call is analysed long after its
 * last message, so a transaction not warmed by callwarm.c is a cache miss
 * or two: it is read once, for all of these, where five passes read it
 * again and again.  (Asking for all the transactions' lines here first
 * gained nothing measurable once callwarm.c's warming ran, and cost
 * 0.6 M instructions on s50k.) */
static void scan_transactions(const sf_call *c, bool invite_call, txn_list *cand,
                              sipflow_transaction_info *out, txn_scan *scan)
{
  for (guint i = 0; i < c->txns.len; i++) {
    sf_txn *t = g_ptr_array_index(&c->txns, i);
    if (is_candidate(t, invite_call))
      cand->pdata[cand->len++] = t;
    scan->anomalies |= txn_anomalies(t);
    scan->any_cancel |= t->mid == SIPFLOW_METHOD_CANCEL && t->cancels && t->request_seen;
    if (out)
      fill_transaction(c, t, &out[i]);
  }
}

const sipflow_call_info *sf_analyze_call(sf_call *c, int64_t observed_until_us,
                                         sf_views *room, bool lists)
{
  bool invite_call = is_invite_call(c);
  sf_txn *cand_stack[SF_STACK_TXNS];
  attempt atts_stack[SF_STACK_TXNS];
  bool small = c->txns.len <= SF_STACK_TXNS;
  txn_list cand_list = {small ? cand_stack : g_new(sf_txn *, c->txns.len), 0};
  attempt_list atts_list = {small ? atts_stack : g_new(attempt, c->txns.len), 0};
  const txn_list *cand = &cand_list;
  const attempt_list *atts = &atts_list;
  txn_scan scan = {0};

  alloc_views(c, room, lists); /* sets c->info */
  scan_transactions(c, invite_call, &cand_list, lists ? room->txns : NULL, &scan);
  if (!cand_list.len && !invite_call)
    candidates_in_dialog(c, &cand_list);
  attempts_of(cand, &atts_list);
  unsigned streak = challenge_streak(cand, atts);

  sipflow_call_info *in = c->info;
  if (lists)
    fill_dialogs(c, room->dialogs);
  fill_identity(c, room, lists);
  in->attempts = atts->len;
  in->anomalies = call_anomalies(c, scan.anomalies, streak);
  if (!atts->len) {
    if (invite_call)
      fill_mid_dialog(c);
    else
      in->state = SIPFLOW_CALL_PENDING;
  } else {
    sf_outcome o;
    outcome_of(c, cand, g_array_index(atts, attempt, atts->len - 1), scan.any_cancel, &o);
    in->state = invite_call ? invite_state(c, &o) : other_state(&o);
    in->final_status = o.final_status;
    if (o.final_txn) {
      in->reason = o.final_txn->final_reason;
      in->q850_cause = o.final_txn->final_q850;
    }
    if (invite_call)
      fill_timings(c, cand, atts, &o);
    in->failure = sf_analyze_failure(c, in->state, &o, observed_until_us);
  }
  if (!small) {
    g_free(cand_list.pdata);
    g_free(atts_list.data);
  }
  return in;
}
