/*
 * correlate stage, dialogs (RFC 3261 §12): the part of dialog.c that runs
 * for every message, kept static inline here so that correlate.c's
 * per-message path compiles as it did when it held the dialog code itself
 * (an out-of-line call per message measured +1 % instructions on a 50 k
 * message capture).  The rarer steps (creating, terminating a dialog) are
 * out of line in dialog.c.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SF_DIALOG_H
#define SF_DIALOG_H

#include "correlate.h"

sf_dialog *sf_dialog_new(sf_correlate *st, sf_call *c, const sf_txn *t, const sipflow_message *m,
                         sipflow_dialog_state state);
void sf_dialog_terminate(sf_call *c, sf_dialog *d, uint64_t frame);
/* RFC 3261 §13.2.2.4 / §12.3: the early dialogs t's responses created end. */
void sf_dialog_terminate_early(sf_call *c, const sf_txn *t, uint64_t frame);
/* RFC 6665 §4.4.1: m is a NOTIFY with Subscription-State: terminated. */
bool sf_dialog_ends_subscription(const sipflow_message *m);

/* RFC 3261 §12.1, RFC 6665 §4.4.1 (REFER's implicit subscription). */
static inline bool sf_dialog_creating(sipflow_method m)
{
  return m == SIPFLOW_METHOD_INVITE || m == SIPFLOW_METHOD_SUBSCRIBE ||
         m == SIPFLOW_METHOD_REFER;
}

/* s (NULL: empty) equals the n bytes at str. */
static inline bool sf_dialog_tag_is(sipflow_span s, const char *str, size_t n)
{
  return (s.ptr ? s.len : 0) == n && sf_bytes_equal(s.ptr, str, n);
}

static inline bool sf_dialog_tags_match(const sf_dialog *d, sipflow_span from, sipflow_span to)
{
  return (sf_dialog_tag_is(from, d->from_tag, d->from_len) &&
          sf_dialog_tag_is(to, d->to_tag, d->to_len)) ||
         (sf_dialog_tag_is(from, d->to_tag, d->to_len) &&
          sf_dialog_tag_is(to, d->from_tag, d->from_len));
}

/* RFC 3261 §12: a dialog is Call-ID + both tags, whichever side sends.
 * The dialog of m, NULL when none. */
static inline sf_dialog *sf_dialog_find(sf_call *c, const sipflow_message *m)
{
  if (!m->to_tag.ptr)
    return NULL;
  for (guint i = 0; i < c->dialogs.len; i++) {
    sf_dialog *d = g_ptr_array_index(&c->dialogs, i);
    if (sf_dialog_tags_match(d, m->from_tag, m->to_tag))
      return d;
  }
  return NULL;
}

static inline void sf_dialog_confirm(sf_call *c, sf_dialog *d, uint64_t frame)
{
  d->state = SIPFLOW_DIALOG_CONFIRMED;
  d->confirmed_frame = frame;
  c->confirmed_dialogs++;
}

/* Creates, confirms and terminates dialogs for a (non-retransmitted)
 * message of transaction t; returns the dialog it belongs to, or NULL.
 * ack_of_final: m is the ACK of a non-2xx final (part of t). */
static inline sf_dialog *sf_dialog_update(sf_correlate *st, sf_call *c, sf_txn *t,
                                          const sipflow_message *m, bool ack_of_final)
{
  sf_dialog *d = sf_dialog_find(c, m);
  int s = m->status;

  if (!m->is_request && m->to_tag.ptr && s > 100 && s < 300 && t->initial &&
      sf_dialog_creating(t->mid)) {
    if (!d)
      d = sf_dialog_new(st, c, t, m,
                        sf_status_is_2xx(s) ? SIPFLOW_DIALOG_CONFIRMED : SIPFLOW_DIALOG_EARLY);
    else if (sf_status_is_2xx(s) && d->state == SIPFLOW_DIALOG_EARLY)
      sf_dialog_confirm(c, d, m->frame);
  }
  /* In-dialog request of a dialog set up before the capture started. */
  if (!d && m->is_request && m->to_tag.ptr && !ack_of_final && !c->saw_initial &&
      c->dialogs.len == 0) {
    d = sf_dialog_new(st, c, t, m, SIPFLOW_DIALOG_CONFIRMED);
    d->before_capture = true;
  }
  if (!m->is_request && s >= 300 && t->initial && sf_dialog_creating(t->mid))
    sf_dialog_terminate_early(c, t, m->frame);
  if (!d)
    return NULL;
  if (!m->is_request && s >= 200 && t->mid == SIPFLOW_METHOD_BYE)
    sf_dialog_terminate(c, d, m->frame); /* §15.1.1: any final ends it */
  else if (!m->is_request && (s == 481 || s == 408) && !t->initial)
    sf_dialog_terminate(c, d, m->frame); /* §12.2.1.2 */
  else if (m->is_request && sf_dialog_ends_subscription(m) &&
           (d->mid == SIPFLOW_METHOD_SUBSCRIBE || d->mid == SIPFLOW_METHOD_REFER))
    sf_dialog_terminate(c, d, m->frame);
  return d;
}

#endif
