/*
 * bench/gen — types shared by the generator's scheduler (gen.c) and its SIP
 * text writer (gen_sip.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#define SBC_IP        0xC0A8010AU           /* 192.168.1.10: SIP */
#define SBC_MEDIA_IP  0xC0A80114U           /* 192.168.1.20: RTP */
#define SBC_DOMAIN    "sbc.example.net"
#define MAX_STEPS     16
#define MSG_CAP       4096                  /* longest SIP message written */
#define N_USER_AGENTS 8

enum scen { SC_ANSWERED, SC_BUSY, SC_CANCELLED, SC_REJECTED, SC_AUTH, SC_REGISTER,
            SC_OPTIONS, SC_N };
enum meth { M_INVITE, M_ACK, M_BYE, M_CANCEL, M_REGISTER, M_OPTIONS, M_N };
enum what { W_REQ, W_RESP, W_RTP };

extern const char *const gen_meth_name[M_N];

/* One step of a session's script: a SIP message or the media phase. */
typedef struct step {
  uint32_t delay_us;    /* after the previous step; for W_RTP, the media duration */
  uint8_t what;         /* enum what */
  uint8_t method;       /* W_REQ: enum meth */
  uint8_t from_ua;      /* sent by the UA (else by the SBC) */
  uint8_t auth;         /* W_REQ: carries credentials */
  uint8_t dlg;          /* W_REQ: in-dialog (Request-URI is the peer's Contact) */
  uint8_t req;          /* W_RESP: index of the step it answers */
  uint16_t code;        /* W_RESP */
  uint32_t cseq;
  uint32_t totag;       /* the dialog's UAS tag, 0 = none yet */
  uint64_t branch;
} step;

/* A session between one UA (10.1.x.y) and the SBC: a call, a registration or
 * an OPTIONS ping from the SBC. */
typedef struct sess {
  uint64_t t_next;      /* capture time (µs from the start) of the next event */
  uint64_t rtp_end;
  uint64_t call_id, nonce;
  uint64_t caller, callee;           /* E.164 digits after "+1" */
  uint32_t ua_ip, from_tag, seq[2];  /* seq: next TCP sequence number, [0] UA [1] SBC */
  uint32_t ssrc[2], rtp_ts[2];
  uint16_t ua_port, ua_rtp, sbc_rtp, rtp_seq[2];
  uint8_t scen, tcp, tcp_open, in_rtp, rtp_dir, ua_model, orig_ua, live;
  uint8_t n, idx;
  step steps[MAX_STEPS];
} sess;

/* Writes the text of the SIP message of step st into out (MSG_CAP bytes);
 * returns its length. */
size_t gen_sip_text(const sess *s, const step *st, char *out);

#endif
