package profilegen

import (
	"bytes"
	"fmt"
)

// Generate writes a realistic profile of about n lines: the
// statements of the figure 9 stacks repeated with varying addresses, many
// VIPADYNAMIC entries, IPSEC rules, PORT reservations, routes and comments.
func Generate(n int) []byte {
	var b bytes.Buffer
	b.WriteString("; generated profile for the parser benchmark\n")
	b.WriteString("GLOBALCONFIG XCFGRPID 21 SYSPLEXMONITOR RECOVERY AUTOREJOIN TIMERSECS 60\n")
	b.WriteString("IPCONFIG IPSECURITY DATAGRAMFWD SYSPLEXROUTING SOURCEVIPA\n  DYNAMICXCF 193.9.200.1 255.255.255.240 1\n")
	lines := 5
	for i := 0; lines < n; i++ {
		a, c := (i/250)%250+1, i%250+1
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "; block %d\nVIPADYNAMIC\n", i)
			for j := 0; j < 20; j++ {
				fmt.Fprintf(&b, "  VIPADEFINE MOVEABLE IMMEDIATE 255.255.255.0 10.%d.%d.%d ; dvipa\n", a, c, j+1)
				fmt.Fprintf(&b, "  VIPADISTRIBUTE DEFINE DISTMETHOD ROUNDROBIN 10.%d.%d.%d PORT 60 61-70\n     DESTIP 193.9.200.2 WEIGHT 10 193.9.200.3\n", a, c, j+1)
				fmt.Fprintf(&b, "  VIPABACKUP 100 10.%d.%d.%d\n", a, c+1, j+1)
			}
			b.WriteString("ENDVIPADYNAMIC\n")
			lines += 82
		case 1:
			b.WriteString("IPSEC DVIPSEC LOGENABLE\n")
			for j := 0; j < 20; j++ {
				fmt.Fprintf(&b, "  IPSECRULE 10.%d.%d.0/24 * NOLOG PROTOCOL TCP SRCPORT 1024 65535 DESTPORT %d ROUTING EITHER\n", a, c, j+1)
			}
			b.WriteString("ENDIPSEC\n")
			lines += 22
		case 2:
			b.WriteString("PORT\n")
			for j := 0; j < 20; j++ {
				fmt.Fprintf(&b, "  %d TCP JOB%d NOAUTOLOG BIND 10.%d.%d.%d ; reserved\n", 1000+j, j, a, c, j+1)
			}
			lines += 21
		case 3:
			fmt.Fprintf(&b, "DEVICE OSA%d MPCIPA\nLINK ETH%d IPAQENET OSA%d\nHOME 10.%d.%d.1 ETH%d\n", i, i, i, a, c, i)
			b.WriteString("BEGINROUTES\n")
			for j := 0; j < 10; j++ {
				fmt.Fprintf(&b, "  ROUTE 10.%d.%d.0 255.255.255.0 = ETH%d MTU 1492\n", a, j, i)
			}
			b.WriteString("ENDROUTES\n")
			lines += 15
		case 4:
			fmt.Fprintf(&b, "TCPCONFIG TCPSENDBFRSIZE 65536 TCPRCVBUFRSIZE 65536\nINTERFACE IF%d DEFINE IPAQENET PORTNAME P%d IPADDR 10.%d.%d.9/24\n", i, i, a, c)
			lines += 2
		}
	}
	return b.Bytes()
}
