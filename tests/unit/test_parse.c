/*
 * Unit tests for libsipflow/parse.c (zero-copy SIP parser).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every input is copied into a malloc'd buffer of exactly its length, so
 * AddressSanitizer catches any read past the end (the parser must never rely
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

#include "parse_fields.h"
#include "sf_internal.h"

typedef struct parsed {
  char *buf; /* exactly len bytes, no terminator */
  size_t len;
  int rc;
  const char *why;
  sipflow_message msg;
  size_t n_headers;
  sf_header headers[SF_PARSE_MAX_HEADERS];
  sf_header_marks marks;
} parsed;

static parsed *parse_n(const char *text, size_t len, bool stream, size_t capacity)
{
  parsed *p = calloc(1, sizeof *p);
  assert_non_null(p);
  p->len = len;
  p->buf = malloc(len ? len : 1);
  assert_non_null(p->buf);
  if (len)
    memcpy(p->buf, text, len);
  p->n_headers = capacity;
  p->rc = sf_parse_message(p->buf, len, stream, NULL, &p->msg, p->headers, &p->n_headers,
                           &p->marks, &p->why);
  return p;
}

static parsed *parse_udp(const char *text)
{
  return parse_n(text, strlen(text), false, SF_PARSE_MAX_HEADERS);
}

static void parsed_free(parsed *p)
{
  free(p->buf);
  free(p);
}

/* Compares a span with a C string; NULL expected means "absent". */
#define assert_span(sp, expected) check_span((sp), (expected), __FILE__, __LINE__)

static void check_span(sipflow_span sp, const char *expected, const char *file, int line)
{
  char got[2048];

  if (!expected) {
    if (sp.ptr) {
      snprintf(got, sizeof got, "%.*s", (int)sp.len, sp.ptr);
      print_error("%s:%d: expected absent span, got \"%s\"\n", file, line, got);
      fail();
    }
    return;
  }
  if (!sp.ptr) {
    print_error("%s:%d: expected \"%s\", got absent span\n", file, line, expected);
    fail();
  }
  assert_true(sp.len < sizeof got);
  memcpy(got, sp.ptr, sp.len);
  got[sp.len] = '\0';
  if (strlen(expected) != sp.len || memcmp(expected, sp.ptr, sp.len) != 0) {
    print_error("%s:%d: expected \"%s\", got \"%s\"\n", file, line, expected, got);
    fail();
  }
}

/* ------------------------------------------------------------- full INVITE */

static const char invite[] =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "User-Agent: softphone/1.0\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 10\r\n"
    "\r\n"
    "v=0\r\no=x\r\n";

static void test_invite_everything(void **state)
{
  parsed *p = parse_udp(invite);
  const sipflow_message *m = &p->msg;

  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_null(p->why);
  assert_ptr_equal(m->raw, p->buf);
  assert_int_equal(m->raw_len, p->len);
  assert_int_equal(m->is_request, 1);
  assert_span(m->method, "INVITE");
  assert_span(m->request_uri, "sip:bob@biloxi.example.com");
  assert_int_equal(m->status, 0);
  assert_span(m->reason, NULL);
  assert_span(m->call_id, "a84b4c76e66710@pc33.atlanta.example.com");
  assert_int_equal(m->cseq, 314159);
  assert_span(m->cseq_method, "INVITE");
  assert_span(m->from, "\"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774");
  assert_span(m->from_uri, "sip:alice@atlanta.example.com");
  assert_span(m->from_tag, "1928301774");
  assert_span(m->to, "Bob <sip:bob@biloxi.example.com>");
  assert_span(m->to_uri, "sip:bob@biloxi.example.com");
  assert_span(m->to_tag, NULL);
  assert_span(m->via,
              "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport");
  assert_span(m->via_transport, "UDP");
  assert_span(m->via_sent_by, "pc33.atlanta.example.com:5060");
  assert_span(m->branch, "z9hG4bK776asdhds");
  assert_span(m->via_received, NULL);
  assert_int_equal(m->via_rport, 0);
  assert_int_equal(m->via_count, 1);
  assert_int_equal(m->content_length, 10);
  assert_span(m->content_type, "application/sdp");
  assert_span(m->reason_header, NULL);
  assert_span(m->user_agent, "softphone/1.0");
  assert_span(m->server, NULL);
  assert_span(m->contact, "<sip:alice@pc33.atlanta.example.com>");
  assert_span(m->body, "v=0\r\no=x\r\n");
  assert_int_equal(m->transaction, 0);
  assert_null(m->internal_);

  assert_int_equal(p->n_headers, 10);
  assert_span(p->headers[0].name, "Via");
  assert_span(p->headers[1].name, "Max-Forwards");
  assert_span(p->headers[1].value, "70");
  assert_span(p->headers[9].name, "Content-Length");
  assert_span(p->headers[9].value, "10");
  parsed_free(p);
}

/* ------------------------------------------------------------- status line */

typedef struct status_case {
  const char *start_line;
  int status;
  const char *reason;
} status_case;

