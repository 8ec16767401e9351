/*
 * Unit tests for capture.c: small pcap/pcapng files written into a temporary
 * directory, read back with sipflow_read_files.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The stages after decode may still be stubs, so frame numbers and merge
 * order are observed through decode's own snaplen diagnostic: every packet
 * is written with a wire length larger than what is captured, unique per
 * packet, and "frame N: only 47 of W bytes captured" tells which packet got
 * which frame number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>

#include "sf_ctx.h"

#define PKT_LEN 47 /* Ethernet 14 + IPv4 20 + UDP 8 + "hello" */

typedef struct fixture {
  char *dir;
  GArray *wires;   /* wire length of each snaplen diagnostic, in order */
  GArray *frames;  /* its frame */
  GPtrArray *progress; /* "done/total/packets" per progress call */
  sipflow_ctx *ctx;
  uint64_t expired_at; /* packets fed when a fragment expired (0: never) */
} fixture;

typedef struct pkt_spec {
  int64_t ts_us;
  unsigned wirelen; /* identifies the packet */
  unsigned dport;
} pkt_spec;

/* Changes packet i of a file (PKT_LEN bytes) before it is written. */
typedef void (*pkt_tweak)(uint8_t *pkt, size_t i);

static void on_diag(const sipflow_diag *d, void *user)
{
  fixture *fx = user;
  uint64_t frame;
  unsigned cap, wire;

  if (d->code == SIPFLOW_DIAG_FRAGMENT_EXPIRED && !fx->expired_at)
    fx->expired_at = fx->ctx->counters.packets;
  if (d->code != SIPFLOW_DIAG_TRUNCATED_PACKET)
    return;
  assert_int_equal(sscanf(d->text, "frame %" SCNu64 ": only %u of %u bytes", &frame, &cap,
                          &wire),
                   3);
  assert_int_equal(frame, d->frame);
  assert_int_equal(cap, PKT_LEN);
  g_array_append_val(fx->wires, wire);
  g_array_append_val(fx->frames, frame);
}

static void on_progress(uint64_t done, uint64_t total, uint64_t packets, uint64_t messages,
                        void *user)
{
  fixture *fx = user;
  g_ptr_array_add(fx->progress, g_strdup_printf("%" PRIu64 "/%" PRIu64 "/%" PRIu64, done,
                                                total, packets));
}

static int setup(void **state)
{
  fixture *fx = g_new0(fixture, 1);
  sipflow_callbacks cb = {.on_diag = on_diag};

  fx->dir = g_dir_make_tmp("sipflow-capture-XXXXXX", NULL);
  assert_non_null(fx->dir);
  fx->wires = g_array_new(FALSE, FALSE, sizeof(unsigned));
  fx->frames = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  fx->progress = g_ptr_array_new_with_free_func(g_free);
  fx->ctx = sipflow_new(&cb, fx, NULL);
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  fixture *fx = *state;
  GDir *d = g_dir_open(fx->dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name(d))) {
    char *p = g_build_filename(fx->dir, name, NULL);
    g_remove(p);
    g_free(p);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(fx->dir);
  g_free(fx->dir);
  g_array_free(fx->wires, TRUE);
  g_array_free(fx->frames, TRUE);
  g_ptr_array_free(fx->progress, TRUE);
  sipflow_free(fx->ctx);
  g_free(fx);
  return 0;
}

static char *path_of(fixture *fx, const char *name)
{
  return g_build_filename(fx->dir, name, NULL);
}

/* Ethernet / IPv4 / UDP 10.0.0.1:5060 -> 10.0.0.2:dport, "hello". */
static void make_packet(uint8_t *p, unsigned dport)
{
  static const uint8_t head[PKT_LEN - 5] = {
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
      0x45, 0, 0, 33, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
      0x13, 0xc4, 0, 0, 0, 13, 0, 0};
  memcpy(p, head, sizeof head);
  memcpy(p + sizeof head, "hello", 5);
  p[36] = (uint8_t)(dport >> 8);
  p[37] = (uint8_t)dport;
}

