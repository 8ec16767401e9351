/*
 * Unit tests for libsipflow/framer.c (start-line recognition, message length,
 * resynchronisation).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every input is copied into a malloc'd buffer of exactly its length, so
 * AddressSanitizer catches any read past the end (the framer must never rely
 * on a NUL terminator).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sf_internal.h"

/* ------------------------------------------------------------ helpers */

static char *exact_copy(const char *text, size_t len)
{
  char *b = malloc(len ? len : 1);
  assert_non_null(b);
  memcpy(b, text, len);
  return b;
}

static int start_n(const char *text, size_t len)
{
  char *b = exact_copy(text, len);
  int r = sf_framer_is_sip_start(b, len);
  free(b);
  return r;
}

static int start(const char *text)
{
  return start_n(text, strlen(text));
}

static long length_n(const char *text, size_t len, const char **why)
{
  char *b = exact_copy(text, len);
  long r = sf_framer_message_length(b, len, why);
  free(b);
  return r;
}

static long length(const char *text, const char **why)
{
  return length_n(text, strlen(text), why);
}

static long find(const char *text)
{
  size_t len = strlen(text);
  char *b = exact_copy(text, len);
  long r = sf_framer_find_start(b, len);
  free(b);
  return r;
}

#define HDRS                                                                       \
  "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\r\n"                               \
  "From: <sip:a@x>;tag=1\r\n"                                                        \
  "To: <sip:b@y>\r\n"                                                                \
  "Call-ID: c1@x\r\n"                                                                \
  "CSeq: 1 INVITE\r\n"

/* ------------------------------------------------------------ start line */

static void test_request_lines(void **state)
{
  (void)state;
  assert_int_equal(start("INVITE sip:bob@example.com SIP/2.0\r\n"), 1);
  assert_int_equal(start("REGISTER sips:example.com SIP/2.0\r\nVia: x\r\n"), 1);
  assert_int_equal(start("ACK tel:+15551234 SIP/2.0\r\n"), 1);
  /* Extension methods (RFC 3261 §27.4): any token. */
  assert_int_equal(start("X-FOO.BAR!% sip:a@b SIP/2.0\r\n"), 1);
  assert_int_equal(start("PUBLISH sip:a@b SIP/2.0\r\n"), 1);
  /* Version case-insensitive, bare LF, trailing blank. */
  assert_int_equal(start("OPTIONS sip:a@b sip/2.0\r\n"), 1);
  assert_int_equal(start("OPTIONS sip:a@b SIP/2.0\n"), 1);
  assert_int_equal(start("OPTIONS sip:a@b SIP/2.0 \r\n"), 1);
  /* Methods outside the one-load path (lower case, digits, > 7 bytes). */
  assert_int_equal(start("invite sip:a@b SIP/2.0\r\n"), 1);
  assert_int_equal(start("X1 sip:a@b SIP/2.0\r\n"), 1);
  assert_int_equal(start("SUBSCRIBE sip:a@b SIP/2.0\r\n"), 1);
  assert_int_equal(start("A\x80" "CK sip:a@b SIP/2.0\r\n"), 0);
  assert_int_equal(start("ACK sip:a@b\x7f SIP/2.0\r\n"), 0);
}

