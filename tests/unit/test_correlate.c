/*
 * Unit tests for the correlate stage (correlate.c, calls.c): the
 * transaction, dialog and call of every message, retransmission flags,
 * transaction and dialog records, B2BUA links and the finalisation of
 * calls.  Scenarios: sipscenarios.h.  Rows are
 * {frame, transaction, dialog, call, retransmission}.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sipscenarios.h"

static const sipflow_transaction_info *txn_of(const sipflow_call_info *c, uint32_t id)
{
  for (size_t i = 0; i < c->n_transactions; i++)
    if (c->transaction_list[i].id == id)
      return &c->transaction_list[i];
  fail_msg("call %u has no transaction %u", c->call, id);
  return NULL;
}

static const sipflow_dialog_info *dialog_of(const sipflow_call_info *c, uint32_t id)
{
  for (size_t i = 0; i < c->n_dialogs; i++)
    if (c->dialog_list[i].id == id)
      return &c->dialog_list[i];
  fail_msg("call %u has no dialog %u", c->call, id);
  return NULL;
}

static void test_answered(void **state)
{
  script *s = scn_answered();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 1, 1, 1, 0}, {4, 1, 1, 1, 0},
              {5, 2, 1, 1, 0}, {6, 3, 1, 1, 0}, {7, 3, 1, 1, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->n_transactions, 3);
  const sipflow_transaction_info *t = txn_of(c, 1);
  assert_str(t->method, "INVITE");
  assert_str(t->branch, "z9hG4bKa1");
  assert_int_equal(t->rfc2543, 0);
  assert_int_equal(t->cseq, 1);
  assert_int_equal(t->final_status, 200);
  assert_str(t->final_reason, "OK");
  assert_int_equal(t->state, SIPFLOW_TXN_ACCEPTED);
  assert_int_equal(t->requests, 1);
  assert_int_equal(t->responses, 3);
  assert_int_equal(t->first_frame, 1);
  assert_int_equal(t->last_frame, 4);
  assert_int_equal(t->start_us, SCRIPT_T0);
  assert_int_equal(t->end_us, SCRIPT_T0 + 3200000);
  assert_int_equal(t->dialog, 1);
  assert_int_equal(t->src.port, 5060);
  assert_int_equal(t->src.addr[3], 1);
  assert_int_equal(t->dst.addr[3], 2);
  t = txn_of(c, 2);
  assert_str(t->method, "ACK");
  assert_int_equal(t->state, SIPFLOW_TXN_TERMINATED);
  t = txn_of(c, 3);
  assert_str(t->method, "BYE");
  assert_int_equal(t->state, SIPFLOW_TXN_COMPLETED);
  assert_int_equal(t->src.addr[3], 2); /* the callee hung up */
  assert_int_equal(c->n_dialogs, 1);
  const sipflow_dialog_info *d = dialog_of(c, 1);
  assert_str(d->call_id, "answered");
  assert_str(d->from_tag, "a");
  assert_str(d->to_tag, "b");
  assert_str(d->method, "INVITE");
  assert_int_equal(d->transaction, 1);
  assert_int_equal(d->state, SIPFLOW_DIALOG_TERMINATED);
  assert_int_equal(d->created_frame, 3);
  assert_int_equal(d->confirmed_frame, 4);
  assert_int_equal(d->terminated_frame, 7);
  assert_int_equal(d->messages, 5);
  assert_int_equal(d->uac.addr[3], 1);
  assert_int_equal(d->uas.addr[3], 2);
  assert_int_equal(d->before_capture, 0);
  script_free(s);
}

static void test_busy(void **state)
{
  script *s = scn_busy();
  /* the ACK of the 486 is part of the INVITE transaction (RFC 3261 §17.1.1.3) */
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 1, 1, 1, 0}, {4, 1, 1, 1, 0},
              {5, 1, 1, 1, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->n_transactions, 1);
  assert_int_equal(txn_of(c, 1)->state, SIPFLOW_TXN_CONFIRMED);
  assert_int_equal(txn_of(c, 1)->requests, 2);
  const sipflow_dialog_info *d = dialog_of(c, 1);
  assert_int_equal(d->state, SIPFLOW_DIALOG_TERMINATED);
  assert_int_equal(d->terminated_frame, 4);
  assert_int_equal(d->confirmed_frame, 0);
  script_free(s);
}

static void test_rejected_calls(void **state)
{
  script *s = scn_rejected();
  /* no dialog: the 403/404/503 carry a To tag but only 101-299 create one */
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 1, 0, 1, 0}, {4, 1, 0, 1, 0},
              {5, 2, 0, 2, 0}, {6, 2, 0, 2, 0}, {7, 2, 0, 2, 0}, {8, 2, 0, 2, 0},
              {9, 3, 0, 3, 0}, {10, 3, 0, 3, 0}, {11, 3, 0, 3, 0}, {12, 3, 0, 3, 0},
              {13, 4, 0, 4, 0}, {14, 4, 0, 4, 0}, {15, 4, 1, 4, 0}, {16, 4, 1, 4, 0},
              {17, 4, 1, 4, 0});
  assert_int_equal(call_of(s, 4)->n_dialogs, 1);
  assert_int_equal(dialog_of(call_of(s, 4), 1)->state, SIPFLOW_DIALOG_TERMINATED);
  /* kept calls keep their own transaction lists (the later calls' views
   * are built in memory reused from call to call) */
  assert_int_equal(txn_of(call_of(s, 1), 1)->final_status, 403);
  assert_str(txn_of(call_of(s, 2), 2)->final_reason, "Not Found");
  assert_int_equal(txn_of(call_of(s, 3), 3)->final_status, 503);
  assert_int_equal(call_of(s, 1)->n_dialogs, 0);
  script_free(s);
}

static void test_cancel_is_own_transaction(void **state)
{
  script *s = scn_cancelled();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 1, 1, 1, 0}, {4, 2, 0, 1, 0},
              {5, 2, 1, 1, 0}, {6, 1, 1, 1, 0}, {7, 1, 1, 1, 0});
  const sipflow_call_info *c = call_of(s, 1);
  const sipflow_transaction_info *t = txn_of(c, 2);
  assert_str(t->method, "CANCEL");
  assert_str(t->branch, "z9hG4bKc1"); /* same branch as the INVITE */
  assert_int_equal(t->cancels, 1);
  assert_int_equal(t->final_status, 200);
  assert_int_equal(txn_of(c, 1)->cancels, 0);
  assert_int_equal(txn_of(c, 1)->final_status, 487);
  assert_int_equal(txn_of(c, 1)->state, SIPFLOW_TXN_CONFIRMED);
  assert_int_equal(dialog_of(c, 1)->state, SIPFLOW_DIALOG_TERMINATED);
  assert_int_equal(dialog_of(c, 1)->terminated_frame, 6);
  script_free(s);
}

