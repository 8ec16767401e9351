/*
 * parse_usual — the key header values in the spelling nearly every user
 * agent sends: name-addr (From/To) and the top Via (RFC 3261 §20.20,
 * §20.39, §20.42).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Private to the parse stage.  Split out of parse_fields.c so that the
 * header loop (parse.c take_key_line) has the *_line readers inline: they
 * run for three lines of every message, and as calls they cost about a
 * tenth of their work in argument moves, saved registers and the values
 * the loop had to spill around them.  parse_fields.c uses the same
 * readers on a whole value, before its general paths.
 */
#ifndef SF_PARSE_USUAL_H
#define SF_PARSE_USUAL_H

#include "parse_fields.h"

/* ------------------------------------------------------------- name-addr */

/* The usual name-addr: "<" URI ">", or a quoted display name, one SP and
 * "<" URI ">"; then nothing or ";tag=" and a value.  Read here without the
 * general path's search for the first '<' ';' '"' and its set-up; on that
 * shape it gives the same spans (the URI neither empty nor blank at either
 * end, so its trim is a no-op).  A display name with an escape, or an LF
 * before the '>', takes the general path too: then no LF lies before the
 * '>' (see sf_parse_name_addr_line).  A bare CR needs no test of its own:
 * the general path reads it as any other byte of a quoted string or URI
 * (it is trimmed only at the URI's ends, where the fast path gives up on
 * LWS), so both give the same spans.
 *
 * name_addr_head reads up to the '>': returns it and sets *uri_start, or
 * NULL on any other shape. */
static bool is_quote_bslash_lf(char c)
{
  return c == '"' || c == '\\' || c == '\n';
}

static bool is_gt_lf(char c)
{
  return c == '>' || c == '\n';
}

static bool is_ctl_sp_semi(char c)
{
  return (unsigned char)c <= 0x20 || c == ';';
}

#ifdef SF_HAVE_V16
static inline unsigned v16_quote_bslash_lf(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(
      _mm_or_si128(_mm_or_si128(sf_vx_eq(v, '"'), sf_vx_eq(v, '\\')), sf_vx_eq(v, '\n')));
}

static inline unsigned v16_gt_lf(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(_mm_or_si128(sf_vx_eq(v, '>'), sf_vx_eq(v, '\n')));
}
#else
#define v16_quote_bslash_lf NULL
#define v16_gt_lf NULL
#endif

static SF_ALWAYS_INLINE const char *name_addr_head(const char *p, const char *end,
                                                   const char **uri_start)
{
  const char *q = p;
  if (q < end && *q == '"') {
    q = sf_scan_first(p, q + 1, end, v16_quote_bslash_lf, is_quote_bslash_lf);
    if (end - q < 3 || q[0] != '"' || q[1] != ' ' || q[2] != '<')
      return NULL;
    q += 2;
  }
  if (q == end || *q != '<')
    return NULL;
  const char *u = q + 1;
  const char *close = sf_scan_first(p, u, end, v16_gt_lf, is_gt_lf);
  if (close == end || *close != '>' || close == u || is_lws(*u) || is_lws(close[-1]))
    return NULL;
  *uri_start = u;
  return close;
}

/* The usual ";tag=" right after the '>' at params (params < end): the same
 * test as the general path's short cut. */
static SF_ALWAYS_INLINE bool usual_tag_at(const char *params, const char *end)
{
  return end - params > 5 && memcmp(params, ";tag=", 5) == 0 && !is_lws(params[5]) &&
         params[5] != '"';
}

/* From / To in their usual spelling, read while the line's end is found:
 * p at the value, end the end of the message.  Reads the value up to the
 * CR that ends its line, checks that every byte before it is no LF and
 * that the line ends there (sf_crlf_ends_line), then fills the URI and the
 * tag as sf_parse_name_addr would given the value [p, CR) and returns that
 * CR.  NULL, with nothing set, on any other line (which the caller then
 * reads the usual way). */
static SF_ALWAYS_INLINE const char *sf_parse_name_addr_line(const char *p, const char *end,
                                                            sipflow_span *uri, sipflow_span *tag)
{
  const char *u;
  const char *close = name_addr_head(p, end, &u);
  if (!close)
    return NULL;
  /* the value ends right after the '>', or where the tag stops, which must
   * be the CR ending the line: the tag is then all of the rest, as the
   * general path reads it on [p, CR) */
  const char *cr = close + 1;
  const char *t = NULL;
  if (cr < end && *cr != '\r') {
    if (!usual_tag_at(cr, end))
      return NULL;
    t = cr + 5;
    cr = sf_scan_first(p, t, end, sf_v16_ctl_sp_semi, is_ctl_sp_semi);
  }
  if (!sf_crlf_ends_line(cr, end))
    return NULL;
  if (t)
    *tag = span_of(t, cr);
  *uri = span_of(u, close);
  return cr;
}

