/*
 * render stage: the text-table engine under the calls table (and any other
 * aligned table): column widths from a sample of rows, fitting to a width,
 * shortening, terminal escaping.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The columns are as wide as their widest cell among the first rows
 * (SF_TABLE_SAMPLE_ROWS), then fitted to the given width: squeezable columns
 * give way, cells too wide lose their middle ("abc…@host") or their end.
 * After the sample the widths are frozen and rows are written as they come,
 * so memory stays bounded on a capture of a million calls.
 */
#include <inttypes.h>
#include <time.h>

#include "render.h"
#include "render_table_engine.h"

#define TABLE_SQUEEZE_MIN 16  /* a squeezed column never gets narrower */
#define TABLE_COLUMN_GAP 2
#define ELLIPSIS "…"          /* 3 bytes, 1 column */

/* ---------------------------------------------------------------- buffer */

const char sf_digit_pairs[201] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

void sf_tbuf_grow(sf_tbuf *b, size_t n)
{
  b->cap = MAX(b->cap * 2, b->len + n + 256);
  b->p = g_realloc(b->p, b->cap);
}

/* ----------------------------------------------------------------- text */

/* One well-formed UTF-8 sequence at p (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF; glib's check, as sf_escape's): its
 * length, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
  if (len == 0)
    return 0;
  if (p[0] < 0x80) {
    *cp = p[0];
    return 1;
  }
  gunichar u = g_utf8_get_char_validated((const char *)p, (gssize)len);
  if (u == (gunichar)-1 || u == (gunichar)-2)
    return 0;
  *cp = u;
  return (size_t)g_utf8_skip[p[0]];
}

/* Format characters a terminal shows as nothing, or obeys by reordering
 * the text around them: zero-width spaces and joiners, the bidirectional
 * marks, embeddings, overrides and isolates (UAX #9 §2), the line and
 * paragraph separators, the word joiner and invisible operators
 * (U+2060-U+2064) with the deprecated format controls after the isolates
 * (U+206A-U+206F), the MONGOLIAN VOWEL SEPARATOR, the ARABIC LETTER MARK
 * and the BOM.  A user name or reason phrase holding U+202E (RIGHT-TO-LEFT
 * OVERRIDE) would otherwise make the terminal show its line in another
 * order than the bytes ("Trojan Source", CVE-2021-42574); one holding an
 * invisible character would look like another name. */
static inline bool invisible_format(uint32_t cp)
{
  return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
         (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || cp == 0x061c || cp == 0x180e;
}

/* Whether code point cp (from a valid sequence) is shown as \xNN bytes:
 * the controls a terminal acts upon (C0, DEL, C1, CSI among them) and the
 * invisible format characters. */
static inline bool term_hidden(uint32_t cp)
{
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x061c && invisible_format(cp));
}

size_t sf_term_escape(const char *p, size_t len, sipflow_write_fn write, void *user)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)p;
  size_t w = 0, i = 0, kept = 0; /* bytes from `kept` to i go out as they are */

  while (i < len) {
    size_t run = sf_plain_run_end(s, i, len); /* the usual case: all of it */
    w += run - i;
    i = run;
    if (i == len)
      break;
    uint32_t cp;
    size_t n = utf8_decode(s + i, len - i, &cp);
    if (n && cp != '\\' && !term_hidden(cp)) {
      w++, i += n;
      continue;
    }
    if (i > kept)
      write(p + kept, i - kept, user);
    if (n == 0 || cp != '\\') {
      size_t bad = n ? n : 1;
      for (size_t k = 0; k < bad; k++) {
        char x[4] = {'\\', 'x', hex[s[i + k] >> 4], hex[s[i + k] & 15]};
        write(x, 4, user);
      }
      w += 4 * bad;
      i += bad;
    } else {
      write("\\\\", 2, user);
      w += 2;
      i++;
    }
    kept = i;
  }
  if (len > kept)
    write(p + kept, len - kept, user);
  return w;
}

static void tbuf_write(const char *text, size_t len, void *user)
{
  sf_tbuf_put(user, text, len);
}

