/*
 * parse_fields — what parse.c and parse_fields.c share: small span and
 * character helpers, and the parsers of the structured key header values.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Private to the parse stage.  Every function takes [p, end) of one header
 * value (folds included: CR and LF read as whitespace, RFC 3261 §7.3.1),
 * reads nothing outside it and stores spans into it.
 */
#ifndef SF_PARSE_FIELDS_H
#define SF_PARSE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "parse_scan.h"
#include "sipflow/sipflow.h"

/* ------------------------------------------------------ character classes */

/* Token characters (RFC 3261 §25.1) and the other byte classes come from
 * one read-only table shared with the framer (parse_scan.h); these small
 * helpers are shared by parse.c and parse_fields.c. */

static inline bool is_wsp(char c)
{
  return sf_cc_is(c, SF_CC_WSP);
}

/* Whitespace inside a header value: a fold (CRLF WSP) counts as a space. */
static inline bool is_lws(char c)
{
  return sf_cc_is(c, SF_CC_LWS);
}

static inline bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static inline char lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Case-insensitive compare of a span with a NUL-terminated literal.  Inline
 * and always called with a literal, so the length is a constant and the
 * exact-case comparison (what nearly every user agent sends) is a few
 * word compares; the byte loop runs only for other spellings. */
static inline bool span_ieq(const char *p, size_t n, const char *lit)
{
  size_t k = strlen(lit);
  if (n != k)
    return false;
  if (memcmp(p, lit, k) == 0)
    return true;
  for (size_t i = 0; i < k; i++)
    if (lower(p[i]) != lower(lit[i]))
      return false;
  return true;
}

static inline const char *skip_lws(const char *p, const char *end)
{
  while (p < end && is_lws(*p))
    p++;
  return p;
}

static inline const char *skip_token(const char *p, const char *end)
{
  return sf_scan_class(p, end, SF_CC_TOKEN);
}

/* p is at an opening '"'; returns the position after the closing quote, or
 * NULL when the string is unterminated.  RFC 3261 §25.1 quoted-pair: a
 * backslash escapes the next byte. */
static inline sipflow_span span_trimmed(const char *p, const char *end)
{
  while (p < end && is_lws(*p))
    p++;
  while (end > p && is_lws(end[-1]))
    end--;
  return (sipflow_span){.ptr = p, .len = (size_t)(end - p)};
}

static inline sipflow_span span_of(const char *p, const char *end)
{
  return (sipflow_span){.ptr = p, .len = (size_t)(end - p)};
}

/* Parses 1+ decimal digits filling [p, end) exactly; false on anything else
 * or when the value exceeds max (which is below 2^32). */
static inline bool parse_uint(const char *p, const char *end, unsigned long max,
                       unsigned long *out)
{
  /* 64 bits: v <= max < 2^32 before a digit, so v * 10 + 9 cannot wrap and
   * the test after it needs no division. */
  uint64_t v = 0;
  if (p == end)
    return false;
  for (; p < end; p++) {
    if (!is_digit(*p))
      return false;
    v = v * 10 + (uint64_t)(*p - '0');
    if (v > max)
      return false;
  }
  *out = (unsigned long)v;
  return true;
}

/* cr ends a header line: CR LF, then a byte that is no fold (a line
 * starting with SP or HTAB continues the value, RFC 3261 §7.3.1). */
static inline bool sf_crlf_ends_line(const char *cr, const char *end)
{
  return end - cr >= 3 && cr[0] == '\r' && cr[1] == '\n' && !is_wsp(cr[2]);
}

/* -------------------------------------------------- key header values */

/* CSeq (RFC 3261 §20.16): fills msg->cseq and msg->cseq_method, or leaves
 * cseq_method.ptr NULL when the value is not "number LWS method".  lo <= p:
 * the bytes from lo on are readable (the message), for one load that may
 * start before p. */
void sf_parse_cseq(const char *lo, const char *p, const char *end, sipflow_message *msg);

/* From / To (RFC 3261 §20.20, §20.39): the URI and the tag parameter; each
 * left {NULL, 0} when absent. */
void sf_parse_name_addr(const char *p, const char *end, sipflow_span *uri,
                        sipflow_span *tag);

/* One Via header (RFC 3261 §20.42): counts its via-parms in msg->via_count;
 * when msg->via is not set yet, the first one becomes the top Via and its
 * transport, sent-by, branch, received and rport are filled. */
void sf_parse_via_header(const char *p, const char *end, sipflow_message *msg);

/* CSeq's usual "1 INVITE" up to the CR (inline: it is short, and parse.c
 * calls it from one place). */
static inline const char *sf_parse_cseq_line(const char *p, const char *end, sipflow_message *msg)
{
  const char *q = p;
  uint64_t v = 0;
  for (; q < end && is_digit(*q); q++) {
    v = v * 10 + (uint64_t)(*q - '0');
    if (v > UINT32_MAX)
      return NULL;
  }
  if (q == p || q == end || *q != ' ')
    return NULL;
  const char *m = ++q;
  q = sf_scan_range(m, end, 'A', 'Z');
  if (q == m || !sf_crlf_ends_line(q, end))
    return NULL;
  msg->cseq = (uint32_t)v;
  msg->cseq_method = span_of(m, q);
  return q;
}

#endif /* SF_PARSE_FIELDS_H */
