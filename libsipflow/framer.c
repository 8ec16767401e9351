/*
 * Framer: content rules that tell where a SIP message starts and ends in a
 * byte stream.  Shared by UDP (is it SIP at all?) and TCP (message
 * boundaries, resynchronisation).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Nothing here allocates and nothing assumes NUL termination: every read is
 * checked against the length given.
 */
#include <string.h>

#include "parse_scan.h"
#include "sf_internal.h"

/* A start line longer than this is not SIP (real ones are < 1 KiB); it also
 * bounds how long a stream waits for the end of a line that looks like one. */
#define SF_FRAMER_MAX_LINE 8192
/* Methods are short tokens; a longer run of token characters is not a
 * method, which rejects text and binary junk early. */
#define SF_FRAMER_MAX_METHOD 64
/* Above this a Content-Length is absurd whatever the configured limits. */
#define SF_FRAMER_MAX_CONTENT_LENGTH 0x7fffffffL

enum { NEED_MORE = -1, NO = 0, YES = 1 };

/* RFC 3261 §25.1 token characters, from the class table shared with the
 * parser: methods are scanned on every datagram. */
static bool is_token_char(unsigned char c)
{
  return sf_cc_is((char)c, SF_CC_TOKEN);
}

static bool is_lws(unsigned char c)
{
  return c == ' ' || c == '\t';
}

/* ASCII lower case, inline: g_ascii_tolower() is a call per byte. */
static inline unsigned char lower(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Compares buf[*i..] with the case-insensitive literal `lit`.  YES and *i
 * moved past it, NO on a mismatch, NEED_MORE when buf ends first.  The slow
 * path of the version checks below, for buffers too short for one load. */
static int match_ci(const char *buf, size_t len, size_t *i, const char *lit)
{
  for (; *lit; lit++, (*i)++) {
    if (*i >= len)
      return NEED_MORE;
    if (lower((unsigned char)buf[*i]) != lower((unsigned char)*lit))
      return NO;
  }
  return YES;
}

/* "SIP/2.0" (case-insensitive) at buf[*i], as match_ci does. */
static inline int match_version(const char *buf, size_t len, size_t *i)
{
  if (len - *i >= 8) {
    if (!sf_swar_is_sip_version(buf + *i))
      return NO;
    *i += 7;
    return YES;
  }
  return match_ci(buf, len, i, "SIP/2.0");
}

/* The end of a start line at buf[i]: optional trailing blanks, then CRLF or
 * a bare LF (tolerated like most stacks do). */
static int match_line_end(const char *buf, size_t len, size_t i)
{
  while (i < len && is_lws((unsigned char)buf[i]))
    i++;
  if (i >= len)
    return NEED_MORE;
  if (buf[i] == '\n')
    return YES;
  if (buf[i] != '\r')
    return NO;
  if (i + 1 >= len)
    return NEED_MORE;
  return buf[i + 1] == '\n' ? YES : NO;
}

/* match_line_end with the common case first: CRLF right at buf[i]. */
static inline int line_end_at(const char *buf, size_t len, size_t i)
{
  if (len - i >= 2 && buf[i] == '\r' && buf[i + 1] == '\n')
    return YES;
  return match_line_end(buf, len, i);
}

static bool is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}

#ifdef SF_HAVE_V16
/* Exactly the CRs and LFs of the 16 bytes at p. */
static inline unsigned v16_cr_lf(const char *p)
{
  return sf_v16_eq(p, '\r') | sf_v16_eq(p, '\n');
}
#else
#define v16_cr_lf NULL
#endif

/* RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
 * CRLF.  An empty reason (with or without its SP) is tolerated.  buf starts
 * with 's' or 'S'. */
