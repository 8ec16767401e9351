/*
 * Diagnostics: one line per problem in the input, handed to the caller.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>

#include "sf_internal.h"

void sf_diag_emit(sf_diag_sink *sink, uint64_t frame, sipflow_diag_code code,
                  const char *fmt, ...)
{
  char text[512];
  va_list ap;

  sink->count++;
  if ((unsigned)code < G_N_ELEMENTS(sink->by_code))
    sink->by_code[code]++;
  if (!sink->fn)
    return;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  sipflow_diag d = {.frame = frame, .code = code, .text = text};
  sink->fn(&d, sink->user);
}

const char *sipflow_diag_name(sipflow_diag_code code)
{
  switch (code) {
  case SIPFLOW_DIAG_TRUNCATED_PACKET: return "truncated-packet";
  case SIPFLOW_DIAG_BAD_LINK: return "bad-link-layer";
  case SIPFLOW_DIAG_BAD_IP: return "bad-ip";
  case SIPFLOW_DIAG_FRAGMENT_EXPIRED: return "fragment-expired";
  case SIPFLOW_DIAG_FRAGMENT_LIMIT: return "fragment-limit";
  case SIPFLOW_DIAG_TCP_GAP: return "tcp-gap";
  case SIPFLOW_DIAG_TCP_LIMIT: return "tcp-limit";
  case SIPFLOW_DIAG_SIP_MALFORMED: return "sip-malformed";
  case SIPFLOW_DIAG_SIP_MISSING_HEADER: return "sip-missing-header";
  case SIPFLOW_DIAG_SIP_BAD_CONTENT_LENGTH: return "sip-bad-content-length";
  case SIPFLOW_DIAG_SIP_TOO_LARGE: return "sip-too-large";
  case SIPFLOW_DIAG_JUNK_SKIPPED: return "junk-skipped";
  case SIPFLOW_DIAG_CALL_LIMIT: return "call-limit";
  }
  return "unknown";
}
