/*
 * parse_scan — byte classes and fast scans shared by the SIP framer and
 * parser (framer.c, parse.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Both stages look at every byte of every start line and header block, so
 * the scans here avoid a function call or a chain of compares per byte:
 *  - one read-only class table, one lookup per byte;
 *  - for the longer runs (URIs, parameter values, reason phrases) an 8-byte-
 *    at-a-time search ("SWAR": plain 64-bit arithmetic, no intrinsics) that
 *    flags the bytes that may end the run, then confirms each flagged byte
 *    exactly.
 * Every scan takes [p, end) and never reads at or after end: the 8-byte
 * loads run only while 8 bytes are left, the tail is done byte by byte.
 */
#ifndef SF_PARSE_SCAN_H
#define SF_PARSE_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sf_internal.h" /* SF_ALWAYS_INLINE */

/* ------------------------------------------------------------ byte classes */

enum {
  SF_CC_TOKEN = 1 << 0,       /* RFC 3261 §25.1 token character */
  SF_CC_WSP = 1 << 1,         /* SP, HTAB */
  SF_CC_LWS = 1 << 2,         /* SP, HTAB, CR, LF: a fold reads as a space (§7.3.1) */
  SF_CC_DIGIT = 1 << 3,
  SF_CC_PARAM_END = 1 << 4,   /* ';' or LWS: ends an unquoted parameter value */
  SF_CC_SENT_BY_END = 1 << 5, /* ':' ';' ',' or LWS: ends a Via host */
  SF_CC_TRAIL = 1 << 6,       /* SP, HTAB, CR: trimmed from the end of a line */
};

#define SF_CC_WHITE (SF_CC_WSP | SF_CC_LWS | SF_CC_PARAM_END | SF_CC_SENT_BY_END)
#define SF_CC_CRLF (SF_CC_LWS | SF_CC_PARAM_END | SF_CC_SENT_BY_END)

/* token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" /
 * "'" / "~") (RFC 3261 §25.1). */
static const uint8_t sf_cc[256] = {
    ['0' ... '9'] = SF_CC_TOKEN | SF_CC_DIGIT,
    ['a' ... 'z'] = SF_CC_TOKEN,
    ['A' ... 'Z'] = SF_CC_TOKEN,
    ['-'] = SF_CC_TOKEN, ['.'] = SF_CC_TOKEN, ['!'] = SF_CC_TOKEN,
    ['%'] = SF_CC_TOKEN, ['*'] = SF_CC_TOKEN, ['_'] = SF_CC_TOKEN,
    ['+'] = SF_CC_TOKEN, ['`'] = SF_CC_TOKEN, ['\''] = SF_CC_TOKEN,
    ['~'] = SF_CC_TOKEN,
    [' '] = SF_CC_WHITE | SF_CC_TRAIL,
    ['\t'] = SF_CC_WHITE | SF_CC_TRAIL,
    ['\r'] = SF_CC_CRLF | SF_CC_TRAIL,
    ['\n'] = SF_CC_CRLF,
    [';'] = SF_CC_PARAM_END | SF_CC_SENT_BY_END,
    [':'] = SF_CC_SENT_BY_END,
    [','] = SF_CC_SENT_BY_END,
};

static inline bool sf_cc_is(char c, unsigned cls)
{
  return (sf_cc[(unsigned char)c] & cls) != 0;
}

/* Bytes of the class cls from p on: the position of the first other byte
 * (or end).  Unrolled by four: names and tokens are short, and this is
 * the inner loop of every header line. */
static inline const char *sf_scan_class(const char *p, const char *end, unsigned cls)
{
  while (end - p >= 4) {
    if (!sf_cc_is(p[0], cls))
      return p;
    if (!sf_cc_is(p[1], cls))
      return p + 1;
    if (!sf_cc_is(p[2], cls))
      return p + 2;
    if (!sf_cc_is(p[3], cls))
      return p + 3;
    p += 4;
  }
  while (p < end && sf_cc_is(*p, cls))
    p++;
  return p;
}

/* ------------------------------------------------- 8 bytes at a time */

#define SF_SWAR_ONES 0x0101010101010101ULL
#define SF_SWAR_HIGHS 0x8080808080808080ULL

