/*
 * parse — zero-copy SIP message parser (RFC 3261 §7, §20, §25).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Modelled on picohttpparser: stateless, no allocation, every result is a
 * span into the caller's buffer, the buffer is not NUL-terminated and no byte
 * at or after buf + len is ever read.  One pass over the header block: the
 * usual header names are recognised with one compare, the others classified
 * by length and first letter.  The key headers in their usual spelling (top
 * Via, Call-ID, From, To, CSeq, Content-Length) are read from their value
 * on while their line end is found (take_key_line, parse_usual.h); the
 * other lines' ends are found 16 or 32 bytes at a time (parse_scan.h), and
 * the key headers among them looked at more closely after that.
 *
 * Inside a header value the only CR/LF bytes are line folds (CRLF followed by
 * SP/HT, RFC 3261 §7.3.1), so the field parsers simply treat CR and LF as
 * whitespace: a fold then reads as a space, as the RFC says it must.
 */
#include <string.h>

#include "parse_usual.h"
#include "sf_ctx.h"

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
  HDR_CONTACT,
  /* not message fields: noted in sf_header_marks for later stages */
  HDR_X_CALL_ID,
  HDR_X_CID,
  HDR_SESSION_ID /* last: sizes the "already taken" flags of sf_parse_message */
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
  case 5: return c == 'x' && span_ieq(n, len, "X-CID") ? HDR_X_CID : HDR_OTHER;
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
  case 9: return c == 'x' && span_ieq(n, len, "X-Call-ID") ? HDR_X_CALL_ID : HDR_OTHER;
  case 10:
    if (c == 'u')
      return span_ieq(n, len, "User-Agent") ? HDR_USER_AGENT : HDR_OTHER;
    return c == 's' && span_ieq(n, len, "Session-ID") ? HDR_SESSION_ID : HDR_OTHER;
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

static void parse_content_length(sipflow_span v, sipflow_message *msg)
{
  unsigned long n;
  /* Digits only; a bigger number than any message can be is "not numeric". */
  if (parse_uint(v.ptr, v.ptr + v.len, 0x7fffffffUL, &n))
    msg->content_length = (long)n;
}

/* Fills the message field(s) a key header maps to, or notes it in *marks
 * (may be NULL).  Only the first occurrence counts, except Via, whose
 * via-parms are all counted. */
static void take_key_header(header_id id, sipflow_span v, bool *seen,
                            sipflow_message *msg, sf_header_marks *marks)
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
  case HDR_CSEQ: sf_parse_cseq(msg->raw, v.ptr, end, msg); break;
  case HDR_FROM:
    msg->from = v;
    sf_parse_name_addr(v.ptr, end, &msg->from_uri, &msg->from_tag);
    break;
  case HDR_TO:
    msg->to = v;
    sf_parse_name_addr(v.ptr, end, &msg->to_uri, &msg->to_tag);
    break;
  case HDR_VIA: sf_parse_via_header(v.ptr, end, msg); break;
  case HDR_CONTENT_LENGTH: parse_content_length(v, msg); break;
  /* the first occurrence only, as seen[] made sure */
  case HDR_CONTENT_TYPE: msg->content_type = v; break;
  case HDR_REASON: msg->reason_header = v; break;
  case HDR_USER_AGENT: msg->user_agent = v; break;
  case HDR_SERVER: msg->server = v; break;
  case HDR_CONTACT: msg->contact = v; break;
  case HDR_X_CALL_ID:
    if (marks)
      marks->x_call_id = v;
    break;
  case HDR_X_CID:
    if (marks)
      marks->x_cid = v;
    break;
  case HDR_SESSION_ID:
    if (marks)
      marks->session_id = v;
    break;
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

/* The start line as the framer read it (see sf_start_line): the same
 * fields the two functions above fill, without reading the line again.
 * Only the status code's range is left to check. */
static const char *take_start_line(const char *buf, const sf_start_line *s,
                                   sipflow_message *msg, const char **why)
{
  if (s->method_end) {
    msg->is_request = 1;
    msg->method = span_of(buf, buf + s->method_end);
    msg->request_uri = span_of(buf + s->method_end + 1, buf + s->uri_end);
    return buf + s->next;
  }
  int code = (buf[8] - '0') * 100 + (buf[9] - '0') * 10 + (buf[10] - '0');
  if (code < 100 || code > 699) {
    *why = "status code out of range";
    return NULL;
  }
  msg->status = code;
  msg->reason = span_of(buf + 12, buf + s->text_end);
  return buf + s->next;
}

