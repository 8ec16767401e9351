# SPDX-License-Identifier: GPL-2.0-or-later
"""SIP messages for the sample generator: a message type that knows what it
holds (for the manifest), user agents, and a call leg that builds requests,
responses, ACKs and CANCELs the way RFC 3261 says (sections 8, 9, 12, 17)."""
import hashlib
import struct

from .net import ip, family

REASONS = {100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 183: "Session Progress",
           200: "OK", 202: "Accepted", 302: "Moved Temporarily", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 407: "Proxy Authentication Required",
           408: "Request Timeout", 481: "Call/Transaction Does Not Exist", 486: "Busy Here",
           487: "Request Terminated", 488: "Not Acceptable Here",
           503: "Service Unavailable", 603: "Decline"}

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, MESSAGE"


def token(*parts, n=10):
    """A deterministic hex token derived from parts (for tags, branches, ids)."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:n]


class Msg:
    """One SIP message: start line, headers in order, body.  Content-Length
    is appended as the last header unless clen is None (left out) or a
    string (written as given).  call_id / cseq / cseq_method / label are what
    the manifest reports; they are read from the headers unless given."""

    def __init__(self, start, headers, body=b"", clen="auto", listed=True, **meta):
        self.start = start
        self.headers = list(headers)
        self.body = body.encode() if isinstance(body, str) else body
        self.clen = clen
        self.listed = listed
        self._meta = meta

    # -- header access
    def get(self, name, default=None):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return default

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    @property
    def is_request(self):
        return not self.start.startswith("SIP/2.0 ")

    @property
    def method(self):
        return self.start.split(" ", 1)[0] if self.is_request else None

    @property
    def status(self):
        return None if self.is_request else int(self.start.split(" ")[1])

    # -- manifest fields
    @property
    def call_id(self):
        return self._meta.get("call_id") or self.get("Call-ID")

    @property
    def cseq(self):
        return self._meta.get("cseq") or int(self.get("CSeq").split()[0])

    @property
    def cseq_method(self):
        return self._meta.get("cseq_method") or self.get("CSeq").split()[1]

    @property
    def label(self):
        return self.method if self.is_request else self.status

    # -- bytes
    @property
    def data(self):
        lines = [self.start] + ["%s: %s" % hv for hv in self.headers]
        if self.clen == "auto":
            lines.append("Content-Length: %d" % len(self.body))
        elif self.clen is not None:
            lines.append("Content-Length: %s" % self.clen)
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body

    def copy(self, start=None, headers=None):
        m = Msg(start or self.start, headers if headers is not None else self.headers,
                self.body, self.clen, self.listed, **self._meta)
        return m


class RawMsg:
    """A message written byte for byte (compact forms, folding, odd spacing);
    the manifest fields are given, since the text may hide them."""

    def __init__(self, text, call_id, cseq, cseq_method, label, listed=True):
        self.data = text.encode() if isinstance(text, str) else text
        self.call_id, self.cseq, self.cseq_method, self.label = call_id, cseq, cseq_method, label
        self.listed = listed


def hostport(addr, port):
    return ("[%s]:%d" if family(addr) == 6 else "%s:%d") % (ip(addr).compressed, port)


def host(addr):
    return ("[%s]" if family(addr) == 6 else "%s") % ip(addr).compressed


class UA:
    """A SIP endpoint: user, address, port, product name."""

    def __init__(self, user, addr, port=5060, agent="Acme SoftPhone 3.2.1", display=None,
                 domain=None, transport="UDP", rtp_port=16384, lean=False,
                 codecs=(0, 8, 101)):
        self.user, self.addr, self.port = user, addr, port
        self.agent, self.display, self.domain = agent, display, domain
        self.transport, self.rtp_port, self.lean = transport, rtp_port, lean
        self.codecs = codecs

    @property
    def ep(self):
        return (self.addr, self.port)

    @property
    def aor(self):
        return "sip:%s@%s" % (self.user, self.domain or host(self.addr))

    def name_addr(self, tag=None):
        s = ('"%s" <%s>' % (self.display, self.aor)) if self.display else "<%s>" % self.aor
        return s + (";tag=" + tag if tag else "")

    @property
    def contact_uri(self):
        t = ";transport=tcp" if self.transport == "TCP" else ""
        return "sip:%s@%s%s" % (self.user, hostport(self.addr, self.port), t)

    @property
    def contact(self):
        return "<%s>" % self.contact_uri

    def via(self, branch):
        return "SIP/2.0/%s %s;branch=%s" % (self.transport, hostport(self.addr, self.port),
                                            branch)


class Leg:
    """One dialog's worth of messages between a and b (same Call-ID).

    a is the UA that sends the initial request.  Requests from "b" swap From
    and To.  Responses copy Via, Record-Route, From, To, Call-ID and CSeq
    from the request (RFC 3261 8.2.6.2) and add the responder's To tag."""

    def __init__(self, a, b, call_id, ruri=None, a_tag=None, b_tag=None, cseq=1,
                 to_uri=None):
        self.a, self.b, self.call_id = a, b, call_id
        self.ruri = ruri or "sip:%s@%s" % (b.user, b.domain or hostport(b.addr, b.port))
        self.to_uri = to_uri
        self.a_tag = a_tag or token(call_id, "a-tag", n=8)
        self.b_tag = b_tag or token(call_id, "b-tag", n=8)
        self.cseq = {"a": cseq - 1, "b": token_int(call_id) % 9000 + 100}
        self.route = []              # route set, as Route header values
        self.target = None           # remote target of b (its Contact URI)
        self.nbranch = 0
        self.branch_len = 8 if a.lean else 16

    def branch(self, who):
        self.nbranch += 1
        return "z9hG4bK" + token(self.call_id, self.b_tag, who, self.nbranch,
                                 n=self.branch_len)

    def _ua(self, who):
        return self.a if who == "a" else self.b

    def _from_to(self, who, in_dialog):
        a_na = self.a.name_addr(self.a_tag)
        b_na = ("<%s>" % self.to_uri) if self.to_uri else self.b.name_addr()
        if in_dialog:
            b_na += ";tag=" + self.b_tag
        return (a_na, b_na) if who == "a" else (b_na, a_na)

    def request(self, method, who="a", body=b"", ctype="application/sdp", extra=(),
                cseq=None, branch=None, in_dialog=None, ruri=None, contact=None,
                max_forwards=70):
        ua = self._ua(who)
        if in_dialog is None:
            in_dialog = method not in ("INVITE", "REGISTER", "OPTIONS", "MESSAGE",
                                       "SUBSCRIBE") or self.target is not None
        if cseq is None:
            self.cseq[who] += 1
            cseq = self.cseq[who]
        frm, to = self._from_to(who, in_dialog)
        if ruri is None:
            if in_dialog:
                ruri = self.target if who == "a" else self.a.contact_uri
            else:
                ruri = self.ruri
        hdrs = [("Via", ua.via(branch or self.branch(who))), ("Max-Forwards", str(max_forwards))]
        if in_dialog and who == "a":
            hdrs += [("Route", r) for r in self.route]
        hdrs += [("From", frm), ("To", to), ("Call-ID", self.call_id),
                 ("CSeq", "%d %s" % (cseq, method))]
        if contact if contact is not None else method in ("INVITE", "REGISTER", "SUBSCRIBE"):
            hdrs.append(("Contact", ua.contact))
        if method == "INVITE" and not ua.lean:
            hdrs += [("Allow", ALLOW), ("Supported", "replaces, timer")]
        hdrs.append(("User-Agent", ua.agent))
        hdrs += list(extra)
        if body:
            hdrs.append(("Content-Type", ctype))
        return Msg("%s %s SIP/2.0" % (method, ruri), hdrs, body)

    def response(self, req, code, reason=None, body=b"", extra=(), to_tag=None,
                 contact=None, ctype="application/sdp", by=None):
        """The response of the UA that received req (the other one of the leg,
        or `by`, e.g. a proxy answering 100 or 407)."""
        me = by or (self.b if req.get("From").endswith(self.a_tag) else self.a)
        to = req.get("To")
        if code > 100 and ";tag=" not in to:
            to += ";tag=" + (to_tag or self.b_tag)
        hdrs = [("Via", v) for v in req.all("Via")]
        if code > 100:
            hdrs += [("Record-Route", v) for v in req.all("Record-Route")]
        hdrs += [("From", req.get("From")), ("To", to), ("Call-ID", req.get("Call-ID")),
                 ("CSeq", req.get("CSeq"))]
        method = req.method
        if contact is None:
            contact = method in ("INVITE", "SUBSCRIBE") and (100 < code < 300)
        if contact:
            hdrs.append(("Contact", contact if isinstance(contact, str) else me.contact))
        if method == "INVITE" and 200 <= code < 300 and not me.lean:
            hdrs += [("Allow", ALLOW), ("Supported", "replaces, timer")]
        hdrs.append(("Server", me.agent))
        hdrs += list(extra)
        if body:
            hdrs.append(("Content-Type", ctype))
        resp = Msg("SIP/2.0 %d %s" % (code, reason or REASONS[code]), hdrs, body)
        if method == "INVITE" and 100 < code < 300 and (to_tag or self.b_tag) == self.b_tag:
            self.target = me.contact_uri if not isinstance(contact, str) else \
                contact.strip("<>")
        return resp

    def ack(self, invite, resp):
        """ACK of a final response.  Non-2xx: same branch and Request-URI as
        the INVITE, To from the response (RFC 3261 17.1.1.3).  2xx: a new
        transaction to the remote target, through the route set (13.2.2.4)."""
        cseq = int(invite.get("CSeq").split()[0])
        if resp.status >= 300:
            hdrs = [("Via", invite.get("Via")), ("Max-Forwards", "70")]
            hdrs += [("Route", r) for r in invite.all("Route")]
            hdrs += [("From", invite.get("From")), ("To", resp.get("To")),
                     ("Call-ID", self.call_id), ("CSeq", "%d ACK" % cseq),
                     ("User-Agent", self.a.agent)]
            return Msg("ACK %s SIP/2.0" % invite.start.split(" ")[1], hdrs)
        return self.request("ACK", "a", cseq=cseq, in_dialog=True)

    def cancel(self, invite):
        """CANCEL: the INVITE's Request-URI, top Via, From, To, Call-ID and
        CSeq number (RFC 3261 9.1)."""
        cseq = int(invite.get("CSeq").split()[0])
        hdrs = [("Via", invite.get("Via")), ("Max-Forwards", "70")]
        hdrs += [("Route", r) for r in invite.all("Route")]
        hdrs += [("From", invite.get("From")), ("To", invite.get("To")),
                 ("Call-ID", self.call_id), ("CSeq", "%d CANCEL" % cseq),
                 ("User-Agent", self.a.agent)]
        return Msg("CANCEL %s SIP/2.0" % invite.start.split(" ")[1], hdrs)