static void test_redirect_new_transaction(void **state)
{
  script *s = scn_redirect();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 1, 0, 1, 0}, {4, 2, 0, 1, 0},
              {5, 2, 1, 1, 0}, {6, 2, 1, 1, 0}, {7, 3, 1, 1, 0}, {8, 4, 1, 1, 0},
              {9, 4, 1, 1, 0}, {10, 5, 0, 2, 0}, {11, 5, 0, 2, 0}, {12, 5, 0, 2, 0});
  script_free(s);
}

static void test_auth_retry(void **state)
{
  script *s = scn_auth_ok();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 1, 0, 1, 0}, {4, 2, 0, 1, 0},
              {5, 2, 0, 1, 0}, {6, 2, 1, 1, 0}, {7, 2, 1, 1, 0}, {8, 3, 1, 1, 0});
  script_free(s);
}

static void test_forked_two_early_dialogs(void **state)
{
  script *s = scn_forked();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 1, 1, 1, 0}, {4, 1, 2, 1, 0},
              {5, 1, 1, 1, 0}, {6, 2, 1, 1, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->n_dialogs, 2);
  assert_int_equal(dialog_of(c, 1)->state, SIPFLOW_DIALOG_CONFIRMED);
  assert_str(dialog_of(c, 1)->to_tag, "b1");
  assert_int_equal(dialog_of(c, 2)->state, SIPFLOW_DIALOG_EARLY);
  assert_str(dialog_of(c, 2)->to_tag, "c1");
  assert_int_equal(dialog_of(c, 2)->created_frame, 4);
  script_free(s);
}

static void test_forked_at_proxy(void **state)
{
  script *s = scn_forked_at_proxy();
  /* the 486 of the C branch ends the C early dialog only */
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 2, 0, 1, 0}, {3, 3, 0, 1, 0}, {4, 2, 1, 1, 0},
              {5, 1, 1, 1, 0}, {6, 3, 2, 1, 0}, {7, 1, 2, 1, 0}, {8, 3, 2, 1, 0},
              {9, 3, 2, 1, 0}, {10, 2, 1, 1, 0}, {11, 1, 1, 1, 0}, {12, 4, 1, 1, 0},
              {13, 5, 1, 1, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(dialog_of(c, 1)->state, SIPFLOW_DIALOG_CONFIRMED);
  assert_int_equal(dialog_of(c, 2)->state, SIPFLOW_DIALOG_TERMINATED);
  assert_int_equal(dialog_of(c, 2)->terminated_frame, 8);
  assert_int_equal(txn_of(c, 3)->final_status, 486);
  assert_int_equal(txn_of(c, 3)->state, SIPFLOW_TXN_CONFIRMED);
  script_free(s);
}

static void test_reinvite_same_dialog(void **state)
{
  script *s = scn_reinvite();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 1, 1, 0}, {3, 1, 1, 1, 0}, {4, 2, 1, 1, 0},
              {5, 3, 1, 1, 0}, {6, 3, 1, 1, 0}, {7, 4, 1, 1, 0}, {8, 5, 1, 1, 0},
              {9, 5, 1, 1, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->n_dialogs, 1);
  assert_int_equal(txn_of(c, 3)->cseq, 2);
  assert_int_equal(txn_of(c, 3)->state, SIPFLOW_TXN_ACCEPTED);
  script_free(s);
}

static void test_retransmissions(void **state)
{
  script *s = scn_retransmissions();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 1}, {3, 1, 0, 1, 0}, {4, 1, 1, 1, 0},
              {5, 1, 1, 1, 0}, {6, 1, 1, 1, 1}, {7, 2, 1, 1, 0}, {8, 2, 1, 1, 1});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->retransmissions, 3);
  assert_int_equal(txn_of(c, 1)->retransmissions, 2);
  assert_int_equal(txn_of(c, 1)->requests, 2);
  assert_int_equal(txn_of(c, 1)->responses, 4);
  assert_int_equal(txn_of(c, 2)->retransmissions, 1);
  assert_int_equal(txn_of(c, 2)->requests, 2);
  script_free(s);
}

static void test_no_ack_retransmitted_200(void **state)
{
  script *s = scn_no_ack();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 1, 1, 0}, {3, 1, 1, 1, 0}, {4, 1, 1, 1, 1},
              {5, 1, 1, 1, 1}, {6, 2, 1, 1, 0}, {7, 2, 1, 1, 0});
  script_free(s);
}

static void test_proxy_hop_two_transactions(void **state)
{
  script *s = scn_proxy_hop();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 2, 0, 1, 0}, {4, 2, 0, 1, 0},
              {5, 2, 1, 1, 0}, {6, 1, 1, 1, 0}, {7, 2, 1, 1, 0}, {8, 1, 1, 1, 0},
              {9, 3, 1, 1, 0}, {10, 4, 1, 1, 0}, {11, 5, 1, 1, 0}, {12, 6, 1, 1, 0},
              {13, 6, 1, 1, 0}, {14, 5, 1, 1, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->transactions, 6);
  assert_int_equal(c->dialogs, 1);
  assert_int_equal(c->retransmissions, 0);
  assert_str(txn_of(c, 2)->branch, "z9hG4bKk1");
  assert_int_equal(txn_of(c, 2)->src.addr[3], 3);
  assert_int_equal(txn_of(c, 2)->dst.addr[3], 2);
  assert_int_equal(dialog_of(c, 1)->state, SIPFLOW_DIALOG_TERMINATED);
  assert_int_equal(dialog_of(c, 1)->terminated_frame, 13);
  script_free(s);
}

static void test_b2bua_links(void **state)
{
  script *s = scn_b2bua();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 2, 0, 2, 0}, {3, 3, 0, 3, 0}, {4, 4, 0, 4, 0},
              {5, 5, 0, 5, 0}, {6, 6, 0, 6, 0}, {7, 7, 0, 7, 0});
  static const uint32_t linked[] = {2, 1, 4, 3, 6, 5, 0};
  for (uint32_t id = 1; id <= 7; id++)
    assert_int_equal(call_of(s, id)->linked_call, linked[id - 1]);
  script_free(s);
}

static void test_bye_481_terminates(void **state)
{
  script *s = scn_bye_481();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 1, 1, 0}, {3, 2, 1, 1, 0}, {4, 3, 1, 1, 0},
              {5, 3, 1, 1, 0});
  assert_int_equal(dialog_of(call_of(s, 1), 1)->state, SIPFLOW_DIALOG_TERMINATED);
  script_free(s);
}

