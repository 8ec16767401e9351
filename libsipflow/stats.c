/*
 * Aggregate statistics and telecom KPIs (ASR, NER, PDD, ACD), computed in
 * the library so that the CLI and the Wireshark plugin print the same
 * numbers.  Definitions: sipflow.h, sipflow_stats.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

/* One row of the failure ranking. */
typedef struct failure_row {
  sipflow_failure_count pub; /* label owned by the row */
  uint64_t order;            /* first appearance, for a stable ranking */
} failure_row;

struct sf_stats {
  sipflow_stats s;           /* counters; KPIs filled by sf_stats_fill.
                                First: sf_stats_counters (analyze.h) */
  int64_t *pdd_ms;           /* setup_ms of every INVITE call with one */
  size_t n_pdd, pdd_cap;
  double pdd_sum_ms;
  double acd_sum_s;
  GHashTable *failures;      /* int64 key -> failure_row* */
  GPtrArray *rows;           /* failure_row*, owned, in order of appearance */
};

static void row_free(gpointer p)
{
  failure_row *r = p;
  g_free((char *)r->pub.label);
  g_free(r);
}

G_STATIC_ASSERT(offsetof(struct sf_stats, s) == 0);

sf_stats *sf_stats_new(void)
{
  sf_stats *s = g_new0(sf_stats, 1);
  s->failures = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  s->rows = g_ptr_array_new_with_free_func(row_free);
  return s;
}

void sf_stats_free(sf_stats *s)
{
  if (!s)
    return;
  g_free(s->pdd_ms);
  g_hash_table_destroy(s->failures);
  g_ptr_array_free(s->rows, TRUE);
  g_free(s);
}

/* ------------------------------------------------------------ methods */

const char *const sf_method_names[SIPFLOW_METHOD_COUNT] = {
  "INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "PRACK", "SUBSCRIBE",
  "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE", "other"};

const char *sipflow_method_name(sipflow_method m)
{
  return (unsigned)m < SIPFLOW_METHOD_COUNT ? sf_method_names[m] : "other";
}

/* The one known method a name of that first letter and length can be
 * (no two share both), SIPFLOW_METHOD_OTHER when none.  Runs for every
 * message: a switch instead of fourteen strlen + memcmp. */
static sipflow_method method_candidate(char first, size_t len)
{
  switch (first) {
  case 'A': return len == 3 ? SIPFLOW_METHOD_ACK : SIPFLOW_METHOD_OTHER;
  case 'B': return len == 3 ? SIPFLOW_METHOD_BYE : SIPFLOW_METHOD_OTHER;
  case 'C': return len == 6 ? SIPFLOW_METHOD_CANCEL : SIPFLOW_METHOD_OTHER;
  case 'I':
    return len == 6 ? SIPFLOW_METHOD_INVITE : len == 4 ? SIPFLOW_METHOD_INFO
                                                       : SIPFLOW_METHOD_OTHER;
  case 'M': return len == 7 ? SIPFLOW_METHOD_MESSAGE : SIPFLOW_METHOD_OTHER;
  case 'N': return len == 6 ? SIPFLOW_METHOD_NOTIFY : SIPFLOW_METHOD_OTHER;
  case 'O': return len == 7 ? SIPFLOW_METHOD_OPTIONS : SIPFLOW_METHOD_OTHER;
  case 'P':
    return len == 5 ? SIPFLOW_METHOD_PRACK : len == 7 ? SIPFLOW_METHOD_PUBLISH
                                                      : SIPFLOW_METHOD_OTHER;
  case 'R':
    return len == 8 ? SIPFLOW_METHOD_REGISTER : len == 5 ? SIPFLOW_METHOD_REFER
                                                         : SIPFLOW_METHOD_OTHER;
  case 'S': return len == 9 ? SIPFLOW_METHOD_SUBSCRIBE : SIPFLOW_METHOD_OTHER;
  case 'U': return len == 6 ? SIPFLOW_METHOD_UPDATE : SIPFLOW_METHOD_OTHER;
  default: return SIPFLOW_METHOD_OTHER;
  }
}

/* Methods are case-sensitive (RFC 3261 §7.1). */
sipflow_method sf_stats_method(const char *ptr, size_t len)
{
  if (!ptr || !len)
    return SIPFLOW_METHOD_OTHER;
  sipflow_method m = method_candidate(ptr[0], len);
  if (m != SIPFLOW_METHOD_OTHER && !sf_bytes_equal(sf_method_names[m], ptr, len))
    m = SIPFLOW_METHOD_OTHER;
  return m;
}


/* --------------------------------------------------------------- calls */

static bool is_answered(sipflow_call_state st)
{
  return st == SIPFLOW_CALL_IN_CALL || st == SIPFLOW_CALL_COMPLETED;
}

/* ITU-T E.411 NER: the network delivered the call; the user answered,
 * was busy, did not answer, or refused it. */
static bool is_effective(const sipflow_call_info *c)
{
  switch (c->state) {
  case SIPFLOW_CALL_IN_CALL:
  case SIPFLOW_CALL_COMPLETED:
  case SIPFLOW_CALL_BUSY:
  case SIPFLOW_CALL_CANCELLED:
    return true;
  case SIPFLOW_CALL_REJECTED:
    return c->final_status == 480 || c->final_status == 603 ||
           (c->final_status == 408 && c->setup_ms >= 0);
  default:
    return false;
  }
}