def token_int(*parts):
    return int(token(*parts, n=8), 16)


# ------------------------------------------------------------------ proxies

def forward(req, proxy, branch, record_route=False, ruri=None, pop_route=False):
    """The request as a stateful proxy sends it on (RFC 3261 16.6): its own Via
    on top, Max-Forwards - 1, optionally Record-Route, its own Route popped."""
    hdrs = [("Via", proxy.via(branch))]
    rr_done = not record_route
    popped = not pop_route
    for n, v in req.headers:
        if n == "Max-Forwards":
            v = str(int(v) - 1)
        if n == "Route" and not popped:
            popped = True
            continue
        if n in ("From",) and not rr_done:
            hdrs.append(("Record-Route", "<sip:%s;lr>" % hostport(proxy.addr, proxy.port)))
            rr_done = True
        hdrs.append((n, v))
    start = req.start
    if ruri:
        parts = start.split(" ")
        start = " ".join([parts[0], ruri, parts[2]])
    return req.copy(start=start, headers=hdrs)


def strip_via(resp):
    """The response as the proxy relays it back: its own (top) Via removed."""
    hdrs = list(resp.headers)
    hdrs.pop([n for n, _ in hdrs].index("Via"))
    return resp.copy(headers=hdrs)


# ---------------------------------------------------------------------- SDP

