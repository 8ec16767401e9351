/*
 * Test helper for test_correlate.c and test_analyze.c: builds SIP messages
 * from a few fields, feeds them through sipflow_feed_sip() and records what
 * the library delivers (correlation ids of every message, the calls handed
 * to on_call_end).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Calls are kept (keep_calls) so that sipflow_get_call() returns them after
 * sipflow_finish(); their strings stay valid until script_free().
 */
#ifndef SIPSCRIPT_H
#define SIPSCRIPT_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include <sipflow/sipflow.h>

/* Each test file uses only part of the helpers. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define SCRIPT_MAX 256
#define SCRIPT_T0 1700000000000000LL /* epoch µs of time 0 */

/* Endpoints used by the scenarios. */
#define UA_A "10.0.0.1:5060"   /* caller */
#define UA_B "10.0.0.2:5060"   /* callee */
#define UA_P "10.0.0.3:5060"   /* proxy / B2BUA */
#define UA_C "10.0.0.4:5060"   /* second fork */

typedef struct got_msg {
  uint64_t frame;
  uint32_t txn, dialog, call;
  int rtx;
} got_msg;

typedef struct script {
  sipflow_ctx *ctx;
  got_msg msgs[SCRIPT_MAX];
  size_t n_msgs;
  uint32_t ended[SCRIPT_MAX]; /* call ids in on_call_end order */
  int64_t ended_at[SCRIPT_MAX]; /* frame of the last message fed before it */
  sipflow_call_info ended_info[SCRIPT_MAX]; /* as on_call_end saw it: its
                                   pointers are not to be followed after */
  size_t n_ended;
  uint64_t last_frame;
  int feed_rc;
} script;

/* One message: a request when method is set, else a response. */
typedef struct sipm {
  const char *method;
  int status;
  const char *reason;      /* default: the usual phrase for status */
  const char *via;         /* top Via after "SIP/2.0/UDP " */
  const char *via2;        /* second Via, optional */
  const char *call_id;
  const char *from_tag;    /* NULL: no tag */
  const char *to_tag;
  unsigned cseq;
  const char *cseq_method; /* default: method */
  const char *extra;       /* more header lines, each ending in "\n" */
  const char *ruri;        /* default sip:bob@10.0.0.2 */
} sipm;

static void script_on_message(const sipflow_message *m, void *user)
{
  script *s = user;
  assert_true(s->n_msgs < SCRIPT_MAX);
  s->msgs[s->n_msgs++] = (got_msg){m->frame, m->transaction, m->dialog, m->call,
                                   m->retransmission};
}

static void script_on_call_end(const sipflow_call_info *c, void *user)
{
  script *s = user;
  assert_true(s->n_ended < SCRIPT_MAX);
  s->ended_at[s->n_ended] = (int64_t)s->last_frame;
  s->ended_info[s->n_ended] = *c;
  s->ended[s->n_ended++] = c->call;
}

static script *script_new_opts(const sipflow_call_options *opt)
{
  script *s = calloc(1, sizeof *s);
  sipflow_callbacks cb = {.on_message = script_on_message,
                          .on_call_end = script_on_call_end};
  sipflow_call_options keep = {.keep_calls = 1};

  assert_non_null(s);
  s->ctx = sipflow_new(&cb, s, NULL);
  assert_non_null(s->ctx);
  assert_int_equal(sipflow_set_call_options(s->ctx, opt ? opt : &keep), SIPFLOW_OK);
  return s;
}

static script *script_new(void)
{
  return script_new_opts(NULL);
}

static void script_free(script *s)
{
  sipflow_free(s->ctx);
  free(s);
}

static sipflow_endpoint endpoint(const char *text)
{
  sipflow_endpoint ep = {.family = 4};
  char ip[32];
  const char *colon = strchr(text, ':');

  assert_non_null(colon);
  assert_true((size_t)(colon - text) < sizeof ip);
  memcpy(ip, text, (size_t)(colon - text));
  ip[colon - text] = '\0';
  assert_int_equal(inet_pton(AF_INET, ip, ep.addr), 1);
  ep.port = (uint16_t)atoi(colon + 1);
  return ep;
}

static const char *default_reason(int status)
{
  switch (status) {
  case 100: return "Trying";
  case 180: return "Ringing";
  case 183: return "Session Progress";
  case 200: return "OK";
  case 202: return "Accepted";
  case 302: return "Moved Temporarily";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 407: return "Proxy Authentication Required";
  case 408: return "Request Timeout";
  case 480: return "Temporarily Unavailable";
  case 481: return "Call/Transaction Does Not Exist";
  case 486: return "Busy Here";
  case 487: return "Request Terminated";
  case 503: return "Service Unavailable";
  case 603: return "Decline";
  }
  return "Whatever";
}