/* ------------------------------------------------------------ header block */

/* A header name in the spelling nearly every user agent uses, with the
 * colon and the one SP after it, at p (17 bytes readable): one compare of
 * a constant length instead of the token scan and the classification, and
 * the value starts right after it.  Sets *id and *name_len; false for any
 * other name or spacing, which takes the general path. */
#define KNOWN(lit, hid)                                                       \
  do {                                                                        \
    if (memcmp(p, lit, sizeof(lit) - 1) == 0) {                               \
      *id = (hid);                                                            \
      *name_len = sizeof(lit) - 3;                                            \
      return true;                                                            \
    }                                                                         \
  } while (0)

static bool known_header(const char *p, header_id *id, size_t *name_len)
{
  switch (p[0]) {
  case 'V': KNOWN("Via: ", HDR_VIA); break;
  case 'F': KNOWN("From: ", HDR_FROM); break;
  case 'T': KNOWN("To: ", HDR_TO); break;
  case 'C':
    switch (p[1]) {
    case 'a': KNOWN("Call-ID: ", HDR_CALL_ID); break;
    case 'S': KNOWN("CSeq: ", HDR_CSEQ); break;
    case 'o':
      if (p[4] == 'a')
        KNOWN("Contact: ", HDR_CONTACT);
      else if (p[8] == 'L')
        KNOWN("Content-Length: ", HDR_CONTENT_LENGTH);
      else
        KNOWN("Content-Type: ", HDR_CONTENT_TYPE);
      break;
    }
    break;
  case 'M': KNOWN("Max-Forwards: ", HDR_OTHER); break;
  case 'A': KNOWN("Allow: ", HDR_OTHER); break;
  case 'S':
    if (p[1] == 'u')
      KNOWN("Supported: ", HDR_OTHER);
    else if (p[1] == 'e' && p[2] == 'r')
      KNOWN("Server: ", HDR_SERVER);
    else
      KNOWN("Session-Expires: ", HDR_OTHER);
    break;
  case 'U': KNOWN("User-Agent: ", HDR_USER_AGENT); break;
  case 'R':
    if (p[1] == 'o')
      KNOWN("Route: ", HDR_OTHER);
    else if (p[2] == 'c')
      KNOWN("Record-Route: ", HDR_OTHER);
    else
      KNOWN("Reason: ", HDR_REASON);
    break;
  }
  return false;
}

#undef KNOWN

/* Content-Length: digits, as parse_content_length takes them, ending the
 * line; NULL for anything else (a number too large for it among them). */
static inline const char *content_length_line(const char *v, const char *end,
                                              sipflow_message *msg)
{
  const char *q = v;
  uint64_t n = 0;
  for (; q < end && is_digit(*q); q++) {
    n = n * 10 + (uint64_t)(*q - '0');
    if (n > 0x7fffffffUL)
      return NULL;
  }
  if (q == v || !sf_crlf_ends_line(q, end))
    return NULL;
  msg->content_length = (long)n;
  return q;
}

static bool is_ctl_sp(char c)
{
  return (unsigned char)c <= 0x20;
}

/* Call-ID: callid = word ["@" word] (RFC 3261 §25.1), no blank or control
 * byte in it, so its end is the first such byte, which must be the CR
 * ending the line: one scan where the usual path scans for the LF and then
 * takes the value.  NULL for anything else (an empty value among them). */
static inline const char *call_id_line(const char *lo, const char *v, const char *end,
                                       sipflow_message *msg)
{
  const char *cr = sf_scan_first(lo, v, end, sf_v16_ctl_sp, is_ctl_sp);
  if (cr == v || !sf_crlf_ends_line(cr, end))
    return NULL;
  msg->call_id = span_of(v, cr);
  return cr;
}

static bool is_ctl(char c)
{
  return (unsigned char)c < 0x20;
}

/* A header whose value is kept as it is (Content-Type, User-Agent, Server,
 * Contact, Reason): it ends at its first control byte, which must be the CR
 * ending the line, after a byte that is no blank (else the usual path trims
 * it).  One scan where the usual path scans for the LF and then hands the
 * value on.  NULL for anything else (an empty value among them). */
