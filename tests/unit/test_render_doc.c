/*
 * Unit tests of the render stage's documents (render_stats.c): the exact
 * text of `sipflow stats`, which the CLI and the Wireshark plugin both
 * print.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sipflow/sipflow.h>

/* ------------------------------------------------------------- stats */

static char *stats_text(const sipflow_stats *s)
{
  char *text = NULL;
  size_t len = 0;

  assert_int_equal(sipflow_render_stats(s, &text, &len), SIPFLOW_OK);
  assert_non_null(text);
  assert_int_equal(len, strlen(text));
  return text;
}

/* A capture with one answered call, one busy call and a REGISTER. */
static void stats_full(void **state)
{
  (void)state;
  sipflow_stats s = {
    .messages = 12, .requests = 7, .responses = 5, .retransmissions = 1,
    .calls = 3, .transactions = 6, .dialogs = 1, .failed = 1,
    .invite_calls = 2, .answered = 1, .effective = 2,
    .asr = 50.0, .ner = 100.0,
    .pdd_count = 1, .pdd_mean_ms = 120.4, .pdd_p50_ms = 120, .pdd_p95_ms = 120,
    .acd_count = 1, .acd_s = 3.25,
    .n_top_failures = 2,
  };
  s.by_method[SIPFLOW_METHOD_INVITE] = 3;
  s.by_method[SIPFLOW_METHOD_ACK] = 2;
  s.by_method[SIPFLOW_METHOD_REGISTER] = 1;
  s.by_method[SIPFLOW_METHOD_OTHER] = 1;
  s.by_status_class[1] = 2;
  s.by_status_class[2] = 2;
  s.by_status_class[4] = 1;
  s.calls_by_state[SIPFLOW_CALL_COMPLETED] = 1;
  s.calls_by_state[SIPFLOW_CALL_BUSY] = 1;
  s.calls_by_state[SIPFLOW_CALL_OK] = 1;
  s.anomalies[2] = 1; /* retransmissions */
  s.top_failures[0] = (sipflow_failure_count){.label = "486 Busy Here", .calls = 1};
  /* capture bytes in a label: ESC, '\', a C1 control (U+009B, CSI), an
   * invalid byte; "é" stays */
  s.top_failures[1] = (sipflow_failure_count){.label = "x\x1b[2J\\y \xc2\x9b \xff é",
                                              .calls = 123456};
  char *got = stats_text(&s);

  assert_string_equal(got,
    "messages        12 (7 requests, 5 responses)\n"
    "  by method     INVITE 3  ACK 2  REGISTER 1  other 1\n"
    "  by status     1xx 2  2xx 2  4xx 1\n"
    "retransmissions 1\n"
    "calls           3 (2 INVITE), 6 transactions, 1 dialog\n"
    "  outcomes      completed 1  busy 1  ok 1\n"
    "  failed        1\n"
    "  anomalies     retransmissions 1\n"
    "ASR             50.0 %  (1 answered / 2 INVITE calls)\n"
    "NER             100.0 %  (2 of 2 INVITE calls answered, busy, unanswered or declined)\n"
    "PDD             mean 120 ms, p50 120 ms, p95 120 ms  (1 call with ringing)\n"
    "ACD             3.250 s  (1 completed call)\n"
    "top failures\n"
    "       1  486 Busy Here\n"
    "  123456  x\\x1b[2J\\\\y \\xc2\\x9b \\xff é\n");
  sipflow_buffer_free(got);
}

/* No message at all: every counter "none", every KPI "n/a (why)". */
static void stats_empty(void **state)
{
  (void)state;
  sipflow_stats s = {.asr = -1, .ner = -1};
  char *got = stats_text(&s);

  assert_string_equal(got,
    "messages        0 (0 requests, 0 responses)\n"
    "  by method     none\n"
    "  by status     none\n"
    "retransmissions 0\n"
    "calls           0 (0 INVITE), 0 transactions, 0 dialogs\n"
    "  outcomes      none\n"
    "  failed        0\n"
    "  anomalies     none\n"
    "ASR             n/a (no INVITE call)\n"
    "NER             n/a (no INVITE call)\n"
    "PDD             n/a (no call rang)\n"
    "ACD             n/a (no completed call)\n"
    "top failures    none\n");
  sipflow_buffer_free(got);
}

/* The same layout as sipflow_get_stats() fills it: an empty context. */
static void stats_of_empty_context(void **state)
{
  (void)state;
  sipflow_ctx *ctx = sipflow_new(&(sipflow_callbacks){0}, NULL, NULL);
  sipflow_stats s;

  assert_int_equal(sipflow_get_stats(ctx, &s), SIPFLOW_OK);
  char *got = stats_text(&s);
  assert_non_null(strstr(got, "\nASR             n/a (no INVITE call)\n"));
  assert_non_null(strstr(got, "\ntop failures    none\n"));
  sipflow_buffer_free(got);
  sipflow_free(ctx);
}

static void stats_bad_arguments(void **state)
{
  (void)state;
  sipflow_stats s = {0};
  char *text = (char *)"untouched";
  size_t len = 7;

  assert_int_equal(sipflow_render_stats(NULL, &text, &len), SIPFLOW_ERR_INVALID);
  assert_null(text);
  assert_int_equal(len, 0);
  assert_int_equal(sipflow_render_stats(&s, NULL, NULL), SIPFLOW_ERR_INVALID);
  /* out_len is optional */
  assert_int_equal(sipflow_render_stats(&s, &text, NULL), SIPFLOW_OK);
  sipflow_buffer_free(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(stats_full),
    cmocka_unit_test(stats_empty),
    cmocka_unit_test(stats_of_empty_context),
    cmocka_unit_test(stats_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
