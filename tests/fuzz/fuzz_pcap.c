/*
 * Fuzz target: the whole pipeline on a capture file in memory — libpcap
 * (pcap or pcapng) through sipflow_read_fp(fmemopen()), decode, IP
 * fragments, TCP, framing, parse, correlate, analyze, stats, and
 * optionally the ladder model and its renderers.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Then the same bytes as a regular file (a memfd, by its /proc path)
 * through sipflow_read_files(), which reads pcap and pcapng through the
 * mapped fast path and hands odd records back to libpcap: it must give
 * exactly what libpcap gave (return code, error text, counters, messages,
 * calls).  Not with the filter, which that path does not take, nor under
 * 4 bytes (see below).
 *
 * Options come from bytes libpcap ignores, so that seeds stay valid
 * captures: byte 8 of a classic pcap header (low byte of "thiszone"):
 *   bit 0 keep_calls, bit 1 linger 1 ms (finalise early), bit 2 idle timeout
 *   5 s, bit 3 tiny limits (message, TCP buffer and streams, fragments,
 *   open calls), bit 4 render the ladder of every message in every format,
 *   bit 5 look up the open call of every message (sipflow_get_call),
 *   bit 6 a BPF filter ("udp or tcp port 5060").
 * pcapng inputs run with the default options.
 */
#define _GNU_SOURCE /* fmemopen, memfd_create */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "sipflow/sipflow.h"

#define OPT_KEEP 0x01
#define OPT_LINGER 0x02
#define OPT_IDLE 0x04
#define OPT_TINY 0x08
#define OPT_RENDER 0x10
#define OPT_GET_CALL 0x20
#define OPT_FILTER 0x40

#define MAX_ARROWS 300

typedef struct fuzz_state {
  sipflow_ctx *ctx;
  unsigned opts;
  sipflow_ladder *ladder;
  uint64_t messages, calls;
} fuzz_state;

static void check_msg(const sipflow_message *m)
{
  const sipflow_span spans[] = {
      m->method, m->request_uri, m->reason, m->call_id, m->cseq_method, m->from,
      m->from_uri, m->from_tag, m->to, m->to_uri, m->to_tag, m->via, m->via_transport,
      m->via_sent_by, m->branch, m->via_received, m->content_type, m->reason_header,
      m->user_agent, m->server, m->contact, m->body};
  for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++)
    FUZZ_CHECK_SPAN(spans[i], m->raw, m->raw_len);
  FUZZ_CHECK(m->call_id.ptr && m->cseq_method.ptr);
  FUZZ_CHECK(m->call > 0 && m->transaction > 0);
  FUZZ_CHECK(m->src.family == 4 || m->src.family == 6);
}

static void check_call(const sipflow_call_info *c)
{
  fuzz_touch_str(c->call_id);
  fuzz_touch_str(c->method);
  fuzz_touch_str(c->from);
  fuzz_touch_str(c->to);
  fuzz_touch_str(c->reason);
  fuzz_touch_str(c->failure);
  FUZZ_CHECK((unsigned)c->state < SIPFLOW_CALL_STATE_COUNT);
  FUZZ_CHECK(c->n_transactions == c->transactions && c->n_dialogs == c->dialogs);
  for (size_t i = 0; i < c->n_transactions; i++) {
    const sipflow_transaction_info *t = &c->transaction_list[i];
    FUZZ_CHECK(t->call == c->call);
    fuzz_touch_str(t->method);
    fuzz_touch_str(t->branch);
    fuzz_touch_str(t->final_reason);
  }
  for (size_t i = 0; i < c->n_dialogs; i++) {
    const sipflow_dialog_info *d = &c->dialog_list[i];
    fuzz_touch_str(d->call_id);
    fuzz_touch_str(d->from_tag);
    fuzz_touch_str(d->to_tag);
    fuzz_touch_str(d->method);
  }
}

static void on_message(const sipflow_message *m, void *user)
{
  fuzz_state *fs = user;
  sipflow_span v;

  fs->messages++;
  check_msg(m);
  for (unsigned k = 0; k < 2 && sipflow_message_header(m, "Via", k, &v); k++)
    FUZZ_CHECK_SPAN(v, m->raw, m->raw_len);
  if (fs->opts & OPT_GET_CALL) {
    const sipflow_call_info *c = sipflow_get_call(fs->ctx, m->call);
    FUZZ_CHECK(c && c->call == m->call);
    check_call(c);
  }
  if (fs->ladder && sipflow_ladder_arrow_count(fs->ladder) < MAX_ARROWS)
    FUZZ_CHECK(sipflow_ladder_add(fs->ladder, m) == SIPFLOW_OK);
}

static void on_diag(const sipflow_diag *d, void *user)
{
  FUZZ_CHECK(d->text && fuzz_touch_str(d->text) < 512);
  fuzz_touch_str(sipflow_diag_name(d->code));
}

static void on_call_end(const sipflow_call_info *c, void *user)
{
  fuzz_state *fs = user;
  fs->calls++;
  check_call(c);
}