static SF_ALWAYS_INLINE int status_line(const char *buf, size_t len, sf_start_line *out)
{
  size_t i = 0;
  int r;

  if (len >= 16) {
    /* The usual case in two loads: "SIP/2.0 " and three digits. */
    uint64_t w0 = sf_swar_load(buf), w1 = sf_swar_load(buf + 8);
    uint64_t digits = w1 & 0xffffff;
    if ((w0 | 0x202020) != 0x20302e322f706973ULL) /* "sip/2.0 " */
      return NO;
    if ((digits & 0xf0f0f0) != 0x303030 || ((digits + 0x060606) & 0xf0f0f0) != 0x303030)
      return NO;
    i = 11;
    goto reason;
  }
  r = match_version(buf, len, &i);
  if (r != YES)
    return r;
  if (i >= len)
    return NEED_MORE;
  if (buf[i++] != ' ')
    return NO;
  for (int d = 0; d < 3; d++, i++) {
    if (i >= len)
      return NEED_MORE;
    if (!is_digit((unsigned char)buf[i]))
      return NO;
  }
reason:
  if (i >= len)
    return NEED_MORE;
  if (buf[i] != ' ')
    return match_line_end(buf, len, i);
  /* Reason-Phrase: RFC 3261 §25.1 allows text, SP and HTAB only, but a
   * tool looking at broken devices takes any byte up to the line end, as
   * Wireshark does (issue 6); the output stages escape what they print. */
  /* the first CR or LF: one mask flags exactly them, no byte to check */
  const char *e = sf_scan_first(buf, buf + i + 1, buf + len, v16_cr_lf, sf_is_crlf);
  if (e == buf + len)
    return NEED_MORE;
  size_t at = (size_t)(e - buf);
  r = line_end_at(buf, len, at);
  if (out && r == YES && i == 11 && len - at >= 2 && e[0] == '\r' && e[1] == '\n')
    *out = (sf_start_line){.text_end = (uint32_t)at, .next = (uint32_t)at + 2};
  return r;
}

/* What ends a Request-URI in a start line: SP, or a byte that makes the
 * line not SIP (control byte, DEL). */
static bool is_uri_stop(char c)
{
  return (unsigned char)c <= 0x20 || c == 0x7f;
}

/* Length of a method of 1-7 upper-case letters followed by SP in the first
 * 8 bytes (w, as loaded), else 0: every standard method but REGISTER and
 * SUBSCRIBE, checked without a loop.  Adding 0x25 to a byte sets its high
 * bit above 'Z', adding 0x3f sets it from 'A' on; the bytes are below 0x80
 * once the first test passed, so no addition carries into the next byte. */
static inline size_t upper_method_len(uint64_t w)
{
  uint64_t sp = sf_swar_eq(w, ' ');
  if (!sp)
    return 0;
  unsigned k = sf_swar_first(sp);
  if (k == 0)
    return 0;
  uint64_t highs = SF_SWAR_HIGHS & ((1ULL << (8 * k)) - 1);
  if (((w | (w + 0x25 * SF_SWAR_ONES)) & highs) != 0)
    return 0;
  if (((w + 0x3f * SF_SWAR_ONES) & highs) != highs)
    return 0;
  return k;
}

/* RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF,
 * Method any token (extension methods, §27.4). */
static SF_ALWAYS_INLINE int request_line(const char *buf, size_t len, sf_start_line *out)
{
  size_t i = len >= 16 ? upper_method_len(sf_swar_load(buf)) : 0;

  if (i == 0) {
    while (i < len && is_token_char((unsigned char)buf[i]))
      if (++i > SF_FRAMER_MAX_METHOD)
        return NO;
    if (i >= len)
      return NEED_MORE;
    if (i == 0 || buf[i] != ' ')
      return NO;
  }
  /* The Request-URI ends at SP; no control byte, SP or DEL inside. */
  size_t uri = ++i;
  const char *e = sf_scan_until(buf + i, buf + len, sf_v16_ctl_sp_del, sf_swar_ctl_sp_del,
                                is_uri_stop);
  i = (size_t)(e - buf);
  if (i >= len)
    return NEED_MORE;
  if (buf[i] != ' ' || i == uri)
    return NO;
  size_t uri_end = i++;
  int r = match_version(buf, len, &i);
  if (r != YES)
    return r;
  if (len - i >= 2 && buf[i] == '\r' && buf[i + 1] == '\n') {
    if (out)
      *out = (sf_start_line){.method_end = (uint32_t)uri - 1,
                             .uri_end = (uint32_t)uri_end,
                             .next = (uint32_t)i + 2};
    return YES;
  }
  return match_line_end(buf, len, i);
}

/* sf_framer_is_sip_start, and the line's layout into *out (when not NULL)
 * for the parser.  Inlined in both: the NULL case folds away. */
