package swsa

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/cf"
)

// Errors a Store returns. A caller tells them apart with errors.Is:
// ErrNoStructure is a configuration problem (the CFRM policy lacks the
// structure, so no stack can ever write a record), a *FaultError is the
// coupling facility failing a request, ErrConflict another writer having
// changed the record since it was read.
var (
	ErrNoStructure = errors.New("SWSA structure not in the CFRM policy")
	ErrConflict    = errors.New("SWSA record changed by another writer")
	ErrNotFound    = errors.New("no such SWSA record")
)

// FaultError is a coupling facility request that failed.
type FaultError struct {
	Op        string // get, write, delete, list, watch, connect
	Structure string
	Key       string
	Err       error
}

func (e *FaultError) Error() string {
	s := fmt.Sprintf("coupling facility structure %s: %s", e.Structure, e.Op)
	if e.Key != "" {
		s += " " + e.Key
	}
	return s + ": " + e.Err.Error()
}

func (e *FaultError) Unwrap() error { return e.Err }

// TakeoverPreparationFailed is the message z/OS writes when a tunnel's
// record cannot be stored, so the tunnel cannot be taken over (EZD0831I,
// "z/OS Communications Server: IP Messages Volume 2", which names the
// time the stack added the tunnel, the IpDynVpnAction, the tunnel ID and
// the AH and ESP SPIs). The tunnel still works on this stack.
func TakeoverPreparationFailed(r *Record, added time.Time) string {
	var ah, esp uint32
	if len(r.Children) > 0 {
		c := r.Children[len(r.Children)-1]
		if c.Protocol == "AH" {
			ah = c.InboundSPI
		} else {
			esp = c.InboundSPI
		}
	}
	return fmt.Sprintf("EZD0831I Tunnel takeover preparation failed : %s vpnaction= %s tunnelID= %s AHSPI= %d ESPSPI= %d",
		added.UTC().Format("2006/01/02 15:04:05"), r.VPNAction, r.TunnelID, ah, esp)
}

// Stored is a record as the structure holds it: with the entry's version,
// which a later Update or Delete names to be sure nobody changed it since.
type Stored struct {
	Record  *Record
	Version uint64
}

// Corrupt is an entry of the structure that is not a valid record.
type Corrupt struct {
	Key string
	Err error
}

// Store is the SA-recovery records of one XCF group: its EZBDVIPAvvtt
// structure, one entry per tunnel keyed DVIPA/tunnel, so a stack lists
// every record of one DVIPA with one prefix read.
type Store struct {
	st cf.Structure
}

// StructureName is the SWSA structure the plan names for the stack's XCF
// group, with ErrNoStructure when the plan's CFRM list (when it has one)
// lacks it.
func StructureName(p *plan.Plan, stack string) (string, error) {
	s := p.Stack(stack)
	if s == nil {
		return "", fmt.Errorf("no stack %s in the plan", stack)
	}
	name := p.Group(s).SWSAStructure
	if name == "" || p.CFRM != nil && !slices.Contains(p.CFRM, name) {
		return name, fmt.Errorf("%w: %s (stack %s)", ErrNoStructure, name, stack)
	}
	return name, nil
}

// Open connects the stack to its group's SWSA structure.
func Open(ctx context.Context, f cf.Facility, p *plan.Plan, stack string) (*Store, error) {
	name, err := StructureName(p, stack)
	if err != nil {
		return nil, err
	}
	st, err := f.Structure(ctx, name)
	if err != nil {
		return nil, &FaultError{Op: "connect", Structure: name, Err: err}
	}
	return &Store{st: st}, nil
}

// NewStore uses a structure the caller already connected to.
func NewStore(st cf.Structure) *Store { return &Store{st: st} }

// Name is the structure's name.
func (s *Store) Name() string { return s.st.Name() }

func (s *Store) fault(op, key string, err error) error {
	switch {
	case errors.Is(err, cf.ErrVersionMismatch):
		return fmt.Errorf("%s %s: %w", op, key, ErrConflict)
	case errors.Is(err, cf.ErrNotFound):
		return fmt.Errorf("%s %s: %w", op, key, ErrNotFound)
	}
	return &FaultError{Op: op, Structure: s.st.Name(), Key: key, Err: err}
}

// Create writes a new tunnel's record; ErrConflict if it exists.
func (s *Store) Create(ctx context.Context, r *Record) (uint64, error) {
	return s.Update(ctx, r, 0)
}

