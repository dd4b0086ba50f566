package suggest

import "testing"

func TestClosest(t *testing.T) {
	cands := []string{"IPCONFIG", "HOME", "VIPADYNAMIC", "IpFilterRule", "KeyExchangeRule"}
	abbrev := func(c string) []string {
		if c == "VIPADYNAMIC" {
			return []string{"VIPAD", "VIPADY"}
		}
		return nil
	}
	for in, want := range map[string]string{
		"IPCONFG": "IPCONFIG", "HOMEE": "HOME", "HME": "HOME", "VIPADX": "VIPADYNAMIC",
		"ipfilterrul": "IpFilterRule", "KeyExchngeRul": "KeyExchangeRule", "XYZZY": "", "ZZZZ": "",
	} {
		if got := Closest(in, cands, abbrev); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
	if Distance("kitten", "sitting") != 3 {
		t.Error("Distance(kitten, sitting) != 3")
	}
}