static void test_status_lines(void **state)
{
  static const status_case cases[] = {
      {"SIP/2.0 200 OK\r\n", 200, "OK"},
      {"SIP/2.0 486 Busy Here\r\n", 486, "Busy Here"},
      {"SIP/2.0 180 \r\n", 180, ""},    /* empty reason after the SP */
      {"SIP/2.0 180\r\n", 180, ""},     /* and without it */
      {"sip/2.0 100 Trying\r\n", 100, "Trying"}, /* §7.1: version is case-insensitive */
      {"SIP/2.0 603 D\xc3\xa9\x63lin\xc3\xa9\r\n", 603, "D\xc3\xa9\x63lin\xc3\xa9"},
      {"SIP/2.0 699 x  y \r\n", 699, "x  y "},
      {"SIP/2.0 404 Not Found\n", 404, "Not Found"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[512];
    snprintf(text, sizeof text,
             "%sServer: pbx\r\nReason: Q.850;cause=16\r\nCall-ID: c1\r\n"
             "CSeq: 2 BYE\r\n\r\n",
             cases[i].start_line);
    parsed *p = parse_udp(text);
    assert_int_equal(p->rc, SIPFLOW_OK);
    assert_int_equal(p->msg.is_request, 0);
    assert_int_equal(p->msg.status, cases[i].status);
    assert_span(p->msg.reason, cases[i].reason);
    assert_span(p->msg.method, NULL);
    assert_span(p->msg.request_uri, NULL);
    assert_span(p->msg.server, "pbx");
    assert_span(p->msg.reason_header, "Q.850;cause=16");
    assert_span(p->msg.cseq_method, "BYE");
    assert_int_equal(p->msg.cseq, 2);
    assert_span(p->msg.body, NULL);
    assert_int_equal(p->msg.raw_len, p->len);
    parsed_free(p);
  }
}

/* ----------------------------------------------------------- compact forms */

static void test_compact_forms(void **state)
{
  static const char text[] =
      "MESSAGE sip:b@x SIP/2.0\r\n"
      "v: SIP/2.0/TCP h1:5070;branch=z9hG4bKc\r\n"
      "i: compact-call\r\n"
      "f: <sip:a@x>;tag=fa\r\n"
      "t: <sip:b@x>;tag=tb\r\n"
      "m: <sip:a@h1>\r\n"
      "c: text/plain\r\n"
      "l: 2\r\n"
      "e: gzip\r\ns: hi\r\nk: 100rel\r\no: presence\r\nr: <sip:c@x>\r\n"
      "b: <sip:d@x>\r\nu: dialog\r\nx: 1800\r\ny: sig\r\na: *;audio\r\n"
      "j: *;video\r\nd: proxy\r\nn: <http://x/c>\r\n"
      "CSEQ: 7 MESSAGE\r\n"
      "\r\n"
      "hi";
  parsed *p = parse_udp(text);
  const sipflow_message *m = &p->msg;

  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_span(m->call_id, "compact-call");
  assert_span(m->from_uri, "sip:a@x");
  assert_span(m->from_tag, "fa");
  assert_span(m->to_uri, "sip:b@x");
  assert_span(m->to_tag, "tb");
  assert_span(m->via_transport, "TCP");
  assert_span(m->via_sent_by, "h1:5070");
  assert_span(m->branch, "z9hG4bKc");
  assert_int_equal(m->via_count, 1);
  assert_span(m->contact, "<sip:a@h1>");
  assert_span(m->content_type, "text/plain");
  assert_int_equal(m->content_length, 2);
  assert_span(m->body, "hi");
  assert_int_equal(m->cseq, 7);
  assert_span(m->cseq_method, "MESSAGE");

  /* Every compact letter is found by its long name, and vice versa. */
  static const struct { const char *lng, *shrt, *value; } names[] = {
      {"Content-Encoding", "e", "gzip"}, {"Subject", "s", "hi"},
      {"Supported", "k", "100rel"},      {"Event", "o", "presence"},
      {"Refer-To", "r", "<sip:c@x>"},    {"Referred-By", "b", "<sip:d@x>"},
      {"Allow-Events", "u", "dialog"},   {"Session-Expires", "x", "1800"},
      {"Identity", "y", "sig"},          {"Accept-Contact", "a", "*;audio"},
      {"Reject-Contact", "j", "*;video"}, {"Request-Disposition", "d", "proxy"},
      {"Identity-Info", "n", "<http://x/c>"}, {"Call-ID", "i", "compact-call"},
      {"Contact", "m", "<sip:a@h1>"},    {"Content-Length", "l", "2"},
      {"Content-Type", "c", "text/plain"}, {"From", "f", "<sip:a@x>;tag=fa"},
      {"To", "t", "<sip:b@x>;tag=tb"},   {"Via", "v", "SIP/2.0/TCP h1:5070;branch=z9hG4bKc"},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    sipflow_span v = {0};
    assert_true(sf_parse_find_header(p->headers, p->n_headers, names[i].lng, 0, &v));
    assert_span(v, names[i].value);
    v = (sipflow_span){0};
    assert_true(sf_parse_find_header(p->headers, p->n_headers, names[i].shrt, 0, &v));
    assert_span(v, names[i].value);
    assert_false(sf_parse_find_header(p->headers, p->n_headers, names[i].lng, 1, &v));
  }
  parsed_free(p);
}

static void test_compact_name_table(void **state)
{
  static const struct { char c; const char *name; } table[] = {
      {'a', "Accept-Contact"}, {'b', "Referred-By"}, {'c', "Content-Type"},
      {'d', "Request-Disposition"}, {'e', "Content-Encoding"}, {'f', "From"},
      {'i', "Call-ID"}, {'j', "Reject-Contact"}, {'k', "Supported"},
      {'l', "Content-Length"}, {'m', "Contact"}, {'n', "Identity-Info"},
      {'o', "Event"}, {'r', "Refer-To"}, {'s', "Subject"}, {'t', "To"},
      {'u', "Allow-Events"}, {'v', "Via"}, {'x', "Session-Expires"},
      {'y', "Identity"}, {'I', "Call-ID"}, {'V', "Via"},
      {'g', NULL}, {'h', NULL}, {'p', NULL}, {'q', NULL}, {'w', NULL}, {'z', NULL},
      {'1', NULL}, {':', NULL}, {'\0', NULL}, {(char)0xe9, NULL},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    const char *got = sf_parse_compact_name(table[i].c);
    if (table[i].name)
      assert_string_equal(got, table[i].name);
    else
      assert_null(got);
  }
}

/* ------------------------------------------------------------ header syntax */

/* RFC 3261 §25.1: HCOLON = *( SP / HTAB ) ":" SWS.  tshark 4.0 drops the
 * header in "CSeq : 1 ACK"; the RFC allows it, so we accept it. */
static void test_space_before_colon(void **state)
{
  parsed *p = parse_udp("ACK sip:b@x SIP/2.0\r\n"
                        "Call-ID\t: sp-call\r\n"
                        "CSeq : 1 ACK\r\n"
                        "To  :<sip:b@x>;tag=9\r\n"
                        "\r\n");
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_span(p->msg.call_id, "sp-call");
  assert_int_equal(p->msg.cseq, 1);
  assert_span(p->msg.cseq_method, "ACK");
  assert_span(p->msg.to_uri, "sip:b@x");
  assert_span(p->msg.to_tag, "9");
  assert_span(p->headers[1].name, "CSeq");
  assert_span(p->headers[1].value, "1 ACK");
  parsed_free(p);
}

/* RFC 3261 §7.3.1: a line starting with SP/HT continues the header above. */
static void test_folded_headers(void **state)
{
  parsed *p = parse_udp("BYE sip:b@x SIP/2.0\r\n"
                        "Via: SIP/2.0/UDP\r\n  10.0.0.1:5060\r\n\t;branch=z9hG4bKf;\r\n received=10.9.9.9\r\n"
                        "From: \"Alice\"\r\n <sip:alice@a>\r\n\t;tag=ftag\r\n"
                        "To:\r\n <sip:bob@b>;tag=ttag\r\n"
                        "Subject: one\r\n two  \r\n"
                        "Call-ID: fold-1\r\n"
                        "CSeq: 5\r\n BYE\r\n"
                        "\r\n");
  const sipflow_message *m = &p->msg;
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_span(m->via, "SIP/2.0/UDP\r\n  10.0.0.1:5060\r\n\t;branch=z9hG4bKf;\r\n received=10.9.9.9");
  assert_span(m->via_transport, "UDP");
  assert_span(m->via_sent_by, "10.0.0.1:5060");
  assert_span(m->branch, "z9hG4bKf");
  assert_span(m->via_received, "10.9.9.9");
  assert_span(m->from, "\"Alice\"\r\n <sip:alice@a>\r\n\t;tag=ftag");
  assert_span(m->from_uri, "sip:alice@a");
  assert_span(m->from_tag, "ftag");
  assert_span(m->to, "<sip:bob@b>;tag=ttag"); /* value starts on the folded line */
  assert_span(m->to_uri, "sip:bob@b");
  assert_span(m->to_tag, "ttag");
  assert_int_equal(m->cseq, 5);
  assert_span(m->cseq_method, "BYE");
  assert_int_equal(p->n_headers, 6);
  assert_span(p->headers[3].name, "Subject");
  assert_span(p->headers[3].value, "one\r\n two");
  parsed_free(p);
}

/* --------------------------------------------------------------------- Via */

static void test_via_count_and_top(void **state)
{
  parsed *p = parse_udp("SIP/2.0 200 OK\r\n"
                        "Via: SIP/2.0/UDP top.example;branch=z9hG4bK1;x=\"a,b\" , "
                        "SIP/2.0/TCP second;branch=z9hG4bK2\r\n"
                        "Via: SIP/2.0/UDP third;branch=z9hG4bK3\r\n"
                        "v: SIP/2.0/UDP fourth,SIP/2.0/UDP fifth,\r\n"
                        "Call-ID: v\r\nCSeq: 1 INVITE\r\n\r\n");
  const sipflow_message *m = &p->msg;
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_int_equal(m->via_count, 5);
  assert_span(m->via, "SIP/2.0/UDP top.example;branch=z9hG4bK1;x=\"a,b\"");
  assert_span(m->via_sent_by, "top.example");
  assert_span(m->branch, "z9hG4bK1");
  assert_int_equal(m->via_rport, -1);
  parsed_free(p);
}

typedef struct via_case {
  const char *via;
  const char *transport, *sent_by, *branch, *received;
  int rport;
} via_case;

static void test_via_params(void **state)
{
  static const via_case cases[] = {
      {"SIP/2.0/UDP 10.0.0.1:5060;rport=5061;received=192.0.2.1;branch=z9hG4bKa",
       "UDP", "10.0.0.1:5060", "z9hG4bKa", "192.0.2.1", 5061},
      {"SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bKb", "UDP", "10.0.0.1", "z9hG4bKb", NULL, 0},
      {"SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKc", "TLS", "[2001:db8::1]:5061",
       "z9hG4bKc", NULL, -1},
      {"SIP/2.0/UDP [2001:db8::2];received=2001:db8::9", "UDP", "[2001:db8::2]", NULL,
       "2001:db8::9", -1},
      {"SIP / 2.0 / TCP host.example : 5070 ; BRANCH = z9hG4bKd ; RPort = 7",
       "TCP", "host.example : 5070", "z9hG4bKd", NULL, 7},
      {"SIP/2.0/WSS df7jal23ls0d.invalid;branch=\"z9hG4bKq\";rport=abc", "WSS",
       "df7jal23ls0d.invalid", "z9hG4bKq", NULL, 0},
      {"SIP/2.0/SCTP h;rport=99999", "SCTP", "h", NULL, NULL, 0},
      {"SIP/2.0/UDP h;branch", "UDP", "h", NULL, NULL, -1},
      {"garbage", NULL, NULL, NULL, NULL, -1},
      {"SIP/2.0/UDP", "UDP", NULL, NULL, NULL, -1},
      {"SIP/2.0/UDP [::1", "UDP", NULL, NULL, NULL, -1},
      /* The one-compare "SIP/2.0/" path still takes LWS after the slash,
       * and in either case; ";branch=" first takes the same value. */
      {"SIP/2.0/ UDP h;branch=z9hG4bKe", "UDP", "h", "z9hG4bKe", NULL, -1},
      {"sip/2.0/udp h:1;branch=;rport", "udp", "h:1", "", NULL, 0},
      {"SIP/2.0/UDP h;branch= z9hG4bKf", "UDP", "h", "z9hG4bKf", NULL, -1},
      {"SIP/2.0/UDP h;branch=\"z9hG4bKg\";branch=x", "UDP", "h", "z9hG4bKg", NULL, -1},
      {"SIP/2.0/UDP h;branch=z9hG4bKh;rport", "UDP", "h", "z9hG4bKh", NULL, 0},
      {"SIP/2.0/UDP h;rport;rport=5", "UDP", "h", NULL, NULL, 0},
      {"SIP/2.0/UDP h;rportx=5;rport=6", "UDP", "h", NULL, NULL, 6},
      {"SIP/2.0/UDP h;rport ;received=r", "UDP", "h", NULL, "r", 0},
      {"SIP/2.0/UDP h;rport=65535", "UDP", "h", NULL, NULL, 65535},
      {"SIP/2.0/UDP h;rport=65536", "UDP", "h", NULL, NULL, 0},
      {"SIP/2.0/UDP h;rport=0065535", "UDP", "h", NULL, NULL, 65535},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[512];
    snprintf(text, sizeof text, "OPTIONS sip:x SIP/2.0\r\nVia: %s\r\n\r\n", cases[i].via);
    parsed *p = parse_udp(text);
    assert_int_equal(p->rc, SIPFLOW_OK);
    assert_span(p->msg.via, cases[i].via);
    assert_span(p->msg.via_transport, cases[i].transport);
    assert_span(p->msg.via_sent_by, cases[i].sent_by);
    assert_span(p->msg.branch, cases[i].branch);
    assert_span(p->msg.via_received, cases[i].received);
    assert_int_equal(p->msg.via_rport, cases[i].rport);
    assert_int_equal(p->msg.via_count, 1);
    parsed_free(p);
  }
}

/* ---------------------------------------------------------------- From/To */

typedef struct addr_case {
  const char *value, *uri, *tag;
} addr_case;

static void test_from_to(void **state)
{
  static const addr_case cases[] = {
      {"\"Alice <boss>\" <sip:alice@a.com>;tag=1", "sip:alice@a.com", "1"},
      {"\"A;b\" <sip:a@b>;tag=2", "sip:a@b", "2"},
      {"\"Esc \\\" <x>;\" <sip:e@x>;tag=3", "sip:e@x", "3"},
      {"sip:bob@b.com;tag=4", "sip:bob@b.com", "4"},
      {"sip:+1234@x;user=phone", "sip:+1234@x", NULL},
      {"<sip:c@d;tag=inner>", "sip:c@d;tag=inner", NULL},
      {"<sip:c@d;tag=inner>;tag=outer", "sip:c@d;tag=inner", "outer"},
      {"Bob <sip:bob@x>;TAG=5", "sip:bob@x", "5"},
      {"<sip:a@b>;tag=\"quoted\"", "sip:a@b", "quoted"},
      {"<sip:a@b> ; tag = 6", "sip:a@b", "6"},
      {"<sip:a@b>;foo=bar;tag=7;x", "sip:a@b", "7"},
      {"<sip:a@b>;tagx=1;xtag=2", "sip:a@b", NULL},
      {"Anonymous <sip:anonymous@anonymous.invalid>", "sip:anonymous@anonymous.invalid", NULL},
      {"<tel:+15551234>;tag=8", "tel:+15551234", "8"},
      {"<sip:unterminated@x;tag=9", "sip:unterminated@x;tag=9", NULL},
      {"\"unterminated <sip:a@b>;tag=1", NULL, NULL},
      {"<>;tag=10", NULL, "10"},
      /* ";tag=" right after the URI takes a shortcut; these take the
       * general path or must give what it gives. */
      {"<sip:a@b>;tag=;x", "sip:a@b", ""},
      {"<sip:a@b>;tag= 11", "sip:a@b", "11"},
      {"<sip:a@b>;tag=12 ;tag=13", "sip:a@b", "12"},
      {"<sip:a@b>;tag=14\t;x", "sip:a@b", "14"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[512];
    snprintf(text, sizeof text, "INVITE sip:x SIP/2.0\r\nFrom: %s\r\nTo: %s\r\n\r\n",
             cases[i].value, cases[i].value);
    parsed *p = parse_udp(text);
    assert_int_equal(p->rc, SIPFLOW_OK);
    assert_span(p->msg.from, cases[i].value);
    assert_span(p->msg.from_uri, cases[i].uri);
    assert_span(p->msg.from_tag, cases[i].tag);
    assert_span(p->msg.to, cases[i].value);
    assert_span(p->msg.to_uri, cases[i].uri);
    assert_span(p->msg.to_tag, cases[i].tag);
    parsed_free(p);
  }
}

/* ------------------------------------------------------------------- body */

typedef struct body_case {
  const char *content_length_line; /* "" for none */
  bool stream;
  long content_length;
  const char *body;
} body_case;

static void test_body_and_content_length(void **state)
{
  static const body_case cases[] = {
      {"Content-Length: 4\r\n", false, 4, "abcd"},      /* shorter: cut (§18.3) */
      {"Content-Length: 100\r\n", false, 100, "abcdefgh"}, /* longer: the rest */
      {"", false, -1, "abcdefgh"},                       /* missing: the rest */
      {"Content-Length: abc\r\n", false, -1, "abcdefgh"},
      {"Content-Length: 4x\r\n", false, -1, "abcdefgh"},
      {"Content-Length: -4\r\n", false, -1, "abcdefgh"},
      {"Content-Length: 99999999999999999999\r\n", false, -1, "abcdefgh"},
      /* the limit 2^31 - 1 exactly, one above it, and leading zeros */
      {"Content-Length: 2147483647\r\n", false, 2147483647L, "abcdefgh"},
      {"Content-Length: 2147483648\r\n", false, -1, "abcdefgh"},
      {"Content-Length: 0000000000000000000000002\r\n", false, 2, "ab"},
      {"Content-Length:   8  \r\n", false, 8, "abcdefgh"},
      {"Content-Length: 0\r\n", false, 0, NULL},
      {"l: 3\r\n", false, 3, "abc"},
      {"Content-Length: 4\r\n", true, 4, "abcdefgh"},    /* stream: framer cut it */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[256];
    int head = snprintf(text, sizeof text,
                        "MESSAGE sip:x SIP/2.0\r\nCall-ID: b\r\nCSeq: 1 MESSAGE\r\n%s\r\n",
                        cases[i].content_length_line);
    snprintf(text + head, sizeof text - (size_t)head, "abcdefgh");
    parsed *p = parse_n(text, strlen(text), cases[i].stream, SF_PARSE_MAX_HEADERS);
    assert_int_equal(p->rc, SIPFLOW_OK);
    assert_int_equal(p->msg.content_length, cases[i].content_length);
    assert_span(p->msg.body, cases[i].body);
    size_t body_len = cases[i].body ? strlen(cases[i].body) : 0;
    assert_int_equal(p->msg.raw_len, (size_t)head + body_len);
    if (cases[i].body)
      assert_ptr_equal(p->msg.body.ptr, p->buf + head);
    parsed_free(p);
  }
}

static void test_lf_only(void **state)
{
  parsed *p = parse_udp("REGISTER sip:reg.example SIP/2.0\n"
                        "Via: SIP/2.0/UDP h:5060;branch=z9hG4bKlf\n"
                        "Call-ID: lf-only\n"
                        "CSeq: 9 REGISTER\n"
                        "Subject: folded\n more\n"
                        "Content-Length: 3\n"
                        "\n"
                        "xyzEXTRA");
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_span(p->msg.method, "REGISTER");
  assert_span(p->msg.request_uri, "sip:reg.example");
  assert_span(p->msg.call_id, "lf-only");
  assert_span(p->msg.branch, "z9hG4bKlf");
  assert_span(p->headers[3].value, "folded\n more");
  assert_span(p->msg.body, "xyz");
  assert_int_equal(p->msg.raw_len, p->len - 5);
  parsed_free(p);
}

/* A datagram may end right after its last header line (or even inside it). */
static void test_no_empty_line(void **state)
{
  static const char *const texts[] = {
      "OPTIONS sip:x SIP/2.0\r\nCall-ID: ne\r\nCSeq: 1 OPTIONS\r\n",
      "OPTIONS sip:x SIP/2.0\r\nCall-ID: ne\r\nCSeq: 1 OPTIONS",
      "OPTIONS sip:x SIP/2.0\r\nCall-ID: ne\r\nCSeq: 1 OPTIONS\r",
      "OPTIONS sip:x SIP/2.0\nCall-ID: ne\nCSeq: 1 OPTIONS\n",
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    parsed *p = parse_udp(texts[i]);
    assert_int_equal(p->rc, SIPFLOW_OK);
    assert_span(p->msg.call_id, "ne");
    assert_span(p->msg.cseq_method, "OPTIONS");
    assert_span(p->msg.body, NULL);
    assert_int_equal(p->msg.raw_len, p->len);
    assert_int_equal(p->n_headers, 2);
    parsed_free(p);
  }
}

/* ------------------------------------------------------------- malformed */

typedef struct bad_case {
  const char *text;
  size_t len; /* 0: strlen(text) */
} bad_case;

static void test_malformed(void **state)
{
  static const bad_case cases[] = {
      {"HTTP/1.1 200 OK\r\n\r\n", 0},
      {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
      {"SIP/2.0 abc Bad\r\n\r\n", 0},
      {"SIP/2.0 2000 OK\r\n\r\n", 0},
      {"SIP/2.0 099 Low\r\n\r\n", 0},
      {"SIP/2.0 700 High\r\n\r\n", 0},
      {"SIP/2.0  200 OK\r\n\r\n", 0},
      {"SIP/2.0\r\n\r\n", 0},
      {"", 0},
      {"\r\n\r\n", 0},
      {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11},
      {"\0\0\0\0INVITE sip:x SIP/2.0\r\n", 26},
      {"INVITE sip:x SIP/3.0\r\n\r\n", 0},
      {"INVITE sip:x SIP/2.0 \r\n\r\n", 0},
      {"INVITE  sip:x SIP/2.0\r\n\r\n", 0},
      {"INVITE sip:x\r\n\r\n", 0},
      {"INVITE\r\n\r\n", 0},
      {"INV(TE sip:x SIP/2.0\r\n\r\n", 0},
      {"INVITE sip:x SIP/2.0\r\nCall-ID abc\r\n\r\n", 0},   /* no colon */
      {"INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nno colon here\r\n\r\n", 0},
      {"INVITE sip:x SIP/2.0\r\nBad Header: x\r\n\r\n", 0},
      {"INVITE sip:x SIP/2.0\r\n: empty name\r\n\r\n", 0},
      {"INVITE sip:x SIP/2.0\r\n folded first\r\n\r\n", 0},
      {"INVITE sip:x SIP/2.0\r\nCall-ID", 0},
      {"INVITE sip:x SIP/2.0\r\nX\r\r\n\r\n", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
    parsed *p = parse_n(cases[i].text, len, false, SF_PARSE_MAX_HEADERS);
    if (p->rc != SIPFLOW_ERR_MALFORMED)
      print_error("case %zu accepted\n", i);
    assert_int_equal(p->rc, SIPFLOW_ERR_MALFORMED);
    assert_non_null(p->why);
    assert_true(strlen(p->why) > 0);
    parsed_free(p);
  }
}

static void test_why_texts(void **state)
{
  parsed *p = parse_udp("HTTP/1.1 200 OK\r\n\r\n");
  assert_string_equal(p->why, "bad request line");
  parsed_free(p);
  p = parse_udp("SIP/2.0 abc\r\n\r\n");
  assert_string_equal(p->why, "bad status line");
  parsed_free(p);
  p = parse_udp("INVITE sip:x SIP/2.0\r\nCall-ID abc\r\n\r\n");
  assert_string_equal(p->why, "header line without a colon");
  parsed_free(p);
  p = parse_udp("");
  assert_string_equal(p->why, "empty message");
  parsed_free(p);
}

/* ------------------------------------------------- missing / bad key fields */

typedef struct cseq_case {
  const char *value;
  uint32_t cseq;
  const char *method;
} cseq_case;

static void test_missing_call_id_and_cseq(void **state)
{
  parsed *p = parse_udp("BYE sip:x SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\n\r\n");
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_span(p->msg.call_id, NULL);
  assert_span(p->msg.cseq_method, NULL);
  assert_int_equal(p->msg.cseq, 0);
  assert_span(p->msg.via, NULL);
  assert_int_equal(p->msg.via_count, 0);
  assert_int_equal(p->msg.via_rport, -1);
  assert_int_equal(p->msg.content_length, -1);
  parsed_free(p);

  static const cseq_case cases[] = {
      {"abc INVITE", 0, NULL},
      {"4294967296 INVITE", 0, NULL},   /* does not fit 32 bits */
      {"4294967295 INVITE", 4294967295u, "INVITE"},
      {"1", 0, NULL},
      {"1 ", 0, NULL},
      {"1INVITE", 0, NULL},
      {"", 0, NULL},
      {"00042   PRACK", 42, "PRACK"},
      {"-1 BYE", 0, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "BYE sip:x SIP/2.0\r\nCall-ID: c\r\nCSeq: %s\r\n"
             "CSeq: 2 BYE\r\n\r\n", cases[i].value);
    p = parse_udp(text);
    assert_int_equal(p->rc, SIPFLOW_OK);
    assert_span(p->msg.call_id, "c");
    assert_int_equal(p->msg.cseq, cases[i].cseq);
    assert_span(p->msg.cseq_method, cases[i].method); /* first CSeq only */
    parsed_free(p);
  }
}

/* Empty key header values must not confuse the field parsers. */
static void test_empty_key_values(void **state)
{
  parsed *p = parse_udp("INVITE sip:x SIP/2.0\r\nVia:\r\nFrom:\r\nTo: \r\nCSeq:\r\n"
                        "Call-ID:\r\nContent-Length:\r\nContact:\r\n\r\nbody");
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_int_equal(p->msg.via_count, 0);
  assert_span(p->msg.via, NULL);
  assert_span(p->msg.from, "");
  assert_span(p->msg.from_uri, NULL);
  assert_span(p->msg.to_tag, NULL);
  assert_span(p->msg.cseq_method, NULL);
  assert_span(p->msg.call_id, NULL); /* empty Call-ID counts as missing */
  assert_int_equal(p->msg.content_length, -1);
  assert_span(p->msg.contact, "");
  assert_span(p->msg.body, "body");
  assert_int_equal(p->n_headers, 7);
  parsed_free(p);
}

/* ------------------------------------------------------- header capacity */

static void test_more_headers_than_capacity(void **state)
{
  GString *s = g_string_new("NOTIFY sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK0\r\n");
  for (int i = 0; i < 600; i++)
    g_string_append_printf(s, "X-H%d: %d\r\n", i, i);
  g_string_append(s, "Via: SIP/2.0/UDP late\r\nCall-ID: at-the-end\r\nCSeq: 3 NOTIFY\r\n"
                     "Content-Length: 1\r\n\r\nzz");
  parsed *p = parse_n(s->str, s->len, false, SF_PARSE_MAX_HEADERS);
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_int_equal(p->n_headers, SF_PARSE_MAX_HEADERS);
  assert_span(p->msg.call_id, "at-the-end");
  assert_span(p->msg.cseq_method, "NOTIFY");
  assert_int_equal(p->msg.via_count, 2);
  assert_span(p->msg.branch, "z9hG4bK0");
  assert_span(p->msg.body, "z");
  assert_span(p->headers[SF_PARSE_MAX_HEADERS - 1].name, "X-H510");
  parsed_free(p);

  /* A small caller array, and none at all. */
  p = parse_n(s->str, s->len, false, 3);
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_int_equal(p->n_headers, 3);
  assert_span(p->headers[2].name, "X-H1");
  assert_span(p->msg.call_id, "at-the-end");
  parsed_free(p);

  sipflow_message msg;
  size_t n = 0;
  const char *why = "unchanged";
  assert_int_equal(sf_parse_message(s->str, s->len, false, NULL, &msg, NULL, &n, NULL, &why), SIPFLOW_OK);
  assert_int_equal(n, 0);
  assert_null(why);
  assert_span(msg.call_id, "at-the-end");
  g_string_free(s, TRUE);
}

/* ------------------------------------------------------------ header marks */

/* The leg-linking headers the parser notes: the first of each, any case,
 * whichever path (common spelling or not) read the name. */
static void test_header_marks(void **state)
{
  static const char text[] = "INVITE sip:b@h SIP/2.0\r\n"
                             "Call-ID: c1\r\n"
                             "CSeq: 1 INVITE\r\n"
                             "x-call-id:  leg-a \r\n"
                             "X-Call-ID: leg-b\r\n"
                             "X-CID: cid-a\r\n"
                             "SESSION-ID: ab;remote=cd\r\n"
                             "Session-ID: second\r\n"
                             "Session-Expires: 90\r\n"
                             "\r\n";
  (void)state;
  parsed *p = parse_udp(text);
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_true(p->marks.have_x_call_id);
  assert_span(p->marks.x_call_id, "leg-a");
  assert_true(p->marks.have_x_cid);
  assert_span(p->marks.x_cid, "cid-a");
  assert_true(p->marks.have_session_id);
  assert_span(p->marks.session_id, "ab;remote=cd");
  parsed_free(p);

  /* None of them; names that only look alike are not taken. */
  p = parse_udp("INVITE sip:b@h SIP/2.0\r\nCall-ID: c1\r\nX-CIDS: 1\r\n"
                "X-Call-IDs: 2\r\nSession-IX: 3\r\n\r\n");
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_false(p->marks.have_x_call_id);
  assert_false(p->marks.have_x_cid);
  assert_false(p->marks.have_session_id);
  parsed_free(p);

  /* Past the caller's array: present, but no span (not in the array). */
  p = parse_n(text, sizeof text - 1, false, 3);
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_true(p->marks.have_x_call_id);
  assert_span(p->marks.x_call_id, "leg-a");
  assert_true(p->marks.have_x_cid);
  assert_null(p->marks.x_cid.ptr);
  assert_true(p->marks.have_session_id);
  assert_null(p->marks.session_id.ptr);
  parsed_free(p);
}

/* ------------------------------------------------------------ find header */

static void test_find_header(void **state)
{
  parsed *p = parse_udp("SIP/2.0 180 Ringing\r\n"
                        "Via: SIP/2.0/UDP a\r\n"
                        "v: SIP/2.0/UDP b\r\n"
                        "VIA: SIP/2.0/UDP c\r\n"
                        "X-Custom: one\r\n"
                        "x-custom: two\r\n"
                        "i: id\r\n\r\n");
  sipflow_span v;
  static const struct { const char *name; unsigned index; const char *value; } cases[] = {
      {"Via", 0, "SIP/2.0/UDP a"}, {"via", 1, "SIP/2.0/UDP b"}, {"v", 2, "SIP/2.0/UDP c"},
      {"V", 0, "SIP/2.0/UDP a"},   {"Via", 3, NULL},             {"X-Custom", 1, "two"},
      {"X-CUSTOM", 0, "one"},      {"Call-ID", 0, "id"},         {"call-id", 0, "id"},
      {"i", 0, "id"},              {"Call-Id", 1, NULL},         {"To", 0, NULL},
      {"X", 0, NULL},              {"Vi", 0, NULL},              {"", 0, NULL},
  };
  assert_int_equal(p->rc, SIPFLOW_OK);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    v = (sipflow_span){0};
    bool found = sf_parse_find_header(p->headers, p->n_headers, cases[i].name,
                                      cases[i].index, &v);
    assert_int_equal(found, cases[i].value != NULL);
    assert_span(v, cases[i].value);
  }
  assert_false(sf_parse_find_header(NULL, 0, "Via", 0, &v));
  assert_false(sf_parse_find_header(p->headers, p->n_headers, NULL, 0, &v));
  parsed_free(p);
}

/* ------------------------------------------------------------ robustness */

static bool span_inside(sipflow_span sp, const char *buf, size_t len)
{
  if (!sp.ptr)
    return sp.len == 0;
  return sp.ptr >= buf && sp.ptr + sp.len <= buf + len;
}

static void check_spans_inside(const parsed *p)
{
  const sipflow_message *m = &p->msg;
  const sipflow_span spans[] = {
      m->method, m->request_uri, m->reason, m->call_id, m->cseq_method, m->from,
      m->from_uri, m->from_tag, m->to, m->to_uri, m->to_tag, m->via, m->via_transport,
      m->via_sent_by, m->branch, m->via_received, m->content_type, m->reason_header,
      m->user_agent, m->server, m->contact, m->body,
  };
  for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++)
    assert_true(span_inside(spans[i], p->buf, p->len));
  for (size_t i = 0; i < p->n_headers; i++) {
    assert_true(span_inside(p->headers[i].name, p->buf, p->len));
    assert_true(span_inside(p->headers[i].value, p->buf, p->len));
  }
  assert_true(m->raw_len <= p->len);
}

/* Every prefix of valid messages, each alone in an exact-size heap buffer:
 * the result is OK or MALFORMED, never an over-read (ASan) or a span outside
 * the buffer. */
static void test_every_truncation_point(void **state)
{
  static const char folded_lf[] =
      "SIP/2.0 200 OK\n"
      "Via: SIP/2.0/TCP [2001:db8::1]:5060;branch=\"z9hG4bK,x\";rport=1, SIP/2.0/UDP b\n"
      "f: \"A \\\"<;\" <sip:a@b;tag=in>\n ;tag=out\n"
      "t: sip:b@c;tag=t\n"
      "CSeq : 12\n\tINVITE\n"
      "i: x\n"
      "l: 4\n"
      "\n"
      "body";
  const char *const texts[] = {invite, folded_lf};
  unsigned ok = 0, bad = 0;

  for (size_t t = 0; t < 2; t++) {
    size_t full = strlen(texts[t]);
    for (size_t len = 0; len <= full; len++) {
      for (int stream = 0; stream < 2; stream++) {
        parsed *p = parse_n(texts[t], len, stream, SF_PARSE_MAX_HEADERS);
        assert_true(p->rc == SIPFLOW_OK || p->rc == SIPFLOW_ERR_MALFORMED);
        if (p->rc == SIPFLOW_OK) {
          check_spans_inside(p);
          ok++;
        } else {
          assert_non_null(p->why);
          bad++;
        }
        parsed_free(p);
      }
    }
    /* The whole message parses. */
    parsed *p = parse_n(texts[t], full, false, SF_PARSE_MAX_HEADERS);
    assert_int_equal(p->rc, SIPFLOW_OK);
    parsed_free(p);
  }
  assert_true(ok > 0 && bad > 0);
}

static void test_nul_bytes_in_values(void **state)
{
  static const char text[] = "INVITE sip:x SIP/2.0\r\n"
                             "Call-ID: ab\0cd\r\n"
                             "From: <sip:a\0@b>;tag=t\0g\r\n"
                             "Via: SIP/2.0/UDP h\0st;branch=z\0\r\n"
                             "Subject: \0\0\0\r\n"
                             "CSeq: 1 INVITE\r\n\r\n\0body";
  parsed *p = parse_n(text, sizeof text - 1, false, SF_PARSE_MAX_HEADERS);
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_int_equal(p->msg.call_id.len, 5);
  assert_memory_equal(p->msg.call_id.ptr, "ab\0cd", 5);
  assert_int_equal(p->msg.from_uri.len, 8);
  assert_int_equal(p->msg.from_tag.len, 3);
  assert_int_equal(p->msg.via_sent_by.len, 4);
  assert_int_equal(p->msg.branch.len, 2);
  assert_int_equal(p->headers[3].value.len, 3);
  assert_int_equal(p->msg.body.len, 5);
  assert_span(p->msg.cseq_method, "INVITE");
  check_spans_inside(p);
  parsed_free(p);

  /* A NUL inside a header name is not a token: malformed, not a crash. */
  static const char bad[] = "INVITE sip:x SIP/2.0\r\nCall\0ID: x\r\n\r\n";
  p = parse_n(bad, sizeof bad - 1, false, SF_PARSE_MAX_HEADERS);
  assert_int_equal(p->rc, SIPFLOW_ERR_MALFORMED);
  parsed_free(p);
}

/* A request line without any header and without CRLF is a (tiny) message. */
static void test_start_line_only(void **state)
{
  parsed *p = parse_udp("OPTIONS sip:x SIP/2.0");
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_span(p->msg.method, "OPTIONS");
  assert_int_equal(p->n_headers, 0);
  assert_int_equal(p->msg.raw_len, p->len);
  parsed_free(p);

  /* Methods are any RFC 3261 token, not only the known ones. */
  p = parse_udp("X-My.Method!%*_+`'~ sips:y;transport=tcp SIP/2.0\r\n\r\n");
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_span(p->msg.method, "X-My.Method!%*_+`'~");
  assert_span(p->msg.request_uri, "sips:y;transport=tcp");
  parsed_free(p);
}

/* A buffer that ends right after a known header name and its colon, with
 * nothing after: the longest known name plus ':' is 16 bytes, all the
 * buffer holds from there, so the byte after the colon does not exist and
 * must not be looked at (the buffer is exactly this long: ASan sees any
 * read past it).  The value is the empty span at the end. */
static void test_ends_after_known_name(void **state)
{
  (void)state;
  static const char *const names[] = {"Session-Expires:", "Content-Length:", "Via:"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char text[128];
    snprintf(text, sizeof text, "OPTIONS sip:x SIP/2.0\r\nCall-ID: c\r\n%s", names[i]);
    parsed *p = parse_udp(text);
    assert_int_equal(p->rc, SIPFLOW_OK);
    assert_int_equal(p->n_headers, 2);
    assert_int_equal(p->headers[1].name.len, strlen(names[i]) - 1);
    assert_ptr_equal(p->headers[1].value.ptr, p->buf + p->len);
    assert_int_equal(p->headers[1].value.len, 0);
    assert_span(p->msg.call_id, "c");
    assert_int_equal(p->msg.raw_len, p->len);
    parsed_free(p);
  }
}

/* The framer's reading of the start line (sf_framer_start_line) is handed
 * to the parser so that it does not read the line again: parsing with it
 * must give exactly what parsing without it gives, including the errors,
 * and it is filled only for the CRLF-ended forms it describes. */
static void test_start_line_from_framer(void **state)
{
  (void)state;
  static const struct {
    const char *text;
    bool hinted;
  } cases[] = {
      {"INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\n\r\n", true},
      {"REGISTER sip:example.com SIP/2.0\r\nCall-ID: a\r\n\r\n", true},
      {"x-Ext.1 sip:a sip/2.0\r\nCall-ID: a\r\n\r\n", true},
      {"SIP/2.0 200 OK\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\n\r\n", true},
      {"sip/2.0 486 Busy Here\r\nCall-ID: a\r\n\r\n", true},
      {"SIP/2.0 180 \r\nCall-ID: a\r\n\r\n", true},
      {"SIP/2.0 099 Too low\r\nCall-ID: a\r\n\r\n", true},
      {"SIP/2.0 700 Too high\r\nCall-ID: a\r\n\r\n", true},
      {"SIP/2.0 200 OK\r\nbad header\r\n\r\n", true},
      /* forms the framer takes but does not describe: the parser reads them */
      {"INVITE sip:bob@example.com SIP/2.0\nCall-ID: a\n\n", false},
      {"INVITE sip:bob@example.com SIP/2.0  \r\nCall-ID: a\r\n\r\n", false},
      {"SIP/2.0 200 OK\nCall-ID: a\n\n", false},
      {"SIP/2.0 200\r\nCall-ID: a\r\n\r\n", false},
      {"SIP/2.0 200 OK\r", false},
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len = strlen(cases[i].text);
    char *buf = malloc(len);
    assert_non_null(buf);
    memcpy(buf, cases[i].text, len);
    sf_start_line start;
    int r = sf_framer_start_line(buf, len, &start);
    assert_int_equal(start.next != 0, cases[i].hinted);
    if (r != 1)
      assert_int_equal(start.next, 0);

    sipflow_message a, b;
    const char *why_a = NULL, *why_b = NULL;
    size_t na = SF_PARSE_MAX_HEADERS, nb = SF_PARSE_MAX_HEADERS;
    static sf_header ha[SF_PARSE_MAX_HEADERS], hb[SF_PARSE_MAX_HEADERS];
    int rc_a = sf_parse_message(buf, len, false, NULL, &a, ha, &na, NULL, &why_a);
    int rc_b = sf_parse_message(buf, len, false, &start, &b, hb, &nb, NULL, &why_b);
    assert_int_equal(rc_a, rc_b);
    assert_ptr_equal(why_a, why_b);
    assert_int_equal(na, nb);
    assert_memory_equal(ha, hb, na * sizeof ha[0]);
    assert_memory_equal(&a, &b, sizeof a);
    free(buf);
  }
}

/* The usual top Via is read in one pass (parse_fields.c, top_via_usual);
 * anything else takes the general path.  A value
 * with no ',' or '"' must come out the same either way: "Via: X," always
 * takes the general path (the comma is left over, or lies in the sent-by
 * or branch that the one-pass path checks), with X as its first via-parm.
 * Values where a ',' or '"' hides in the parts the one pass reads must
 * split where the general path splits. */
static void via_fields_equal(const sipflow_message *a, const sipflow_message *b)
{
  const sipflow_span *sa[] = {&a->via, &a->via_transport, &a->via_sent_by, &a->branch,
                              &a->via_received};
  const sipflow_span *sb[] = {&b->via, &b->via_transport, &b->via_sent_by, &b->branch,
                              &b->via_received};
  for (size_t k = 0; k < sizeof sa / sizeof sa[0]; k++) {
    assert_int_equal(sa[k]->len, sb[k]->len);
    assert_true((sa[k]->ptr == NULL) == (sb[k]->ptr == NULL));
    if (sa[k]->ptr)
      assert_memory_equal(sa[k]->ptr, sb[k]->ptr, sa[k]->len);
  }
  assert_int_equal(a->via_rport, b->via_rport);
}

static void test_via_one_pass_same_as_general(void **state)
{
  (void)state;
  static const char *const plain[] = {
      "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1;rport",
      "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/TCP h;rport",
      "SIP/2.0/UDP h",
      "SIP/2.0/UDP h:",
      "SIP/2.0/UDP h:x;branch=b",
      "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKv6;rport",
      "SIP/2.0/UDP [2001:db8::1;branch=z9hG4bKv6",
      "SIP/2.0/UDP ;branch=z9hG4bKnohost",
      "SIP/2.0/UDP h;branch=b;rport;received=1.2.3.4",
      "SIP/2.0/UDP h;branch=b;rport=7",
      "SIP/2.0/UDP h;rport;branch=b",
      "SIP/2.0/UDP h ; branch=b",
      "SIP/2.0/UDP h;branch=;rport",
      "SIP / 2.0 / UDP h:5060;branch=b",
      "sip/2.0/udp H:1;BRANCH=b",
      "SIP/2.0/ h;branch=b",
      "SIP/2.0/UDP",
      "junk",
      /* near misses of the usual shape, long enough for its 16-byte scans */
      "SIP/2.0/UDP\t10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP  10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP 10.1.70.135\x01x:5060;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP 10.1.70.135:5060x;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP 10.1.70.135: 5060;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8c\x01" "faeb79bc1;rport",
      "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1;rportx",
      "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1;rport;",
      "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1;rport=5",
      "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1;x;rport",
      "SIP/2.0/UDP 10.1.70.135:5060;Branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP/X 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP h;branch=b",
      "SIP/2.0/UDP h:0123456789012;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP h:50\xb0" "60;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP h:50/60;branch=z9hG4bK5e09f8cfaeb79bc1",
      "SIP/2.0/UDP h:5060:;branch=z9hG4bK5e09f8cfaeb79bc1",
  };
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
    char one[512], general[512];
    snprintf(one, sizeof one, "OPTIONS sip:x SIP/2.0\r\nVia: %s\r\n\r\n", plain[i]);
    snprintf(general, sizeof general, "OPTIONS sip:x SIP/2.0\r\nVia: %s,\r\n\r\n",
             plain[i]);
    parsed *a = parse_udp(one), *b = parse_udp(general);
    assert_int_equal(a->rc, SIPFLOW_OK);
    assert_int_equal(b->rc, SIPFLOW_OK);
    via_fields_equal(&a->msg, &b->msg);
    assert_int_equal(a->msg.via_count, b->msg.via_count);
    parsed_free(a);
    parsed_free(b);
  }

  static const struct {
    const char *via;
    const char *top, *sent_by, *branch;
    unsigned count;
  } split[] = {
      {"SIP/2.0/UDP h;branch=a,SIP/2.0/UDP g;branch=c", "SIP/2.0/UDP h;branch=a", "h", "a", 2},
      {"SIP/2.0/UDP h;branch=a\"b", "SIP/2.0/UDP h;branch=a\"b", "h", "a\"b", 1},
      {"SIP/2.0/UDP h\"q;branch=a", "SIP/2.0/UDP h\"q;branch=a", "h\"q", "a", 1},
      /* the sent-by scan stops at the comma inside the quotes, and the
       * parameter loop then takes the second quote as an opening one */
      {"SIP/2.0/UDP h\",\";branch=a", "SIP/2.0/UDP h\",\";branch=a", "h\"", NULL, 1},
      {"SIP/2.0/UDP h,SIP/2.0/UDP g", "SIP/2.0/UDP h", "h", NULL, 2},
      {"SIP/2.0/UDP [::1,SIP/2.0/UDP g", "SIP/2.0/UDP [::1", NULL, NULL, 2},
      {"SIP/2.0/UDP [::1],SIP/2.0/UDP g;branch=x", "SIP/2.0/UDP [::1]", "[::1]", NULL, 2},
      {"SIP/2.0/UDP h;branch=a;rport,SIP/2.0/UDP g", "SIP/2.0/UDP h;branch=a;rport", "h", "a",
       2},
  };
  for (size_t i = 0; i < sizeof split / sizeof split[0]; i++) {
    char text[512];
    snprintf(text, sizeof text, "OPTIONS sip:x SIP/2.0\r\nVia: %s\r\n\r\n", split[i].via);
    parsed *p = parse_udp(text);
    assert_int_equal(p->rc, SIPFLOW_OK);
    assert_span(p->msg.via, split[i].top);
    assert_span(p->msg.via_sent_by, split[i].sent_by);
    assert_span(p->msg.branch, split[i].branch);
    assert_int_equal(p->msg.via_count, split[i].count);
    parsed_free(p);
  }
}

/* From / To in their usual spellings are read by a short path
 * (parse_fields.c, name_addr_usual); a leading blank sends the same value
 * down the general one, which must find the same URI and tag.  Each value
 * is copied into a buffer of its exact length (ASan: no read past it). */
static void name_addr_both(const char *v)
{
  size_t n = strlen(v);
  char *a = malloc(n + 1), *b = malloc(n + 1);
  assert_non_null(a);
  assert_non_null(b);
  memcpy(a, v, n);
  b[0] = ' ';
  memcpy(b + 1, v, n);
  sipflow_span ua = {NULL, 0}, ta = {NULL, 0}, ub = {NULL, 0}, tb = {NULL, 0};
  sf_parse_name_addr(a, a + n, &ua, &ta);
  sf_parse_name_addr(b, b + n + 1, &ub, &tb);
  const sipflow_span *x[] = {&ua, &ta}, *y[] = {&ub, &tb};
  for (size_t k = 0; k < 2; k++) {
    assert_int_equal(x[k]->len, y[k]->len);
    assert_true((x[k]->ptr == NULL) == (y[k]->ptr == NULL));
    if (x[k]->ptr)
      assert_int_equal(x[k]->ptr - a, y[k]->ptr - (b + 1));
  }
  free(a);
  free(b);
}

static void test_name_addr_usual_same_as_general(void **state)
{
  (void)state;
  static const char *const values[] = {
      "<sip:+12850582444@sbc.example.net>",
      "<sip:+12850582444@sbc.example.net>;tag=d116000b",
      "\"+12597628665\" <sip:+12597628665@sbc.example.net>;tag=6db4c5dd",
      "\"A \\\"q\\\" <x>\" <sip:a@b>;tag=t",
      "\"A\"<sip:a@b>;tag=t",
      "\"A\"  <sip:a@b>;tag=t",
      "\"A\" sip:a@b;tag=t",
      "\"unterminated <sip:a@b>",
      "Bob <sip:b@c>;tag=t",
      "<sip:a@b>;tag=",
      "<sip:a@b>;tag=\"q\"",
      "<sip:a@b>;tag= t",
      "<sip:a@b>;tag=t;x=1",
      "<sip:a@b>;x=1;tag=t",
      "<sip:a@b>;TAG=t",
      "<sip:a@b> ;tag=t",
      "<sip:a@b",
      "<>",
      "< sip:a@b>",
      "<sip:a@b >;tag=t",
      "<sip:a@b;tag=u>;tag=t",
      "<sip:a@b>>;tag=t",
      "sip:a@b;tag=t",
      "<sip:averyveryveryveryverylonguser@averyveryveryverylonghost.example>;tag=0123456789abcdef0123",
      "",
      "\"",
      "\"\" <sip:a@b>",
  };
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    name_addr_both(values[i]);
}

/* The key header lines in their usual spelling are read while their end is
 * found (parse.c take_key_line, parse_fields.c *_line); a compact or
 * lower-case name sends the same value down the usual path (line end
 * first, then the value).  Both must fill the same fields with the same
 * bytes, whatever follows the value. */
static void span_same(sipflow_span a, sipflow_span b)
{
  assert_int_equal(a.len, b.len);
  assert_true((a.ptr == NULL) == (b.ptr == NULL));
  if (a.ptr)
    assert_memory_equal(a.ptr, b.ptr, a.len);
}

static void messages_same(const sipflow_message *a, const sipflow_message *b)
{
  const sipflow_span sa[] = {a->call_id,      a->cseq_method, a->from,        a->from_uri,
                             a->from_tag,     a->to,          a->to_uri,      a->to_tag,
                             a->via,          a->via_transport, a->via_sent_by, a->branch,
                             a->via_received, a->content_type, a->user_agent, a->server,
                             a->contact,      a->reason_header};
  const sipflow_span sb[] = {b->call_id,      b->cseq_method, b->from,        b->from_uri,
                             b->from_tag,     b->to,          b->to_uri,      b->to_tag,
                             b->via,          b->via_transport, b->via_sent_by, b->branch,
                             b->via_received, b->content_type, b->user_agent, b->server,
                             b->contact,      b->reason_header};
  for (size_t k = 0; k < sizeof sa / sizeof sa[0]; k++)
    span_same(sa[k], sb[k]);
  assert_int_equal(a->cseq, b->cseq);
  assert_int_equal(a->via_rport, b->via_rport);
  assert_int_equal(a->via_count, b->via_count);
  assert_int_equal(a->content_length, b->content_length);
}

static void test_key_lines_same_as_general(void **state)
{
  (void)state;
  static const struct {
    const char *fast, *slow; /* header name with colon and SP */
    const char *value;
  } cases[] = {
      {"Via: ", "v: ", "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1;rport"},
      {"Via: ", "v: ", "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1"},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=b"},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch="},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=;rport"},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=b;rport "},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=b ;rport"},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=b;rportx"},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=b;received=1.2.3.4"},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=b\r\n ;rport"},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=b,SIP/2.0/UDP g;branch=c"},
      {"Via: ", "v: ", "SIP/2.0/UDP h;branch=b\x01x"},
      {"Via: ", "v: ", "SIP/2.0/UDP h:5060\r\n;branch=b"},
      {"From: ", "f: ", "\"+12597628665\" <sip:+12597628665@sbc.example.net>;tag=6db4c5dd"},
      {"From: ", "f: ", "<sip:+12597628665@sbc.example.net>;tag=6db4c5dd"},
      {"From: ", "f: ", "<sip:a@b>"},
      {"From: ", "f: ", "<sip:a@b> "},
      {"From: ", "f: ", "<sip:a@b>;tag=t;x=y"},
      {"From: ", "f: ", "<sip:a@b>;tag=t "},
      {"From: ", "f: ", "<sip:a@b>;tag=t\x01u"},
      {"From: ", "f: ", "<sip:a@b>;tag="},
      {"From: ", "f: ", "<sip:a@b>;tag"},
      {"From: ", "f: ", "<sip:a@b>;tag=t\r\n ;x=1"},
      {"From: ", "f: ", "<sip:a@b\r\n >;tag=t"},
      {"From: ", "f: ", "\"A\r\n B\" <sip:a@b>;tag=t"},
      /* a bare CR is an ordinary byte of a display name or URI to both paths */
      {"From: ", "f: ", "\"A\rB\" <sip:a@b>;tag=t"},
      {"From: ", "f: ", "<sip:a\r@b>;tag=t"},
      {"From: ", "f: ", "<\rsip:a@b>;tag=t"},
      {"From: ", "f: ", "<sip:a@b\r>;tag=t"},
      {"To: ", "t: ", "<sip:a\rb>"},
      {"From: ", "f: ", "\"A\\\" B\" <sip:a@b>;tag=t"},
      {"From: ", "f: ", "\"A\" <sip:a@b"},
      {"From: ", "f: ", "\"A\""},
      {"From: ", "f: ", "sip:a@b;tag=t"},
      {"To: ", "t: ", "<sip:+12850582444@sbc.example.net>"},
      {"To: ", "t: ", "<sip:+12850582444@sbc.example.net>;tag=d116000b"},
      {"To: ", "t: ", "<>"},
      {"To: ", "t: ", "< sip:a@b>"},
      {"CSeq: ", "cseq: ", "79 INVITE"},
      {"CSeq: ", "cseq: ", "1 SUBSCRIBE"},
      {"CSeq: ", "cseq: ", "4294967295 ACK"},
      {"CSeq: ", "cseq: ", "4294967296 ACK"},
      {"CSeq: ", "cseq: ", "1 INVITE "},
      {"CSeq: ", "cseq: ", "1 Invite"},
      {"CSeq: ", "cseq: ", "1  INVITE"},
      {"CSeq: ", "cseq: ", "1 INVITE x"},
      {"CSeq: ", "cseq: ", "1 INVITE\r\n x"},
      {"CSeq: ", "cseq: ", "1 "},
      {"CSeq: ", "cseq: ", "INVITE"},
      {"Call-ID: ", "i: ", "725dadcc320ee642@10.1.70.135"},
      {"Call-ID: ", "i: ", "a b"},
      {"Call-ID: ", "i: ", "a@b "},
      {"Call-ID: ", "i: ", "a\x01b"},
      {"Call-ID: ", "i: ", "a\r\n b"},
      {"Call-ID: ", "i: ", ""},
      /* the short path takes the name with ": " only */
      {"Via: ", "Via:", "SIP/2.0/UDP 10.1.70.135:5060;branch=z9hG4bK5e09f8cfaeb79bc1;rport"},
      {"Via: ", "Via:\t", "SIP/2.0/UDP h;branch=b"},
      {"From: ", "From :", "<sip:a@b>;tag=t"},
      {"To: ", "To:  ", "<sip:a@b>"},
      {"Call-ID: ", "Call-ID:", "a@b"},
      {"CSeq: ", "CSeq:\t ", "1 INVITE"},
      {"Content-Length: ", "l: ", "0"},
      {"Content-Length: ", "Content-Length:", "2"},
      {"Content-Type: ", "c: ", "application/sdp"},
      {"Content-Type: ", "c: ", "multipart/mixed;boundary=\"a b\""},
      {"User-Agent: ", "user-agent: ", "snom D785/10.1.152.12"},
      {"User-Agent: ", "user-agent: ", "a "},
      {"User-Agent: ", "user-agent: ", "a\tb"},
      {"User-Agent: ", "user-agent: ", "a\x7f\xc3\xa9" "b"},
      {"User-Agent: ", "user-agent: ", "a\r\n b"},
      {"User-Agent: ", "user-agent: ", ""},
      {"Server: ", "server: ", "ExampleSBC/4.2.1"},
      {"Contact: ", "m: ", "<sip:+12597628665@10.1.70.135:5060>"},
      {"Contact: ", "m: ", "*"},
      {"Reason: ", "reason: ", "Q.850;cause=16;text=\"Normal call clearing\""},
      {"Content-Length: ", "l: ", "2"},
      {"Content-Length: ", "l: ", "2147483647"},
      {"Content-Length: ", "l: ", "2147483648"},
      {"Content-Length: ", "l: ", "99999999999999999999"},
      {"Content-Length: ", "l: ", "2 "},
      {"Content-Length: ", "l: ", "2x"},
      {"Content-Length: ", "l: ", "-2"},
      {"Content-Length: ", "l: ", "2\r\n 3"},
  };
  /* what follows the line: another header, the empty line, or nothing */
  static const char *const after[] = {"Call-ID: c\r\n\r\n", "\r\n", "", "\r\nbody"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (size_t k = 0; k < sizeof after / sizeof after[0]; k++) {
      char a[512], b[512];
      snprintf(a, sizeof a, "INVITE sip:x SIP/2.0\r\n%s%s\r\n%s", cases[i].fast, cases[i].value,
               after[k]);
      snprintf(b, sizeof b, "INVITE sip:x SIP/2.0\r\n%s%s\r\n%s", cases[i].slow, cases[i].value,
               after[k]);
      parsed *pa = parse_udp(a), *pb = parse_udp(b);
      assert_int_equal(pa->rc, pb->rc);
      assert_int_equal(pa->n_headers, pb->n_headers);
      if (pa->rc == SIPFLOW_OK) {
        messages_same(&pa->msg, &pb->msg);
        for (size_t h = 0; h < pa->n_headers; h++)
          span_same(pa->headers[h].value, pb->headers[h].value);
        assert_int_equal(pa->len - pa->msg.raw_len, pb->len - pb->msg.raw_len);
        span_same(pa->msg.body, pb->msg.body);
      }
      parsed_free(pa);
      parsed_free(pb);
    }
  }
}

