/*
 * bench/gen — deterministic synthetic SIP + RTP capture generator.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   gen [--messages N] [--seed S] [--concurrent C] [--rtp-ratio R] [--hold SEC]
 *       [--tcp-percent P] [--rtp-only-gb X] -o FILE.pcap
 *
 * Writes a classic pcap (Ethernet, microsecond timestamps) by hand with stdio;
 * it does not use libsipflow or libpcap, so it cannot share a bug with either.
 * C "slots" each run one session after another (a call, a REGISTER, an
 * OPTIONS ping); every slot always has a session in flight, so C is the
 * concurrency and C / (mean session length) the session rate.  A min-heap on
 * each session's next event time interleaves them with increasing timestamps.
 * The same arguments always give the same bytes (own PRNG, fixed epoch).
 * See bench/README.md for the traffic mix and the meaning of each option.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"

#define EPOCH_US      1705309200000000ULL   /* 2024-01-15 09:00:00 UTC */
#define RTP_LEN       172                   /* 12-byte header + 160 bytes G.711 */
#define OUT_CAP       (8u << 20)

static const char *const scen_name[SC_N] = {"answered", "busy", "cancelled", "rejected",
                                            "auth-challenged", "register", "options"};
/* Per mille of sessions; the rest of the file only reads this table. */
static const unsigned scen_weight[SC_N] = {420, 70, 70, 80, 60, 150, 150};

typedef struct opts {
  uint64_t messages, seed, rtp_bytes;
  unsigned concurrent, rtp_ratio, hold_s, tcp_percent;
  const char *out;
} opts;

typedef struct gen {
  opts o;
  uint64_t rng;
  FILE *f;
  uint8_t *buf;
  size_t len;
  uint64_t last_ts, bytes, packets, rtp_packets, tcp_segments;
  uint64_t scheduled, msgs, msgs_tcp, req[M_N], resp[700], scen[SC_N];
  uint16_t ip_id;
  uint8_t rtp_payload[160];
  sess *s;
  unsigned *heap, heap_n;
} gen;

/* ---- PRNG (splitmix64: tiny, fast, and the same everywhere) ---------------- */

