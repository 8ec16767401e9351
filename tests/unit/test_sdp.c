/*
 * Unit tests for libsipflow/sdp.c (SDP parser, RFC 4566 / RFC 8866).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Inputs are copied into exact-size heap buffers so that AddressSanitizer
 * catches any read past the end of the body.
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

typedef struct sdp_result {
  char *buf;
  size_t len;
  int rc;
  sipflow_sdp sdp;
} sdp_result;

static sdp_result *sdp_n(const char *text, size_t len)
{
  sdp_result *r = calloc(1, sizeof *r);
  assert_non_null(r);
  r->len = len;
  r->buf = malloc(len ? len : 1);
  assert_non_null(r->buf);
  if (len)
    memcpy(r->buf, text, len);
  r->rc = sipflow_sdp_parse(r->buf, len, &r->sdp);
  return r;
}

static sdp_result *sdp(const char *text)
{
  return sdp_n(text, strlen(text));
}

static void sdp_free(sdp_result *r)
{
  free(r->buf);
  free(r);
}

#define assert_span(sp, expected) check_span((sp), (expected), __FILE__, __LINE__)

static void check_span(sipflow_span sp, const char *expected, const char *file, int line)
{
  if (!expected) {
    if (sp.ptr) {
      print_error("%s:%d: expected absent span, got \"%.*s\"\n", file, line,
                  (int)sp.len, sp.ptr);
      fail();
    }
    return;
  }
  if (!sp.ptr || strlen(expected) != sp.len || memcmp(expected, sp.ptr, sp.len) != 0) {
    print_error("%s:%d: expected \"%s\", got \"%.*s\"\n", file, line, expected,
                sp.ptr ? (int)sp.len : 6, sp.ptr ? sp.ptr : "(null)");
    fail();
  }
}

static void assert_codec(const sipflow_sdp_codec *c, int pt, const char *name,
                         uint32_t rate)
{
  assert_int_equal(c->payload_type, pt);
  assert_span(c->name, name);
  assert_int_equal(c->clock_rate, rate);
}

static const char audio_offer[] =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.101\r\n"
    "t=0 0\r\n"
    "m=audio 49172 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

static void test_audio_offer(void **state)
{
  sdp_result *r = sdp(audio_offer);
  const sipflow_sdp *s = &r->sdp;

  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_span(s->origin, "alice 2890844526 2890844526 IN IP4 host.atlanta.example.com");
  assert_span(s->connection, "192.0.2.101");
  assert_int_equal(s->direction, SIPFLOW_SDP_SENDRECV);
  assert_int_equal(s->n_media, 1);
  const sipflow_sdp_media *m = &s->media[0];
  assert_span(m->type, "audio");
  assert_int_equal(m->port, 49172);
  assert_span(m->proto, "RTP/AVP");
  assert_span(m->connection, "192.0.2.101");
  assert_ptr_equal(m->connection.ptr, s->connection.ptr); /* inherited */
  assert_int_equal(m->direction, SIPFLOW_SDP_SENDRECV);
  assert_int_equal(m->n_codecs, 3);
  assert_codec(&m->codecs[0], 0, "PCMU", 8000);
  assert_codec(&m->codecs[1], 8, "PCMA", 8000); /* static, no rtpmap */
  assert_codec(&m->codecs[2], 101, "telephone-event", 8000);
  /* rtpmap names point into the body */
  assert_true(m->codecs[0].name.ptr > r->buf && m->codecs[0].name.ptr < r->buf + r->len);
  sdp_free(r);
}