static char *failure_label(const sipflow_call_info *c)
{
  if (c->state == SIPFLOW_CALL_CANCELLED)
    return g_strdup("cancelled by the caller");
  if (!c->final_status)
    return g_strdup("no response");
  GString *g = g_string_new(NULL);
  g_string_append_printf(g, "%d", c->final_status);
  if (c->reason && c->reason[0])
    g_string_append_printf(g, " %s", c->reason);
  if (c->q850_cause)
    g_string_append_printf(g, " (Q.850 cause %d)", c->q850_cause);
  return g_string_free(g, FALSE);
}

static void count_failure(sf_stats *s, const sipflow_call_info *c)
{
  bool cancelled = c->state == SIPFLOW_CALL_CANCELLED;
  int status = cancelled ? 0 : c->final_status;
  int q850 = cancelled ? 0 : c->q850_cause;
  int64_t key = ((int64_t)c->state << 40) | ((int64_t)status << 16) | (q850 & 0xffff);
  failure_row *r = g_hash_table_lookup(s->failures, &key);

  if (!r) {
    r = g_new0(failure_row, 1);
    r->pub = (sipflow_failure_count){.state = c->state, .final_status = status,
                                     .q850_cause = q850, .label = failure_label(c)};
    r->order = s->rows->len;
    g_ptr_array_add(s->rows, r);
    int64_t *k = g_new(int64_t, 1);
    *k = key;
    g_hash_table_insert(s->failures, k, r);
  }
  r->pub.calls++;
}

void sf_stats_call(sf_stats *s, const sipflow_call_info *c)
{
  s->s.calls++;
  s->s.transactions += c->transactions;
  s->s.dialogs += c->dialogs;
  if ((unsigned)c->state < SIPFLOW_CALL_STATE_COUNT)
    s->s.calls_by_state[c->state]++;
  /* the flags set (most calls have none), lowest first */
  for (unsigned a = c->anomalies & ((1u << SIPFLOW_ANOMALY_COUNT) - 1); a; a &= a - 1)
    s->s.anomalies[__builtin_ctz(a)]++;
  if (c->failure) {
    s->s.failed++;
    count_failure(s, c);
  }
  if (c->state >= SIPFLOW_CALL_OK)
    return; /* the KPIs are about INVITE calls */
  s->s.invite_calls++;
  if (is_answered(c->state))
    s->s.answered++;
  if (is_effective(c))
    s->s.effective++;
  if (c->setup_ms >= 0) {
    int64_t v = c->setup_ms;
    if (s->n_pdd == s->pdd_cap) {
      s->pdd_cap = s->pdd_cap ? 2 * s->pdd_cap : 1024;
      s->pdd_ms = g_renew(int64_t, s->pdd_ms, s->pdd_cap);
    }
    s->pdd_ms[s->n_pdd++] = v;
    s->pdd_sum_ms += (double)v;
  }
  if (c->state == SIPFLOW_CALL_COMPLETED && c->duration_s >= 0) {
    s->s.acd_count++;
    s->acd_sum_s += c->duration_s;
  }
}

/* ----------------------------------------------------------------- KPIs */

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted values: the value at rank
 * ceil(p/100 * n), 1-based. */
static int64_t percentile(const int64_t *sorted, size_t n, unsigned p)
{
  size_t rank = (p * n + 99) / 100;
  return sorted[rank ? rank - 1 : 0];
}

static int cmp_rows(const void *a, const void *b)
{
  const failure_row *x = *(failure_row *const *)a, *y = *(failure_row *const *)b;
  if (x->pub.calls != y->pub.calls)
    return x->pub.calls > y->pub.calls ? -1 : 1;
  if (x->pub.final_status != y->pub.final_status)
    return x->pub.final_status < y->pub.final_status ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static void fill_pdd(sf_stats *s, sipflow_stats *out)
{
  size_t n = s->n_pdd;

  out->pdd_count = n;
  out->pdd_mean_ms = -1;
  out->pdd_p50_ms = out->pdd_p95_ms = -1;
  if (!n)
    return;
  int64_t *sorted = g_new(int64_t, n);
  memcpy(sorted, s->pdd_ms, n * sizeof(int64_t));
  qsort(sorted, n, sizeof *sorted, cmp_i64);
  out->pdd_mean_ms = s->pdd_sum_ms / (double)n;
  out->pdd_p50_ms = percentile(sorted, n, 50);
  out->pdd_p95_ms = percentile(sorted, n, 95);
  g_free(sorted);
}

static void fill_failures(sf_stats *s, sipflow_stats *out)
{
  size_t n = s->rows->len;
  failure_row **rows = g_new(failure_row *, n + 1);
  if (n)
    memcpy(rows, s->rows->pdata, n * sizeof *rows);

  qsort(rows, n, sizeof *rows, cmp_rows);
  out->n_top_failures = n < SIPFLOW_STATS_TOP_FAILURES ? n : SIPFLOW_STATS_TOP_FAILURES;
  for (size_t i = 0; i < out->n_top_failures; i++)
    out->top_failures[i] = rows[i]->pub;
  g_free(rows);
}

void sf_stats_fill(sf_stats *s, sipflow_stats *out)
{
  *out = s->s;
  uint64_t n = out->invite_calls;
  out->asr = n ? 100.0 * (double)out->answered / (double)n : -1;
  out->ner = n ? 100.0 * (double)out->effective / (double)n : -1;
  out->acd_s = out->acd_count ? s->acd_sum_s / (double)out->acd_count : -1;
  fill_pdd(s, out);
  fill_failures(s, out);
}