def sdp(ua, sess_id, version=1, direction="sendrecv", port=None, codecs=None):
    """An SDP offer/answer (RFC 4566) for one audio stream."""
    codecs = codecs or ua.codecs
    names = {0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 18: "G729/8000",
             101: "telephone-event/8000"}
    fam = "IP6" if family(ua.addr) == 6 else "IP4"
    addr = ip(ua.addr).compressed
    lines = ["v=0", "o=- %d %d IN %s %s" % (sess_id, version, fam, addr), "s=-",
             "c=IN %s %s" % (fam, addr), "t=0 0",
             "m=audio %d RTP/AVP %s" % (port or ua.rtp_port, " ".join(map(str, codecs)))]
    lines += ["a=rtpmap:%d %s" % (c, names[c]) for c in codecs]
    if 101 in codecs:
        lines.append("a=fmtp:101 0-16")
    lines += ["a=ptime:20", "a=" + direction]
    return "".join(line + "\r\n" for line in lines)


def big_sdp(ua, sess_id, target):
    """A WebRTC-style offer (audio + video, many codecs, ICE candidates),
    padded with candidates to about `target` bytes."""
    addr = ip(ua.addr).compressed
    fam = "IP6" if family(ua.addr) == 6 else "IP4"
    lines = ["v=0", "o=- %d 2 IN %s %s" % (sess_id, fam, addr), "s=-",
             "c=IN %s %s" % (fam, addr), "t=0 0", "a=group:BUNDLE 0 1",
             "a=msid-semantic: WMS stream0",
             "m=audio %d UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126" % ua.rtp_port,
             "a=mid:0", "a=sendrecv", "a=rtcp-mux",
             "a=ice-ufrag:" + token(sess_id, "ufrag", n=4),
             "a=ice-pwd:" + token(sess_id, "pwd", n=24),
             "a=fingerprint:sha-256 " + ":".join(
                 token(sess_id, "fp", i, n=2).upper() for i in range(32)),
             "a=setup:actpass",
             "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
             "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
             "a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc",
             "a=fmtp:111 minptime=10;useinbandfec=1",
             "a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111",
             "a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
             "a=rtpmap:13 CN/8000", "a=rtpmap:110 telephone-event/48000",
             "a=rtpmap:126 telephone-event/8000",
             "a=ssrc:%d cname:%s" % (token_int(sess_id, "a"), token(sess_id, "cname", n=16)),
             "m=video %d UDP/TLS/RTP/SAVPF 96 97 98 99 100 101" % (ua.rtp_port + 2),
             "a=mid:1", "a=sendrecv", "a=rtcp-mux", "a=rtcp-rsize",
             "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 goog-remb", "a=rtcp-fb:96 transport-cc",
             "a=rtcp-fb:96 ccm fir", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli",
             "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
             "a=rtpmap:98 VP9/90000", "a=fmtp:98 profile-id=0",
             "a=rtpmap:99 rtx/90000", "a=fmtp:99 apt=98",
             "a=rtpmap:100 H264/90000",
             "a=fmtp:100 level-asymmetry-allowed=1;packetization-mode=1;"
             "profile-level-id=42e01f",
             "a=rtpmap:101 rtx/90000", "a=fmtp:101 apt=100",
             "a=ssrc:%d cname:%s" % (token_int(sess_id, "v"), token(sess_id, "cname", n=16))]
    n = 0
    while sum(len(x) + 2 for x in lines) < target:
        n += 1
        lines.insert(12, "a=candidate:%d 1 udp %d %s %d typ host generation 0" % (
            token_int(sess_id, "cand", n) % 4000000000, 2122260223 - n, addr,
            ua.rtp_port + 2 * n + 100))
    return "".join(line + "\r\n" for line in lines)


# ---------------------------------------------------------------------- RTP

def rtp(pt, seq, timestamp, ssrc, payload, marker=False):
    """RTP version 2 header (RFC 3550) + payload."""
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF,
                       timestamp & 0xFFFFFFFF, ssrc) + payload