static char *write_pcap_tweaked(fixture *fx, const char *name, int dlt, int precision,
                                const pkt_spec *specs, size_t n, pkt_tweak tweak)
{
  char *path = path_of(fx, name);
  pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, (u_int)precision);
  pcap_dumper_t *w = pcap_dump_open(dead, path);
  assert_non_null(w);
  for (size_t i = 0; i < n; i++) {
    uint8_t pkt[PKT_LEN];
    struct pcap_pkthdr h = {.caplen = PKT_LEN, .len = specs[i].wirelen};
    int64_t frac = specs[i].ts_us % 1000000;
    h.ts.tv_sec = (time_t)(specs[i].ts_us / 1000000);
    h.ts.tv_usec = (suseconds_t)(precision == PCAP_TSTAMP_PRECISION_NANO ? frac * 1000 : frac);
    make_packet(pkt, specs[i].dport ? specs[i].dport : 5060);
    if (tweak)
      tweak(pkt, i);
    pcap_dump((u_char *)w, &h, pkt);
  }
  pcap_dump_close(w);
  pcap_close(dead);
  return path;
}

static char *write_pcap_prec(fixture *fx, const char *name, int dlt, int precision,
                             const pkt_spec *specs, size_t n)
{
  return write_pcap_tweaked(fx, name, dlt, precision, specs, n, NULL);
}

static char *write_pcap(fixture *fx, const char *name, const pkt_spec *specs, size_t n)
{
  return write_pcap_prec(fx, name, DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, specs, n);
}

static char *write_bytes(fixture *fx, const char *name, const void *data, size_t len)
{
  char *path = path_of(fx, name);
  assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  return path;
}

static int read_one(fixture *fx, const char *path, const char *filter)
{
  const char *paths[] = {path};
  return sipflow_read_files(fx->ctx, paths, 1, filter);
}

static uint64_t packets_fed(fixture *fx)
{
  sipflow_counters c;
  sipflow_get_counters(fx->ctx, &c);
  return c.packets;
}

/* Asserts the snaplen diagnostics came with frames 1.. and these wire lengths. */
static void assert_wires(fixture *fx, const unsigned *want, size_t n)
{
  assert_int_equal(fx->wires->len, n);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(g_array_index(fx->wires, unsigned, i), want[i]);
    assert_int_equal(g_array_index(fx->frames, uint64_t, i), i + 1);
  }
}

/* Asserts that of n packets every `every`th, and only those, came cut
 * (wire length 100000 + its index) with its frame number. */
static void assert_cut_every(fixture *fx, unsigned n, unsigned every)
{
  assert_int_equal(fx->wires->len, n / every);
  for (unsigned k = 0; k < n / every; k++) {
    uint64_t frame = (uint64_t)(k + 1) * every;
    assert_int_equal(g_array_index(fx->frames, uint64_t, k), frame);
    assert_int_equal(g_array_index(fx->wires, unsigned, k), 100000 + frame - 1);
  }
}

/* ------------------------------------------------------------- tests */

static const pkt_spec FIVE[] = {
    {1000000, 1001, 5060}, {1000010, 1002, 5061}, {1000020, 1003, 5060},
    {1000030, 1004, 5061}, {1000040, 1005, 5060}};

static void test_single_file(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap(fx, "a.pcap", FIVE, 5);

  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_OK);
  assert_string_equal(sipflow_errmsg(fx->ctx), "");
  assert_int_equal(packets_fed(fx), 5);
  static const unsigned want[] = {1001, 1002, 1003, 1004, 1005};
  assert_wires(fx, want, 5);
  assert_true(fx->ctx->finished);
  g_free(p);
}

/* A file over two of the reader's 8 MiB mapped windows (300 000 records of
 * 63 bytes, so records straddle each window end): every packet is fed
 * once, in order, with its frame number.  Every 10 000th packet is cut
 * short (its wire length names it), for decode to report with its frame. */
