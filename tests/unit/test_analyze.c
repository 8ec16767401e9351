/*
 * Unit tests for the analyze stage (analyze.c, stats.c): each call's
 * state, final status, timings (to the ms), anomalies and failure sentence,
 * and the aggregate KPIs.  Scenarios: sipscenarios.h.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sipscenarios.h"

typedef struct outcome {
  sipflow_call_state state;
  int final_status;
  const char *reason;
  int64_t setup_ms, answer_ms;
  double duration_s;
  const char *anomalies;
  const char *failure;
} outcome;

#define expect_call(s, id, ...) expect_call_((s), (id), (outcome){__VA_ARGS__}, __LINE__)
static const sipflow_call_info *expect_call_(script *s, uint32_t id, outcome e, int line)
{
  const sipflow_call_info *c = call_of(s, id);
  char *anomalies = anomaly_list(c->anomalies);

  if (c->state != e.state)
    fail_msg("line %d: call %u state %s, expected %s", line, id,
             sipflow_call_state_name(c->state), sipflow_call_state_name(e.state));
  if (c->final_status != e.final_status)
    fail_msg("line %d: call %u final %d, expected %d", line, id, c->final_status,
             e.final_status);
  assert_str_(c->reason, e.reason, line);
  if (c->setup_ms != e.setup_ms || c->answer_ms != e.answer_ms ||
      c->duration_s != e.duration_s)
    fail_msg("line %d: call %u timings %lld/%lld/%.3f, expected %lld/%lld/%.3f", line, id,
             (long long)c->setup_ms, (long long)c->answer_ms, c->duration_s,
             (long long)e.setup_ms, (long long)e.answer_ms, e.duration_s);
  assert_str_(anomalies, e.anomalies ? e.anomalies : "", line);
  assert_str_(c->failure, e.failure, line);
  g_free(anomalies);
  return c;
}

static void test_answered(void **state)
{
  script *s = scn_answered();
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .final_status = 200, .reason = "OK",
                .setup_ms = 500, .answer_ms = 3200, .duration_s = 60.5);
  assert_str(c->call_id, "answered");
  assert_str(c->method, "INVITE");
  assert_str(c->from, "sip:alice@example.com");
  assert_str(c->to, "sip:bob@example.com");
  assert_int_equal(c->src.addr[3], 1);
  assert_int_equal(c->dst.addr[3], 2);
  assert_int_equal(c->start_us, SCRIPT_T0);
  assert_int_equal(c->end_us, SCRIPT_T0 + 63720000);
  assert_int_equal(c->first_frame, 1);
  assert_int_equal(c->last_frame, 7);
  assert_int_equal(c->messages, 7);
  assert_int_equal(c->transactions, 3);
  assert_int_equal(c->dialogs, 1);
  assert_int_equal(c->retransmissions, 0);
  assert_int_equal(c->attempts, 1);
  assert_int_equal(c->linked_call, 0);
  assert_int_equal(c->q850_cause, 0);
  assert_int_equal(s->n_ended, 1);
  script_free(s);
}

static void test_busy(void **state)
{
  script *s = scn_busy();
  expect_call(s, 1, .state = SIPFLOW_CALL_BUSY, .final_status = 486, .reason = "Busy Here",
              .setup_ms = 800, .answer_ms = -1, .duration_s = -1,
              .failure = "rejected by 10.0.0.2:5060 with 486 Busy Here after 3.2 s of ringing");
  script_free(s);
}

static void test_rejected_with_q850(void **state)
{
  script *s = scn_rejected();
  expect_call(s, 1, .state = SIPFLOW_CALL_REJECTED, .final_status = 403, .reason = "Forbidden",
              .setup_ms = -1, .answer_ms = -1, .duration_s = -1,
              .failure = "rejected by 10.0.0.2:5060 with 403 Forbidden after 150 ms");
  const sipflow_call_info *c =
    expect_call(s, 2, .state = SIPFLOW_CALL_REJECTED, .final_status = 404, .reason = "Not Found",
                .setup_ms = -1, .answer_ms = -1, .duration_s = -1,
                .failure = "rejected by 10.0.0.2:5060 with 404 Not Found after 100 ms "
                           "(Q.850 cause 1: Unallocated (unassigned) number)");
  assert_int_equal(c->q850_cause, 1);
  /* the Q.850 value is the second of the Reason header, after quoted text
   * holding ',' and ';', with spaces around '=' */
  c = expect_call(s, 3, .state = SIPFLOW_CALL_REJECTED, .final_status = 503,
                  .reason = "Service Unavailable", .setup_ms = -1, .answer_ms = -1,
                  .duration_s = -1,
                  .failure = "rejected by 10.0.0.2:5060 with 503 Service Unavailable after "
                             "290 ms (Q.850 cause 34: No circuit/channel available)");
  assert_int_equal(c->q850_cause, 34);
  expect_call(s, 4, .state = SIPFLOW_CALL_REJECTED, .final_status = 603, .reason = "Decline",
              .setup_ms = 500, .answer_ms = -1, .duration_s = -1,
              .failure = "rejected by 10.0.0.2:5060 with 603 Decline after 3.5 s of ringing");
  script_free(s);
}