static void test_lf_only_and_connection_forms(void **state)
{
  sdp_result *r = sdp("v=0\n"
                      "o=- 1 1 IN IP6 2001:db8::1\n"
                      "c=IN IP6 2001:db8::1\n"
                      "m=audio 5004 RTP/SAVP 9\n"
                      "c=IN IP4 224.2.1.1/127/3\n"
                      "m=audio 5006 RTP/AVP 18\n"
                      "c=IN IP6 ff15::101/3\n"
                      "m=audio 5008 RTP/AVP 18\n"
                      "c=IN IP4\n"
                      "m=audio 5010 RTP/AVP 3\n");
  const sipflow_sdp *s = &r->sdp;
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_span(s->origin, "- 1 1 IN IP6 2001:db8::1");
  assert_span(s->connection, "2001:db8::1");
  assert_int_equal(s->n_media, 4);
  assert_span(s->media[0].connection, "224.2.1.1");
  assert_span(s->media[1].connection, "ff15::101");
  assert_span(s->media[2].connection, "2001:db8::1"); /* bad c=: session one */
  assert_span(s->media[3].connection, "2001:db8::1");
  assert_codec(&s->media[0].codecs[0], 9, "G722", 8000);
  assert_codec(&s->media[3].codecs[0], 3, "GSM", 8000);
  sdp_free(r);
}

static void test_media_connection_overrides(void **state)
{
  sdp_result *r = sdp("v=0\r\n"
                      "o=bob 1 2 IN IP4 10.0.0.1\r\n"
                      "s=-\r\n"
                      "c=IN IP4 10.0.0.1\r\n"
                      "t=0 0\r\n"
                      "m=audio 4000 RTP/AVP 0\r\n"
                      "c=IN IP4 10.0.0.2\r\n"
                      "m=audio 4002 RTP/AVP 0\r\n");
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_span(r->sdp.connection, "10.0.0.1");
  assert_int_equal(r->sdp.n_media, 2);
  assert_span(r->sdp.media[0].connection, "10.0.0.2");
  assert_span(r->sdp.media[1].connection, "10.0.0.1");
  sdp_free(r);

  /* No session-level c= at all: media without one has none. */
  r = sdp("v=0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 10.0.0.3\r\nm=video 0 RTP/AVP 31\r\n");
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_span(r->sdp.connection, NULL);
  assert_span(r->sdp.media[0].connection, "10.0.0.3");
  assert_span(r->sdp.media[1].connection, NULL);
  assert_int_equal(r->sdp.media[1].port, 0);
  assert_codec(&r->sdp.media[1].codecs[0], 31, "H261", 90000);
  sdp_free(r);
}

static void test_audio_and_video(void **state)
{
  sdp_result *r = sdp("v=0\r\n"
                      "o=- 0 0 IN IP4 10.1.1.1\r\n"
                      "s=call\r\n"
                      "c=IN IP4 10.1.1.1\r\n"
                      "t=0 0\r\n"
                      "m=audio 30000 RTP/AVP 96 0\r\n"
                      "a=rtpmap:96 opus/48000/2\r\n"
                      "m=video 30002 RTP/AVPF 99 100\r\n"
                      "a=rtpmap:99 H264/90000\r\n"
                      "a=rtpmap:96 VP8/90000\r\n" /* no PT 96 in video: ignored */
                      "a=fmtp:99 profile-level-id=42e01f\r\n");
  const sipflow_sdp *s = &r->sdp;
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_int_equal(s->n_media, 2);
  assert_span(s->media[0].type, "audio");
  assert_int_equal(s->media[0].port, 30000);
  assert_int_equal(s->media[0].n_codecs, 2);
  assert_codec(&s->media[0].codecs[0], 96, "opus", 48000);
  assert_codec(&s->media[0].codecs[1], 0, "PCMU", 8000);
  assert_span(s->media[1].type, "video");
  assert_int_equal(s->media[1].port, 30002);
  assert_span(s->media[1].proto, "RTP/AVPF");
  assert_int_equal(s->media[1].n_codecs, 2);
  assert_codec(&s->media[1].codecs[0], 99, "H264", 90000);
  assert_codec(&s->media[1].codecs[1], 100, NULL, 0); /* dynamic, not mapped */
  sdp_free(r);
}

typedef struct static_case {
  int pt;
  const char *name;
  uint32_t rate;
} static_case;

