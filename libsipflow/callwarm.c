/*
 * Bringing calls into the cache before they are needed (correlate stage).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * With thousands of calls in flight (most of them waiting: answered calls
 * talking, registrations, calls lingering for late retransmissions) a
 * call's memory is out of the cache when its next message comes or when it
 * is finalised, and the work on it waited on one miss after the other:
 * the call, its arrays, its transactions, its strings.  Here those lines
 * are asked for ahead (prefetch hints: no fault on any address, and
 * nothing is read that an earlier step did not ask for), so the misses
 * overlap and land before the work.
 */
#include "correlate.h"

/* Asks for the first lines of an arena block (a call's strings: the
 * transaction keys and tags every message compares, the URIs and reasons
 * the calls table's line writer reads), up to end (NULL: as many as it
 * may). */
static void warm_block(const sf_arena_block *b, const char *end)
{
  const char *p = (const char *)b;
  if (!end || end < p || end > p + 576)
    end = p + 576;
  for (; p < end; p += 64)
    sf_prefetch(p);
}

/* The heads of the queues are the next calls finalised (most calls end in
 * `over`).  Their last message was 32 s of capture or more earlier, so they
 * are out of the cache, and finalising one waited on one miss after the
 * other: the call, its arrays, its transactions, its strings (the calls
 * table's line writer), its slot in the Call-ID table, the next head (whose
 * deadline is read).  Instead, one step per message while it is a head, its
 * memory is asked for; each step only reads what the previous one fetched,
 * so nothing here waits. */
void sf_calls_warm_call(const sf_correlate *st, const sf_call *c, unsigned step)
{
  switch (step) {
  case 0:
    for (size_t off = 0; off < sizeof *c; off += 64)
      sf_prefetch((const char *)c + off);
    break;
  case 1:
    sf_prefetch(c->txns.pdata);
    sf_prefetch(c->dialogs.pdata);
    sf_prefetch(&st->calls.slots[c->hash & st->calls.mask]);
    if (c->link.next) { /* the next head: its link and deadline fields */
      sf_prefetch(c->link.next);
      sf_prefetch((const char *)c->link.next + 64);
    }
    if (c->strings.blocks) /* the newest block, up to its end */
      warm_block(c->strings.blocks, c->strings.cur);
    break;
  case 2: /* the transactions' fields (not their retransmission memory) */
    for (guint i = 0; i < c->txns.len && i < 8; i++)
      for (size_t off = 0; off < offsetof(sf_txn, req_seen); off += 64)
        sf_prefetch((const char *)c->txns.pdata[i] + off);
    break;
  case 3: /* spread over one more message: a step waits when it asks for
             more lines than the core can have in flight.  The dialogs are
             read only for the info's list. */
    for (guint i = 0; sf_calls_lists_wanted(st) && i < c->dialogs.len && i < 4; i++)
      for (size_t off = 0; off < sizeof(sf_dialog); off += 64)
        sf_prefetch((const char *)c->dialogs.pdata[i] + off);
    if (c->strings.blocks && c->strings.blocks->next) /* the first block (URIs) */
      warm_block(c->strings.blocks->next, NULL);
    break;
  default:
    break;
  }
}

/* One step for the head of q and one for the call after it, whose turn
 * comes right after (calls whose deadlines passed together are finalised
 * together).  w[0] follows the head, w[1] the next call. */
static void warm_queue(const sf_correlate *st, sf_warm w[2], const GQueue *q)
{
  const GList *head = q->head;
  if (!head)
    return;
  const sf_call *c = sf_calls_of_link(head);
  if (w[0].call != c) {
    w[0] = w[1].call == c ? w[1] : (sf_warm){c, 0};
    w[1] = (sf_warm){NULL, 0};
  } else if (w[0].step > SF_WARM_STEPS) { /* both done (most messages) */
    return;
  }
  if (w[0].step < SF_WARM_STEPS)
    sf_calls_warm_call(st, c, w[0].step++);
  if (w[0].step < 2 || !head->next) /* head->next: in the line step 0 asked for */
    return;
  c = sf_calls_of_link(head->next);
  if (w[1].call != c)
    w[1] = (sf_warm){c, 0};
  if (w[1].step < SF_WARM_STEPS)
    sf_calls_warm_call(st, c, w[1].step++);
  else if (w[0].step == SF_WARM_STEPS)
    w[0].step++; /* nothing left to do until the head changes */
}

void sf_calls_warm_queues(sf_correlate *st, bool quiet_turn)
{
  warm_queue(st, st->warm_over, &st->over);
  if (quiet_turn)
    warm_queue(st, st->warm_quiet, &st->quiet);
  else
    warm_queue(st, st->warm_registered, &st->registered);
}
