package cf

import (
	"context"
	"errors"
	"fmt"
)

// Entry is one key of a structure.
type Entry struct {
	Key   string
	Value []byte
	// Version is the structure's revision when the entry was last
	// written; it only grows, and no two writes share one.
	Version uint64
}

// Errors returned by structures.
var (
	ErrNotFound = errors.New("cf: no such entry")
	// ErrVersionMismatch: a conditional write or delete found the entry
	// at another version (or present when it had to be absent).
	ErrVersionMismatch = errors.New("cf: version mismatch")
	ErrClosed          = errors.New("cf: facility closed")
	ErrInvalidName     = errors.New("cf: invalid structure name")
)

// Facility is a coupling facility: a set of named structures.
type Facility interface {
	// Structure connects to the named structure, allocating it if this
	// is the first connection.
	Structure(ctx context.Context, name string) (Structure, error)
	// Close releases the facility; pending watches end and later calls
	// return ErrClosed.
	Close() error
}

// Structure is a named set of versioned entries. Implementations are safe
// for concurrent use.
type Structure interface {
	Name() string
	// Get returns the entry, or ErrNotFound.
	Get(ctx context.Context, key string) (Entry, error)
	// Put writes value unconditionally and returns the new entry.
	Put(ctx context.Context, key string, value []byte) (Entry, error)
	// CompareAndSwap writes value only if the entry is at version, or,
	// with version 0, only if it does not exist. Otherwise it returns
	// ErrVersionMismatch and the entry as it is (zero if absent).
	CompareAndSwap(ctx context.Context, key string, version uint64, value []byte) (Entry, error)
	// Delete removes the entry; deleting an absent entry is not an error.
	Delete(ctx context.Context, key string) error
	// CompareAndDelete removes the entry only if it is at version.
	CompareAndDelete(ctx context.Context, key string, version uint64) error
	// List returns the entries whose keys start with prefix, by key.
	List(ctx context.Context, prefix string) ([]Entry, error)
	// Watch delivers every later change to a key with the prefix, in
	// revision order, until ctx is done or the facility closes; then the
	// channel closes.
	Watch(ctx context.Context, prefix string) (<-chan Change, error)
}

// ChangeKind says what a Change did.
type ChangeKind uint8

const (
	Put ChangeKind = iota
	Deleted
)

func (k ChangeKind) String() string {
	if k == Deleted {
		return "delete"
	}
	return "put"
}

// Change is one write seen by a watch. For a delete, Entry holds the key
// and the revision of the delete, with no value.
type Change struct {
	Kind  ChangeKind
	Entry Entry
}

// ValidName reports whether name is a z/OS coupling facility structure
// name: 1 to 16 characters, upper-case letters, digits, national
// characters ($ @ #) and underscore, starting with a letter.
func ValidName(name string) error {
	if len(name) == 0 || len(name) > 16 {
		return fmt.Errorf("%w %q: 1 to 16 characters", ErrInvalidName, name)
	}
	for i, c := range []byte(name) {
		switch {
		case c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '$' || c == '@' || c == '#' || c == '_'):
		default:
			return fmt.Errorf("%w %q: character %q at %d", ErrInvalidName, name, c, i+1)
		}
	}
	return nil
}