static void test_file_over_mapped_windows(void **state)
{
  fixture *fx = *state;
  enum { N = 300000, EVERY = 10000 };
  pkt_spec *specs = g_new0(pkt_spec, N);

  for (unsigned i = 0; i < N; i++) {
    specs[i].ts_us = 1000000 + (int64_t)i;
    specs[i].wirelen = (i + 1) % EVERY == 0 ? 100000 + i : PKT_LEN;
  }
  char *p = write_pcap(fx, "big.pcap", specs, N);
  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_OK);
  sipflow_counters c;
  sipflow_get_counters(fx->ctx, &c);
  assert_int_equal(c.packets, N);
  assert_int_equal(c.bytes, (uint64_t)N * PKT_LEN);
  assert_int_equal(fx->ctx->last_time_us, 1000000 + N - 1);
  assert_cut_every(fx, N, EVERY);
  g_free(specs);
  g_free(p);
}

/* The fast loop (one mapped file, no filter) drops RTP
 * without its time stamp, yet counts every packet and byte, numbers the
 * frames after the dropped ones, runs the expiry of stale fragments on
 * packet 4096 (SF_EXPIRE_EVERY) with that packet's time even though decode
 * drops it, and leaves the last packet's time (nanoseconds file). */
/* Packet 0 a lone last IPv4 fragment (offset 8, More Fragments clear),
 * every other one RTP (payload starting 0x80). */
static void fragment_then_rtp(uint8_t *pkt, size_t i)
{
  if (i == 0)
    pkt[21] = 1;
  else
    pkt[42] = 0x80;
}

static void test_rtp_dropped_on_fast_loop(void **state)
{
  fixture *fx = *state;
  enum { N = 10000, EVERY = 1000 };
  pkt_spec *specs = g_new0(pkt_spec, N);

  /* packet 1: a lone last fragment at 1 s, stale (> 30 s) from packet 2 on */
  specs[0] = (pkt_spec){.ts_us = 1000000, .wirelen = PKT_LEN};
  for (unsigned i = 1; i < N; i++) {
    specs[i].ts_us = 100000000 + (int64_t)i * 20000;
    /* every 1000th cut short: reported with its frame number */
    specs[i].wirelen = (i + 1) % EVERY == 0 ? 100000 + i : PKT_LEN;
  }
  char *p = write_pcap_tweaked(fx, "rtp.pcap", DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, specs,
                               N, fragment_then_rtp);
  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_OK);
  sipflow_counters c;
  sipflow_get_counters(fx->ctx, &c);
  assert_int_equal(c.packets, N);
  assert_int_equal(c.bytes, (uint64_t)N * PKT_LEN);
  assert_int_equal(c.messages, 0);
  assert_int_equal(fx->ctx->last_time_us, 100000000 + (int64_t)(N - 1) * 20000);
  assert_int_equal(fx->expired_at, 4096);
  assert_int_equal(sipflow_diag_count(fx->ctx, SIPFLOW_DIAG_FRAGMENT_EXPIRED), 1);
  assert_cut_every(fx, N, EVERY);
  g_free(specs);
  g_free(p);
}

static void test_merge_by_time(void **state)
{
  fixture *fx = *state;
  static const pkt_spec a[] = {{1000001, 101, 0}, {1000003, 102, 0}, {1000005, 103, 0}};
  static const pkt_spec b[] = {{1000002, 201, 0}, {1000003, 202, 0}, {1000004, 203, 0},
                               {2000000, 204, 0}};
  static const pkt_spec c[] = {{999999, 301, 0}};
  char *pa = write_pcap(fx, "a.pcap", a, 3), *pb = write_pcap(fx, "b.pcap", b, 4);
  char *pc = write_pcap(fx, "c.pcap", c, 1);
  const char *paths[] = {pa, pb, pc};

  assert_int_equal(sipflow_read_files(fx->ctx, paths, 3, NULL), SIPFLOW_OK);
  /* the tie at 1.000003 goes to the earlier file */
  static const unsigned want[] = {301, 101, 201, 102, 202, 203, 103, 204};
  assert_wires(fx, want, 8);
  assert_int_equal(packets_fed(fx), 8);
  g_free(pa);
  g_free(pb);
  g_free(pc);
}

