/*
 * Capture stage, private: the readers of the capture files, shared by
 * capture_open.c (opening, and the choice of the fast path) and capture.c
 * (reading, merging, feeding).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SIPFLOW_CAPTURE_H
#define SIPFLOW_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#include "sf_ctx.h"

#define SF_PCAP_RECORD_HEADER 16 /* bytes before each packet in a pcap file */
#define SF_PCAP_FILE_HEADER 24
/* libpcap's largest sane packet for the link types decode supports
 * (MAXIMUM_SNAPLEN); bigger records go through libpcap, which rejects them */
#define SF_PCAP_MAX_SNAPLEN 262144u

/* pcapng block types (draft-ietf-opsawg-pcapng §4) */
#define SF_PCAPNG_SHB 0x0a0d0d0au  /* Section Header */
#define SF_PCAPNG_IDB 1u           /* Interface Description */
#define SF_PCAPNG_PB 2u            /* Packet (obsolete) */
#define SF_PCAPNG_SPB 3u           /* Simple Packet */
#define SF_PCAPNG_EPB 6u           /* Enhanced Packet */
#define SF_PCAPNG_EPB_HEADER 28u   /* type, length, interface, time x2, lengths x2 */
/* The largest block the fast path reads itself (libpcap takes at least
 * 16 MiB): a packet of SF_PCAP_MAX_SNAPLEN with room for options. */
#define SF_PCAPNG_MAX_BLOCK ((uint32_t)1 << 20)

/* A file read through a sliding memory-mapped window, without libpcap:
 * a classic pcap file, or a pcapng file as long as it holds Enhanced
 * Packet Blocks of its first interface (see capture_open.c). */
typedef struct mapped {
  int fd;                       /* libpcap's FILE's: not ours to close */
  uint64_t size;                /* file size when opened */
  uint64_t pos;                 /* offset of the next record (block) */
  const uint8_t *win;           /* the window, NULL when none */
  uint64_t win_off;             /* file offset of win[0], page aligned */
  size_t win_len;
  uint32_t max_caplen;          /* longer records go through libpcap */
  bool nano;                    /* pcap: nanosecond time stamps */
  bool ng;                      /* pcapng */
  uint32_t ng_units_per_us;     /* pcapng: time stamp units per µs (1, 1000) */
  struct pcap_pkthdr hdr;       /* pcap: the last record read */
} mapped;

typedef struct reader {
  const char *name;             /* path as given, "stdin" for "-" */
  pcap_t *pcap;
  int linktype;
  struct bpf_program filter;
  bool has_filter;
  /* the next packet, read ahead (valid until the next pcap_next_ex) */
  bool has_next;
  struct pcap_pkthdr *hdr;
  const u_char *data;
  int64_t time_us;
  uint64_t packets;             /* packets read from this file */
  uint64_t bytes_estimate;      /* when the file position is unknown */
  mapped *map;                  /* NULL: libpcap reads */
} reader;

typedef struct capture {
  sipflow_ctx *ctx;
  reader *readers;
  size_t n;
  uint64_t bytes_total;         /* sum of the file sizes */
  bool size_unknown;            /* some input is stdin or a pipe */
  int deferred_rc;              /* first read error, returned at the end */
} capture;

/* Opens path ("-": stdin) into r, chooses the fast path (r->map) when the
 * file allows it, checks the link type and compiles bpf (NULL or "": none).
 * Returns SIPFLOW_OK or an error code with the context's message set; r
 * may then hold a pcap_t the caller closes. */
int sf_capture_open_reader(capture *cap, reader *r, const char *path, const char *bpf);

/* Opens an already open stream (stdin, or the caller's FILE) into r, with
 * the link type check and filter of sf_capture_open_reader(); libpcap owns
 * fp from here on, also on failure (then it is closed here, unless it is
 * stdin). */
int sf_capture_open_stream(capture *cap, reader *r, FILE *fp, const char *name,
                           bool is_stdin, const char *bpf);

#endif