static inline const char *span_line(const char *lo, const char *v, const char *end,
                                    sipflow_span *field)
{
  const char *cr = sf_scan_first(lo, v, end, sf_v16_ctl, is_ctl);
  if (cr == v || cr[-1] == ' ' || !sf_crlf_ends_line(cr, end))
    return NULL;
  *field = span_of(v, cr);
  return cr;
}

/* The key header lines whose values are read while their line end is
 * found (the *_line functions, parse_usual.h and parse_fields.h), in their
 * usual spelling:
 * the top Via, the first Call-ID, From, To, CSeq and Content-Length, and
 * the first of the headers kept as they are (span_line).  Each
 * saves the scan of the value for its LF and reading it again.  Returns the
 * CR ending the value, the header taken as take_key_header would take the
 * value up to it; NULL when the line is to be read the usual way (nothing
 * set). */
static SF_ALWAYS_INLINE const char *take_key_line(header_id id, const char *v, const char *end,
                                                  bool *seen, sipflow_message *msg)
{
  const char *cr = NULL;
  switch (id) {
  case HDR_VIA:
    return msg->via.ptr ? NULL : sf_parse_via_line(v, end, msg);
  case HDR_FROM:
    if (!seen[id] && (cr = sf_parse_name_addr_line(v, end, &msg->from_uri, &msg->from_tag)))
      msg->from = span_of(v, cr);
    break;
  case HDR_TO:
    if (!seen[id] && (cr = sf_parse_name_addr_line(v, end, &msg->to_uri, &msg->to_tag)))
      msg->to = span_of(v, cr);
    break;
  case HDR_CSEQ:
    if (!seen[id])
      cr = sf_parse_cseq_line(v, end, msg);
    break;
  case HDR_CONTENT_LENGTH:
    if (!seen[id])
      cr = content_length_line(v, end, msg);
    break;
  case HDR_CALL_ID:
    if (!seen[id])
      cr = call_id_line(msg->raw, v, end, msg);
    break;
  case HDR_CONTENT_TYPE:
    if (!seen[id])
      cr = span_line(msg->raw, v, end, &msg->content_type);
    break;
  case HDR_USER_AGENT:
    if (!seen[id])
      cr = span_line(msg->raw, v, end, &msg->user_agent);
    break;
  case HDR_SERVER:
    if (!seen[id])
      cr = span_line(msg->raw, v, end, &msg->server);
    break;
  case HDR_CONTACT:
    if (!seen[id])
      cr = span_line(msg->raw, v, end, &msg->contact);
    break;
  case HDR_REASON:
    if (!seen[id])
      cr = span_line(msg->raw, v, end, &msg->reason_header);
    break;
  default: break;
  }
  if (cr)
    seen[id] = true;
  return cr;
}

/* Reads one header line (with its folded continuation lines) at p, which is
 * at a non-empty line.  Fills *h and *id;
 * returns the start of the next line, or NULL when the line is not
 * "token *WSP ':' value" (RFC 3261 §7.3.1, HCOLON allows whitespace before
 * the colon).  Always inline: its one caller is the header loop, and -O3
 * otherwise keeps it a call per line, with seen[] and *id in memory. */
