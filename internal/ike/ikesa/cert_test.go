package ikesa

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
	"github.com/tcpipc/tcpipc/internal/testkit/testpki"
)

// certSide is one end of a certificate-authenticated pair.
type certSide struct {
	id     Identity
	pair   *testpki.Pair
	cas    []*testpki.Pair
	authMe wire.AuthMethod
	psk    string // the key this side's peer entry holds, if any
}

func (s certSide) creds() *Credentials {
	c := &Credentials{Chain: []*x509.Certificate{s.pair.Cert}, Key: s.pair.Key}
	for _, ca := range s.cas {
		c.CAs = append(c.CAs, ca.Cert)
	}
	return c
}

// certPair builds an initiator and a responder that authenticate with
// certificates: each side's peer entry names the other's identity and
// accepts certificates.
func certPair(t *testing.T, clk clock.Clock, in, re certSide) (*memnet.Network, *node, *node) {
	t.Helper()
	n := memnet.New()
	t.Cleanup(n.Close)
	initiator := newNode(t, n, Config{
		Local: initAddr, ID: in.id, IKE: []Suite{gcm128}, ESP: []Suite{espGCM}, Clock: clk, Credentials: in.creds(),
		Peers: []Peer{{
			Name: "gw", Addr: respAddr, ID: re.id, AuthMe: in.authMe, CertAuth: true, PSK: []byte(in.psk),
			LocalTS:  []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/16"))},
			RemoteTS: []wire.Selector{Prefix(netip.MustParsePrefix("0.0.0.0/0"))},
		}},
	})
	responder := newNode(t, n, Config{
		Local: respAddr, ID: re.id, IKE: []Suite{gcm128}, ESP: []Suite{espGCM}, Clock: clk, Credentials: re.creds(),
		Peers: []Peer{{
			Name: "peer", ID: in.id, AuthMe: re.authMe, CertAuth: true, PSK: []byte(re.psk),
			LocalTS:  []wire.Selector{Prefix(netip.MustParsePrefix("10.99.0.0/16"))},
			RemoteTS: []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/24"))},
		}},
	})
	return n, initiator, responder
}

// testCA and the certificates below are made once per test binary: RSA
// key generation is slow.
type pki struct {
	ca, otherCA                     *testpki.Pair
	peerRSA, peerP256, peerP384     *testpki.Pair
	gwRSA, gwP256, gwP384, stranger *testpki.Pair
}

var testPKI *pki

func getPKI(t testing.TB) *pki {
	if testPKI != nil {
		return testPKI
	}
	ca := testpki.NewCA(t, "tcpipc test CA", testpki.P256, epoch)
	leaf := func(kt testpki.KeyType, name string) *testpki.Pair {
		return ca.Issue(t, testpki.Leaf{Key: kt, Subject: pkix.Name{CommonName: name, Organization: []string{"tcpipc"}}, DNS: []string{name}}, epoch)
	}
	testPKI = &pki{
		ca: ca, otherCA: testpki.NewCA(t, "another CA", testpki.P256, epoch),
		peerRSA: leaf(testpki.RSA, "peer.example"), peerP256: leaf(testpki.P256, "peer.example"), peerP384: leaf(testpki.P384, "peer.example"),
		gwRSA: leaf(testpki.RSA, "gw.example"), gwP256: leaf(testpki.P256, "gw.example"), gwP384: leaf(testpki.P384, "gw.example"),
		stranger: leaf(testpki.P256, "stranger.example"),
	}
	return testPKI
}

// authMethods returns the AUTH methods the tapped IKE_AUTH request and
// response carried.
func authMethods(t *testing.T, tp *tap, n *node, keys map[IKESAID]IKESAKeys) []wire.AuthMethod {
	t.Helper()
	var out []wire.AuthMethod
	for _, resp := range []bool{false, true} {
		for _, m := range tp.matching(wire.IKE_AUTH, resp) {
			ps := decryptTapped(t, m.msg, keys, resp)
			if a, ok := wire.Find(ps, wire.PayloadAUTH).(*wire.Auth); ok {
				out = append(out, a.Method)
			}
		}
	}
	return out
}

