package ipsec

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"
)

// helperEnv names the helper a re-executed test binary should run instead
// of the tests. The strongSwan interop test starts the binary inside the
// client's network namespace this way, to send and echo UDP through
// charon's ipsec0 device without depending on other tools.
const helperEnv = "TCPIPC_IPSEC_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "udp-client":
		os.Exit(udpClientHelper())
	case "udp-echo":
		os.Exit(udpEchoHelper())
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", helperEnv, os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// udpClientHelper sends HELPER_COUNT datagrams from HELPER_LOCAL to
// HELPER_REMOTE, one at a time, and exits 0 when every one is echoed
// within a second (each is tried up to three times).
func udpClientHelper() int {
	local := netip.MustParseAddrPort(os.Getenv("HELPER_LOCAL"))
	remote := netip.MustParseAddrPort(os.Getenv("HELPER_REMOTE"))
	count, _ := strconv.Atoi(os.Getenv("HELPER_COUNT"))
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(local))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer conn.Close()
	buf := make([]byte, 2048)
	for i := range count {
		msg := fmt.Sprintf("interop %d", i)
		ok := false
		for try := 0; try < 3 && !ok; try++ {
			if _, err := conn.WriteToUDPAddrPort([]byte(msg), remote); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			conn.SetReadDeadline(time.Now().Add(time.Second))
			for {
				n, _, err := conn.ReadFromUDPAddrPort(buf)
				if err != nil {
					break
				}
				if string(buf[:n]) == msg {
					ok = true
					break
				}
			}
		}
		if !ok {
			fmt.Fprintf(os.Stderr, "no echo for %q\n", msg)
			return 1
		}
	}
	fmt.Printf("%d echoes\n", count)
	return 0
}

// udpEchoHelper echoes every datagram to HELPER_LOCAL until killed.
func udpEchoHelper() int {
	local := netip.MustParseAddrPort(os.Getenv("HELPER_LOCAL"))
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(local))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("listening")
	buf := make([]byte, 2048)
	for {
		n, src, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return 1
		}
		conn.WriteToUDPAddrPort(buf[:n], src)
	}
}
