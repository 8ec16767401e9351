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

#include "parse_scan.h" /* sf_v16_eq */
#include "sf_internal.h"
#include "sipflow/sipflow.h"

/* Byte classes of the scans below: one table lookup per byte instead of a
 * chain of compares (the CLI calls this for every From and To it shows). */
enum {
  U_ALPHA = 1 << 0,     /* scheme, first byte */
  U_SCHEME = 1 << 1,    /* scheme, later bytes (RFC 3986 §3.1) */
  U_USER_END = 1 << 2,  /* ';' '?' */
  U_COLON = 1 << 3,     /* ':' */
  U_HOST_END = 1 << 4,  /* ':' ';' '?' '>' */
  U_STOP = 1 << 5,      /* '@' '>': where the user part's scan stops */
  U_NUL = 1 << 6,       /* the end of a C string (sf_uri_user_cstr) */
};

static const unsigned char uri_cc[256] = {
    ['a' ... 'z'] = U_ALPHA | U_SCHEME,
    ['A' ... 'Z'] = U_ALPHA | U_SCHEME,
    ['0' ... '9'] = U_SCHEME,
    ['+'] = U_SCHEME, ['-'] = U_SCHEME, ['.'] = U_SCHEME,
    [';'] = U_USER_END | U_HOST_END,
    ['?'] = U_USER_END | U_HOST_END,
    [':'] = U_COLON | U_HOST_END,
    ['>'] = U_HOST_END | U_STOP,
    ['@'] = U_STOP,
    [0] = U_NUL,
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

/* Bit mask of the bytes before the lowest set bit of stop (all of them
 * when none is set). */
static inline unsigned before_first(unsigned stop)
{
  return stop ? (stop & -stop) - 1 : ~0u;
}

/* The user part's scan: the first '@' or '>' from p (or end), noting the
 * first ';' or '?' (*user_end) and the first ':' (*colon) before it when
 * they are not noted yet.  Sixteen bytes a step while 16 are left (the
 * calls table and the CLI's filters read the From and To of every call:
 * a byte a step was half of this function); the rest a byte a step. */
static const char *scan_user(const char *p, const char *end, const char **user_end,
                             const char **colon)
{
#ifdef SF_HAVE_V16
  for (; end - p >= 16; p += 16) {
    unsigned stop = sf_v16_eq(p, '@') | sf_v16_eq(p, '>');
    unsigned before = before_first(stop);
    unsigned ue = (sf_v16_eq(p, ';') | sf_v16_eq(p, '?')) & before;
    unsigned co = sf_v16_eq(p, ':') & before;
    if (ue && !*user_end)
      *user_end = p + __builtin_ctz(ue);
    if (co && !*colon)
      *colon = p + __builtin_ctz(co);
    if (stop)
      return p + __builtin_ctz(stop);
  }
#endif
  for (; p < end; p++) {
    unsigned k = uri_cc[(unsigned char)*p];
    if (!(k & (U_STOP | U_USER_END | U_COLON)))
      continue;
    if (k & U_STOP)
      break;
    if ((k & U_USER_END) && !*user_end)
      *user_end = p;
    if ((k & U_COLON) && !*colon)
      *colon = p;
  }
  return p;
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
  /* a scheme has no '>' (and stops before one): the URI's closing '>' is
   * found by the scan below */
  const char *body = skip_scheme(p, end);
  /* "tel:" in any case; body - p == 4 means p[3] is the ':' */
  int is_tel = body - p == 4 && (p[0] | 0x20) == 't' && (p[1] | 0x20) == 'e' &&
               (p[2] | 0x20) == 'l';
  /* One pass up to the '@' or the closing '>', noting the first ';' or '?'
   * and the first ':' on the way: the ends of the user part, of the
   * telephone number and of the host. */
  const char *user_end = NULL, *colon = NULL;
  const char *q = scan_user(body, end, &user_end, &colon);

  /* sip:user[:password]@host.  The telephone-subscriber parameters
   * (";npdi", ";rn=", RFC 3966 §3) and the password are not part of the
   * name people read. */
  if (q < end && *q == '@') {
    const char *name = user_end && (!colon || user_end < colon) ? user_end : colon ? colon : q;
    if (name > body) {
      *out = (sipflow_span){body, (size_t)(name - body)};
      return 1;
    }
    /* "sip:@host": the host stands for the endpoint */
    const char *h = q + 1, *gt = memchr(h, '>', (size_t)(end - h));
    const char *e = host_end(h, gt ? gt : end);
    if (e == h)
      return -1;
    *out = (sipflow_span){h, (size_t)(e - h)};
    return 0;
  }
  end = q; /* the closing '>', or the end */
  if (is_tel) { /* tel:+15551234;phone-context=... : the number */
    const char *e = user_end ? user_end : end;
    if (e > body) {
      *out = (sipflow_span){body, (size_t)(e - body)};
      return 1;
    }
    return -1;
  }
  /* No user part (sip:example.com, the To of a REGISTER to a bare
   * domain): the host stands for the endpoint, up to the port, the
   * parameters or the headers. */
  const char *e = end;
  if (body < end && *body == '[') {
    e = host_end(body, end);
  } else {
    if (user_end && user_end < e)
      e = user_end;
    if (colon && colon < e)
      e = colon;
  }
  if (e == body)
    return -1;
  *out = (sipflow_span){body, (size_t)(e - body)};
  return 0;
}

int sf_uri_user_cstr(const char *uri, sipflow_span *out)
{
  /* "sip:" then a user part up to an '@', none of ';' '?' ':' '>' before
   * it: what sipflow_uri_user finds then (no spaces or '<' to skip, scheme
   * "sip", neither parameters nor password to cut, a user part that is not
   * empty).  Anything else, or the end first: the full reading. */
  if (uri && uri[0] == 's' && uri[1] == 'i' && uri[2] == 'p' && uri[3] == ':' &&
      uri[4] != '@') { /* byte by byte: never past the NUL */
    const char *p = uri + 4;
    while (!uri_is(*p, U_STOP | U_USER_END | U_COLON | U_NUL))
      p++;
    if (*p == '@') {
      *out = (sipflow_span){uri + 4, (size_t)(p - (uri + 4))};
      return 1;
    }
  }
  return sipflow_uri_user(uri, uri ? strlen(uri) : 0, out);
}