static void test_bye_unanswered(void **state)
{
  script *s = scn_bye_unanswered();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 1, 1, 0}, {3, 2, 1, 1, 0}, {4, 3, 1, 1, 0},
              {5, 3, 1, 1, 1}, {6, 3, 1, 1, 1});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(dialog_of(c, 1)->state, SIPFLOW_DIALOG_CONFIRMED);
  assert_int_equal(txn_of(c, 3)->state, SIPFLOW_TXN_TRYING);
  script_free(s);
}

static void test_late_cancel(void **state)
{
  script *s = scn_late_cancel();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 1, 1, 0}, {3, 1, 1, 1, 0}, {4, 2, 0, 1, 0},
              {5, 2, 1, 1, 0}, {6, 3, 1, 1, 0});
  assert_int_equal(txn_of(call_of(s, 1), 2)->cancels, 1);
  script_free(s);
}

static void test_rfc2543_fallback(void **state)
{
  script *s = scn_rfc2543();
  /* no branch: CSeq + From tag + top Via; the 100 carries received= in its
   * Via and still matches; the ACK of the 2xx is its own transaction */
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 1}, {3, 1, 0, 1, 0}, {4, 1, 1, 1, 0},
              {5, 1, 1, 1, 0}, {6, 2, 1, 1, 0}, {7, 3, 1, 1, 0}, {8, 3, 1, 1, 0},
              {9, 4, 0, 2, 0}, {10, 4, 0, 2, 0}, {11, 4, 0, 2, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(txn_of(c, 1)->rfc2543, 1);
  assert_null(txn_of(c, 1)->branch);
  assert_str(txn_of(c, 2)->method, "ACK");
  const sipflow_transaction_info *t = txn_of(call_of(s, 2), 4);
  assert_int_equal(t->rfc2543, 1);
  assert_str(t->branch, "1234abcd");
  assert_int_equal(t->state, SIPFLOW_TXN_CONFIRMED);
  script_free(s);
}

static void test_non_invite(void **state)
{
  script *s = scn_non_invite();
  /* REGISTER and OPTIONS create no dialog (RFC 3261 §12.1) */
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 2, 0, 1, 0}, {4, 2, 0, 1, 0},
              {5, 3, 0, 2, 0}, {6, 3, 0, 2, 0}, {7, 4, 0, 3, 0}, {8, 5, 0, 4, 0},
              {9, 5, 0, 4, 0});
  script_free(s);
}

static void test_subscription_dialog(void **state)
{
  script *s = scn_subscribe();
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 1, 1, 0}, {3, 2, 1, 1, 0}, {4, 2, 1, 1, 0},
              {5, 3, 1, 1, 0}, {6, 3, 1, 1, 0});
  const sipflow_dialog_info *d = dialog_of(call_of(s, 1), 1);
  assert_str(d->method, "SUBSCRIBE");
  assert_int_equal(d->confirmed_frame, 2);
  assert_int_equal(d->state, SIPFLOW_DIALOG_TERMINATED);
  assert_int_equal(d->terminated_frame, 5);
  script_free(s);
}