static void test_status_lines(void **state)
{
  (void)state;
  assert_int_equal(start("SIP/2.0 200 OK\r\n"), 1);
  assert_int_equal(start("SIP/2.0 180 Ringing\n"), 1);
  assert_int_equal(start("SIP/2.0 486 Busy Here\r\nVia: x\r\n"), 1);
  assert_int_equal(start("sip/2.0 100 Trying\r\n"), 1);
  assert_int_equal(start("SIP/2.0 200 \r\n"), 1);
  assert_int_equal(start("SIP/2.0 200\r\n"), 1);
  assert_int_equal(start("SIP/2.0 200 \xc3\xa9t\xc3\xa9\r\n"), 1); /* UTF-8 reason */
  assert_int_equal(start("SIP/2.0 2x0 OK\r\n"), 0);
  assert_int_equal(start("SIP/2.0 20 OK\r\n"), 0);
  assert_int_equal(start("SIP/2.0 2000 OK\r\n"), 0);
  assert_int_equal(start("SIP/2.1 200 OK\r\n"), 0);
  assert_int_equal(start("SIP/2.0  200 OK\r\n"), 0);
  /* Issue 6: any byte but CR/LF in the reason phrase (broken devices send
   * control bytes; the output escapes them), as Wireshark does. */
  assert_int_equal(start("SIP/2.0 200 O\x01K\r\n"), 1);
  assert_int_equal(start("SIP/2.0 486 Busy\x1b[31m Here\x7f\r\n"), 1);
  assert_int_equal(start_n("SIP/2.0 200 O\0K\r\n", 17), 1);
  assert_int_equal(start("SIP/2.0 200 O\x01K"), -1); /* line not complete */
  assert_int_equal(start("SIP/2.0 200 O\rK\r\n"), 0); /* lone CR ends the line */
  /* The two-load path (16 bytes or more): digits exactly, version folded. */
  assert_int_equal(start("SIP/2.0 2:0 OK\r\n"), 0);
  assert_int_equal(start("SIP/2.0 20/ OK\r\n"), 0);
  assert_int_equal(start("SIP/2.0\t200 OK\r\n"), 0);
  assert_int_equal(start("sIp/2.0 200 OK\r\n"), 1);
  assert_int_equal(start("SIP/2.0 200 OK, fine"), -1);
}

