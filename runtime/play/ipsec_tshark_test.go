package play

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
)

// lockedBuffer is a key log the endpoints' goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestIPsecRunDecryptsInTshark plays testdata/scenarios/figure9-ipsec.yaml
// with a capture and a key log, as `tcpipc run --pcap --keylog` does, and
// has Wireshark decrypt it: every ESP packet on the LAN has a good ICV and
// carries TCP to or from DVA1 port 60, the IKE messages decrypt, and the
// XCF links carry the cleartext inside GRE. The LAN has no NAT, so every
// ESP packet is plain ESP, IP protocol 50, never ESP in UDP (RFC 7296
// §2.23, RFC 3948).
func TestIPsecRunDecryptsInTshark(t *testing.T) {
	got := decryptRunInTshark(t, "../../testdata/scenarios/figure9-ipsec.yaml")
	if got.esp < 100 || got.ike < 4 || got.gre < 50 {
		t.Errorf("tshark saw %d ESP, %d IKE and %d GRE frames", got.esp, got.ike, got.gre)
	}
	t.Logf("tshark decrypted %d ESP frames and %d IKE messages; %d GRE frames on XCF", got.esp, got.ike, got.gre)
}

// TestSWSARunDecryptsInTshark plays testdata/scenarios/figure9-swsa.yaml
// (120 IPsec clients; MVS1 fails, MVS5 takes DVA1 over and renegotiates
// every tunnel from the coupling facility; MVS1 takes it back and
// renegotiates them again) with a capture and the key log of every stack,
// and has Wireshark decrypt all of it: every ESP frame before, across and
// after the takeover and the takeback has a good ICV, every IKE message
// past IKE_SA_INIT decrypts, and the frames carry the SAs of three
// generations (MVS1's, MVS5's, MVS1's again), each client's in the key log.
func TestSWSARunDecryptsInTshark(t *testing.T) {
	got := decryptRunInTshark(t, "../../testdata/scenarios/figure9-swsa.yaml")
	const clients = 120
	if got.ikeSAs < 3*clients {
		t.Errorf("the key log holds %d IKE SAs; want one per client from MVS1, MVS5 and MVS1 again (%d)", got.ikeSAs, 3*clients)
	}
	if len(got.spis) < 3*clients {
		t.Errorf("ESP frames under %d SPIs; want the child SAs of the three holders (at least %d)", len(got.spis), 3*clients)
	}
	t.Logf("tshark decrypted %d ESP frames under %d SPIs and %d IKE messages; %d IKE SAs in the key log", got.esp, len(got.spis), got.ike, got.ikeSAs)
}

// tsharkCounts is what tshark decrypted in a run's capture.
type tsharkCounts struct {
	esp, ike, gre, ikeSAs int
	spis                  map[string]bool
}