static void test_cancelled(void **state)
{
  script *s = scn_cancelled();
  expect_call(s, 1, .state = SIPFLOW_CALL_CANCELLED, .final_status = 487,
              .reason = "Request Terminated", .setup_ms = 900, .answer_ms = -1,
              .duration_s = -1,
              .failure = "cancelled by the caller 10.0.0.1:5060 after 4.1 s of ringing");
  script_free(s);
}

static void test_no_answer(void **state)
{
  script *s = scn_no_answer();
  expect_call(s, 1, .state = SIPFLOW_CALL_REJECTED, .final_status = 480,
              .reason = "Temporarily Unavailable", .setup_ms = 200, .answer_ms = -1,
              .duration_s = -1,
              .failure = "rejected by 10.0.0.2:5060 with 480 Temporarily Unavailable "
                         "after 30.0 s of ringing");
  /* still ringing when the capture ends: not a failure, but no final */
  expect_call(s, 2, .state = SIPFLOW_CALL_RINGING, .final_status = 0, .reason = NULL,
              .setup_ms = 100, .answer_ms = -1, .duration_s = -1, .anomalies = "no-final");
  script_free(s);
}

static void test_redirect_then_answer(void **state)
{
  script *s = scn_redirect();
  /* timings from the first INVITE: the redirect is part of the delay */
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .final_status = 200, .reason = "OK",
                .setup_ms = 700, .answer_ms = 2100, .duration_s = 10.01);
  assert_int_equal(c->attempts, 2);
  expect_call(s, 2, .state = SIPFLOW_CALL_DIVERTED, .final_status = 302,
              .reason = "Moved Temporarily", .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1);
  script_free(s);
}

static void test_challenge_then_success(void **state)
{
  script *s = scn_auth_ok();
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_IN_CALL, .final_status = 200, .reason = "OK",
                .setup_ms = 600, .answer_ms = 2600, .duration_s = -1);
  assert_int_equal(c->attempts, 2);
  script_free(s);
}

static void test_auth_loop(void **state)
{
  script *s = scn_auth_loop();
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_REJECTED, .final_status = 407,
                .reason = "Proxy Authentication Required", .setup_ms = -1, .answer_ms = -1,
                .duration_s = -1, .anomalies = "auth-loop",
                .failure = "rejected by 10.0.0.3:5060 with 407 Proxy Authentication "
                           "Required after 30 ms");
  assert_int_equal(c->attempts, 3);
  script_free(s);
}

