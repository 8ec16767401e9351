/*
 * analyze stage: the failure sentence of a call (DESIGN.md "why a call
 * failed"): who refused it, with what, after how long — from the outcome
 * analyze.c worked out.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Only failed calls get one, but in a busy capture a third of the calls
 * fail, so it is written without printf or GString.
 */
#include <stdio.h>
#include <string.h>

#include "analyze.h"

/* The failure sentence is written into a buffer on the stack (heap only
 * for an unusually long reason phrase) with hand-made number formatting:
 * with GString and printf it was a third of the analysis. */
typedef struct text {
  char *s;
  size_t len, cap;
  char stack[256];
} text;

static void text_init(text *t)
{
  t->s = t->stack;
  t->len = 0;
  t->cap = sizeof t->stack;
}

/* text_put when the buffer is full: it moves to the heap. */
__attribute__((noinline)) static void text_grow(text *t, size_t n)
{
  size_t cap = MAX(t->cap * 2, t->len + n);
  char *s = g_malloc(cap);
  memcpy(s, t->s, t->len);
  if (t->s != t->stack)
    g_free(t->s);
  t->s = s;
  t->cap = cap;
}

/* Inline, the pieces copied without a call: they are a few bytes each, and
 * a failed call's sentence has a dozen. */
static inline void text_put(text *t, const char *p, size_t n)
{
  if (t->len + n > t->cap)
    text_grow(t, n);
  sf_copy_short(t->s + t->len, p, n);
  t->len += n;
}

static SF_ALWAYS_INLINE void text_str(text *t, const char *s) { text_put(t, s, strlen(s)); }

static void text_int(text *t, int64_t v)
{
  char buf[24], *p = buf + sizeof buf;
  uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
  do
    *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    *--p = '-';
  text_put(t, p, (size_t)(buf + sizeof buf - p));
}

static void text_free(text *t)
{
  if (t->s != t->stack)
    g_free(t->s);
}

/* us (>= 1 s) in seconds as printf's "%.1f" writes (double)us / 1e6.  The
 * tenths come from the integer: below 9e15 µs the double is within 1e-6 of
 * us / 1e6, so it rounds like the exact value, except at a .x5 (a tie),
 * where printf's own rounding of the double decides (1.25 is a double and
 * rounds to even, 1.15 is slightly less than one). */
static void text_seconds(text *t, int64_t us)
{
  int64_t tenths = us / 100000, rest = us % 100000;

  if (rest == 50000 || us >= 9000000000000000LL) {
    char buf[40];
    int n = snprintf(buf, sizeof buf, "%.1f", (double)us / 1e6);
    text_put(t, buf, (size_t)MAX(n, 0));
    return;
  }
  if (rest > 50000)
    tenths++;
  text_int(t, tenths / 10);
  char frac[2] = {'.', (char)('0' + tenths % 10)};
  text_put(t, frac, 2);
}

/* "850 ms" under a second, else "3.2 s". */
static void append_duration(text *g, int64_t us)
{
  if (us < 0)
    us = 0;
  if (us < 1000000) {
    text_int(g, sf_round_ms(us));
    text_str(g, " ms");
  } else {
    text_seconds(g, us);
    text_str(g, " s");
  }
}

static void append_status(text *g, int status, const char *reason)
{
  text_int(g, status);
  if (reason && reason[0]) {
    text_str(g, " ");
    text_str(g, reason);
  }
}

static void append_q850(text *g, int cause)
{
  const char *words = sipflow_q850_cause_text(cause);
  if (!cause)
    return;
  text_str(g, " (Q.850 cause ");
  text_int(g, cause);
  if (words) {
    text_str(g, ": ");
    text_str(g, words);
  }
  text_str(g, ")");
}

static void append_endpoint(text *g, const sipflow_endpoint *ep)
{
  char buf[SIPFLOW_ENDPOINT_STRLEN];
  text_str(g, sipflow_endpoint_format(ep, buf, sizeof buf));
}

/* ----------------------------------------------------------- failure */

/* "after 3.2 s of ringing" from the first 101-199, else "after 0.2 s" from
 * the attempt's request. */
static void append_after(text *g, const sf_outcome *o, int64_t until_us)
{
  text_str(g, " after ");
  if (sf_have_time(o->progress_us) && o->progress_us <= until_us) {
    append_duration(g, until_us - o->progress_us);
    text_str(g, " of ringing");
  } else {
    append_duration(g, until_us - o->request_us);
  }
}

const char *sf_analyze_failure(sf_call *c, sipflow_call_state state, const sf_outcome *o,
                                    int64_t observed_until_us)
{
  const sf_txn *f = o->final_txn;
  text g;

  text_init(&g);
  if (state == SIPFLOW_CALL_CANCELLED && o->cancel) {
    text_str(&g, "cancelled by the caller ");
    append_endpoint(&g, &o->cancel->src);
    append_after(&g, o, o->cancel->request_us);
    if (o->final_status && o->final_status != 487) {
      text_str(&g, " (final response ");
      append_status(&g, o->final_status, f->final_reason);
      text_str(&g, ")");
    }
  } else if (state == SIPFLOW_CALL_CANCELLED) {
    text_str(&g, "cancelled: ");
    append_status(&g, o->final_status, f->final_reason);
    text_str(&g, " from ");
    append_endpoint(&g, &o->final_from);
    append_after(&g, o, o->final_us);
    text_str(&g, " (no CANCEL seen)");
  } else if (state == SIPFLOW_CALL_BUSY || state == SIPFLOW_CALL_REJECTED) {
    text_str(&g, "rejected by ");
    append_endpoint(&g, &o->final_from);
    text_str(&g, " with ");
    append_status(&g, o->final_status, f->final_reason);
    append_after(&g, o, o->final_us);
    append_q850(&g, f->final_q850);
  } else if (state == SIPFLOW_CALL_FAILED) {
    text_str(&g, o->primary->method);
    text_str(&g, o->final_status < 400 ? " redirected by " : " rejected by ");
    append_endpoint(&g, &o->final_from);
    text_str(&g, " with ");
    append_status(&g, o->final_status, f->final_reason);
    append_q850(&g, f->final_q850);
  } else if ((state == SIPFLOW_CALL_SETUP || state == SIPFLOW_CALL_PENDING) &&
             !o->any_response && o->primary->request_seen &&
             observed_until_us - o->request_us >= SF_TIMER_B_US) {
    /* the client gave up: Timer B (INVITE) / F (others) */
    text_str(&g, "no response from ");
    append_endpoint(&g, &o->primary->dst);
    text_str(&g, " to the ");
    text_str(&g, o->primary->method);
    text_str(&g, " within ");
    text_int(&g, SF_TIMER_B_US / 1000000);
    text_str(&g, " s");
  } else {
    return NULL;
  }
  const char *s = sf_calls_strdup(c, g.s, g.len);
  text_free(&g);
  return s;
}