static SF_ALWAYS_INLINE const char *parse_header_line(const char *p, const char *end,
                                                      sf_header *h, header_id *id, bool *seen,
                                                      sipflow_message *msg, const char **why)
{
  const char *name = p;
  size_t name_len;

  /* known_header reads up to 17 bytes ("Session-Expires: "); one more
   * must exist for the blank test below. */
  if (end - p > 17 && known_header(p, id, &name_len)) {
    h->name = span_of(name, name + name_len);
    p += name_len + 2; /* past ": ", at most 17 bytes in: p < end still */
    if (is_wsp(*p))    /* more blanks: rare */
      while (p < end && is_wsp(*p))
        p++;
    const char *cr = take_key_line(*id, p, end, seen, msg);
    if (cr) {
      h->value = span_of(p, cr);
      *id = HDR_OTHER; /* taken */
      return cr + 2;
    }
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
    while (p < end && is_wsp(*p))
      p++;
  }
  /* The name, the colon and the blanks hold no LF: the line's LF is the
   * first one from the value on, and the scan skips the name's bytes. */
  const char *nl = sf_scan_lf(p, end);

  /* The usual line: a value ending in a non-blank byte, CRLF, and no fold
   * after it.  The general loop below gives the same span.  nl - 2 is
   * readable (the name and the colon lie before p); when the value is empty
   * (p at the CR) nl[-2] is the colon, or a blank before p which takes the
   * general loop: both give the empty span at p. */
  if (end - nl >= 2 && nl[-1] == '\r' && !sf_cc_is(nl[-2], SF_CC_TRAIL) && !is_wsp(nl[1])) {
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

/* memset(msg, 0, sizeof *msg) for every message: with SSE2, in 16-byte
 * stores, which takes half the instructions of the "rep stos" compilers
 * emit for a struct this size. */
static inline void clear_message(sipflow_message *msg)
{
#ifdef SF_HAVE_V16
  char *d = (char *)msg;
  const __m128i zero = _mm_setzero_si128();
  size_t i = 0;
#pragma GCC unroll 32
  for (; i + 16 <= sizeof *msg; i += 16)
    _mm_storeu_si128((__m128i *)(void *)(d + i), zero);
  if (i < sizeof *msg)
    memset(d + i, 0, sizeof *msg - i);
#else
  memset(msg, 0, sizeof *msg);
#endif
}

/* The array is full: a noted header may lie past it, then its span is
 * cleared (as if looked for in the array only).  Values follow each other
 * in the buffer, so one past the last stored one is later than its value.
 * Not inline: this rare path stays out of the per-message code. */
__attribute__((noinline)) static void unmark_past_array(sf_header_marks *marks,
                                                        const sf_header *headers, size_t cap)
{
  const char *last = cap ? headers[cap - 1].value.ptr : NULL;
  sipflow_span *spans[] = {&marks->x_call_id, &marks->x_cid, &marks->session_id};
  const bool have[] = {marks->have_x_call_id, marks->have_x_cid, marks->have_session_id};

  for (size_t i = 0; i < G_N_ELEMENTS(spans); i++)
    if (have[i] && (!last || spans[i]->ptr > last))
      *spans[i] = (sipflow_span){NULL, 0};
}

int sf_parse_message(const char *buf, size_t len, bool stream, const sf_start_line *start,
                     sipflow_message *msg, sf_header *headers, size_t *num_headers,
                     sf_header_marks *marks, const char **why)
{
  const char *end = buf + len;
  const char *p;
  size_t cap = (headers && num_headers) ? *num_headers : 0;
  /* the caller's array: its next free entry and its end */
  sf_header *next_h = cap ? headers : NULL, *end_h = cap ? headers + cap : NULL;
  /* per header_id: already taken (a byte each: tested and set with one
   * instruction, where a bit took five) */
  bool seen[HDR_SESSION_ID + 1] = {false};
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
  clear_message(msg);
  msg->content_length = -1;
  msg->via_rport = -1;
  msg->raw = buf;
  if (!buf || len == 0) {
    *why = "empty message";
    return SIPFLOW_ERR_MALFORMED;
  }

  if (start && start->next && start->next <= len)
    p = take_start_line(buf, start, msg, why);
  else if (starts_with_sip_version(buf, end))
    p = parse_status_line(buf, end, msg, why);
  else
    p = parse_request_line(buf, end, msg, why);
  if (!p)
    return SIPFLOW_ERR_MALFORMED;

  /* Header lines until the empty line.  A datagram may simply end after its
   * last header line: then there is no body.  Each line is parsed straight
   * into the caller's array while there is room. */
  const char *body = NULL;
  sf_header spare;
  while (p < end) {
    /* The empty line ending the block: LF, CRLF, or a CR ending the buffer.
     * One compare for the usual header line (a name starts above '\r'). */
    if ((unsigned char)*p <= '\r' &&
        (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n')))) {
      body = *p == '\n' || p + 1 == end ? p + 1 : p + 2;
      break;
    }
    sf_header *h = next_h < end_h ? next_h++ : &spare;
    header_id id;
    p = parse_header_line(p, end, h, &id, seen, msg, why);
    if (!p)
      return SIPFLOW_ERR_MALFORMED;
    if (id != HDR_OTHER)
      take_key_header(id, h->value, seen, msg, marks);
  }
  size_t stored = cap ? (size_t)(next_h - headers) : 0;
  if (num_headers)
    *num_headers = stored;
  if (marks) {
    /* the spans of the absent ones are left unset */
    marks->have_x_call_id = seen[HDR_X_CALL_ID];
    marks->have_x_cid = seen[HDR_X_CID];
    marks->have_session_id = seen[HDR_SESSION_ID];
    if (stored == cap)
      unmark_past_array(marks, headers, cap);
  }

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
