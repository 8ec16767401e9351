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

/* RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" /
 * "+" / "`" / "'" / "~").  A table: methods are scanned on every datagram. */
static const bool token_chars[256] = {
    ['0' ... '9'] = true, ['a' ... 'z'] = true, ['A' ... 'Z'] = true,
    ['-'] = true, ['.'] = true, ['!'] = true, ['%'] = true, ['*'] = true,
    ['_'] = true, ['+'] = true, ['`'] = true, ['\''] = true, ['~'] = true,
};

static bool is_token_char(unsigned char c)
{
  return token_chars[c];
}

static bool is_lws(unsigned char c)
{
  return c == ' ' || c == '\t';
}

/* ASCII lower case, inline: g_ascii_tolower() is a call per byte, on the
 * first line of every datagram. */
static inline unsigned char lower(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Compares buf[*i..] with the case-insensitive literal `lit`.  YES and *i
 * moved past it, NO on a mismatch, NEED_MORE when buf ends first. */
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

/* RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
 * CRLF.  An empty reason (with or without its SP) is tolerated. */
static int status_line(const char *buf, size_t len)
{
  size_t i = 0;
  int r = match_ci(buf, len, &i, "SIP/2.0 ");
  if (r != YES)
    return r;
  for (int d = 0; d < 3; d++, i++) {
    if (i >= len)
      return NEED_MORE;
    if (!g_ascii_isdigit((unsigned char)buf[i]))
      return NO;
  }
  if (i >= len)
    return NEED_MORE;
  if (buf[i] != ' ')
    return match_line_end(buf, len, i);
  /* Reason-Phrase: any text but control characters (HTAB allowed). */
  for (i++; i < len; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == '\r' || c == '\n')
      return match_line_end(buf, len, i);
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return NO;
  }
  return NEED_MORE;
}

/* RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF,
 * Method any token (extension methods, §27.4). */
static int request_line(const char *buf, size_t len)
{
  size_t i = 0;

  while (i < len && is_token_char((unsigned char)buf[i]))
    if (++i > SF_FRAMER_MAX_METHOD)
      return NO;
  if (i >= len)
    return NEED_MORE;
  if (i == 0 || buf[i] != ' ')
    return NO;
  size_t uri = ++i;
  for (; i < len && buf[i] != ' '; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c <= 0x20 || c == 0x7f)
      return NO;
  }
  if (i >= len)
    return NEED_MORE;
  if (i == uri)
    return NO;
  i++;
  int r = match_ci(buf, len, &i, "SIP/2.0");
  if (r != YES)
    return r;
  return match_line_end(buf, len, i);
}

int sf_framer_is_sip_start(const char *buf, size_t len)
{
  if (!buf || len == 0)
    return NEED_MORE;
  unsigned char c = (unsigned char)buf[0];
  if (!is_token_char(c))
    return NO;
  size_t scan = MIN(len, (size_t)SF_FRAMER_MAX_LINE);
  int r = NO;
  if (c == 'S' || c == 's')
    r = status_line(buf, scan);
  if (r == NO)
    r = request_line(buf, scan);
  if (r == NEED_MORE && len >= SF_FRAMER_MAX_LINE)
    return NO; /* no line end within the limit: not SIP */
  return r;
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

/* If the logical header line [line, line+n) is Content-Length (or the
 * compact "l"), stores its value (see content_length_value) and returns true.
 * RFC 3261 §25.1: HCOLON = *( SP / HTAB ) ":" SWS, so blanks may precede
 * the colon. */
static bool content_length_header(const char *line, size_t n, long *value)
{
  size_t i = 0;

  while (i < n && is_token_char((unsigned char)line[i]))
    i++;
  size_t name_len = i;
  while (i < n && is_lws((unsigned char)line[i]))
    i++;
  if (i >= n || line[i] != ':')
    return false;
  bool match = (name_len == 1 && g_ascii_tolower((unsigned char)line[0]) == 'l') ||
               (name_len == 14 && g_ascii_strncasecmp(line, "content-length", 14) == 0);
  if (!match)
    return false;
  *value = content_length_value(line + i + 1, n - i - 1);
  return true;
}

/* End (exclusive, past its LF) of the logical header line starting at pos:
 * physical lines followed by a line starting with SP/HTAB are folded into
 * it.  0 when more bytes are needed to know. */
static size_t logical_line_end(const char *buf, size_t len, size_t pos)
{
  for (;;) {
    const char *nl = memchr(buf + pos, '\n', len - pos);
    if (!nl)
      return 0;
    pos = (size_t)(nl - buf) + 1;
    if (pos >= len)
      return 0;
    if (!is_lws((unsigned char)buf[pos]))
      return pos;
  }
}

int sf_framer_measure(const char *buf, size_t len, size_t *header_len, size_t *total_len,
                      const char **why)
{
  const char *nl = buf ? memchr(buf, '\n', len) : NULL;
  long cl = -3; /* -3: not seen */

  if (!nl)
    return SIPFLOW_ERR_INCOMPLETE;
  size_t pos = (size_t)(nl - buf) + 1;
  for (;;) {
    if (pos >= len)
      return SIPFLOW_ERR_INCOMPLETE;
    /* The empty line ending the header block: CRLF, or a bare LF. */
    if (buf[pos] == '\n') {
      pos += 1;
      break;
    }
    if (buf[pos] == '\r') {
      if (pos + 1 >= len)
        return SIPFLOW_ERR_INCOMPLETE;
      if (buf[pos + 1] == '\n') {
        pos += 2;
        break;
      }
    }
    size_t end = logical_line_end(buf, len, pos);
    if (end == 0)
      return SIPFLOW_ERR_INCOMPLETE;
    long value;
    if (cl == -3 && content_length_header(buf + pos, end - pos, &value))
      cl = value;
    pos = end;
  }
  *header_len = pos;
  *total_len = pos;
  /* RFC 3261 §18.3: over a stream Content-Length is mandatory; without a
   * usable one the message boundary is unknown. */
  if (cl >= 0) {
    *total_len = pos + (size_t)cl;
    return SIPFLOW_OK;
  }
  if (why)
    *why = cl == -3   ? "no Content-Length on a stream"
           : cl == -2 ? "Content-Length is out of range"
                      : "Content-Length is not a number";
  return SIPFLOW_ERR_MALFORMED;
}

long sf_framer_message_length(const char *buf, size_t len, const char **why)
{
  size_t header_len, total;
  int rc = sf_framer_measure(buf, len, &header_len, &total, why);

  if (rc != SIPFLOW_OK)
    return rc;
  return total <= len ? (long)total : SIPFLOW_ERR_INCOMPLETE;
}
