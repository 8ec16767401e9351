/*
 * Helpers for test_render.c: a context whose on_message feeds a ladder, SIP
 * messages built from sipscript.h's fields (plus SDP bodies), the call
 * scenarios, and the checks every output goes through (golden files, the
 * ascii ladder read back, xmllint, the Mermaid grammar, JSON parsing).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RENDERRIG_H
#define RENDERRIG_H

#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sipscript.h"

/* The cast (like samples/): Alice, a proxy, Bob and Bob's second phone. */
#define ALICE "10.0.0.1:5060"
#define PROXY "10.0.0.2:5060"
#define BOB "10.0.0.3:5060"
#define BOB2 "10.0.0.4:5060"

#define UA_ALICE "User-Agent: Acme SoftPhone 3.2.1\n"
#define SV_PROXY "Server: Acme Proxy 2.0\n"
#define SV_BOB "Server: Acme DeskPhone 7.0.4\n"
#define SV_BOB2 "Server: Acme DeskPhone 7.0.4 (hall)\n"

#define SDP_ALICE                                                                    \
  "v=0\no=alice 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"                \
  "m=audio 40000 RTP/AVP 0 8 101\na=rtpmap:101 telephone-event/8000\n"
#define SDP_BOB                                                                      \
  "v=0\no=bob 2 2 IN IP4 10.0.0.3\ns=-\nc=IN IP4 10.0.0.3\nt=0 0\n"                  \
  "m=audio 50000 RTP/AVP 0\n"
#define SDP_HOLD                                                                     \
  "v=0\no=alice 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"                \
  "m=audio 40000 RTP/AVP 0\na=sendonly\nm=video 0 RTP/AVP 96\n"

/* ------------------------------------------------------------- the rig */

typedef struct rig {
  sipflow_ctx *ctx;
  sipflow_ladder *ladder;
  size_t n_msgs;
} rig;

static void rig_on_message(const sipflow_message *m, void *user)
{
  rig *r = user;
  assert_int_equal(sipflow_ladder_add(r->ladder, m), SIPFLOW_OK);
  r->n_msgs++;
}

static rig *rig_new(const sipflow_ladder_options *o)
{
  rig *r = calloc(1, sizeof *r);
  sipflow_callbacks cb = {.on_message = rig_on_message};

  assert_non_null(r);
  r->ctx = sipflow_new(&cb, r, NULL);
  r->ladder = sipflow_ladder_new(o);
  assert_non_null(r->ctx);
  assert_non_null(r->ladder);
  return r;
}

/* The ladder outlives the context: free the context first on purpose. */
static void rig_free(rig *r)
{
  sipflow_ladder_free(r->ladder);
  free(r);
}

static void rig_finish(rig *r)
{
  sipflow_finish(r->ctx);
  sipflow_free(r->ctx);
  r->ctx = NULL;
}

/* "1.2.3.4:5060" or "[2001:db8::1]:5060". */
static sipflow_endpoint ep(const char *text)
{
  sipflow_endpoint e = {0};
  char ip[64];
  const char *colon = strrchr(text, ':');
  size_t skip = text[0] == '[' ? 1 : 0;
  size_t n = (size_t)(colon - text) - 2 * skip;

  assert_non_null(colon);
  assert_true(n < sizeof ip);
  memcpy(ip, text + skip, n);
  ip[n] = '\0';
  e.family = skip ? 6 : 4;
  assert_int_equal(inet_pton(skip ? AF_INET6 : AF_INET, ip, e.addr), 1);
  e.port = (uint16_t)atoi(colon + 1);
  return e;
}

/* Feeds a whole message given with "\n" line ends (turned into CRLF). */
static void put_text(rig *r, uint64_t frame, int64_t ms, const char *src, const char *dst,
                     sipflow_transport tr, const char *text, size_t len)
{
  GString *g = g_string_new(NULL);
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
      g_string_append_c(g, '\r');
    g_string_append_c(g, text[i]);
  }
  char *exact = malloc(g->len); /* ASan sees any read past the end */
  sipflow_endpoint a = ep(src), b = ep(dst);
  assert_non_null(exact);
  memcpy(exact, g->str, g->len);
  size_t before = r->n_msgs;
  assert_int_equal(sipflow_feed_sip(r->ctx, exact, g->len, frame, SCRIPT_T0 + ms * 1000, &a,
                                    &b, tr),
                   SIPFLOW_OK);
  assert_int_equal(r->n_msgs, before + 1);
  free(exact);
  g_string_free(g, TRUE);
}