static void test_forked(void **state)
{
  script *s = scn_forked();
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_IN_CALL, .final_status = 200, .reason = "OK",
                .setup_ms = 300, .answer_ms = 4000, .duration_s = -1);
  assert_int_equal(c->dialogs, 2);
  s = (script_free(s), scn_forked_at_proxy());
  expect_call(s, 1, .state = SIPFLOW_CALL_IN_CALL, .final_status = 200, .reason = "OK",
              .setup_ms = 305, .answer_ms = 3005, .duration_s = -1);
  script_free(s);
}

static void test_reinvite(void **state)
{
  script *s = scn_reinvite();
  /* the re-INVITE is not an attempt; the duration runs from the first 2xx */
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .final_status = 200, .reason = "OK",
                .setup_ms = 500, .answer_ms = 3200, .duration_s = 16.8);
  assert_int_equal(c->attempts, 1);
  script_free(s);
}

static void test_no_ack(void **state)
{
  script *s = scn_no_ack();
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .final_status = 200, .reason = "OK",
                .setup_ms = 400, .answer_ms = 1000, .duration_s = 32.0,
                .anomalies = "no-ack,retransmissions");
  assert_int_equal(c->retransmissions, 2);
  script_free(s);
}

static void test_retransmissions_change_nothing(void **state)
{
  script *s = scn_retransmissions();
  /* answer_ms from the first 200 (2000), not its retransmission (2500) */
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_IN_CALL, .final_status = 200, .reason = "OK",
                .setup_ms = 1000, .answer_ms = 2000, .duration_s = -1,
                .anomalies = "retransmissions");
  assert_int_equal(c->retransmissions, 3);
  assert_int_equal(c->messages, 8);
  script_free(s);
}

static void test_proxy_hop(void **state)
{
  script *s = scn_proxy_hop();
  /* timings as the caller saw them (first hop): 180 at 505, 200 at 3005 */
  expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .final_status = 200, .reason = "OK",
              .setup_ms = 505, .answer_ms = 3005, .duration_s = 5.995);
  s = (script_free(s), scn_proxy_busy());
  /* who refused: B, which produced the 486, not P, which relayed it */
  expect_call(s, 1, .state = SIPFLOW_CALL_BUSY, .final_status = 486, .reason = "Busy Here",
              .setup_ms = -1, .answer_ms = -1, .duration_s = -1,
              .failure = "rejected by 10.0.0.2:5060 with 486 Busy Here after 210 ms");
  script_free(s);
}

static void test_b2bua_legs_stay_separate(void **state)
{
  script *s = scn_b2bua();
  expect_call(s, 1, .state = SIPFLOW_CALL_SETUP, .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1, .anomalies = "no-final");
  expect_call(s, 2, .state = SIPFLOW_CALL_SETUP, .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1, .anomalies = "no-final");
  assert_int_equal(call_of(s, 1)->linked_call, 2);
  script_free(s);
}

static void test_bye_481(void **state)
{
  script *s = scn_bye_481();
  expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .final_status = 200, .reason = "OK",
              .setup_ms = -1, .answer_ms = 200, .duration_s = 9.8, .anomalies = "bye-481");
  script_free(s);
}

static void test_one_way_hangup(void **state)
{
  script *s = scn_bye_unanswered();
  expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .final_status = 200, .reason = "OK",
              .setup_ms = -1, .answer_ms = 200, .duration_s = 4.8,
              .anomalies = "retransmissions,one-way-hangup");
  script_free(s);
}

static void test_late_cancel(void **state)
{
  script *s = scn_late_cancel();
  expect_call(s, 1, .state = SIPFLOW_CALL_IN_CALL, .final_status = 200, .reason = "OK",
              .setup_ms = 300, .answer_ms = 2000, .duration_s = -1,
              .anomalies = "late-cancel");
  script_free(s);
}

