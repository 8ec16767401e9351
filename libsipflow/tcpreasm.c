/*
 * Stream stage, TCP: reassembly of a direction by sequence number.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Bytes are put back in sequence order (serial arithmetic, RFC 1982, so
 * sequence numbers may wrap), retransmitted bytes are dropped, out-of-order
 * segments are held until the hole before them fills.  A hole that will
 * not fill (the capture lost it: a truncated segment before it, data
 * waiting too long after it, the buffer limit, the end of the stream) is
 * reported and skipped; framing resynchronises after it.
 */
#include <inttypes.h>
#include <string.h>

#include "tcp.h"

/* Out-of-order data that has waited this long (capture time) for a hole
 * to fill when more data comes after it: the hole is taken as lost by the
 * capture (the peer got those bytes, or a retransmission would have come
 * by now: RFC 6298 §2 starts the retransmission timer at 1 s). */
#define SF_HOLE_TIMEOUT_US G_GINT64_CONSTANT(1000000)
/* Out-of-order segments held per direction, whatever their size: the list
 * is sorted by insertion, so a flood of tiny segments would make each
 * insertion walk a long list (1 MiB of 1-byte segments: hours).  Real
 * holes hold at most max_tcp_buffer / MSS = 718 segments by default. */
#define SF_MAX_HELD_SEGMENTS 2048u

static void held_free(sf_dir *d)
{
  while (d->held) {
    held_seg *h = d->held;
    d->held = h->next;
    g_free(h);
  }
  d->held_tail = NULL;
  d->held_bytes = 0;
  d->n_held = 0;
}

static void deliver_in_order(sf_stream *st, sf_dir *d, const uint8_t *data, size_t n,
                             const stamp *at, bool truncated)
{
  d->next_seq += (uint32_t)n;
  sf_tcpframe_deliver(st, d, data, n, at);
  if (d->state != DIR_ACTIVE) { /* framing gave the direction up */
    held_free(d);
    d->expect_gap = false;
    return;
  }
  /* The snaplen cut the rest of this segment: the next one will not
   * follow on, and waiting for the missing bytes would be in vain. */
  if (truncated)
    d->expect_gap = true;
}

/* Bytes from next_seq to new_seq will never come: report them, drop the
 * message they belonged to, and resynchronise on what follows.  acked: the
 * receiver's acknowledgment says so (else a timeout or limit decided). */
static void gap(sf_stream *st, sf_dir *d, uint32_t new_seq, const stamp *at, bool acked)
{
  uint32_t missing = new_seq - d->next_seq;

  if (d->sip_seen)
    sf_diag_emit(st->diag, sf_tcp_frame_of(d, at), SIPFLOW_DIAG_TCP_GAP,
                 "frame %" PRIu64 ": %" PRIu32 " bytes missing in TCP stream %s%s",
                 sf_tcp_frame_of(d, at), missing, sf_stream_dir_label(d).s,
                 acked ? " (acknowledged by the receiver, not in the capture)" : "");
  sf_tcpframe_gap(st, d);
  d->next_seq = new_seq;
  d->expect_gap = false;
}

/* Delivers the held segments the stream has reached.  at NULL: each one on
 * behalf of its own packet (end of the stream). */
static void drain_held(sf_stream *st, sf_dir *d, const stamp *at)
{
  while (d->state == DIR_ACTIVE && d->held) {
    held_seg *h = d->held;
    int32_t ahead = (int32_t)(h->seq - d->next_seq);
    if (ahead > 0)
      break;
    d->held = h->next;
    if (!d->held)
      d->held_tail = NULL;
    d->held_bytes -= h->len;
    d->n_held--;
    size_t old = (size_t)(-(int64_t)ahead);
    if (old < h->len)
      deliver_in_order(st, d, h->data + old, h->len - old, at ? at : &h->at,
                       h->truncated);
    g_free(h);
  }
}

/* Gives up waiting for the first hole: jumps to the first held segment.
 * What is held then completes in the packets that brought it. */
static void skip_first_hole(sf_stream *st, sf_dir *d, const stamp *at, bool acked)
{
  gap(st, d, d->held->seq, at ? at : &d->held->at, acked);
  drain_held(st, d, NULL);
}

