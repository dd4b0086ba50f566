package sysplex

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/runtime/cf"
	"github.com/tcpipc/tcpipc/runtime/distributor"
)

// The routing stacks keep a copy of their connection routing tables in a
// coupling facility structure. The stack that takes a DVIPA over reads it
// back and routes the connections at once; the targets' NEWCONN messages
// (seed 003 figure 14) still decide: a target's report ends with
// CONNSDONE, and its restored entries it did not confirm are dropped then. The structure is tcpipc's own: z/OS keeps
// distribution state in XCF, the CF structures it names are EZBDVIPA (SWSA)
// and EZBEPORT (SYSPLEXPORTS).
const crtStructure = "TCPIPCCRT"

// crtJournal is a distributor.Journal over the CF structure; keys are
// DVIPA/client/port.
type crtJournal struct {
	st    cf.Structure
	dvipa netip.Addr
}

type crtRecord struct {
	Target string `json:"target"`
	IPSec  bool   `json:"ipsec,omitempty"`
}

func crtKey(a netip.Addr, k distributor.ConnKey) string {
	return fmt.Sprintf("%s/%s/%d", a, k.Client, k.Port)
}

func (j crtJournal) Record(c distributor.Conn) {
	v, _ := json.Marshal(crtRecord{Target: c.Target, IPSec: c.IPSec})
	_, _ = j.st.Put(context.Background(), crtKey(j.dvipa, c.Key), v)
}

func (j crtJournal) Forget(k distributor.ConnKey) {
	_ = j.st.Delete(context.Background(), crtKey(j.dvipa, k))
}

// restoreCRT journals a new routing stack's distributor and restores the
// connections the structure holds for the DVIPA whose targets are up; it
// returns how many it restored.
func (s *Stack) restoreCRT(a netip.Addr, dist *distributor.Distributor) int {
	st := s.sx.crt
	if st == nil {
		return 0
	}
	dist.SetJournal(crtJournal{st: st, dvipa: a})
	ctx := context.Background()
	entries, err := st.List(ctx, a.String()+"/")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		var rec crtRecord
		rest := strings.TrimPrefix(e.Key, a.String()+"/")
		i := strings.LastIndexByte(rest, '/')
		if i < 0 || json.Unmarshal(e.Value, &rec) != nil {
			_ = st.Delete(ctx, e.Key)
			continue
		}
		client, err1 := netip.ParseAddrPort(rest[:i])
		var port uint16
		_, err2 := fmt.Sscan(rest[i+1:], &port)
		if err1 != nil || err2 != nil || !s.isUpPeer(rec.Target) {
			_ = st.Delete(ctx, e.Key)
			continue
		}
		dist.Restore(distributor.Conn{Key: distributor.ConnKey{Client: client, Port: port}, Target: rec.Target, IPSec: rec.IPSec})
		n++
	}
	return n
}

// isUpPeer reports whether this stack believes a stack is up.
func (s *Stack) isUpPeer(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isUp(name)
}