static void gstring_write(const char *text, size_t len, void *user)
{
  g_string_append_len(user, text, (gssize)len);
}

size_t sf_text_escape_from(sf_tbuf *out, const char *p, size_t len, size_t plain)
{
  if (plain) /* out may have no buffer yet: no memcpy to NULL, even of 0 */
    sf_tbuf_put(out, p, plain);
  return plain + sf_term_escape(p + plain, len - plain, tbuf_write, out);
}

void sf_escape_terminal(GString *out, const char *s, size_t len)
{
  if (s)
    sf_term_escape(s, len, gstring_write, out);
}

SIPFLOW_API size_t sipflow_escape_text(const char *s, size_t len, sipflow_write_fn write,
                                       void *user)
{
  if (!s || !write)
    return 0;
  return sf_term_escape(s, len, write, user);
}

size_t sf_text_width(const char *s, size_t len)
{
  size_t w = 0, i = 0;
  uint64_t x;
  /* ASCII eight bytes at a time: eight columns */
  for (; i + 8 <= len; i += 8) {
    memcpy(&x, s + i, 8);
    if (x & SF_HIGHS)
      break;
    w += 8;
  }
  for (; i < len; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80)
      w++;
  return w;
}

/* Byte offset of the first `cols` code points of text s (len bytes,
 * width columns). */
static size_t prefix_bytes(const char *s, size_t len, size_t width, size_t cols)
{
  if (len == width) /* ASCII: a byte a column */
    return MIN(cols, len);
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len && cols > 0) {
    i++;
    while (i < len && (u[i] & 0xc0) == 0x80)
      i++;
    cols--;
  }
  return i;
}

/* memmove(d, s, n) for n <= 32, without a call: every byte is loaded
 * before any is stored, so d and s may overlap. */
static inline void move_short(char *d, const char *s, size_t n)
{
  uint64_t w[4];
  if (n >= 8) {
    /* the first and last 8, and the 16 between when there are more */
    memcpy(&w[0], s, 8);
    memcpy(&w[1], s + n - 8, 8);
    if (n > 16) {
      memcpy(&w[2], s + 8, 8);
      memcpy(&w[3], s + n - 16, 8);
      memcpy(d + 8, &w[2], 8);
      memcpy(d + n - 16, &w[3], 8);
    }
    memcpy(d, &w[0], 8);
    memcpy(d + n - 8, &w[1], 8);
  } else if (n >= 4) {
    uint32_t a, b;
    memcpy(&a, s, 4);
    memcpy(&b, s + n - 4, 4);
    memcpy(d, &a, 4);
    memcpy(d + n - 4, &b, 4);
  } else if (n) { /* 1-3 bytes: the first, middle and last cover them all */
    char a = s[0], b = s[n / 2], c = s[n - 1];
    d[0] = a;
    d[n / 2] = b;
    d[n - 1] = c;
  }
}

/* cut_end keeps the start ("486 Busy H…"); otherwise both ends are kept,
 * Call-IDs differing at the start and at the host after '@'
 * ("abc…@host"), and limit < 3 keeps the start.  The result may be longer
 * in bytes than the text (by the ellipsis): room reserved. */
char *sf_tline_shorten(char *s, char *end, size_t width, size_t limit, bool cut_end)
{
  bool ellipsis = limit && (cut_end || limit >= 3);
  size_t e = ellipsis ? sizeof ELLIPSIS - 1 : 0;
  size_t len = (size_t)(end - s), head, from = len;
  if (cut_end || limit < 3) {
    head = prefix_bytes(s, len, width, cut_end && limit ? limit - 1 : limit);
  } else {
    size_t avail = limit - 1, tail = avail - (avail + 1) / 2;
    head = prefix_bytes(s, len, width, (avail + 1) / 2);
    from = prefix_bytes(s, len, width, width - tail);
  }
  /* the tail first: the ellipsis may overwrite where it was (the tail of
   * a cut Call-ID is short: loads, then stores, that may overlap) */
  if (len - from <= 32)
    move_short(s + head + e, s + from, len - from);
  else
    memmove(s + head + e, s + from, len - from);
  if (ellipsis)
    memcpy(s + head, ELLIPSIS, sizeof ELLIPSIS - 1); /* a fixed size: no call */
  return s + head + e + (len - from);
}