/* A message from sipscript's builder, with an optional SDP body. */
static void put_tr(rig *r, uint64_t frame, int64_t ms, const char *src, const char *dst,
                   sipflow_transport tr, sipm m, const char *sdp)
{
  char *text = sip_text(&m);
  GString *g = g_string_new(text);
  static const char tail[] = "Content-Length: 0\r\n\r\n";

  assert_true(g->len >= sizeof tail - 1);
  if (sdp) {
    GString *body = g_string_new(NULL);
    for (const char *p = sdp; *p; p++) {
      if (*p == '\n')
        g_string_append_c(body, '\r');
      g_string_append_c(body, *p);
    }
    g_string_truncate(g, g->len - (sizeof tail - 1));
    g_string_append_printf(g, "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                           body->len, body->str);
    g_string_free(body, TRUE);
  }
  put_text(r, frame, ms, src, dst, tr, g->str, g->len);
  g_string_free(g, TRUE);
  g_free(text);
}

static void put(rig *r, uint64_t frame, int64_t ms, const char *src, const char *dst, sipm m,
                const char *sdp)
{
  put_tr(r, frame, ms, src, dst, SIPFLOW_TRANSPORT_UDP, m, sdp);
}

/* ----------------------------------------------------------- scenarios */

#define V(h, b) h ";branch=z9hG4bK" b

/* Alice -> proxy -> Bob; the proxy does not Record-Route, so ACK and BYE
 * go straight between Alice and Bob, across the proxy's lane. */
static rig *scn_proxy(void)
{
  rig *r = rig_new(NULL);
  const char *c = "proxy-call";
  put(r, 1, 0, ALICE, PROXY, (sipm){.method = "INVITE", .via = V(ALICE, "a1"), .call_id = c, .from_tag = "a", .cseq = 1, .extra = UA_ALICE}, SDP_ALICE);
  put(r, 2, 5, PROXY, ALICE, (sipm){.status = 100, .via = V(ALICE, "a1"), .call_id = c, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE", .extra = SV_PROXY}, NULL);
  put(r, 3, 10, PROXY, BOB, (sipm){.method = "INVITE", .via = V(PROXY, "p1"), .via2 = V(ALICE, "a1"), .call_id = c, .from_tag = "a", .cseq = 1, .extra = UA_ALICE, .ruri = "sip:bob@10.0.0.3"}, SDP_ALICE);
  put(r, 4, 25, BOB, PROXY, (sipm){.status = 100, .via = V(PROXY, "p1"), .via2 = V(ALICE, "a1"), .call_id = c, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 5, 120, BOB, PROXY, (sipm){.status = 180, .via = V(PROXY, "p1"), .via2 = V(ALICE, "a1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 6, 125, PROXY, ALICE, (sipm){.status = 180, .via = V(ALICE, "a1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 7, 3200, BOB, PROXY, (sipm){.status = 200, .via = V(PROXY, "p1"), .via2 = V(ALICE, "a1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, SDP_BOB);
  put(r, 8, 3205, PROXY, ALICE, (sipm){.status = 200, .via = V(ALICE, "a1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, SDP_BOB);
  put(r, 9, 3215, ALICE, BOB, (sipm){.method = "ACK", .via = V(ALICE, "a2"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .ruri = "sip:bob@10.0.0.3", .extra = UA_ALICE}, NULL);
  put(r, 10, 13200, BOB, ALICE, (sipm){.method = "BYE", .via = V(BOB, "b1"), .call_id = c, .from_tag = "b", .to_tag = "a", .cseq = 1, .ruri = "sip:alice@10.0.0.1", .extra = "User-Agent: Acme DeskPhone 7.0.4\n"}, NULL);
  put(r, 11, 13220, ALICE, BOB, (sipm){.status = 200, .via = V(BOB, "b1"), .call_id = c, .from_tag = "b", .to_tag = "a", .cseq = 1, .cseq_method = "BYE", .extra = UA_ALICE}, NULL);
  rig_finish(r);
  return r;
}

/* Alice -> Bob: INVITE/100/180/CANCEL/200/487/ACK (samples/call-cancelled). */
static rig *scn_cancelled(void)
{
  rig *r = rig_new(NULL);
  const char *c = "cancel-call";
  put(r, 1, 0, ALICE, BOB, (sipm){.method = "INVITE", .via = V(ALICE, "c1"), .call_id = c, .from_tag = "a", .cseq = 1, .extra = UA_ALICE}, SDP_ALICE);
  put(r, 2, 20, BOB, ALICE, (sipm){.status = 100, .via = V(ALICE, "c1"), .call_id = c, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 3, 120, BOB, ALICE, (sipm){.status = 180, .via = V(ALICE, "c1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 4, 5000, ALICE, BOB, (sipm){.method = "CANCEL", .via = V(ALICE, "c1"), .call_id = c, .from_tag = "a", .cseq = 1, .extra = UA_ALICE}, NULL);
  put(r, 5, 5020, BOB, ALICE, (sipm){.status = 200, .via = V(ALICE, "c1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "CANCEL", .extra = SV_BOB}, NULL);
  put(r, 6, 5030, BOB, ALICE, (sipm){.status = 487, .via = V(ALICE, "c1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 7, 5040, ALICE, BOB, (sipm){.method = "ACK", .via = V(ALICE, "c1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .extra = UA_ALICE}, NULL);
  rig_finish(r);
  return r;
}

/* The proxy forks to Bob's two phones; the desk phone answers, the hall
 * phone is cancelled.  4 lanes: the proxy's arrows to and from the hall
 * phone skip the desk phone's lane. */
static rig *scn_forked(void)
{
  rig *r = rig_new(NULL);
  const char *c = "fork-call";
  put(r, 1, 0, ALICE, PROXY, (sipm){.method = "INVITE", .via = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .cseq = 1, .extra = UA_ALICE}, SDP_ALICE);
  put(r, 2, 5, PROXY, ALICE, (sipm){.status = 100, .via = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE", .extra = SV_PROXY}, NULL);
  put(r, 3, 10, PROXY, BOB, (sipm){.method = "INVITE", .via = V(PROXY, "q1"), .via2 = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .cseq = 1, .ruri = "sip:bob@10.0.0.3"}, SDP_ALICE);
  put(r, 4, 12, PROXY, BOB2, (sipm){.method = "INVITE", .via = V(PROXY, "q2"), .via2 = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .cseq = 1, .ruri = "sip:bob@10.0.0.4"}, SDP_ALICE);
  put(r, 5, 100, BOB, PROXY, (sipm){.status = 180, .via = V(PROXY, "q1"), .via2 = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 6, 105, PROXY, ALICE, (sipm){.status = 180, .via = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 7, 110, BOB2, PROXY, (sipm){.status = 180, .via = V(PROXY, "q2"), .via2 = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .to_tag = "b2", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB2}, NULL);
  put(r, 8, 115, PROXY, ALICE, (sipm){.status = 180, .via = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .to_tag = "b2", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB2}, NULL);
  put(r, 9, 3000, BOB, PROXY, (sipm){.status = 200, .via = V(PROXY, "q1"), .via2 = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, SDP_BOB);
  put(r, 10, 3005, PROXY, ALICE, (sipm){.status = 200, .via = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, SDP_BOB);
  put(r, 11, 3010, PROXY, BOB2, (sipm){.method = "CANCEL", .via = V(PROXY, "q2"), .call_id = c, .from_tag = "a", .cseq = 1, .ruri = "sip:bob@10.0.0.4"}, NULL);
  put(r, 12, 3020, BOB2, PROXY, (sipm){.status = 200, .via = V(PROXY, "q2"), .call_id = c, .from_tag = "a", .to_tag = "b2", .cseq = 1, .cseq_method = "CANCEL", .extra = SV_BOB2}, NULL);
  put(r, 13, 3025, BOB2, PROXY, (sipm){.status = 487, .via = V(PROXY, "q2"), .via2 = V(ALICE, "f1"), .call_id = c, .from_tag = "a", .to_tag = "b2", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB2}, NULL);
  put(r, 14, 3030, PROXY, BOB2, (sipm){.method = "ACK", .via = V(PROXY, "q2"), .call_id = c, .from_tag = "a", .to_tag = "b2", .cseq = 1, .ruri = "sip:bob@10.0.0.4"}, NULL);
  put(r, 15, 3040, ALICE, PROXY, (sipm){.method = "ACK", .via = V(ALICE, "f2"), .call_id = c, .from_tag = "a", .to_tag = "b1", .cseq = 1, .extra = UA_ALICE}, NULL);
  put(r, 16, 3045, PROXY, BOB, (sipm){.method = "ACK", .via = V(PROXY, "q3"), .via2 = V(ALICE, "f2"), .call_id = c, .from_tag = "a", .to_tag = "b1", .cseq = 1, .ruri = "sip:bob@10.0.0.3"}, NULL);
  rig_finish(r);
  return r;
}

/* Alice -> Bob over UDP: INVITE sent 3 times (Timer A), 200 twice, ACK,
 * then a re-INVITE putting the call on hold, BYE (samples/call-retrans). */
static rig *scn_retrans(void)
{
  rig *r = rig_new(NULL);
  const char *c = "retrans-call";
  for (int k = 0; k < 3; k++)
    put(r, 1 + (uint64_t)k, k == 0 ? 0 : k == 1 ? 500 : 1500, ALICE, BOB, (sipm){.method = "INVITE", .via = V(ALICE, "t1"), .call_id = c, .from_tag = "a", .cseq = 1, .extra = UA_ALICE}, SDP_ALICE);
  put(r, 4, 1520, BOB, ALICE, (sipm){.status = 100, .via = V(ALICE, "t1"), .call_id = c, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 5, 1620, BOB, ALICE, (sipm){.status = 180, .via = V(ALICE, "t1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 6, 4000, BOB, ALICE, (sipm){.status = 200, .via = V(ALICE, "t1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, SDP_BOB);
  put(r, 7, 4500, BOB, ALICE, (sipm){.status = 200, .via = V(ALICE, "t1"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE", .extra = SV_BOB}, SDP_BOB);
  put(r, 8, 4510, ALICE, BOB, (sipm){.method = "ACK", .via = V(ALICE, "t2"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 1, .extra = UA_ALICE}, NULL);
  put(r, 9, 10000, ALICE, BOB, (sipm){.method = "INVITE", .via = V(ALICE, "t3"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 2, .extra = UA_ALICE}, SDP_HOLD);
  put(r, 10, 10030, BOB, ALICE, (sipm){.status = 200, .via = V(ALICE, "t3"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 2, .cseq_method = "INVITE", .extra = SV_BOB}, NULL);
  put(r, 11, 10040, ALICE, BOB, (sipm){.method = "ACK", .via = V(ALICE, "t4"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 2, .extra = UA_ALICE}, NULL);
  put(r, 12, 14000, ALICE, BOB, (sipm){.method = "BYE", .via = V(ALICE, "t5"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 3, .extra = UA_ALICE}, NULL);
  put(r, 13, 14020, BOB, ALICE, (sipm){.status = 200, .via = V(ALICE, "t5"), .call_id = c, .from_tag = "a", .to_tag = "b", .cseq = 3, .cseq_method = "BYE", .extra = SV_BOB}, NULL);
  rig_finish(r);
  return r;
}

/* Two calls in one ladder: Alice registers over TCP from an ephemeral port
 * (merged with her UDP lane by IP), then an OPTIONS from the proxy's 5060 to
 * its own 5080 (a loop once merged). */
static rig *scn_two_calls(const sipflow_ladder_options *o)
{
  rig *r = rig_new(o);
  const char *a = "10.0.0.1:49152";
  put_tr(r, 1, 0, a, PROXY, SIPFLOW_TRANSPORT_TCP, (sipm){.method = "REGISTER", .via = V("10.0.0.1:49152", "r1"), .call_id = "reg-1", .from_tag = "a", .cseq = 1, .ruri = "sip:example.com", .extra = UA_ALICE}, NULL);
  put_tr(r, 2, 12, PROXY, a, SIPFLOW_TRANSPORT_TCP, (sipm){.status = 401, .via = V("10.0.0.1:49152", "r1"), .call_id = "reg-1", .from_tag = "a", .to_tag = "x", .cseq = 1, .cseq_method = "REGISTER", .extra = SV_PROXY}, NULL);
  put(r, 3, 20, PROXY, "10.0.0.2:5080", (sipm){.method = "OPTIONS", .via = V(PROXY, "o1"), .call_id = "opt-1", .from_tag = "p", .cseq = 7, .ruri = "sip:10.0.0.2:5080"}, NULL);
  put_tr(r, 4, 30, a, PROXY, SIPFLOW_TRANSPORT_TCP, (sipm){.method = "REGISTER", .via = V("10.0.0.1:49152", "r2"), .call_id = "reg-1", .from_tag = "a", .cseq = 2, .ruri = "sip:example.com", .extra = UA_ALICE}, NULL);
  put(r, 5, 31, "10.0.0.2:5080", PROXY, (sipm){.status = 200, .via = V(PROXY, "o1"), .call_id = "opt-1", .from_tag = "p", .to_tag = "q", .cseq = 7, .cseq_method = "OPTIONS"}, NULL);
  put_tr(r, 6, 45, PROXY, a, SIPFLOW_TRANSPORT_TCP, (sipm){.status = 200, .via = V("10.0.0.1:49152", "r2"), .call_id = "reg-1", .from_tag = "a", .to_tag = "x", .cseq = 2, .cseq_method = "REGISTER", .extra = SV_PROXY}, NULL);
  put(r, 7, 5000, PROXY, ALICE, (sipm){.method = "OPTIONS", .via = V(PROXY, "o2"), .call_id = "opt-2", .from_tag = "p", .cseq = 8, .ruri = "sip:alice@10.0.0.1"}, NULL);
  rig_finish(r);
  return r;
}

/* ------------------------------------------------------------- helpers */

static char *render(const sipflow_ladder *l, sipflow_ladder_format f,
                    const sipflow_render_options *o, size_t *len)
{
  char *out = NULL;
  size_t n = 0;
  assert_int_equal(sipflow_ladder_render(l, f, o, &out, &n), SIPFLOW_OK);
  assert_non_null(out);
  assert_int_equal(strlen(out), n);
  if (len)
    *len = n;
  return out;
}

static char *golden_path(const char *name)
{
  const char *src = getenv("SRCDIR");
  return g_strdup_printf("%s/tests/golden/%s", src ? src : "..", name);
}

/* Compares got with tests/golden/name; on a difference writes name.got in
 * the current directory and names the first line that differs. */
static void check_golden(const char *name, const char *got)
{
  char *path = golden_path(name), *want = NULL;
  size_t want_len = 0;

  if (getenv("SIPFLOW_UPDATE_GOLDEN")) {
    assert_true(g_file_set_contents(path, got, -1, NULL));
    printf("# wrote %s\n", path);
    g_free(path);
    return;
  }
  if (!g_file_get_contents(path, &want, &want_len, NULL))
    fail_msg("cannot read %s", path);
  if (want_len != strlen(got) || memcmp(want, got, want_len) != 0) {
    char *got_path = g_strdup_printf("%s.got", name);
    g_file_set_contents(got_path, got, -1, NULL);
    unsigned line = 1;
    size_t i = 0;
    while (i < want_len && got[i] && want[i] == got[i])
      line += want[i++] == '\n';
    fail_msg("%s differs from the golden file at line %u (output in %s)", path, line,
             got_path);
  }
  g_free(want);
  g_free(path);
}

/* Reads the ascii ladder back: one row per arrow, in order, with its frame
 * number, its line leaving the source lane and its head at the target
 * lane ("every message once, in order, between the right lanes"). */
static void check_ascii_rows(const sipflow_ladder *l, const char *ascii)
{
  char **lines = g_strsplit(ascii, "\n", -1);
  GArray *xs = g_array_new(FALSE, FALSE, sizeof(size_t));
  size_t i = 0, k = 0;

  for (; lines[i] && !xs->len; i++) {
    const char *s = lines[i];
    if (!strchr(s, '|') || strspn(s, " |") != strlen(s))
      continue;
    for (size_t x = 0; s[x]; x++)
      if (s[x] == '|')
        g_array_append_val(xs, x);
  }
  assert_int_equal(xs->len, sipflow_ladder_lane_count(l));
  for (; lines[i]; i++) {
    const char *s = lines[i];
    size_t sp = strspn(s, " ");
    if (!g_ascii_isdigit(s[sp]))
      continue; /* a continuation row */
    const sipflow_ladder_arrow *a = sipflow_ladder_get_arrow(l, k++);
    assert_non_null(a);
    assert_int_equal(strtoull(s + sp, NULL, 10), a->frame);
    size_t xf = g_array_index(xs, size_t, a->from_lane), xt = g_array_index(xs, size_t, a->to_lane);
    size_t n = strlen(s);
    assert_true(n > xf && n > xt && s[xf] == '|');
    if (xf == xt) {
      assert_true(s[xf + 1] == '-' || s[xf + 1] == '.');
    } else if (xt > xf) {
      assert_true(s[xt] == '|' && s[xt - 1] == '>');
      assert_true(s[xf + 1] == '-' || s[xf + 1] == '.');
    } else {
      assert_true(s[xt] == '|' && s[xt + 1] == '<');
      assert_true(s[xf - 1] == '-' || s[xf - 1] == '.');
    }
  }
  assert_int_equal(k, sipflow_ladder_arrow_count(l));
  g_array_free(xs, TRUE);
  g_strfreev(lines);
}

static void check_text_goldens(const sipflow_ladder *l, const char *name)
{
  char *fn = g_strdup_printf("%s.txt", name), *fa = g_strdup_printf("%s.ascii.txt", name);
  char *text = render(l, SIPFLOW_LADDER_TEXT, NULL, NULL);
  char *ascii = render(l, SIPFLOW_LADDER_ASCII, NULL, NULL);

  check_ascii_rows(l, ascii);
  check_golden(fn, text);
  check_golden(fa, ascii);
  for (const char *p = ascii; *p; p++)
    if ((unsigned char)*p >= 0x80 || (*p < 0x20 && *p != '\n'))
      fail_msg("ascii output has byte 0x%02x", (unsigned char)*p);
  assert_null(strchr(text, '\x1b'));
  sipflow_buffer_free(text);
  sipflow_buffer_free(ascii);
  g_free(fn);
  g_free(fa);
}

/* Runs a shell command line; 0 when it exits 0. */
static int run(const char *cmd)
{
  int rc = system(cmd);
  return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Writes data to a temporary file; returns its path (g_free it). */
static char *temp_file(const char *data, const char *suffix)
{
  char *tmpl = g_strdup_printf("sipflow-render-XXXXXX%s", suffix), *path = NULL;
  int fd = g_file_open_tmp(tmpl, &path, NULL);
  g_free(tmpl);
  assert_true(fd >= 0);
  size_t n = strlen(data);
  assert_int_equal(write(fd, data, n), (ssize_t)n);
  close(fd);
  return path;
}

/* xmllint --noout on data, when /usr/bin/xmllint exists (libxml2-utils). */
static void check_xml(const char *data, const char *what)
{
  if (access("/usr/bin/xmllint", X_OK) != 0) {
    printf("# note: /usr/bin/xmllint missing (package libxml2-utils): %s not validated\n", what);
    return;
  }
  char *path = temp_file(data, ".xml");
  char *cmd = g_strdup_printf("/usr/bin/xmllint --noout --nonet '%s'", path);
  int rc = run(cmd);
  if (rc != 0)
    fail_msg("xmllint rejects the %s output (kept in %s)", what, path);
  unlink(path);
  g_free(cmd);
  g_free(path);
}

/* python3's json module on data, when python3 exists. */
static void check_json(const char *data)
{
  if (access("/usr/bin/python3", X_OK) != 0) {
    printf("# note: /usr/bin/python3 missing: JSON not parsed\n");
    return;
  }
  char *path = temp_file(data, ".json");
  char *cmd = g_strdup_printf("/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "
                              "'%s'", path);
  if (run(cmd) != 0)
    fail_msg("the JSON output does not parse (kept in %s)", path);
  unlink(path);
  g_free(cmd);
  g_free(path);
}

static size_t count(const char *hay, const char *needle)
{
  size_t n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
    n++;
  return n;
}

/* The Mermaid grammar sipflow uses: the header, "participant X as label"
 * lines first, then arrow lines "X->>Y: text" (also -->>, -), --)), and
 * "rect ..." / "end" around runs of one call.  Every participant is declared
 * before use, there is exactly one arrow per message, and a ';' only ends an
 * entity code (#59;) — Mermaid would split the statement there. */
static void check_mermaid(const char *m, size_t n_arrows)
{
  char **lines = g_strsplit(m, "\n", -1);
  GHashTable *declared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  size_t arrows = 0;
  int depth = 0;
  bool in_body = false;

  assert_string_equal(lines[0], "sequenceDiagram");
  for (size_t i = 1; lines[i]; i++) {
    const char *s = lines[i];
    if (!*s)
      continue;
    for (const char *p = strchr(s, ';'); p; p = strchr(p + 1, ';')) {
      const char *q = p;
      while (q > s && g_ascii_isalnum(q[-1]))
        q--;
      if (q == p || q == s || q[-1] != '#')
        fail_msg("line %zu: unescaped ';' in \"%s\"", i, s);
    }
    assert_true(strncmp(s, "    ", 4) == 0);
    s += 4;
    while (*s == ' ')
      s++;
    if (g_str_has_prefix(s, "%%"))
      continue;
    if (g_str_has_prefix(s, "participant ")) {
      assert_false(in_body);
      char **w = g_strsplit(s + 12, " ", 3);
      assert_non_null(w[0]);
      assert_non_null(w[1]);
      assert_string_equal(w[1], "as");
      assert_non_null(w[2]);
      assert_true(strlen(w[2]) > 0);
      assert_false(g_hash_table_contains(declared, w[0]));
      g_hash_table_add(declared, g_strdup(w[0]));
      g_strfreev(w);
      continue;
    }
    in_body = true;
    if (g_str_has_prefix(s, "rect ")) {
      depth++;
      continue;
    }
    if (strcmp(s, "end") == 0) {
      assert_true(depth > 0);
      depth--;
      continue;
    }
    size_t a = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    const char *arrow = s + a;
    size_t alen = g_str_has_prefix(arrow, "-->>") ? 4 : g_str_has_prefix(arrow, "->>") ? 3
                : g_str_has_prefix(arrow, "--)") ? 3 : g_str_has_prefix(arrow, "-)") ? 2 : 0;
    if (!a || !alen)
      fail_msg("line %zu: not a participant, arrow, rect or end: \"%s\"", i, lines[i]);
    const char *to = arrow + alen;
    size_t b = strspn(to, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    char *from_id = g_strndup(s, a), *to_id = g_strndup(to, b);
    if (!g_hash_table_contains(declared, from_id) || !g_hash_table_contains(declared, to_id))
      fail_msg("line %zu: participant used before its declaration", i);
    assert_true(b > 0 && to[b] == ':' && to[b + 1] == ' ' && to[b + 2]);
    g_free(from_id);
    g_free(to_id);
    arrows++;
  }
  assert_int_equal(depth, 0);
  assert_int_equal(arrows, n_arrows);
  g_hash_table_destroy(declared);
  g_strfreev(lines);
}

/* With SIPFLOW_RENDER_DUMP=DIR, keeps every output as DIR/name.format (to
 * look at them, or to feed a browser test). */
static void dump(const char *name, const char *ext, const char *data)
{
  const char *dir = getenv("SIPFLOW_RENDER_DUMP");
  if (!dir)
    return;
  char *path = g_strdup_printf("%s/%s.%s", dir, name, ext);
  assert_true(g_file_set_contents(path, data, -1, NULL));
  g_free(path);
}

/* Every format renders and passes its checks. */
static void check_all_formats(const sipflow_ladder *l, const char *name)
{
  size_t n = sipflow_ladder_arrow_count(l);
  char *svg = render(l, SIPFLOW_LADDER_SVG, NULL, NULL);
  char *html = render(l, SIPFLOW_LADDER_HTML, NULL, NULL);
  char *mermaid = render(l, SIPFLOW_LADDER_MERMAID, NULL, NULL);
  char *json = render(l, SIPFLOW_LADDER_JSON, NULL, NULL);

  check_xml(svg, "svg");
  assert_int_equal(count(svg, "<g class=\"arrow"), n);
  assert_int_equal(count(svg, "<title>"), n + 1);
  check_xml(html, "html");
  assert_int_equal(count(html, "<g class=\"arrow"), n);
  /* Self-contained: nothing to load (the capture's own text may name URLs,
   * escaped, in titles and in the message data), and a CSP that forbids it. */
  assert_non_null(strstr(html, "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                               "script-src 'unsafe-inline'\""));
  assert_int_equal(count(html, " src="), 0);
  assert_int_equal(count(html, "href="), 0);
  assert_int_equal(count(html, "url("), 0);
  assert_int_equal(count(html, "@import"), 0);
  assert_int_equal(count(html, "<g class=\"arrow"), count(html, "data-index=\""));
  check_mermaid(mermaid, n);
  check_json(json);
  assert_int_equal(count(json, "\"frame\":"), n);
  dump(name, "svg", svg);
  dump(name, "html", html);
  dump(name, "mmd", mermaid);
  dump(name, "json", json);
  sipflow_buffer_free(svg);
  sipflow_buffer_free(html);
  sipflow_buffer_free(mermaid);
  sipflow_buffer_free(json);
}

#endif /* RENDERRIG_H */