/* The text of m, CRLF line ends, "\n" in fields turned into CRLF. */
static char *sip_text(const sipm *m)
{
  GString *g = g_string_new(NULL);
  const char *cseq_method = m->cseq_method ? m->cseq_method : m->method;

  assert_non_null(cseq_method);
  if (m->method)
    g_string_append_printf(g, "%s %s SIP/2.0\n", m->method,
                           m->ruri ? m->ruri : "sip:bob@10.0.0.2");
  else
    g_string_append_printf(g, "SIP/2.0 %d %s\n", m->status,
                           m->reason ? m->reason : default_reason(m->status));
  if (m->via)
    g_string_append_printf(g, "Via: SIP/2.0/UDP %s\n", m->via);
  if (m->via2)
    g_string_append_printf(g, "Via: SIP/2.0/UDP %s\n", m->via2);
  g_string_append(g, "From: \"Alice\" <sip:alice@example.com>");
  if (m->from_tag)
    g_string_append_printf(g, ";tag=%s", m->from_tag);
  g_string_append(g, "\nTo: <sip:bob@example.com>");
  if (m->to_tag)
    g_string_append_printf(g, ";tag=%s", m->to_tag);
  g_string_append_printf(g, "\nCall-ID: %s\nCSeq: %u %s\n", m->call_id, m->cseq, cseq_method);
  if (m->extra)
    g_string_append(g, m->extra);
  g_string_append(g, "Content-Length: 0\n\n");
  GString *crlf = g_string_new(NULL);
  for (size_t i = 0; i < g->len; i++) {
    if (g->str[i] == '\n')
      g_string_append_c(crlf, '\r');
    g_string_append_c(crlf, g->str[i]);
  }
  g_string_free(g, TRUE);
  return g_string_free(crlf, FALSE);
}

/* Feeds m as frame `frame` at T0 + ms milliseconds from src to dst.  The
 * bytes are copied into a buffer of exactly their length (ASan checks that
 * nothing reads past it). */
static void feed_us(script *s, uint64_t frame, int64_t us, const char *src, const char *dst,
                    sipm m)
{
  char *text = sip_text(&m);
  size_t len = strlen(text);
  char *exact = malloc(len);
  sipflow_endpoint a = endpoint(src), b = endpoint(dst);

  assert_non_null(exact);
  memcpy(exact, text, len);
  s->last_frame = frame;
  s->feed_rc = sipflow_feed_sip(s->ctx, exact, len, frame, SCRIPT_T0 + us, &a, &b,
                                SIPFLOW_TRANSPORT_UDP);
  assert_int_equal(s->feed_rc, SIPFLOW_OK);
  free(exact);
  g_free(text);
}

static void feed(script *s, uint64_t frame, int64_t ms, const char *src, const char *dst,
                 sipm m)
{
  feed_us(s, frame, ms * 1000, src, dst, m);
}

static void script_finish(script *s)
{
  sipflow_finish(s->ctx);
}

/* The ids of the message delivered for frame. */
static const got_msg *msg_of(const script *s, uint64_t frame)
{
  for (size_t i = 0; i < s->n_msgs; i++)
    if (s->msgs[i].frame == frame)
      return &s->msgs[i];
  fail_msg("no message delivered for frame %llu", (unsigned long long)frame);
  return NULL;
}

/* Expected {frame, transaction, dialog, call, retransmission} rows, one per
 * delivered message, in delivery order. */
static void expect_msgs_(const script *s, const got_msg *exp, size_t n, int line)
{
  if (s->n_msgs != n)
    fail_msg("line %d: %zu messages delivered, expected %zu", line, s->n_msgs, n);
  for (size_t i = 0; i < n; i++) {
    const got_msg *g = &s->msgs[i], *e = &exp[i];
    if (g->frame != e->frame || g->txn != e->txn || g->dialog != e->dialog ||
        g->call != e->call || g->rtx != e->rtx)
      fail_msg("line %d: frame %llu: got txn %u dialog %u call %u rtx %d, expected "
               "frame %llu txn %u dialog %u call %u rtx %d", line,
               (unsigned long long)g->frame, g->txn, g->dialog, g->call, g->rtx,
               (unsigned long long)e->frame, e->txn, e->dialog, e->call, e->rtx);
  }
}
#define expect_msgs(s, ...)                                                          \
  do {                                                                               \
    static const got_msg exp_[] = {__VA_ARGS__};                                     \
    expect_msgs_((s), exp_, sizeof exp_ / sizeof exp_[0], __LINE__);                 \
  } while (0)

static const sipflow_call_info *call_of(script *s, uint32_t id)
{
  const sipflow_call_info *c = sipflow_get_call(s->ctx, id);
  if (!c)
    fail_msg("no call %u", id);
  return c;
}

/* Compares a library string with the expected one (NULL = absent). */
#define assert_str(got, exp) assert_str_((got), (exp), __LINE__)
static void assert_str_(const char *got, const char *exp, int line)
{
  if (!exp && !got)
    return;
  if (!exp || !got || strcmp(got, exp) != 0)
    fail_msg("line %d: got \"%s\", expected \"%s\"", line, got ? got : "(null)",
             exp ? exp : "(null)");
}

/* The anomalies as "a,b,c" (names in flag order). */
static char *anomaly_list(unsigned flags)
{
  GString *g = g_string_new(NULL);
  for (unsigned i = 0; i < SIPFLOW_ANOMALY_COUNT; i++)
    if (flags & (1u << i))
      g_string_append_printf(g, "%s%s", g->len ? "," : "", sipflow_anomaly_name(1u << i));
  return g_string_free(g, FALSE);
}

#define assert_anomalies(c, exp)                                                     \
  do {                                                                               \
    char *a_ = anomaly_list((c)->anomalies);                                         \
    assert_str_(a_, (exp), __LINE__);                                                \
    g_free(a_);                                                                      \
  } while (0)

#endif /* SIPSCRIPT_H */
