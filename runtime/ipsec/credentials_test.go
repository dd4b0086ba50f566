package ipsec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/memnet"
	"github.com/tcpipc/tcpipc/internal/testkit/testpki"
	"github.com/tcpipc/tcpipc/plan"
)

// certStack is figure 9's MVS1 compiled without secrets, its DVA1 rule
// switched to DigitalSignature and a key ring mapped to files written in
// dir: DVA1's certificate carries its IPADDR identity.
func certStack(t *testing.T, dir string, ca *testpki.Pair) *plan.Stack {
	t.Helper()
	st := figure9Stack(t, "MVS1", false)
	for i := range st.IKE.Peers {
		st.IKE.Peers[i].Auth = "DIGITALSIGNATURE"
	}
	gw := ca.Issue(t, testpki.Leaf{Key: testpki.RSA, IPs: []net.IP{dva1.AsSlice()}}, epoch)
	gw.WriteFiles(t, dir, "mvs1", ca)
	sum := sha256.Sum256(gw.Cert.Raw)
	caPEM, err := os.ReadFile(filepath.Join(dir, "mvs1-ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	caSum := sha256.Sum256(caPEM)
	st.KeyRing = &plan.KeyRing{Name: "IKED/RING", Cert: "mvs1.crt", Key: "mvs1.key", CA: "mvs1-ca.crt",
		Fingerprint: hex.EncodeToString(sum[:]), CAFingerprint: hex.EncodeToString(caSum[:]), Dir: dir}
	return st
}

// TestFromPlanCertificates: a plan without pre-shared keys but with a key
// ring configures an endpoint that signs, and a client authenticating
// with its own ECDSA certificate negotiates with it; TCP to DVA1 port 60
// flows protected.
func TestFromPlanCertificates(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, "test CA", testpki.P256, epoch)
	gwCfg, err := FromPlan(certStack(t, dir, ca), dva1)
	if err != nil {
		t.Fatal(err)
	}
	if gwCfg.Credentials == nil || len(gwCfg.Peers) != 1 || gwCfg.Peers[0].AuthMe != wire.AuthDigitalSig || !gwCfg.Peers[0].CertAuth || gwCfg.Peers[0].PSK != nil {
		t.Fatalf("config %+v, peers %+v", gwCfg.Credentials, gwCfg.Peers)
	}
	client := ca.Issue(t, testpki.Leaf{Key: testpki.P256, IPs: []net.IP{f9Client.AsSlice()}}, epoch)
	cert, key, cafile := client.WriteFiles(t, dir, "client", ca)
	creds, err := LoadCredentials(cert, key, cafile)
	if err != nil {
		t.Fatal(err)
	}
	clientSPD, err := NewSPD(Filter{Name: "to-dva1", Local: AddrRange{f9Client, f9Client}, Remote: AddrRange{dva1, dva1},
		Protocol: protoTCP, RemotePorts: PortRange{60, 60}, Action: ActionIPsec, Tunnel: Tunnel{Peer: "dva1"}})
	if err != nil {
		t.Fatal(err)
	}
	clientCfg := Config{Local: f9Client, ID: AddrIdentity(f9Client), SPD: clientSPD, IKE: gwCfg.IKE, ESP: gwCfg.ESP, Credentials: creds,
		Peers: []Peer{{Name: "dva1", Addr: dva1, ID: AddrIdentity(dva1), AuthMe: wire.AuthECDSA256, CertAuth: true,
			LocalTS: []netip.Prefix{netip.PrefixFrom(f9Client, 32)}, RemoteTS: []netip.Prefix{netip.PrefixFrom(dva1, 32)}}}}
	netw := memnet.New()
	clk := clock.NewManual(epoch)
	start := func(cfg Config, got chan []byte) *Endpoint { return startMem(t, netw, clk, cfg, got) }
	gotGW, gotClient := make(chan []byte, 16), make(chan []byte, 16)
	start(gwCfg, gotGW)
	c := start(clientCfg, gotClient)
	syn := tcp4(f9Client, dva1, 40000, 60)
	if v := c.Outbound(syn); v != Queued {
		t.Fatalf("first packet: %v", v)
	}
	if got := recv(t, gotGW, "the SYN at DVA1"); !bytes.Equal(got, syn) {
		t.Fatalf("DVA1 got % x", got)
	}
}

// TestCredentialsRefused: a key file others can read, a key of another
// certificate and a certificate changed since compile each stop FromPlan,
// and no error shows the key.
func TestCredentialsRefused(t *testing.T) {
	ca := testpki.NewCA(t, "test CA", testpki.P256, epoch)
	cases := map[string]struct {
		edit func(t *testing.T, dir string, st *plan.Stack)
		want string
	}{
		"key readable by others": {func(t *testing.T, dir string, st *plan.Stack) {
			if err := os.Chmod(filepath.Join(dir, "mvs1.key"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "can be read by others"},
		"key of another certificate": {func(t *testing.T, dir string, st *plan.Stack) {
			other := ca.Issue(t, testpki.Leaf{Key: testpki.P256}, epoch)
			if err := os.WriteFile(filepath.Join(dir, "mvs1.key"), other.KeyPEM(t), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "does not hold the private key"},
		"key through a symbolic link": {func(t *testing.T, dir string, st *plan.Stack) {
			// A private key, but reached through a link: the key file
			// itself must be named, as secretfile writes them.
			if err := os.Rename(filepath.Join(dir, "mvs1.key"), filepath.Join(dir, "real.key")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("real.key", filepath.Join(dir, "mvs1.key")); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		"key of another owner": {func(t *testing.T, dir string, st *plan.Stack) {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a file away")
			}
			if err := os.Chown(filepath.Join(dir, "mvs1.key"), 4242, 4242); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 4242"},
		"CA bundle changed": {func(t *testing.T, dir string, st *plan.Stack) {
			// Another CA added to the bundle: peers it issued would be
			// trusted, though lint never saw it.
			other := testpki.NewCA(t, "another CA", testpki.P256, epoch)
			f, err := os.OpenFile(filepath.Join(dir, "mvs1-ca.crt"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(other.CertPEM())
			f.Close()
		}, "CA bundle mvs1-ca.crt changed since the plan was compiled"},
		"certificate through a link out of the directory": {func(t *testing.T, dir string, st *plan.Stack) {
			outside := t.TempDir()
			if err := os.Rename(filepath.Join(dir, "mvs1.crt"), filepath.Join(outside, "mvs1.crt")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(outside, "mvs1.crt"), filepath.Join(dir, "mvs1.crt")); err != nil {
				t.Fatal(err)
			}
		}, "leads outside the plan's directory"},
		"key in a directory linked out": {func(t *testing.T, dir string, st *plan.Stack) {
			outside := t.TempDir()
			if err := os.Rename(filepath.Join(dir, "mvs1.key"), filepath.Join(outside, "mvs1.key")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(dir, "keys")); err != nil {
				t.Fatal(err)
			}
			st.KeyRing.Key = "keys/mvs1.key"
		}, "leads outside the plan's directory"},
		"absolute key path": {func(t *testing.T, dir string, st *plan.Stack) {
			st.KeyRing.Key = filepath.Join(dir, "mvs1.key")
		}, "not a path inside the plan's directory"},
		"certificate changed": {func(t *testing.T, dir string, st *plan.Stack) {
			st.KeyRing.Fingerprint = strings.Repeat("0", 64)
		}, "changed since the plan was compiled"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			st := certStack(t, dir, ca)
			key, _ := os.ReadFile(filepath.Join(dir, "mvs1.key"))
			c.edit(t, dir, st)
			_, err := FromPlan(st, dva1)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if bytes.Contains([]byte(err.Error()), key[40:60]) {
				t.Fatal("the error shows the key")
			}
		})
	}
}

// TestFromPlanHomeCerts runs the checked-in home-certs plan (compiled by
// compile's TestCheckedInPlans from testdata/runtime/home-certs): SYSA's
// endpoint for 10.1.1.1 signs with its TEST ONLY ECDSA certificate, a
// client with the fixture client certificate negotiates with it, and
// TELNET flows. git checks the key out readable by others, which the
// runtime refuses, so the fixtures are copied private first.
func TestFromPlanHomeCerts(t *testing.T) {
	b, err := os.ReadFile("../../testdata/plans/home-certs.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	st := p.Stack("SYSA")
	if st == nil || st.KeyRing == nil {
		t.Fatal("no key ring for SYSA in the plan")
	}
	src, dir := "../../testdata/runtime/home-certs", t.TempDir()
	for _, f := range []string{st.KeyRing.Cert, st.KeyRing.Key, st.KeyRing.CA, "certs/TEST-ONLY-client.crt", "certs/TEST-ONLY-client.key"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sysa, client := netip.MustParseAddr("10.1.1.1"), netip.MustParseAddr("192.0.2.10")
	st.KeyRing.Dir = dir
	gwCfg, err := FromPlan(st, sysa)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := LoadCredentials(filepath.Join(dir, "certs/TEST-ONLY-client.crt"), filepath.Join(dir, "certs/TEST-ONLY-client.key"), filepath.Join(dir, st.KeyRing.CA))
	if err != nil {
		t.Fatal(err)
	}
	spd, err := NewSPD(Filter{Name: "to-sysa", Local: AddrRange{client, client}, Remote: AddrRange{sysa, sysa},
		Protocol: protoTCP, RemotePorts: PortRange{23, 23}, Action: ActionIPsec, Tunnel: Tunnel{Peer: "sysa"}})
	if err != nil {
		t.Fatal(err)
	}
	netw := memnet.New()
	clk := clock.NewManual(epoch)
	start := func(cfg Config, got chan []byte) *Endpoint { return startMem(t, netw, clk, cfg, got) }
	gotGW := make(chan []byte, 16)
	start(gwCfg, gotGW)
	c := start(Config{Local: client, ID: AddrIdentity(client), SPD: spd, IKE: gwCfg.IKE, ESP: gwCfg.ESP, Credentials: creds,
		Peers: []Peer{{Name: "sysa", Addr: sysa, ID: AddrIdentity(sysa), AuthMe: wire.AuthDigitalSig, CertAuth: true,
			LocalTS: []netip.Prefix{netip.PrefixFrom(client, 32)}, RemoteTS: []netip.Prefix{netip.PrefixFrom(sysa, 32)}}}}, make(chan []byte, 16))
	syn := tcp4(client, sysa, 40000, 23)
	if v := c.Outbound(syn); v != Queued {
		t.Fatalf("first packet: %v", v)
	}
	if got := recv(t, gotGW, "the TELNET SYN at SYSA"); !bytes.Equal(got, syn) {
		t.Fatalf("SYSA got % x", got)
	}
}

// TestPSKPeersIgnoreKeyRing: an address whose rules use pre-shared keys
// configures without reading the key ring, so a broken ring cannot take
// its peers down.
func TestPSKPeersIgnoreKeyRing(t *testing.T) {
	st := figure9Stack(t, "MVS1", true)
	st.KeyRing = &plan.KeyRing{Name: "IKED/RING", Cert: "missing.crt", Key: "missing.key", CA: "missing-ca.crt", Dir: t.TempDir()}
	cfg, err := FromPlan(st, dva1)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Credentials != nil || cfg.Peers[0].CertAuth || string(cfg.Peers[0].PSK) != f9PSK {
		t.Errorf("credentials %v, peer %+v", cfg.Credentials, cfg.Peers[0])
	}
}