static void test_capture_started_late(void **state)
{
  script *s = scn_partial();
  expect_msgs(s, {1, 1, 1, 1, 0}, {2, 1, 1, 1, 0}, {3, 2, 2, 2, 0}, {4, 2, 2, 2, 0},
              {5, 3, 2, 2, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(dialog_of(c, 1)->before_capture, 1);
  assert_int_equal(dialog_of(c, 1)->state, SIPFLOW_DIALOG_TERMINATED);
  c = call_of(s, 2);
  const sipflow_transaction_info *t = txn_of(c, 2);
  assert_int_equal(t->request_seen, 0);
  assert_int_equal(t->requests, 0);
  assert_int_equal(t->responses, 2);
  assert_int_equal(t->src.addr[3], 1); /* client side from the response's dst */
  assert_int_equal(dialog_of(c, 2)->before_capture, 0);
  assert_int_equal(dialog_of(c, 2)->state, SIPFLOW_DIALOG_CONFIRMED);
  script_free(s);
}

/* ------------------------------------------------------ finalisation */

static void test_linger_finalises_ended_call(void **state)
{
  sipflow_call_options opt = {.keep_calls = 0};
  script *s = script_new_opts(&opt);
  answered_call(s, 1, 0, "first");          /* ends at 63.72 s */
  feed(s, 8, 63720 + 31000, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("o1"), .call_id = "ping1", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 0);          /* 31 s < 32 s: kept */
  assert_non_null(sipflow_get_call(s->ctx, 1));
  feed(s, 9, 63720 + 32001, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("o2"), .call_id = "ping2", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 1);
  assert_int_equal(s->ended[0], 1);
  assert_int_equal(s->ended_at[0], 9);      /* before frame 9 was delivered */
  assert_null(sipflow_get_call(s->ctx, 1)); /* freed */
  /* a late message of that Call-ID is a new call */
  feed(s, 10, 63720 + 33000, UA_B, UA_A, (sipm){.method = "BYE", .via = VB("b1"), .call_id = "first", .from_tag = "b", .to_tag = "a", .cseq = 1});
  assert_int_equal(msg_of(s, 10)->call, 4);
  assert_int_equal(msg_of(s, 10)->txn, 6);
  script_finish(s);
  /* the rest at finish, in id order */
  assert_int_equal(s->n_ended, 4);
  assert_int_equal(s->ended[1], 2);
  assert_int_equal(s->ended[2], 3);
  assert_int_equal(s->ended[3], 4);
  script_free(s);
}

/* summary_only: the calls handed to on_call_end have no lists, and the
 * same summary as with them (keep_calls overrides it). */
static void test_summary_only(void **state)
{
  sipflow_call_options summary = {.summary_only = 1}, full = {0},
                       kept = {.summary_only = 1, .keep_calls = 1};
  script *a = script_new_opts(&summary), *b = script_new_opts(&full), *k = script_new_opts(&kept);
  script *all[3] = {a, b, k};

  for (int i = 0; i < 3; i++) {
    answered_call(all[i], 1, 0, "answered");
    busy_call(all[i], 10, 1000, "busy");
    script_finish(all[i]);
    assert_int_equal(all[i]->n_ended, 2);
  }
  for (size_t n = 0; n < 2; n++) {
    const sipflow_call_info *x = &a->ended_info[n], *y = &b->ended_info[n];
    assert_int_equal(x->call, y->call);
    assert_int_equal(x->state, y->state);
    assert_int_equal(x->final_status, y->final_status);
    assert_int_equal(x->anomalies, y->anomalies);
    assert_int_equal(x->setup_ms, y->setup_ms);
    assert_int_equal(x->answer_ms, y->answer_ms);
    assert_true(x->duration_s == y->duration_s);
    assert_int_equal(x->attempts, y->attempts);
    assert_int_equal(x->transactions, y->transactions);
    assert_int_equal(x->dialogs, y->dialogs);
    assert_int_equal(x->failure != NULL, y->failure != NULL);
    assert_true(x->transactions > 0 && x->dialogs > 0);
    /* no lists in the summary, lists otherwise */
    assert_int_equal(x->n_transactions, 0);
    assert_null(x->transaction_list);
    assert_int_equal(x->n_dialogs, 0);
    assert_null(x->dialog_list);
    assert_int_equal(y->n_transactions, y->transactions);
    assert_non_null(y->transaction_list);
    assert_int_equal(y->n_dialogs, y->dialogs);
    assert_non_null(y->dialog_list);
    assert_int_equal(k->ended_info[n].n_transactions, y->transactions);
    assert_non_null(k->ended_info[n].dialog_list);
  }
  assert_int_equal(a->ended_info[0].state, SIPFLOW_CALL_COMPLETED);
  assert_int_equal(a->ended_info[1].state, SIPFLOW_CALL_BUSY);
  script_free(a);
  script_free(b);
  script_free(k);
}

/* The second fork's early dialog never ends at the caller (the proxy
 * cancels it downstream): it must not keep the finished call open. */
static void test_forked_call_finalised(void **state)
{
  script *s = script_new();
  const char *cid = "fork";
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("f1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 300, UA_P, UA_A, (sipm){.status = 180, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 350, UA_P, UA_A, (sipm){.status = 180, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "c1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 4, 4000, UA_P, UA_A, (sipm){.status = 200, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 5, 4010, UA_A, UA_P, (sipm){.method = "ACK", .via = VA("f2"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 1});
  feed(s, 6, 9000, UA_A, UA_P, (sipm){.method = "BYE", .via = VA("f3"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 2});
  feed(s, 7, 9010, UA_P, UA_A, (sipm){.status = 200, .via = VA("f3"), .call_id = cid, .from_tag = "a", .to_tag = "b1", .cseq = 2, .cseq_method = "BYE"});
  feed(s, 8, 9010 + 32001, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("o1"), .call_id = "later", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 1);
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->state, SIPFLOW_CALL_COMPLETED);
  assert_int_equal(dialog_of(c, 1)->state, SIPFLOW_DIALOG_TERMINATED);
  assert_int_equal(dialog_of(c, 2)->state, SIPFLOW_DIALOG_EARLY);
  script_finish(s);
  script_free(s);
}

static void test_challenge_waits_for_retry(void **state)
{
  script *s = script_new();
  const char *cid = "slowauth";
  /* the user types a password for 40 s: the 407 does not end the call */
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("p1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 40, UA_P, UA_A, (sipm){.status = 407, .via = VA("p1"), .call_id = cid, .from_tag = "a", .to_tag = "px", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 50, UA_A, UA_P, (sipm){.method = "ACK", .via = VA("p1"), .call_id = cid, .from_tag = "a", .to_tag = "px", .cseq = 1});
  feed(s, 4, 40050, UA_A, UA_P, (sipm){.method = "INVITE", .via = VA("p2"), .call_id = cid, .from_tag = "a", .cseq = 2});
  assert_int_equal(s->n_ended, 0);
  assert_int_equal(msg_of(s, 4)->call, 1);
  assert_int_equal(msg_of(s, 4)->txn, 2);
  script_finish(s);
  assert_int_equal(call_of(s, 1)->attempts, 2);
  script_free(s);
}

/* Calls without INVITE (issue 7: memory stays bounded on long captures):
 * once every transaction is answered they wait for their Call-ID to come
 * back -- a REGISTER for the lifetime its 2xx granted (the refresh reuses
 * the Call-ID, RFC 3261 §10.2.4), others 300 s -- plus the 32 s linger,
 * then are finalised; an unanswered one waits for the end. */
static void test_quiet_calls_finalised(void **state)
{
  script *s = script_new();
  /* a 60 s binding: the Contact expires parameter wins over Expires */
  feed(s, 1, 0, UA_A, UA_P, (sipm){.method = "REGISTER", .via = VA("r1"), .call_id = "reg", .from_tag = "a", .cseq = 1});
  feed(s, 2, 10, UA_P, UA_A, (sipm){.status = 200, .via = VA("r1"), .call_id = "reg", .from_tag = "a", .to_tag = "r", .cseq = 1, .cseq_method = "REGISTER", .extra = "Contact: <sip:alice@10.0.0.1>;expires=60\nExpires: 3600\n"});
  feed(s, 3, 20, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("o1"), .call_id = "opt", .from_tag = "a", .cseq = 1});
  feed(s, 4, 30, UA_B, UA_A, (sipm){.status = 200, .via = VA("o1"), .call_id = "opt", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "OPTIONS"});
  /* the refresh 50 s later is the same call; its 2xx says 60 s again */
  feed(s, 5, 50000, UA_A, UA_P, (sipm){.method = "REGISTER", .via = VA("r2"), .call_id = "reg", .from_tag = "a", .cseq = 2});
  feed(s, 6, 50010, UA_P, UA_A, (sipm){.status = 200, .via = VA("r2"), .call_id = "reg", .from_tag = "a", .to_tag = "r", .cseq = 2, .cseq_method = "REGISTER", .extra = "Expires: 60\n"});
  assert_int_equal(msg_of(s, 5)->call, 1);
  feed(s, 7, 50020, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("o2"), .call_id = "lost", .from_tag = "a", .cseq = 1});
  /* REGISTER: last message at 50.010 s + 60 s + 32 s */
  feed(s, 8, 142010, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("p1"), .call_id = "p1", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 0);
  feed(s, 9, 142011, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("p2"), .call_id = "p2", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 1);
  assert_int_equal(s->ended[0], 1);
  assert_int_equal(s->ended_at[0], 9);
  assert_int_equal(call_of(s, 1)->state, SIPFLOW_CALL_OK);
  assert_int_equal(call_of(s, 1)->transactions, 2);
  /* OPTIONS: last message at 0.030 s + 300 s + 32 s */
  feed(s, 10, 332030, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("p3"), .call_id = "p3", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 1);
  feed(s, 11, 332031, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("p4"), .call_id = "p4", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 2);
  assert_int_equal(s->ended[1], 2);
  /* the REGISTER Call-ID after its binding expired: a new registration */
  feed(s, 12, 400000, UA_A, UA_P, (sipm){.method = "REGISTER", .via = VA("r3"), .call_id = "reg", .from_tag = "a", .cseq = 3});
  assert_int_equal(msg_of(s, 12)->call, 8);
  script_finish(s);
  /* the rest at the end, in id order: lost, p1..p4, the new REGISTER */
  assert_int_equal(s->n_ended, 8);
  assert_int_equal(s->ended[2], 3);
  assert_int_equal(s->ended[7], 8);
  script_free(s);
}

static void test_idle_timeout(void **state)
{
  sipflow_call_options opt = {.idle_timeout_us = 10 * 1000000LL, .keep_calls = 1};
  script *s = script_new_opts(&opt);
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("i1"), .call_id = "idle", .from_tag = "a", .cseq = 1});
  feed(s, 2, 100, UA_B, UA_A, (sipm){.status = 180, .via = VA("i1"), .call_id = "idle", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 10100, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("i2"), .call_id = "o", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 0); /* exactly 10 s: not yet */
  feed(s, 4, 10101, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("i3"), .call_id = "o2", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 1);
  /* kept: still readable */
  assert_int_equal(call_of(s, 1)->state, SIPFLOW_CALL_RINGING);
  script_finish(s);
  assert_int_equal(s->n_ended, 3);
  script_free(s);
}

/* An idle timeout set after calls were seen: they expire in the order of
 * their last messages, not of their first (the active queue is put in
 * order when it is first needed). */
static void test_idle_timeout_set_late(void **state)
{
  script *s = script_new();
  sipflow_call_options opt = {.idle_timeout_us = 10 * 1000000LL, .keep_calls = 1};
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("j1"), .call_id = "first", .from_tag = "a", .cseq = 1});
  feed(s, 2, 1, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("j2"), .call_id = "second", .from_tag = "a", .cseq = 1});
  feed(s, 3, 2, UA_B, UA_A, (sipm){.status = 180, .via = VA("j1"), .call_id = "first", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  assert_int_equal(sipflow_set_call_options(s->ctx, &opt), SIPFLOW_OK);
  feed(s, 4, 20000, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("j3"), .call_id = "o", .from_tag = "a", .cseq = 1});
  assert_int_equal(s->n_ended, 2);
  assert_int_equal(s->ended[0], 2);
  assert_int_equal(s->ended[1], 1);
  script_finish(s);
  assert_int_equal(s->n_ended, 3);
  script_free(s);
}

