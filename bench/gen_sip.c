/*
 * bench/gen — the text of the SIP messages (RFC 3261 headers, SDP bodies,
 * digest challenges), written with a tiny appender instead of snprintf
 * because it runs a million times.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdbool.h>
#include <string.h>

#include "gen.h"

const char *const gen_meth_name[M_N] = {"INVITE", "ACK", "BYE", "CANCEL", "REGISTER",
                                    "OPTIONS"};

static const char *const user_agents[N_USER_AGENTS] = {
  "Yealink SIP-T46S 66.86.0.15", "PolycomVVX-VVX_411-UA/6.4.3.5018",
  "Grandstream GXP2170 1.0.11.23", "Cisco-CP8845/12.8.1", "Zoiper rv2.10.20.3",
  "Linphone/5.2.0 (belle-sip/5.2.0)", "MicroSIP/3.21.3", "snom D785/10.1.152.12",
};

/* ---- text appender: no snprintf on the hot path ------------------------------ */

typedef struct buf { char *p; size_t n, cap; } buf;

static void put_n(buf *b, const char *s, size_t l)
{
  if (b->n + l <= b->cap) {
    memcpy(b->p + b->n, s, l);
    b->n += l;
  }
}
/* Literals only: "" lit "" does not compile for a pointer, whose sizeof would lie. */
#define PUT(b, lit) put_n((b), "" lit "", sizeof(lit) - 1)
static void put_s(buf *b, const char *s) { put_n(b, s, strlen(s)); }