static void test_rfc2543(void **state)
{
  script *s = scn_rfc2543();
  expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .final_status = 200, .reason = "OK",
              .setup_ms = 800, .answer_ms = 2000, .duration_s = 3.0,
              .anomalies = "retransmissions");
  expect_call(s, 2, .state = SIPFLOW_CALL_BUSY, .final_status = 486, .reason = "Busy Here",
              .setup_ms = -1, .answer_ms = -1, .duration_s = -1,
              .failure = "rejected by 10.0.0.2:5060 with 486 Busy Here after 100 ms");
  script_free(s);
}

static void test_non_invite(void **state)
{
  script *s = scn_non_invite();
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_OK, .final_status = 200, .reason = "OK",
                .setup_ms = -1, .answer_ms = -1, .duration_s = -1);
  assert_str(c->method, "REGISTER");
  assert_int_equal(c->attempts, 2);
  expect_call(s, 2, .state = SIPFLOW_CALL_FAILED, .final_status = 404, .reason = "Not Found",
              .setup_ms = -1, .answer_ms = -1, .duration_s = -1,
              .failure = "OPTIONS rejected by 10.0.0.2:5060 with 404 Not Found");
  /* unanswered while the capture went on for 38 s (> 64*T1) */
  expect_call(s, 3, .state = SIPFLOW_CALL_PENDING, .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1,
              .failure = "no response from 10.0.0.2:5060 to the OPTIONS within 32 s");
  expect_call(s, 4, .state = SIPFLOW_CALL_OK, .final_status = 200, .reason = "OK",
              .setup_ms = -1, .answer_ms = -1, .duration_s = -1);
  script_free(s);
}

static void test_subscribe_ok(void **state)
{
  script *s = scn_subscribe();
  expect_call(s, 1, .state = SIPFLOW_CALL_OK, .final_status = 202, .reason = "Accepted",
              .setup_ms = -1, .answer_ms = -1, .duration_s = -1);
  script_free(s);
}

static void test_partial_capture(void **state)
{
  script *s = scn_partial();
  const sipflow_call_info *c =
    expect_call(s, 1, .state = SIPFLOW_CALL_COMPLETED, .setup_ms = -1, .answer_ms = -1,
                .duration_s = -1);
  assert_str(c->method, "BYE");
  assert_int_equal(c->src.addr[3], 2);
  /* the INVITE was not captured: no timing can be measured */
  c = expect_call(s, 2, .state = SIPFLOW_CALL_IN_CALL, .final_status = 200, .reason = "OK",
                  .setup_ms = -1, .answer_ms = -1, .duration_s = -1);
  assert_str(c->method, "ACK"); /* the first request seen */
  script_free(s);
}

static void test_no_response(void **state)
{
  script *s = scn_no_response();
  expect_call(s, 1, .state = SIPFLOW_CALL_SETUP, .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1, .anomalies = "no-final,retransmissions",
              .failure = "no response from 10.0.0.2:5060 to the INVITE within 32 s");
  script_free(s);
}

/* "after 1.2 s": the seconds are written as printf's "%.1f" would write
 * them, ties included (1.25 s is exact and rounds to even, 3.15 s is a
 * little less than 3.15 as a double). */
static void test_duration_rounding(void **state)
{
  static const struct {
    int64_t final_ms;
    const char *after;
  } cases[] = {{1350, "1.2 s"}, {1450, "1.4 s"}, {3250, "3.1 s"}, {12850, "12.8 s"},
               {1099, "999 ms"}, {1100, "1.0 s"}, {1149, "1.0 s"}, {1151, "1.1 s"}};
  script *s = script_new();
  char cid[16], want[128];

  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_snprintf(cid, sizeof cid, "d%zu", i);
    rejected_call(s, 1 + 5 * i, 100000 * (int64_t)i, cid, 100, 486, cases[i].final_ms, NULL);
  }
  script_finish(s);
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_snprintf(want, sizeof want,
               "rejected by 10.0.0.2:5060 with 486 Busy Here after %s of ringing",
               cases[i].after);
    assert_str(call_of(s, (uint32_t)i + 1)->failure, want);
  }
  script_free(s);
}