static void test_merge_nanosecond_file(void **state)
{
  fixture *fx = *state;
  static const pkt_spec us[] = {{5000002, 111, 0}, {5000004, 112, 0}};
  static const pkt_spec ns[] = {{5000001, 121, 0}, {5000003, 122, 0}};
  char *pu = write_pcap(fx, "us.pcap", us, 2);
  char *pn = write_pcap_prec(fx, "ns.pcap", DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, ns, 2);
  const char *paths[] = {pu, pn};

  assert_int_equal(sipflow_read_files(fx->ctx, paths, 2, NULL), SIPFLOW_OK);
  static const unsigned want[] = {121, 111, 122, 112};
  assert_wires(fx, want, 4);
  g_free(pu);
  g_free(pn);
}

static void test_filter_counts_all_frames(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap(fx, "a.pcap", FIVE, 5);

  assert_int_equal(read_one(fx, p, "udp dst port 5060"), SIPFLOW_OK);
  assert_int_equal(packets_fed(fx), 3);
  assert_int_equal(fx->wires->len, 3);
  /* rejected packets still take their frame numbers: 1, 3, 5 */
  static const uint64_t frames[] = {1, 3, 5};
  static const unsigned wires[] = {1001, 1003, 1005};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(g_array_index(fx->frames, uint64_t, i), frames[i]);
    assert_int_equal(g_array_index(fx->wires, unsigned, i), wires[i]);
  }
  g_free(p);
}

static void test_filter_matches_nothing(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap(fx, "a.pcap", FIVE, 5);

  assert_int_equal(read_one(fx, p, "tcp"), SIPFLOW_OK);
  assert_int_equal(packets_fed(fx), 0);
  assert_int_equal(fx->wires->len, 0);
  g_free(p);
}

static void test_bad_filter(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap(fx, "a.pcap", FIVE, 5);

  assert_int_equal(read_one(fx, p, "udp port ("), SIPFLOW_ERR_FORMAT);
  assert_true(g_str_has_prefix(sipflow_errmsg(fx->ctx), "bad filter 'udp port (': "));
  assert_true(strlen(sipflow_errmsg(fx->ctx)) > strlen("bad filter 'udp port (': "));
  assert_int_equal(packets_fed(fx), 0);
  assert_true(fx->ctx->finished);
  g_free(p);
}

static void test_missing_file(void **state)
{
  fixture *fx = *state;
  char *good = write_pcap(fx, "a.pcap", FIVE, 5), *p = path_of(fx, "nope.pcap");
  const char *paths[] = {good, p};

  assert_int_equal(sipflow_read_files(fx->ctx, paths, 2, NULL), SIPFLOW_ERR_IO);
  char *want = g_strdup_printf("%s: No such file or directory", p);
  assert_string_equal(sipflow_errmsg(fx->ctx), want);
  /* every file is opened before any packet is fed */
  assert_int_equal(packets_fed(fx), 0);
  assert_true(fx->ctx->finished);
  g_free(want);
  g_free(p);
  g_free(good);
}

static void test_directory(void **state)
{
  fixture *fx = *state;
  assert_int_equal(read_one(fx, fx->dir, NULL), SIPFLOW_ERR_IO);
  char *want = g_strdup_printf("%s: Is a directory", fx->dir);
  assert_string_equal(sipflow_errmsg(fx->ctx), want);
  g_free(want);
}

static void test_empty_file(void **state)
{
  fixture *fx = *state;
  char *p = write_bytes(fx, "empty.pcap", "", 0);

  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_ERR_FORMAT);
  char *want = g_strdup_printf("%s: empty file, not a capture", p);
  assert_string_equal(sipflow_errmsg(fx->ctx), want);
  assert_true(fx->ctx->finished);
  g_free(want);
  g_free(p);
}

static void test_text_file(void **state)
{
  fixture *fx = *state;
  static const char *texts[] = {"INVITE sip:bob@example.com SIP/2.0\r\n", "ab"};

  for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
    char *p = write_bytes(fx, "notes.txt", texts[i], strlen(texts[i]));
    assert_int_equal(read_one(fx, p, NULL), SIPFLOW_ERR_FORMAT);
    char *want = g_strdup_printf("%s: not a pcap or pcapng file", p);
    assert_string_equal(sipflow_errmsg(fx->ctx), want);
    g_free(want);
    g_free(p);
  }
}