/* 8 bytes from p, the byte at p in the low bits whatever the host order. */
static inline uint64_t sf_swar_load(const char *p)
{
  uint64_t v;
  memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

/* High bit of each byte of v equal to c.  The subtraction can borrow into
 * the bytes above a match, so only the LOWEST flag is exact; the flags
 * above it may be false (never missing): callers confirm each one. */
static inline uint64_t sf_swar_eq(uint64_t v, unsigned char c)
{
  uint64_t x = v ^ (SF_SWAR_ONES * c);
  return (x - SF_SWAR_ONES) & ~x & SF_SWAR_HIGHS;
}

/* High bit of each byte of v below n (n <= 0x80), same exactness. */
static inline uint64_t sf_swar_below(uint64_t v, unsigned char n)
{
  return (v - SF_SWAR_ONES * n) & ~v & SF_SWAR_HIGHS;
}

static inline unsigned sf_swar_first(uint64_t flags)
{
  return (unsigned)__builtin_ctzll(flags) >> 3;
}

/* The end of the run of bytes in [lo_c, hi_c] at q (lo_c <= hi_c < 0x80),
 * 8 bytes in one load while 8 are left.  A byte is flagged when it is 0x80
 * or above, above hi_c (adding 0x7f - hi_c sets its high bit) or below lo_c
 * (adding 0x80 - lo_c leaves it clear); the bytes in the range below the
 * first flagged byte carry nothing into it, so that first flag is exact.
 * Inline with constant bounds: digits, upper-case letters. */
static SF_ALWAYS_INLINE const char *sf_scan_range(const char *q, const char *end,
                                                  unsigned char lo_c, unsigned char hi_c)
{
  while (end - q >= 8) {
    uint64_t w = sf_swar_load(q);
    uint64_t f = (w | (w + (0x7f - hi_c) * SF_SWAR_ONES) | ~(w + (0x80 - lo_c) * SF_SWAR_ONES)) &
                 SF_SWAR_HIGHS;
    if (f)
      return q + sf_swar_first(f);
    q += 8;
  }
  while (q < end && (unsigned char)*q >= lo_c && (unsigned char)*q <= hi_c)
    q++;
  return q;
}

/* --------------------------------------------- 16 bytes at a time (SSE2) */

/* On x86-64 SSE2 is always there: one compare covers 16 bytes, which halves
 * the cost of the long runs again.  Elsewhere the 8-byte path above does
 * the same work. */
#ifdef __SSE2__
#include <emmintrin.h>
#define SF_HAVE_V16 1

/* The masks below are built on whole vectors and turned into bits once:
 * a set of k byte tests costs k compares and one movemask, where a
 * movemask per test and k - 1 ORs of the bits took about twice as many
 * instructions (the compiler does not merge the movemasks). */
static inline __m128i sf_vx_load(const char *p)
{
  return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline __m128i sf_vx_eq(__m128i v, char c)
{
  return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

/* 0xff in each byte of v at or below lim (unsigned). */
static inline __m128i sf_vx_le(__m128i v, unsigned char lim)
{
  return _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8((char)lim)), v);
}

static inline unsigned sf_vx_bits(__m128i m)
{
  return (unsigned)_mm_movemask_epi8(m);
}

/* Bit i set when byte i of the 16 at p is below 0x21 (control or SP). */
static inline unsigned sf_v16_ctl_sp(const char *p)
{
  return sf_vx_bits(sf_vx_le(sf_vx_load(p), 0x20));
}

/* Bit i set when byte i of the 16 at p is a control byte (below 0x20). */
static inline unsigned sf_v16_ctl(const char *p)
{
  return sf_vx_bits(sf_vx_le(sf_vx_load(p), 0x1f));
}

/* Bit i set when byte i of the 16 at p equals c. */
static inline unsigned sf_v16_eq(const char *p, char c)
{
  return sf_vx_bits(sf_vx_eq(sf_vx_load(p), c));
}

static inline unsigned sf_v16_ctl_sp_del(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(_mm_or_si128(sf_vx_le(v, 0x20), sf_vx_eq(v, 0x7f)));
}

static inline unsigned sf_v16_ctl_sp_semi(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(_mm_or_si128(sf_vx_le(v, 0x20), sf_vx_eq(v, ';')));
}

static inline unsigned sf_v16_lf(const char *p)
{
  return sf_v16_eq(p, '\n');
}

/* What ends a Via sent-by host: ':' ';' ',' or LWS (and, as a superset,
 * every other byte below 0x21). */
static inline unsigned sf_v16_sent_by(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(_mm_or_si128(_mm_or_si128(sf_vx_le(v, 0x20), sf_vx_eq(v, ':')),
                                 _mm_or_si128(sf_vx_eq(v, ';'), sf_vx_eq(v, ','))));
}

static inline unsigned sf_v16_quote_bslash(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(_mm_or_si128(sf_vx_eq(v, '"'), sf_vx_eq(v, '\\')));
}

static inline unsigned sf_v16_comma_quote(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(_mm_or_si128(sf_vx_eq(v, ','), sf_vx_eq(v, '"')));
}

static inline unsigned sf_v16_name_addr(const char *p)
{
  __m128i v = sf_vx_load(p);
  return sf_vx_bits(
      _mm_or_si128(_mm_or_si128(sf_vx_eq(v, '<'), sf_vx_eq(v, ';')), sf_vx_eq(v, '"')));
}

static inline unsigned sf_v16_gt(const char *p)
{
  return sf_v16_eq(p, '>');
}
#else
#define sf_v16_lf NULL
#define sf_v16_sent_by NULL
#define sf_v16_quote_bslash NULL
#define sf_v16_comma_quote NULL
#define sf_v16_name_addr NULL
#define sf_v16_gt NULL
#define sf_v16_ctl_sp NULL
#define sf_v16_ctl NULL
#define sf_v16_ctl_sp_del NULL
#define sf_v16_ctl_sp_semi NULL
#endif

/* The scan loop: `flags` marks the bytes of an 8-byte word that MAY stop the
 * run (a superset), `stop` says exactly whether one does; `mask16`, where
 * there is SSE2, does what `flags` does for 16 bytes at once.  Returns the
 * first stopping byte in [p, end), or end.  Always inlined so that the
 * functions, constants at every call site, are folded in.
 *
 * lo <= p is where the readable bytes start: a run shorter than 16 bytes
 * is still read in one load, as the 16 bytes ending at end, when those lie
 * in [lo, end) (a tag at the end of its header value, say). */
static SF_ALWAYS_INLINE const char *
sf_scan_until_lo(const char *lo, const char *p, const char *end,
                 unsigned (*mask16)(const char *), uint64_t (*flags)(uint64_t),
                 bool (*stop)(char))
{
#ifdef SF_HAVE_V16
  /* A mask made of byte equalities only is exact: no check needed. */
  const bool exact16 = mask16 == sf_v16_lf || mask16 == sf_v16_gt ||
                       mask16 == sf_v16_quote_bslash || mask16 == sf_v16_comma_quote ||
                       mask16 == sf_v16_name_addr;
  while (end - p >= 16) {
    unsigned m0 = mask16(p);
    if (exact16 && m0)
      return p + __builtin_ctz(m0);
    for (unsigned m = m0; m; m &= m - 1) {
      const char *q = p + __builtin_ctz(m);
      if (stop(*q))
        return q;
    }
    p += 16;
  }
  if (p < end && end - lo >= 16) {
    /* The last 1-15 bytes: the 16 ending at end, all inside [lo, end),
     * the bits of the bytes already seen shifted out. */
    unsigned m = mask16(end - 16) >> (16 - (end - p));
    if (exact16)
      return m ? p + __builtin_ctz(m) : end;
    for (; m; m &= m - 1) {
      const char *q = p + __builtin_ctz(m);
      if (stop(*q))
        return q;
    }
    return end;
  }
#else
  (void)mask16;
  (void)lo;
#endif
  while (end - p >= 8) {
    for (uint64_t f = flags(sf_swar_load(p)); f; f &= f - 1) {
      const char *q = p + sf_swar_first(f);
      if (stop(*q))
        return q;
    }
    p += 8;
  }
  while (p < end && !stop(*p))
    p++;
  return p;
}

/* sf_scan_until_lo with nothing readable before p. */
static SF_ALWAYS_INLINE const char *
sf_scan_until(const char *p, const char *end, unsigned (*mask16)(const char *),
              uint64_t (*flags)(uint64_t), bool (*stop)(char))
{
  return sf_scan_until_lo(p, p, end, mask16, flags, stop);
}

/* The first byte of [q, end) that mask16 flags, or end, for masks that
 * flag exactly the bytes that stop (no check of each flagged byte as
 * sf_scan_until_lo makes); stop says the same of one byte, for the tail
 * without SSE2.  lo <= q: the bytes from lo on are readable, the last 1-15
 * are read as the 16 ending at end. */
static SF_ALWAYS_INLINE const char *sf_scan_first(const char *lo, const char *q, const char *end,
                                                  unsigned (*mask16)(const char *),
                                                  bool (*stop)(char))
{
#ifdef SF_HAVE_V16
  for (; end - q >= 16; q += 16) {
    unsigned m = mask16(q);
    if (m)
      return q + __builtin_ctz(m);
  }
  if (q < end && end - lo >= 16) {
    unsigned m = mask16(end - 16) >> (16 - (end - q));
    return m ? q + __builtin_ctz(m) : end;
  }
#else
  (void)mask16;
  (void)lo;
#endif
  while (q < end && !stop(*q))
    q++;
  return q;
}

/* Control bytes and SP: a superset of CR, LF, SP, HTAB and of every byte
 * below 0x21. */
static inline uint64_t sf_swar_ctl_sp(uint64_t v)
{
  return sf_swar_below(v, 0x21);
}

/* ... and DEL. */
static inline uint64_t sf_swar_ctl_sp_del(uint64_t v)
{
  return sf_swar_below(v, 0x21) | sf_swar_eq(v, 0x7f);
}

static inline uint64_t sf_swar_ctl_sp_semi(uint64_t v)
{
  return sf_swar_below(v, 0x21) | sf_swar_eq(v, ';');
}


static inline uint64_t sf_swar_lf(uint64_t v)
{
  return sf_swar_eq(v, '\n');
}

static inline uint64_t sf_swar_sent_by(uint64_t v)
{
  return sf_swar_below(v, 0x21) | sf_swar_eq(v, ':') | sf_swar_eq(v, ';') |
         sf_swar_eq(v, ',');
}

static inline uint64_t sf_swar_quote_bslash(uint64_t v)
{
  return sf_swar_eq(v, '"') | sf_swar_eq(v, '\\');
}

static inline uint64_t sf_swar_comma_quote(uint64_t v)
{
  return sf_swar_eq(v, ',') | sf_swar_eq(v, '"');
}

static inline uint64_t sf_swar_name_addr(uint64_t v)
{
  return sf_swar_eq(v, '<') | sf_swar_eq(v, ';') | sf_swar_eq(v, '"');
}

static inline uint64_t sf_swar_gt(uint64_t v)
{
  return sf_swar_eq(v, '>');
}

static inline bool sf_is_crlf(char c)
{
  return c == '\r' || c == '\n';
}

static inline bool sf_is_sp_crlf(char c)
{
  return c == ' ' || c == '\r' || c == '\n';
}

/* The first SP, CR or LF in [p, end), or end: the end of a Request-URI
 * (RFC 3261 §7.1). */
static inline const char *sf_scan_sp_crlf(const char *p, const char *end)
{
  return sf_scan_until(p, end, sf_v16_ctl_sp, sf_swar_ctl_sp, sf_is_sp_crlf);
}

/* Case-insensitive "SIP/2.0" at p, which has at least 8 readable bytes:
 * one load, letters folded with 0x20 (only 'S', 'I', 'P' take the fold: of
 * the other bytes only '/', '2', '.', '0' match exactly).  RFC 3261 §7.1:
 * the version string is case-insensitive. */
static inline bool sf_swar_is_sip_version(const char *p)
{
  /* "sip/2.0" in the low seven bytes, little-endian order */
  const uint64_t want = 0x302e322f706973ULL;
  const uint64_t fold = 0x202020ULL;
  return ((sf_swar_load(p) | fold) & 0x00ffffffffffffffULL) == want;
}

/* The first LF in [p, end), or end: memchr without the call, for the
 * short lines of a header block. */
static inline bool sf_is_lf(char c)
{
  return c == '\n';
}

static inline const char *sf_scan_lf(const char *p, const char *end)
{
#ifdef SF_HAVE_V16
  /* 32 bytes a round: most header lines end within the first.  The rest
   * (under 32 bytes) is left to sf_scan_until while it can still start
   * with a whole 16-byte load. */
  while (end - p >= 48) {
    unsigned m = sf_v16_lf(p) | sf_v16_lf(p + 16) << 16;
    if (m)
      return p + __builtin_ctz(m);
    p += 32;
  }
#endif
  return sf_scan_until(p, end, sf_v16_lf, sf_swar_lf, sf_is_lf);
}

#endif /* SF_PARSE_SCAN_H */