/* ------------------------------------------------------------ the top Via */

/* What ends a part of the usual Via below: a control byte or SP (LWS among
 * them), ';' ',' '"', and for the host ':' too.  Every flagged byte stops
 * the scan: ',' and '"' make the fast path give up (the general one below
 * splits the value at commas and skips quoted strings), so they never have
 * to be looked for again. */
static bool is_via_host_stop(char c)
{
  return (unsigned char)c <= 0x20 || c == ':' || c == ';' || c == ',' || c == '"';
}

static bool is_via_branch_stop(char c)
{
  return (unsigned char)c <= 0x20 || c == ';' || c == ',' || c == '"';
}

#ifdef SF_HAVE_V16
static inline __m128i vx_via_branch_stop(__m128i v)
{
  return _mm_or_si128(_mm_or_si128(sf_vx_le(v, 0x20), sf_vx_eq(v, ';')),
                      _mm_or_si128(sf_vx_eq(v, ','), sf_vx_eq(v, '"')));
}

static inline unsigned v16_via_branch_stop(const char *p)
{
  return sf_vx_bits(vx_via_branch_stop(sf_vx_load(p)));
}

static inline unsigned v16_via_host_stop(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(_mm_or_si128(vx_via_branch_stop(v), sf_vx_eq(v, ':')));
}
#else
#define v16_via_branch_stop NULL
#define v16_via_host_stop NULL
#endif

/* The top Via in its usual spelling, read in one pass:
 *   "SIP/2.0/" transport SP host [":" port] ";branch=" token [";rport"]
 * and nothing else: no LWS but the one SP, no IPv6 reference, no other
 * parameter, no ',' or '"' anywhere.  On that shape the general path below
 * (comma split, then via_parm_head) fills the same fields with the same
 * spans, after a scan of the whole value for commas and one more over
 * each part; on any other shape it is taken instead, and nothing is set
 * here until the whole value has been checked.
 *
 * [p, end) is the value, or with `line` the rest of the message from the
 * value on: then the value ends at the CR where the branch (or the
 * ";rport") stops, which must end the line (sf_crlf_ends_line); every byte
 * before it was checked and none is an LF, so that CR is the line's.
 * Returns the end of the value, NULL on any other shape. */
static SF_ALWAYS_INLINE const char *top_via_usual(const char *p, const char *end, bool line,
                                                  sipflow_message *msg)
{
  if (end - p < 16 || !sf_swar_is_sip_version(p) || p[7] != '/')
    return NULL;
  const char *t = p + 8;
  /* a three-letter transport (UDP, TCP, TLS) without the token loop */
  const char *q = t[3] == ' ' && sf_cc_is(t[0], SF_CC_TOKEN) && sf_cc_is(t[1], SF_CC_TOKEN) &&
                          sf_cc_is(t[2], SF_CC_TOKEN)
                      ? t + 3
                      : skip_token(t, end);
  if (q == t || q == end || *q != ' ')
    return NULL;
  const char *host = q + 1;
  if (host == end || *host == '[') /* an IPv6 reference holds ':' */
    return NULL;
  q = sf_scan_first(p, host, end, v16_via_host_stop, is_via_host_stop);
  if (q == host || q == end)
    return NULL;
  const char *host_end = q;
  if (*q == ':') {
    const char *port = ++q;
    q = sf_scan_range(q, end, '0', '9');
    if (q == port)
      return NULL;
    host_end = q;
  }
  if (end - q <= 8 || memcmp(q, ";branch=", 8) != 0)
    return NULL;
  const char *br = q + 8;
  q = sf_scan_first(p, br, end, v16_via_branch_stop, is_via_branch_stop);
  const char *br_end = q;
  bool rport = false;
  if (q < end && *q == ';') {
    /* a bare ";rport" (RFC 3581) may end the value (two compares the
     * compiler inlines, where 6 bytes took a call) */
    if (end - q < 6 || memcmp(q, ";rpo", 4) != 0 || memcmp(q + 4, "rt", 2) != 0)
      return NULL;
    q += 6;
    rport = true;
  }
  if (line ? !sf_crlf_ends_line(q, end) : q != end)
    return NULL;
  if (rport)
    msg->via_rport = 0;
  msg->via_transport = span_of(t, host - 1);
  msg->via_sent_by = span_of(host, host_end);
  msg->branch = span_of(br, br_end);
  msg->via_count++;
  msg->via = span_of(p, q);
  return q;
}

/* The same for the top Via line (msg->via not set yet), as the From / To
 * reader above: the fields sf_parse_via_header would fill, or NULL. */
static SF_ALWAYS_INLINE const char *sf_parse_via_line(const char *p, const char *end,
                                                      sipflow_message *msg)
{
  return top_via_usual(p, end, true, msg);
}

#endif /* SF_PARSE_USUAL_H */