static void test_header_only_file(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap(fx, "a.pcap", FIVE, 0);
  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_OK);
  assert_int_equal(packets_fed(fx), 0);
  g_free(p);

  /* a pcap magic number and nothing else: cut inside the file header */
  static const uint8_t magic[6] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0};
  p = write_bytes(fx, "b.pcap", magic, sizeof magic);
  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_ERR_TRUNCATED);
  char *want = g_strdup_printf("%s: truncated before the first packet", p);
  assert_true(g_str_has_prefix(sipflow_errmsg(fx->ctx), want));
  g_free(want);
  g_free(p);
}

static void test_truncated_file(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap(fx, "a.pcap", FIVE, 3);
  const size_t rec = 16 + PKT_LEN;

  /* cut in the data of packet 3 */
  assert_int_equal(truncate(p, (off_t)(24 + 2 * rec + 16 + 10)), 0);
  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_ERR_TRUNCATED);
  char *want = g_strdup_printf("%s: truncated in the middle of packet 3 (tried to read 47 "
                               "captured bytes, only got 10)", p);
  assert_string_equal(sipflow_errmsg(fx->ctx), want);
  g_free(want);
  assert_int_equal(packets_fed(fx), 2);
  static const unsigned wires[] = {1001, 1002};
  assert_wires(fx, wires, 2);
  assert_true(fx->ctx->finished);
  g_free(p);
}

static void test_truncated_record_header(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap(fx, "a.pcap", FIVE, 3);
  const size_t rec = 16 + PKT_LEN;

  assert_int_equal(truncate(p, (off_t)(24 + 2 * rec + 7)), 0);
  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_ERR_TRUNCATED);
  char *want = g_strdup_printf("%s: truncated in the middle of packet 3 (tried to read 16 "
                               "header bytes, only got 7)", p);
  assert_string_equal(sipflow_errmsg(fx->ctx), want);
  g_free(want);
  assert_int_equal(packets_fed(fx), 2);
  g_free(p);
}

/* A cut file among others stops alone: the rest is still merged, and the
 * error comes at the end. */
static void test_truncated_in_merge(void **state)
{
  fixture *fx = *state;
  static const pkt_spec a[] = {{10, 101, 0}, {30, 102, 0}, {50, 103, 0}};
  static const pkt_spec b[] = {{20, 201, 0}, {40, 202, 0}, {60, 203, 0}};
  char *pa = write_pcap(fx, "a.pcap", a, 3), *pb = write_pcap(fx, "b.pcap", b, 3);
  const char *paths[] = {pa, pb};

  assert_int_equal(truncate(pa, (off_t)(24 + 16 + PKT_LEN + 20)), 0);
  assert_int_equal(sipflow_read_files(fx->ctx, paths, 2, NULL), SIPFLOW_ERR_TRUNCATED);
  assert_true(g_str_has_prefix(sipflow_errmsg(fx->ctx), pa));
  assert_non_null(strstr(sipflow_errmsg(fx->ctx), "truncated in the middle of packet 2"));
  static const unsigned want[] = {101, 201, 202, 203};
  assert_wires(fx, want, 4);
  g_free(pa);
  g_free(pb);
}

static void test_unsupported_linktype(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap_prec(fx, "wifi.pcap", DLT_IEEE802_11, PCAP_TSTAMP_PRECISION_MICRO,
                            FIVE, 2);

  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_ERR_LINKTYPE);
  char *want = g_strdup_printf("%s: link type 105 (IEEE802_11) not supported", p);
  assert_string_equal(sipflow_errmsg(fx->ctx), want);
  assert_int_equal(packets_fed(fx), 0);
  g_free(want);
  g_free(p);
}