static void put_u(buf *b, uint64_t v)
{
  char t[24];
  int i = sizeof t;
  do t[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
  put_n(b, t + i, sizeof t - (size_t)i);
}

static void put_hex(buf *b, uint64_t v, int digits)
{
  char t[16];
  for (int i = digits - 1; i >= 0; i--, v >>= 4)
    t[i] = "0123456789abcdef"[v & 15];
  put_n(b, t, (size_t)digits);
}

static void put_ip(buf *b, uint32_t ip)
{
  for (int sh = 24; sh >= 0; sh -= 8) {
    put_u(b, (ip >> sh) & 255);
    if (sh)
      PUT(b, ".");
  }
}

/* ---- SIP text ------------------------------------------------------------------- */

static void put_number(buf *b, uint64_t digits)
{
  PUT(b, "+1");
  put_u(b, digits);
}

/* The identity (name-addr) of the side that started the session, or of its peer. */
static void put_identity(buf *b, const sess *s, bool originator)
{
  switch (s->scen) {
  case SC_REGISTER:
    PUT(b, "<sip:");
    put_number(b, s->caller);
    PUT(b, "@" SBC_DOMAIN ">");
    return;
  case SC_OPTIONS:
    if (originator) {
      PUT(b, "<sip:ping@" SBC_DOMAIN ">");
    } else {
      PUT(b, "<sip:");
      put_number(b, s->caller);
      PUT(b, "@");
      put_ip(b, s->ua_ip);
      PUT(b, ">");
    }
    return;
  default:
    if (originator) {
      PUT(b, "\"");
      put_number(b, s->caller);
      PUT(b, "\" <sip:");
      put_number(b, s->caller);
    } else {
      PUT(b, "<sip:");
      put_number(b, s->callee);
    }
    PUT(b, "@" SBC_DOMAIN ">");
  }
}

static void put_from_to(buf *b, const sess *s, bool by_orig, uint32_t totag)
{
  PUT(b, "From: ");
  put_identity(b, s, by_orig);
  PUT(b, ";tag=");
  put_hex(b, by_orig ? s->from_tag : totag, 8);
  PUT(b, "\r\nTo: ");
  put_identity(b, s, !by_orig);
  if (!by_orig || totag) {
    PUT(b, ";tag=");
    put_hex(b, by_orig ? totag : s->from_tag, 8);
  }
  PUT(b, "\r\n");
}

static const char *transport(const sess *s) { return s->tcp ? "TCP" : "UDP"; }

static void put_via(buf *b, const sess *s, const step *req)
{
  PUT(b, "Via: SIP/2.0/");
  put_s(b, transport(s));
  PUT(b, " ");
  put_ip(b, req->from_ua ? s->ua_ip : SBC_IP);
  PUT(b, ":5060;branch=z9hG4bK");
  put_hex(b, req->branch, 16);
  put_s(b, req->from_ua ? ";rport\r\n" : "\r\n");
}

static void put_contact_uri(buf *b, const sess *s, bool ua)
{
  PUT(b, "<sip:");
  put_number(b, ua ? s->caller : s->callee);
  PUT(b, "@");
  put_ip(b, ua ? s->ua_ip : SBC_IP);
  PUT(b, ":5060");
  if (s->tcp)
    PUT(b, ";transport=tcp");
  PUT(b, ">");
}

static void put_request_uri(buf *b, const sess *s, const step *st)
{
  if (st->method == M_REGISTER) {
    PUT(b, "sip:" SBC_DOMAIN);
  } else if (st->method == M_OPTIONS || (st->dlg && !st->from_ua)) {
    PUT(b, "sip:");
    put_number(b, s->caller);
    PUT(b, "@");
    put_ip(b, s->ua_ip);
    PUT(b, ":5060");
  } else if (st->dlg) {
    PUT(b, "sip:");
    put_number(b, s->callee);
    PUT(b, "@");
    put_ip(b, SBC_IP);
    PUT(b, ":5060");
    if (s->tcp)
      PUT(b, ";transport=tcp");
  } else {
    PUT(b, "sip:");
    put_number(b, s->callee);
    PUT(b, "@" SBC_DOMAIN);
  }
}

static void put_sdp(buf *b, const sess *s, bool ua)
{
  uint32_t ip = ua ? s->ua_ip : SBC_MEDIA_IP;
  PUT(b, "v=0\r\no=");
  put_s(b, ua ? "- " : "SBC ");
  put_u(b, s->call_id >> 40);
  PUT(b, " ");
  put_u(b, (s->call_id >> 40) + (ua ? 0 : 1));
  PUT(b, " IN IP4 ");
  put_ip(b, ip);
  PUT(b, "\r\ns=");
  put_s(b, ua ? "SIP Call" : "SBC");
  PUT(b, "\r\nc=IN IP4 ");
  put_ip(b, ip);
  PUT(b, "\r\nt=0 0\r\nm=audio ");
  put_u(b, ua ? s->ua_rtp : s->sbc_rtp);
  if (ua)
    PUT(b, " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n");
  else
    PUT(b, " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n");
  PUT(b, "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n");
}

static void put_digest_challenge(buf *b, const sess *s, bool proxy)
{
  put_s(b, proxy ? "Proxy-Authenticate" : "WWW-Authenticate");
  PUT(b, ": Digest realm=\"" SBC_DOMAIN "\", nonce=\"");
  put_hex(b, s->nonce, 16);
  PUT(b, "\", algorithm=MD5, qop=\"auth\"\r\n");
}

static void put_digest_credentials(buf *b, const sess *s, bool proxy)
{
  put_s(b, proxy ? "Proxy-Authorization" : "Authorization");
  PUT(b, ": Digest username=\"");
  put_number(b, s->caller);
  PUT(b, "\", realm=\"" SBC_DOMAIN "\", nonce=\"");
  put_hex(b, s->nonce, 16);
  PUT(b, "\", uri=\"sip:");
  if (proxy) {
    put_number(b, s->callee);
    PUT(b, "@");
  }
  PUT(b, SBC_DOMAIN "\", response=\"");
  put_hex(b, s->nonce * 31 + s->call_id, 16);
  put_hex(b, s->call_id ^ s->nonce, 16);
  PUT(b, "\", algorithm=MD5, cnonce=\"");
  put_hex(b, s->call_id, 8);
  PUT(b, "\", qop=auth, nc=00000001\r\n");
}

static const char *reason(unsigned code)
{
  switch (code) {
  case 100: return "Trying";
  case 180: return "Ringing";
  case 200: return "OK";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 407: return "Proxy Authentication Required";
  case 486: return "Busy Here";
  case 487: return "Request Terminated";
  case 503: return "Service Unavailable";
  default: return "Unknown";
  }
}

static void put_call_id_cseq(buf *b, const sess *s, uint32_t cseq, unsigned method)
{
  PUT(b, "Call-ID: ");
  put_hex(b, s->call_id, 16);
  PUT(b, "@");
  if (s->orig_ua)
    put_ip(b, s->ua_ip);
  else
    PUT(b, SBC_DOMAIN);
  PUT(b, "\r\nCSeq: ");
  put_u(b, cseq);
  PUT(b, " ");
  put_s(b, gen_meth_name[method]);
  PUT(b, "\r\n");
}

static void put_agent(buf *b, const sess *s, bool ua, bool response)
{
  if (ua) {
    PUT(b, "User-Agent: ");
    put_s(b, user_agents[s->ua_model]);
  } else {
    put_s(b, response ? "Server: " : "User-Agent: ");
    PUT(b, "ExampleSBC/4.2.1");
  }
  PUT(b, "\r\n");
}

static void put_request_extras(buf *b, const sess *s, const step *st)
{
  if (st->method == M_INVITE) {
    PUT(b, "Contact: ");
    put_contact_uri(b, s, true);
    PUT(b, "\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER\r\n"
           "Supported: replaces, timer\r\nSession-Expires: 1800\r\n");
    if (st->auth)
      put_digest_credentials(b, s, true);
  } else if (st->method == M_REGISTER) {
    PUT(b, "Contact: ");
    put_contact_uri(b, s, true);
    PUT(b, ";expires=3600\r\nExpires: 3600\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n");
    if (st->auth)
      put_digest_credentials(b, s, false);
  } else if (st->method == M_OPTIONS) {
    PUT(b, "Accept: application/sdp\r\n");
  } else if (st->method == M_BYE) {
    PUT(b, "Reason: Q.850;cause=16;text=\"Normal call clearing\"\r\n");
  }
}

static void put_response_extras(buf *b, const sess *s, const step *req, unsigned code)
{
  if (req->method == M_INVITE && (code == 180 || code == 200)) {
    PUT(b, "Contact: ");
    put_contact_uri(b, s, false);
    PUT(b, "\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
  } else if (code == 407 || code == 401) {
    put_digest_challenge(b, s, code == 407);
  } else if (req->method == M_REGISTER && code == 200) {
    PUT(b, "Contact: ");
    put_contact_uri(b, s, true);
    PUT(b, ";expires=3600\r\nDate: Mon, 15 Jan 2024 09:00:00 GMT\r\n");
  } else if (req->method == M_OPTIONS) {
    PUT(b, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nAccept: application/sdp\r\n"
           "Supported: replaces, timer\r\n");
  } else if (code == 503) {
    PUT(b, "Retry-After: 30\r\n");
  }
}

/* The full text of the message of step st; returns its length. */
size_t gen_sip_text(const sess *s, const step *st, char *out)
{
  char bodymem[1024];
  buf b = {out, 0, MSG_CAP}, body = {bodymem, 0, sizeof bodymem};
  bool resp = st->what == W_RESP;
  const step *req = resp ? &s->steps[st->req] : st;
  bool from_ua = resp ? !req->from_ua : st->from_ua;

  if (resp) {
    PUT(&b, "SIP/2.0 ");
    put_u(&b, st->code);
    PUT(&b, " ");
    put_s(&b, reason(st->code));
  } else {
    put_s(&b, gen_meth_name[st->method]);
    PUT(&b, " ");
    put_request_uri(&b, s, st);
    PUT(&b, " SIP/2.0");
  }
  PUT(&b, "\r\n");
  put_via(&b, s, req);
  if (!resp)
    PUT(&b, "Max-Forwards: 70\r\n");
  put_from_to(&b, s, req->from_ua == s->orig_ua, st->totag);
  put_call_id_cseq(&b, s, req->cseq, req->method);
  if (resp)
    put_response_extras(&b, s, req, st->code);
  else
    put_request_extras(&b, s, st);
  put_agent(&b, s, from_ua, resp);
  if ((!resp && st->method == M_INVITE) || (resp && req->method == M_INVITE && st->code == 200))
    put_sdp(&body, s, from_ua);
  if (body.n)
    PUT(&b, "Content-Type: application/sdp\r\n");
  PUT(&b, "Content-Length: ");
  put_u(&b, body.n);
  PUT(&b, "\r\n\r\n");
  put_n(&b, body.p, body.n);
  return b.n;
}