// Update replaces the record at version (0: create it) after a rekey or
// a peer's move; ErrConflict when it is not at that version any more.
func (s *Store) Update(ctx context.Context, r *Record, version uint64) (uint64, error) {
	v, err := Encode(r)
	if err != nil {
		return 0, err
	}
	e, err := s.st.CompareAndSwap(ctx, r.Key(), version, v)
	if err != nil {
		return 0, s.fault("write", r.Key(), err)
	}
	return e.Version, nil
}

// Delete removes a tunnel's record at version (0: whatever its version).
// Deleting an absent record is not an error: the tunnel is gone either
// way.
func (s *Store) Delete(ctx context.Context, dvipa netip.Addr, tunnel string, version uint64) error {
	key := Key(dvipa, tunnel)
	var err error
	if version == 0 {
		err = s.st.Delete(ctx, key)
	} else if err = s.st.CompareAndDelete(ctx, key, version); errors.Is(err, cf.ErrNotFound) {
		err = nil
	}
	if err != nil {
		return s.fault("delete", key, err)
	}
	return nil
}

// Get reads one tunnel's record.
func (s *Store) Get(ctx context.Context, dvipa netip.Addr, tunnel string) (Stored, error) {
	key := Key(dvipa, tunnel)
	e, err := s.st.Get(ctx, key)
	if err != nil {
		return Stored{}, s.fault("get", key, err)
	}
	r, err := decodeEntry(e)
	if err != nil {
		return Stored{}, err
	}
	return Stored{Record: r, Version: e.Version}, nil
}

// List reads every record of a DVIPA, by tunnel; entries that are not
// valid records come back as Corrupt, for the caller to report (a takeover
// recovers the others).
func (s *Store) List(ctx context.Context, dvipa netip.Addr) ([]Stored, []Corrupt, error) {
	return s.list(ctx, Prefix(dvipa))
}

// ListAll reads every record of the structure, by DVIPA and tunnel: what a
// display of the structure shows.
func (s *Store) ListAll(ctx context.Context) ([]Stored, []Corrupt, error) {
	return s.list(ctx, "")
}

func (s *Store) list(ctx context.Context, prefix string) ([]Stored, []Corrupt, error) {
	entries, err := s.st.List(ctx, prefix)
	if err != nil {
		return nil, nil, s.fault("list", prefix, err)
	}
	var out []Stored
	var bad []Corrupt
	for _, e := range entries {
		r, err := decodeEntry(e)
		if err != nil {
			bad = append(bad, Corrupt{Key: e.Key, Err: err})
			continue
		}
		out = append(out, Stored{Record: r, Version: e.Version})
	}
	return out, bad, nil
}

// decodeEntry decodes an entry and checks it sits under its own key, so a
// record cannot claim another DVIPA's tunnel.
func decodeEntry(e cf.Entry) (*Record, error) {
	r, err := Decode(e.Value)
	if err != nil {
		return nil, err
	}
	if r.Key() != e.Key {
		return nil, fmt.Errorf("SWSA record for %s stored under %s", r.Key(), e.Key)
	}
	return r, nil
}

// Change is a record written or deleted, as a Watch sees it. For a
// delete, Record is nil and DVIPA and TunnelID come from the key.
type Change struct {
	DVIPA    netip.Addr
	TunnelID string
	Record   *Record // nil: deleted
	Version  uint64
	Err      error // the entry is not a valid record
}

// Watch delivers every later change to a DVIPA's records until ctx ends.
func (s *Store) Watch(ctx context.Context, dvipa netip.Addr) (<-chan Change, error) {
	in, err := s.st.Watch(ctx, Prefix(dvipa))
	if err != nil {
		return nil, s.fault("watch", Prefix(dvipa), err)
	}
	out := make(chan Change)
	go func() {
		defer close(out)
		for c := range in {
			ch := Change{DVIPA: dvipa, TunnelID: strings.TrimPrefix(c.Entry.Key, Prefix(dvipa)), Version: c.Entry.Version}
			if c.Kind == cf.Put {
				ch.Record, ch.Err = decodeEntry(c.Entry)
			}
			select {
			case out <- ch:
			case <-ctx.Done():
				// Drain so the facility's watch goroutine ends too.
				for range in {
				}
				return
			}
		}
	}()
	return out, nil
}
