/*
 * Output helpers: escaping, times, CSV.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define OUT_DEFAULT_WIDTH 120

/* -------------------------------------------------------------- escaping */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Whether byte value c occurs among the 8 bytes of x (exact as a yes/no:
 * "Bit Twiddling Hacks", haszero). */
static inline bool word_has(uint64_t x, unsigned char c)
{
  uint64_t v = x ^ (ONES * c);
  return ((v - ONES) & ~v & HIGHS) != 0;
}

/* Whether the 8 bytes of x are all printable ASCII (0x20-0x7e) and none is
 * a or b: a byte below 0x20 or from 0x7f up sets its high bit below. */
static inline bool plain_word(uint64_t x, unsigned char a, unsigned char b)
{
  uint64_t bad = ((x - ONES * 0x20) & ~x) | x | (x + ONES);
  return (bad & HIGHS) == 0 && !word_has(x, a) && !word_has(x, b);
}

/* Length of the run of bytes at s that a JSON string or the terminal takes
 * as they are: printable ASCII but `a` and `b`.  Eight bytes a step:
 * appending a run at once instead of byte by byte matters on a million
 * messages. */
static size_t plain_run(const unsigned char *s, size_t len, unsigned char a, unsigned char b)
{
  size_t i = 0;
  uint64_t x;
  while (i + 8 <= len) {
    memcpy(&x, s + i, 8);
    if (!plain_word(x, a, b))
      break;
    i += 8;
  }
  /* The last 1-7 bytes (the loop ran to the end): the word ending at len
   * overlaps bytes already found plain, so when it is plain the run goes
   * to the end (the usual case: one test instead of a loop over the
   * bytes).  Not after a word that was not plain: its bad byte may lie
   * before that last word. */
  if (i < len && i + 8 > len && len >= 8) {
    memcpy(&x, s + len - 8, 8);
    if (plain_word(x, a, b))
      return len;
  }
  while (i < len && s[i] >= 0x20 && s[i] < 0x7f && s[i] != a && s[i] != b)
    i++;
  return i;
}

void out_json_string(GString *out, const char *p, size_t len)
{
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0;

  if (!p) {
    out_puts(out, "null");
    return;
  }
  g_string_append_c(out, '"');
  while (i < len) {
    size_t run = plain_run(s + i, len - i, '"', '\\');
    if (run) {
      out_put(out, p + i, run);
      i += run;
      continue;
    }
    if (s[i] < 0x80) { /* '"', '\\', a control character or DEL */
      if (s[i] == '"' || s[i] == '\\')
        g_string_append_c(out, '\\'), g_string_append_c(out, p[i]);
      else
        g_string_append_printf(out, "\\u%04x", (unsigned)s[i]);
      i++;
      continue;
    }
    /* glib's check is RFC 3629's: no overlong form, no surrogate, nothing
     * above U+10FFFF, no sequence cut short */
    gunichar cp = g_utf8_get_char_validated(p + i, (gssize)(len - i));
    if (cp == (gunichar)-1 || cp == (gunichar)-2) {
      out_puts(out, "\\ufffd");
      i++;
      continue;
    }
    size_t n = (size_t)g_utf8_skip[s[i]];
    out_put(out, p + i, n);
    i += n;
  }
  g_string_append_c(out, '"');
}

void out_json_span(GString *out, sipflow_span s)
{
  out_json_string(out, s.ptr, s.len);
}

void out_json_cstr(GString *out, const char *s)
{
  out_json_string(out, s, s ? strlen(s) : 0);
}

void out_write_gstring(const char *text, size_t len, void *user)
{
  out_put(user, text, len);
}

/* ------------------------------------------------------------------ time */

/* "00" to "99": numbers are written two digits a division (every line of
 * --json and --csv has a dozen) */
static const char digit_pairs[201] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

/* v in decimal, ending at end; returns where it starts. */
static char *put_digits(char *end, uint64_t v)
{
  char *p = end;
  while (v >= 100) {
    p -= 2;
    memcpy(p, digit_pairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10) {
    p -= 2;
    memcpy(p, digit_pairs + 2 * v, 2);
  } else {
    *--p = (char)('0' + v);
  }
  return p;
}

void out_uint(GString *out, uint64_t v)
{
  char buf[24], *p = put_digits(buf + sizeof buf, v);
  out_put(out, p, (size_t)(buf + sizeof buf - p));
}

void out_time_epoch(GString *out, int64_t us)
{
  /* Careful with negative times: -1 µs is "-0.000001", not "0.-00001". */
  uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
  char buf[32], *end = buf + sizeof buf;
  unsigned f = (unsigned)(mag % 1000000);
  /* ".000123": the six digits of the fraction, three pairs */
  memcpy(end - 2, digit_pairs + 2 * (f % 100), 2);
  memcpy(end - 4, digit_pairs + 2 * (f / 100 % 100), 2);
  memcpy(end - 6, digit_pairs + 2 * (f / 10000), 2);
  end[-7] = '.';
  char *p = put_digits(end - 7, mag / 1000000);
  if (us < 0)
    *--p = '-';
  out_put(out, p, (size_t)(end - p));
}

void out_time_relative(GString *out, int64_t delta_us)
{
  if (delta_us >= 0)
    g_string_append_c(out, '+');
  out_time_epoch(out, delta_us);
}

void out_time_utc(GString *out, int64_t us)
{
  int64_t sec = us / 1000000, frac = us % 1000000;
  struct tm tm;
  char buf[64];

  if (frac < 0)
    sec--, frac += 1000000;
  time_t t = (time_t)sec;
  if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm)) {
    out_time_epoch(out, us);
    return;
  }
  g_string_append_printf(out, "%s.%06" PRId64 " UTC", buf, frac);
}