static void test_open_call_snapshot(void **state)
{
  script *s = script_new();
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("q1"), .call_id = "snap", .from_tag = "a", .cseq = 1});
  const sipflow_call_info *c = sipflow_get_call(s->ctx, 1);
  assert_non_null(c);
  assert_int_equal(c->state, SIPFLOW_CALL_SETUP);
  assert_int_equal(c->messages, 1);
  feed(s, 2, 100, UA_B, UA_A, (sipm){.status = 180, .via = VA("q1"), .call_id = "snap", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  c = sipflow_get_call(s->ctx, 1);
  assert_int_equal(c->state, SIPFLOW_CALL_RINGING);
  assert_int_equal(c->n_dialogs, 1);
  assert_null(sipflow_get_call(s->ctx, 2));
  assert_int_equal(s->n_ended, 0);
  script_free(s); /* freed without sipflow_finish: no callback, no leak */
}

/* Call-IDs kept inside the call (up to 47 bytes) and in its strings (48
 * and more), told apart by their last byte only; an open call asked for
 * by id before and after the id index exists. */
static void test_call_id_lengths(void **state)
{
  script *s = script_new();
  char cid[4][64];
  const size_t len[4] = {47, 47, 48, 48};

  for (unsigned i = 0; i < 4; i++) {
    memset(cid[i], 'c', len[i]);
    cid[i][len[i] - 1] = (char)('0' + i);
    cid[i][len[i]] = '\0';
  }
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("l0"), .call_id = cid[0], .from_tag = "a", .cseq = 1});
  feed(s, 2, 1, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("l1"), .call_id = cid[1], .from_tag = "a", .cseq = 1});
  assert_str(sipflow_get_call(s->ctx, 2)->call_id, cid[1]); /* builds the id index */
  feed(s, 3, 2, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("l2"), .call_id = cid[2], .from_tag = "a", .cseq = 1});
  feed(s, 4, 3, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("l3"), .call_id = cid[3], .from_tag = "a", .cseq = 1});
  assert_str(sipflow_get_call(s->ctx, 4)->call_id, cid[3]); /* kept up to date */
  for (unsigned i = 4; i-- > 0;)
    feed(s, 8 - i, 10 + i, UA_B, UA_A, (sipm){.status = 486, .via = i == 0 ? VA("l0") : i == 1 ? VA("l1") : i == 2 ? VA("l2") : VA("l3"), .call_id = cid[i], .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 2, 0, 2, 0}, {3, 3, 0, 3, 0}, {4, 4, 0, 4, 0},
              {5, 4, 0, 4, 0}, {6, 3, 0, 3, 0}, {7, 2, 0, 2, 0}, {8, 1, 0, 1, 0});
  script_finish(s);
  for (unsigned i = 0; i < 4; i++) {
    const sipflow_call_info *c = call_of(s, i + 1);
    assert_str(c->call_id, cid[i]);
    assert_int_equal(c->state, SIPFLOW_CALL_BUSY);
  }
  script_free(s);
}

static void test_bad_input(void **state)
{
  script *s = script_new();
  /* no Via, no tags at all, a huge Call-ID: grouped without crashing */
  char cid[3000];
  memset(cid, 'x', sizeof cid - 1);
  cid[sizeof cid - 1] = '\0';
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .call_id = cid, .cseq = 1});
  feed(s, 2, 10, UA_B, UA_A, (sipm){.status = 200, .call_id = cid, .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 3, 20, UA_A, UA_B, (sipm){.method = "ACK", .call_id = cid, .to_tag = "b", .cseq = 1});
  feed(s, 4, 30, UA_A, UA_B, (sipm){.method = "FOO", .call_id = cid, .to_tag = "b", .cseq = 2});
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 1, 1, 0}, {3, 2, 1, 1, 0}, {4, 3, 1, 1, 0});
  script_finish(s);
  const sipflow_call_info *c = call_of(s, 1);
  assert_str(c->call_id, cid);
  assert_str(txn_of(c, 3)->method, "FOO");
  assert_str(dialog_of(c, 1)->from_tag, "");
  assert_int_equal(sipflow_set_call_options(NULL, NULL), SIPFLOW_ERR_INVALID);
  assert_int_equal(sipflow_get_stats(NULL, NULL), SIPFLOW_ERR_INVALID);
  assert_null(sipflow_get_call(NULL, 1));
  script_free(s);
}

/* ------------------------------------------------ limits (issue 6) */

