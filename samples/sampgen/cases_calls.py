# SPDX-License-Identifier: GPL-2.0-or-later
"""Captures for call analysis (outcomes, timings, retransmissions, proxies),
the two halves of a merge, and the demo capture of the README.

Every call capture starts its INVITE at 2026-01-15 10:00:00.000000 UTC (the
TCP one 1 ms later, after the handshake); the times below are offsets from
that instant in seconds."""
from .flows import (ALICE, ANSWERED, BOB, BOB2, PROXY, TcpPath, UdpPath, answered_call, cid,
                    options_pair, proxy_auth, register_flow, sess)
from .net import Capture, TcpConn
from .sip import Leg, UA, forward, rtp, sdp, strip_via, token

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def cap(name, readme, **kw):
    c = Capture(name, **kw)
    c.readme = readme
    return c


def direct(name, readme):
    """A capture of a call straight between Alice and Bob."""
    c = cap(name, readme)
    return c, UdpPath(c, ALICE, BOB), Leg(ALICE, BOB, cid(name, ALICE))


def failed_call(path, leg, name, code, t_final, provisional=((100, 0.020),), extra=(),
                reason=None):
    """INVITE, provisional responses, a final >= 300 at t_final, its ACK 10 ms later."""
    inv = leg.request("INVITE", body=sdp(leg.a, sess(name)))
    path.send(0.0, "a", inv)
    for prov, t in provisional:
        path.send(t, "b", leg.response(inv, prov))
    final = leg.response(inv, code, reason, extra=extra)
    path.send(t_final, "b", final)
    path.send(t_final + 0.010, "a", leg.ack(inv, final))


# --------------------------------------------------------------- outcomes

@case
def call_answered():
    c, p, leg = direct("call-answered", "answered and hung up by the caller")
    answered_call(p, leg, "call-answered")
    return [c]


@case
def call_busy():
    c, p, leg = direct("call-busy", "486 Busy Here, ACK")
    failed_call(p, leg, "call-busy", 486, 0.250)
    return [c]


@case
def call_rejected():
    out = []
    for code, t_final, prov, extra, readme in (
            (403, 0.080, ((100, 0.020),), (), "403 Forbidden, ACK"),
            (404, 0.060, ((100, 0.020),), (), "404 Not Found, ACK"),
            (503, 2.000, ((100, 0.020),),
             (("Reason", 'Q.850;cause=34;text="No circuit available"'),),
             "503 Service Unavailable with Reason: Q.850;cause=34, ACK"),
            (603, 4.000, ((100, 0.020), (180, 0.150)), (), "180 then 603 Decline, ACK")):
        name = "call-rejected-%d" % code
        c, p, leg = direct(name, readme)
        failed_call(p, leg, name, code, t_final, prov, extra)
        out.append(c)
    return out


@case
def call_cancelled():
    c, p, leg = direct("call-cancelled", "INVITE/100/180, CANCEL/200, 487/ACK")
    inv = leg.request("INVITE", body=sdp(ALICE, sess("call-cancelled")))
    p.send(0.0, "a", inv)
    p.send(0.020, "b", leg.response(inv, 100))
    p.send(0.120, "b", leg.response(inv, 180))
    cancel = leg.cancel(inv)
    p.send(5.000, "a", cancel)
    p.send(5.020, "b", leg.response(cancel, 200))
    r487 = leg.response(inv, 487)
    p.send(5.030, "b", r487)
    p.send(5.040, "a", leg.ack(inv, r487))
    return [c]


@case
def call_no_answer():
    c, p, leg = direct("call-no-answer", "INVITE/100/180, then the capture ends")
    answered = dict(ANSWERED)
    inv = leg.request("INVITE", body=sdp(ALICE, sess("call-no-answer")))
    p.send(answered["invite"], "a", inv)
    p.send(answered["trying"], "b", leg.response(inv, 100))
    p.send(answered["ringing"], "b", leg.response(inv, 180))
    return [c]