static void test_q850_parsing(void **state)
{
  assert_str(sipflow_q850_cause_text(16), "Normal call clearing");
  assert_str(sipflow_q850_cause_text(34), "No circuit/channel available");
  assert_null(sipflow_q850_cause_text(99));
  assert_null(sipflow_q850_cause_text(0));
  /* an unknown cause keeps its number; SIP-only Reason gives none */
  script *s = script_new();
  rejected_call(s, 1, 0, "q99", -1, 500, 10, "Reason: Q.850;cause=99\n");
  rejected_call(s, 5, 100, "sipreason", -1, 500, 10, "Reason: SIP;cause=500\n");
  rejected_call(s, 9, 200, "second", -1, 500, 10,
                "Reason: SIP;cause=500\nReason: q.850;text=\"x\";cause=17\n");
  rejected_call(s, 13, 300, "junk", -1, 500, 10, "Reason: Q.850;cause=\nReason: Q.850\n");
  script_finish(s);
  assert_str(call_of(s, 1)->failure,
             "rejected by 10.0.0.2:5060 with 500 Whatever after 10 ms (Q.850 cause 99)");
  assert_int_equal(call_of(s, 2)->q850_cause, 0);
  assert_int_equal(call_of(s, 3)->q850_cause, 17);
  assert_int_equal(call_of(s, 4)->q850_cause, 0);
  script_free(s);
}

static void test_names(void **state)
{
  static const char *const states[] = {"setup", "ringing", "in-call", "completed",
                                       "cancelled", "busy", "diverted", "rejected",
                                       "ok", "failed", "pending"};
  for (int i = 0; i < SIPFLOW_CALL_STATE_COUNT; i++) {
    assert_str(sipflow_call_state_name((sipflow_call_state)i), states[i]);
    assert_int_equal(sipflow_call_state_from_name(states[i]), i);
  }
  assert_int_equal(sipflow_call_state_from_name("nope"), -1);
  assert_int_equal(sipflow_call_state_from_name(NULL), -1);
  assert_str(sipflow_call_state_name((sipflow_call_state)42), "unknown");
  assert_str(sipflow_anomaly_name(SIPFLOW_ANOMALY_LATE_CANCEL), "late-cancel");
  assert_null(sipflow_anomaly_name(3));
  assert_null(sipflow_anomaly_name(0));
  assert_str(sipflow_transaction_state_name(SIPFLOW_TXN_ACCEPTED), "accepted");
  assert_str(sipflow_dialog_state_name(SIPFLOW_DIALOG_EARLY), "early");
  assert_str(sipflow_method_name(SIPFLOW_METHOD_UPDATE), "UPDATE");
  assert_str(sipflow_method_name(SIPFLOW_METHOD_OTHER), "other");
}

/* A mix: completed (setup 500, 60.5 s), busy (setup 800), 404 without
 * ringing, cancelled (setup 900), in-call (183 at 1500), REGISTER ok,
 * 480 after ringing (setup 200). */