// TestCertificateAuth authenticates both ways with RSA and ECDSA
// certificates, classic methods (RFC 7296 RSA_SIG, RFC 4754 ECDSA) and
// RFC 7427 DIGITAL_SIGNATURE, and checks the AUTH method each side sent.
func TestCertificateAuth(t *testing.T) {
	p := getPKI(t)
	peerID, gwID := FQDN("peer.example"), FQDN("gw.example")
	cases := []struct {
		name             string
		in, re           *testpki.Pair
		inAuth, reAuth   wire.AuthMethod
		wantIn, wantResp wire.AuthMethod
	}{
		{"rsa-rsa", p.peerRSA, p.gwRSA, wire.AuthRSASig, wire.AuthRSASig, wire.AuthRSASig, wire.AuthRSASig},
		{"p256-p384", p.peerP256, p.gwP384, wire.AuthECDSA256, wire.AuthECDSA384, wire.AuthECDSA256, wire.AuthECDSA384},
		{"rsa-p256", p.peerRSA, p.gwP256, wire.AuthRSASig, wire.AuthECDSA256, wire.AuthRSASig, wire.AuthECDSA256},
		{"p256-rsa", p.peerP256, p.gwRSA, wire.AuthECDSA256, wire.AuthRSASig, wire.AuthECDSA256, wire.AuthRSASig},
		{"digsig-rsa-p384", p.peerRSA, p.gwP384, wire.AuthDigitalSig, wire.AuthDigitalSig, wire.AuthDigitalSig, wire.AuthDigitalSig},
		{"digsig-p256-rsa", p.peerP256, p.gwRSA, wire.AuthDigitalSig, wire.AuthDigitalSig, wire.AuthDigitalSig, wire.AuthDigitalSig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := clock.NewManual(epoch)
			keys := map[IKESAID]IKESAKeys{}
			n, initiator, responder := certPair(t, clk,
				certSide{id: peerID, pair: c.in, cas: []*testpki.Pair{p.ca}, authMe: c.inAuth},
				certSide{id: gwID, pair: c.re, cas: []*testpki.Pair{p.ca}, authMe: c.reAuth})
			initiator.d.cfg.OnKeys = func(k IKESAKeys) { keys[k.ID] = k }
			tp := &tap{}
			tp.install(n, clk)
			_, ic, rc := establish(t, initiator, responder)
			if ic.InboundSPI != rc.OutboundSPI {
				t.Errorf("child SPIs do not pair: %#x, %#x", ic.InboundSPI, rc.OutboundSPI)
			}
			got := authMethods(t, tp, initiator, keys)
			if len(got) != 2 || got[0] != c.wantIn || got[1] != c.wantResp {
				t.Errorf("AUTH methods on the wire %v, want [%s %s]", got, c.wantIn, c.wantResp)
			}
		})
	}
}

// TestCertificateAuthPSS: a gateway whose certificate its CA signed with
// RSASSA-PSS signs its AUTH with RSASSA-PSS too (RFC 7427 with the
// RSASSA-PSS AlgorithmIdentifier), a peer with a PKCS#1 v1.5 certificate
// keeps PKCS#1 v1.5, and each side verifies the other's.
func TestCertificateAuthPSS(t *testing.T) {
	p := getPKI(t)
	rsaCA := testpki.NewCA(t, "tcpipc RSA CA", testpki.RSA, epoch)
	leaf := func(name string, pss bool) *testpki.Pair {
		return rsaCA.Issue(t, testpki.Leaf{Key: testpki.RSA, Subject: pkix.Name{CommonName: name}, DNS: []string{name}, PSS: pss}, epoch)
	}
	clk := clock.NewManual(epoch)
	keys := map[IKESAID]IKESAKeys{}
	n, initiator, responder := certPair(t, clk,
		certSide{id: FQDN("peer.example"), pair: leaf("peer.example", false), cas: []*testpki.Pair{rsaCA, p.ca}, authMe: wire.AuthDigitalSig},
		certSide{id: FQDN("gw.example"), pair: leaf("gw.example", true), cas: []*testpki.Pair{rsaCA}, authMe: wire.AuthDigitalSig})
	initiator.d.cfg.OnKeys = func(k IKESAKeys) { keys[k.ID] = k }
	tp := &tap{}
	tp.install(n, clk)
	establish(t, initiator, responder)
	auths := tappedAuth(t, tp, keys)
	if len(auths) != 2 {
		t.Fatalf("%d AUTH payloads tapped, want 2", len(auths))
	}
	// The AlgorithmIdentifier's OID: sha256WithRSAEncryption from the
	// peer, RSASSA-PSS from the gateway.
	for i, want := range []string{"2a864886f70d01010b", "2a864886f70d01010a"} {
		a := auths[i]
		if a.Method != wire.AuthDigitalSig || len(a.Data) < 12 || hex.EncodeToString(a.Data[5:14]) != want {
			t.Errorf("AUTH %d: method %s, AlgorithmIdentifier %x; want OID %s", i, a.Method, a.Data[:min(len(a.Data), 20)], want)
		}
	}
}

