/*
 * Unit tests for libsipflow/uri.c (sipflow_uri_user).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each URI is copied into an exact-size heap buffer (no NUL) so that
 * AddressSanitizer catches a read past len.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sf_internal.h" /* sf_uri_user_cstr */
#include "sipflow/sipflow.h"

/* Runs sipflow_uri_user on an exact-size copy of uri; checks the return
 * value and the span's text (NULL = empty span). */
static void check(const char *uri, int want_rc, const char *want)
{
  size_t len = strlen(uri);
  char *buf = malloc(len ? len : 1);
  sipflow_span s = {(const char *)1, 99};

  assert_non_null(buf);
  memcpy(buf, uri, len);
  int rc = sipflow_uri_user(buf, len, &s);
  assert_int_equal(rc, want_rc);
  if (want) {
    assert_non_null(s.ptr);
    assert_true(s.ptr >= buf && s.ptr + s.len <= buf + len);
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.ptr, want, s.len);
  } else {
    assert_null(s.ptr);
    assert_int_equal(s.len, 0);
  }
  free(buf);
}

static void test_user_part(void **state)
{
  check("sip:alice@example.com", 1, "alice");
  check("sips:bob@example.com:5061;transport=tls", 1, "bob");
  check("SIP:Carol@example.com", 1, "Carol");
  check("sip:alice:secret@example.com", 1, "alice");          /* no password */
  check("sip:+15551234;npdi;rn=+1555@gw.example", 1, "+15551234"); /* RFC 4694 */
  check("sip:0201234567@10.1.1.10;user=phone", 1, "0201234567");
  check("<sip:alice@example.com>", 1, "alice");
  check("  <sip:bob@[2001:db8::1]:5060>", 1, "bob");
  check("sip:alice@example.com?subject=x", 1, "alice");
  /* the one-pass scan to the '@' gives way to the general rules: an '@'
   * after the '>' is not the URI's, an empty user leaves the host */
  check("<sip:alice>@example.com", 0, "alice");
  check("sip:;x@host.example", 0, "host.example");
  check("sip::pw@host.example>", 0, "host.example");
  check("sip:a@", 1, "a");
  check("alice@example.com", 1, "alice"); /* no scheme */
}

static void test_tel(void **state)
{
  check("tel:+15551234", 1, "+15551234");
  check("tel:+15551234;phone-context=example.com", 1, "+15551234");
  check("TEL:555;phone-context=+1", 1, "555");
  check("tel:", -1, NULL);
  check("tel:;x", -1, NULL);
}

static void test_host_when_no_user(void **state)
{
  check("sip:example.com", 0, "example.com");
  check("sip:example.com:5060;lr", 0, "example.com");
  check("sip:[2001:db8::1]:5060", 0, "[2001:db8::1]");
  check("sip:@example.com", 0, "example.com"); /* empty user part */
  check("<sip:pbx.lan>", 0, "pbx.lan");
  check("sip:[2001:db8::1", 0, "[2001:db8::1"); /* unclosed: up to the end */
}

static void test_degenerate(void **state)
{
  sipflow_span s = {(const char *)1, 1};

  check("", -1, NULL);
  check("sip:", -1, NULL);
  check("<>", -1, NULL);
  check("sip:alice@", 1, "alice");
  check("sip:@", -1, NULL);
  check("alice", 0, "alice"); /* no scheme: taken as a host name */
  assert_int_equal(sipflow_uri_user(NULL, 3, &s), -1);
  assert_null(s.ptr);
  assert_int_equal(sipflow_uri_user("sip:a@b", 7, NULL), -1);
}

/* User parts of every length up to 40: the scan goes 16 bytes a step, and
 * the '@', '>', ';' and ':' it looks for fall on every place of a step,
 * before and after the step boundary. */
static void test_long_user_parts(void **state)
{
  char user[41], uri[128];

  for (size_t n = 1; n < sizeof user; n++) {
    memset(user, 'a' + (int)(n % 26), n);
    user[n] = '\0';
    snprintf(uri, sizeof uri, "sip:%s@host.example;x:y", user);
    check(uri, 1, user);
    snprintf(uri, sizeof uri, "sip:%s;npdi:x@host.example", user); /* ';' first */
    check(uri, 1, user);
    snprintf(uri, sizeof uri, "sip:%s:pw;x@host.example", user); /* ':' first */
    check(uri, 1, user);
    snprintf(uri, sizeof uri, "<sip:%s>@host.example", user); /* '>' ends it */
    check(uri, 0, user);
    snprintf(uri, sizeof uri, "<sip:%s;p>@host.example", user);
    check(uri, 0, user);
    snprintf(uri, sizeof uri, "tel:%s;phone-context=x", user);
    check(uri, 1, user);
  }
}

/* Every prefix of a URI: never reads past len, always a sane span. */
static void test_every_prefix(void **state)
{
  const char *uri = "<sips:+1555:pw;x@[2001:db8::1]:5061;transport=tls?h=v>";
  size_t n = strlen(uri);

  for (size_t len = 0; len <= n; len++) {
    char *buf = malloc(len ? len : 1);
    sipflow_span s;
    assert_non_null(buf);
    memcpy(buf, uri, len);
    int rc = sipflow_uri_user(buf, len, &s);
    assert_true(rc >= -1 && rc <= 1);
    if (rc >= 0)
      assert_true(s.ptr >= buf && s.len > 0 && s.ptr + s.len <= buf + len);
    free(buf);
  }
}

/* sf_uri_user_cstr (the calls table's reading of a NUL-terminated From
 * or To): the same return and span as sipflow_uri_user, on the forms of
 * its one-pass path and every one that leaves it, and on each prefix of
 * them (never past the NUL). */
static void test_cstr_same(void **state)
{
  static const char *const uris[] = {
    "sip:alice@atlanta.com", "sip:a@b", "sip:@host", "sip:", "sip", "si", "", "s",
    "sip:alice", "sip:alice;user=phone@h", "sip:alice?x@h", "sip:alice:pw@h",
    "sip:alice>@h", "sip:al>ice", "<sip:alice@h>", " sip:alice@h", "sips:bob@h",
    "SIP:carol@h", "tel:+15551234;npdi", "sip:+1555;rn=1@h", "sip:h.example.com:5060",
    "sip:[2001:db8::1]", "sip:\x1b[2J@h", "sip:d\xc3\xa9j\xc3\xa0@h", "sip:a@b@c",
    "sip::@h", "sip:;@h", "sip:?@h", "sip:a b@h",
  };
  for (size_t i = 0; i < sizeof uris / sizeof *uris; i++) {
    size_t n = strlen(uris[i]);
    for (size_t len = 0; len <= n; len++) {
      char *buf = malloc(len + 1); /* exact size: valgrind sees a read past it */
      assert_non_null(buf);
      memcpy(buf, uris[i], len);
      buf[len] = '\0';
      sipflow_span a, b;
      int ra = sipflow_uri_user(buf, len, &a), rb = sf_uri_user_cstr(buf, &b);
      if (ra != rb || a.ptr != b.ptr || a.len != b.len)
        fail_msg("\"%s\": %d %zu vs %d %zu", buf, ra, a.len, rb, b.len);
      free(buf);
    }
  }
  sipflow_span s;
  assert_int_equal(sf_uri_user_cstr(NULL, &s), -1);
  assert_null(s.ptr);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_user_part),
      cmocka_unit_test(test_tel),
      cmocka_unit_test(test_host_when_no_user),
      cmocka_unit_test(test_degenerate),
      cmocka_unit_test(test_long_user_parts),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_cstr_same),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