static void test_no_files(void **state)
{
  fixture *fx = *state;
  assert_int_equal(sipflow_read_files(fx->ctx, NULL, 0, NULL), SIPFLOW_ERR_INVALID);
  assert_true(fx->ctx->finished);
  assert_int_equal(sipflow_read_files(NULL, NULL, 0, NULL), SIPFLOW_ERR_INVALID);
}

/* ------------------------------------------------------------- pcapng */

static void le16(GByteArray *b, unsigned v)
{
  uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  g_byte_array_append(b, x, 2);
}

static void le32(GByteArray *b, uint32_t v)
{
  le16(b, v & 0xffff);
  le16(b, v >> 16);
}

static void test_pcapng(void **state)
{
  fixture *fx = *state;
  GByteArray *b = g_byte_array_new();
  uint8_t pkt[PKT_LEN + 1] = {0}; /* + 1 byte of block padding */

  /* Section Header Block, then one Interface Description Block (Ethernet) */
  le32(b, 0x0a0d0d0a); le32(b, 28); le32(b, 0x1a2b3c4d); le16(b, 1); le16(b, 0);
  le32(b, 0xffffffff); le32(b, 0xffffffff); le32(b, 28);
  le32(b, 1); le32(b, 20); le16(b, 1); le16(b, 0); le32(b, 65535); le32(b, 20);
  make_packet(pkt, 5060);
  for (unsigned i = 0; i < 3; i++) { /* Enhanced Packet Blocks, µs timestamps */
    uint64_t ts = 1700000000000000ull + i;
    le32(b, 6); le32(b, 32 + PKT_LEN + 1); le32(b, 0);
    le32(b, (uint32_t)(ts >> 32)); le32(b, (uint32_t)ts);
    le32(b, PKT_LEN); le32(b, 500 + i);
    g_byte_array_append(b, pkt, sizeof pkt);
    le32(b, 32 + PKT_LEN + 1);
  }
  char *p = write_bytes(fx, "a.pcapng", b->data, b->len);
  g_byte_array_free(b, TRUE);

  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_OK);
  static const unsigned want[] = {500, 501, 502};
  assert_wires(fx, want, 3);
  g_free(p);
}

/* pcapng blocks for the fast path's tests: a Section Header, an Interface
 * Description (Ethernet, snaplen 65535, if_tsresol tsresol). */
static void ng_idb(GByteArray *b, uint8_t tsresol);

static void ng_head(GByteArray *b, uint8_t tsresol)
{
  le32(b, 0x0a0d0d0a); le32(b, 28); le32(b, 0x1a2b3c4d); le16(b, 1); le16(b, 0);
  le32(b, 0xffffffff); le32(b, 0xffffffff); le32(b, 28);
  ng_idb(b, tsresol);
}

static void ng_idb(GByteArray *b, uint8_t tsresol)
{
  le32(b, 1); le32(b, 32); le16(b, 1); le16(b, 0); le32(b, 65535);
  le16(b, 9); le16(b, 1); le32(b, tsresol); /* if_tsresol, padded */
  le32(b, 0);                               /* opt_endofopt */
  le32(b, 32);
}

/* An Enhanced Packet Block of the test packet on interface iface, wire
 * length wirelen, time stamp `stamp` in the interface's units, with a
 * comment option of pad bytes (0: none). */
static void ng_epb(GByteArray *b, uint32_t iface, uint64_t stamp, unsigned wirelen,
                   unsigned pad)
{
  uint8_t pkt[PKT_LEN + 1] = {0}; /* + 1 byte of block padding */
  uint32_t opts = pad ? 4 + (pad + 3) / 4 * 4 + 4 : 0;
  uint32_t len = 32 + sizeof pkt + opts;

  make_packet(pkt, 5060);
  le32(b, 6); le32(b, len); le32(b, iface);
  le32(b, (uint32_t)(stamp >> 32)); le32(b, (uint32_t)stamp);
  le32(b, PKT_LEN); le32(b, wirelen);
  g_byte_array_append(b, pkt, sizeof pkt);
  if (pad) {
    le16(b, 1); le16(b, pad); /* opt_comment */
    for (unsigned i = 0; i < (pad + 3) / 4 * 4; i++)
      g_byte_array_append(b, (const uint8_t *)"x", 1);
    le32(b, 0);
  }
  le32(b, len);
}