// tappedAuth returns the AUTH payloads of the tapped IKE_AUTH request and
// response, in that order.
func tappedAuth(t *testing.T, tp *tap, keys map[IKESAID]IKESAKeys) []*wire.Auth {
	t.Helper()
	var out []*wire.Auth
	for _, resp := range []bool{false, true} {
		for _, m := range tp.matching(wire.IKE_AUTH, resp) {
			if a, ok := wire.Find(decryptTapped(t, m.msg, keys, resp), wire.PayloadAUTH).(*wire.Auth); ok {
				out = append(out, a)
			}
		}
	}
	return out
}

// TestCertificateAuthRefused checks every way a peer's certificate proof
// can fail: each ends with AUTHENTICATION_FAILED at the initiator, the
// failure counted at the responder, and no child SA.
func TestCertificateAuthRefused(t *testing.T) {
	p := getPKI(t)
	peerID, gwID := FQDN("peer.example"), FQDN("gw.example")
	good := func() (certSide, certSide) {
		return certSide{id: peerID, pair: p.peerP256, cas: []*testpki.Pair{p.ca}, authMe: wire.AuthECDSA256},
			certSide{id: gwID, pair: p.gwRSA, cas: []*testpki.Pair{p.ca}, authMe: wire.AuthRSASig}
	}
	cases := []struct {
		name   string
		edit   func(in, re *certSide)
		after  func(clk *clock.Manual, initiator *node)
		reason string
	}{
		{name: "wrong CA", edit: func(in, re *certSide) { re.cas = []*testpki.Pair{p.otherCA} }, reason: "unknown authority"},
		{
			// A certificate from the right CA, but for another name: the
			// initiator claims peer.example while holding stranger's.
			name: "identity not in certificate",
			after: func(_ *clock.Manual, initiator *node) {
				initiator.d.cfg.Credentials = &Credentials{Chain: []*x509.Certificate{p.stranger.Cert}, Key: p.stranger.Key, CAs: []*x509.Certificate{p.ca.Cert}}
			},
			reason: "not in its certificate",
		},
		{
			// RFC 4945 section 5.1.3.2: a key usage without
			// digitalSignature or nonRepudiation cannot sign IKE AUTH.
			name: "key usage without digitalSignature",
			edit: func(in, re *certSide) {
				in.pair = p.ca.Issue(t, testpki.Leaf{Key: testpki.P256, Subject: pkix.Name{CommonName: "peer.example"}, DNS: []string{"peer.example"},
					KeyUsage: x509.KeyUsageKeyEncipherment}, epoch)
			},
			reason: "digitalSignature",
		},
		{
			// RFC 4945 section 5.1.3.12: an extended key usage without
			// id-kp-ipsecIKE or anyExtendedKeyUsage (a TLS server's).
			name: "extended key usage serverAuth only",
			edit: func(in, re *certSide) {
				in.pair = p.ca.Issue(t, testpki.Leaf{Key: testpki.P256, Subject: pkix.Name{CommonName: "peer.example"}, DNS: []string{"peer.example"},
					ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, epoch)
			},
			reason: "ipsecIKE",
		},
		{
			name:   "expired certificate",
			after:  func(clk *clock.Manual, _ *node) { clk.Advance(400 * 24 * time.Hour) },
			reason: "expired",
		},
		{
			// A peer entry with no pre-shared key must not accept a MIC
			// computed with an empty key.
			name: "PSK without a configured key",
			edit: func(in, re *certSide) { in.authMe, in.psk = wire.AuthSharedKeyMIC, "" },
			after: func(_ *clock.Manual, initiator *node) {
				initiator.d.cfg.Peers[0].PSK = nil
			},
			reason: "none is configured",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := clock.NewManual(epoch)
			in, re := good()
			if c.edit != nil {
				c.edit(&in, &re)
			}
			if in.authMe == wire.AuthSharedKeyMIC && in.psk == "" {
				in.psk = "placeholder" // New insists on a key; after() removes it
			}
			_, initiator, responder := certPair(t, clk, in, re)
			if c.after != nil {
				c.after(clk, initiator)
			}
			if _, err := initiator.d.Initiate("gw"); err != nil {
				t.Fatal(err)
			}
			if ev := wait(t, initiator.ike, "initiator failure"); !errors.Is(ev.err, ErrAuthFailed) {
				t.Errorf("initiator: %v, want AUTHENTICATION_FAILED", ev.err)
			}
			ev := wait(t, responder.ike, "responder failure")
			if !errors.Is(ev.err, ErrAuthFailed) || !containsFold(ev.err.Error(), c.reason) {
				t.Errorf("responder: %v, want an authentication failure saying %q", ev.err, c.reason)
			}
			if got := responder.d.Stats().AuthFailed; got != 1 {
				t.Errorf("responder counted %d authentication failures, want 1", got)
			}
			quiet(t, initiator.children, "child SA")
		})
	}
}