static void test_stats_mix(void **state)
{
  script *s = script_new();
  answered_call(s, 1, 0, "m1");                                   /* 7 msgs */
  busy_call(s, 8, 100000, "m2");                                  /* 5 */
  rejected_call(s, 13, 200000, "m3", -1, 404, 100, NULL);         /* 4 */
  cancelled_call(s, 17, 300000, "m4");                            /* 7 */
  feed(s, 24, 400000, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("m5"), .call_id = "m5", .from_tag = "a", .cseq = 1});
  feed(s, 25, 401500, UA_B, UA_A, (sipm){.status = 183, .via = VA("m5"), .call_id = "m5", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 26, 402000, UA_B, UA_A, (sipm){.status = 200, .via = VA("m5"), .call_id = "m5", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 27, 402010, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("m6"), .call_id = "m5", .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 28, 402011, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("m6"), .call_id = "m5", .from_tag = "a", .to_tag = "b", .cseq = 1});
  feed(s, 29, 500000, UA_A, UA_P, (sipm){.method = "REGISTER", .via = VA("m7"), .call_id = "m6", .from_tag = "a", .cseq = 1});
  feed(s, 30, 500050, UA_P, UA_A, (sipm){.status = 200, .via = VA("m7"), .call_id = "m6", .from_tag = "a", .to_tag = "r", .cseq = 1, .cseq_method = "REGISTER"});
  rejected_call(s, 31, 600000, "m7", 200, 480, 20200, NULL);      /* 5 */

  sipflow_stats st;
  assert_int_equal(sipflow_get_stats(s->ctx, &st), SIPFLOW_OK);
  assert_int_equal(st.messages, 35);
  assert_int_equal(st.calls, 4); /* m1..m4 finalised by linger so far */
  script_finish(s);
  assert_int_equal(sipflow_get_stats(s->ctx, &st), SIPFLOW_OK);
  assert_int_equal(st.messages, 35);
  assert_int_equal(st.requests, 16);
  assert_int_equal(st.responses, 19);
  assert_int_equal(st.retransmissions, 1);
  assert_int_equal(st.by_method[SIPFLOW_METHOD_INVITE], 6);
  assert_int_equal(st.by_method[SIPFLOW_METHOD_ACK], 7);
  assert_int_equal(st.by_method[SIPFLOW_METHOD_BYE], 1);
  assert_int_equal(st.by_method[SIPFLOW_METHOD_CANCEL], 1);
  assert_int_equal(st.by_method[SIPFLOW_METHOD_REGISTER], 1);
  assert_int_equal(st.by_method[SIPFLOW_METHOD_OTHER], 0);
  assert_int_equal(st.by_status_class[1], 10);
  assert_int_equal(st.by_status_class[2], 5);
  assert_int_equal(st.by_status_class[3], 0);
  assert_int_equal(st.by_status_class[4], 4);
  assert_int_equal(st.calls, 7);
  assert_int_equal(st.transactions, 11);
  assert_int_equal(st.dialogs, 5);
  assert_int_equal(st.calls_by_state[SIPFLOW_CALL_COMPLETED], 1);
  assert_int_equal(st.calls_by_state[SIPFLOW_CALL_IN_CALL], 1);
  assert_int_equal(st.calls_by_state[SIPFLOW_CALL_BUSY], 1);
  assert_int_equal(st.calls_by_state[SIPFLOW_CALL_REJECTED], 2);
  assert_int_equal(st.calls_by_state[SIPFLOW_CALL_CANCELLED], 1);
  assert_int_equal(st.calls_by_state[SIPFLOW_CALL_OK], 1);
  assert_int_equal(st.failed, 4);
  assert_int_equal(st.anomalies[2], 1); /* retransmissions: the ACK of m5 */
  assert_int_equal(st.invite_calls, 6);
  assert_int_equal(st.answered, 2);
  assert_int_equal(st.effective, 5); /* all but the 404 */
  assert_float_equal(st.asr, 100.0 * 2 / 6, 1e-9);
  assert_float_equal(st.ner, 100.0 * 5 / 6, 1e-9);
  /* PDD 200, 500, 800, 900, 1500 */
  assert_int_equal(st.pdd_count, 5);
  assert_float_equal(st.pdd_mean_ms, 780.0, 1e-9);
  assert_int_equal(st.pdd_p50_ms, 800);
  assert_int_equal(st.pdd_p95_ms, 1500);
  assert_int_equal(st.acd_count, 1);
  assert_float_equal(st.acd_s, 60.5, 1e-9);
  assert_int_equal(st.n_top_failures, 4);
  assert_str(st.top_failures[0].label, "cancelled by the caller");
  assert_str(st.top_failures[1].label, "404 Not Found");
  assert_str(st.top_failures[2].label, "480 Temporarily Unavailable");
  assert_str(st.top_failures[3].label, "486 Busy Here");
  assert_int_equal(st.top_failures[3].final_status, 486);
  assert_int_equal(st.top_failures[3].state, SIPFLOW_CALL_BUSY);
  assert_int_equal(st.top_failures[3].calls, 1);
  script_free(s);
}

