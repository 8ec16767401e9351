/*
 * Unit tests of the HTML report (libsipflow/render_report.c,
 * sipflow_report_*): arguments, the empty report, the data of a real call
 * (rows, arrows, stats), escaping of hostile capture text, rows for calls
 * known only from their messages, a call given twice.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sipflow/sipflow.h>

#define T0 1768471200000000LL /* 2026-01-15 10:00:00 UTC */

/* --------------------------------------------------------------- helpers */

typedef struct fed {
  sipflow_ctx *ctx;
  sipflow_report *report;
  unsigned calls;
} fed;

static void on_message(const sipflow_message *m, void *user)
{
  assert_int_equal(sipflow_report_add_message(((fed *)user)->report, m), SIPFLOW_OK);
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  fed *f = user;
  assert_int_equal(sipflow_report_add_call(f->report, c), SIPFLOW_OK);
  f->calls++;
}

static fed *fed_new(void)
{
  fed *f = calloc(1, sizeof *f);
  sipflow_callbacks cb = {.on_message = on_message, .on_call_end = on_call_end};
  assert_non_null(f);
  f->ctx = sipflow_new(&cb, f, NULL);
  f->report = sipflow_report_new();
  assert_non_null(f->ctx);
  assert_non_null(f->report);
  return f;
}

static void fed_free(fed *f)
{
  sipflow_free(f->ctx);
  sipflow_report_free(f->report);
  free(f);
}

static sipflow_endpoint ep(const char *ip, uint16_t port)
{
  sipflow_endpoint e = {.family = 4, .port = port};
  assert_int_equal(inet_pton(AF_INET, ip, e.addr), 1);
  return e;
}

/* Feeds one message (LF line ends in the text become CRLF). */
static void feed(fed *f, uint64_t frame, int ms, int from_a, const char *text)
{
  char buf[4096];
  size_t n = 0;
  sipflow_endpoint a = ep("192.0.2.1", 5060), b = ep("192.0.2.2", 5060);

  for (const char *p = text; *p && n + 2 < sizeof buf; p++) {
    if (*p == '\n')
      buf[n++] = '\r';
    buf[n++] = *p;
  }
  assert_int_equal(sipflow_feed_sip(f->ctx, buf, n, frame, T0 + ms * 1000LL, from_a ? &a : &b,
                                    from_a ? &b : &a, SIPFLOW_TRANSPORT_UDP),
                   SIPFLOW_OK);
}

#define HDRS(cid, totag, cseq)                                                         \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-" cid "\n"                          \
  "From: <sip:alice@example.com>;tag=a1\nTo: <sip:bob@example.com>" totag "\n"         \
  "Call-ID: " cid "\nCSeq: " cseq "\nContent-Length: 0\n\n"

/* INVITE, 486, ACK: a busy call. */
static void busy_call(fed *f, uint64_t frame, int ms, const char *reason)
{
  char rsp[1024];
  feed(f, frame, ms, 1, "INVITE sip:bob@example.com SIP/2.0\n" HDRS("busy-1", "", "1 INVITE"));
  snprintf(rsp, sizeof rsp, "SIP/2.0 486 %s\n" HDRS("busy-1", ";tag=b1", "1 INVITE"), reason);
  feed(f, frame + 1, ms + 200, 0, rsp);
  feed(f, frame + 2, ms + 210, 1, "ACK sip:bob@example.com SIP/2.0\n" HDRS("busy-1", ";tag=b1", "1 ACK"));
}

static char *render(fed *f, bool with_stats, size_t *len)
{
  sipflow_stats st;
  char *out = NULL;
  sipflow_report_options opt = {.title = "T <1>", .source = "a.pcap"};

  if (with_stats)
    assert_int_equal(sipflow_get_stats(f->ctx, &st), SIPFLOW_OK);
  assert_int_equal(sipflow_report_render(f->report, with_stats ? &st : NULL, &opt, &out, len),
                   SIPFLOW_OK);
  assert_non_null(out);
  assert_int_equal(strlen(out), *len);
  return out;
}

static size_t count(const char *hay, const char *needle)
{
  size_t n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
    n++;
  return n;
}

/* ------------------------------------------------------------------ tests */