static void hold(sf_stream *st, sf_dir *d, uint32_t seq, const uint8_t *data, size_t n,
                 const stamp *at, bool truncated)
{
  held_seg **pp = &d->held;
  if (d->held_tail && (int32_t)(d->held_tail->seq - seq) < 0)
    pp = &d->held_tail->next; /* the usual case: after everything held */
  while (*pp && (int32_t)((*pp)->seq - seq) < 0)
    pp = &(*pp)->next;
  if (*pp && (*pp)->seq == seq && (*pp)->len >= n)
    return; /* a retransmission of a segment already held */
  held_seg *h = g_malloc(sizeof *h + n);
  h->seq = seq;
  h->len = n;
  h->at = *at;
  h->truncated = truncated;
  memcpy(h->data, data, n);
  h->next = *pp;
  *pp = h;
  if (!h->next)
    d->held_tail = h;
  d->held_bytes += n;
  d->n_held++;
  /* Over the buffer limit the first hole is declared lost for good. */
  while (d->state == DIR_ACTIVE && d->held &&
         (d->held_bytes + d->len > st->max_buffer || d->n_held > SF_MAX_HELD_SEGMENTS))
    skip_first_hole(st, d, at, false);
}

/* Is the data after the first hole waiting in vain?  (Truncated segment
 * before it, or held too long.) */
static bool hole_is_lost(const sf_dir *d, const stamp *at)
{
  return d->expect_gap ||
         (d->held && sf_tcp_idle_longer(at->time_us, d->held->at.time_us, SF_HOLE_TIMEOUT_US));
}

/* Has the receiver acknowledged every byte of the hole from next_seq to
 * hole_end?  Then it got them, and the capture never will. */
static bool hole_acked(const sf_dir *d, uint32_t hole_end)
{
  return d->have_peer_ack && (int32_t)(d->peer_ack - hole_end) >= 0;
}

void sf_tcpreasm_payload(sf_stream *st, sf_dir *d, uint32_t seq, const uint8_t *data,
                         size_t n, const stamp *at, bool truncated)
{
  /* More data after a hole that will not fill: skip the hole (and deliver
   * what was held after it) before taking this segment.  A segment that
   * fills the hole is never judged: it is what was waited for. */
  while (d->state == DIR_ACTIVE && (int32_t)(seq - d->next_seq) > 0) {
    bool held_first = d->held && (int32_t)(d->held->seq - seq) <= 0;
    bool acked = hole_acked(d, held_first ? d->held->seq : seq);
    if (!acked && !hole_is_lost(d, at))
      break;
    if (held_first)
      skip_first_hole(st, d, at, acked);
    else
      gap(st, d, seq, at, acked);
  }
  if (d->state != DIR_ACTIVE)
    return;
  int32_t ahead = (int32_t)(seq - d->next_seq);
  if (ahead < 0) {
    size_t old = (size_t)(-(int64_t)ahead);
    if (old >= n)
      return; /* retransmission of bytes already delivered */
    data += old;
    n -= old;
    ahead = 0;
  }
  if (ahead > 0) {
    hold(st, d, seq, data, n, at, truncated);
    return;
  }
  deliver_in_order(st, d, data, n, at, truncated);
  drain_held(st, d, at);
}

void sf_tcpreasm_flush(sf_stream *st, sf_dir *d, const stamp *at, const uint32_t *end)
{
  if (d->state != DIR_ACTIVE)
    return;
  while (d->state == DIR_ACTIVE && d->held)
    skip_first_hole(st, d, at, false);
  if (d->state != DIR_ACTIVE)
    return;
  if (end && (int32_t)(*end - d->next_seq) > 0)
    gap(st, d, *end, at, false);
  sf_tcpframe_flush(st, d, at);
}

void sf_tcpreasm_acked(sf_stream *st, sf_dir *d, uint32_t ack, const stamp *at)
{
  int32_t ahead = (int32_t)(ack - d->next_seq);

  if (d->state != DIR_ACTIVE || (ahead > 0 && (size_t)ahead > st->max_buffer))
    return; /* further ahead than could ever be held: a bogus field */
  d->peer_ack = ack;
  d->have_peer_ack = true;
  while (d->state == DIR_ACTIVE && d->held && hole_acked(d, d->held->seq))
    skip_first_hole(st, d, at, true);
}

void sf_tcpreasm_clear(sf_dir *d)
{
  held_free(d);
}