static void test_static_payload_types(void **state)
{
  static const static_case cases[] = {
      {0, "PCMU", 8000},  {3, "GSM", 8000},   {4, "G723", 8000},  {8, "PCMA", 8000},
      {9, "G722", 8000},  {13, "CN", 8000},   {15, "G728", 8000}, {18, "G729", 8000},
      {6, "DVI4", 16000}, {34, "H263", 90000}, {2, NULL, 0},      {19, NULL, 0},
      {35, NULL, 0},      {127, NULL, 0},
  };
  sdp_result *r = sdp("v=0\r\nm=audio 1 RTP/AVP 0 3 4 8 9 13 15 18 6 34 2 19 35 127\r\n");
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_int_equal(r->sdp.media[0].n_codecs, 14);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_codec(&r->sdp.media[0].codecs[i], cases[i].pt, cases[i].name, cases[i].rate);
  sdp_free(r);

  /* An rtpmap wins over the static table (here: a 16 kHz G722 lie). */
  r = sdp("v=0\r\nm=audio 1 RTP/AVP 9\r\na=rtpmap:9 G722/16000\r\n");
  assert_codec(&r->sdp.media[0].codecs[0], 9, "G722", 16000);
  assert_ptr_equal(r->sdp.media[0].codecs[0].name.ptr, strstr(r->buf, "G722/"));
  sdp_free(r);

  /* Numbers only mean RTP payload types over RTP. */
  r = sdp("v=0\r\nm=application 9 UDP/BFCP 0\r\n");
  assert_codec(&r->sdp.media[0].codecs[0], 0, NULL, 0);
  sdp_free(r);
}

static void test_t38_image(void **state)
{
  sdp_result *r = sdp("v=0\r\n"
                      "o=- 1 2 IN IP4 198.51.100.7\r\n"
                      "s=-\r\n"
                      "c=IN IP4 198.51.100.7\r\n"
                      "t=0 0\r\n"
                      "m=image 5004 udptl t38\r\n"
                      "a=T38FaxVersion:0\r\n"
                      "a=T38MaxBitRate:14400\r\n"
                      "a=T38FaxRateManagement:transferredTCF\r\n");
  const sipflow_sdp_media *m = &r->sdp.media[0];
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_int_equal(r->sdp.n_media, 1);
  assert_span(m->type, "image");
  assert_int_equal(m->port, 5004);
  assert_span(m->proto, "udptl");
  assert_span(m->connection, "198.51.100.7");
  assert_int_equal(m->n_codecs, 1);
  assert_codec(&m->codecs[0], -1, "t38", 0); /* non-numeric format */
  sdp_free(r);
}

typedef struct direction_case {
  const char *text;
  sipflow_sdp_direction session;
  unsigned n_media;
  sipflow_sdp_direction media[3];
} direction_case;

