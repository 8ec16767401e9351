/*
 * analyze stage, private: call outcome, timings, anomalies (analyze.c), the
 * Q.850 cause of a Reason header (q850.c) and the aggregate statistics
 * (stats.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SF_ANALYZE_H
#define SF_ANALYZE_H

#include "correlate.h"

/* RFC 3261 §17.1.1.2: Timer B = Timer F = 64*T1 with T1 = 500 ms. */
#define SF_TIMER_B_US (64 * 500 * 1000LL)

/* What the last attempt of a call shows: analyze.c works it out from the
 * transactions, analyze_failure.c words it. */
typedef struct sf_outcome {
  const sf_txn *primary;       /* first hop */
  const sf_txn *final_txn;     /* the transaction whose final counts */
  int final_status;
  sipflow_endpoint final_from; /* who produced it */
  int64_t request_us, progress_us, answer_us, final_us;
  const sf_txn *cancel;        /* earliest CANCEL of the attempt */
  bool any_response;
  bool bye_known;              /* bye is set (bye_after_answer) */
  const sf_txn *bye;           /* first BYE after answer_us */
} sf_outcome;

static inline bool sf_have_time(int64_t t) { return t != SF_NO_TIME; }

/* µs to the nearest ms, halves away from zero. */
static inline int64_t sf_round_ms(int64_t us)
{
  return us >= 0 ? (us + 500) / 1000 : -((-us + 500) / 1000);
}

/* analyze.c */

/* Builds c->info from the facts correlate.c gathered; its transaction and
 * dialog arrays are written into room (valid until room is used again),
 * unless lists is false: then the info has none (NULL, n_transactions and
 * n_dialogs 0; sipflow_call_options.summary_only).  observed_until_us is
 * the latest capture time seen: a request still unanswered 64*T1 after it
 * was sent counts as unanswered.  Returns &c->info.  Can be called again
 * (the view is rebuilt). */
const sipflow_call_info *sf_analyze_call(sf_call *c, int64_t observed_until_us,
                                         sf_views *room, bool lists);
/* Gives c->info arrays of its own (copies of those in the room), valid
 * until sf_analyze_release: for the calls kept after finalisation. */
void sf_analyze_keep(sf_call *c);
/* Frees the arrays sf_analyze_keep made. */
void sf_analyze_release(sf_call *c);
/* Frees the room. */
void sf_analyze_views_free(sf_views *room);
/* analyze_failure.c */

/* The failure sentence of a call in that state with that outcome (DESIGN.md:
 * who refused it and how), copied into c's strings (sf_calls_strdup), or
 * NULL when the call did not fail. */
const char *sf_analyze_failure(sf_call *c, sipflow_call_state state, const sf_outcome *o,
                               int64_t observed_until_us);

/* q850.c */

/* The Q.850 cause carried by msg's Reason header(s) (RFC 3326), 0 = none. */
int sf_q850_cause(const sipflow_message *msg);

/* stats.c */

sf_stats *sf_stats_new(void);
void sf_stats_free(sf_stats *s);
/* The names of the methods, by sipflow_method (sipflow_method_name without
 * the call through the PLT, for the library's own use). */
extern const char *const sf_method_names[SIPFLOW_METHOD_COUNT];
/* The method of a request line, SIPFLOW_METHOD_OTHER when not known. */
sipflow_method sf_stats_method(const char *ptr, size_t len);
/* The counters of s: an sf_stats starts with them (stats.c checks). */
static inline sipflow_stats *sf_stats_counters(sf_stats *s)
{
  return (sipflow_stats *)(void *)s;
}

/* Counts a delivered message (after correlation); mid is the method of a
 * request (sf_stats_method of msg->method).  Inline: a few additions for
 * every message, where the call cost as much. */
static inline void sf_stats_message(sf_stats *s, const sipflow_message *msg, sipflow_method mid)
{
  sipflow_stats *n = sf_stats_counters(s);

  n->messages++;
  n->retransmissions += msg->retransmission != 0;
  if (msg->is_request) {
    n->requests++;
    n->by_method[mid]++;
  } else {
    n->responses++;
    unsigned cls = (unsigned)msg->status / 100;
    if (cls - 1 < 6) /* 1xx .. 6xx */
      n->by_status_class[cls]++;
  }
}
/* Counts a finalised call. */
void sf_stats_call(sf_stats *s, const sipflow_call_info *call);
/* Computes the KPIs into *out. */
void sf_stats_fill(sf_stats *s, sipflow_stats *out);

#endif /* SF_ANALYZE_H */