/* A context with limits, counting what it delivers. */
typedef struct limit_fx {
  sipflow_ctx *ctx;
  unsigned n_msgs, n_diags;
  uint32_t last_call;         /* call of the last message */
  uint32_t ended[8];
  unsigned n_ended;
  char last_diag[512];
} limit_fx;

static void lim_on_message(const sipflow_message *m, void *user)
{
  limit_fx *f = user;
  f->n_msgs++;
  f->last_call = m->call;
}

static void lim_on_diag(const sipflow_diag *d, void *user)
{
  limit_fx *f = user;
  f->n_diags++;
  g_strlcpy(f->last_diag, d->text, sizeof f->last_diag);
}

static void lim_on_call_end(const sipflow_call_info *c, void *user)
{
  limit_fx *f = user;
  if (f->n_ended < G_N_ELEMENTS(f->ended))
    f->ended[f->n_ended] = c->call;
  f->n_ended++;
}

static void lim_init(limit_fx *f, size_t max_open_calls)
{
  sipflow_callbacks cb = {.on_message = lim_on_message, .on_diag = lim_on_diag,
                          .on_call_end = lim_on_call_end};
  sipflow_limits lim = {.max_open_calls = max_open_calls};
  memset(f, 0, sizeof *f);
  f->ctx = sipflow_new(&cb, f, &lim);
  assert_non_null(f->ctx);
}

static void lim_feed(limit_fx *f, uint64_t frame, const char *src, const char *dst, sipm m)
{
  char *text = sip_text(&m);
  sipflow_endpoint a = endpoint(src), b = endpoint(dst);
  assert_int_equal(sipflow_feed_sip(f->ctx, text, strlen(text), frame,
                                    SCRIPT_T0 + (int64_t)frame * 1000, &a, &b,
                                    SIPFLOW_TRANSPORT_UDP), SIPFLOW_OK);
  g_free(text);
}

/* A flood of fresh Call-IDs cannot hold more than max_open_calls calls
 * open: the least recently active one is finalised early (one whose outcome
 * is already final first), reported, and delivered like any other. */
static void test_open_call_limit(void **state)
{
  limit_fx f;
  lim_init(&f, 3);
  lim_feed(&f, 1, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("l1"), .call_id = "c1", .from_tag = "a", .cseq = 1});
  lim_feed(&f, 2, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("l2"), .call_id = "c2", .from_tag = "a", .cseq = 1});
  lim_feed(&f, 3, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("l3"), .call_id = "c3", .from_tag = "a", .cseq = 1});
  lim_feed(&f, 4, UA_B, UA_A, (sipm){.status = 486, .via = VA("l3"), .call_id = "c3", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  assert_int_equal(f.n_ended, 0);
  assert_int_equal(f.n_diags, 0);
  /* 4th call: c3 (busy, outcome final) goes first although c1 is older */
  lim_feed(&f, 5, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("l4"), .call_id = "c4", .from_tag = "a", .cseq = 1});
  assert_int_equal(f.n_ended, 1);
  assert_int_equal(f.ended[0], 3);
  assert_int_equal(f.n_diags, 1);
  assert_string_equal(f.last_diag, "frame 5: more than 3 open calls; the least recently "
                                   "active, call 3 (Call-ID c3), finalised early");
  /* 5th call: then the least recently active, c1 */
  lim_feed(&f, 6, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = VA("l5"), .call_id = "c5", .from_tag = "a", .cseq = 1});
  assert_int_equal(f.n_ended, 2);
  assert_int_equal(f.ended[1], 1);
  /* c1 again: a new call (6), which pushes c2 out */
  lim_feed(&f, 7, UA_B, UA_A, (sipm){.status = 200, .via = VA("l1"), .call_id = "c1", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "OPTIONS"});
  assert_int_equal(f.last_call, 6);
  assert_int_equal(f.n_ended, 3);
  assert_int_equal(f.ended[2], 2);
  assert_string_equal(f.last_diag, "frame 7: more than 3 open calls; the least recently "
                                   "active, call 2 (Call-ID c2), finalised early");
  sipflow_finish(f.ctx);
  assert_int_equal(f.n_ended, 6);
  assert_int_equal(f.ended[3], 4);
  assert_int_equal(f.ended[4], 5);
  assert_int_equal(f.ended[5], 6);
  assert_int_equal(f.n_msgs, 7);
  assert_int_equal(sipflow_diag_count(f.ctx, SIPFLOW_DIAG_CALL_LIMIT), 3);
  assert_int_equal(sipflow_diag_count(f.ctx, SIPFLOW_DIAG_SIP_MALFORMED), 0);
  sipflow_stats st;
  assert_int_equal(sipflow_get_stats(f.ctx, &st), SIPFLOW_OK);
  assert_int_equal(st.calls, 6);
  sipflow_free(f.ctx);
}

/* Over the limit with only calls in progress: the least recently active
 * one goes, by its last message, and so on as their messages come. */