@case
def call_redirect_302():
    c, p, leg = direct("call-redirect-302", "302 to bob@10.0.0.4, ACK, new INVITE (same "
                       "Call-ID, CSeq 2) to 10.0.0.4 answered, ACK, BYE/200")
    inv = leg.request("INVITE", body=sdp(ALICE, sess("call-redirect-302")))
    p.send(0.0, "a", inv)
    r302 = leg.response(inv, 302, contact=BOB2.contact)
    p.send(0.050, "b", r302)
    p.send(0.060, "a", leg.ack(inv, r302))
    leg2 = Leg(ALICE, BOB2, leg.call_id, ruri=BOB2.contact_uri, a_tag=leg.a_tag,
               b_tag=token(leg.call_id, "bob2", n=8), cseq=2)
    times = dict(invite=0.070, trying=0.090, ringing=0.200, ok=2.500, ack=2.510, bye=12.500,
                 bye_ok=12.520)
    answered_call(UdpPath(c, ALICE, BOB2), leg2, "call-redirect-302b", times=times)
    return [c]


def via_proxy_response(leg, req, code, **kw):
    """A response relayed by the proxy from Bob: Bob's Contact and Server,
    the proxy's Record-Route."""
    kw.setdefault("by", BOB)
    extra = list(kw.pop("extra", ()))
    if code > 100 and code < 300:
        extra.insert(0, ("Record-Route", "<sip:10.0.0.2:5060;lr>"))
    return leg.response(req, code, extra=extra, **kw)


@case
def call_auth_407():
    c = cap("call-auth-407", "through the proxy 10.0.0.2: INVITE/407/ACK, INVITE with "
            "Proxy-Authorization (CSeq 2)/100/180/200/ACK/BYE/200")
    p = UdpPath(c, ALICE, PROXY)
    leg = Leg(ALICE, PROXY, cid("call-auth-407", ALICE), ruri="sip:bob@example.com",
              to_uri="sip:bob@example.com")
    chal, cred = proxy_auth(leg)
    inv = leg.request("INVITE", body=sdp(ALICE, sess("auth407")))
    p.send(0.0, "a", inv)
    r407 = leg.response(inv, 407, to_tag=token(leg.call_id, "proxy", n=8),
                        extra=[("Proxy-Authenticate", chal)])
    p.send(0.030, "b", r407)
    p.send(0.040, "a", leg.ack(inv, r407))
    inv2 = leg.request("INVITE", body=sdp(ALICE, sess("auth407")),
                       extra=[("Proxy-Authorization", cred)])
    p.send(0.100, "a", inv2)
    p.send(0.120, "b", leg.response(inv2, 100))
    p.send(0.300, "b", via_proxy_response(leg, inv2, 180))
    ok = via_proxy_response(leg, inv2, 200, body=sdp(BOB, sess("auth407b")))
    p.send(4.000, "b", ok)
    leg.route = ["<sip:10.0.0.2:5060;lr>"]
    p.send(4.010, "a", leg.ack(inv2, ok))
    bye = leg.request("BYE")
    p.send(64.000, "a", bye)
    p.send(64.020, "b", leg.response(bye, 200, by=BOB))
    return [c]


@case
def call_auth_loop():
    c = cap("call-auth-loop", "through the proxy: three INVITE/407/ACK in a row "
            "(CSeq 1, 2, 3; the 2nd and 3rd with Proxy-Authorization), then giving up")
    p = UdpPath(c, ALICE, PROXY)
    leg = Leg(ALICE, PROXY, cid("call-auth-loop", ALICE), ruri="sip:bob@example.com",
              to_uri="sip:bob@example.com")
    chal, cred = proxy_auth(leg)
    for i in range(3):
        extra = [("Proxy-Authorization", cred)] if i else []
        inv = leg.request("INVITE", body=sdp(ALICE, sess("authloop")), extra=extra)
        t = 0.100 * i
        p.send(t, "a", inv)
        r407 = leg.response(inv, 407, to_tag=token(leg.call_id, "proxy", i, n=8),
                            extra=[("Proxy-Authenticate", chal)])
        p.send(t + 0.030, "b", r407)
        p.send(t + 0.040, "a", leg.ack(inv, r407))
    return [c]


