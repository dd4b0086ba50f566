package model

import "fmt"

// GroupNames are the XCF group and coupling-facility structure names a
// stack uses, derived from VTAM's XCFGRPID start option (vv) and the
// profile's GLOBALCONFIG XCFGRPID (tt), as IBM documents them:
//
//	vv and tt: EZBTvvtt   EZBDVIPAvvtt  EZBEPORTvvtt
//	tt only:   EZBTCPtt   EZBDVIPA01tt  EZBEPORT01tt
//	vv only:   EZBTvvCS   EZBDVIPAvv    EZBEPORTvv
//	neither:   EZBTCPCS   EZBDVIPA      EZBEPORT
//
// The structure names with vv only follow IBM's rule "tt is not present";
// the group name in that case is not spelled out in the documentation
// tcpipc was built from, and EZBTvvCS is an assumption.
type GroupNames struct {
	XCFGroup     string `json:"xcfGroup"`
	SWSA         string `json:"swsaStructure"`         // EZBDVIPA…: SA recovery records
	SysplexPorts string `json:"sysplexPortsStructure"` // EZBEPORT…: SYSPLEXPORTS
}

// Names computes the names for the given suffixes (nil when not set).
func Names(vtam, tcp *int) GroupNames {
	switch {
	case vtam != nil && tcp != nil:
		s := fmt.Sprintf("%02d%02d", *vtam, *tcp)
		return GroupNames{"EZBT" + s, "EZBDVIPA" + s, "EZBEPORT" + s}
	case tcp != nil:
		s := fmt.Sprintf("%02d", *tcp)
		return GroupNames{"EZBTCP" + s, "EZBDVIPA01" + s, "EZBEPORT01" + s}
	case vtam != nil:
		s := fmt.Sprintf("%02d", *vtam)
		return GroupNames{"EZBT" + s + "CS", "EZBDVIPA" + s, "EZBEPORT" + s}
	}
	return GroupNames{"EZBTCPCS", "EZBDVIPA", "EZBEPORT"}
}
