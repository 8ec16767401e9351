/*
 * correlate stage, dialogs (RFC 3261 §12): a dialog is the Call-ID plus
 * both tags; it is created early by a 101-199 with a To tag or confirmed by
 * a 2xx to a dialog-creating request (INVITE, SUBSCRIBE, REFER), and ended
 * by a BYE's final, a 481/408 in the dialog, a non-2xx final to its
 * creating request (early dialogs) or a NOTIFY ending its subscription.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Kept apart from correlate.c (transactions, calls) because the dialog
 * rules are their own state machine: correlate.c hands each
 * non-retransmitted message, with its transaction already matched, to
 * sf_dialog_update() and counts the message in the dialog returned.
 * The per-message steps (finding, updating) are static inline in dialog.h;
 * this file holds the rarer ones they call.  Tags are copied into the
 * call; nothing of the message is kept.
 */
#include <string.h>

#include "dialog.h"

static bool span_is(sipflow_span s, const char *lit)
{
  size_t n = strlen(lit);
  return s.ptr && s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* The length of the copy sf_calls_strdup makes of s, up to a NUL. */
static size_t tag_len(sipflow_span s)
{
  return s.ptr ? strnlen(s.ptr, s.len) : 0;
}

sf_dialog *sf_dialog_new(sf_correlate *st, sf_call *c, const sf_txn *t,
                         const sipflow_message *m, sipflow_dialog_state state)
{
  /* Not zeroed first: every field is written below (a memset of the
   * whole dialog was a `rep stos`, then most of it written again). */
  sf_dialog *d = sf_calls_work_room(c, sizeof *d);

  d->id = ++st->next_dialog;
  d->from_tag = sf_calls_strdup(c, m->from_tag.ptr ? m->from_tag.ptr : "", m->from_tag.len);
  d->to_tag = sf_calls_strdup(c, m->to_tag.ptr, m->to_tag.len);
  /* A NUL inside a tag ends it, as before.  Measured on the message's
   * bytes, not on the copies just written: strlen's wide loads of bytes
   * still in the store buffer could not be forwarded and waited for the
   * stores (strlen here was a percent of `sipflow calls`). */
  d->from_len = tag_len(m->from_tag);
  d->to_len = tag_len(m->to_tag);
  d->method = t->method;
  d->mid = t->mid;
  d->txn = t->id;
  d->cseq = m->cseq;
  d->uac = m->is_request ? m->src : m->dst;
  d->uas = m->is_request ? m->dst : m->src;
  d->state = state;
  d->before_capture = false;
  d->created_frame = m->frame;
  d->confirmed_frame = state == SIPFLOW_DIALOG_CONFIRMED ? m->frame : 0;
  d->terminated_frame = 0;
  d->start_us = m->time_us;
  d->end_us = 0;
  d->messages = 0;
  sf_calls_ptrs_add(c, &c->dialogs, d);
  if (state == SIPFLOW_DIALOG_CONFIRMED)
    c->confirmed_dialogs++;
  return d;
}

void sf_dialog_terminate(sf_call *c, sf_dialog *d, uint64_t frame)
{
  if (d->state == SIPFLOW_DIALOG_TERMINATED)
    return;
  if (d->state == SIPFLOW_DIALOG_CONFIRMED)
    c->confirmed_dialogs--;
  d->state = SIPFLOW_DIALOG_TERMINATED;
  d->terminated_frame = frame;
}

/* RFC 3261 §13.2.2.4 / §12.3: a non-2xx final to the creating request ends
 * the early dialogs of that transaction, i.e. those whose To tag one of its
 * responses carried (a fork still ringing elsewhere is not touched). */
void sf_dialog_terminate_early(sf_call *c, const sf_txn *t, uint64_t frame)
{
  for (guint i = 0; i < c->dialogs.len; i++) {
    sf_dialog *d = g_ptr_array_index(&c->dialogs, i);
    if (d->state != SIPFLOW_DIALOG_EARLY)
      continue;
    uint32_t tag = sf_correlate_hash_bytes(d->to_tag, d->to_len);
    for (unsigned k = 0; k < t->n_resp_seen; k++)
      if (sf_txn_resp_seen(t, k)->to_tag == tag) {
        sf_dialog_terminate(c, d, frame);
        break;
      }
  }
}

/* RFC 6665 §4.4.1: a NOTIFY with Subscription-State: terminated ends a
 * subscription dialog (not an INVITE dialog it may share, RFC 5057). */
bool sf_dialog_ends_subscription(const sipflow_message *m)
{
  sipflow_span v;
  if (!span_is(m->method, "NOTIFY") ||
      !sipflow_message_header(m, "Subscription-State", 0, &v))
    return false;
  size_t i = 0;
  while (i < v.len && (v.ptr[i] == ' ' || v.ptr[i] == '\t'))
    i++;
  return v.len - i >= 10 && g_ascii_strncasecmp(v.ptr + i, "terminated", 10) == 0;
}