static void test_invalid_arguments(void **state)
{
  sipflow_report *r = sipflow_report_new();
  sipflow_message m = {0};
  sipflow_call_info c = {0};
  char *out = (char *)1;
  size_t len = 7;

  assert_int_equal(sipflow_report_add_message(NULL, &m), SIPFLOW_ERR_INVALID);
  assert_int_equal(sipflow_report_add_message(r, NULL), SIPFLOW_ERR_INVALID);
  assert_int_equal(sipflow_report_add_call(NULL, &c), SIPFLOW_ERR_INVALID);
  assert_int_equal(sipflow_report_add_call(r, NULL), SIPFLOW_ERR_INVALID);
  assert_int_equal(sipflow_report_render(NULL, NULL, NULL, &out, &len), SIPFLOW_ERR_INVALID);
  assert_null(out);
  assert_int_equal(len, 0);
  assert_int_equal(sipflow_report_render(r, NULL, NULL, NULL, NULL), SIPFLOW_ERR_INVALID);
  sipflow_report_free(r);
  sipflow_report_free(NULL);
}

static void test_empty_report(void **state)
{
  sipflow_report *r = sipflow_report_new();
  char *out = NULL;
  size_t len = 0;

  assert_int_equal(sipflow_report_render(r, NULL, NULL, &out, &len), SIPFLOW_OK);
  assert_int_equal(strlen(out), len);
  assert_true(strncmp(out, "<!DOCTYPE html>\n", 16) == 0);
  assert_non_null(strstr(out, "<title>SIP capture report</title>"));
  assert_non_null(strstr(out, "content=\"default-src 'none'; "));
  assert_non_null(strstr(out, ",\"t0\":0,\n\"stats\":null,\n\"lanes\":[],\n\"calls\":[],\n\"arrows\":[]}"));
  assert_non_null(strstr(out, "id=\"report-texts\">[]</script>"));
  assert_string_equal(out + len - 8, "</html>\n");
  sipflow_buffer_free(out);
  sipflow_report_free(r);
}

static void test_busy_call(void **state)
{
  fed *f = fed_new();
  size_t len;

  busy_call(f, 1, 0, "Busy Here");
  sipflow_finish(f->ctx);
  assert_int_equal(f->calls, 1);
  char *out = render(f, true, &len);

  /* the title escaped for XML, in the data as JSON */
  assert_non_null(strstr(out, "<title>T &lt;1&gt;</title>"));
  assert_non_null(strstr(out, "{\"title\":\"T \\u003c1\\u003e\",\"source\":\"a.pcap\",\"t0\":1768471200000000,"));
  /* one row: the busy call, its three arrows, its failure sentence */
  assert_non_null(strstr(out, "\n\"calls\":[\n{\"call\":1,\"call_id\":\"busy-1\",\"method\":\"INVITE\","
                              "\"from\":\"sip:alice@example.com\",\"to\":\"sip:bob@example.com\","
                              "\"src\":\"192.0.2.1:5060\",\"dst\":\"192.0.2.2:5060\","
                              "\"start\":0,\"end\":210000,\"state\":\"busy\",\"status\":486,"
                              "\"reason\":\"Busy Here\",\"q850\":0,\"messages\":3,"));
  assert_non_null(strstr(out, "\"failure\":\"rejected by 192.0.2.2:5060 with 486 Busy Here after 200 ms\""));
  assert_non_null(strstr(out, ",\"a\":[0,3]}]"));
  assert_non_null(strstr(out, "\n\"lanes\":[[\"192.0.2.1:5060\",null],[\"192.0.2.2:5060\",null]]"));
  assert_non_null(strstr(out, "\n[1,0,0,1,0,\"INVITE bob\",null,0,\"udp\",1,\"INVITE\",\"sip:bob@example.com\"],"));
  assert_non_null(strstr(out, "\n[2,200000,1,0,486,\"486 Busy Here\",null,0,\"udp\",1,\"INVITE\",null],"));
  assert_non_null(strstr(out, "\n[3,210000,0,1,0,\"ACK bob\",null,0,\"udp\",1,\"ACK\",\"sip:bob@example.com\"]]}"));
  /* the texts, CRLF kept, in the same order */
  assert_non_null(strstr(out, "id=\"report-texts\">[\n\"INVITE sip:bob@example.com SIP/2.0\\r\\nVia:"));
  assert_int_equal(count(out, "\n\"SIP/2.0 486 Busy Here\\r\\n"), 1);
  /* stats: KPIs, n/a as null */
  assert_non_null(strstr(out, "\"calls_by_state\":{\"setup\":0,\"ringing\":0,\"in-call\":0,"
                              "\"completed\":0,\"cancelled\":0,\"busy\":1,"));
  assert_non_null(strstr(out, "\"asr\":0.0,\"ner\":100.0,\"pdd_count\":0,\"pdd_mean_ms\":null,"));
  assert_non_null(strstr(out, "\"top_failures\":[{\"label\":\"486 Busy Here\",\"state\":\"busy\","
                              "\"status\":486,\"q850\":0,\"calls\":1}]"));
  sipflow_buffer_free(out);
  fed_free(f);
}

