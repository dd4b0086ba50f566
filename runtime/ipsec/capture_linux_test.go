package ipsec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// netnsCapture is tcpdump writing what crosses one interface of a network
// namespace to a pcap file, for tshark to decrypt afterwards.
type netnsCapture struct {
	t    *testing.T
	file string
	cmd  *exec.Cmd
	done chan struct{} // closed when tcpdump has exited
}

// startCapture starts tcpdump on dev in namespace ns and waits until it
// listens. The test ends it, if stop did not.
func startCapture(t *testing.T, ns, dev, file string) *netnsCapture {
	t.Helper()
	if _, err := exec.LookPath("tcpdump"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tcpdump is required under CI=true (.ci/run installs it)")
		}
		t.Skip("tcpdump not installed")
	}
	stderr := filepath.Join(filepath.Dir(file), filepath.Base(file)+".log")
	log, err := os.Create(stderr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	cmd := exec.Command("ip", "netns", "exec", ns, "tcpdump", "-n", "-U", "--immediate-mode", "-Z", "root", "-i", dev, "-w", file)
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &netnsCapture{t: t, file: file, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // only our group; a no-op once it exited
		<-c.done
	})
	eventually(t, "tcpdump listening", func() bool {
		b, _ := os.ReadFile(stderr)
		return strings.Contains(string(b), "listening on")
	})
	return c
}

// stop ends tcpdump, which writes out what it holds, and returns the file.
func (c *netnsCapture) stop() string {
	time.Sleep(200 * time.Millisecond) // the last packets reach tcpdump
	syscall.Kill(-c.cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.t.Fatal("tcpdump did not exit")
	}
	return c.file
}

// espFrame is what tshark says about one ESP frame of a capture.
type espFrame struct {
	ipProto, icvGood, protocols string
}

// inUDP reports whether the frame carries its ESP in UDP (RFC 3948).
func (f espFrame) inUDP() bool { return strings.Contains(f.protocols, "udpencap:esp") }

// tsharkESP decrypts the ESP frames of a capture with the key log of one
// of our endpoints and returns them. It fails the test without tshark
// under CI=true, else skips it.
func tsharkESP(t *testing.T, pcap string, keylog []byte) []espFrame {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark is required under CI=true (.ci/run installs it)")
		}
		t.Skip("tshark not installed")
	}
	conf := t.TempDir()
	espSA, ikev2 := SplitKeyLog(keylog)
	for name, b := range map[string][]byte{"esp_sa": espSA, "ikev2_decryption_table": ikev2} {
		if err := os.WriteFile(filepath.Join(conf, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := tshark(t, bin, conf, "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE",
		"-Y", "esp", "-T", "fields", "-E", "separator=/t", "-e", "ip.proto", "-e", "esp.icv_good", "-e", "frame.protocols")
	var frames []espFrame
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		proto, _, _ := strings.Cut(f[0], ",") // the outer header's
		frames = append(frames, espFrame{ipProto: proto, icvGood: f[1], protocols: f[2]})
	}
	return frames
}
