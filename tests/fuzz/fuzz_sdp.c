/*
 * Fuzz target: one SDP body through sipflow_sdp_parse.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every span must lie inside the body, except codec names of static RTP
 * payload types, which point to the library's own literals: those are read
 * byte by byte instead (ASan flags a bad pointer).
 */
#include <string.h>

#include "fuzz_common.h"
#include "sipflow/sipflow.h"

static volatile unsigned char sink;

static void touch_span(sipflow_span s)
{
  for (size_t i = 0; s.ptr && i < s.len; i++)
    sink ^= (unsigned char)s.ptr[i];
}

static void check_media(const sipflow_sdp_media *m, const char *body, size_t len)
{
  FUZZ_CHECK_SPAN(m->type, body, len);
  FUZZ_CHECK_SPAN(m->proto, body, len);
  FUZZ_CHECK_SPAN(m->connection, body, len);
  FUZZ_CHECK(m->direction <= SIPFLOW_SDP_INACTIVE);
  FUZZ_CHECK(m->n_codecs <= SIPFLOW_SDP_MAX_CODECS);
  for (unsigned k = 0; k < m->n_codecs; k++) {
    FUZZ_CHECK(m->codecs[k].payload_type >= -1); /* -1: a non-RTP format ("t38") */
    touch_span(m->codecs[k].name);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *body = malloc(size ? size : 1);
  sipflow_sdp sdp;

  memcpy(body, data, size);
  int rc = sipflow_sdp_parse(body, size, &sdp);
  FUZZ_CHECK(rc == SIPFLOW_OK || rc == SIPFLOW_ERR_MALFORMED);
  if (rc == SIPFLOW_OK) {
    FUZZ_CHECK_SPAN(sdp.connection, body, size);
    FUZZ_CHECK_SPAN(sdp.origin, body, size);
    FUZZ_CHECK(sdp.n_media <= SIPFLOW_SDP_MAX_MEDIA);
    for (unsigned i = 0; i < sdp.n_media; i++)
      check_media(&sdp.media[i], body, size);
  }
  free(body);
  return 0;
}