static SF_ALWAYS_INLINE int sip_start(const char *buf, size_t len, sf_start_line *out)
{
  if (!buf || len == 0)
    return NEED_MORE;
  /* Fast reject: a start line begins with a method token or "SIP/2.0";
   * RTP (first byte 0x80-0xbf), TLS records and other binary are out at
   * the first byte. */
  unsigned char c = (unsigned char)buf[0];
  if (!is_token_char(c))
    return NO;
  size_t scan = MIN(len, (size_t)SF_FRAMER_MAX_LINE);
  int r = NO;
  if ((c | 0x20) == 's')
    r = status_line(buf, scan, out);
  if (r == NO)
    r = request_line(buf, scan, out);
  if (r == NEED_MORE && len >= SF_FRAMER_MAX_LINE)
    return NO; /* no line end within the limit: not SIP */
  return r;
}

int sf_framer_is_sip_start(const char *buf, size_t len)
{
  return sip_start(buf, len, NULL);
}

int sf_framer_start_line(const char *buf, size_t len, sf_start_line *start)
{
  /* filled on YES only: zero on every other answer */
  *start = (sf_start_line){0};
  return sip_start(buf, len, start);
}

long sf_framer_find_start(const char *buf, size_t len)
{
  size_t pos = 0;

  if (!buf)
    return -1;
  while (pos < len) {
    if (is_token_char((unsigned char)buf[pos]) &&
        sf_framer_is_sip_start(buf + pos, len - pos) != NO)
      return (long)pos;
    const char *nl = memchr(buf + pos, '\n', len - pos);
    if (!nl)
      return -1;
    pos = (size_t)(nl - buf) + 1;
  }
  return -1;
}

/* Value of a Content-Length header: digits between optional linear white
 * space, which may include folding (RFC 3261 §7.3.1).  Returns the value,
 * -1 when not a number, -2 when absurdly large. */
static long content_length_value(const char *v, size_t n)
{
  size_t i = 0;
  long value = 0;

  while (i < n && g_ascii_isspace((unsigned char)v[i]))
    i++;
  size_t digits = i;
  for (; i < n && g_ascii_isdigit((unsigned char)v[i]); i++) {
    if (value > SF_FRAMER_MAX_CONTENT_LENGTH / 10)
      return -2;
    value = value * 10 + (v[i] - '0');
  }
  if (i == digits)
    return -1;
  if (value > SF_FRAMER_MAX_CONTENT_LENGTH)
    return -2;
  while (i < n && g_ascii_isspace((unsigned char)v[i]))
    i++;
  return i == n ? value : -1;
}

/* The usual Content-Length value: 1 to 9 digits (no overflow to check)
 * and the CRLF ending the line, as content_length_value reads it without
 * its calls per byte; -1 for any other, which takes content_length_value. */
static inline long usual_value(const char *v, size_t n)
{
  size_t i = 0;
  long value = 0;
  for (; i < n && i < 9 && is_digit((unsigned char)v[i]); i++)
    value = value * 10 + (v[i] - '0');
  if (i == 0 || n - i != 2 || v[i] != '\r' || v[i + 1] != '\n')
    return -1;
  return value;
}

/* If the logical header line [line, line+n) is Content-Length (or the
 * compact "l"), stores its value (see content_length_value) and returns true.
 * RFC 3261 §25.1: HCOLON = *( SP / HTAB ) ":" SWS, so blanks may precede
 * the colon. */
static bool content_length_header(const char *line, size_t n, long *value)
{
  size_t i = 0;

  /* The usual spelling: the name scan and the compares below give the
   * same for it. */
  if (n > 16 && memcmp(line, "Content-Length: ", 16) == 0) {
    *value = usual_value(line + 16, n - 16);
    if (*value < 0)
      *value = content_length_value(line + 15, n - 15);
    return true;
  }
  while (i < n && is_token_char((unsigned char)line[i]))
    i++;
  size_t name_len = i;
  while (i < n && is_lws((unsigned char)line[i]))
    i++;
  if (i >= n || line[i] != ':')
    return false;
  /* The usual spelling first: the call costs twenty times the compare. */
  bool match = (name_len == 1 && g_ascii_tolower((unsigned char)line[0]) == 'l') ||
               (name_len == 14 && (memcmp(line, "Content-Length", 14) == 0 ||
                                   g_ascii_strncasecmp(line, "content-length", 14) == 0));
  if (!match)
    return false;
  *value = content_length_value(line + i + 1, n - i - 1);
  return true;
}

/* The first LF from pos on, or len: inline, not memchr, as header lines
 * are short and the call and its set-up cost more than the scan itself. */