/* Two digits of v (0-99) at p. */
static void put2(char *p, int v)
{
  p[0] = (char)('0' + v / 10);
  p[1] = (char)('0' + v % 10);
}

/* "YYYY-MM-DD HH:MM:SS" (or the time alone) of sec, for 1970 to 9999, by
 * arithmetic: gmtime_r and strftime cost a thousand instructions per row
 * of a table of a million calls.  False outside that range. */
static bool clock_text(int64_t sec, bool with_date, char *buf, size_t *len)
{
  if (sec < 0 || sec >= 253402300800LL) /* 10000-01-01 */
    return false;
  int64_t days = sec / 86400, rem = sec % 86400;
  /* civil date from days since 1970-01-01 (H. Hinnant's algorithm) */
  int64_t z = days + 719468, era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int day = (int)(doy - (153 * mp + 2) / 5 + 1), month = (int)(mp < 10 ? mp + 3 : mp - 9);
  int year = (int)(yoe + era * 400 + (month <= 2));
  size_t n = 0;
  if (with_date) {
    put2(buf, year / 100);
    put2(buf + 2, year % 100);
    buf[4] = '-';
    put2(buf + 5, month);
    buf[7] = '-';
    put2(buf + 8, day);
    buf[10] = ' ';
    n = 11;
  }
  put2(buf + n, (int)(rem / 3600));
  buf[n + 2] = ':';
  put2(buf + n + 3, (int)(rem / 60 % 60));
  buf[n + 5] = ':';
  put2(buf + n + 6, (int)(rem % 60));
  *len = n + 8;
  return true;
}

void out_time_clock(GString *out, int64_t us, bool with_date, bool with_ms)
{
  int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000); /* floor */
  int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  struct tm tm;
  char buf[64];
  time_t t = (time_t)sec;
  size_t n;

  if (clock_text(sec, with_date, buf, &n)) {
    if (with_ms) {
      int64_t frac = ms - sec * 1000;
      buf[n] = '.';
      buf[n + 1] = (char)('0' + frac / 100);
      put2(buf + n + 2, (int)(frac % 100));
      n += 4;
    }
    out_put(out, buf, n);
    return;
  }
  if (!gmtime_r(&t, &tm) ||
      !strftime(buf, sizeof buf, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm)) {
    out_time_epoch(out, us);
    return;
  }
  g_string_append(out, buf);
  if (with_ms)
    g_string_append_printf(out, ".%03" PRId64, ms - sec * 1000);
}

int64_t out_utc_day(int64_t us)
{
  const int64_t day = 86400LL * 1000000;
  return us >= 0 ? us / day : -((-us + day - 1) / day);
}

/* ------------------------------------------------------------------- CSV */

void out_csv_field(GString *out, const char *s)
{
  GString *text;

  if (!s)
    return;
  /* the usual field (a number, a name, a Call-ID): printable ASCII with
   * nothing to escape or quote, appended as it is */
  size_t len = strlen(s);
  if (len && s[0] != ' ' && s[len - 1] != ' ' &&
      plain_run((const unsigned char *)s, len, ',', '"') == len &&
      !memchr(s, '\\', len)) {
    out_put(out, s, len);
    return;
  }
  text = g_string_new(NULL);
  out_text_escape(text, s, len);
  if (strpbrk(text->str, ",\"") ||
      (text->len && (text->str[0] == ' ' || text->str[text->len - 1] == ' '))) {
    g_string_append_c(out, '"');
    for (size_t i = 0; i < text->len; i++) {
      if (text->str[i] == '"')
        g_string_append_c(out, '"');
      g_string_append_c(out, text->str[i]);
    }
    g_string_append_c(out, '"');
  } else {
    g_string_append_len(out, text->str, (gssize)text->len);
  }
  g_string_free(text, TRUE);
}

/* -------------------------------------------------------------- terminal */

unsigned out_terminal_width(void)
{
  struct winsize ws;
  const char *cols;

  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  cols = getenv("COLUMNS");
  if (cols && *cols) {
    char *end;
    long v = strtol(cols, &end, 10);
    if (*end == '\0' && v > 0 && v < 100000)
      return (unsigned)v;
  }
  return OUT_DEFAULT_WIDTH;
}

/* ---------------------------------------------------------------- tables */

/* A line of a table at a time: without the stream's lock (the CLI has one
 * thread), which cost a sixth of the write of a row. */
void out_write_file(const char *text, size_t len, void *user)
{
#ifdef __GLIBC__
  fwrite_unlocked(text, 1, len, user);
#else
  fwrite(text, 1, len, user);
#endif
}

/* ---------------------------------------------------------- stdout lines */

void out_lines_init(out_lines *l)
{
  l->batch = isatty(STDOUT_FILENO) ? 1 : OUT_LINES_BATCH;
  l->pending = g_string_sized_new(l->batch == 1 ? 1024 : OUT_LINES_BATCH + 1024);
}

void out_lines_flush(out_lines *l)
{
  if (!l->pending || !l->pending->len)
    return;
  fwrite(l->pending->str, 1, l->pending->len, stdout);
  g_string_truncate(l->pending, 0);
}

void out_lines_clear(out_lines *l)
{
  out_lines_flush(l);
  if (l->pending)
    g_string_free(l->pending, TRUE);
  l->pending = NULL;
}

out_held_line *out_held_line_new(const char *text, size_t len)
{
  out_held_line *h = g_malloc(sizeof *h + len);
  h->len = len;
  memcpy(h->text, text, len);
  return h;
}
