/*
 * parse_fields — parsers of the structured key header values: parameters,
 * CSeq, name-addr (From/To) and Via (RFC 3261 §20, §25.1).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Split out of parse.c, which finds the header lines and hands each key
 * header's value here.  Zero-copy like parse.c: every result is a span into
 * the value.  The usual spellings (";tag=", ";branch=", ";rport",
 * "SIP/2.0/", "<URI>", "1 INVITE") take a short path that gives what the
 * general one would; those of name-addr and Via are in parse_usual.h, with
 * the *_line variants that read a key header line from its value on while
 * they find the line's end (parse.c take_key_line).
 */
#include "parse_usual.h"
#include "sf_internal.h"

/* ---------------------------------------------------------- quoted strings */

static bool is_quote_or_bslash(char c)
{
  return c == '"' || c == '\\';
}

static SF_ALWAYS_INLINE const char *quoted_end(const char *p, const char *end)
{
  for (p++; p < end; p++) {
    p = sf_scan_until(p, end, sf_v16_quote_bslash, sf_swar_quote_bslash,
                      is_quote_or_bslash);
    if (p == end)
      break;
    if (*p == '"')
      return p + 1;
    if (++p == end) /* the byte after '\\' is taken as is */
      break;
  }
  return NULL;
}

static const char *skip_quoted(const char *p, const char *end)
{
  const char *q = quoted_end(p, end);
  return q ? q : end;
}

/* ------------------------------------------------------------- parameters */

typedef struct param {
  sipflow_span name;
  sipflow_span value; /* ptr NULL when the parameter has no "=value" */
} param;

static bool is_param_end(char c)
{
  return sf_cc_is(c, SF_CC_PARAM_END);
}

/* The end of an unquoted parameter value at p: ';' or LWS. */
static SF_ALWAYS_INLINE const char *param_value_end(const char *p,
                                                                        const char *end)
{
  return sf_scan_until(p, end, sf_v16_ctl_sp_semi, sf_swar_ctl_sp_semi, is_param_end);
}

/* The same where the header value starts at lo: a short value at its end
 * (the usual tag) is read in one 16-byte load. */
static SF_ALWAYS_INLINE const char *
param_value_end_lo(const char *lo, const char *p, const char *end)
{
  return sf_scan_until_lo(lo, p, end, sf_v16_ctl_sp_semi, sf_swar_ctl_sp_semi,
                          is_param_end);
}

/* Reads the next ";name[=value]" parameter starting at *pp (RFC 3261 §25.1
 * generic-param, SEMI and EQUAL allow LWS around them).  Bytes that are not a
 * parameter are skipped up to the next ';' outside quotes.  A quoted value is
 * returned without its quotes.  Returns false when no parameter is left. */
static inline bool next_param(const char **pp, const char *end, param *out)
{
  const char *p = *pp;

  for (;;) {
    p = skip_lws(p, end);
    if (p == end)
      return false;
    if (*p == ';')
      break;
    if (*p == '"')
      p = skip_quoted(p, end);
    else
      p++;
  }
  p = skip_lws(p + 1, end);
  const char *name = p;
  p = skip_token(p, end);
  out->name = span_of(name, p);
  out->value = (sipflow_span){NULL, 0};
  const char *q = skip_lws(p, end);
  if (q < end && *q == '=') {
    q = skip_lws(q + 1, end);
    if (q < end && *q == '"') {
      const char *close = skip_quoted(q, end);
      const char *vend = (close > q + 1 && close[-1] == '"') ? close - 1 : close;
      out->value = span_of(q + 1, vend);
      p = close;
    } else {
      const char *v = q;
      q = param_value_end(q, end);
      out->value = span_of(v, q);
      p = q;
    }
  }
  *pp = p;
  return true;
}

/* ---------------------------------------------------------- key headers */

/* n (1-8) upper-case letters from m to end, the usual CSeq method ending
 * the value: one 8-byte load ending at end (the bytes before m, from lo on,
 * are readable), the bytes before m masked out so that nothing carries into
 * the tested ones.  Adding 0x25 sets a byte's high bit above 'Z', adding
 * 0x3f from 'A' on (the framer's upper_method_len does the same). */
static inline bool upper_run_to_end(const char *lo, const char *m, const char *end)
{
  size_t n = (size_t)(end - m);
  if (n == 0 || n > 8 || end - lo < 8)
    return false;
  uint64_t keep = ~0ULL << (8 * (8 - n)); /* the n bytes from m */
  uint64_t w = sf_swar_load(end - 8) & keep;
  uint64_t highs = SF_SWAR_HIGHS & keep;
  return ((w | (w + 0x25 * SF_SWAR_ONES)) & highs) == 0 &&
         ((w + 0x3f * SF_SWAR_ONES) & highs) == highs;
}

/* CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16).  The number must fit 32 bits;
 * anything else leaves the CSeq missing (cseq_method.ptr NULL). */
void sf_parse_cseq(const char *lo, const char *p, const char *end, sipflow_message *msg)
{
  const char *num = p = skip_lws(p, end);
  uint64_t v = 0;
  /* One pass: digits accumulated as they are found, out above 2^32 - 1. */
  for (; p < end && is_digit(*p); p++) {
    v = v * 10 + (uint64_t)(*p - '0');
    if (v > UINT32_MAX)
      return;
  }
  if (p == num || p == end || !is_lws(*p))
    return;
  const char *m;
  /* The usual "1 INVITE": one SP, then an upper-case method up to the end of
   * the value (a token: the general path below takes the same span). */
  if (*p == ' ' && upper_run_to_end(lo, p + 1, end)) {
    m = p + 1;
    p = end;
  } else {
    m = skip_lws(p, end);
    p = skip_token(m, end);
    if (p == m)
      return;
  }
  msg->cseq = (uint32_t)v;
  msg->cseq_method = span_of(m, p);
}

static bool is_name_addr_stop(char c)
{
  return c == '<' || c == ';' || c == '"';
}

static bool is_gt(char c)
{
  return c == '>';
}

/* From / To (RFC 3261 §20.20, §20.39): name-addr or addr-spec, then
 * parameters.  With angle brackets the URI is what is inside them and the
 * tag is searched after '>' only (a ";tag" inside <...> is a URI parameter).
 * Without them the URI ends at the first ';' (§20.10: its parameters are
 * header parameters).  Quoted display names may hold '<', ';' and \". */
__attribute__((noinline)) static void name_addr_general(const char *p, const char *end,
                                                        sipflow_span *uri, sipflow_span *tag)
{
  const char *q = p;
  const char *params = end;

  /* "<" first (most To values, many From) needs no scan for it */
  while (q == end || *q != '<') {
    q = sf_scan_until(q, end, sf_v16_name_addr, sf_swar_name_addr, is_name_addr_stop);
    if (q == end || *q != '"')
      break;
    q = quoted_end(q, end);
    if (!q)
      return; /* unterminated display name: no URI can be trusted */
  }
  if (q < end && *q == '<') {
    const char *u = q + 1;
    const char *close = sf_scan_until(u, end, sf_v16_gt, sf_swar_gt, is_gt);
    if (close == end)
      close = NULL;
    *uri = span_trimmed(u, close ? close : end);
    params = close ? close + 1 : end;
  } else {
    *uri = span_trimmed(p, q);
    params = q;
  }
  if (uri->len == 0)
    *uri = (sipflow_span){NULL, 0};

  /* The usual ";tag=token" right after the URI, without the general loop
   * (which would find the same value). */
  if (end - params > 5 && memcmp(params, ";tag=", 5) == 0 && !is_lws(params[5]) &&
      params[5] != '"') {
    *tag = span_of(params + 5, param_value_end_lo(p, params + 5, end));
    return;
  }
  if (params == end) /* no parameter at all (a To of an initial request) */
    return;
  param prm;
  while (next_param(&params, end, &prm)) {
    if (span_ieq(prm.name.ptr, prm.name.len, "tag") && prm.value.ptr) {
      *tag = prm.value;
      return;
    }
  }
}

/* The usual name-addr as a whole value [p, end). */
static SF_ALWAYS_INLINE bool name_addr_usual(const char *p, const char *end, sipflow_span *uri,
                                             sipflow_span *tag)
{
  const char *u;
  const char *close = name_addr_head(p, end, &u);
  if (!close)
    return false;
  const char *params = close + 1;
  if (params != end) {
    if (!usual_tag_at(params, end))
      return false;
    *tag = span_of(params + 5, param_value_end_lo(p, params + 5, end));
  }
  *uri = span_of(u, close);
  return true;
}

void sf_parse_name_addr(const char *p, const char *end, sipflow_span *uri,
                        sipflow_span *tag)
{
  if (!name_addr_usual(p, end, uri, tag))
    name_addr_general(p, end, uri, tag);
}

static bool is_sent_by_end(char c)
{
  return sf_cc_is(c, SF_CC_SENT_BY_END);
}

/* sent-by = host [ COLON port ]; host may be an IPv6 reference "[...]"
 * (RFC 3261 §20.42, §25.1).  Returns the position after sent-by. */