static inline size_t next_lf(const char *buf, size_t len, size_t pos)
{
  return (size_t)(sf_scan_lf(buf + pos, buf + len) - buf);
}

/* Only "Content-Length" and the compact "l" can be Content-Length: every
 * other header line is out at its first byte. */
static inline bool may_be_content_length(unsigned char c)
{
  return (c | 0x20) == 'c' || (c | 0x20) == 'l';
}

/* The logical line [line, line + n) of such a first byte, whole: of the
 * many "C..." lines (Call-ID, CSeq, Contact, Content-Type) only
 * "Content-Length" has '-' then 'L' at 7 and 8, so the others are out
 * before content_length_header scans their name. */
static inline bool content_length_line(const char *line, size_t n, long *value)
{
  if (lower((unsigned char)line[0]) == 'c' &&
      (n < 15 || line[7] != '-' || lower((unsigned char)line[8]) != 'l'))
    return false;
  return content_length_header(line, n, value);
}

/* The header block from state->line on: each line start is the empty line
 * ending the block, a fold (SP/HTAB, RFC 3261 §7.3.1) continuing the
 * logical line before it, or the start of the next logical line, which
 * ends the one before.  The first Content-Length line is read once its
 * logical line has ended (its value may run over folds).  On
 * SIPFLOW_ERR_INCOMPLETE *state tells where to go on once more bytes
 * have come. */
int sf_framer_measure_from(const char *buf, size_t len, sf_measure_state *state,
                           size_t *header_len, size_t *total_len, const char **why)
{
  if (!buf)
    return SIPFLOW_ERR_INCOMPLETE;
  sf_measure_state s = *state;
  size_t pos;
  if (s.line == 0) {
    /* the start line: its LF is the first one */
    s = (sf_measure_state){.line = 0, .cl_line = 0, .cl = -3};
    size_t nl = next_lf(buf, len, 0);
    if (nl == len)
      return SIPFLOW_ERR_INCOMPLETE;
    s.line = nl + 1;
    *state = s;
  }
  for (;;) {
    pos = s.line;
    if (pos >= len)
      break;
    unsigned char c = (unsigned char)buf[pos];
    /* The empty line ending the header block: CRLF, or a bare LF. */
    if (c == '\n') {
      pos += 1;
      goto done;
    }
    if (c == '\r') {
      if (pos + 1 >= len)
        break;
      if (buf[pos + 1] == '\n') {
        pos += 2;
        goto done;
      }
    }
    /* The line's end must be known before anything is concluded from its
     * start, for the state kept on an early end to take the line again. */
    size_t nl = next_lf(buf, len, pos);
    if (nl == len)
      break;
    if (!is_lws(c)) {
      long value;
      if (s.cl_line && content_length_line(buf + s.cl_line, pos - s.cl_line, &value))
        s.cl = value;
      s.cl_line = s.cl == -3 && may_be_content_length(c) ? pos : 0;
    }
    s.line = nl + 1;
  }
  /* Every stop above comes before the line changed anything in s. */
  *state = s;
  return SIPFLOW_ERR_INCOMPLETE;

done:;
  long value;
  if (s.cl_line && content_length_line(buf + s.cl_line, s.line - s.cl_line, &value))
    s.cl = value;
  *header_len = pos;
  *total_len = pos;
  /* RFC 3261 §18.3: over a stream Content-Length is mandatory; without a
   * usable one the message boundary is unknown. */
  if (s.cl >= 0) {
    *total_len = pos + (size_t)s.cl;
    return SIPFLOW_OK;
  }
  if (why)
    *why = s.cl == -3   ? "no Content-Length on a stream"
           : s.cl == -2 ? "Content-Length is out of range"
                        : "Content-Length is not a number";
  return SIPFLOW_ERR_MALFORMED;
}

int sf_framer_measure(const char *buf, size_t len, size_t *header_len, size_t *total_len,
                      const char **why)
{
  sf_measure_state state = SF_MEASURE_START;
  return sf_framer_measure_from(buf, len, &state, header_len, total_len, why);
}

long sf_framer_message_length(const char *buf, size_t len, const char **why)
{
  size_t header_len, total;
  int rc = sf_framer_measure(buf, len, &header_len, &total, why);

  if (rc != SIPFLOW_OK)
    return rc;
  return total <= len ? (long)total : SIPFLOW_ERR_INCOMPLETE;
}
