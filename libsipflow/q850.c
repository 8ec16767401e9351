/*
 * Q.850 causes (analyze stage): the cause a final response carries in its
 * Reason header (RFC 3326) and the words of ITU-T Q.850 for it.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "analyze.h"

/* ITU-T Q.850 Table 1, the causes seen in SIP Reason headers (RFC 3326)
 * and in the RFC 3398 / RFC 6432 ISUP mapping, indexed by cause (all
 * below 128): the failure sentence of every call rejected with a cause
 * looks its words up. */
#define Q850_CAUSES 128

static const char *const q850_text[Q850_CAUSES] = {
  [1] = "Unallocated (unassigned) number",
  [2] = "No route to specified transit network",
  [3] = "No route to destination",
  [6] = "Channel unacceptable",
  [16] = "Normal call clearing",
  [17] = "User busy",
  [18] = "No user responding",
  [19] = "No answer from user (user alerted)",
  [20] = "Subscriber absent",
  [21] = "Call rejected",
  [22] = "Number changed",
  [25] = "Exchange routing error",
  [27] = "Destination out of order",
  [28] = "Invalid number format (address incomplete)",
  [29] = "Facility rejected",
  [31] = "Normal, unspecified",
  [34] = "No circuit/channel available",
  [38] = "Network out of order",
  [41] = "Temporary failure",
  [42] = "Switching equipment congestion",
  [44] = "Requested circuit/channel not available",
  [47] = "Resource unavailable, unspecified",
  [55] = "Incoming calls barred within CUG",
  [57] = "Bearer capability not authorized",
  [58] = "Bearer capability not presently available",
  [63] = "Service or option not available, unspecified",
  [65] = "Bearer capability not implemented",
  [69] = "Requested facility not implemented",
  [79] = "Service or option not implemented, unspecified",
  [88] = "Incompatible destination",
  [102] = "Recovery on timer expiry",
  [111] = "Protocol error, unspecified",
  [127] = "Interworking, unspecified",
};

const char *sipflow_q850_cause_text(int cause)
{
  return cause >= 0 && cause < Q850_CAUSES ? q850_text[cause] : NULL;
}

static bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* In one Reason header value (RFC 3326: reason-value *(COMMA reason-value),
 * reason-value = protocol *(SEMI reason-params)), the cause of the first
 * "Q.850" value, else 0.  Quoted text may hold ';' and ','. */
static int q850_in_value(const char *p, size_t n)
{
  size_t i = 0;

  while (i < n) {
    while (i < n && (is_lws(p[i]) || p[i] == ','))
      i++;
    size_t tok = i;
    while (i < n && p[i] != ';' && p[i] != ',' && !is_lws(p[i]))
      i++;
    bool q850 = i - tok == 5 && g_ascii_strncasecmp(p + tok, "Q.850", 5) == 0;
    bool quoted = false;
    while (i < n && (quoted || p[i] != ',')) {
      if (quoted && p[i] == '\\') {
        i += 2;
        continue;
      }
      if (p[i] == '"')
        quoted = !quoted;
      if (!quoted && p[i] == ';' && q850) {
        size_t k = i + 1;
        while (k < n && is_lws(p[k]))
          k++;
        if (n - k >= 5 && g_ascii_strncasecmp(p + k, "cause", 5) == 0) {
          k += 5;
          while (k < n && is_lws(p[k]))
            k++;
          if (k < n && p[k] == '=') {
            k++;
            while (k < n && is_lws(p[k]))
              k++;
            int v = 0, digits = 0;
            while (k < n && g_ascii_isdigit(p[k]) && digits < 4) {
              v = v * 10 + (p[k++] - '0');
              digits++;
            }
            if (digits && v > 0)
              return v;
          }
        }
      }
      i++;
    }
  }
  return 0;
}

int sf_q850_cause(const sipflow_message *msg)
{
  sipflow_span v;

  if (!msg->reason_header.ptr)
    return 0;
  for (unsigned i = 0; i < 8 && sipflow_message_header(msg, "Reason", i, &v); i++) {
    int cause = q850_in_value(v.ptr, v.len);
    if (cause)
      return cause;
  }
  return 0;
}