@case
def call_forked():
    c = cap("call-forked", "the proxy forks to 10.0.0.3 and 10.0.0.4: two 180 with "
            "different To tags (two early dialogs), 200 with the first tag, ACK, BYE/200")
    p = UdpPath(c, ALICE, PROXY)
    leg = Leg(ALICE, PROXY, cid("call-forked", ALICE), ruri="sip:bob@example.com",
              to_uri="sip:bob@example.com")
    inv = leg.request("INVITE", body=sdp(ALICE, sess("forked")))
    p.send(0.0, "a", inv)
    p.send(0.020, "b", leg.response(inv, 100, by=PROXY))
    p.send(0.100, "b", via_proxy_response(leg, inv, 180))
    p.send(0.110, "b", via_proxy_response(leg, inv, 180, by=BOB2,
                                          to_tag=token(leg.call_id, "fork2", n=8)))
    ok = via_proxy_response(leg, inv, 200, body=sdp(BOB, sess("forkedb")))
    p.send(3.000, "b", ok)
    leg.route = ["<sip:10.0.0.2:5060;lr>"]
    p.send(3.010, "a", leg.ack(inv, ok))
    bye = leg.request("BYE")
    p.send(20.000, "a", bye)
    p.send(20.020, "b", leg.response(bye, 200, by=BOB))
    return [c]


@case
def call_reinvite():
    c, p, leg = direct("call-reinvite", "answered; re-INVITE putting the call on hold "
                       "(a=sendonly / a=recvonly, CSeq 2)/200/ACK; BYE/200")
    times = dict(invite=0.0, trying=0.020, ringing=0.120, ok=3.200, ack=3.210)
    answered_call(p, leg, "call-reinvite", times=times)
    reinv = leg.request("INVITE", body=sdp(ALICE, sess("call-reinvite"), version=2,
                                           direction="sendonly"))
    p.send(10.000, "a", reinv)
    ok = leg.response(reinv, 200, body=sdp(BOB, sess("call-reinviteb"), version=2,
                                           direction="recvonly"))
    p.send(10.030, "b", ok)
    p.send(10.040, "a", leg.ack(reinv, ok))
    bye = leg.request("BYE")
    p.send(20.000, "a", bye)
    p.send(20.020, "b", leg.response(bye, 200))
    return [c]


@case
def call_no_ack():
    c, p, leg = direct("call-no-ack", "INVITE/100/180/200, the 200 retransmitted 3 times "
                       "(T1 doubling: +0.5, +1, +2 s), no ACK ever")
    inv = leg.request("INVITE", body=sdp(ALICE, sess("call-no-ack")))
    p.send(0.0, "a", inv)
    p.send(0.020, "b", leg.response(inv, 100))
    p.send(0.120, "b", leg.response(inv, 180))
    ok = leg.response(inv, 200, body=sdp(BOB, sess("call-no-ackb")))
    for t in (3.200, 3.700, 4.700, 6.700):
        p.send(t, "b", ok)
    return [c]


@case
def call_retrans():
    c, p, leg = direct("call-retrans", "INVITE retransmitted twice (+0.5, +1.5 s) before "
                       "the 100; 200 retransmitted once before the ACK; BYE/200")
    inv = leg.request("INVITE", body=sdp(ALICE, sess("call-retrans")))
    for t in (0.0, 0.500, 1.500):
        p.send(t, "a", inv)
    p.send(1.520, "b", leg.response(inv, 100))
    p.send(1.620, "b", leg.response(inv, 180))
    ok = leg.response(inv, 200, body=sdp(BOB, sess("call-retransb")))
    p.send(4.000, "b", ok)
    p.send(4.500, "b", ok)
    p.send(4.510, "a", leg.ack(inv, ok))
    bye = leg.request("BYE")
    p.send(14.000, "a", bye)
    p.send(14.020, "b", leg.response(bye, 200))
    return [c]