/* A pcapng file over several mapped windows (the fast path), nanosecond
 * stamps, blocks libpcap skips between the packets: every packet in order,
 * the stamps truncated to µs and progress at the end of each block, as
 * libpcap reads it. */
static void test_pcapng_fast_path(void **state)
{
  fixture *fx = *state;
  GByteArray *b = g_byte_array_new();
  const unsigned n = 8200;
  uint64_t end_of_4096 = 0;

  ng_head(b, 9);
  for (unsigned i = 0; i < n; i++) {
    ng_epb(b, 0, 1700000000000000000ull + i * 1000001ull, 100 + i % 7, 1000);
    if (i + 1 == 4096)
      end_of_4096 = b->len;
    if (i % 1000 == 0) { /* an Interface Statistics Block */
      le32(b, 5); le32(b, 24); le32(b, 0); le32(b, 0); le32(b, 0); le32(b, 24);
    }
  }
  char *p = write_bytes(fx, "big.pcapng", b->data, b->len);
  assert_true(b->len > (8u << 20)); /* more than one window */

  sipflow_set_progress(fx->ctx, on_progress);
  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_OK);
  assert_int_equal(packets_fed(fx), n);
  assert_int_equal(fx->wires->len, n);
  for (unsigned i = 0; i < n; i++)
    assert_int_equal(g_array_index(fx->wires, unsigned, i), 100 + i % 7);
  assert_int_equal(fx->ctx->last_time_us, 1700000000000000ll + (n - 1) * 1000001ll / 1000);
  char *want = g_strdup_printf("%" PRIu64 "/%u/4096", end_of_4096, b->len);
  assert_string_equal(g_ptr_array_index(fx->progress, 0), want);
  g_free(want);
  g_byte_array_free(b, TRUE);
  g_free(p);
}

/* A second interface in the middle: the fast path hands the file back to
 * libpcap there, which reads the rest (packets of both interfaces), and a
 * packet on an interface with no description is libpcap's error. */
static void test_pcapng_second_interface(void **state)
{
  fixture *fx = *state;
  GByteArray *b = g_byte_array_new();

  ng_head(b, 6);
  ng_epb(b, 0, 1700000000000000ull, 501, 0);
  ng_epb(b, 0, 1700000000000001ull, 502, 0);
  ng_idb(b, 9);
  ng_epb(b, 1, 1700000000000002000ull, 503, 0);
  ng_epb(b, 0, 1700000000000003ull, 504, 0);
  ng_epb(b, 2, 1700000000000004ull, 505, 0);
  char *p = write_bytes(fx, "two.pcapng", b->data, b->len);
  g_byte_array_free(b, TRUE);

  assert_int_equal(read_one(fx, p, NULL), SIPFLOW_ERR_FORMAT);
  static const unsigned want[] = {501, 502, 503, 504};
  assert_wires(fx, want, 4);
  assert_int_equal(fx->ctx->last_time_us, 1700000000000003ll);
  char *msg = g_strdup_printf("%s: cannot read packet 5: a packet arrived on interface 2, "
                              "but there's no Interface Description Block for that interface",
                              p);
  assert_string_equal(sipflow_errmsg(fx->ctx), msg);
  g_free(msg);
  g_free(p);
}

/* Progress every 4096 frames, on the fast loop (filter NULL) or on the
 * general one (a filter). */