static void test_open_call_limit_by_last_message(void **state)
{
  limit_fx f;
  lim_init(&f, 3);
  lim_feed(&f, 1, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("m1"), .call_id = "c1", .from_tag = "a", .cseq = 1});
  lim_feed(&f, 2, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("m2"), .call_id = "c2", .from_tag = "a", .cseq = 1});
  lim_feed(&f, 3, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("m3"), .call_id = "c3", .from_tag = "a", .cseq = 1});
  lim_feed(&f, 4, UA_B, UA_A, (sipm){.status = 180, .via = VA("m1"), .call_id = "c1", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  lim_feed(&f, 5, UA_B, UA_A, (sipm){.status = 180, .via = VA("m2"), .call_id = "c2", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  assert_int_equal(f.n_ended, 0);
  /* c3 is the least recently active although the newest */
  lim_feed(&f, 6, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("m4"), .call_id = "c4", .from_tag = "a", .cseq = 1});
  assert_int_equal(f.n_ended, 1);
  assert_int_equal(f.ended[0], 3);
  /* then c1 (frame 4) before c2 (frame 5) and c4 (frame 6) */
  lim_feed(&f, 7, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("m5"), .call_id = "c5", .from_tag = "a", .cseq = 1});
  assert_int_equal(f.n_ended, 2);
  assert_int_equal(f.ended[1], 1);
  /* c2 active again: c4 is now the oldest */
  lim_feed(&f, 8, UA_B, UA_A, (sipm){.status = 183, .via = VA("m2"), .call_id = "c2", .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  lim_feed(&f, 9, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("m6"), .call_id = "c6", .from_tag = "a", .cseq = 1});
  assert_int_equal(f.n_ended, 3);
  assert_int_equal(f.ended[2], 4);
  assert_int_equal(sipflow_diag_count(f.ctx, SIPFLOW_DIAG_CALL_LIMIT), 3);
  sipflow_finish(f.ctx);
  assert_int_equal(f.n_ended, 6);
  sipflow_free(f.ctx);
}

/* One Call-ID with a flood of transactions: at 16384 the call is finalised
 * and the next message starts a new call. */
static void test_call_transaction_limit(void **state)
{
  limit_fx f;
  char branch[64];
  lim_init(&f, 0);
  for (unsigned i = 1; i <= 16385; i++) {
    g_snprintf(branch, sizeof branch, "10.0.0.1:5060;branch=z9hG4bKf%u", i);
    lim_feed(&f, i, UA_A, UA_B, (sipm){.method = "OPTIONS", .via = branch, .call_id = "flood", .from_tag = "a", .cseq = i});
    if (i == 16384) {
      assert_int_equal(f.n_ended, 0);
      assert_int_equal(f.last_call, 1);
    }
  }
  assert_int_equal(f.n_ended, 1);
  assert_int_equal(f.ended[0], 1);
  assert_int_equal(f.last_call, 2);
  assert_int_equal(f.n_diags, 1);
  assert_string_equal(f.last_diag, "frame 16385: call 1 (Call-ID flood) has 16384 "
                                   "transactions and 0 dialogs, over the 16384 limit; "
                                   "finalised early, a new call starts");
  sipflow_finish(f.ctx);
  assert_int_equal(f.n_ended, 2);
  sipflow_free(f.ctx);
}

/* ------------------------------------------- call and transaction tables */

/* Many calls open at once, a third of them finalised in the middle: every
 * later message still finds its own call (tables grown and entries
 * removed), open calls are readable by id, and the rest end in id order. */
typedef struct many_fx {
  uint32_t last_call;
  GArray *ended; /* uint32_t call ids, in on_call_end order */
} many_fx;

static void many_on_message(const sipflow_message *m, void *user)
{
  ((many_fx *)user)->last_call = m->call;
}

static void many_on_call_end(const sipflow_call_info *c, void *user)
{
  g_array_append_val(((many_fx *)user)->ended, c->call);
}

static void many_feed(sipflow_ctx *ctx, uint64_t frame, int64_t ms, const char *src,
                      const char *dst, sipm m)
{
  char *text = sip_text(&m);
  sipflow_endpoint a = endpoint(src), b = endpoint(dst);
  assert_int_equal(sipflow_feed_sip(ctx, text, strlen(text), frame, SCRIPT_T0 + ms * 1000,
                                    &a, &b, SIPFLOW_TRANSPORT_UDP), SIPFLOW_OK);
  g_free(text);
}

#define MANY_CALLS 600u

static void test_many_open_calls(void **state)
{
  many_fx f = {.ended = g_array_new(FALSE, FALSE, sizeof(uint32_t))};
  sipflow_callbacks cb = {.on_message = many_on_message, .on_call_end = many_on_call_end};
  sipflow_ctx *ctx = sipflow_new(&cb, &f, NULL);
  char cid[MANY_CALLS][16], via[MANY_CALLS][64];
  uint64_t frame = 0;

  for (unsigned i = 0; i < MANY_CALLS; i++) {
    g_snprintf(cid[i], sizeof cid[i], "many-%u", i);
    g_snprintf(via[i], sizeof via[i], UA_A ";branch=z9hG4bKm%u", i);
    many_feed(ctx, ++frame, i, UA_A, UA_B, (sipm){.method = "INVITE", .via = via[i], .call_id = cid[i], .from_tag = "a", .cseq = 1});
    assert_int_equal(f.last_call, i + 1);
  }
  /* every third call busy: its outcome is final */
  for (unsigned i = 0; i < MANY_CALLS; i += 3) {
    many_feed(ctx, ++frame, 1000 + i, UA_B, UA_A, (sipm){.status = 486, .via = via[i], .call_id = cid[i], .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
    assert_int_equal(f.last_call, i + 1);
  }
  assert_int_equal(f.ended->len, 0);
  /* 40 s later (more than 64*T1) the busy ones are finalised, in the order
   * their outcome became final; the others ring, newest first */
  for (unsigned k = MANY_CALLS; k-- > 0;) {
    if (k % 3 == 0)
      continue;
    many_feed(ctx, ++frame, 40000 + (MANY_CALLS - k), UA_B, UA_A, (sipm){.status = 180, .via = via[k], .call_id = cid[k], .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
    assert_int_equal(f.last_call, k + 1);
  }
  assert_int_equal(f.ended->len, MANY_CALLS / 3);
  for (unsigned n = 0; n < f.ended->len; n++)
    assert_int_equal(g_array_index(f.ended, uint32_t, n), 3 * n + 1);
  /* open calls by id; a finalised one (not kept) is gone */
  assert_string_equal(sipflow_get_call(ctx, 2)->call_id, "many-1");
  assert_string_equal(sipflow_get_call(ctx, MANY_CALLS)->call_id, "many-599");
  assert_int_equal(sipflow_get_call(ctx, MANY_CALLS)->state, SIPFLOW_CALL_RINGING);
  assert_null(sipflow_get_call(ctx, 1));
  assert_null(sipflow_get_call(ctx, MANY_CALLS + 1));
  /* a finalised Call-ID used again is a new call */
  many_feed(ctx, ++frame, 41000, UA_A, UA_B, (sipm){.method = "INVITE", .via = UA_A ";branch=z9hG4bKagain", .call_id = cid[0], .from_tag = "a", .cseq = 2});
  assert_int_equal(f.last_call, MANY_CALLS + 1);
  sipflow_finish(ctx);
  assert_int_equal(f.ended->len, MANY_CALLS + 1);
  for (unsigned n = MANY_CALLS / 3 + 1; n < f.ended->len; n++) /* the rest: in id order */
    assert_true(g_array_index(f.ended, uint32_t, n) > g_array_index(f.ended, uint32_t, n - 1));
  assert_int_equal(g_array_index(f.ended, uint32_t, f.ended->len - 1), MANY_CALLS + 1);
  sipflow_free(ctx);
  g_array_free(f.ended, TRUE);
}

/* A call with more transactions than a linear search serves (a REGISTER
 * refreshed for hours): found through its hash index, RFC 2543 keys too. */
static void test_many_transactions_in_a_call(void **state)
{
  script *s = script_new();
  char via[24][64];
  uint64_t frame = 0;

  for (unsigned i = 0; i < 24; i++) {
    g_snprintf(via[i], sizeof via[i], UA_A ";branch=z9hG4bKr%u", i);
    feed(s, ++frame, 10 * i, UA_A, UA_B, (sipm){.method = "REGISTER", .via = via[i], .call_id = "reg", .from_tag = "a", .cseq = i + 1});
  }
  for (unsigned i = 24; i-- > 0;) /* answers, newest request first */
    feed(s, ++frame, 1000 - i, UA_B, UA_A, (sipm){.status = 401, .via = via[i], .call_id = "reg", .from_tag = "a", .to_tag = "r", .cseq = i + 1, .cseq_method = "REGISTER"});
  feed(s, ++frame, 2000, UA_A, UA_B, (sipm){.method = "REGISTER", .via = via[5], .call_id = "reg", .from_tag = "a", .cseq = 6});
  feed(s, ++frame, 2100, UA_A, UA_B, (sipm){.method = "REGISTER", .via = UA_A ";branch=old1", .call_id = "reg", .from_tag = "a", .cseq = 25});
  feed(s, ++frame, 2200, UA_B, UA_A, (sipm){.method = NULL, .status = 200, .via = UA_A ";branch=old1", .call_id = "reg", .from_tag = "a", .to_tag = "r", .cseq = 25, .cseq_method = "REGISTER"});
  for (unsigned i = 0; i < 24; i++) {
    assert_int_equal(msg_of(s, 1 + i)->txn, i + 1);
    assert_int_equal(msg_of(s, 48 - i)->txn, i + 1); /* frame 25 answers request 24 */
    assert_int_equal(msg_of(s, 48 - i)->rtx, 0);
  }
  assert_int_equal(msg_of(s, 49)->txn, 6);
  assert_int_equal(msg_of(s, 49)->rtx, 1);
  assert_int_equal(msg_of(s, 50)->txn, 25);
  assert_int_equal(msg_of(s, 51)->txn, 25);
  script_finish(s);
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->n_transactions, 25);
  assert_str(txn_of(c, 6)->branch, "z9hG4bKr5");
  assert_int_equal(txn_of(c, 6)->retransmissions, 1);
  assert_int_equal(txn_of(c, 25)->rfc2543, 1);
  assert_str(txn_of(c, 25)->branch, "old1");
  assert_int_equal(txn_of(c, 25)->final_status, 200);
  script_free(s);
}

/* An INVITE forked to five phones: more responses than a transaction
 * keeps inline (correlate.h, SF_TXN_RESP_SEEN_INLINE), so the later ones
 * are remembered in the room taken for them; a repeat of one of each kind
 * is a retransmission, and the 486 ends every early dialog, those whose
 * tags only the extra room remembers too. */
static void test_many_responses_one_transaction(void **state)
{
  script *s = script_new();
  const char *cid = "fork5";
  feed(s, 1, 0, UA_A, UA_B, (sipm){.method = "INVITE", .via = VA("f1"), .call_id = cid, .from_tag = "a", .cseq = 1});
  feed(s, 2, 10, UA_B, UA_A, (sipm){.status = 100, .via = VA("f1"), .call_id = cid, .from_tag = "a", .cseq = 1, .cseq_method = "INVITE"});
  const char *tags[] = {"b", "c", "d", "e", "f"};
  for (int i = 0; i < 5; i++)
    feed(s, (uint64_t)(3 + i), 100 + 10 * i, UA_B, UA_A, (sipm){.status = i == 2 ? 183 : 180, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = tags[i], .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 8, 300, UA_B, UA_A, (sipm){.status = 180, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "f", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 9, 310, UA_B, UA_A, (sipm){.status = 180, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "b", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 10, 400, UA_B, UA_A, (sipm){.status = 486, .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "g", .cseq = 1, .cseq_method = "INVITE"});
  feed(s, 11, 410, UA_A, UA_B, (sipm){.method = "ACK", .via = VA("f1"), .call_id = cid, .from_tag = "a", .to_tag = "g", .cseq = 1});
  script_finish(s);
  expect_msgs(s, {1, 1, 0, 1, 0}, {2, 1, 0, 1, 0}, {3, 1, 1, 1, 0}, {4, 1, 2, 1, 0},
              {5, 1, 3, 1, 0}, {6, 1, 4, 1, 0}, {7, 1, 5, 1, 0}, {8, 1, 5, 1, 1},
              {9, 1, 1, 1, 1}, {10, 1, 0, 1, 0}, {11, 1, 0, 1, 0});
  const sipflow_call_info *c = call_of(s, 1);
  assert_int_equal(c->n_transactions, 1);
  assert_int_equal(txn_of(c, 1)->retransmissions, 2);
  assert_int_equal(txn_of(c, 1)->responses, 9);
  assert_int_equal(c->n_dialogs, 5);
  for (uint32_t d = 1; d <= 5; d++)
    assert_int_equal(dialog_of(c, d)->state, SIPFLOW_DIALOG_TERMINATED);
  script_free(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_answered),
    cmocka_unit_test(test_busy),
    cmocka_unit_test(test_rejected_calls),
    cmocka_unit_test(test_cancel_is_own_transaction),
    cmocka_unit_test(test_redirect_new_transaction),
    cmocka_unit_test(test_auth_retry),
    cmocka_unit_test(test_forked_two_early_dialogs),
    cmocka_unit_test(test_forked_at_proxy),
    cmocka_unit_test(test_reinvite_same_dialog),
    cmocka_unit_test(test_retransmissions),
    cmocka_unit_test(test_many_responses_one_transaction),
    cmocka_unit_test(test_no_ack_retransmitted_200),
    cmocka_unit_test(test_proxy_hop_two_transactions),
    cmocka_unit_test(test_b2bua_links),
    cmocka_unit_test(test_bye_481_terminates),
    cmocka_unit_test(test_bye_unanswered),
    cmocka_unit_test(test_late_cancel),
    cmocka_unit_test(test_rfc2543_fallback),
    cmocka_unit_test(test_non_invite),
    cmocka_unit_test(test_subscription_dialog),
    cmocka_unit_test(test_capture_started_late),
    cmocka_unit_test(test_linger_finalises_ended_call),
    cmocka_unit_test(test_summary_only),
    cmocka_unit_test(test_forked_call_finalised),
    cmocka_unit_test(test_challenge_waits_for_retry),
    cmocka_unit_test(test_quiet_calls_finalised),
    cmocka_unit_test(test_idle_timeout),
    cmocka_unit_test(test_idle_timeout_set_late),
    cmocka_unit_test(test_open_call_snapshot),
    cmocka_unit_test(test_call_id_lengths),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_open_call_limit),
    cmocka_unit_test(test_open_call_limit_by_last_message),
    cmocka_unit_test(test_call_transaction_limit),
    cmocka_unit_test(test_many_open_calls),
    cmocka_unit_test(test_many_transactions_in_a_call),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
