/*
 * Unit tests of the render stage's documents, which the CLI and the
 * Wireshark plugin both print: the text of `sipflow stats`
 * (render_stats.c) and the ladder document of `sipflow ladder`
 * (render_doc.c: headings, call order, hold-back, selection).  Headings
 * are checked byte for byte; the diagrams under them must be exactly
 * sipflow_ladder_render()'s of the same messages.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

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

/* A failure label with U+202E (RIGHT-TO-LEFT OVERRIDE) and U+2066 (LEFT-
 * TO-RIGHT ISOLATE): shown as their bytes, so the terminal does not
 * reorder the line (CVE-2021-42574). */
static void stats_label_bidi(void **state)
{
  (void)state;
  sipflow_stats s = {.asr = -1, .ner = -1, .n_top_failures = 1};
  s.top_failures[0] = (sipflow_failure_count){.label = "486 Busy\xe2\x80\xae" "ereH\xe2\x81\xa6",
                                              .calls = 7};
  char *got = stats_text(&s);
  const char *want = "\ntop failures\n"
                     "       7  486 Busy\\xe2\\x80\\xaeereH\\xe2\\x81\\xa6\n";
  if (!g_str_has_suffix(got, want))
    fail_msg("stats:\n%s", got);
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

/* ------------------------------------------------------ ladder document */

#define T0_US 1768471200000000 /* 2026-01-15 10:00:00 UTC */

/* A message of call `call` from 10.0.0.<from>:5060 to 10.0.0.<to>:5060: a
 * request (method) or a response (status, reason) to an INVITE.  The text
 * lives in buf. */
static sipflow_message msg(char *buf, size_t size, uint64_t frame, uint32_t call,
                           const char *call_id, int from, int to, const char *method,
                           int status, const char *reason)
{
  sipflow_message m = {
    .frame = frame, .time_us = T0_US + (int64_t)frame * 1000,
    .src = {.family = 4, .addr = {10, 0, 0, (uint8_t)from}, .port = 5060},
    .dst = {.family = 4, .addr = {10, 0, 0, (uint8_t)to}, .port = 5060},
    .is_request = method != NULL, .status = status, .cseq = 1,
    .cseq_method = {"INVITE", 6}, .call = call,
    .call_id = {call_id, strlen(call_id)},
  };
  if (!reason)
    reason = ""; /* requests: no reason (GCC's -O3 path split would warn) */
  int n = method ? snprintf(buf, size, "%s sip:bob@example.com SIP/2.0\r\nCall-ID: %s\r\n\r\n",
                            method, call_id)
                 : snprintf(buf, size, "SIP/2.0 %d %s\r\nCall-ID: %s\r\n\r\n", status, reason,
                            call_id);
  assert_true(n > 0 && (size_t)n < size);
  m.raw = buf;
  m.raw_len = (size_t)n;
  if (method) {
    m.method = (sipflow_span){method, strlen(method)};
    m.request_uri = (sipflow_span){buf + strlen(method) + 1, 21};
  } else {
    m.reason = (sipflow_span){reason, strlen(reason)};
  }
  return m;
}

/* What the document wrote: the text, and how many times write was called. */
typedef struct sink {
  GString *text;
  unsigned writes;
} sink;

static void sink_write(const char *text, size_t len, void *user)
{
  sink *k = user;
  assert_true(len > 0); /* never called for nothing */
  g_string_append_len(k->text, text, (gssize)len);
  k->writes++;
}

/* The ladder of the given messages, rendered: what the document must write
 * under a heading. */
static void append_render(GString *out, const sipflow_message *const *msgs, size_t n,
                          sipflow_ladder_format f, unsigned width)
{
  sipflow_ladder *l = sipflow_ladder_new(NULL);
  sipflow_render_options o = {.width = width};
  char *text = NULL;
  size_t len = 0;

  for (size_t i = 0; i < n; i++)
    assert_int_equal(sipflow_ladder_add(l, msgs[i]), SIPFLOW_OK);
  assert_int_equal(sipflow_ladder_render(l, f, &o, &text, &len), SIPFLOW_OK);
  g_string_append_len(out, text, (gssize)len);
  sipflow_buffer_free(text);
  sipflow_ladder_free(l);
}

/* The document wrote exactly want; frees both. */
static void expect_text(sink *k, GString *want)
{
  assert_string_equal(k->text->str, want->str);
  g_string_free(want, TRUE);
  g_string_free(k->text, TRUE);
}

static void append_times(GString *out, const char *s, unsigned n)
{
  while (n--)
    g_string_append(out, s);
}

static sipflow_call_info call_info(uint32_t call, const char *call_id, sipflow_call_state st,
                                   int final, const char *reason, const char *failure)
{
  return (sipflow_call_info){.call = call, .call_id = call_id, .state = st,
                             .final_status = final, .reason = reason, .failure = failure};
}

/* Two calls, the second finalised first: it waits for the first, then
 * both come out in call number order, a blank line between them; the
 * failure sentence is wrapped under the rule. */
static void doc_per_call_order(void **state)
{
  (void)state;
  char b1[128], b2[128], b3[128];
  sipflow_message m1 = msg(b1, sizeof b1, 1, 1, "a@x", 1, 2, "INVITE", 0, NULL);
  sipflow_message m2 = msg(b2, sizeof b2, 2, 2, "b@x", 1, 2, "INVITE", 0, NULL);
  sipflow_message m3 = msg(b3, sizeof b3, 3, 2, "b@x", 2, 1, NULL, 486, "Busy Here");
  sipflow_ladder_doc_options o = {.render = {.width = 40}};
  sink k = {g_string_new(NULL), 0};
  sipflow_ladder_doc *d = sipflow_ladder_doc_new(&o, sink_write, &k);
  sipflow_call_info c2 = call_info(2, "b@x", SIPFLOW_CALL_BUSY, 486, "Busy Here",
                                   "rejected by 10.0.0.2:5060 with 486 Busy Here after 3.2 s "
                                   "of ringing (Q.850 cause 17: User busy)");
  sipflow_call_info c1 = call_info(1, "a@x", SIPFLOW_CALL_COMPLETED, 200, "OK", NULL);

  assert_non_null(d);
  assert_int_equal(sipflow_ladder_doc_add_message(d, &m1), SIPFLOW_OK);
  assert_int_equal(sipflow_ladder_doc_add_message(d, &m2), SIPFLOW_OK);
  assert_int_equal(sipflow_ladder_doc_add_message(d, &m3), SIPFLOW_OK);
  assert_int_equal(sipflow_ladder_doc_add_call(d, &c2), SIPFLOW_OK);
  assert_int_equal(k.writes, 0); /* call 1 still open */
  assert_int_equal(sipflow_ladder_doc_add_call(d, &c1), SIPFLOW_OK);
  assert_true(k.writes > 0);    /* written as soon as call 1 ends */

  GString *want = g_string_new("━━ call 1: completed, 200 OK ");
  append_times(want, "━", 40 - 29);
  g_string_append_c(want, '\n');
  append_render(want, (const sipflow_message *[]){&m1}, 1, SIPFLOW_LADDER_TEXT, 40);
  g_string_append(want, "\n━━ call 2: busy, 486 Busy Here ");
  append_times(want, "━", 40 - 31);
  g_string_append(want, "\n"
                        "   failed: rejected by 10.0.0.2:5060\n"
                        "   with 486 Busy Here after 3.2 s of\n"
                        "   ringing (Q.850 cause 17: User busy)\n");
  append_render(want, (const sipflow_message *[]){&m2, &m3}, 2, SIPFLOW_LADDER_TEXT, 40);
  assert_string_equal(k.text->str, want->str);

  unsigned before = k.writes;
  sipflow_ladder_doc_finish(d, 1);
  assert_int_equal(k.writes, before); /* nothing left */
  g_string_free(want, TRUE);
  g_string_free(k.text, TRUE);
}

/* Capture text in a heading: escaped for a terminal in text (é kept, one
 * column), every byte >= 0x80 too in ascii; '\' doubled; a word longer
 * than the line stays whole; the rule is left out when the title is
 * longer than the width. */
static void doc_heading_escapes(void **state)
{
  (void)state;
  static const struct {
    sipflow_ladder_format f;
    unsigned width;
    const char *heading;
  } cases[] = {
    {SIPFLOW_LADDER_TEXT, 50,
     "━━ call 1: rejected, 403 Verboten\\\\ é\\x1b ━━━━━━━━\n"
     "   failed:\n"
     "   aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
     "   \\xc2\\x85 é\n"},
    {SIPFLOW_LADDER_ASCII, 30,
     "== call 1: rejected, 403 Verboten\\\\ \\xc3\\xa9\\x1b \n"
     "   failed:\n"
     "   aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
     "   \\xc2\\x85 \\xc3\\xa9\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char b1[128];
    sipflow_message m1 = msg(b1, sizeof b1, 1, 1, "a@x", 1, 2, "INVITE", 0, NULL);
    sipflow_ladder_doc_options o = {.format = cases[i].f, .render = {.width = cases[i].width}};
    sink k = {g_string_new(NULL), 0};
    sipflow_ladder_doc *d = sipflow_ladder_doc_new(&o, sink_write, &k);
    sipflow_call_info c1 = call_info(1, "a@x", SIPFLOW_CALL_REJECTED, 403, "Verboten\\ é\x1b",
                                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
                                     "\xc2\x85 é"); /* U+0085: a C1 control */

    sipflow_ladder_doc_add_message(d, &m1);
    sipflow_ladder_doc_add_call(d, &c1);
    sipflow_ladder_doc_finish(d, 1);
    GString *want = g_string_new(cases[i].heading);
    append_render(want, (const sipflow_message *[]){&m1}, 1, cases[i].f, cases[i].width);
    expect_text(&k, want);
  }
}

/* A heading with U+202E (RIGHT-TO-LEFT OVERRIDE) in the reason and U+200B
 * (ZERO WIDTH SPACE) in the failure: their bytes as \xNN, as in the
 * diagram under it, the rule as long as the escaped text. */
static void doc_heading_bidi(void **state)
{
  (void)state;
  char b1[128];
  sipflow_message m1 = msg(b1, sizeof b1, 1, 1, "a@x", 1, 2, "INVITE", 0, NULL);
  sipflow_ladder_doc_options o = {.render = {.width = 50}};
  sink k = {g_string_new(NULL), 0};
  sipflow_ladder_doc *d = sipflow_ladder_doc_new(&o, sink_write, &k);
  sipflow_call_info c1 = call_info(1, "a@x", SIPFLOW_CALL_REJECTED, 403, "Nope\xe2\x80\xae" "evil",
                                   "x\xe2\x80\x8by");

  sipflow_ladder_doc_add_message(d, &m1);
  sipflow_ladder_doc_add_call(d, &c1);
  sipflow_ladder_doc_finish(d, 1);
  GString *want = g_string_new("━━ call 1: rejected, 403 Nope\\xe2\\x80\\xaeevil ━━━━\n"
                               "   failed: x\\xe2\\x80\\x8by\n");
  append_render(want, (const sipflow_message *[]){&m1}, 1, SIPFLOW_LADDER_TEXT, 50);
  expect_text(&k, want);
}

/* No message: the note in text, nothing with no_empty_note or after an
 * error; in the one-diagram formats the empty diagram, nothing after an
 * error. */
static void doc_empty(void **state)
{
  (void)state;
  static const struct {
    sipflow_ladder_format f;
    int no_note, complete;
    bool note, diagram;
  } cases[] = {
    {SIPFLOW_LADDER_TEXT, 0, 1, true, false},
    {SIPFLOW_LADDER_ASCII, 0, 1, true, false},
    {SIPFLOW_LADDER_TEXT, 1, 1, false, false},
    {SIPFLOW_LADDER_TEXT, 0, 0, false, false},
    {SIPFLOW_LADDER_SVG, 0, 1, false, true},
    {SIPFLOW_LADDER_SVG, 1, 1, false, true},
    {SIPFLOW_LADDER_SVG, 0, 0, false, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sipflow_ladder_doc_options o = {.format = cases[i].f, .no_empty_note = cases[i].no_note};
    sink k = {g_string_new(NULL), 0};
    GString *want = g_string_new(cases[i].note ? "no SIP messages\n" : "");

    if (cases[i].diagram)
      append_render(want, NULL, 0, cases[i].f, 0);
    sipflow_ladder_doc_finish(sipflow_ladder_doc_new(&o, sink_write, &k), cases[i].complete);
    expect_text(&k, want);
  }
}

/* Calls chosen by number and by Call-ID: nothing is written before the
 * end; then the headings of the chosen calls in the order they were
 * finalised, and ONE diagram of their messages.  A choice that matched
 * nothing gets the sentence for the user, its text escaped. */
static void doc_chosen_calls(void **state)
{
  (void)state;
  char b[4][128];
  sipflow_message m[4] = {
    msg(b[0], sizeof b[0], 1, 1, "a@x", 1, 2, "INVITE", 0, NULL),
    msg(b[1], sizeof b[1], 2, 2, "b@x", 1, 3, "INVITE", 0, NULL),
    msg(b[2], sizeof b[2], 3, 3, "c@x", 1, 4, "INVITE", 0, NULL),
    msg(b[3], sizeof b[3], 4, 2, "b@x", 3, 1, NULL, 200, "OK"),
  };
  const char *const chosen[] = {"2", "c@x", "9", "bad\x1b\\id"};
  sipflow_ladder_doc_options o = {.render = {.width = 30}, .calls = chosen, .n_calls = 4};
  sink k = {g_string_new(NULL), 0};
  sipflow_ladder_doc *d = sipflow_ladder_doc_new(&o, sink_write, &k);
  sipflow_call_info c[3] = {
    call_info(1, "a@x", SIPFLOW_CALL_SETUP, 0, NULL, NULL),
    call_info(2, "b@x", SIPFLOW_CALL_IN_CALL, 200, "OK", NULL),
    call_info(3, "c@x", SIPFLOW_CALL_SETUP, 0, NULL, NULL),
  };

  for (size_t i = 0; i < 4; i++)
    assert_int_equal(sipflow_ladder_doc_add_message(d, &m[i]), SIPFLOW_OK);
  assert_int_equal(sipflow_ladder_doc_add_call(d, &c[2]), SIPFLOW_OK);
  assert_int_equal(sipflow_ladder_doc_add_call(d, &c[0]), SIPFLOW_OK);
  assert_int_equal(sipflow_ladder_doc_add_call(d, &c[1]), SIPFLOW_OK);
  assert_int_equal(k.writes, 0);

  assert_null(sipflow_ladder_doc_call_missing(d, 0));
  assert_null(sipflow_ladder_doc_call_missing(d, 1));
  char *missing = sipflow_ladder_doc_call_missing(d, 2);
  assert_string_equal(missing, "no call '9' in the capture (give a call number as "
                               "'sipflow calls' shows it, or a Call-ID)");
  sipflow_buffer_free(missing);
  missing = sipflow_ladder_doc_call_missing(d, 3);
  assert_string_equal(missing, "no call 'bad\\x1b\\\\id' in the capture (give a call number "
                               "as 'sipflow calls' shows it, or a Call-ID)");
  sipflow_buffer_free(missing);
  assert_null(sipflow_ladder_doc_call_missing(d, 4));
  assert_null(sipflow_ladder_doc_call_missing(NULL, 0));

  sipflow_ladder_doc_finish(d, 1);
  GString *want = g_string_new("━━ call 3: setup ━━━━━━━━━━━━━\n"
                               "━━ call 2: in-call, 200 OK ━━━\n");
  append_render(want, (const sipflow_message *[]){&m[1], &m[2], &m[3]}, 3,
                SIPFLOW_LADDER_TEXT, 30);
  expect_text(&k, want);
}

/* json (like html) keeps each message's text; one document of every call,
 * no heading. */
static void doc_json_keeps_text(void **state)
{
  (void)state;
  char b1[128], b2[128];
  sipflow_message m1 = msg(b1, sizeof b1, 1, 1, "a@x", 1, 2, "INVITE", 0, NULL);
  sipflow_message m2 = msg(b2, sizeof b2, 2, 2, "b@x", 1, 3, "INVITE", 0, NULL);
  sipflow_ladder_doc_options o = {.format = SIPFLOW_LADDER_JSON};
  sink k = {g_string_new(NULL), 0};
  sipflow_ladder_doc *d = sipflow_ladder_doc_new(&o, sink_write, &k);
  sipflow_call_info c1 = call_info(1, "a@x", SIPFLOW_CALL_SETUP, 0, NULL, NULL);

  sipflow_ladder_doc_add_message(d, &m1);
  sipflow_ladder_doc_add_call(d, &c1);
  sipflow_ladder_doc_add_message(d, &m2);
  sipflow_ladder_doc_finish(d, 1);
  GString *want = g_string_new(NULL);
  append_render(want, (const sipflow_message *[]){&m1, &m2}, 2, SIPFLOW_LADDER_JSON, 0);
  assert_non_null(strstr(k.text->str, "Call-ID: b@x"));
  expect_text(&k, want);
}

/* The index of each "call N" heading in the text, in order. */
static GArray *heading_order(const char *text)
{
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(unsigned));
  for (const char *p = text; (p = strstr(p, "━━ call ")); p++) {
    unsigned id = (unsigned)strtoul(p + strlen("━━ call "), NULL, 10);
    g_array_append_val(ids, id);
  }
  return ids;
}

/* Call 1 stays open while 1001 later calls end: 1000 wait, then the lowest
 * (2) goes out; call 1 when it ends, then the rest in order. */
static void doc_hold_back(void **state)
{
  (void)state;
  sipflow_ladder_doc_options o = {.format = SIPFLOW_LADDER_TEXT};
  sink k = {g_string_new(NULL), 0};
  sipflow_ladder_doc *d = sipflow_ladder_doc_new(&o, sink_write, &k);
  char buf[128], id[16];

  for (uint32_t call = 1; call <= 1002; call++) {
    snprintf(id, sizeof id, "%u@x", call);
    sipflow_message m = msg(buf, sizeof buf, call, call, id, 1, 2, "INVITE", 0, NULL);
    sipflow_ladder_doc_add_message(d, &m);
  }
  for (uint32_t call = 2; call <= 1001; call++) {
    sipflow_call_info c = call_info(call, "", SIPFLOW_CALL_SETUP, 0, NULL, NULL);
    sipflow_ladder_doc_add_call(d, &c);
  }
  assert_int_equal(k.writes, 0); /* 1000 calls wait for call 1 */
  sipflow_call_info c = call_info(1002, "", SIPFLOW_CALL_SETUP, 0, NULL, NULL);
  sipflow_ladder_doc_add_call(d, &c);
  GArray *ids = heading_order(k.text->str);
  assert_int_equal(ids->len, 1);
  assert_int_equal(g_array_index(ids, unsigned, 0), 2);
  assert_true(g_str_has_prefix(k.text->str, "━━ call 2: setup ━")); /* no blank line first */
  g_array_free(ids, TRUE);

  c = call_info(1, "", SIPFLOW_CALL_SETUP, 0, NULL, NULL);
  sipflow_ladder_doc_add_call(d, &c);
  sipflow_ladder_doc_finish(d, 1);
  ids = heading_order(k.text->str);
  assert_int_equal(ids->len, 1002);
  assert_int_equal(g_array_index(ids, unsigned, 1), 1);
  for (unsigned i = 2; i < ids->len; i++)
    assert_int_equal(g_array_index(ids, unsigned, i), i + 1);
  g_array_free(ids, TRUE);
  g_string_free(k.text, TRUE);
}

/* Messages of calls never finalised come last, by call number, under a
 * heading without outcome. */
static void doc_never_finalised(void **state)
{
  (void)state;
  char b[3][128];
  sipflow_message m5 = msg(b[0], sizeof b[0], 1, 5, "e@x", 1, 2, "OPTIONS", 0, NULL);
  sipflow_message m1 = msg(b[1], sizeof b[1], 2, 1, "a@x", 1, 2, "INVITE", 0, NULL);
  sipflow_message m4 = msg(b[2], sizeof b[2], 3, 4, "d@x", 2, 1, "OPTIONS", 0, NULL);
  sipflow_ladder_doc_options o = {.format = SIPFLOW_LADDER_ASCII, .render = {.width = 20}};
  sink k = {g_string_new(NULL), 0};
  sipflow_ladder_doc *d = sipflow_ladder_doc_new(&o, sink_write, &k);
  sipflow_call_info c1 = call_info(1, "a@x", SIPFLOW_CALL_SETUP, 0, NULL, NULL);

  sipflow_ladder_doc_add_message(d, &m5);
  sipflow_ladder_doc_add_message(d, &m1);
  sipflow_ladder_doc_add_message(d, &m4);
  sipflow_ladder_doc_add_call(d, &c1);
  sipflow_ladder_doc_finish(d, 0); /* what was read is shown after an error too */
  GString *want = g_string_new("== call 1: setup ===\n");
  append_render(want, (const sipflow_message *[]){&m1}, 1, SIPFLOW_LADDER_ASCII, 20);
  g_string_append(want, "\n== call 4 ==========\n");
  append_render(want, (const sipflow_message *[]){&m4}, 1, SIPFLOW_LADDER_ASCII, 20);
  g_string_append(want, "\n== call 5 ==========\n");
  append_render(want, (const sipflow_message *[]){&m5}, 1, SIPFLOW_LADDER_ASCII, 20);
  expect_text(&k, want);
}

static void doc_bad_arguments(void **state)
{
  (void)state;
  sink k = {g_string_new(NULL), 0};
  sipflow_ladder_doc_options bad = {.format = (sipflow_ladder_format)SIPFLOW_LADDER_FORMAT_COUNT};
  sipflow_message m = {0};
  sipflow_call_info c = {0};

  assert_null(sipflow_ladder_doc_new(NULL, NULL, NULL));
  assert_null(sipflow_ladder_doc_new(&bad, sink_write, &k));
  sipflow_ladder_doc *d = sipflow_ladder_doc_new(NULL, sink_write, &k); /* defaults */
  assert_non_null(d);
  assert_int_equal(sipflow_ladder_doc_add_message(NULL, &m), SIPFLOW_ERR_INVALID);
  assert_int_equal(sipflow_ladder_doc_add_message(d, NULL), SIPFLOW_ERR_INVALID);
  assert_int_equal(sipflow_ladder_doc_add_call(NULL, &c), SIPFLOW_ERR_INVALID);
  assert_int_equal(sipflow_ladder_doc_add_call(d, NULL), SIPFLOW_ERR_INVALID);
  assert_null(sipflow_ladder_doc_call_missing(d, 0));
  sipflow_ladder_doc_free(d); /* writes nothing */
  sipflow_ladder_doc_free(NULL);
  sipflow_ladder_doc_finish(NULL, 1);
  assert_int_equal(k.writes, 0);
  g_string_free(k.text, TRUE);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(stats_full),
    cmocka_unit_test(stats_empty),
    cmocka_unit_test(stats_label_bidi),
    cmocka_unit_test(stats_of_empty_context),
    cmocka_unit_test(stats_bad_arguments),
    cmocka_unit_test(doc_per_call_order),
    cmocka_unit_test(doc_heading_escapes),
    cmocka_unit_test(doc_heading_bidi),
    cmocka_unit_test(doc_empty),
    cmocka_unit_test(doc_chosen_calls),
    cmocka_unit_test(doc_json_keeps_text),
    cmocka_unit_test(doc_hold_back),
    cmocka_unit_test(doc_never_finalised),
    cmocka_unit_test(doc_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