static void test_stats_ranking_and_empty(void **state)
{
  script *s = script_new();
  sipflow_stats st;
  assert_int_equal(sipflow_get_stats(s->ctx, &st), SIPFLOW_OK);
  assert_float_equal(st.asr, -1, 0);
  assert_float_equal(st.ner, -1, 0);
  assert_int_equal(st.pdd_p50_ms, -1);
  assert_float_equal(st.acd_s, -1, 0);
  assert_int_equal(st.n_top_failures, 0);
  /* 12 distinct failures, one twice: the repeated one first, 10 rows */
  static const int codes[] = {403, 404, 410, 413, 415, 420, 484, 488, 500, 502, 503, 503};
  for (unsigned i = 0; i < G_N_ELEMENTS(codes); i++) {
    char cid[16];
    snprintf(cid, sizeof cid, "f%u", i);
    rejected_call(s, 1 + 4 * i, 1000 * i, cid, -1, codes[i], 50, NULL);
  }
  script_finish(s);
  assert_int_equal(sipflow_get_stats(s->ctx, &st), SIPFLOW_OK);
  assert_int_equal(st.failed, 12);
  assert_int_equal(st.n_top_failures, SIPFLOW_STATS_TOP_FAILURES);
  assert_int_equal(st.top_failures[0].final_status, 503);
  assert_int_equal(st.top_failures[0].calls, 2);
  assert_int_equal(st.top_failures[1].final_status, 403);
  assert_int_equal(st.top_failures[9].final_status, 500);
  assert_float_equal(st.asr, 0, 0);
  assert_float_equal(st.ner, 0, 0);
  script_free(s);
}

/* ../shared/corpus/sngrep-aaa.pcap (irontec/sngrep tests/aaa.pcap): a
 * softphone behind NAT (192.168.1.2) against two providers.  What a human
 * reads in the flow:
 *  1. REGISTER (CSeq 68-79): challenged again and again ("nonce has
 *     changed"), one 403, one 200 at CSeq 75, and the last REGISTER (79)
 *     is challenged with no retry before the capture ends -> failed with
 *     401; five challenges in a row (70-74) -> auth-loop.
 *  2. INVITE to 200.68.120.81: retransmitted twice, only "100 trying";
 *     the caller gives up with CANCEL after 34.1 s (retransmitted ten
 *     times: never answered until a 408), the INVITE ends 408 -> cancelled
 *     by the caller (not a rejection: the CANCEL came first).
 *  3. INVITE to 212.242.33.35: 407, retry 33 s later (the user typed a
 *     password: the same call), 403 Wrong password -> rejected 403.
 *  4. A second REGISTER Call-ID: 401, 200, then 401 x3, 200 -> ok (the
 *     last REGISTER succeeded), auth-loop (three challenges in a row).
 *  5. INVITE: 407, retry 52 s later, 100, 403 -> rejected 403.
 *  6. INVITE: 407, retry 17 s later, 183 then 480 with Reason Q.850
 *     cause 21 -> rejected 480; the clock of setup_ms restarts at the retry
 *     (17 s of password typing are not post-dial delay): 426 ms.
 * tshark 4.0 counts 4 "resent" messages (the INVITE retransmissions); the
 * 14 here add the 10 CANCEL retransmissions, which tshark never marks
 * (nor ACK or provisional-response retransmissions). */
