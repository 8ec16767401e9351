/*
 * Fuzz target: one SIP message through the parser (sf_parse_message, as a
 * datagram and as a stream-framed message), the framer's start-line and
 * length rules on the same bytes, header lookup, and the SDP parser on the
 * body found.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Input: byte 0 picks the header array capacity (0 .. SF_PARSE_MAX_HEADERS,
 * small ones often, to exercise "key headers beyond the array are still
 * found"); the rest is the message.  The message is copied into a buffer of
 * exactly its length, so a read past the end is caught by ASan.
 */
#include <string.h>

#include "fuzz_common.h"
#include "sf_internal.h"

static void check_message(const sipflow_message *m, const char *buf, size_t len)
{
  FUZZ_CHECK(m->raw == buf);
  FUZZ_CHECK(m->raw_len <= len);
  const sipflow_span spans[] = {
      m->method, m->request_uri, m->reason, m->call_id, m->cseq_method, m->from,
      m->from_uri, m->from_tag, m->to, m->to_uri, m->to_tag, m->via, m->via_transport,
      m->via_sent_by, m->branch, m->via_received, m->content_type, m->reason_header,
      m->user_agent, m->server, m->contact, m->body};
  for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++)
    FUZZ_CHECK_SPAN(spans[i], buf, len);
  FUZZ_CHECK_SPAN(m->body, buf, m->raw_len);
  FUZZ_CHECK(m->is_request || (m->status >= 100 && m->status <= 699));
  FUZZ_CHECK(m->content_length >= -1);
}

static void check_headers(const sf_header *h, size_t n, const char *buf, size_t len)
{
  static const char *const names[] = {"Via", "v", "Call-ID", "Contact", "X-Unknown", "l"};
  sipflow_span v;

  for (size_t i = 0; i < n; i++) {
    FUZZ_CHECK(h[i].name.ptr && h[i].name.len > 0);
    FUZZ_CHECK_SPAN(h[i].name, buf, len);
    FUZZ_CHECK_SPAN(h[i].value, buf, len);
  }
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    for (unsigned k = 0; k < 3 && sf_parse_find_header(h, n, names[i], k, &v); k++)
      FUZZ_CHECK_SPAN(v, buf, len);
}

static void parse_once(const char *buf, size_t len, bool stream, size_t cap)
{
  static sf_header headers[SF_PARSE_MAX_HEADERS];
  sipflow_message msg;
  const char *why = NULL;
  size_t n = cap;

  int rc = sf_parse_message(buf, len, stream, NULL, &msg, headers, &n, NULL, &why);
  FUZZ_CHECK(n <= cap);
  /* the framer's reading of the start line changes nothing */
  sf_start_line start;
  if (sf_framer_start_line(buf, len, &start) == 1 && start.next) {
    static sf_header again[SF_PARSE_MAX_HEADERS];
    sipflow_message msg2;
    const char *why2 = NULL;
    size_t n2 = cap;
    int rc2 = sf_parse_message(buf, len, stream, &start, &msg2, again, &n2, NULL, &why2);
    FUZZ_CHECK(rc2 == rc && why2 == why && n2 == n);
    FUZZ_CHECK(memcmp(&msg2, &msg, sizeof msg) == 0);
    FUZZ_CHECK(memcmp(again, headers, n * sizeof headers[0]) == 0);
  }
  if (rc != SIPFLOW_OK) {
    FUZZ_CHECK(rc == SIPFLOW_ERR_MALFORMED && why != NULL);
    return;
  }
  check_message(&msg, buf, len);
  check_headers(headers, n, buf, len);
  if (msg.body.ptr) {
    sipflow_sdp sdp;
    if (sipflow_sdp_parse(msg.body.ptr, msg.body.len, &sdp) == SIPFLOW_OK)
      FUZZ_CHECK(sdp.n_media <= SIPFLOW_SDP_MAX_MEDIA);
  }
}

static void frame_once(const char *buf, size_t len)
{
  size_t header_len = 0, total = 0;
  const char *why = NULL;

  int start = sf_framer_is_sip_start(buf, len);
  FUZZ_CHECK(start >= -1 && start <= 1);
  long off = sf_framer_find_start(buf, len);
  FUZZ_CHECK(off >= -1 && (off < 0 || (size_t)off < len));
  int rc = sf_framer_measure(buf, len, &header_len, &total, &why);
  if (rc == SIPFLOW_OK) {
    FUZZ_CHECK(header_len > 0 && header_len <= len && total >= header_len);
  } else if (rc == SIPFLOW_ERR_MALFORMED) {
    FUZZ_CHECK(why != NULL && header_len <= len);
  } else {
    FUZZ_CHECK(rc == SIPFLOW_ERR_INCOMPLETE);
  }
  /* Measured in two goes (the first len / 2 bytes, then all, as a
   * stream's segments come): the same answer as in one. */
  sf_measure_state st = SF_MEASURE_START;
  size_t hl2 = 0, total2 = 0;
  const char *why2 = NULL;
  int rc1 = sf_framer_measure_from(buf, len / 2, &st, &hl2, &total2, &why2);
  if (rc1 != SIPFLOW_ERR_INCOMPLETE)
    st = SF_MEASURE_START;
  int rc2 = sf_framer_measure_from(buf, len, &st, &hl2, &total2, &why2);
  FUZZ_CHECK(rc2 == rc);
  FUZZ_CHECK(rc == SIPFLOW_ERR_INCOMPLETE || (hl2 == header_len && why2 == why));
  FUZZ_CHECK(rc != SIPFLOW_OK || total2 == total);
  long whole = sf_framer_message_length(buf, len, &why);
  FUZZ_CHECK(whole < 0 || (size_t)whole <= len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  size_t cap = data[0] < 0x80 ? SF_PARSE_MAX_HEADERS : (size_t)(data[0] & 7);
  size_t len = size - 1;
  char *buf = malloc(len ? len : 1);
  memcpy(buf, data + 1, len);

  parse_once(buf, len, false, cap);
  parse_once(buf, len, true, cap);
  frame_once(buf, len);
  free(buf);
  return 0;
}