def proxy_call(cap_a, cap_b, name):
    """Alice -> proxy 10.0.0.2 -> Bob, the proxy record-routing; hop A-P goes
    to cap_a, hop P-B to cap_b (the same capture, or two capture points)."""
    pa, pb = UdpPath(cap_a, ALICE, PROXY), UdpPath(cap_b, PROXY, BOB)
    leg = Leg(ALICE, BOB, cid(name, ALICE), ruri="sip:bob@example.com")
    n = [0]

    def branch():
        n[0] += 1
        return "z9hG4bK" + token(leg.call_id, "proxy", n[0], n=16)

    inv_a = leg.request("INVITE", body=sdp(ALICE, sess(name)))
    pa.send(0.000, "a", inv_a)
    pa.send(0.005, "b", leg.response(inv_a, 100, by=PROXY))
    inv_b = forward(inv_a, PROXY, branch(), record_route=True, ruri=BOB.contact_uri)
    pb.send(0.010, "a", inv_b)
    pb.send(0.025, "b", leg.response(inv_b, 100))
    for code, t in ((180, 0.120), (200, 3.200)):
        body = sdp(BOB, sess(name + "b")) if code == 200 else b""
        r = leg.response(inv_b, code, body=body)
        pb.send(t, "b", r)
        pa.send(t + 0.005, "b", strip_via(r))
    leg.route = ["<sip:10.0.0.2:5060;lr>"]
    ack_a = leg.ack(inv_a, r)
    pa.send(3.215, "a", ack_a)
    pb.send(3.220, "a", forward(ack_a, PROXY, branch(), pop_route=True))
    bye_a = leg.request("BYE")
    pa.send(13.200, "a", bye_a)
    bye_b = forward(bye_a, PROXY, branch(), pop_route=True)
    pb.send(13.205, "a", bye_b)
    ok = leg.response(bye_b, 200)
    pb.send(13.220, "b", ok)
    pa.send(13.225, "b", strip_via(ok))


@case
def call_proxy():
    c = cap("call-proxy", "Alice 10.0.0.1 -> proxy 10.0.0.2 -> Bob 10.0.0.3: each "
            "request on both hops (the proxy adds its Via and Record-Route), responses on "
            "both hops")
    proxy_call(c, c, "call-proxy")
    return [c]


@case
def merge():
    a = cap("merge-a", "merge input 1: the Alice-proxy hop of a proxied call")
    b = cap("merge-b", "merge input 2: the proxy-Bob hop of the same call; read with "
            "merge-a, packets interleave (merge-ab.expected)")
    proxy_call(a, b, "merge")
    return [a, b]


@case
def call_b2bua():
    c = cap("call-b2bua", "B2BUA 10.0.0.2: A-leg Alice<->B2BUA and B-leg B2BUA<->Bob with "
            "different Call-IDs, the B-leg INVITE carrying X-Call-ID: <A-leg Call-ID>")
    b2b = UA("pbx", "10.0.0.2", agent="Acme PBX 7.4", domain="example.com", rtp_port=30000)
    leg_a = Leg(ALICE, b2b, cid("b2bua-a", ALICE), ruri="sip:bob@example.com",
                to_uri="sip:bob@example.com")
    caller = UA("alice", "10.0.0.2", agent=b2b.agent, display="Alice", domain="example.com",
                rtp_port=30002)
    leg_b = Leg(caller, BOB, cid("b2bua-b", b2b), ruri=BOB.contact_uri)
    pa, pb = UdpPath(c, ALICE, b2b), UdpPath(c, caller, BOB)
    inv_a = leg_a.request("INVITE", body=sdp(ALICE, sess("b2bua-a")))
    pa.send(0.000, "a", inv_a)
    pa.send(0.010, "b", leg_a.response(inv_a, 100))
    inv_b = leg_b.request("INVITE", body=sdp(caller, sess("b2bua-pbx")),
                          extra=[("X-Call-ID", leg_a.call_id)])
    pb.send(0.015, "a", inv_b)
    pb.send(0.030, "b", leg_b.response(inv_b, 100))
    pb.send(0.120, "b", leg_b.response(inv_b, 180))
    pa.send(0.125, "b", leg_a.response(inv_a, 180))
    ok_b = leg_b.response(inv_b, 200, body=sdp(BOB, sess("b2bua-b")))
    pb.send(3.200, "b", ok_b)
    pb.send(3.205, "a", leg_b.ack(inv_b, ok_b))
    ok_a = leg_a.response(inv_a, 200, body=sdp(b2b, sess("b2bua-pbx-a")))
    pa.send(3.210, "b", ok_a)
    pa.send(3.220, "a", leg_a.ack(inv_a, ok_a))
    bye_a = leg_a.request("BYE")
    pa.send(13.200, "a", bye_a)
    pa.send(13.205, "b", leg_a.response(bye_a, 200))
    bye_b = leg_b.request("BYE")
    pb.send(13.210, "a", bye_b)
    pb.send(13.230, "b", leg_b.response(bye_b, 200))
    return [c]