static void test_corpus_sngrep_aaa(void **state)
{
  const char *corpus = getenv("CORPUS");
  char *path = g_build_filename(corpus ? corpus : ".", "sngrep-aaa.pcap", NULL);
  const char *paths[] = {path};
  script *s;

  if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
    g_free(path);
    skip();
  }
  s = script_new();
  assert_int_equal(sipflow_read_files(s->ctx, paths, 1, NULL), SIPFLOW_OK);
  g_free(path);
  sipflow_stats st;
  sipflow_get_stats(s->ctx, &st);
  if (st.messages == 0) { /* the capture stages are not in yet */
    script_free(s);
    skip();
  }
  assert_int_equal(st.messages, 81);
  assert_int_equal(st.calls, 6);
  assert_int_equal(st.retransmissions, 14);
  expect_call(s, 1, .state = SIPFLOW_CALL_FAILED, .final_status = 401,
              .reason = "nonce has changed", .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1, .anomalies = "auth-loop",
              .failure = "REGISTER rejected by 212.242.33.35:5060 with 401 nonce has changed");
  expect_call(s, 2, .state = SIPFLOW_CALL_CANCELLED, .final_status = 408,
              .reason = "Request Timeout", .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1, .anomalies = "retransmissions",
              .failure = "cancelled by the caller 192.168.1.2:5060 after 34.1 s "
                         "(final response 408 Request Timeout)");
  expect_call(s, 3, .state = SIPFLOW_CALL_REJECTED, .final_status = 403,
              .reason = "Wrong password or domain", .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1, .anomalies = "retransmissions",
              .failure = "rejected by 212.242.33.35:5060 with 403 Wrong password or "
                         "domain after 205 ms");
  expect_call(s, 4, .state = SIPFLOW_CALL_OK, .final_status = 200, .reason = "OK",
              .setup_ms = -1, .answer_ms = -1, .duration_s = -1, .anomalies = "auth-loop");
  expect_call(s, 5, .state = SIPFLOW_CALL_REJECTED, .final_status = 403,
              .reason = "Wrong password or domain", .setup_ms = -1, .answer_ms = -1,
              .duration_s = -1,
              .failure = "rejected by 212.242.33.35:5060 with 403 Wrong password or "
                         "domain after 194 ms");
  expect_call(s, 6, .state = SIPFLOW_CALL_REJECTED, .final_status = 480, .reason = "Error",
              .setup_ms = 426, .answer_ms = -1, .duration_s = -1,
              .failure = "rejected by 212.242.33.35:5060 with 480 Error after 43 ms of "
                         "ringing (Q.850 cause 21: Call rejected)");
  script_free(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_answered),
    cmocka_unit_test(test_busy),
    cmocka_unit_test(test_rejected_with_q850),
    cmocka_unit_test(test_cancelled),
    cmocka_unit_test(test_no_answer),
    cmocka_unit_test(test_redirect_then_answer),
    cmocka_unit_test(test_challenge_then_success),
    cmocka_unit_test(test_auth_loop),
    cmocka_unit_test(test_forked),
    cmocka_unit_test(test_reinvite),
    cmocka_unit_test(test_no_ack),
    cmocka_unit_test(test_retransmissions_change_nothing),
    cmocka_unit_test(test_proxy_hop),
    cmocka_unit_test(test_b2bua_legs_stay_separate),
    cmocka_unit_test(test_bye_481),
    cmocka_unit_test(test_one_way_hangup),
    cmocka_unit_test(test_late_cancel),
    cmocka_unit_test(test_rfc2543),
    cmocka_unit_test(test_non_invite),
    cmocka_unit_test(test_subscribe_ok),
    cmocka_unit_test(test_partial_capture),
    cmocka_unit_test(test_no_response),
    cmocka_unit_test(test_duration_rounding),
    cmocka_unit_test(test_q850_parsing),
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_stats_mix),
    cmocka_unit_test(test_stats_ranking_and_empty),
    cmocka_unit_test(test_corpus_sngrep_aaa),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