/* ---------------------------------------------------------------- times */

/* n (< 100) as two digits at q */
static char *put2(char *q, unsigned n)
{
  memcpy(q, sf_digit_pairs + 2 * n, 2);
  return q + 2;
}

/* The proleptic Gregorian date of a day since 1970-01-01 (>= 0), by
 * H. Hinnant's days_from_civil inverse ("chrono-Compatible Low-Level Date
 * Algorithms"): what gmtime_r says, without it. */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
  int64_t z = days + 719468;
  int64_t era = z / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* sf_clock_time for a time from 1970 to 9999: the text strftime makes,
 * by arithmetic (gmtime_r and strftime were a thousand instructions, a
 * row of a new second).  0 when out of that range. */
static size_t clock_time_fast(char *buf, int64_t sec, bool with_date)
{
  if (sec < 0 || sec >= INT64_C(253402300800)) /* 10000-01-01 */
    return 0;
  int64_t days = sec / 86400;
  unsigned rem = (unsigned)(sec % 86400);
  char *q = buf;
  if (with_date) {
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    q = put2(q, (unsigned)(y / 100));
    q = put2(q, (unsigned)(y % 100));
    *q++ = '-';
    q = put2(q, m);
    *q++ = '-';
    q = put2(q, d);
    *q++ = ' ';
  }
  q = put2(q, rem / 3600);
  *q++ = ':';
  q = put2(q, rem / 60 % 60);
  *q++ = ':';
  q = put2(q, rem % 60);
  return (size_t)(q - buf);
}

size_t sf_clock_time(char *buf, int64_t us, bool with_date)
{
  int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000); /* floor */
  int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  time_t t = (time_t)sec;
  struct tm tm;
  size_t n = clock_time_fast(buf, sec, with_date);

  if (n)
    return n;
  if (gmtime_r(&t, &tm) &&
      (n = strftime(buf, SF_CLOCK_MAX, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm)))
    return n;
  uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
  int len = g_snprintf(buf, SF_CLOCK_MAX, "%s%" PRIu64 ".%06" PRIu64, us < 0 ? "-" : "",
                       mag / 1000000, mag % 1000000);
  return (size_t)CLAMP(len, 0, SF_CLOCK_MAX - 1);
}

int64_t sf_utc_day(int64_t us)
{
  const int64_t day = 86400LL * 1000000;
  return us >= 0 ? us / day : -((-us + day - 1) / day);
}

/* ----------------------------------------------------------------- table */

typedef sf_tcolumn tcolumn;

struct sipflow_table {
  tcolumn *cols;
  size_t n_cols;
  unsigned total_width;
  sipflow_write_fn write;
  void *user;
  char *titles;       /* the header row: its text and cells */
  size_t titles_len;
  sf_tcell *title_cells;
  size_t *measured;   /* per column: the widest cell of sf_table_measure */
  GPtrArray *pending; /* rows held until the widths are known: each ONE
                         block, n_cols sf_tcells then their text */
  bool frozen;
  sf_tbuf line;       /* the line being written */
  sf_tbuf row;        /* sipflow_table_add: the cells being copied */
  sf_tcell *row_cells;
};

