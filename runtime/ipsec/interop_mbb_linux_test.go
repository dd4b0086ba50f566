package ipsec

import (
	"bufio"
	"encoding/binary"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
)

// TestStrongSwanReauthenticatesUsUnderTraffic: charon reauthenticates the
// IKE SA it initiated make-before-break (the new SA and child first, then
// a Delete of the old) while our application sends to the client every
// 5 ms. Every packet is sent, none queued or refused, each one echoed,
// and both ends are left with one IKE SA and one child. Break-before-make
// (strongSwan 5.9's default) is not here: a packet of ours in its gap
// makes us initiate an IKE SA of our own, and both stay (README).
func TestStrongSwanReauthenticatesUsUnderTraffic(t *testing.T) {
	reauthenticatedUnderTraffic(t, "yes")
}

func reauthenticatedUnderTraffic(t *testing.T, mbb string) {
	s := setupInteropWith(t, interopOpts{charonConf: "  make_before_break = " + mbb + "\n"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	first, _ := s.onlySA("the SAs charon initiated")
	s.startEcho()
	reauth := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, err := s.trySwanctl("--rekey", "--ike", "zos", "--reauth")
		reauth <- err
	}()
	verdicts := map[Verdict]int{}
	const n = 200
	for i := range n {
		payload := binary.BigEndian.AppendUint32([]byte("seq"), uint32(i))
		verdicts[s.ep.Outbound(udp4(appAddr, netip.MustParseAddr("10.99.0.2"), 7000, 7, payload))]++
		time.Sleep(5 * time.Millisecond)
	}
	if err := <-reauth; err != nil {
		t.Fatalf("charon's reauthentication: %v", err)
	}
	if verdicts[Protected] != n {
		t.Errorf("verdicts %v, want all %d sent", verdicts, n)
	}
	echoed := map[uint32]bool{}
	for deadline := time.After(8 * time.Second); len(echoed) < n; {
		select {
		case p := <-s.fromClient:
			if fl, err := parseFlow(p); err == nil && fl.proto == protoUDP && fl.srcPort == 7 && len(p) >= 7 {
				echoed[binary.BigEndian.Uint32(p[len(p)-4:])] = true
			}
		case <-deadline:
			t.Fatalf("%d of %d packets echoed (verdicts %v); we hold %+v; stats %+v", len(echoed), n, verdicts, s.ep.SAs(), s.ep.Stats())
		}
	}
	eventually(t, "charon's reauthentication, alone on our side", func() bool {
		l := s.ep.SAs()
		return len(l.IKE) == 1 && l.IKE[0].ID != first.ID && l.IKE[0].State == ikesa.StateEstablished &&
			!l.IKE[0].Initiator && len(l.Dynamic) == 1 && s.ep.sad.Len() == 1
	})
	t.Logf("verdicts %v", verdicts)
	noDropsExcept(t, s.ep)
}

// startEcho runs a UDP echo service on 10.99.0.2 port 7 in the client
// namespace, ended with the test.
func (s *interop) startEcho() {
	self, err := os.Executable()
	if err != nil {
		s.t.Fatal(err)
	}
	echo := exec.Command("ip", "netns", "exec", s.cNS, self)
	echo.Env = append(os.Environ(), helperEnv+"=udp-echo", "HELPER_LOCAL=10.99.0.2:7")
	stdout, err := echo.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	s.start("UDP echo", echo)
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "listening\n" {
		s.t.Fatalf("UDP echo helper: %q, %v", line, err)
	}
}