static void check_progress(fixture *fx, const char *filter)
{
  const size_t n = 8200;
  pkt_spec *specs = g_new0(pkt_spec, n);
  for (size_t i = 0; i < n; i++)
    specs[i] = (pkt_spec){.ts_us = (int64_t)i, .wirelen = 100, .dport = 5060};
  char *p = write_pcap(fx, "big.pcap", specs, n);
  g_free(specs);
  GStatBuf st;
  assert_int_equal(g_stat(p, &st), 0);

  sipflow_set_progress(fx->ctx, on_progress);
  assert_int_equal(read_one(fx, p, filter), SIPFLOW_OK);
  assert_int_equal(packets_fed(fx), n);
  assert_int_equal(fx->progress->len, 2);
  uint64_t done[2], total, packets;
  for (guint i = 0; i < 2; i++) {
    assert_int_equal(sscanf(g_ptr_array_index(fx->progress, i),
                            "%" SCNu64 "/%" SCNu64 "/%" SCNu64, &done[i], &total, &packets),
                     3);
    assert_int_equal(total, (uint64_t)st.st_size);
    assert_int_equal(packets, 4096 * (i + 1));
    if (!filter) { /* the fast loop: exactly the bytes of the packets fed */
      assert_int_equal(done[i], 24 + packets * (16 + PKT_LEN));
    } else { /* libpcap reads ahead in stdio buffers: at least those, at
                most the file */
      assert_true(done[i] >= 24 + packets * (16 + PKT_LEN));
      assert_true(done[i] <= total);
    }
  }
  assert_true(done[1] > done[0]);
  g_free(p);
}

static void test_progress(void **state)
{
  check_progress(*state, NULL);
}

static void test_progress_with_filter(void **state)
{
  check_progress(*state, "udp");
}

/* sipflow_read_fp (issue 6, what fuzz_pcap uses): a capture in memory
 * through fmemopen reads like the file; errors name the given stream. */
static void test_read_fp_memory(void **state)
{
  fixture *fx = *state;
  char *p = write_pcap(fx, "a.pcap", FIVE, 5);
  char *data;
  size_t len;

  assert_true(g_file_get_contents(p, &data, &len, NULL));
  FILE *fp = fmemopen(data, len, "rb");
  assert_non_null(fp);
  assert_int_equal(sipflow_read_fp(fx->ctx, fp, "mem.pcap", "udp port 5061"), SIPFLOW_OK);
  assert_string_equal(sipflow_errmsg(fx->ctx), "");
  static const unsigned want[] = {1002, 1004};
  assert_int_equal(fx->wires->len, 2);
  assert_int_equal(g_array_index(fx->wires, unsigned, 0), want[0]);
  assert_int_equal(g_array_index(fx->frames, uint64_t, 0), 2); /* frames count all */
  assert_int_equal(g_array_index(fx->wires, unsigned, 1), want[1]);
  assert_int_equal(g_array_index(fx->frames, uint64_t, 1), 4);
  assert_true(fx->ctx->finished);
  g_free(data);
  g_free(p);
}

static void test_read_fp_errors(void **state)
{
  fixture *fx = *state;
  static char text[] = "This is not a capture file.\n";

  FILE *fp = fmemopen(text, sizeof text - 1, "rb");
  assert_non_null(fp);
  assert_int_equal(sipflow_read_fp(fx->ctx, fp, NULL, NULL), SIPFLOW_ERR_FORMAT);
  assert_string_equal(sipflow_errmsg(fx->ctx), "stream: not a pcap or pcapng file");
  assert_int_equal(sipflow_read_fp(fx->ctx, NULL, "x", NULL), SIPFLOW_ERR_INVALID);
  assert_string_equal(sipflow_errmsg(fx->ctx), "no capture stream given");
  assert_int_equal(sipflow_read_fp(NULL, NULL, "x", NULL), SIPFLOW_ERR_INVALID);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
      T(test_single_file),
      T(test_file_over_mapped_windows),
      T(test_rtp_dropped_on_fast_loop),
      T(test_merge_by_time),
      T(test_merge_nanosecond_file),
      T(test_filter_counts_all_frames),
      T(test_filter_matches_nothing),
      T(test_bad_filter),
      T(test_missing_file),
      T(test_directory),
      T(test_empty_file),
      T(test_text_file),
      T(test_header_only_file),
      T(test_truncated_file),
      T(test_truncated_record_header),
      T(test_truncated_in_merge),
      T(test_unsupported_linktype),
      T(test_no_files),
      T(test_pcapng),
      T(test_pcapng_fast_path),
      T(test_pcapng_second_interface),
      T(test_progress),
      T(test_progress_with_filter),
      T(test_read_fp_memory),
      T(test_read_fp_errors),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