sf_table *sf_table_new(const sipflow_table_column *cols, size_t n_cols, unsigned width,
                       sipflow_write_fn write, void *user)
{
  sf_table *t = g_new0(sf_table, 1);
  sf_tbuf titles = {0};

  t->cols = g_new0(tcolumn, n_cols);
  t->n_cols = n_cols;
  t->total_width = width;
  t->write = write;
  t->user = user;
  t->title_cells = g_new(sf_tcell, n_cols);
  for (size_t c = 0; c < n_cols; c++) {
    const char *title = cols[c].title ? cols[c].title : "";
    size_t len = strlen(title);
    t->cols[c].def = cols[c];
    t->cols[c].def.title = NULL; /* the copy in `titles` */
    t->cols[c].gap = c == 0 ? 0 : cols[c].tight ? 1 : TABLE_COLUMN_GAP;
    bool right = cols[c].align == SIPFLOW_ALIGN_RIGHT;
    t->cols[c].lead_pad = right ? SIZE_MAX : 0;
    t->cols[c].trail_pad = !right && c != n_cols - 1 ? SIZE_MAX : 0;
    t->title_cells[c] = (sf_tcell){(uint32_t)titles.len, (uint32_t)len,
                                   (uint32_t)sf_text_width(title, len)};
    sf_tbuf_put(&titles, title, len);
  }
  sf_tbuf_reserve(&titles, SF_TABLE_SLACK);
  t->titles = titles.p;
  t->titles_len = titles.len;
  t->pending = g_ptr_array_new_with_free_func(g_free);
  t->measured = g_new0(size_t, n_cols);
  t->row_cells = g_new(sf_tcell, n_cols);
  return t;
}

void sf_table_free(sf_table *t)
{
  if (!t)
    return;
  g_ptr_array_free(t->pending, TRUE);
  g_free(t->measured);
  g_free(t->line.p);
  g_free(t->row.p);
  g_free(t->row_cells);
  g_free(t->titles);
  g_free(t->title_cells);
  g_free(t->cols);
  g_free(t);
}

/* Each column as wide as its widest cell so far (capped at max_width);
 * then, while a row is wider than total_width, the squeezable columns give
 * way: first those with a soft minimum down to it, then every one, the
 * last first, down to TABLE_SQUEEZE_MIN.  Still too wide: so be it. */
static void freeze_widths(sf_table *t)
{
  size_t sum = 0;

  for (size_t c = 0; c < t->n_cols; c++) {
    const sipflow_table_column *col = &t->cols[c].def;
    size_t w = MAX(t->title_cells[c].width, col->overflow ? 0 : t->measured[c]);
    for (size_t r = 0; r < t->pending->len && !col->overflow; r++) {
      const sf_tcell *row = g_ptr_array_index(t->pending, r);
      w = MAX(w, row[c].width);
    }
    if (col->max_width && w > col->max_width)
      w = col->max_width;
    t->cols[c].width = w;
    sum += w + t->cols[c].gap;
  }
  for (int pass = 0; pass < 2; pass++) {
    for (size_t c = t->n_cols; c-- > 0 && sum > t->total_width;) {
      const sipflow_table_column *col = &t->cols[c].def;
      size_t floor = pass == 0 ? col->soft_min : 0;
      if (!col->squeeze || (pass == 0 && floor == 0))
        continue;
      floor = MAX(floor, TABLE_SQUEEZE_MIN);
      if (t->cols[c].width <= floor)
        continue;
      size_t give = MIN(sum - t->total_width, t->cols[c].width - floor);
      t->cols[c].width -= give;
      sum -= give;
    }
  }
  for (size_t c = 0; c < t->n_cols; c++) {
    tcolumn *col = &t->cols[c];
    col->limit = col->def.max_width || col->def.squeeze ? col->width : SIZE_MAX;
    bool last = c == t->n_cols - 1;
    col->room = last && col->def.squeeze && t->total_width > col->gap
                    ? t->total_width - col->gap : 0;
  }
  t->frozen = true;
}

const sf_tcolumn *sf_table_frozen(const sf_table *t)
{
  return t->frozen ? t->cols : NULL;
}

char *sf_tline_end(const char *start, char *q)
{
  while (q > start && q[-1] == ' ')
    q--;
  *q++ = '\n';
  return q;
}

/* One line of cells already measured (text at base, SF_TABLE_SLACK bytes
 * readable past each), written through t->write. */
