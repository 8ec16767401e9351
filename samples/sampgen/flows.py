# SPDX-License-Identifier: GPL-2.0-or-later
"""Message flows shared by several captures, written once for any transport."""
from .net import family
from .sip import ALLOW, UA, sdp, token, token_int

# The cast of the call captures.
ALICE = UA("alice", "10.0.0.1", agent="Acme SoftPhone 3.2.1", display="Alice",
           domain="example.com", rtp_port=16384)
PROXY = UA("proxy", "10.0.0.2", agent="Acme Proxy 5.1", domain="example.com")
BOB = UA("bob", "10.0.0.3", agent="Acme DeskPhone 7.0.4", display="Bob",
         domain="example.com", rtp_port=20000)
BOB2 = UA("bob", "10.0.0.4", agent="Acme DeskPhone 7.0.4", display="Bob",
          domain="example.com", rtp_port=20000)


def cid(name, ua, n=16):
    """A Call-ID in the usual random@host shape, fixed by the name."""
    t = token(name, "call-id", n=n)
    return t if family(ua.addr) == 6 else "%s@%s" % (t, ua.addr)


def sess(name):
    return token_int(name, "sdp") % 900000000 + 100000000


class UdpPath:
    """Sends the messages of a leg over UDP between a and b."""

    def __init__(self, cap, a, b, **kw):
        self.cap, self.a, self.b, self.kw = cap, a, b, kw

    def send(self, t, who, msg):
        src, dst = (self.a, self.b) if who == "a" else (self.b, self.a)
        self.cap.udp(t, src.ep if isinstance(src, UA) else src,
                     dst.ep if isinstance(dst, UA) else dst, msg, **self.kw)


class TcpPath:
    """Sends each message as one TCP segment; a is the connection's client."""

    def __init__(self, conn):
        self.conn = conn

    def send(self, t, who, msg):
        self.conn.send(t, "c" if who == "a" else "s", msg)


ANSWERED = dict(invite=0.0, trying=0.020, ringing=0.120, ok=3.200, ack=3.210,
                bye=33.200, bye_ok=33.215)


def answered_call(path, leg, name, t0=0.0, times=ANSWERED, hangup="a", bodies=True):
    """INVITE / 100 / 180 / 200 / ACK / BYE / 200.  Returns the messages."""
    T = {k: t0 + v for k, v in times.items()}
    inv = leg.request("INVITE", body=sdp(leg.a, sess(name)) if bodies else b"")
    path.send(T["invite"], "a", inv)
    out = [inv]
    if "trying" in T:
        r100 = leg.response(inv, 100)
        path.send(T["trying"], "b", r100)
        out.append(r100)
    if "ringing" in T:
        r180 = leg.response(inv, 180)
        path.send(T["ringing"], "b", r180)
        out.append(r180)
    r200 = leg.response(inv, 200, body=sdp(leg.b, sess(name + "b")) if bodies else b"")
    path.send(T["ok"], "b", r200)
    ack = leg.ack(inv, r200)
    path.send(T["ack"], "a", ack)
    out += [r200, ack]
    if "bye" in T:
        bye = leg.request("BYE", hangup)
        path.send(T["bye"], hangup, bye)
        ok = leg.response(bye, 200)
        path.send(T["bye_ok"], "b" if hangup == "a" else "a", ok)
        out += [bye, ok]
    return out


def options_pair(path, leg, t=0.0, rtt=0.004, code=200):
    req = leg.request("OPTIONS", extra=[("Accept", "application/sdp")])
    path.send(t, "a", req)
    extra = [("Allow", ALLOW), ("Accept", "application/sdp")] \
        if code == 200 and not leg.b.lean else []
    resp = leg.response(req, code, extra=extra)
    path.send(t + rtt, "b", resp)
    return req, resp


def register_flow(path, leg, t=0.0, realm="example.com", expires=3600):
    """REGISTER / 401 / REGISTER with Authorization / 200 (RFC 3261 10.2, 22)."""
    nonce = token(leg.call_id, "nonce", n=32)
    reg = leg.request("REGISTER", ruri="sip:" + realm, extra=[("Expires", str(expires))])
    path.send(t, "a", reg)
    chal = leg.response(reg, 401, extra=[(
        "WWW-Authenticate", 'Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"'
        % (realm, nonce))])
    path.send(t + 0.012, "b", chal)
    auth = ('Digest username="%s", realm="%s", nonce="%s", uri="sip:%s", '
            'response="%s", algorithm=MD5, cnonce="%s", qop=auth, nc=00000001'
            % (leg.a.user, realm, nonce, realm, token(nonce, "resp", n=32),
               token(nonce, "cnonce", n=8)))
    reg2 = leg.request("REGISTER", ruri="sip:" + realm,
                       extra=[("Expires", str(expires)), ("Authorization", auth)])
    path.send(t + 0.030, "a", reg2)
    ok = leg.response(reg2, 200, contact="%s;expires=%d" % (leg.a.contact, expires),
                      extra=[("Date", "Thu, 15 Jan 2026 10:00:00 GMT")])
    path.send(t + 0.045, "b", ok)
    return [reg, chal, reg2, ok]


def proxy_auth(leg, realm="example.com"):
    nonce = token(leg.call_id, "pnonce", n=32)
    chal = ('Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"' % (realm, nonce))
    cred = ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
            'algorithm=MD5, cnonce="%s", qop=auth, nc=00000001'
            % (leg.a.user, realm, nonce, leg.ruri, token(nonce, "r", n=32),
               token(nonce, "c", n=8)))
    return chal, cred