static uint64_t rnd(gen *g)
{
  uint64_t z = (g->rng += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static uint32_t below(gen *g, uint32_t n) { return (uint32_t)(((rnd(g) >> 32) * n) >> 32); }
/* A delay in µs, uniform in [lo, hi] ms. */
static uint32_t ms(gen *g, uint32_t lo, uint32_t hi)
{
  return (lo + below(g, hi - lo + 1)) * 1000 + below(g, 1000);
}
static uint32_t tag32(gen *g) { return (uint32_t)rnd(g) | 1; }

/* ---- pcap output ------------------------------------------------------------- */

static void flush_out(gen *g)
{
  if (g->len && fwrite(g->buf, 1, g->len, g->f) != g->len) {
    perror("gen: write");
    exit(1);
  }
  g->len = 0;
}

static void put32le(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
static void put16be(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32be(uint8_t *p, uint32_t v) { put16be(p, v >> 16); put16be(p + 2, v); }

static void write_file_header(gen *g)
{
  uint8_t *h = g->buf + g->len;
  put32le(h, 0xA1B2C3D4);        /* microsecond timestamps, host order = LE */
  put32le(h + 4, 2 | (4u << 16)); /* version 2.4 */
  put32le(h + 8, 0);
  put32le(h + 12, 0);
  put32le(h + 16, 65535);        /* snaplen */
  put32le(h + 20, 1);            /* LINKTYPE_ETHERNET */
  g->len += 24;
  g->bytes += 24;
}

/* Room for one frame after its 16-byte record header. */
static uint8_t *frame_begin(gen *g)
{
  if (g->len + 16 + 2048 > OUT_CAP)
    flush_out(g);
  return g->buf + g->len + 16;
}

/* Timestamps never go backwards: an event scheduled before the last packet
 * written (a TCP handshake pushed the clock on) is written at the same time. */
static void frame_end(gen *g, uint64_t t, size_t flen)
{
  uint8_t *h = g->buf + g->len;
  uint64_t ts = EPOCH_US + (t > g->last_ts ? t : g->last_ts);

  g->last_ts = ts - EPOCH_US;
  put32le(h, (uint32_t)(ts / 1000000));
  put32le(h + 4, (uint32_t)(ts % 1000000));
  put32le(h + 8, (uint32_t)flen);
  put32le(h + 12, (uint32_t)flen);
  g->len += 16 + flen;
  g->bytes += 16 + flen;
  g->packets++;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
  for (; n > 1; p += 2, n -= 2)
    sum += (uint32_t)(p[0] << 8 | p[1]);
  if (n)
    sum += (uint32_t)p[0] << 8;
  return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
  while (sum >> 16)
    sum = (sum & 0xFFFF) + (sum >> 16);
  return (uint16_t)~sum;
}

/* Ethernet + IPv4 header (20 bytes, no options); returns the L4 offset. */
static size_t put_eth_ip(gen *g, uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
                         size_t l4len)
{
  static const uint8_t mac_hi[2] = {0x02, 0x00}; /* locally administered */
  memcpy(f, mac_hi, 2);
  put32be(f + 2, dst);
  memcpy(f + 6, mac_hi, 2);
  put32be(f + 8, src);
  put16be(f + 12, 0x0800);
  uint8_t *ip = f + 14;
  ip[0] = 0x45;
  ip[1] = 0;
  put16be(ip + 2, (uint32_t)(20 + l4len));
  put16be(ip + 4, g->ip_id++);
  put16be(ip + 6, 0x4000); /* DF */
  ip[8] = 64;
  ip[9] = proto;
  put16be(ip + 10, 0);
  put32be(ip + 12, src);
  put32be(ip + 16, dst);
  put16be(ip + 10, csum_fold(csum_add(0, ip, 20)));
  return 34;
}

/* UDP checksum 0 means "none" for IPv4 (RFC 768). */
static void emit_udp(gen *g, uint64_t t, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                     const void *data, size_t n)
{
  uint8_t *f = frame_begin(g);
  size_t o = put_eth_ip(g, f, src, dst, 17, 8 + n);
  put16be(f + o, sport);
  put16be(f + o + 2, dport);
  put16be(f + o + 4, (uint32_t)(8 + n));
  put16be(f + o + 6, 0);
  memcpy(f + o + 8, data, n);
  frame_end(g, t, o + 8 + n);
}

enum { TH_FIN = 1, TH_SYN = 2, TH_PSH = 8, TH_ACK = 16 };

static void emit_tcp(gen *g, uint64_t t, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                     uint32_t seq, uint32_t ack, uint8_t flags, const void *data, size_t n)
{
  uint8_t *f = frame_begin(g);
  size_t o = put_eth_ip(g, f, src, dst, 6, 20 + n);
  uint8_t *th = f + o;
  put16be(th, sport);
  put16be(th + 2, dport);
  put32be(th + 4, seq);
  put32be(th + 8, flags & TH_ACK ? ack : 0);
  th[12] = 5 << 4;
  th[13] = flags;
  put16be(th + 14, 64240);
  put32be(th + 16, 0); /* checksum, urgent */
  if (n) /* a SYN or FIN has no data, and memcpy(NULL) is undefined even for 0 */
    memcpy(th + 20, data, n);
  uint8_t pseudo[12];
  put32be(pseudo, src);
  put32be(pseudo + 4, dst);
  put16be(pseudo + 8, 6);
  put16be(pseudo + 10, (uint32_t)(20 + n));
  put16be(th + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), th, 20 + n)));
  frame_end(g, t, o + 20 + n);
  g->tcp_segments++;
}

/* ---- TCP connection of a session: UA (client) <-> SBC:5060 -------------------- */

static void tcp_send(gen *g, sess *s, uint64_t t, bool from_ua, uint8_t flags, const void *d,
                     size_t n)
{
  int me = from_ua ? 0 : 1;
  if (from_ua)
    emit_tcp(g, t, s->ua_ip, s->ua_port, SBC_IP, 5060, s->seq[0], s->seq[1], flags, d, n);
  else
    emit_tcp(g, t, SBC_IP, 5060, s->ua_ip, s->ua_port, s->seq[1], s->seq[0], flags, d, n);
  s->seq[me] += (uint32_t)n + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
}

static void tcp_open(gen *g, sess *s, uint64_t t)
{
  s->seq[0] = (uint32_t)rnd(g);
  s->seq[1] = (uint32_t)rnd(g);
  tcp_send(g, s, t, true, TH_SYN, NULL, 0);
  tcp_send(g, s, t + 150, false, TH_SYN | TH_ACK, NULL, 0);
  tcp_send(g, s, t + 300, true, TH_ACK, NULL, 0);
  s->tcp_open = 1;
}

static void tcp_close(gen *g, sess *s, uint64_t t)
{
  tcp_send(g, s, t, true, TH_FIN | TH_ACK, NULL, 0);
  tcp_send(g, s, t + 200, false, TH_FIN | TH_ACK, NULL, 0);
  tcp_send(g, s, t + 400, true, TH_ACK, NULL, 0);
}

/* A message over TCP goes out in 2 or 3 segments cut at random places, so a
 * reader must reassemble it (the framer uses Content-Length, RFC 3261 18.3). */
static void tcp_message(gen *g, sess *s, uint64_t t, bool from_ua, const char *m, size_t n)
{
  unsigned parts = 2 + below(g, 2);
  size_t cut[4] = {0, 0, 0, n};
  cut[1] = 1 + below(g, (uint32_t)(n / 2));
  cut[2] = parts == 3 ? cut[1] + 1 + below(g, (uint32_t)(n - cut[1] - 1)) : n;
  for (unsigned i = 0; i < parts; i++) {
    size_t end = i + 1 == parts ? n : cut[i + 1];
    tcp_send(g, s, t + i * 60, from_ua, TH_PSH | TH_ACK, m + cut[i], end - cut[i]);
  }
}

/* ---- sessions: the script of each scenario ------------------------------------ */

static int add_req(gen *g, sess *s, uint32_t delay, unsigned method, bool from_ua, uint32_t cseq,
                   uint64_t branch, uint32_t totag)
{
  step *st = &s->steps[s->n];
  *st = (step){.delay_us = delay, .what = W_REQ, .method = (uint8_t)method, .from_ua = from_ua,
               .cseq = cseq, .branch = branch ? branch : rnd(g), .totag = totag};
  return s->n++;
}

static void add_resp(sess *s, uint32_t delay, int req, unsigned code, uint32_t totag)
{
  s->steps[s->n++] = (step){.delay_us = delay, .what = W_RESP, .req = (uint8_t)req,
                            .code = (uint16_t)code, .totag = code == 100 ? 0 : totag};
}

static void add_rtp(sess *s, uint32_t duration)
{
  s->steps[s->n++] = (step){.delay_us = duration, .what = W_RTP};
}

static uint32_t hold_us(gen *g)
{
  uint32_t h = g->o.hold_s * 1000; /* uniform in [0.2 h, 1.8 h] */
  return ms(g, h / 5, h * 9 / 5);
}

/* INVITE ... 100 180 200 ACK, RTP, BYE 200 (either side hangs up). */
static void script_answered(gen *g, sess *s, uint32_t first_delay, uint32_t cseq, bool auth)
{
  uint32_t totag = tag32(g);
  int inv = add_req(g, s, first_delay, M_INVITE, true, cseq, 0, 0);
  s->steps[inv].auth = auth;
  add_resp(s, ms(g, 5, 40), inv, 100, 0);
  add_resp(s, ms(g, 50, 400), inv, 180, totag);
  add_resp(s, ms(g, 1000, 12000), inv, 200, totag);
  s->steps[add_req(g, s, ms(g, 5, 40), M_ACK, true, cseq, 0, totag)].dlg = 1;
  add_rtp(s, hold_us(g));
  bool ua_hangs_up = below(g, 2);
  uint32_t bye_cseq = ua_hangs_up ? cseq + 1 : 1 + below(g, 50); /* the SBC's own CSeq space */
  int bye = add_req(g, s, ms(g, 0, 20), M_BYE, ua_hangs_up, bye_cseq, 0, totag);
  s->steps[bye].dlg = 1;
  add_resp(s, ms(g, 5, 60), bye, 200, totag);
}

/* INVITE, a final error, and the ACK of RFC 3261 17.1.1.3 (same branch). */
static void script_failed(gen *g, sess *s, unsigned code, bool ring)
{
  uint32_t totag = tag32(g), cseq = 1 + below(g, 100);
  int inv = add_req(g, s, 0, M_INVITE, true, cseq, 0, 0);
  add_resp(s, ms(g, 5, 40), inv, 100, 0);
  if (ring)
    add_resp(s, ms(g, 50, 400), inv, 180, totag);
  add_resp(s, ring ? ms(g, 1000, 5000) : ms(g, 20, 300), inv, code, totag);
  add_req(g, s, ms(g, 5, 40), M_ACK, true, cseq, s->steps[inv].branch, totag);
}

/* CANCEL shares the INVITE's branch and CSeq number (RFC 3261 9.1). */
static void script_cancelled(gen *g, sess *s)
{
  uint32_t totag = tag32(g), cseq = 1 + below(g, 100);
  int inv = add_req(g, s, 0, M_INVITE, true, cseq, 0, 0);
  add_resp(s, ms(g, 5, 40), inv, 100, 0);
  add_resp(s, ms(g, 50, 400), inv, 180, totag);
  int can = add_req(g, s, ms(g, 2000, 20000), M_CANCEL, true, cseq, s->steps[inv].branch, 0);
  add_resp(s, ms(g, 5, 30), can, 200, totag);
  add_resp(s, ms(g, 1, 20), inv, 487, totag);
  add_req(g, s, ms(g, 5, 30), M_ACK, true, cseq, s->steps[inv].branch, totag);
}

static void script_auth(gen *g, sess *s)
{
  uint32_t totag = tag32(g), cseq = 1 + below(g, 100);
  int inv = add_req(g, s, 0, M_INVITE, true, cseq, 0, 0);
  add_resp(s, ms(g, 5, 30), inv, 407, totag);
  add_req(g, s, ms(g, 5, 20), M_ACK, true, cseq, s->steps[inv].branch, totag);
  script_answered(g, s, ms(g, 5, 30), cseq + 1, true);
}

static void script_register(gen *g, sess *s)
{
  uint32_t totag = tag32(g), cseq = 1 + below(g, 1000);
  int r1 = add_req(g, s, 0, M_REGISTER, true, cseq, 0, 0);
  add_resp(s, ms(g, 5, 30), r1, 401, totag);
  int r2 = add_req(g, s, ms(g, 5, 30), M_REGISTER, true, cseq + 1, 0, 0);
  s->steps[r2].auth = 1;
  add_resp(s, ms(g, 5, 50), r2, 200, tag32(g));
}

static void script_options(gen *g, sess *s)
{
  int o = add_req(g, s, 0, M_OPTIONS, false, 1 + below(g, 10000), 0, 0);
  add_resp(s, ms(g, 1, 30), o, 200, tag32(g));
}

static unsigned pick_scenario(gen *g)
{
  uint32_t r = below(g, 1000);
  for (unsigned i = 0; i < SC_N; i++) {
    if (r < scen_weight[i])
      return i;
    r -= scen_weight[i];
  }
  return SC_OPTIONS;
}

static unsigned count_sip(const sess *s)
{
  unsigned n = 0;
  for (unsigned i = 0; i < s->n; i++)
    n += s->steps[i].what != W_RTP;
  return n;
}

static bool want_more(const gen *g)
{
  return g->o.rtp_bytes ? g->bytes < g->o.rtp_bytes : g->scheduled < g->o.messages;
}

static void session_start(gen *g, sess *s, uint64_t t)
{
  static const unsigned reject_codes[3] = {403, 404, 503};
  memset(s, 0, sizeof *s);
  if (!want_more(g))
    return;
  s->live = 1;
  s->t_next = t;
  s->scen = (uint8_t)pick_scenario(g);
  s->orig_ua = s->scen != SC_OPTIONS;
  s->tcp = s->scen != SC_OPTIONS && below(g, 100) < g->o.tcp_percent;
  s->ua_ip = 0x0A010000U | (1 + below(g, 65533));        /* 10.1.0.0/16 */
  s->ua_port = s->tcp ? (uint16_t)(32768 + below(g, 28000)) : 5060;
  s->ua_model = (uint8_t)below(g, N_USER_AGENTS);
  s->call_id = rnd(g);
  s->nonce = rnd(g);
  s->from_tag = tag32(g);
  s->caller = 2000000000ULL + below(g, 1000000000);
  s->callee = 2000000000ULL + below(g, 1000000000);
  s->ua_rtp = (uint16_t)(10000 + 2 * below(g, 5000));
  s->sbc_rtp = (uint16_t)(20000 + 2 * below(g, 5000)); /* below traceroute's 33434 */
  s->ssrc[0] = (uint32_t)rnd(g);
  s->ssrc[1] = (uint32_t)rnd(g);
  s->rtp_seq[0] = (uint16_t)rnd(g);
  s->rtp_seq[1] = (uint16_t)rnd(g);
  s->rtp_ts[0] = (uint32_t)rnd(g);
  s->rtp_ts[1] = (uint32_t)rnd(g);
  switch (s->scen) {
  case SC_ANSWERED: script_answered(g, s, 0, 1 + below(g, 100), false); break;
  case SC_BUSY: script_failed(g, s, 486, true); break;
  case SC_CANCELLED: script_cancelled(g, s); break;
  case SC_REJECTED: script_failed(g, s, reject_codes[below(g, 3)], false); break;
  case SC_AUTH: script_auth(g, s); break;
  case SC_REGISTER: script_register(g, s); break;
  default: script_options(g, s); break;
  }
  g->scheduled += count_sip(s);
  g->scen[s->scen]++;
}

/* ---- events ---------------------------------------------------------------------- */

static void emit_rtp(gen *g, sess *s, uint64_t t)
{
  uint8_t p[RTP_LEN];
  int d = s->rtp_dir;
  unsigned r = g->o.rtp_ratio;
  p[0] = 0x80;
  p[1] = 0; /* PT 0 = PCMU (RFC 3551) */
  put16be(p + 2, s->rtp_seq[d]);
  put32be(p + 4, s->rtp_ts[d]);
  put32be(p + 8, s->ssrc[d]);
  memcpy(p + 12, g->rtp_payload, 160);
  /* Only 1 packet in r is written: sequence and timestamp jump as if the
   * others had been captured, so the stream still looks like 20 ms pacing. */
  s->rtp_seq[d] = (uint16_t)(s->rtp_seq[d] + r);
  s->rtp_ts[d] += 160 * r;
  if (d == 0)
    emit_udp(g, t, s->ua_ip, s->ua_rtp, SBC_MEDIA_IP, s->sbc_rtp, p, RTP_LEN);
  else
    emit_udp(g, t, SBC_MEDIA_IP, s->sbc_rtp, s->ua_ip, s->ua_rtp, p, RTP_LEN);
  g->rtp_packets++;
  s->rtp_dir ^= 1;
}

static void emit_sip(gen *g, sess *s, const step *st, uint64_t t)
{
  char m[MSG_CAP];
  size_t n = gen_sip_text(s, st, m);
  bool from_ua = st->what == W_RESP ? !s->steps[st->req].from_ua : st->from_ua;

  if (s->tcp) {
    if (!s->tcp_open) {
      tcp_open(g, s, t);
      t += 450;
    }
    tcp_message(g, s, t, from_ua, m, n);
    g->msgs_tcp++;
  } else if (from_ua) {
    emit_udp(g, t, s->ua_ip, s->ua_port, SBC_IP, 5060, m, n);
  } else {
    emit_udp(g, t, SBC_IP, 5060, s->ua_ip, s->ua_port, m, n);
  }
  g->msgs++;
  if (st->what == W_RESP)
    g->resp[st->code]++;
  else
    g->req[st->method]++;
}

/* Runs the event due at s->t_next and schedules the next one. */
static void session_fire(gen *g, sess *s)
{
  uint64_t t = s->t_next;
  /* Half the packet interval: the two directions alternate. */
  uint64_t half = 10000ULL * g->o.rtp_ratio;

  /* With --rtp-only-gb, calls hang up as soon as the file is big enough, so
   * the hundreds in flight do not overshoot the size by their whole length. */
  bool full = g->o.rtp_bytes && g->bytes >= g->o.rtp_bytes;

  if (s->in_rtp) {
    emit_rtp(g, s, t);
    if (t + half < s->rtp_end && !full) {
      s->t_next = t + half;
      return;
    }
    s->in_rtp = 0;
    s->idx++;
    t = t > s->rtp_end || full ? t : s->rtp_end;
  } else {
    const step *st = &s->steps[s->idx];
    if (st->what == W_RTP) {
      s->rtp_end = t + st->delay_us;
      if (g->o.rtp_ratio && half < st->delay_us && !full) {
        s->in_rtp = 1;
        s->t_next = t + below(g, 20000);
        return;
      }
      t = full ? t : s->rtp_end;
    } else {
      emit_sip(g, s, st, t);
    }
    s->idx++;
  }
  if (s->idx < s->n) {
    /* An RTP step's delay_us is its duration: it starts right away. */
    s->t_next = t + (s->steps[s->idx].what == W_RTP ? 0 : s->steps[s->idx].delay_us);
    return;
  }
  /* Closed a few ms later, not seconds: a packet written ahead of the heap's
   * clock would hold back the timestamps of everything due before it. */
  if (s->tcp_open)
    tcp_close(g, s, t + ms(g, 1, 5));
  /* The slot's next session starts after a short pause. */
  session_start(g, s, t + ms(g, 0, 1000));
}

/* ---- min-heap of live slots by next event time ------------------------------------ */

static bool earlier(const gen *g, unsigned a, unsigned b)
{
  return g->s[a].t_next < g->s[b].t_next;
}

static void heap_down(gen *g, unsigned i)
{
  for (;;) {
    unsigned l = 2 * i + 1, m = i;
    if (l < g->heap_n && earlier(g, g->heap[l], g->heap[m]))
      m = l;
    if (l + 1 < g->heap_n && earlier(g, g->heap[l + 1], g->heap[m]))
      m = l + 1;
    if (m == i)
      return;
    unsigned tmp = g->heap[i];
    g->heap[i] = g->heap[m];
    g->heap[m] = tmp;
    i = m;
  }
}

static void run(gen *g)
{
  unsigned c = g->o.concurrent;
  g->s = calloc(c, sizeof *g->s);
  g->heap = calloc(c, sizeof *g->heap);
  if (!g->s || !g->heap) {
    fputs("gen: out of memory\n", stderr);
    exit(1);
  }
  /* Stagger the first sessions over one mean call length. */
  for (unsigned i = 0; i < c; i++) {
    session_start(g, &g->s[i], (uint64_t)below(g, g->o.hold_s * 1000) * 1000);
    if (g->s[i].live)
      g->heap[g->heap_n++] = i;
  }
  for (unsigned i = g->heap_n / 2; i-- > 0;)
    heap_down(g, i);
  while (g->heap_n) {
    sess *s = &g->s[g->heap[0]];
    session_fire(g, s);
    if (!s->live)
      g->heap[0] = g->heap[--g->heap_n];
    heap_down(g, 0);
  }
}

/* ---- main ---------------------------------------------------------------------------- */

static void usage(FILE *f)
{
  fputs("Usage: gen [OPTIONS] -o FILE.pcap\n"
        "  --messages N      about N SIP messages (default 1000000)\n"
        "  --seed S          PRNG seed (default 1); same arguments -> same bytes\n"
        "  --concurrent C    sessions in flight at any time (default 300)\n"
        "  --rtp-ratio R     write 1 RTP packet in R of a 20 ms stream per direction\n"
        "                    (default 50 = one per second per direction; 0 = no RTP)\n"
        "  --hold SEC        mean talk time of answered calls (default 20)\n"
        "  --tcp-percent P   share of calls/registrations over TCP (default 10)\n"
        "  --rtp-only-gb X   instead of --messages: full-rate RTP (ratio 1 unless\n"
        "                    --rtp-ratio is given) and stop at about X GB of file\n"
        "  -o FILE           output pcap ('-' = stdout)\n", f);
}

static uint64_t num_arg(const char *s, const char *name)
{
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (!*s || *end) {
    fprintf(stderr, "gen: bad number for %s: '%s'\n", name, s);
    exit(2);
  }
  return v;
}

static void parse_args(int argc, char **argv, opts *o)
{
  static const struct option lo[] = {
    {"messages", 1, 0, 'n'}, {"seed", 1, 0, 's'}, {"concurrent", 1, 0, 'c'},
    {"rtp-ratio", 1, 0, 'r'}, {"hold", 1, 0, 'H'}, {"tcp-percent", 1, 0, 't'},
    {"rtp-only-gb", 1, 0, 'g'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0},
  };
  bool ratio_given = false;
  double gb = 0;
  int c;
  *o = (opts){.messages = 1000000, .seed = 1, .concurrent = 300, .rtp_ratio = 50, .hold_s = 20,
              .tcp_percent = 10};
  while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
    switch (c) {
    case 'n': o->messages = num_arg(optarg, "--messages"); break;
    case 's': o->seed = num_arg(optarg, "--seed"); break;
    case 'c': o->concurrent = (unsigned)num_arg(optarg, "--concurrent"); break;
    case 'r': o->rtp_ratio = (unsigned)num_arg(optarg, "--rtp-ratio"); ratio_given = true; break;
    case 'H': o->hold_s = (unsigned)num_arg(optarg, "--hold"); break;
    case 't': o->tcp_percent = (unsigned)num_arg(optarg, "--tcp-percent"); break;
    case 'g': gb = strtod(optarg, NULL); break;
    case 'o': o->out = optarg; break;
    case 'h': usage(stdout); exit(0);
    default: usage(stderr); exit(2);
    }
  }
  if (!o->out || optind != argc || !o->concurrent || o->hold_s < 1 || o->hold_s > 2000 ||
      o->tcp_percent > 100 || o->rtp_ratio > 10000 || gb < 0) {
    usage(stderr);
    exit(2);
  }
  if (gb > 0) {
    o->rtp_bytes = (uint64_t)(gb * 1e9);
    if (!ratio_given)
      o->rtp_ratio = 1;
  }
}