// decryptRunInTshark plays a scenario with a capture and a key log, as
// `tcpipc run --pcap --keylog` does, and has Wireshark decrypt it: every
// ESP packet on the LAN has a good ICV and carries TCP to or from DVA1
// port 60, the IKE messages decrypt, and the XCF links carry the
// cleartext inside GRE. The LAN has no NAT, so every ESP packet is plain
// ESP, IP protocol 50, never ESP in UDP (RFC 7296 §2.23, RFC 3948).
func decryptRunInTshark(t *testing.T, scenario string) tsharkCounts {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark is required under CI=true (.ci/run installs it)")
		}
		t.Skip("tshark not installed; skipping the IPsec capture check (apt-get install tshark)")
	}
	sc, src, ds := scenarioyaml.Read(scenario)
	if ds.HasErrors() {
		t.Fatalf("scenario %s: %v", src.Name, ds[0].Summary)
	}
	dir := t.TempDir()
	pcap := filepath.Join(dir, "ipsec.pcap")
	out, err := os.Create(pcap)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	pw, err := link.NewPcapWriter(out, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	var keys lockedBuffer
	sx, err := sysplex.New(sysplextest.Plan(t, "figure9"), sysplex.Options{Clock: clock.Real{}, XCF: sc.XCF, IPsec: true,
		LANTap: pw.Tap(link.Out), XCFTap: pw.Tap(link.Out), KeyLog: &keys})
	if err != nil {
		t.Fatal(err)
	}
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	keepOnFailure(t, pcap, &keys)
	r, err := Play(context.Background(), sx, sc)
	sx.Stop()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r.WriteText(&b)
	os.WriteFile(filepath.Join(dir, "report.txt"), []byte(b.String()), 0o600)
	if !r.Passed() {
		t.Fatalf("the scenario failed:\n%s", b.String())
	}

	conf := filepath.Join(dir, "wireshark")
	if err := os.Mkdir(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	keys.mu.Lock()
	espSA, ikev2 := ipsec.SplitKeyLog(keys.b.Bytes())
	keys.mu.Unlock()
	if err := os.WriteFile(filepath.Join(conf, "esp_sa"), espSA, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "ikev2_decryption_table"), ikev2, 0o600); err != nil {
		t.Fatal(err)
	}
	got := tsharkCounts{spis: map[string]bool{}, ikeSAs: distinctIKESAs(ikev2)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE",
		"-T", "fields", "-E", "separator=/t", "-e", "esp.spi", "-e", "esp.icv_good", "-e", "tcp.port", "-e", "isakmp.exchangetype",
		"-e", "isakmp.enc.decrypted", "-e", "frame.protocols", "-e", "ip.proto",
		"-e", "frame.number", "-e", "frame.time_relative", "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.flags.str")
	cmd.Env = append(os.Environ(), "WIRESHARK_CONFIG_DIR="+conf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	fields, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(strings.TrimRight(string(fields), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 12 {
			t.Fatalf("unexpected tshark line %q", line)
		}
		spi, icvGood, ports, exch, decrypted, protos, ipProto := f[0], f[1], f[2], f[3], f[4], f[5], f[6]
		where := fmt.Sprintf("frame %s at %ss %s -> %s flags %s", f[7], f[8], f[9], f[10], f[11])
		switch {
		case spi != "":
			got.esp++
			got.spis[spi] = true
			if icvGood != "1" || !strings.Contains(protos, "esp:ip:tcp") || !strings.Contains(ports, "60") {
				t.Errorf("ESP frame: icv_good=%q ports %q protocols %s", icvGood, ports, protos)
			}
			// The outer header is the first of ip.proto's values.
			if outer, _, _ := strings.Cut(ipProto, ","); outer != "50" || strings.Contains(protos, "udp") {
				t.Errorf("ESP frame without NAT: outer IP protocol %s, protocols %s; want plain ESP (50)", outer, protos)
			}
		case exch != "":
			got.ike++
			if exch != "34" && decrypted == "" {
				t.Errorf("IKE exchange %s not decrypted: %s", exch, protos)
			}
		case strings.Contains(protos, "gre:ip:tcp"):
			got.gre++
		case strings.Contains(protos, "tcp") && strings.Contains(ports, "60"):
			t.Errorf("port 60 in the clear on the LAN: %s %s (%s)", ports, protos, where)
		}
	}
	return got
}

// distinctIKESAs counts the IKE SAs of an ikev2_decryption_table by their
// SPI pair (the first two fields): both ends of a run's SA log it.
func distinctIKESAs(table []byte) int {
	seen := map[string]bool{}
	for _, line := range strings.Split(string(table), "\n") {
		f := strings.SplitN(line, ",", 3)
		if len(f) == 3 {
			seen[f[0]+","+f[1]] = true
		}
	}
	return len(seen)
}

// keepOnFailure copies a failing run's capture and key log out of the
// test's temporary directory (which the testing package removes) so the
// window can be studied with tshark; the path is in the test log. The key
// log is written 0600: it holds the run's session keys.
func keepOnFailure(t *testing.T, pcap string, keys *lockedBuffer) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		dir, err := os.MkdirTemp("", "tcpipc-tshark-failure-")
		if err != nil {
			t.Logf("keeping the capture: %v", err)
			return
		}
		var err2 error
		for _, name := range []string{"ipsec.pcap", "report.txt"} {
			b, err := os.ReadFile(filepath.Join(filepath.Dir(pcap), name))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, name), b, 0o600)
			}
			if err != nil && err2 == nil {
				err2 = err
			}
		}
		err = err2
		keys.mu.Lock()
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "keylog"), keys.b.Bytes(), 0o600)
		}
		keys.mu.Unlock()
		if err != nil {
			t.Logf("keeping the capture: %v", err)
			return
		}
		t.Logf("capture and key log of the failing run kept in %s", dir)
	})
}
