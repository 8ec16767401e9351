/*
 * Capture stage: opening the capture files through libpcap, and choosing
 * for each whether the fast path reads it (capture.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The fast path reads a file through a memory-mapped window where libpcap
 * would copy every byte twice.  It takes only files libpcap would hand
 * over unchanged, and gives the file back to libpcap at the first record
 * that is odd, so errors and edge cases stay libpcap's, word for word:
 *
 * - classic pcap, version 2.4, in this machine's byte order;
 * - pcapng in this machine's byte order, from the block after the first
 *   Interface Description Block (libpcap has read everything up to it when
 *   it opens the file), as long as blocks are Enhanced Packet Blocks of
 *   that interface or blocks libpcap skips (statistics, name resolution,
 *   custom ...).  A second interface or section, a Simple Packet Block, an
 *   odd length: libpcap reads from there on.  The interface's time stamps
 *   must be in µs or ns (if_tsresol 6 or 9, the only ones dumpcap and
 *   tcpdump write) with no if_tsoffset.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"

/* Magic numbers libpcap reads: pcap (µs, ns, Kuznetzov's modified format)
 * in either byte order, and the pcapng Section Header Block type. */
static bool capture_magic(const uint8_t m[4])
{
  static const uint32_t magics[] = {0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34, 0x0a0d0d0a};
  uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
  uint32_t le = (uint32_t)m[3] << 24 | (uint32_t)m[2] << 16 | (uint32_t)m[1] << 8 | m[0];

  for (size_t i = 0; i < G_N_ELEMENTS(magics); i++)
    if (be == magics[i] || le == magics[i])
      return true;
  return false;
}

/* Turns libpcap's open error into ours. */
static int open_error(sipflow_ctx *ctx, const char *name, const char *errbuf)
{
  if (strstr(errbuf, "file header bytes, only got 0")) {
    sf_ctx_set_error(ctx, "%s: empty file, not a capture", name);
    return SIPFLOW_ERR_FORMAT;
  }
  if (strstr(errbuf, "unknown file format")) {
    sf_ctx_set_error(ctx, "%s: not a pcap or pcapng file", name);
    return SIPFLOW_ERR_FORMAT;
  }
  if (strstr(errbuf, "truncated")) {
    sf_ctx_set_error(ctx, "%s: truncated before the first packet (%s)", name, errbuf);
    return SIPFLOW_ERR_TRUNCATED;
  }
  sf_ctx_set_error(ctx, "%s: %s", name, errbuf);
  return SIPFLOW_ERR_FORMAT;
}

/* Opens a named file.  For regular files the magic number is checked first,
 * because libpcap's message for a text file ("unknown file format") or an
 * empty one ("truncated dump file") does not say what the user needs. */
static int open_path(capture *cap, reader *r, const char *path, char *errbuf)
{
  sipflow_ctx *ctx = cap->ctx;
  struct stat st;
  FILE *f;

  if (stat(path, &st) != 0 || !(f = fopen(path, "rb"))) {
    sf_ctx_set_error(ctx, "%s: %s", path, g_strerror(errno));
    return SIPFLOW_ERR_IO;
  }
  if (S_ISDIR(st.st_mode)) {
    fclose(f);
    sf_ctx_set_error(ctx, "%s: %s", path, g_strerror(EISDIR));
    return SIPFLOW_ERR_IO;
  }
  if (S_ISREG(st.st_mode)) {
    uint8_t magic[4];
    size_t got = fread(magic, 1, sizeof magic, f);
    if (got == 0 && ferror(f)) {
      sf_ctx_set_error(ctx, "%s: %s", path, g_strerror(errno));
      fclose(f);
      return SIPFLOW_ERR_IO;
    }
    if (got == 0 || got < sizeof magic || !capture_magic(magic)) {
      fclose(f);
      if (got == 0)
        sf_ctx_set_error(ctx, "%s: empty file, not a capture", path);
      else
        sf_ctx_set_error(ctx, "%s: not a pcap or pcapng file", path);
      return SIPFLOW_ERR_FORMAT;
    }
    rewind(f);
    cap->bytes_total += (uint64_t)st.st_size;
  } else {
    cap->size_unknown = true; /* a pipe or a device */
  }
  r->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (!r->pcap) {
    fclose(f); /* libpcap leaves it open on failure */
    return open_error(ctx, path, errbuf);
  }
  return SIPFLOW_OK;
}

/* Opens an already open stream (stdin, or the caller's FILE); libpcap owns
 * fp from here on, also on failure (then it is closed here). */
static int open_stream(capture *cap, reader *r, FILE *fp, const char *name, bool is_stdin)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";

  r->name = name;
  cap->size_unknown = true;
  r->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO,
                                                     errbuf);
  if (!r->pcap) {
    if (!is_stdin)
      fclose(fp); /* libpcap leaves it open on failure */
    return open_error(cap->ctx, name, errbuf);
  }
  return SIPFLOW_OK;
}

