/*
 * SIP call scenarios shared by test_correlate.c (which asserts the
 * transaction / dialog / call ids of every message) and test_analyze.c
 * (which asserts each call's outcome).  Times are milliseconds after
 * SCRIPT_T0; A = 10.0.0.1 caller, B = 10.0.0.2 callee, P = 10.0.0.3 proxy,
 * C = 10.0.0.4.  Tags: "a" caller, "b" callee unless said otherwise.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SIPSCENARIOS_H
#define SIPSCENARIOS_H

#include "sipscript.h"

#define VA(b) UA_A ";branch=z9hG4bK" b
#define VB(b) UA_B ";branch=z9hG4bK" b
#define VP(b) UA_P ";branch=z9hG4bK" b
#define VC(b) UA_C ";branch=z9hG4bK" b

/* INVITE, 100, 180 at 500, 200 at 3200, ACK, callee's BYE at 63700, 200. */
static void answered_call(script *s, uint64_t f0, int64_t t0, const char *cid)
{
  feed(s, f0 + 0, t0 + 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("a1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, f0 + 1, t0 + 10, UA_B, UA_A, (sipm){.status = 100, .via = VA("a1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 2, t0 + 500, UA_B, UA_A, (sipm){.status = 180, .via = VA("a1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 3, t0 + 3200, UA_B, UA_A, (sipm){.status = 200, .via = VA("a1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 4, t0 + 3210, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("a2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, f0 + 5, t0 + 63700, UA_B, UA_A, (sipm){.method = "BYE", .via = VB("b1"), .call_id = cid, .from_tag = "b", .to_tag = "a", .cseq = 1});
  feed(s, f0 + 6, t0 + 63720, UA_A, UA_B, (sipm){.status = 200, .via = VB("b1"), .call_id = cid, .from_tag = "b", .to_tag = "a", .cseq = 1, .cseq_method = "BYE"});
}

static script *scn_answered(void)
{
  script *s = script_new();
  answered_call(s, 1, 0, "answered");
  script_finish(s);
  return s;
}

/* INVITE, 100, 180 at 800, 486 at 4000, ACK (same branch). */
static void busy_call(script *s, uint64_t f0, int64_t t0, const char *cid)
{
  feed(s, f0 + 0, t0 + 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("a1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, f0 + 1, t0 + 10, UA_B, UA_A, (sipm){.status = 100, .via = VA("a1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 2, t0 + 800, UA_B, UA_A, (sipm){.status = 180, .via = VA("a1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 3, t0 + 4000, UA_B, UA_A, (sipm){.status = 486, .via = VA("a1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 4, t0 + 4010, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("a1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
}

static script *scn_busy(void)
{
  script *s = script_new();
  busy_call(s, 1, 0, "busy");
  script_finish(s);
  return s;
}

/* A final response (with optional extra headers) to an INVITE, then its ACK;
 * provisional 100 at +10 and, when ring_ms >= 0, a 180 at +ring_ms. */
static void rejected_call(script *s, uint64_t f0, int64_t t0, const char *cid, int ring_ms,
                          int status, int64_t final_ms, const char *extra)
{
  uint64_t f = f0;
  feed(s, f++, t0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("r1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, f++, t0 + 10, UA_B, UA_A, (sipm){.status = 100, .via = VA("r1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  if (ring_ms >= 0)
    feed(s, f++, t0 + ring_ms, UA_B, UA_A, (sipm){.status = 180, .via = VA("r1"), .call_id = cid, .from_tag = "a", .to_tag = "r", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f++, t0 + final_ms, UA_B, UA_A, (sipm){.status = status, .via = VA("r1"), .call_id = cid, .from_tag = "a", .to_tag = "r", .cseq = 1, .cseq_method = "INVITE", .extra = extra});
  feed(s, f++, t0 + final_ms + 10, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("r1"), .call_id = cid, .from_tag = "a", .to_tag = "r", .cseq = 1});
}

/* 403 (frames 1-4), 404 + Q.850 1 (5-8), 503 + Q.850 34 (9-12), 603 after
 * ringing (13-17). */
static script *scn_rejected(void)
{
  script *s = script_new();
  rejected_call(s, 1, 0, "r403", -1, 403, 150, NULL);
  rejected_call(s, 5, 1000, "r404", -1, 404, 100,
                "Reason: Q.850;cause=1;text=\"Unallocated (unassigned) number\"\n");
  rejected_call(s, 9, 2000, "r503", -1, 503, 290,
                "Reason: SIP;cause=503;text=\"busy, really; yes\", Q.850 ; cause = 34\n");
  rejected_call(s, 13, 5000, "r603", 500, 603, 4000, NULL);
  script_finish(s);
  return s;
}

/* INVITE, 100, 180 at 900, CANCEL at 5000, 200 (CANCEL), 487, ACK. */
static void cancelled_call(script *s, uint64_t f0, int64_t t0, const char *cid)
{
  feed(s, f0 + 0, t0 + 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("c1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, f0 + 1, t0 + 20, UA_B, UA_A, (sipm){.status = 100, .via = VA("c1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 2, t0 + 900, UA_B, UA_A, (sipm){.status = 180, .via = VA("c1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 3, t0 + 5000, UA_A, UA_B, (sipm){.method = "CANCEL", .via = VA("c1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, f0 + 4, t0 + 5010, UA_B, UA_A, (sipm){.status = 200, .via = VA("c1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "CANCEL"});
  feed(s, f0 + 5, t0 + 5020, UA_B, UA_A, (sipm){.status = 487, .via = VA("c1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, f0 + 6, t0 + 5030, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("c1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
}

static script *scn_cancelled(void)
{
  script *s = script_new();
  cancelled_call(s, 1, 0, "cancel");
  script_finish(s);
  return s;
}

/* 480 after 30 s of ringing (frames 1-5); a call still ringing at the end
 * of the capture (6-7). */
static script *scn_no_answer(void)
{
  script *s = script_new();
  rejected_call(s, 1, 0, "noanswer", 200, 480, 30200, NULL);
  feed(s, 6, 40000, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("e1"), .call_id = "ringend", .from_tag = "a", .cseq = 1});
  feed(s, 7, 40100, UA_B, UA_A, (sipm){.status = 180, .via = VA("e1"), .call_id = "ringend", .from_tag = "a", .to_tag = "c", .cseq = 1, .cseq_method = "INVITE"});
  script_finish(s);
  return s;
}

/* 302, new INVITE to C, answered, BYE (frames 1-9); a 302 not followed
 * (10-12). */
static script *scn_redirect(void)
{
  script *s = script_new();
  const char *cid = "redirect";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("d1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 50, UA_B, UA_A, (sipm){.status = 302, .via = VA("d1"), .call_id = cid, .from_tag = "a", .to_tag = "r", .cseq = 1, .cseq_method = "INVITE", .extra = "Contact: <sip:bob@10.0.0.4>\n"});
  feed(s, 3, 60, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("d1"), .call_id = cid, .from_tag = "a", .to_tag = "r", .cseq = 1});
  feed(s, 4, 100, UA_A, UA_C, (sipm){.method = "INVITE", .via = VA("d2"), .call_id = cid, .from_tag = "a", .cseq = 2, .ruri = "sip:bob@10.0.0.4"});
  feed(s, 5, 700, UA_C, UA_A, (sipm){.status = 180, .via = VA("d2"), .call_id = cid, .from_tag = "a", .to_tag = "c", .cseq = 2, .cseq_method = "INVITE"});
  feed(s, 6, 2100, UA_C, UA_A, (sipm){.status = 200, .via = VA("d2"), .call_id = cid, .from_tag = "a", .to_tag = "c", .cseq = 2, .cseq_method = "INVITE"});
  feed(s, 7, 2110, UA_A, UA_C, (sipm){.method = "ACK", .via = VA("d3"), .call_id = cid, .from_tag = "a", .to_tag = "c", .cseq = 2});
  feed(s, 8, 12110, UA_A, UA_C, (sipm){.method = "BYE", .via = VA("d4"), .call_id = cid, .from_tag = "a", .to_tag = "c", .cseq = 3});
  feed(s, 9, 12130, UA_C, UA_A, (sipm){.status = 200, .via = VA("d4"), .call_id = cid, .from_tag = "a", .to_tag = "c", .cseq = 3, .cseq_method = "BYE"});
  feed(s, 10, 20000, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("v1"), .call_id = "diverted", .from_tag = "a", .cseq = 1});
  feed(s, 11, 20050, UA_B, UA_A, (sipm){.status = 302, .via = VA("v1"), .call_id = "diverted", .from_tag = "a", .to_tag = "r", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 12, 20060, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("v1"), .call_id = "diverted", .from_tag = "a", .to_tag = "r", .cseq = 1});
  script_finish(s);
  return s;
}

/* INVITE, 407, ACK, INVITE with credentials, 100, 180, 200, ACK. */
static script *scn_auth_ok(void)
{
  script *s = script_new();
  const char *cid = "auth";
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("p1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 40, UA_P, UA_A, (sipm){.status = 407, .via = VA("p1"), .call_id = cid, .from_tag = "a", .to_tag = "px", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 50, UA_A, UA_P, (sipm){.method = "ACK", .via = VA("p1"), .call_id = cid, .from_tag = "a", .to_tag = "px", .cseq = 1});
  feed(s, 4, 100, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("p2"), .call_id = cid, .from_tag = "a", .cseq = 2, .extra = "Proxy-Authorization: Digest username=\"alice\"\n"});
  feed(s, 5, 120, UA_P, UA_A, (sipm){.status = 100, .via = VA("p2"), .call_id = cid, .from_tag = "a", .cseq = 2, .cseq_method = "INVITE"});
  feed(s, 6, 600, UA_P, UA_A, (sipm){.status = 180, .via = VA("p2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2, .cseq_method = "INVITE"});
  feed(s, 7, 2600, UA_P, UA_A, (sipm){.status = 200, .via = VA("p2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2, .cseq_method = "INVITE"});
  feed(s, 8, 2610, UA_A, UA_P, (sipm){.method = "ACK", .via = VA("p3"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2});
  script_finish(s);
  return s;
}

/* Three INVITE / 407 / ACK rounds (frames 3k+1 .. 3k+3, 100 ms apart). */
static script *scn_auth_loop(void)
{
  script *s = script_new();
  static const char *const br[] = {"l1", "l2", "l3"};
  for (unsigned k = 0; k < 3; k++) {
    char via[64];
    snprintf(via, sizeof via, "%s;branch=z9hG4bK%s", UA_A, br[k]);
    int64_t t = 100 * k;
    feed(s, 3 * k + 1, t, UA_A, UA_P, (sipm){.method = "INVITE", .via = via, .call_id = "authloop", .from_tag = "a", .cseq = k + 1});
    feed(s, 3 * k + 2, t + 30, UA_P, UA_A, (sipm){.status = 407, .via = via, .call_id = "authloop", .from_tag = "a", .to_tag = "px", .cseq = k + 1, .cseq_method = "INVITE"});
    feed(s, 3 * k + 3, t + 40, UA_A, UA_P, (sipm){.method = "ACK", .via = via, .call_id = "authloop", .from_tag = "a", .to_tag = "px", .cseq = k + 1});
  }
  script_finish(s);
  return s;
}

/* Forking seen at the caller: two 180 with different tags, 200 on one. */
static script *scn_forked(void)
{
  script *s = script_new();
  const char *cid = "fork";
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("f1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 10, UA_P, UA_A, (sipm){.status = 100, .via = VA("f1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 300, UA_P, UA_A, (sipm){.status = 180, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 4, 350, UA_P, UA_A, (sipm){.status = 180, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "c1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 5, 4000, UA_P, UA_A, (sipm){.status = 200, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 6, 4010, UA_A, UA_P, (sipm){.method = "ACK", .via = VA("f2"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1});
  script_finish(s);
  return s;
}

/* Forking seen at the proxy: P forks to B and C; C answers 486, B 200. */
static script *scn_forked_at_proxy(void)
{
  script *s = script_new();
  const char *cid = "fork2";
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("g1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 5, UA_P, UA_B, (sipm){.method = "INVITE", .via = VP("q1"), .via2 = VA("g1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 3, 6, UA_P, UA_C, (sipm){.method = "INVITE", .via = VP("q2"), .via2 = VA("g1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 4, 300, UA_B, UA_P, (sipm){.status = 180, .via = VP("q1"), .via2 = VA("g1"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 5, 305, UA_P, UA_A, (sipm){.status = 180, .via = VA("g1"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 6, 400, UA_C, UA_P, (sipm){.status = 180, .via = VP("q2"), .via2 = VA("g1"), .call_id = cid, .from_tag = "a", .to_tag = "c1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 7, 405, UA_P, UA_A, (sipm){.status = 180, .via = VA("g1"), .call_id = cid, .from_tag = "a", .to_tag = "c1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 8, 2000, UA_C, UA_P, (sipm){.status = 486, .via = VP("q2"), .via2 = VA("g1"), .call_id = cid, .from_tag = "a", .to_tag = "c1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 9, 2005, UA_P, UA_C, (sipm){.method = "ACK", .via = VP("q2"), .call_id = cid, .from_tag = "a", .to_tag = "c1", .cseq = 1});
  feed(s, 10, 3000, UA_B, UA_P, (sipm){.status = 200, .via = VP("q1"), .via2 = VA("g1"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 11, 3005, UA_P, UA_A, (sipm){.status = 200, .via = VA("g1"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 12, 3010, UA_A, UA_P, (sipm){.method = "ACK", .via = VA("g2"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1});
  feed(s, 13, 3015, UA_P, UA_B, (sipm){.method = "ACK", .via = VP("q3"), .via2 = VA("g2"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1});
  script_finish(s);
  return s;
}

/* Answered call (frames 1-5 of answered_call), re-INVITE at 10 s, caller's
 * BYE at 20 s. */
static script *scn_reinvite(void)
{
  script *s = script_new();
  const char *cid = "reinvite";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("a1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 500, UA_B, UA_A, (sipm){.status = 180, .via = VA("a1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 3200, UA_B, UA_A, (sipm){.status = 200, .via = VA("a1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 4, 3210, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("a2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 5, 10000, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("a3"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2});
  feed(s, 6, 10100, UA_B, UA_A, (sipm){.status = 200, .via = VA("a3"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2, .cseq_method = "INVITE"});
  feed(s, 7, 10110, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("a4"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2});
  feed(s, 8, 20000, UA_A, UA_B, (sipm){.method = "BYE", .via = VA("a5"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 3});
  feed(s, 9, 20010, UA_B, UA_A, (sipm){.status = 200, .via = VA("a5"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 3, .cseq_method = "BYE"});
  script_finish(s);
  return s;
}

/* 200 retransmitted twice, never ACKed; callee's BYE at 33 s. */
static script *scn_no_ack(void)
{
  script *s = script_new();
  const char *cid = "noack";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("n1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 400, UA_B, UA_A, (sipm){.status = 180, .via = VA("n1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  for (unsigned k = 0; k < 3; k++)
    feed(s, 3 + k, 1000 + 500 * k * (k + 1), UA_B, UA_A, (sipm){.status = 200, .via = VA("n1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 6, 33000, UA_B, UA_A, (sipm){.method = "BYE", .via = VB("n2"), .call_id = cid, .from_tag = "b", .to_tag = "a", .cseq = 1});
  feed(s, 7, 33010, UA_A, UA_B, (sipm){.status = 200, .via = VB("n2"), .call_id = cid, .from_tag = "b", .to_tag = "a", .cseq = 1, .cseq_method = "BYE"});
  script_finish(s);
  return s;
}

/* INVITE retransmitted, 200 retransmitted, ACK retransmitted (UDP). */
static script *scn_retransmissions(void)
{
  script *s = script_new();
  const char *cid = "retrans";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("t1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 500, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("t1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 3, 510, UA_B, UA_A, (sipm){.status = 100, .via = VA("t1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 4, 1000, UA_B, UA_A, (sipm){.status = 180, .via = VA("t1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 5, 2000, UA_B, UA_A, (sipm){.status = 200, .via = VA("t1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 6, 2500, UA_B, UA_A, (sipm){.status = 200, .via = VA("t1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 7, 2510, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("t2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 8, 2520, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("t2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  script_finish(s);
  return s;
}

/* A -> P -> B with Record-Route: every request on two hops, callee's BYE. */
static script *scn_proxy_hop(void)
{
  script *s = script_new();
  const char *cid = "hop";
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("h1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 5, UA_P, UA_A, (sipm){.status = 100, .via = VA("h1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 10, UA_P, UA_B, (sipm){.method = "INVITE", .via = VP("k1"), .via2 = VA("h1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 4, 20, UA_B, UA_P, (sipm){.status = 100, .via = VP("k1"), .via2 = VA("h1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 5, 500, UA_B, UA_P, (sipm){.status = 180, .via = VP("k1"), .via2 = VA("h1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 6, 505, UA_P, UA_A, (sipm){.status = 180, .via = VA("h1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 7, 3000, UA_B, UA_P, (sipm){.status = 200, .via = VP("k1"), .via2 = VA("h1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 8, 3005, UA_P, UA_A, (sipm){.status = 200, .via = VA("h1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 9, 3010, UA_A, UA_P, (sipm){.method = "ACK", .via = VA("h2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 10, 3015, UA_P, UA_B, (sipm){.method = "ACK", .via = VP("k2"), .via2 = VA("h2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 11, 9000, UA_B, UA_P, (sipm){.method = "BYE", .via = VB("j1"), .call_id = cid, .from_tag = "b", .to_tag = "a", .cseq = 1});
  feed(s, 12, 9005, UA_P, UA_A, (sipm){.method = "BYE", .via = VP("k3"), .via2 = VB("j1"), .call_id = cid, .from_tag = "b", .to_tag = "a", .cseq = 1});
  feed(s, 13, 9010, UA_A, UA_P, (sipm){.status = 200, .via = VP("k3"), .via2 = VB("j1"), .call_id = cid, .from_tag = "b", .to_tag = "a", .cseq = 1, .cseq_method = "BYE"});
  feed(s, 14, 9015, UA_P, UA_B, (sipm){.status = 200, .via = VB("j1"), .call_id = cid, .from_tag = "b", .to_tag = "a", .cseq = 1, .cseq_method = "BYE"});
  script_finish(s);
  return s;
}

/* A -> P -> B, B answers 486, P relays it. */
static script *scn_proxy_busy(void)
{
  script *s = script_new();
  const char *cid = "hop486";
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("h1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 5, UA_P, UA_B, (sipm){.method = "INVITE", .via = VP("k1"), .via2 = VA("h1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 3, 200, UA_B, UA_P, (sipm){.status = 486, .via = VP("k1"), .via2 = VA("h1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 4, 205, UA_P, UA_B, (sipm){.method = "ACK", .via = VP("k1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 5, 210, UA_P, UA_A, (sipm){.status = 486, .via = VA("h1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 6, 215, UA_A, UA_P, (sipm){.method = "ACK", .via = VA("h1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  script_finish(s);
  return s;
}

/* B2BUA legs: X-Call-ID naming a leg seen before (calls 1, 2) and one seen
 * after (3, 4), Session-ID (5, 6), an X-Call-ID naming nothing (7). */
static script *scn_b2bua(void)
{
  script *s = script_new();
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("x1"), .call_id = "leg-a", .from_tag = "a", .cseq = 1});
  feed(s, 2, 10, UA_P, UA_B, (sipm){.method = "INVITE", .via = VP("x2"), .call_id = "leg-b", .from_tag = "p", .cseq = 1, .extra = "X-Call-ID: leg-a\n"});
  feed(s, 3, 100, UA_P, UA_B, (sipm){.method = "INVITE", .via = VP("x3"), .call_id = "late-b", .from_tag = "p", .cseq = 1, .extra = "X-CID:  <late-a> \n"});
  feed(s, 4, 110, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("x4"), .call_id = "late-a", .from_tag = "a", .cseq = 1});
  feed(s, 5, 200, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("x5"), .call_id = "sess-a", .from_tag = "a", .cseq = 1, .extra = "Session-ID: AB30317F1A784DC48FF824D0D3715D86;remote=00000000000000000000000000000000\n"});
  feed(s, 6, 210, UA_P, UA_B, (sipm){.method = "INVITE", .via = VP("x6"), .call_id = "sess-b", .from_tag = "p", .cseq = 1, .extra = "Session-ID: ab30317f1a784dc48ff824d0d3715d86;remote=00000000000000000000000000000000\n"});
  feed(s, 7, 300, UA_P, UA_B, (sipm){.method = "INVITE", .via = VP("x7"), .call_id = "lonely", .from_tag = "p", .cseq = 1, .extra = "X-Call-ID: nobody\nSession-ID: 00000000000000000000000000000000\n"});
  script_finish(s);
  return s;
}

/* Answered at 200 ms; the caller's BYE at 10 s is answered 481. */
static script *scn_bye_481(void)
{
  script *s = script_new();
  const char *cid = "bye481";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("y1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 200, UA_B, UA_A, (sipm){.status = 200, .via = VA("y1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 210, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("y2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 4, 10000, UA_A, UA_B, (sipm){.method = "BYE", .via = VA("y3"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2});
  feed(s, 5, 10010, UA_B, UA_A, (sipm){.status = 481, .via = VA("y3"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2, .cseq_method = "BYE"});
  script_finish(s);
  return s;
}

/* Answered at 200 ms; the caller's BYE at 5 s, retransmitted, never answered. */
static script *scn_bye_unanswered(void)
{
  script *s = script_new();
  const char *cid = "byenoans";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("u1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 200, UA_B, UA_A, (sipm){.status = 200, .via = VA("u1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 210, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("u2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 4, 5000, UA_A, UA_B, (sipm){.method = "BYE", .via = VA("u3"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2});
  feed(s, 5, 5500, UA_A, UA_B, (sipm){.method = "BYE", .via = VA("u3"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2});
  feed(s, 6, 6500, UA_A, UA_B, (sipm){.method = "BYE", .via = VA("u3"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2});
  script_finish(s);
  return s;
}

/* CANCEL sent 50 ms after the 200 arrived. */
static script *scn_late_cancel(void)
{
  script *s = script_new();
  const char *cid = "latecancel";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("z1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 300, UA_B, UA_A, (sipm){.status = 180, .via = VA("z1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 2000, UA_B, UA_A, (sipm){.status = 200, .via = VA("z1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 4, 2050, UA_A, UA_B, (sipm){.method = "CANCEL", .via = VA("z1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 5, 2060, UA_B, UA_A, (sipm){.status = 200, .via = VA("z1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "CANCEL"});
  feed(s, 6, 2070, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("z2"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  script_finish(s);
  return s;
}

/* RFC 2543 peers: no branch at all (frames 1-8), a branch without the
 * z9hG4bK cookie (9-11). */
static script *scn_rfc2543(void)
{
  script *s = script_new();
  const char *cid = "old";
  const char *via = UA_A;
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = via, .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 300, UA_A, UA_B, (sipm){.method = "INVITE", .via = via, .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 3, 310, UA_B, UA_A, (sipm){.status = 100, .via = UA_A ";received=192.0.2.1", .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 4, 800, UA_B, UA_A, (sipm){.status = 180, .via = via, .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 5, 2000, UA_B, UA_A, (sipm){.status = 200, .via = via, .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 6, 2010, UA_A, UA_B, (sipm){.method = "ACK", .via = via, .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 7, 5000, UA_A, UA_B, (sipm){.method = "BYE", .via = via, .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2});
  feed(s, 8, 5010, UA_B, UA_A, (sipm){.status = 200, .via = via, .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 2, .cseq_method = "BYE"});
  const char *v2 = UA_A ";branch=1234abcd";
  feed(s, 9, 6000, UA_A, UA_B, (sipm){.method = "INVITE", .via = v2, .call_id = "oldbranch", .from_tag = "a", .cseq = 7});
  feed(s, 10, 6100, UA_B, UA_A, (sipm){.status = 486, .via = v2, .call_id = "oldbranch", .from_tag = "a", .to_tag = "x", .cseq = 7, .cseq_method = "INVITE"});
  feed(s, 11, 6110, UA_A, UA_B, (sipm){.method = "ACK", .via = v2, .call_id = "oldbranch", .from_tag = "a", .to_tag = "x", .cseq = 7});
  script_finish(s);
  return s;
}

/* REGISTER 401 then 200 (frames 1-4), OPTIONS 404 (5-6), OPTIONS never
 * answered (7) while another OPTIONS 40 s later is (8-9). */
static script *scn_non_invite(void)
{
  script *s = script_new();
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "REGISTER", .via = VA("g1"), .call_id = "reg", .from_tag = "a", .cseq = 1, .ruri = "sip:example.com"});
  feed(s, 2, 50, UA_P, UA_A, (sipm){.status = 401, .via = VA("g1"), .call_id = "reg", .from_tag = "a", .to_tag = "r1", .cseq = 1, .cseq_method = "REGISTER"});
  feed(s, 3, 100, UA_A, UA_P, (sipm){.method = "REGISTER", .via = VA("g2"), .call_id = "reg", .from_tag = "a", .cseq = 2, .ruri = "sip:example.com", .extra = "Authorization: Digest username=\"alice\"\n"});
  feed(s, 4, 150, UA_P, UA_A, (sipm){.status = 200, .via = VA("g2"), .call_id = "reg", .from_tag = "a", .to_tag = "r2", .cseq = 2, .cseq_method = "REGISTER"});
  feed(s, 5, 1000, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("o1"), .call_id = "opt", .from_tag = "a", .cseq = 1});
  feed(s, 6, 1020, UA_B, UA_A, (sipm){.status = 404, .via = VA("o1"), .call_id = "opt", .from_tag = "a", .to_tag = "o", .cseq = 1, .cseq_method = "OPTIONS"});
  feed(s, 7, 2000, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("o2"), .call_id = "optlost", .from_tag = "a", .cseq = 1});
  feed(s, 8, 40000, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("o3"), .call_id = "optok", .from_tag = "a", .cseq = 1});
  feed(s, 9, 40010, UA_B, UA_A, (sipm){.status = 200, .via = VA("o3"), .call_id = "optok", .from_tag = "a", .to_tag = "o", .cseq = 1, .cseq_method = "OPTIONS"});
  script_finish(s);
  return s;
}

/* SUBSCRIBE / 202, NOTIFY active, NOTIFY terminated (RFC 6665). */
static script *scn_subscribe(void)
{
  script *s = script_new();
  const char *cid = "sub";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "SUBSCRIBE", .via = VA("s1"), .call_id = cid, .from_tag = "a", .cseq = 1, .extra = "Event: presence\n"});
  feed(s, 2, 20, UA_B, UA_A, (sipm){.status = 202, .via = VA("s1"), .call_id = cid, .from_tag = "a", .to_tag = "n", .cseq = 1, .cseq_method = "SUBSCRIBE"});
  feed(s, 3, 30, UA_B, UA_A, (sipm){.method = "NOTIFY", .via = VB("s2"), .call_id = cid, .from_tag = "n", .to_tag = "a", .cseq = 1, .extra = "Event: presence\nSubscription-State: active;expires=60\n"});
  feed(s, 4, 40, UA_A, UA_B, (sipm){.status = 200, .via = VB("s2"), .call_id = cid, .from_tag = "n", .to_tag = "a", .cseq = 1, .cseq_method = "NOTIFY"});
  feed(s, 5, 60000, UA_B, UA_A, (sipm){.method = "NOTIFY", .via = VB("s3"), .call_id = cid, .from_tag = "n", .to_tag = "a", .cseq = 2, .extra = "Event: presence\nSubscription-State: terminated;reason=timeout\n"});
  feed(s, 6, 60010, UA_A, UA_B, (sipm){.status = 200, .via = VB("s3"), .call_id = cid, .from_tag = "n", .to_tag = "a", .cseq = 2, .cseq_method = "NOTIFY"});
  script_finish(s);
  return s;
}

/* The capture starts late: a BYE of an unseen dialog (frames 1-2), and the
 * responses of an INVITE whose request was missed (3-5). */
static script *scn_partial(void)
{
  script *s = script_new();
  feed(s, 1, 0, UA_B, UA_A, (sipm){.method = "BYE", .via = VB("m1"), .call_id = "mid", .from_tag = "b", .to_tag = "a", .cseq = 5});
  feed(s, 2, 10, UA_A, UA_B, (sipm){.status = 200, .via = VB("m1"), .call_id = "mid", .from_tag = "b", .to_tag = "a", .cseq = 5, .cseq_method = "BYE"});
  feed(s, 3, 100, UA_B, UA_A, (sipm){.status = 180, .via = VA("w1"), .call_id = "late", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 4, 900, UA_B, UA_A, (sipm){.status = 200, .via = VA("w1"), .call_id = "late", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 5, 910, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("w2"), .call_id = "late", .from_tag = "a", .to_tag = "b", .cseq = 1});
  script_finish(s);
  return s;
}

/* An INVITE retransmitted and never answered (1-3); the capture goes on
 * for 40 s (4-5). */
static script *scn_no_response(void)
{
  script *s = script_new();
  for (unsigned k = 0; k < 3; k++)
    feed(s, 1 + k, 500 * k * (k + 1), UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("l1"), .call_id = "lost", .from_tag = "a", .cseq = 1});
  feed(s, 4, 40000, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("l2"), .call_id = "ping", .from_tag = "a", .cseq = 1});
  feed(s, 5, 40010, UA_B, UA_A, (sipm){.status = 200, .via = VA("l2"), .call_id = "ping", .from_tag = "a", .to_tag = "o", .cseq = 1, .cseq_method = "OPTIONS"});
  script_finish(s);
  return s;
}

#endif /* SIPSCENARIOS_H */
