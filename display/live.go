package display

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// The displays only a running sysplex has data for: its connection
// routing tables, its sockets and its security associations. The runtime
// fills these rows from its state; the layouts are rendered here, beside
// the ones a plan gives, so `tcpipc ctl` and `tcpipc show` print z/OS
// layouts from one package.

// VCRTEntry is one row of NETSTAT VCRT: a connection a routing stack
// routes, or one a target serves. Addresses are written a..port.
type VCRTEntry struct {
	Dest, Source, DestXCF string
}

// WriteVCRT writes NETSTAT VCRT's table, sorted by destination and
// source.
func WriteVCRT(w io.Writer, rows []VCRTEntry) error {
	rows = append([]VCRTEntry(nil), rows...)
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Dest+" "+rows[i].Source < rows[j].Dest+" "+rows[j].Source
	})
	var b strings.Builder
	b.WriteString("Dynamic VIPA Connection Routing Table:\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "Dest:        %s\n  Source:    %s\n  DestXCF:   %s\n", r.Dest, r.Source, r.DestXCF)
	}
	fmt.Fprintf(&b, "%d of %d Records Displayed\n", len(rows), len(rows))
	_, err := io.WriteString(w, b.String())
	return err
}

// Socket is one entry of NETSTAT CONN: a listener or a connection of an
// application.
type Socket struct {
	User           string
	ID             uint32
	State          string
	Local, Foreign string
}

// WriteConn writes NETSTAT CONN's table in the order given.
func WriteConn(w io.Writer, socks []Socket) error {
	var b strings.Builder
	b.WriteString("User Id  Conn     State\n-------  ----     -----\n")
	for _, k := range socks {
		fmt.Fprintf(&b, "%-8s %08X %s\n  Local Socket:   %s\n  Foreign Socket: %s\n", k.User, k.ID, k.State, k.Local, k.Foreign)
	}
	fmt.Fprintf(&b, "%d of %d Records Displayed\n", len(socks), len(socks))
	_, err := io.WriteString(w, b.String())
	return err
}