static void render_all(const sipflow_ladder *ladder)
{
  sipflow_render_options ro = {.width = 80, .color = 1, .title = "fuzz"};

  for (int f = 0; f < SIPFLOW_LADDER_FORMAT_COUNT; f++) {
    char *out = NULL;
    size_t len = 0;
    int rc = sipflow_ladder_render(ladder, (sipflow_ladder_format)f, &ro, &out, &len);
    FUZZ_CHECK(rc == SIPFLOW_OK && out && strlen(out) <= len);
    sipflow_buffer_free(out);
  }
}

static unsigned options_of(const uint8_t *data, size_t size)
{
  static const uint8_t pcap_le[4] = {0xd4, 0xc3, 0xb2, 0xa1};
  static const uint8_t pcap_be[4] = {0xa1, 0xb2, 0xc3, 0xd4};

  if (size < 24 || (memcmp(data, pcap_le, 4) != 0 && memcmp(data, pcap_be, 4) != 0))
    return 0;
  return data[8];
}

/* What one run gave, for the two ways of reading to be compared. */
typedef struct run_result {
  int rc;
  char error[512];
  uint64_t messages, calls;
  sipflow_counters counters;
} run_result;

/* Runs the pipeline with options opts on fp (libpcap reads it), or when
 * fp is NULL on the file at path; path names the capture either way. */
static void run(FILE *fp, const char *path, unsigned opts, run_result *out)
{
  static const sipflow_callbacks cb = {.on_message = on_message, .on_diag = on_diag,
                                       .on_call_end = on_call_end};
  fuzz_state fs = {.opts = opts};
  sipflow_limits tiny = {.max_message_size = 2048, .max_tcp_buffer = 4096,
                         .max_tcp_streams = 4, .max_fragment_bytes = 8192,
                         .fragment_timeout_us = 1000000, .tcp_idle_timeout_us = 3000000,
                         .max_open_calls = 3};
  sipflow_call_options co = {.linger_us = (fs.opts & OPT_LINGER) ? 1000 : 0,
                             .idle_timeout_us = (fs.opts & OPT_IDLE) ? 5000000 : 0,
                             .keep_calls = (fs.opts & OPT_KEEP) != 0};
  const char *filter = (fs.opts & OPT_FILTER) ? "udp or tcp port 5060" : NULL;

  fs.ctx = sipflow_new(&cb, &fs, (fs.opts & OPT_TINY) ? &tiny : NULL);
  FUZZ_CHECK(sipflow_set_call_options(fs.ctx, &co) == SIPFLOW_OK);
  if (fs.opts & OPT_RENDER)
    fs.ladder = sipflow_ladder_new(NULL);

  int rc = fp ? sipflow_read_fp(fs.ctx, fp, path, filter)
              : sipflow_read_files(fs.ctx, &path, 1, filter);
  FUZZ_CHECK(rc <= 0 && rc >= SIPFLOW_ERR_INCOMPLETE);
  out->rc = rc;
  snprintf(out->error, sizeof out->error, "%s", sipflow_errmsg(fs.ctx));

  sipflow_stats stats;
  FUZZ_CHECK(sipflow_get_stats(fs.ctx, &stats) == SIPFLOW_OK);
  FUZZ_CHECK(stats.messages == fs.messages);
  FUZZ_CHECK(stats.calls == fs.calls);
  for (size_t i = 0; i < stats.n_top_failures; i++)
    fuzz_touch_str(stats.top_failures[i].label);
  sipflow_get_counters(fs.ctx, &out->counters);
  FUZZ_CHECK(out->counters.messages == fs.messages);
  out->messages = fs.messages;
  out->calls = fs.calls;
  if (fs.opts & OPT_KEEP)
    for (uint32_t id = 1; id <= fs.calls && id <= 50; id++)
      if (sipflow_get_call(fs.ctx, id))
        check_call(sipflow_get_call(fs.ctx, id));
  sipflow_free(fs.ctx);
  if (fs.ladder) {
    render_all(fs.ladder);
    sipflow_ladder_free(fs.ladder);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  unsigned opts = options_of(data, size);
  char path[64] = "fuzz.pcap";
  run_result by_libpcap, by_file;

  if (size == 0)
    return 0; /* fmemopen refuses an empty buffer */
  int fd = memfd_create("fuzz.pcap", 0);
  if (fd >= 0) {
    FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  }
  FILE *fp = fmemopen((void *)data, size, "rb");
  if (fp)
    run(fp, path, opts, &by_libpcap); /* closes fp */
  /* Under 4 bytes a named file is "not a pcap or pcapng file" by sipflow's
   * own check of the magic number, before libpcap sees it: on a stream
   * libpcap says "truncated".  From 4 bytes on both read the same. */
  if (fp && fd >= 0 && !(opts & OPT_FILTER) && size >= 4) {
    run(NULL, path, opts, &by_file);
    FUZZ_CHECK(by_file.rc == by_libpcap.rc);
    FUZZ_CHECK(strcmp(by_file.error, by_libpcap.error) == 0);
    FUZZ_CHECK(by_file.messages == by_libpcap.messages && by_file.calls == by_libpcap.calls);
    FUZZ_CHECK(memcmp(&by_file.counters, &by_libpcap.counters, sizeof by_file.counters) == 0);
  }
  if (fd >= 0)
    close(fd);
  return 0;
}