ANSWERED_NO_BYE = dict(invite=0.0, trying=0.020, ringing=0.120, ok=3.200, ack=3.210)


@case
def call_bye_481():
    c, p, leg = direct("call-bye-481", "answered; the BYE answered 481 "
                       "Call/Transaction Does Not Exist")
    answered_call(p, leg, "call-bye-481", times=ANSWERED_NO_BYE)
    bye = leg.request("BYE")
    p.send(10.000, "a", bye)
    p.send(10.020, "b", leg.response(bye, 481))
    return [c]


@case
def call_one_way_hangup():
    c, p, leg = direct("call-one-way-hangup", "answered; BYE never answered, "
                       "retransmitted 4 times (Timer E: +0.5, +1.5, +3.5, +7.5 s)")
    answered_call(p, leg, "call-one-way-hangup", times=ANSWERED_NO_BYE)
    bye = leg.request("BYE")
    for t in (10.000, 10.500, 11.500, 13.500, 17.500):
        p.send(t, "a", bye)
    return [c]


@case
def call_late_cancel():
    c, p, leg = direct("call-late-cancel", "CANCEL crossing the 200: 200 (INVITE), "
                       "CANCEL 5 ms later, 200 (CANCEL), ACK, BYE/200")
    inv = leg.request("INVITE", body=sdp(ALICE, sess("call-late-cancel")))
    p.send(0.0, "a", inv)
    p.send(0.020, "b", leg.response(inv, 100))
    p.send(0.120, "b", leg.response(inv, 180))
    ok = leg.response(inv, 200, body=sdp(BOB, sess("call-late-cancelb")))
    p.send(3.000, "b", ok)
    cancel = leg.cancel(inv)
    p.send(3.005, "a", cancel)
    p.send(3.025, "b", leg.response(cancel, 200))
    p.send(3.030, "a", leg.ack(inv, ok))
    bye = leg.request("BYE")
    p.send(3.040, "a", bye)
    p.send(3.060, "b", leg.response(bye, 200))
    return [c]


@case
def call_tcp():
    c = cap("call-tcp", "answered call over TCP (10.0.0.1:49152 -> 10.0.0.3:5060): "
            "handshake at 0, INVITE at +1 ms, then as call-answered, FIN at the end")
    ta = UA("alice", ALICE.addr, agent=ALICE.agent, display="Alice", domain="example.com",
            transport="TCP")
    tb = UA("bob", BOB.addr, agent=BOB.agent, display="Bob", domain="example.com",
            transport="TCP", rtp_port=20000)
    conn = TcpConn(c, (ALICE.addr, 49152), tb.ep)
    conn.handshake(0.0)
    answered_call(TcpPath(conn), Leg(ta, tb, cid("call-tcp", ta)), "call-tcp", t0=0.001)
    conn.ack(33.216 + 0.040, "c")
    conn.close(40.0)
    return [c]