static void test_direction(void **state)
{
  static const direction_case cases[] = {
      {"v=0\r\nm=audio 1 RTP/AVP 0\r\n", SIPFLOW_SDP_SENDRECV, 1, {SIPFLOW_SDP_SENDRECV}},
      {"v=0\r\na=sendonly\r\nm=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\na=inactive\r\n"
       "m=video 3 RTP/AVP 31\r\na=recvonly\r\n",
       SIPFLOW_SDP_SENDONLY, 3,
       {SIPFLOW_SDP_SENDONLY, SIPFLOW_SDP_INACTIVE, SIPFLOW_SDP_RECVONLY}},
      {"v=0\r\na=inactive\r\nm=audio 1 RTP/AVP 0\r\na=sendrecv\r\n", SIPFLOW_SDP_INACTIVE,
       1, {SIPFLOW_SDP_SENDRECV}},
      {"v=0\r\nm=audio 1 RTP/AVP 0\r\na=recvonly\r\nm=audio 2 RTP/AVP 0\r\n",
       SIPFLOW_SDP_SENDRECV, 2, {SIPFLOW_SDP_RECVONLY, SIPFLOW_SDP_SENDRECV}},
      /* attribute names are case-sensitive (RFC 8866 §5.13); unknown ones ignored */
      {"v=0\r\na=SENDONLY\r\na=sendonlyx\r\nm=audio 1 RTP/AVP 0\r\na=sendonly:x\r\n",
       SIPFLOW_SDP_SENDRECV, 1, {SIPFLOW_SDP_SENDRECV}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sdp_result *r = sdp(cases[i].text);
    assert_int_equal(r->rc, SIPFLOW_OK);
    assert_int_equal(r->sdp.direction, cases[i].session);
    assert_int_equal(r->sdp.n_media, cases[i].n_media);
    for (unsigned k = 0; k < cases[i].n_media; k++)
      assert_int_equal(r->sdp.media[k].direction, cases[i].media[k]);
    sdp_free(r);
  }
}

static void test_port_number_of_ports(void **state)
{
  sdp_result *r = sdp("v=0\r\nm=audio 49170/2 RTP/AVP 0\r\nm=audio 70000 RTP/AVP 8\r\n"
                      "m=audio x RTP/AVP 8\r\n");
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_int_equal(r->sdp.n_media, 3);
  assert_int_equal(r->sdp.media[0].port, 49170);
  assert_span(r->sdp.media[0].proto, "RTP/AVP");
  assert_codec(&r->sdp.media[0].codecs[0], 0, "PCMU", 8000);
  assert_int_equal(r->sdp.media[1].port, 65535); /* saturated, not wrapped */
  assert_int_equal(r->sdp.media[2].port, 0);
  assert_span(r->sdp.media[2].proto, "RTP/AVP");
  sdp_free(r);
}

typedef struct bad_case {
  const char *text;
  size_t len; /* 0: strlen */
} bad_case;

static void test_not_sdp(void **state)
{
  static const bad_case cases[] = {
      {"", 0},
      {"\r\n\r\n", 0},
      {"hello", 0},
      {" v=0\r\n", 0},
      {"o=x\r\nv=0\r\n", 0},
      {"<?xml version=\"1.0\"?>\r\n", 0},
      {"V=0\r\n", 0},
      {"v\r\n", 0},
      {"\x00\x01\x02v=0", 5},
      {"\xff\xfe=0", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
    sdp_result *r = sdp_n(cases[i].text, len);
    assert_int_equal(r->rc, SIPFLOW_ERR_MALFORMED);
    assert_int_equal(r->sdp.n_media, 0);
    sdp_free(r);
  }
  /* Leading empty lines are skipped; v= alone is a (useless) SDP. */
  sdp_result *r = sdp("\r\n\nv=0\r\n");
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_int_equal(r->sdp.n_media, 0);
  assert_span(r->sdp.origin, NULL);
  sdp_free(r);
  sipflow_sdp out;
  assert_int_equal(sipflow_sdp_parse(NULL, 0, &out), SIPFLOW_ERR_MALFORMED);
  assert_int_equal(sipflow_sdp_parse("v=0", 3, NULL), SIPFLOW_ERR_INVALID);
}

static void test_limits(void **state)
{
  /* 20 formats: only the first SIPFLOW_SDP_MAX_CODECS are kept. */
  GString *s = g_string_new("v=0\r\nm=audio 1 RTP/AVP");
  for (int pt = 96; pt < 116; pt++)
    g_string_append_printf(s, " %d", pt);
  g_string_append(s, "\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:115 X/1\r\n");
  /* 10 media sections: only SIPFLOW_SDP_MAX_MEDIA are kept, and attributes of
   * the ignored ones do not leak into the last kept one. */
  for (int i = 1; i < 10; i++)
    g_string_append_printf(s, "m=audio %d RTP/AVP 0\r\n%s", 2000 + i,
                           i >= 8 ? "a=inactive\r\nc=IN IP4 9.9.9.9\r\na=rtpmap:0 Z/1\r\n" : "");
  sdp_result *r = sdp_n(s->str, s->len);
  const sipflow_sdp *sd = &r->sdp;
  assert_int_equal(r->rc, SIPFLOW_OK);
  assert_int_equal(sd->n_media, SIPFLOW_SDP_MAX_MEDIA);
  assert_int_equal(sd->media[0].n_codecs, SIPFLOW_SDP_MAX_CODECS);
  assert_codec(&sd->media[0].codecs[15], 111, "opus", 48000);
  assert_codec(&sd->media[0].codecs[14], 110, NULL, 0);
  assert_int_equal(sd->media[7].port, 2007);
  assert_int_equal(sd->media[7].direction, SIPFLOW_SDP_SENDRECV);
  assert_span(sd->media[7].connection, NULL);
  assert_codec(&sd->media[7].codecs[0], 0, "PCMU", 8000);
  sdp_free(r);
  g_string_free(s, TRUE);
}

static bool static_name(sipflow_span sp)
{
  static const char *const names[] = {"PCMU", "PCMA", "G729", "CN", "L16"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (sp.ptr == names[i] || (sp.len == strlen(names[i]) && !memcmp(sp.ptr, names[i], sp.len)))
      return true;
  return false;
}

static bool inside(sipflow_span sp, const sdp_result *r)
{
  if (!sp.ptr)
    return sp.len == 0;
  return sp.ptr >= r->buf && sp.ptr + sp.len <= r->buf + r->len;
}

/* Every prefix of a full offer, in an exact-size buffer: OK or MALFORMED,
 * every span inside the buffer (or a static payload type name). */
static void test_every_truncation_point(void **state)
{
  static const char offer[] =
      "v=0\r\n"
      "o=- 3 3 IN IP4 10.0.0.9\r\n"
      "s=-\r\n"
      "c=IN IP4 10.0.0.9/64\r\n"
      "t=0 0\r\n"
      "a=sendonly\r\n"
      "m=audio 7078/2 RTP/AVP 18 8 13 101\r\n"
      "c=IN IP4 10.0.0.10\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n"
      "a=recvonly\r\n"
      "m=image 0 udptl t38\r\n";
  size_t full = strlen(offer);
  unsigned ok = 0;

  for (size_t len = 0; len <= full; len++) {
    sdp_result *r = sdp_n(offer, len);
    const sipflow_sdp *s = &r->sdp;
    assert_true(r->rc == SIPFLOW_OK || r->rc == SIPFLOW_ERR_MALFORMED);
    assert_int_equal(r->rc == SIPFLOW_OK, len >= 2);
    ok += r->rc == SIPFLOW_OK;
    assert_true(s->n_media <= 2);
    assert_true(inside(s->origin, r) && inside(s->connection, r));
    for (unsigned i = 0; i < s->n_media; i++) {
      const sipflow_sdp_media *m = &s->media[i];
      assert_true(inside(m->type, r) && inside(m->proto, r) && inside(m->connection, r));
      assert_true(m->n_codecs <= 4);
      for (unsigned k = 0; k < m->n_codecs; k++)
        assert_true(inside(m->codecs[k].name, r) || static_name(m->codecs[k].name));
    }
    sdp_free(r);
  }
  assert_int_equal(ok, full - 1);

  sdp_result *r = sdp_n(offer, full);
  assert_int_equal(r->sdp.n_media, 2);
  assert_int_equal(r->sdp.media[0].port, 7078);
  assert_int_equal(r->sdp.media[0].direction, SIPFLOW_SDP_RECVONLY);
  assert_int_equal(r->sdp.media[1].direction, SIPFLOW_SDP_SENDONLY);
  assert_span(r->sdp.media[1].connection, "10.0.0.9");
  assert_codec(&r->sdp.media[0].codecs[2], 13, "CN", 8000);
  sdp_free(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_audio_offer),
      cmocka_unit_test(test_lf_only_and_connection_forms),
      cmocka_unit_test(test_media_connection_overrides),
      cmocka_unit_test(test_audio_and_video),
      cmocka_unit_test(test_static_payload_types),
      cmocka_unit_test(test_t38_image),
      cmocka_unit_test(test_direction),
      cmocka_unit_test(test_port_number_of_ports),
      cmocka_unit_test(test_not_sdp),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_every_truncation_point),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