// TestCertificateAuthRefusedByInitiator: the initiator does not trust the
// responder's CA. It counts the failure, and tells the responder.
func TestCertificateAuthRefusedByInitiator(t *testing.T) {
	p := getPKI(t)
	clk := clock.NewManual(epoch)
	_, initiator, responder := certPair(t, clk,
		certSide{id: FQDN("peer.example"), pair: p.peerP256, cas: []*testpki.Pair{p.otherCA}, authMe: wire.AuthECDSA256},
		certSide{id: FQDN("gw.example"), pair: p.gwP256, cas: []*testpki.Pair{p.ca}, authMe: wire.AuthECDSA256})
	if _, err := initiator.d.Initiate("gw"); err != nil {
		t.Fatal(err)
	}
	if ev := wait(t, initiator.ike, "initiator failure"); !errors.Is(ev.err, ErrAuthFailed) {
		t.Errorf("initiator: %v, want an authentication failure", ev.err)
	}
	if got := initiator.d.Stats().AuthFailed; got != 1 {
		t.Errorf("initiator counted %d authentication failures, want 1", got)
	}
	// The responder had authenticated the initiator and come up; the
	// initiator's INFORMATIONAL AUTHENTICATION_FAILED (RFC 7296 section
	// 2.21.2) ends its SA instead of leaving it to liveness.
	if ev := wait(t, responder.ike, "responder up"); ev.err != nil {
		t.Fatalf("responder: %v, want its SA up first", ev.err)
	}
	if ev := wait(t, responder.ike, "responder told"); !errors.Is(ev.err, ErrAuthFailed) {
		t.Errorf("responder: %v, want its SA ended by the initiator's AUTHENTICATION_FAILED", ev.err)
	}
	if n := len(responder.d.SAs()); n != 0 {
		t.Errorf("responder holds %d IKE SAs, want none", n)
	}
}

// TestCertificateDNIdentity authenticates with ID_DER_ASN1_DN identities
// written as z/OS policy writes them, in either order.
func TestCertificateDNIdentity(t *testing.T) {
	p := getPKI(t)
	peerDER, err := certid.DN("CN=peer.example,O=tcpipc")
	if err != nil {
		t.Fatal(err)
	}
	gwDER, err := certid.DN("O=tcpipc, CN=gw.example") // certificate order
	if err != nil {
		t.Fatal(err)
	}
	peerDN, gwDN := Identity{Type: wire.ID_DER_ASN1_DN, Data: peerDER}, Identity{Type: wire.ID_DER_ASN1_DN, Data: gwDER}
	clk := clock.NewManual(epoch)
	_, initiator, responder := certPair(t, clk,
		certSide{id: peerDN, pair: p.peerRSA, cas: []*testpki.Pair{p.ca}, authMe: wire.AuthRSASig},
		certSide{id: gwDN, pair: p.gwP256, cas: []*testpki.Pair{p.ca}, authMe: wire.AuthECDSA256})
	establish(t, initiator, responder)
}