@case
def register_options():
    c = cap("register-options", "REGISTER/401/REGISTER/200, OPTIONS/200 (proxy to "
            "Alice), MESSAGE/404")
    p = UdpPath(c, ALICE, PROXY)
    register_flow(p, Leg(ALICE, PROXY, cid("reg-register", ALICE),
                         to_uri="sip:alice@example.com"))
    options_pair(UdpPath(c, PROXY, ALICE), Leg(PROXY, ALICE, cid("reg-options", PROXY)),
                 t=5.0)
    leg = Leg(ALICE, PROXY, cid("reg-message", ALICE), ruri="sip:carol@example.com",
              to_uri="sip:carol@example.com")
    msg = leg.request("MESSAGE", body="Are you there?", ctype="text/plain")
    p.send(10.0, "a", msg)
    p.send(10.006, "b", leg.response(msg, 404))
    return [c]


# -------------------------------------------------------------------- demo

def rtp_burst(c, src, dst, t, pt, ssrc, count=2):
    for i in range(count):
        c.udp(t + 0.020 * i, src, dst, rtp(pt, 1000 + i, 160 * i, ssrc,
                                           bytes(range(40 * i, 40 * i + 20)),
                                           marker=(i == 0)))


@case
def demo():
    c = cap("demo", "the README's first command: 8 calls between 4 phones and a PBX "
            "(answered, busy, cancelled, 403, 404, 503 cause 34, 407 then answered, "
            "408 no answer), REGISTER, OPTIONS, RTP of the answered calls")
    dom = "pbx.lan"
    g729 = (18, 0, 101)
    pbx = UA("pbx", "10.1.1.10", agent="Acme PBX 7.4", domain=dom, lean=True,
             rtp_port=30000, codecs=g729)
    ph = {n: UA(str(n), "10.1.1.%d" % n, agent="Acme T4/7.0.4", display=d,
                domain=dom, lean=True, rtp_port=11000, codecs=g729)
          for n, d in ((101, "Reception"), (102, "Sales"), (103, "Support"),
                       (104, "Warehouse"))}

    def out_leg(phone, number):
        return Leg(phone, pbx, cid("demo-%s-%s" % (phone.user, number), phone, 8),
                   ruri="sip:%s@%s" % (number, dom), to_uri="sip:%s@%s" % (number, dom))

    def path(phone):
        return UdpPath(c, phone, pbx)

    # qualify and registration
    options_pair(UdpPath(c, pbx, ph[104]), Leg(pbx, ph[104], cid("demo-qualify", pbx, 8)),
                 t=0.0, rtt=0.006)
    leg = Leg(ph[103], pbx, cid("demo-reg-103", ph[103], 8), to_uri="sip:103@" + dom)
    reg = leg.request("REGISTER", ruri="sip:" + dom, extra=[("Expires", "600")])
    path(ph[103]).send(1.0, "a", reg)
    path(ph[103]).send(1.012, "b", leg.response(reg, 200, contact=ph[103].contact +
                                                ";expires=600"))

    # 1. 101 calls 0201234567: answered, RTP, 101 hangs up
    leg = out_leg(ph[101], "0201234567")
    times = dict(invite=2.0, trying=2.010, ringing=3.200, ok=8.500, ack=8.510, bye=40.0,
                 bye_ok=40.012)
    answered_call(path(ph[101]), leg, "demo1", times=times)
    rtp_burst(c, (ph[101].addr, 11000), (pbx.addr, 30000), 8.520, 18, 0x1A2B0101)
    rtp_burst(c, (pbx.addr, 30000), (ph[101].addr, 11000), 8.530, 18, 0x5C6D0010)

    # 2. incoming from +442079460123 to 102: busy
    caller = UA("+442079460123", pbx.addr, agent=pbx.agent, domain=dom, lean=True,
                rtp_port=30004, codecs=g729)
    leg = Leg(caller, ph[102], cid("demo-in-102", pbx, 8), ruri=ph[102].contact_uri)
    p = UdpPath(c, caller, ph[102])
    inv = leg.request("INVITE", body=sdp(caller, sess("demo2")))
    p.send(5.0, "a", inv)
    busy = leg.response(inv, 486)
    p.send(5.200, "b", busy)
    p.send(5.210, "a", leg.ack(inv, busy))

    # 3. 103 calls 0301234567, gives up while it rings
    leg = out_leg(ph[103], "0301234567")
    p = path(ph[103])
    inv = leg.request("INVITE", body=sdp(ph[103], sess("demo3")))
    p.send(9.0, "a", inv)
    p.send(9.010, "b", leg.response(inv, 100))
    p.send(10.100, "b", leg.response(inv, 180))
    cancel = leg.cancel(inv)
    p.send(16.0, "a", cancel)
    p.send(16.010, "b", leg.response(cancel, 200))
    r487 = leg.response(inv, 487)
    p.send(16.020, "b", r487)
    p.send(16.030, "a", leg.ack(inv, r487))

    # 4-6. rejected by the PBX (at once: no 100 Trying for the first two)
    for phone, number, t, code, t_final, extra in (
            (104, "09001234567", 12.0, 403, 0.050, ()),
            (102, "555", 14.0, 404, 0.040, ()),
            (103, "0401234567", 18.0, 503, 1.500,
             (("Reason", 'Q.850;cause=34;text="No circuit available"'),))):
        leg = out_leg(ph[phone], number)
        p = path(ph[phone])
        inv = leg.request("INVITE", body=sdp(ph[phone], sess("demo%d" % code)))
        p.send(t, "a", inv)
        if code == 503:
            p.send(t + 0.010, "b", leg.response(inv, 100))
        final = leg.response(inv, code, extra=extra)
        p.send(t + t_final, "b", final)
        p.send(t + t_final + 0.010, "a", leg.ack(inv, final))

    # 7. 104 calls 0501234567: 407, then answered; the far end hangs up
    leg = out_leg(ph[104], "0501234567")
    p = path(ph[104])
    chal, cred = proxy_auth(leg, realm=dom)
    inv = leg.request("INVITE", body=sdp(ph[104], sess("demo7")))
    p.send(21.0, "a", inv)
    r407 = leg.response(inv, 407, to_tag=token(leg.call_id, "auth", n=8),
                        extra=[("Proxy-Authenticate", chal)])
    p.send(21.010, "b", r407)
    p.send(21.020, "a", leg.ack(inv, r407))
    inv2 = leg.request("INVITE", body=sdp(ph[104], sess("demo7")),
                       extra=[("Proxy-Authorization", cred)])
    p.send(21.050, "a", inv2)
    p.send(21.060, "b", leg.response(inv2, 100))
    p.send(22.000, "b", leg.response(inv2, 180))
    ok = leg.response(inv2, 200, body=sdp(pbx, sess("demo7b"), port=30002))
    p.send(25.000, "b", ok)
    p.send(25.010, "a", leg.ack(inv2, ok))
    rtp_burst(c, (ph[104].addr, 11000), (pbx.addr, 30002), 25.020, 18, 0x1A2B0104)
    rtp_burst(c, (pbx.addr, 30002), (ph[104].addr, 11000), 25.030, 18, 0x5C6D0020)
    bye = leg.request("BYE", "b")
    p.send(45.0, "b", bye)
    p.send(45.015, "a", leg.response(bye, 200))

    # 8. 102 calls 0601234567: rings, nobody answers, the PBX gives up (408)
    leg = out_leg(ph[102], "0601234567")
    p = path(ph[102])
    inv = leg.request("INVITE", body=sdp(ph[102], sess("demo8")))
    p.send(26.0, "a", inv)
    p.send(26.010, "b", leg.response(inv, 100))
    p.send(27.000, "b", leg.response(inv, 180))
    r408 = leg.response(inv, 408)
    p.send(58.000, "b", r408)
    p.send(58.010, "a", leg.ack(inv, r408))

    c.packets.sort(key=lambda pkt: pkt.ts_us)
    return [c]