static void write_line(sf_table *t, const char *base, const sf_tcell *cells)
{
  size_t used = 0; /* display width of the line so far */
  size_t room = 1;
  for (size_t c = 0; c < t->n_cols; c++)
    room += MAX(cells[c].len, SF_TABLE_SLACK) + SF_TLINE_ROOM(&t->cols[c]);
  sf_tbuf_reserve(&t->line, room);
  char *q = t->line.p;

  for (size_t c = 0; c < t->n_cols; c++) {
    const tcolumn *col = &t->cols[c];
    size_t len = cells[c].len;
    q = sf_tline_gap(q, col);
    char *at = q;
    memcpy(at, base + cells[c].off, len <= 16 ? 16 : len); /* SF_TABLE_SLACK */
    size_t limit = c == t->n_cols - 1 ? sf_tline_last_limit(col, used) : col->limit;
    q = sf_tline_put(at, at + len, cells[c].width, col, limit, &used);
  }
  q = sf_tline_end(t->line.p, q);
  t->write(t->line.p, (size_t)(q - t->line.p), t->user);
}

/* The text bytes of a held row. */
static size_t row_bytes(const sf_table *t, const sf_tcell *row)
{
  size_t bytes = 0;
  for (size_t c = 0; c < t->n_cols; c++)
    bytes += row[c].len;
  return bytes;
}

/* The header, then the rows held; the widths are frozen from then on. */
static void flush_pending(sf_table *t)
{
  freeze_widths(t);
  write_line(t, t->titles, t->title_cells);
  for (size_t r = 0; r < t->pending->len; r++) {
    const sf_tcell *row = g_ptr_array_index(t->pending, r);
    write_line(t, (const char *)&row[t->n_cols], row);
  }
  g_ptr_array_set_size(t->pending, 0);
}

void sf_table_measure(sf_table *t, const sf_tcell *cells)
{
  for (size_t c = 0; c < t->n_cols; c++)
    t->measured[c] = MAX(t->measured[c], cells[c].width);
}

void sf_table_flush(sf_table *t)
{
  if (!t->frozen || t->pending->len)
    flush_pending(t);
}

void sf_table_add(sf_table *t, const char *base, const sf_tcell *cells)
{
  if (t->frozen) {
    write_line(t, base, cells);
    return;
  }
  sf_tcell *row = g_malloc(t->n_cols * sizeof *row + row_bytes(t, cells) + SF_TABLE_SLACK);
  char *text = (char *)&row[t->n_cols];
  uint32_t off = 0;
  for (size_t c = 0; c < t->n_cols; c++) {
    memcpy(text + off, base + cells[c].off, cells[c].len);
    row[c] = (sf_tcell){off, cells[c].len, cells[c].width};
    off += cells[c].len;
  }
  g_ptr_array_add(t->pending, row);
  if (t->pending->len >= SF_TABLE_SAMPLE_ROWS)
    flush_pending(t);
}

/* ---------------------------------------------------------------- public */

SIPFLOW_API sipflow_table *sipflow_table_new(const sipflow_table_column *cols, size_t n_cols,
                                             unsigned width, sipflow_write_fn write,
                                             void *user)
{
  if (!cols || !n_cols || !write)
    return NULL;
  return sf_table_new(cols, n_cols, width ? width : SF_TABLE_DEFAULT_WIDTH, write, user);
}

SIPFLOW_API void sipflow_table_add(sipflow_table *t, const char *const *cells)
{
  if (!t || !cells)
    return;
  t->row.len = 0;
  for (size_t c = 0; c < t->n_cols; c++) {
    const char *s = cells[c] ? cells[c] : "";
    size_t len = strlen(s);
    t->row_cells[c] = (sf_tcell){(uint32_t)t->row.len, (uint32_t)len,
                                 (uint32_t)sf_text_width(s, len)};
    sf_tbuf_put(&t->row, s, len);
  }
  sf_tbuf_reserve(&t->row, SF_TABLE_SLACK);
  sf_table_add(t, t->row.p, t->row_cells);
}

SIPFLOW_API void sipflow_table_finish(sipflow_table *t)
{
  if (!t)
    return;
  sf_table_flush(t);
  sf_table_free(t);
}