static void test_not_sip(void **state)
{
  (void)state;
  assert_int_equal(start("GET / HTTP/1.1\r\n"), 0);
  assert_int_equal(start("HTTP/1.1 200 OK\r\n"), 0);
  assert_int_equal(start("NOTIFY * HTTP/1.1\r\n"), 0);
  assert_int_equal(start("M-SEARCH * HTTP/1.1\r\n"), 0);
  assert_int_equal(start("POST /x HTTP/1.0\r\n"), 0);
  assert_int_equal(start("INVITE sip:a@b SIP/2.0\rX"), 0);  /* lone CR */
  assert_int_equal(start("INVITE sip:a@b SIP/2.0x\r\n"), 0);
  assert_int_equal(start("INVITE  sip:a@b SIP/2.0\r\n"), 0); /* empty URI */
  assert_int_equal(start("INVITE sip:a@b\r\n"), 0);
  assert_int_equal(start("INVITE sip:a\x01@b SIP/2.0\r\n"), 0);
  assert_int_equal(start("Via: SIP/2.0/UDP host\r\n"), 0);
  assert_int_equal(start(" INVITE sip:a@b SIP/2.0\r\n"), 0);
  assert_int_equal(start("\r\n"), 0);
  assert_int_equal(start_n("\x80\x00\x12\x34", 4), 0); /* RTP */
  assert_int_equal(start_n("\x16\x03\x01\x02\x00", 5), 0); /* TLS */
  /* 65 token characters cannot be a method. */
  char *long_token = g_strnfill(65, 'A');
  assert_int_equal(start(long_token), 0);
  g_free(long_token);
  char *method64 = g_strconcat("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                               " sip:a@b SIP/2.0\r\n", NULL);
  assert_int_equal(start(method64), 1);
  g_free(method64);
}

static void test_partial_lines(void **state)
{
  (void)state;
  const char *req = "INVITE sip:bob@example.com SIP/2.0\r\n";
  const char *resp = "SIP/2.0 180 Ringing\r\n";

  /* Every proper prefix of a start line needs more bytes. */
  for (size_t n = 0; n < strlen(req); n++)
    assert_int_equal(start_n(req, n), -1);
  for (size_t n = 0; n < strlen(resp); n++)
    assert_int_equal(start_n(resp, n), -1);
  /* A prefix that already contradicts SIP is rejected at once. */
  assert_int_equal(start("GET / HT"), 0);
  assert_int_equal(start("GET / X"), 0);
  assert_int_equal(start("SIP/3"), 0);
  assert_int_equal(start("HTTP/"), 0);
}

static void test_line_limit(void **state)
{
  (void)state;
  GString *s = g_string_new("INVITE sip:");
  for (int i = 0; i < 5000; i++)
    g_string_append_c(s, 'a');
  assert_int_equal(start_n(s->str, s->len), -1); /* long but plausible */
  for (int i = 0; i < 4000; i++)
    g_string_append_c(s, 'a');
  assert_int_equal(start_n(s->str, s->len), 0); /* no line end within 8 KiB */
  g_string_free(s, TRUE);
}

/* ------------------------------------------------------------ length */

static void test_content_length_forms(void **state)
{
  (void)state;
  const char *why = NULL;
  const char *m1 = "INVITE sip:b@y SIP/2.0\r\n" HDRS "Content-Length: 4\r\n\r\nbody";
  const char *m2 = "INVITE sip:b@y SIP/2.0\r\n" HDRS "l: 4\r\n\r\nbody";
  const char *m3 = "INVITE sip:b@y SIP/2.0\r\n" HDRS "content-length : 4\r\n\r\nbody";
  const char *m4 = "INVITE sip:b@y SIP/2.0\r\n" HDRS "CONTENT-LENGTH:\t4 \r\n\r\nbody";
  const char *m5 = "INVITE sip:b@y SIP/2.0\r\n" HDRS "Content-Length:\r\n   4\r\n\r\nbody";
  const char *m6 = "INVITE sip:b@y SIP/2.0\r\n" HDRS "L\t:4\r\n\r\nbody";

  assert_int_equal(length(m1, &why), (long)strlen(m1));
  assert_int_equal(length(m2, &why), (long)strlen(m2));
  assert_int_equal(length(m3, &why), (long)strlen(m3));
  assert_int_equal(length(m4, &why), (long)strlen(m4));
  assert_int_equal(length(m5, &why), (long)strlen(m5));
  assert_int_equal(length(m6, &why), (long)strlen(m6));
}

static void test_length_stops_at_body(void **state)
{
  (void)state;
  const char *why = NULL;
  const char *m = "SIP/2.0 200 OK\r\n" HDRS "Content-Length: 0\r\n\r\n";
  GString *s = g_string_new(m);
  /* The next message follows at once: only the first is measured. */
  g_string_append(s, "BYE sip:a@x SIP/2.0\r\nContent-Length: 0\r\n\r\n");
  assert_int_equal(length_n(s->str, s->len, &why), (long)strlen(m));
  /* A body containing a Content-Length line does not count. */
  const char *b = "MESSAGE sip:b@y SIP/2.0\r\nl: 21\r\n\r\nContent-Length: 999\r\n";
  assert_int_equal(length(b, &why), (long)strlen(b));
  g_string_free(s, TRUE);
}

static void test_similar_header_names(void **state)
{
  (void)state;
  const char *why = NULL;
  const char *m = "INVITE sip:b@y SIP/2.0\r\nX-Content-Length: 9\r\n"
                  "Content-Lengthy: 9\r\nLa: 9\r\nSubject: Content-Length: 9\r\n"
                  "Content-Length: 2\r\n\r\nok";
  assert_int_equal(length(m, &why), (long)strlen(m));
}

static void test_first_content_length_wins(void **state)
{
  (void)state;
  const char *why = NULL;
  const char *m = "INVITE sip:b@y SIP/2.0\r\nContent-Length: 2\r\nl: 7\r\n\r\nok";
  assert_int_equal(length(m, &why), (long)strlen(m));
}

static void test_lf_only(void **state)
{
  (void)state;
  const char *why = NULL;
  const char *m = "OPTIONS sip:b@y SIP/2.0\nCall-ID: x\nContent-Length: 3\n\nabc";
  assert_int_equal(length(m, &why), (long)strlen(m));
  const char *mixed = "OPTIONS sip:b@y SIP/2.0\r\nl: 3\n\r\nabc";
  assert_int_equal(length(mixed, &why), (long)strlen(mixed));
}

static void test_missing_content_length(void **state)
{
  (void)state;
  const char *why = NULL;
  assert_int_equal(length("OPTIONS sip:b@y SIP/2.0\r\n" HDRS "\r\n", &why),
                   SIPFLOW_ERR_MALFORMED);
  assert_string_equal(why, "no Content-Length on a stream");
  why = NULL;
  assert_int_equal(length("OPTIONS sip:b@y SIP/2.0\r\n\r\n", &why), SIPFLOW_ERR_MALFORMED);
  assert_string_equal(why, "no Content-Length on a stream");
}

static void test_bad_content_length(void **state)
{
  (void)state;
  const char *bad[] = {
      "OPTIONS sip:b@y SIP/2.0\r\nContent-Length: abc\r\n\r\n",
      "OPTIONS sip:b@y SIP/2.0\r\nContent-Length: 5x\r\n\r\n",
      "OPTIONS sip:b@y SIP/2.0\r\nContent-Length: -5\r\n\r\n",
      "OPTIONS sip:b@y SIP/2.0\r\nContent-Length: 5 6\r\n\r\n",
      "OPTIONS sip:b@y SIP/2.0\r\nContent-Length:\r\n\r\n",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    const char *why = NULL;
    assert_int_equal(length(bad[i], &why), SIPFLOW_ERR_MALFORMED);
    assert_string_equal(why, "Content-Length is not a number");
  }
  const char *why = NULL;
  assert_int_equal(
      length("OPTIONS sip:b@y SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n",
             &why),
      SIPFLOW_ERR_MALFORMED);
  assert_string_equal(why, "Content-Length is out of range");
  why = NULL;
  assert_int_equal(length("OPTIONS sip:b@y SIP/2.0\r\nl: 2147483648\r\n\r\n", &why),
                   SIPFLOW_ERR_MALFORMED);
  assert_string_equal(why, "Content-Length is out of range");
}

static void test_huge_content_length(void **state)
{
  (void)state;
  const char *m = "INVITE sip:b@y SIP/2.0\r\nContent-Length: 1000000\r\n\r\nabc";
  size_t hl = 0, total = 0;
  const char *why = NULL;

  assert_int_equal(length(m, &why), SIPFLOW_ERR_INCOMPLETE);
  char *b = exact_copy(m, strlen(m));
  assert_int_equal(sf_framer_measure(b, strlen(m), &hl, &total, &why), SIPFLOW_OK);
  assert_int_equal(hl, strlen(m) - 3);
  assert_int_equal(total, hl + 1000000);
  free(b);
}

static void test_measure_malformed_gives_header_length(void **state)
{
  (void)state;
  const char *m = "OPTIONS sip:b@y SIP/2.0\r\nCall-ID: x\r\n\r\nSIP/2.0 200 OK\r\n";
  size_t hl = 0, total = 0;
  const char *why = NULL;
  char *b = exact_copy(m, strlen(m));
  assert_int_equal(sf_framer_measure(b, strlen(m), &hl, &total, &why),
                   SIPFLOW_ERR_MALFORMED);
  assert_int_equal(hl, strlen("OPTIONS sip:b@y SIP/2.0\r\nCall-ID: x\r\n\r\n"));
  free(b);
}

/* A measure taken up again after each byte that arrives gives, at every
 * point, what measuring the bytes so far at once gives: the lines read
 * before are not read again, and nothing they held is lost (a first
 * Content-Length folded over lines, a later one ignored, a malformed one). */
static void test_measure_resumed_byte_by_byte(void **state)
{
  (void)state;
  const char *msgs[] = {
      "INVITE sip:b@y SIP/2.0\r\n" HDRS "Content-Length:\r\n 5\r\n\r\nhello",
      "SIP/2.0 200 OK\n" HDRS "l: 0\n\n",
      "BYE sip:b@y SIP/2.0\r\n Via: folded start\r\nContent-Length: 3\r\n\t \r\n"
      "Content-Length: 9\r\n\r\nabc",
      "ACK sip:b@y SIP/2.0\r\nContent-Length: x1\r\nContent-Length: 1\r\n\r\n",
      "OPTIONS sip:b@y SIP/2.0\r\nX: a\rb\r\nl : 99999999999\r\n\r\n",
      "SIP/2.0 180 Ringing\r\nCall-ID: c\r\n\r\n",
  };
  for (size_t m = 0; m < G_N_ELEMENTS(msgs); m++) {
    size_t len = strlen(msgs[m]);
    char *b = exact_copy(msgs[m], len);
    sf_measure_state st = SF_MEASURE_START;
    for (size_t n = 0; n <= len; n++) {
      size_t hl1 = 0, t1 = 0, hl2 = 0, t2 = 0;
      const char *why1 = NULL, *why2 = NULL;
      int whole = sf_framer_measure(b, n, &hl1, &t1, &why1);
      int resumed = sf_framer_measure_from(b, n, &st, &hl2, &t2, &why2);
      assert_int_equal(resumed, whole);
      if (whole != SIPFLOW_ERR_INCOMPLETE) {
        assert_int_equal(hl2, hl1);
        assert_int_equal(t2, t1);
        assert_ptr_equal(why2, why1);
        st = SF_MEASURE_START; /* done: the next n starts over */
      }
    }
    free(b);
  }
}

/* Every prefix of a message is incomplete, the whole is its length. */
static void test_every_truncation_point(void **state)
{
  (void)state;
  const char *msgs[] = {
      "INVITE sip:b@y SIP/2.0\r\n" HDRS "Content-Length:\r\n 5\r\n\r\nhello",
      "SIP/2.0 200 OK\n" HDRS "l: 0\n\n",
  };
  for (size_t m = 0; m < G_N_ELEMENTS(msgs); m++) {
    size_t len = strlen(msgs[m]);
    for (size_t n = 0; n < len; n++) {
      const char *why = NULL;
      assert_int_equal(length_n(msgs[m], n, &why), SIPFLOW_ERR_INCOMPLETE);
    }
    assert_int_equal(length_n(msgs[m], len, NULL), (long)len);
  }
}

/* ------------------------------------------------------------ find_start */

static void test_find_start(void **state)
{
  (void)state;
  assert_int_equal(find("INVITE sip:a@b SIP/2.0\r\n"), 0);
  assert_int_equal(find("junk\r\nmore junk\r\nINVITE sip:a@b SIP/2.0\r\n"), 17);
  assert_int_equal(find("abc\nSIP/2.0 200 OK\n"), 4);
  assert_int_equal(find("> INVITE sip:a@b SIP/2.0\r\n"), -1); /* not at a line start */
  assert_int_equal(find("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), -1);
  assert_int_equal(find("junk\r\n"), -1);
  assert_int_equal(find(""), -1);
  /* A possible start line cut by the end of the buffer: "maybe". */
  assert_int_equal(find("junk\r\nINVI"), 6);
  assert_int_equal(find("junk\r\nGET / H"), -1);
  /* Header lines never look like start lines. */
  assert_int_equal(find("Via: SIP/2.0/TCP h\r\nCSeq: 1 INVITE\r\n\r\nBYE sip:x SIP/2.0\r\n"),
                   38);
  assert_int_equal(sf_framer_find_start(NULL, 0), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_lines),
      cmocka_unit_test(test_status_lines),
      cmocka_unit_test(test_not_sip),
      cmocka_unit_test(test_partial_lines),
      cmocka_unit_test(test_line_limit),
      cmocka_unit_test(test_content_length_forms),
      cmocka_unit_test(test_length_stops_at_body),
      cmocka_unit_test(test_similar_header_names),
      cmocka_unit_test(test_first_content_length_wins),
      cmocka_unit_test(test_lf_only),
      cmocka_unit_test(test_missing_content_length),
      cmocka_unit_test(test_bad_content_length),
      cmocka_unit_test(test_huge_content_length),
      cmocka_unit_test(test_measure_malformed_gives_header_length),
      cmocka_unit_test(test_every_truncation_point),
      cmocka_unit_test(test_measure_resumed_byte_by_byte),
      cmocka_unit_test(test_find_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