/* Checks the link type of an opened reader and compiles the filter. */
static int prepare_reader(capture *cap, reader *r, const char *bpf)
{
  sipflow_ctx *ctx = cap->ctx;

  r->linktype = pcap_datalink(r->pcap);
  if (!sf_decode_linktype_supported(r->linktype)) {
    const char *lt = pcap_datalink_val_to_name(r->linktype);
    sf_ctx_set_error(ctx, "%s: link type %d (%s) not supported", r->name, r->linktype,
                     lt ? lt : "unknown");
    return SIPFLOW_ERR_LINKTYPE;
  }
  /* The filter is compiled per file: the same expression gives different
   * code on different link types. */
  if (bpf && *bpf) {
    if (pcap_compile(r->pcap, &r->filter, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      sf_ctx_set_error(ctx, "bad filter '%s': %s", bpf, pcap_geterr(r->pcap));
      return SIPFLOW_ERR_FORMAT;
    }
    r->has_filter = true;
  }
  return SIPFLOW_OK;
}

/* Gives r a mapped reader for its file (fd, size bytes), the first record
 * to read at pos. */
static mapped *map_new(reader *r, int fd, uint64_t size, uint64_t pos)
{
  int snap = pcap_snapshot(r->pcap);

  r->map = g_new0(mapped, 1);
  r->map->fd = fd;
  r->map->size = size;
  r->map->pos = pos;
  r->map->max_caplen = MIN((uint32_t)snap, SF_PCAP_MAX_SNAPLEN); /* snap > 0 */
  r->hdr = &r->map->hdr;
  return r->map;
}

/* A classic pcap file, version 2.4, in this machine's byte order (what
 * libpcap then reads with no conversion but nanoseconds to microseconds),
 * whose header is h. */
static void map_open_pcap(reader *r, int fd, uint64_t size, const uint8_t *h)
{
  uint32_t magic;
  uint16_t major, minor;

  memcpy(&magic, h, 4);
  memcpy(&major, h + 4, 2);
  memcpy(&minor, h + 6, 2);
  if ((magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) || major != 2 || minor != 4)
    return;
  map_new(r, fd, size, SF_PCAP_FILE_HEADER)->nano = magic == 0xa1b23c4d;
}

/* Time stamp units per microsecond of the pcapng interface described by
 * idb[0, len), an Interface Description Block libpcap has accepted: its
 * options read as libpcap reads them (up to opt_endofopt).  0 when the
 * fast path leaves its packets to libpcap: a resolution other than µs or
 * ns, or a time stamp offset. */
static uint32_t idb_units_per_us(const uint8_t *idb, uint32_t len)
{
  const uint8_t *o = idb + 16, *end = idb + len - 4; /* after linktype, snaplen */
  uint32_t units = 1;                                 /* no if_tsresol: 10^-6 s */

  while (end - o >= 4) {
    uint16_t code, olen;
    memcpy(&code, o, 2);
    memcpy(&olen, o + 2, 2);
    const uint8_t *value = o + 4;
    size_t padded = ((size_t)olen + 3) & ~(size_t)3;
    if ((size_t)(end - value) < padded)
      return 0;
    if (code == 0) /* opt_endofopt */
      break;
    if (code == 9) { /* if_tsresol: 10^-value s (bit 7 set: 2^-value) */
      if (olen != 1 || (value[0] != 6 && value[0] != 9))
        return 0;
      units = value[0] == 9 ? 1000 : 1;
    } else if (code == 14) { /* if_tsoffset, seconds added to every stamp */
      int64_t offset;
      if (olen != 8)
        return 0;
      memcpy(&offset, value, 8);
      if (offset != 0)
        return 0;
    }
    o = value + padded;
  }
  return units;
}

/* A pcapng file in this machine's byte order, read from the block after
 * its first Interface Description Block on: libpcap read every block up to
 * that one when it opened the file, so its stdio position is there, and
 * the IDB ends with its own length. */
static void map_open_pcapng(reader *r, int fd, uint64_t size, const uint8_t *h)
{
  FILE *f = pcap_file(r->pcap);
  off_t after = ftello(f);
  uint32_t type, byte_order, idb_len;
  uint8_t *idb;

  memcpy(&type, h, 4);
  memcpy(&byte_order, h + 8, 4);
  if (type != SF_PCAPNG_SHB || byte_order != 0x1a2b3c4d || after < 24 ||
      (uint64_t)after > size || pread(fd, &idb_len, 4, after - 4) != 4 || idb_len < 20 ||
      idb_len > SF_PCAPNG_MAX_BLOCK || idb_len > (uint64_t)after)
    return;
  idb = g_malloc(idb_len);
  if (pread(fd, idb, idb_len, after - (off_t)idb_len) == (ssize_t)idb_len) {
    uint32_t len, units;
    memcpy(&type, idb, 4);
    memcpy(&len, idb + 4, 4);
    if (type == SF_PCAPNG_IDB && len == idb_len && (units = idb_units_per_us(idb, len))) {
      mapped *m = map_new(r, fd, size, (uint64_t)after);
      m->ng = true;
      m->ng_units_per_us = units;
    }
  }
  g_free(idb);
}

/* Takes the fast path for r when its file allows it (see the top). */
static void map_open(reader *r)
{
  FILE *f = pcap_file(r->pcap);
  int fd = f ? fileno(f) : -1;
  struct stat st;
  uint8_t h[SF_PCAP_FILE_HEADER];

  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
    return;
  if (pcap_snapshot(r->pcap) <= 0)
    return;
  if (h[0] == 0x0a && h[1] == 0x0d && h[2] == 0x0d && h[3] == 0x0a)
    map_open_pcapng(r, fd, (uint64_t)st.st_size, h);
  else
    map_open_pcap(r, fd, (uint64_t)st.st_size, h);
}

int sf_capture_open_reader(capture *cap, reader *r, const char *path, const char *bpf)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  int rc;

  if (strcmp(path, "-") == 0) {
    rc = open_stream(cap, r, stdin, "stdin", true);
  } else {
    r->name = path;
    rc = open_path(cap, r, path, errbuf);
    if (rc == SIPFLOW_OK)
      map_open(r);
  }
  return rc == SIPFLOW_OK ? prepare_reader(cap, r, bpf) : rc;
}

int sf_capture_open_stream(capture *cap, reader *r, FILE *fp, const char *name,
                           bool is_stdin, const char *bpf)
{
  int rc = open_stream(cap, r, fp, name, is_stdin);
  return rc == SIPFLOW_OK ? prepare_reader(cap, r, bpf) : rc;
}
