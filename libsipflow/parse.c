/*
 * parse — zero-copy SIP message parser (RFC 3261 §7, §20, §25).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Modelled on picohttpparser: stateless, no allocation, every result is a
 * span into the caller's buffer, the buffer is not NUL-terminated and no byte
 * at or after buf + len is ever read.  One pass over the header block: each
 * line is found with memchr, its name classified by length and first letter,
 * and only the key headers are looked at more closely.
 *
 * Inside a header value the only CR/LF bytes are line folds (CRLF followed by
 * SP/HT, RFC 3261 §7.3.1), so the field parsers below simply treat CR and LF
 * as whitespace: a fold then reads as a space, as the RFC says it must.
 */
#include <string.h>

#include "parse_scan.h"
#include "sf_ctx.h"

/* ------------------------------------------------------ character classes */

/* Token characters (RFC 3261 §25.1) and the other byte classes come from
 * one read-only table shared with the framer (parse_scan.h). */

static bool is_wsp(char c)
{
  return sf_cc_is(c, SF_CC_WSP);
}

/* Whitespace inside a header value: a fold (CRLF WSP) counts as a space. */
static bool is_lws(char c)
{
  return sf_cc_is(c, SF_CC_LWS);
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static char lower(char c)
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

static const char *skip_lws(const char *p, const char *end)
{
  while (p < end && is_lws(*p))
    p++;
  return p;
}

static const char *skip_token(const char *p, const char *end)
{
  return sf_scan_class(p, end, SF_CC_TOKEN);
}

/* p is at an opening '"'; returns the position after the closing quote, or
 * NULL when the string is unterminated.  RFC 3261 §25.1 quoted-pair: a
 * backslash escapes the next byte. */
static bool is_quote_or_bslash(char c)
{
  return c == '"' || c == '\\';
}

static const char *quoted_end(const char *p, const char *end)
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

static sipflow_span span_trimmed(const char *p, const char *end)
{
  while (p < end && is_lws(*p))
    p++;
  while (end > p && is_lws(end[-1]))
    end--;
  return (sipflow_span){.ptr = p, .len = (size_t)(end - p)};
}

static sipflow_span span_of(const char *p, const char *end)
{
  return (sipflow_span){.ptr = p, .len = (size_t)(end - p)};
}

/* Parses 1+ decimal digits filling [p, end) exactly; false on anything else
 * or when the value exceeds max. */
static bool parse_uint(const char *p, const char *end, unsigned long max,
                       unsigned long *out)
{
  unsigned long v = 0;
  if (p == end)
    return false;
  for (; p < end; p++) {
    if (!is_digit(*p))
      return false;
    unsigned d = (unsigned)(*p - '0');
    if (v > (max - d) / 10)
      return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

/* ----------------------------------------------------------- header names */

/* Compact forms: RFC 3261 §7.3.3 and the IANA SIP header registry. */
static const char *const compact_names[26] = {
    ['a' - 'a'] = "Accept-Contact",   ['b' - 'a'] = "Referred-By",
    ['c' - 'a'] = "Content-Type",     ['d' - 'a'] = "Request-Disposition",
    ['e' - 'a'] = "Content-Encoding", ['f' - 'a'] = "From",
    ['i' - 'a'] = "Call-ID",          ['j' - 'a'] = "Reject-Contact",
    ['k' - 'a'] = "Supported",        ['l' - 'a'] = "Content-Length",
    ['m' - 'a'] = "Contact",          ['n' - 'a'] = "Identity-Info",
    ['o' - 'a'] = "Event",            ['r' - 'a'] = "Refer-To",
    ['s' - 'a'] = "Subject",          ['t' - 'a'] = "To",
    ['u' - 'a'] = "Allow-Events",     ['v' - 'a'] = "Via",
    ['x' - 'a'] = "Session-Expires",  ['y' - 'a'] = "Identity",
};

const char *sf_parse_compact_name(char c)
{
  c = lower(c);
  if (c < 'a' || c > 'z')
    return NULL;
  return compact_names[c - 'a'];
}

/* The headers whose values fill sipflow_message fields. */
typedef enum {
  HDR_OTHER = 0,
  HDR_CALL_ID,
  HDR_CSEQ,
  HDR_FROM,
  HDR_TO,
  HDR_VIA,
  HDR_CONTENT_LENGTH,
  HDR_CONTENT_TYPE,
  HDR_REASON,
  HDR_USER_AGENT,
  HDR_SERVER,
  HDR_CONTACT
} header_id;

static header_id classify_compact(char c)
{
  switch (lower(c)) {
  case 'i': return HDR_CALL_ID;
  case 'f': return HDR_FROM;
  case 't': return HDR_TO;
  case 'v': return HDR_VIA;
  case 'l': return HDR_CONTENT_LENGTH;
  case 'c': return HDR_CONTENT_TYPE;
  case 'm': return HDR_CONTACT;
  default: return HDR_OTHER;
  }
}

/* Switch on length, then first letter, so that most headers cost one or two
 * comparisons at most. */
static header_id classify_header(const char *n, size_t len)
{
  char c = lower(n[0]);

  switch (len) {
  case 1: return classify_compact(c);
  case 2: return c == 't' && span_ieq(n, len, "To") ? HDR_TO : HDR_OTHER;
  case 3: return c == 'v' && span_ieq(n, len, "Via") ? HDR_VIA : HDR_OTHER;
  case 4:
    if (c == 'f')
      return span_ieq(n, len, "From") ? HDR_FROM : HDR_OTHER;
    if (c == 'c')
      return span_ieq(n, len, "CSeq") ? HDR_CSEQ : HDR_OTHER;
    return HDR_OTHER;
  case 6:
    if (c == 's')
      return span_ieq(n, len, "Server") ? HDR_SERVER : HDR_OTHER;
    if (c == 'r')
      return span_ieq(n, len, "Reason") ? HDR_REASON : HDR_OTHER;
    return HDR_OTHER;
  case 7:
    if (c != 'c')
      return HDR_OTHER;
    if (span_ieq(n, len, "Call-ID"))
      return HDR_CALL_ID;
    return span_ieq(n, len, "Contact") ? HDR_CONTACT : HDR_OTHER;
  case 10: return c == 'u' && span_ieq(n, len, "User-Agent") ? HDR_USER_AGENT : HDR_OTHER;
  case 12: return c == 'c' && span_ieq(n, len, "Content-Type") ? HDR_CONTENT_TYPE : HDR_OTHER;
  case 14:
    return c == 'c' && span_ieq(n, len, "Content-Length") ? HDR_CONTENT_LENGTH : HDR_OTHER;
  default: return HDR_OTHER;
  }
}

/* A header name in its long form when it is a known compact letter. */
static const char *canonical_name(const char *p, size_t len, size_t *out_len)
{
  const char *lng = len == 1 ? sf_parse_compact_name(p[0]) : NULL;
  if (!lng) {
    *out_len = len;
    return p;
  }
  *out_len = strlen(lng); /* a static literal, not the input */
  return lng;
}

bool sf_parse_find_header(const sf_header *headers, size_t n, const char *name,
                          unsigned index, sipflow_span *value)
{
  size_t want_len;
  const char *want;

  if (!headers || !name || !name[0])
    return false;
  want = canonical_name(name, strlen(name), &want_len);
  for (size_t i = 0; i < n; i++) {
    size_t have_len;
    const char *have = canonical_name(headers[i].name.ptr, headers[i].name.len, &have_len);
    if (have_len != want_len)
      continue;
    bool equal = true;
    for (size_t k = 0; k < want_len && equal; k++)
      equal = lower(have[k]) == lower(want[k]);
    if (equal && index-- == 0) {
      *value = headers[i].value;
      return true;
    }
  }
  return false;
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
static const char *param_value_end(const char *p, const char *end)
{
  return sf_scan_until(p, end, sf_v16_ctl_sp_semi, sf_swar_ctl_sp_semi, is_param_end);
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

/* CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16).  The number must fit 32 bits;
 * anything else leaves the CSeq missing (cseq_method.ptr NULL). */
static void parse_cseq(const char *p, const char *end, sipflow_message *msg)
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
  const char *m = skip_lws(p, end);
  p = skip_token(m, end);
  if (p == m)
    return;
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
static void parse_name_addr(const char *p, const char *end, sipflow_span *uri,
                            sipflow_span *tag)
{
  const char *q = p;
  const char *params = end;

  for (;;) {
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
    *tag = span_of(params + 5, param_value_end(params + 5, end));
    return;
  }
  param prm;
  while (next_param(&params, end, &prm)) {
    if (span_ieq(prm.name.ptr, prm.name.len, "tag") && prm.value.ptr) {
      *tag = prm.value;
      return;
    }
  }
}

static bool is_sent_by_end(char c)
{
  return sf_cc_is(c, SF_CC_SENT_BY_END);
}

/* sent-by = host [ COLON port ]; host may be an IPv6 reference "[...]"
 * (RFC 3261 §20.42, §25.1).  Returns the position after sent-by. */
static const char *parse_sent_by(const char *p, const char *end, sipflow_span *out)
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
static void parse_via_parm(const char *p, const char *end, sipflow_message *msg)
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
      return;
    if (part == 2) {
      msg->via_transport = span_of(tok, p);
      break;
    }
    p = skip_lws(p, end);
    if (p == end || *p != '/')
      return;
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
  param prm;
  while (next_param(&p, end, &prm)) {
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
 * counted; the first one of the message is the top Via. */
static void parse_via_header(const char *p, const char *end, sipflow_message *msg)
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

static void parse_content_length(sipflow_span v, sipflow_message *msg)
{
  unsigned long n;
  /* Digits only; a bigger number than any message can be is "not numeric". */
  if (parse_uint(v.ptr, v.ptr + v.len, 0x7fffffffUL, &n))
    msg->content_length = (long)n;
}

static void set_first(sipflow_span *field, sipflow_span v)
{
  if (!field->ptr)
    *field = v;
}

/* Fills the message field(s) a key header maps to.  Only the first
 * occurrence counts, except Via, whose via-parms are all counted. */
static void take_key_header(header_id id, sipflow_span v, bool *seen, sipflow_message *msg)
{
  const char *end = v.ptr + v.len;

  if (id != HDR_VIA) {
    if (seen[id])
      return;
    seen[id] = true;
  }
  switch (id) {
  case HDR_CALL_ID:
    /* callid = word ["@" word] (§25.1): an empty one is as good as none. */
    if (v.len > 0)
      msg->call_id = v;
    break;
  case HDR_CSEQ: parse_cseq(v.ptr, end, msg); break;
  case HDR_FROM:
    msg->from = v;
    parse_name_addr(v.ptr, end, &msg->from_uri, &msg->from_tag);
    break;
  case HDR_TO:
    msg->to = v;
    parse_name_addr(v.ptr, end, &msg->to_uri, &msg->to_tag);
    break;
  case HDR_VIA: parse_via_header(v.ptr, end, msg); break;
  case HDR_CONTENT_LENGTH: parse_content_length(v, msg); break;
  case HDR_CONTENT_TYPE: set_first(&msg->content_type, v); break;
  case HDR_REASON: set_first(&msg->reason_header, v); break;
  case HDR_USER_AGENT: set_first(&msg->user_agent, v); break;
  case HDR_SERVER: set_first(&msg->server, v); break;
  case HDR_CONTACT: set_first(&msg->contact, v); break;
  case HDR_OTHER: break;
  }
}

/* ------------------------------------------------------------ start line */

/* At p a line must end: CRLF, bare LF, or the end of the buffer (a message
 * cut right after a line is accepted; a lone CR at the very end too). */
static const char *line_end(const char *p, const char *end)
{
  if (p == end)
    return end;
  if (*p == '\n')
    return p + 1;
  if (*p == '\r') {
    if (p + 1 == end)
      return end;
    if (p[1] == '\n')
      return p + 2;
  }
  return NULL;
}

static bool starts_with_sip_version(const char *p, const char *end)
{
  /* RFC 3261 §7.1: the SIP-Version string is case-insensitive. */
  if (end - p >= 8)
    return sf_swar_is_sip_version(p);
  return end - p >= 7 && span_ieq(p, 7, "SIP/2.0");
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF (§7.2).
 * An empty reason is allowed, with or without the SP before it. */
static const char *parse_status_line(const char *p, const char *end,
                                     sipflow_message *msg, const char **why)
{
  p += 7;
  if (end - p < 4 || *p != ' ' || !is_digit(p[1]) || !is_digit(p[2]) || !is_digit(p[3])) {
    *why = "bad status line";
    return NULL;
  }
  int code = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  if (code < 100 || code > 699) {
    *why = "status code out of range";
    return NULL;
  }
  msg->status = code;
  p += 4;
  if (p < end && *p == ' ')
    p++;
  else if (p < end && *p != '\r' && *p != '\n') {
    *why = "bad status line";
    return NULL;
  }
  const char *stop = sf_scan_lf(p, end);
  const char *r_end = (stop > p && stop[-1] == '\r') ? stop - 1 : stop;
  msg->reason = span_of(p, r_end);
  return stop < end ? stop + 1 : end;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF (§7.1). */
static const char *parse_request_line(const char *p, const char *end,
                                      sipflow_message *msg, const char **why)
{
  const char *m = p;
  p = skip_token(p, end);
  if (p == m || p == end || *p != ' ') {
    *why = "bad request line";
    return NULL;
  }
  const char *uri = ++p;
  p = sf_scan_sp_crlf(p, end);
  if (p == uri || p == end || *p != ' ') {
    *why = "bad request line";
    return NULL;
  }
  const char *uri_end = p++;
  const char *next;
  if (!starts_with_sip_version(p, end) || !(next = line_end(p + 7, end))) {
    *why = "bad request line: not SIP/2.0";
    return NULL;
  }
  msg->is_request = 1;
  msg->method = span_of(m, uri - 1);
  msg->request_uri = span_of(uri, uri_end);
  return next;
}

/* ------------------------------------------------------------ header block */

/* A header name in the spelling nearly every user agent uses, colon
 * included, at p (16 bytes readable): one compare of a constant length
 * instead of the token scan and the classification.  Sets *id and
 * *name_len; false for any other name, which takes the general path. */
#define KNOWN(lit, hid)                                                       \
  do {                                                                        \
    if (memcmp(p, lit, sizeof(lit) - 1) == 0) {                               \
      *id = (hid);                                                            \
      *name_len = sizeof(lit) - 2;                                            \
      return true;                                                            \
    }                                                                         \
  } while (0)

static bool known_header(const char *p, header_id *id, size_t *name_len)
{
  switch (p[0]) {
  case 'V': KNOWN("Via:", HDR_VIA); break;
  case 'F': KNOWN("From:", HDR_FROM); break;
  case 'T': KNOWN("To:", HDR_TO); break;
  case 'C':
    switch (p[1]) {
    case 'a': KNOWN("Call-ID:", HDR_CALL_ID); break;
    case 'S': KNOWN("CSeq:", HDR_CSEQ); break;
    case 'o':
      if (p[4] == 'a')
        KNOWN("Contact:", HDR_CONTACT);
      else if (p[8] == 'L')
        KNOWN("Content-Length:", HDR_CONTENT_LENGTH);
      else
        KNOWN("Content-Type:", HDR_CONTENT_TYPE);
      break;
    }
    break;
  case 'M': KNOWN("Max-Forwards:", HDR_OTHER); break;
  case 'A': KNOWN("Allow:", HDR_OTHER); break;
  case 'S':
    if (p[1] == 'u')
      KNOWN("Supported:", HDR_OTHER);
    else if (p[1] == 'e' && p[2] == 'r')
      KNOWN("Server:", HDR_SERVER);
    else
      KNOWN("Session-Expires:", HDR_OTHER);
    break;
  case 'U': KNOWN("User-Agent:", HDR_USER_AGENT); break;
  case 'R':
    if (p[1] == 'o')
      KNOWN("Route:", HDR_OTHER);
    else if (p[2] == 'c')
      KNOWN("Record-Route:", HDR_OTHER);
    else
      KNOWN("Reason:", HDR_REASON);
    break;
  }
  return false;
}

#undef KNOWN

/* Reads one header line (with its folded continuation lines) at p, which is
 * at a non-empty line.  Fills *h and *id; returns the start of the next
 * line, or NULL when the line is not "token *WSP ':' value" (RFC 3261
 * §7.3.1, HCOLON allows whitespace before the colon). */
static const char *parse_header_line(const char *p, const char *end, sf_header *h,
                                     header_id *id, const char **why)
{
  const char *name = p;
  size_t name_len;

  if (end - p >= 16 && known_header(p, id, &name_len)) {
    h->name = span_of(name, name + name_len);
    p += name_len + 1;
  } else {
    p = skip_token(p, end);
    if (p == name) {
      *why = is_wsp(*name) ? "continuation line without a header" : "bad header name";
      return NULL;
    }
    h->name = span_of(name, p);
    *id = classify_header(name, (size_t)(p - name));
    while (p < end && is_wsp(*p))
      p++;
    if (p == end || *p != ':') {
      *why = "header line without a colon";
      return NULL;
    }
    p++;
  }
  while (p < end && is_wsp(*p))
    p++;

  const char *nl = sf_scan_lf(p, end);
  /* The usual line: a value ending in a non-blank byte, CRLF, and no fold
   * after it.  The general loop below gives the same span. */
  if (nl - p >= 2 && end - nl >= 2 && nl[-1] == '\r' && !sf_cc_is(nl[-2], SF_CC_TRAIL) &&
      !is_wsp(nl[1])) {
    h->value = span_of(p, nl - 1);
    return nl + 1;
  }

  /* The value runs over continuation lines; it starts at the first non-white
   * byte and ends after the last one, raw folds included. */
  const char *v_start = NULL, *v_end = p;
  for (;;) {
    const char *e = nl;
    while (e > p && sf_cc_is(e[-1], SF_CC_TRAIL))
      e--;
    if (e > p) {
      if (!v_start)
        v_start = p;
      v_end = e;
    }
    p = nl < end ? nl + 1 : end;
    if (p == end || !is_wsp(*p))
      break;
    while (p < end && is_wsp(*p))
      p++;
    nl = sf_scan_lf(p, end);
  }
  if (!v_start)
    v_start = v_end; /* empty value: zero-length span right after the colon */
  h->value = span_of(v_start, v_end);
  return p;
}

int sf_parse_message(const char *buf, size_t len, bool stream, sipflow_message *msg,
                     sf_header *headers, size_t *num_headers, const char **why)
{
  const char *end = buf + len;
  const char *p;
  size_t cap = (headers && num_headers) ? *num_headers : 0;
  size_t stored = 0;
  bool seen[HDR_CONTACT + 1] = {false};
  const char *dummy_why;

  if (!why)
    why = &dummy_why;
  *why = NULL;
  if (num_headers)
    *num_headers = 0;
  if (!msg) {
    *why = "no message";
    return SIPFLOW_ERR_INVALID;
  }
  memset(msg, 0, sizeof *msg);
  msg->content_length = -1;
  msg->via_rport = -1;
  msg->raw = buf;
  if (!buf || len == 0) {
    *why = "empty message";
    return SIPFLOW_ERR_MALFORMED;
  }

  p = starts_with_sip_version(buf, end) ? parse_status_line(buf, end, msg, why)
                                        : parse_request_line(buf, end, msg, why);
  if (!p)
    return SIPFLOW_ERR_MALFORMED;

  /* Header lines until the empty line.  A datagram may simply end after its
   * last header line: then there is no body.  Each line is parsed straight
   * into the caller's array while there is room. */
  const char *body = NULL;
  sf_header spare;
  while (p < end) {
    const char *after_empty = line_end(p, end);
    if (after_empty) {
      body = after_empty;
      break;
    }
    sf_header *h = stored < cap ? &headers[stored] : &spare;
    header_id id;
    p = parse_header_line(p, end, h, &id, why);
    if (!p)
      return SIPFLOW_ERR_MALFORMED;
    if (h != &spare)
      stored++;
    if (id != HDR_OTHER)
      take_key_header(id, h->value, seen, msg);
  }
  if (num_headers)
    *num_headers = stored;

  size_t body_len = 0;
  if (body) {
    body_len = (size_t)(end - body);
    /* RFC 3261 §18.3: over a datagram, bytes beyond Content-Length are
     * discarded; a Content-Length larger than what arrived is not trusted.
     * A stream framer has already cut the buffer at Content-Length. */
    if (!stream && msg->content_length >= 0 && (size_t)msg->content_length < body_len)
      body_len = (size_t)msg->content_length;
    if (body_len > 0)
      msg->body = span_of(body, body + body_len);
    msg->raw_len = (size_t)(body - buf) + body_len;
  } else {
    msg->raw_len = len;
  }
  return SIPFLOW_OK;
}