// TestCredentialsValidated refuses configs that could never authenticate.
func TestCredentialsValidated(t *testing.T) {
	p := getPKI(t)
	base := func() Config {
		return Config{
			Local: initAddr, ID: FQDN("peer.example"), IKE: []Suite{gcm128}, ESP: []Suite{espGCM}, Transport: memnet.New().Endpoint(initAddr),
			Credentials: &Credentials{Chain: []*x509.Certificate{p.peerP256.Cert}, Key: p.peerP256.Key, CAs: []*x509.Certificate{p.ca.Cert}},
			Peers: []Peer{{Name: "gw", ID: FQDN("gw.example"), AuthMe: wire.AuthECDSA256, CertAuth: true,
				LocalTS: []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/16"))}, RemoteTS: []wire.Selector{Prefix(netip.MustParsePrefix("0.0.0.0/0"))}}},
		}
	}
	cases := map[string]func(c *Config){
		"key of another certificate":   func(c *Config) { c.Credentials.Key = p.gwP256.Key },
		"identity not in certificate":  func(c *Config) { c.ID = FQDN("nobody.example") },
		"RSA method with an ECDSA key": func(c *Config) { c.Peers[0].AuthMe = wire.AuthRSASig },
		"no CA bundle":                 func(c *Config) { c.Credentials.CAs = nil },
		"no credentials":               func(c *Config) { c.Credentials = nil },
	}
	if _, err := New(base()); err != nil {
		t.Fatalf("the base config is refused: %v", err)
	}
	for name, edit := range cases {
		c := base()
		edit(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// decryptTapped opens a tapped IKE_AUTH message with the keys OnKeys
// reported for its IKE SA (suite gcm128, so no integrity key).
func decryptTapped(t *testing.T, msg []byte, keys map[IKESAID]IKESAKeys, response bool) []wire.Payload {
	t.Helper()
	m, err := wire.DecodeMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := keys[IKESAID{m.SPIi, m.SPIr}]
	if !ok {
		t.Fatalf("no keys for %016x_i", m.SPIi)
	}
	a, err := resolveIKE(k.Suite)
	if err != nil {
		t.Fatal(err)
	}
	ek := k.Keys.Ei
	if response {
		ek = k.Keys.Er
	}
	c, err := ikecrypto.NewSKCipher(a.encr, nil, ek, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := c.DecodeInner(msg, m)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// FuzzVerifyPeerAuth feeds the responder's check of a peer's proof
// arbitrary CERT payloads (certificate bytes, encoding) and AUTH data and
// method, as they arrive decrypted in IKE_AUTH. It must never panic, and
// must never accept: the fuzzer holds no key of the CA, so any success is
// a forgery (the oracle).
func FuzzVerifyPeerAuth(f *testing.F) {
	p := getPKI(f)
	f.Add(p.peerP256.Cert.Raw, uint8(wire.CertX509Signature), uint8(wire.AuthECDSA256), make([]byte, 64))
	f.Add(p.peerRSA.Cert.Raw, uint8(wire.CertX509Signature), uint8(wire.AuthDigitalSig), []byte{15, 0x30, 0x0d})
	f.Add(p.stranger.Cert.Raw, uint8(7), uint8(wire.AuthRSASig), []byte{1})
	f.Add([]byte{0x30, 0x82}, uint8(wire.CertX509Signature), uint8(wire.AuthSharedKeyMIC), []byte("mic"))
	n := memnet.New()
	defer n.Close()
	d, err := New(Config{
		Local: respAddr, ID: FQDN("gw.example"), IKE: []Suite{gcm128}, ESP: []Suite{espGCM},
		Transport: n.Endpoint(respAddr), Clock: clock.NewManual(epoch),
		Credentials: &Credentials{Chain: []*x509.Certificate{p.gwP256.Cert}, Key: p.gwP256.Key, CAs: []*x509.Certificate{p.ca.Cert}},
		Peers: []Peer{{Name: "peer", ID: FQDN("peer.example"), AuthMe: wire.AuthECDSA256, CertAuth: true,
			LocalTS: []wire.Selector{Prefix(netip.MustParsePrefix("10.99.0.0/16"))}, RemoteTS: []wire.Selector{Prefix(netip.MustParsePrefix("10.1.0.0/24"))}}},
	})
	if err != nil {
		f.Fatal(err)
	}
	defer d.Close()
	algs, err := resolveIKE(gcm128)
	if err != nil {
		f.Fatal(err)
	}
	sa := d.newSA(StateInitDone, false, nil, initAddr)
	sa.algs = algs
	peer := &d.cfg.Peers[0]
	id := &wire.ID{PT: wire.PayloadIDi, IDType: wire.ID_FQDN, Data: []byte("peer.example")}
	f.Fuzz(func(t *testing.T, cert []byte, encoding, method uint8, data []byte) {
		auth := &wire.Auth{Method: wire.AuthMethod(method), Data: data}
		payloads := []wire.Payload{id, &wire.Cert{PT: wire.PayloadCERT, Encoding: encoding, Data: cert}, auth}
		if err := sa.verifyAuth(peer, id, auth, payloads, []byte("signed octets")); err == nil {
			t.Fatalf("forged proof accepted: method %s, %d certificate bytes", auth.Method, len(cert))
		}
	})
}