/* A message cut right after the blank that follows a top Via's transport:
 * the short path must not look for the host past the end (fuzz finding,
 * tests/fuzz/regressions/parse/via-transport-sp-at-end). */
static void test_via_cut_after_transport(void **state)
{
  (void)state;
  parsed *p = parse_udp("BYE sip:x SIP/2.0\r\nVia: SIP/2.0/UDQQQQQQQQQQ ");
  assert_int_equal(p->rc, SIPFLOW_OK);
  assert_span(p->msg.via, "SIP/2.0/UDQQQQQQQQQQ");
  assert_span(p->msg.via_transport, "UDQQQQQQQQQQ");
  assert_span(p->msg.via_sent_by, NULL);
  assert_int_equal(p->msg.via_count, 1);
  parsed_free(p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_invite_everything),
      cmocka_unit_test(test_status_lines),
      cmocka_unit_test(test_compact_forms),
      cmocka_unit_test(test_compact_name_table),
      cmocka_unit_test(test_space_before_colon),
      cmocka_unit_test(test_folded_headers),
      cmocka_unit_test(test_via_count_and_top),
      cmocka_unit_test(test_via_one_pass_same_as_general),
      cmocka_unit_test(test_via_params),
      cmocka_unit_test(test_from_to),
      cmocka_unit_test(test_name_addr_usual_same_as_general),
      cmocka_unit_test(test_key_lines_same_as_general),
      cmocka_unit_test(test_via_cut_after_transport),
      cmocka_unit_test(test_body_and_content_length),
      cmocka_unit_test(test_lf_only),
      cmocka_unit_test(test_no_empty_line),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_why_texts),
      cmocka_unit_test(test_missing_call_id_and_cseq),
      cmocka_unit_test(test_empty_key_values),
      cmocka_unit_test(test_more_headers_than_capacity),
      cmocka_unit_test(test_header_marks),
      cmocka_unit_test(test_find_header),
      cmocka_unit_test(test_every_truncation_point),
      cmocka_unit_test(test_nul_bytes_in_values),
      cmocka_unit_test(test_start_line_only),
      cmocka_unit_test(test_ends_after_known_name),
      cmocka_unit_test(test_start_line_from_framer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
