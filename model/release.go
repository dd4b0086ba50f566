package model

import (
	"fmt"
	"regexp"
	"strconv"
)

// Release is a z/OS Communications Server level such as V2R5.
type Release struct {
	Version, Release int
}

var releaseRE = regexp.MustCompile(`^V(\d{1,2})R(\d{1,2})$`)

// ParseRelease reads "V1R13", "V2R5"; "" gives the zero Release (unknown).
func ParseRelease(s string) (Release, error) {
	if s == "" {
		return Release{}, nil
	}
	m := releaseRE.FindStringSubmatch(s)
	if m == nil {
		return Release{}, fmt.Errorf("release %q is not of the form VnRm (for example V2R5)", s)
	}
	v, _ := strconv.Atoi(m[1])
	r, _ := strconv.Atoi(m[2])
	return Release{Version: v, Release: r}, nil
}

// Known reports whether the release was given.
func (r Release) Known() bool { return r.Version > 0 }

// Before reports whether r is an earlier level than o.
func (r Release) Before(o Release) bool {
	if r.Version != o.Version {
		return r.Version < o.Version
	}
	return r.Release < o.Release
}

func (r Release) String() string {
	if !r.Known() {
		return ""
	}
	return fmt.Sprintf("V%dR%d", r.Version, r.Release)
}

// MarshalText writes VnRm.
func (r Release) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// V1R13 is the first level that takes over IKEv2 SWSA tunnels as IKEv2.
var V1R13 = Release{1, 13}
