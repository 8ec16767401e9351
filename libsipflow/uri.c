/*
 * The short name of a SIP/SIPS/tel URI: its user part, or its host.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Tools show "alice → bob" for a call and let the user filter on the
 * caller or callee; both need the user part of the From/To URI, which is
 * SIP syntax (RFC 3261 §19.1.1, RFC 3966 §3), so it lives here and not in
 * the CLI.
 */
#include <stdbool.h>
#include <string.h>

#include "sipflow/sipflow.h"

/* Byte classes of the scans below: one table lookup per byte instead of a
 * chain of compares (the CLI calls this for every From and To it shows). */
enum {
  U_ALPHA = 1 << 0,     /* scheme, first byte */
  U_SCHEME = 1 << 1,    /* scheme, later bytes (RFC 3986 §3.1) */
  U_USER_END = 1 << 2,  /* ';' '?' */
  U_COLON = 1 << 3,     /* ':' */
  U_HOST_END = 1 << 4,  /* ':' ';' '?' '>' */
  U_AT_GT = 1 << 5,     /* '@' '>' */
};

static const unsigned char uri_cc[256] = {
    ['a' ... 'z'] = U_ALPHA | U_SCHEME,
    ['A' ... 'Z'] = U_ALPHA | U_SCHEME,
    ['0' ... '9'] = U_SCHEME,
    ['+'] = U_SCHEME, ['-'] = U_SCHEME, ['.'] = U_SCHEME,
    [';'] = U_USER_END | U_HOST_END,
    ['?'] = U_USER_END | U_HOST_END,
    [':'] = U_COLON | U_HOST_END,
    ['>'] = U_HOST_END | U_AT_GT,
    ['@'] = U_AT_GT,
};

static inline bool uri_is(char c, unsigned cls)
{
  return (uri_cc[(unsigned char)c] & cls) != 0;
}

/* The first byte of a class in [p, end), or end. */
static inline const char *uri_find(const char *p, const char *end, unsigned cls)
{
  while (p < end && !uri_is(*p, cls))
    p++;
  return p;
}

/* Skips one URI scheme ("sip:", "sips:", "tel:" or any other) when it
 * starts p; returns where the scheme-specific part begins. */
static const char *skip_scheme(const char *p, const char *end)
{
  /* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
  if (p == end || !uri_is(*p, U_ALPHA))
    return p;
  const char *q = p + 1;
  while (q < end && uri_is(*q, U_SCHEME))
    q++;
  return q < end && *q == ':' ? q + 1 : p;
}

/* End of the host in [p, end): before the port, the parameters, the
 * headers or a closing '>'.  An IPv6 reference "[...]" is kept whole. */
static const char *host_end(const char *p, const char *end)
{
  if (p < end && *p == '[') {
    const char *close = memchr(p, ']', (size_t)(end - p));
    return close ? close + 1 : end;
  }
  return uri_find(p, end, U_HOST_END);
}

/* The text before the first ';' '?' or (when stop_at_colon) ':' in [p, end). */
static const char *name_end(const char *p, const char *end, int stop_at_colon)
{
  return uri_find(p, end, stop_at_colon ? U_USER_END | U_COLON : U_USER_END);
}

/* The usual case, "sip:alice@atlanta.com>": the user part found in one
 * pass that stops at the '@', without looking at the host (what the
 * general code below finds, which runs when this does not: no '@' before
 * a '>', or an empty user). */
static bool user_part(const char *p, const char *end, sipflow_span *out)
{
  /* a '>' ends the scheme's scan as the end would: the same body */
  const char *body = skip_scheme(p, end);
  const char *stop = uri_find(body, end, U_AT_GT | U_USER_END | U_COLON);
  const char *q = stop;
  if (q < end && !uri_is(*q, U_AT_GT))
    q = uri_find(q, end, U_AT_GT);
  if (q == end || *q != '@' || stop == body)
    return false;
  *out = (sipflow_span){body, (size_t)(stop - body)};
  return true;
}

int sipflow_uri_user(const char *uri, size_t len, sipflow_span *out)
{
  if (out)
    *out = (sipflow_span){NULL, 0};
  if (!uri || !out)
    return -1;

  const char *p = uri, *end = uri + len;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '<'))
    p++;
  if (user_part(p, end, out))
    return 1;
  const char *gt = memchr(p, '>', (size_t)(end - p));
  if (gt)
    end = gt;
  const char *body = skip_scheme(p, end);
  /* "tel:" in any case; body - p == 4 means p[3] is the ':' */
  int is_tel = body - p == 4 && (p[0] | 0x20) == 't' && (p[1] | 0x20) == 'e' &&
               (p[2] | 0x20) == 'l';
  size_t rest = body < end ? (size_t)(end - body) : 0;
  const char *at = rest ? memchr(body, '@', rest) : NULL;
  const char *q;

  /* sip:user[:password]@host.  The telephone-subscriber parameters
   * (";npdi", ";rn=", RFC 3966 §3) and the password are not part of the
   * name people read. */
  if (at) {
    q = name_end(body, at, 1);
    if (q > body) {
      *out = (sipflow_span){body, (size_t)(q - body)};
      return 1;
    }
  } else if (is_tel) { /* tel:+15551234;phone-context=... : the number */
    q = name_end(body, end, 0);
    if (q > body) {
      *out = (sipflow_span){body, (size_t)(q - body)};
      return 1;
    }
    return -1;
  }
  /* No user part (sip:example.com, the To of a REGISTER to a bare
   * domain): the host stands for the endpoint. */
  const char *h = at ? at + 1 : body;
  q = host_end(h, end);
  if (q == h)
    return -1;
  *out = (sipflow_span){h, (size_t)(q - h)};
  return 0;
}