static SF_ALWAYS_INLINE const char *parse_sent_by(const char *p, const char *end,
                                                  sipflow_span *out)
{
  const char *start = p;

  if (p < end && *p == '[') {
    const char *close = memchr(p, ']', (size_t)(end - p));
    if (!close)
      return end;
    p = close + 1;
  } else {
    p = sf_scan_until(p, end, sf_v16_sent_by, sf_swar_sent_by, is_sent_by_end);
  }
  if (p == start)
    return p;
  const char *host_end = p;
  const char *q = skip_lws(p, end);
  if (q < end && *q == ':') {
    q = skip_lws(q + 1, end);
    const char *port = q;
    while (q < end && is_digit(*q))
      q++;
    if (q > port)
      host_end = p = q;
  }
  *out = span_of(start, host_end);
  return p;
}

/* rport (RFC 3581): 0 when present without a (usable) value. */
static int rport_value(sipflow_span v)
{
  unsigned long port;
  if (!v.ptr || !parse_uint(v.ptr, v.ptr + v.len, 65535, &port))
    return 0;
  return (int)port;
}

/* via-parm = sent-protocol LWS sent-by *( SEMI via-params ), sent-protocol =
 * protocol-name SLASH protocol-version SLASH transport, SLASH allowing LWS
 * around it (RFC 3261 §20.42, §25.1). */
/* The via-parm up to its parameters: sent-protocol, sent-by, and the usual
 * ";branch=token" and ";rport" that follow.  Returns where the general
 * parameter loop starts, NULL when the sent-protocol is not one. */
static SF_ALWAYS_INLINE const char *via_parm_head(const char *p, const char *end,
                                                  sipflow_message *msg)
{
  p = skip_lws(p, end);
  int part = 0;
  if (end - p >= 8 && sf_swar_is_sip_version(p) && p[7] == '/') {
    p = skip_lws(p + 8, end); /* the usual "SIP/2.0/": two tokens and their slashes */
    part = 2;
  }
  for (; part < 3; part++) {
    const char *tok = p;
    p = skip_token(p, end);
    if (p == tok)
      return NULL;
    if (part == 2) {
      msg->via_transport = span_of(tok, p);
      break;
    }
    p = skip_lws(p, end);
    if (p == end || *p != '/')
      return NULL;
    p = skip_lws(p + 1, end);
  }
  p = parse_sent_by(skip_lws(p, end), end, &msg->via_sent_by);

  /* The usual ";branch=token" first, without the general loop (which would
   * take the same value: it is the first branch of the top via-parm). */
  if (end - p > 8 && memcmp(p, ";branch=", 8) == 0 && !is_lws(p[8]) && p[8] != '"') {
    msg->branch = span_of(p + 8, param_value_end(p + 8, end));
    p = msg->branch.ptr + msg->branch.len;
  }
  /* ... and a bare ";rport" (RFC 3581) after it. */
  if (end - p >= 6 && memcmp(p, ";rport", 6) == 0 && (end - p == 6 || p[6] == ';')) {
    msg->via_rport = 0;
    p += 6;
  }
  return p;
}

static void parse_via_parm(const char *p, const char *end, sipflow_message *msg)
{
  p = via_parm_head(p, end, msg);
  if (!p)
    return;
  param prm;
  while (p < end && next_param(&p, end, &prm)) { /* usually nothing left */
    const char *n = prm.name.ptr;
    size_t nl = prm.name.len;
    if (!msg->branch.ptr && prm.value.ptr && span_ieq(n, nl, "branch"))
      msg->branch = prm.value;
    else if (!msg->via_received.ptr && prm.value.ptr && span_ieq(n, nl, "received"))
      msg->via_received = prm.value;
    else if (msg->via_rport < 0 && span_ieq(n, nl, "rport"))
      msg->via_rport = rport_value(prm.value);
  }
}

static bool is_comma_quote(char c)
{
  return c == ',' || c == '"';
}

/* A Via header may hold several via-parms separated by commas (RFC 3261
 * §7.3.1); commas inside quoted strings do not separate.  Every via-parm is
 * counted; the first one of the message is the top Via.  Not inline: the
 * usual top Via (sf_parse_via_header) does without its set-up. */
__attribute__((noinline)) static void via_header_general(const char *p, const char *end,
                                                         sipflow_message *msg)
{
  const char *part = p;

  for (const char *q = p;;) {
    q = sf_scan_until(q, end, sf_v16_comma_quote, sf_swar_comma_quote, is_comma_quote);
    if (q < end && *q == '"') {
      q = skip_quoted(q, end);
      continue;
    }
    sipflow_span v = span_trimmed(part, q);
    if (v.len > 0) {
      msg->via_count++;
      if (!msg->via.ptr) {
        msg->via = v;
        parse_via_parm(v.ptr, v.ptr + v.len, msg);
      }
    }
    if (q == end)
      return;
    part = ++q;
  }
}

void sf_parse_via_header(const char *p, const char *end, sipflow_message *msg)
{
  if (!msg->via.ptr && top_via_usual(p, end, false, msg))
    return;
  via_header_general(p, end, msg);
}