/* Nothing from the capture may end the data element, open markup, or
 * reach the page as a control character. */
static void test_hostile_text(void **state)
{
  fed *f = fed_new();
  size_t len;

  busy_call(f, 1, 0, "</script><script>alert(1)</script>]]>\x1b[31m&amp;");
  sipflow_finish(f->ctx);
  char *out = render(f, true, &len);

  /* data, texts, and the page's own script: three elements, three ends */
  assert_int_equal(count(out, "<script"), 3);
  assert_int_equal(count(out, "</script>"), 3);
  assert_int_equal(count(out, "]]>"), 1); /* the end of the script's CDATA */
  assert_null(strchr(out, '\x1b'));
  assert_non_null(strstr(out, "\"reason\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"
                              "\\u003c/script\\u003e]]\\u003e\\\\x1b[31m\\u0026amp;\""));
  sipflow_buffer_free(out);
  fed_free(f);
}

/* Messages of a call never given to add_call still get a row; a call
 * given twice keeps one row, the last. */
static void test_rows(void **state)
{
  sipflow_report *r = sipflow_report_new();
  sipflow_message m = {.frame = 5, .time_us = T0, .src = ep("192.0.2.1", 5060),
                       .dst = ep("192.0.2.2", 5060), .is_request = 1, .call = 7,
                       .method = {"OPTIONS", 7}, .cseq_method = {"OPTIONS", 7},
                       .request_uri = {"sip:gw.example.com", 18}, .call_id = {"o-1", 3},
                       .raw = "OPTIONS sip:gw.example.com SIP/2.0\r\n\r\n", .raw_len = 38};
  sipflow_call_info c = {.call = 2, .call_id = "c-2", .state = SIPFLOW_CALL_RINGING,
                         .start_us = T0 + 1000, .end_us = T0 + 2000, .setup_ms = -1, .answer_ms = -1,
                         .duration_s = -1};
  char *out = NULL;
  size_t len;

  assert_int_equal(sipflow_report_add_message(r, &m), SIPFLOW_OK);
  assert_int_equal(sipflow_report_add_call(r, &c), SIPFLOW_OK);
  c.state = SIPFLOW_CALL_IN_CALL;
  c.answer_ms = 1500;
  assert_int_equal(sipflow_report_add_call(r, &c), SIPFLOW_OK);
  assert_int_equal(sipflow_report_render(r, NULL, NULL, &out, &len), SIPFLOW_OK);
  assert_int_equal(count(out, "{\"call\":"), 2);
  assert_non_null(strstr(out, "{\"call\":2,\"call_id\":\"c-2\",\"method\":null,\"from\":null,"
                              "\"to\":null,\"src\":null,\"dst\":null,\"start\":1000,\"end\":2000,"
                              "\"state\":\"in-call\""));
  assert_non_null(strstr(out, "\"setup_ms\":null,\"answer_ms\":1500,\"duration_s\":null,"));
  assert_non_null(strstr(out, ",\"a\":[0,0]},\n{\"call\":7,\"call_id\":\"o-1\",\"method\":\"OPTIONS\","
                              "\"from\":null,\"to\":null,\"src\":\"192.0.2.1:5060\",\"dst\":\"192.0.2.2:5060\","
                              "\"start\":0,\"state\":\"unknown\",\"status\":0,\"reason\":null,"
                              "\"messages\":1,\"anomalies\":[],\"failure\":null,\"a\":[0,1]}]"));
  sipflow_buffer_free(out);
  sipflow_report_free(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_invalid_arguments),
    cmocka_unit_test(test_empty_report),
    cmocka_unit_test(test_busy_call),
    cmocka_unit_test(test_hostile_text),
    cmocka_unit_test(test_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