static void report(const gen *g, FILE *f, double secs)
{
  fprintf(f, "file=%s\nmessages=%llu\nmessages_tcp=%llu\npackets=%llu\nrtp_packets=%llu\n"
         "tcp_segments=%llu\nbytes=%llu\ncapture_seconds=%.1f\ngen_seconds=%.2f\n",
         g->o.out, (unsigned long long)g->msgs, (unsigned long long)g->msgs_tcp,
         (unsigned long long)g->packets, (unsigned long long)g->rtp_packets,
         (unsigned long long)g->tcp_segments, (unsigned long long)g->bytes,
         (double)g->last_ts / 1e6, secs);
  for (unsigned i = 0; i < SC_N; i++)
    fprintf(f, "sessions_%s=%llu\n", scen_name[i], (unsigned long long)g->scen[i]);
  for (unsigned i = 0; i < M_N; i++)
    fprintf(f, "request_%s=%llu\n", gen_meth_name[i], (unsigned long long)g->req[i]);
  for (unsigned i = 0; i < 700; i++)
    if (g->resp[i])
      fprintf(f, "response_%u=%llu\n", i, (unsigned long long)g->resp[i]);
}

int main(int argc, char **argv)
{
  gen g = {0};
  struct timespec t0, t1;

  clock_gettime(CLOCK_MONOTONIC, &t0);
  parse_args(argc, argv, &g.o);
  g.rng = g.o.seed * 0x2545F4914F6CDD1DULL;
  for (unsigned i = 0; i < sizeof g.rtp_payload; i++)
    g.rtp_payload[i] = (uint8_t)(0xF0 | (rnd(&g) & 0x0F)); /* µ-law near silence */
  g.f = strcmp(g.o.out, "-") == 0 ? stdout : fopen(g.o.out, "wb");
  g.buf = malloc(OUT_CAP);
  if (!g.f || !g.buf) {
    perror(g.o.out);
    return 1;
  }
  write_file_header(&g);
  run(&g);
  flush_out(&g);
  if (g.f != stdout && fclose(g.f) != 0) {
    perror(g.o.out);
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  /* key=value lines; on stderr when the capture itself goes to stdout. */
  report(&g, g.f == stdout ? stderr : stdout,
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  free(g.buf);
  free(g.s);
  free(g.heap);
  return 0;
}
