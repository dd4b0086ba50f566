package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

// editPlan reads the figure 9 plan, lets edit change the decoded JSON document
// and returns the edited text: tests break a plan the way a person editing
// the file would.
func editPlan(t *testing.T, edit func(doc map[string]any)) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(figure9JSON(t)), &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// at walks a decoded JSON document: keys for objects, ints for arrays.
func at(doc any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			doc = doc.(map[string]any)[k]
		case int:
			doc = doc.([]any)[k]
		}
	}
	return doc
}

// TestReadPlanRejectsWhatTheRuntimeCannotRun: the values of the issue
// (method BOGUS, rank -5, a DVIPA twice, an XCF address on two stacks) and
// the references the schema cannot express are refused when the plan is
// read, with the JSON path of the value, not later by show, whatif or run.
func TestReadPlanRejectsWhatTheRuntimeCannotRun(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(doc map[string]any)
		want string
	}{
		{"method", func(doc map[string]any) {
			at(doc, "dvipas", 0, "distributions", 0).(map[string]any)["method"] = "BOGUS"
		}, `dvipas[0].distributions[0].method: "BOGUS" is not one of BASEWLM, ROUNDROBIN, SERVERWLM, WEIGHTEDACTIVE, HOTSTANDBY`},
		{"rank", func(doc map[string]any) {
			at(doc, "dvipas", 0, "backups", 0).(map[string]any)["rank"] = -5
		}, `dvipas[0].backups[0].rank: -5 is below the minimum 1`},
		{"duplicate DVIPA", func(doc map[string]any) {
			ds := doc["dvipas"].([]any)
			doc["dvipas"] = append(ds, ds[0])
		}, `dvipas[2].addr: 201.2.10.11 is also dvipas[0].addr`},
		{"duplicate XCF address", func(doc map[string]any) {
			x := at(doc, "stacks", 0, "xcf", 0).(map[string]any)["addr"]
			at(doc, "stacks", 1, "xcf", 0).(map[string]any)["addr"] = x
		}, `stacks[1].xcf[0].addr: 193.9.200.1 is also stacks[0].xcf[0].addr`},
		{"backup stack unknown", func(doc map[string]any) {
			at(doc, "dvipas", 0, "backups", 0).(map[string]any)["stack"] = "MVS9"
		}, `dvipas[0].backups[0].stack: no stack "MVS9" in the plan`},
		{"backup stack twice", func(doc map[string]any) {
			bs := at(doc, "dvipas", 0, "backups").([]any)
			at(doc, "dvipas", 0).(map[string]any)["backups"] = append(bs, map[string]any{"position": 2, "rank": 5, "stack": bs[0].(map[string]any)["stack"], "canCreate": false})
		}, `dvipas[0].backups[1].stack: MVS5 is also dvipas[0].backups[0].stack`},
		{"group stack unknown", func(doc map[string]any) {
			at(doc, "groups", 0).(map[string]any)["stacks"] = []any{"MVS1", "NOSUCH"}
		}, `groups[0].stacks[1]: no stack "NOSUCH" in the plan`},
		{"stack group unknown", func(doc map[string]any) {
			at(doc, "stacks", 2).(map[string]any)["xcfGroup"] = "EZBTOTHR"
		}, `stacks[2].xcfGroup: no group "EZBTOTHR" in the plan`},
		// What whatif and run would follow as written, each its own way.
		{"backups out of rank order", func(doc map[string]any) {
			bs := at(doc, "dvipas", 0, "backups").([]any)
			at(doc, "dvipas", 0).(map[string]any)["backups"] = append(bs, map[string]any{"position": 2, "rank": 250, "stack": "MVS2", "canCreate": false})
		}, `dvipas[0].backups[1].rank: 250 is higher than the rank`},
		{"backup positions", func(doc map[string]any) {
			at(doc, "dvipas", 0, "backups", 0).(map[string]any)["position"] = 2
		}, `dvipas[0].backups[0].position: 2 is not 1`},
		{"owner also a backup", func(doc map[string]any) {
			at(doc, "dvipas", 0, "backups", 0).(map[string]any)["stack"] = "MVS1"
		}, `dvipas[0].backups[0].stack: MVS1 is the owner`},
		{"owner does not define it", func(doc map[string]any) {
			at(doc, "dvipas", 0).(map[string]any)["owner"] = "MVS2"
		}, `dvipas[0].owner: MVS2 does not define the DVIPA`},
		{"target at another stack's XCF address", func(doc map[string]any) {
			x := at(doc, "stacks", 1, "xcf", 0).(map[string]any)["addr"]
			at(doc, "dvipas", 0, "distributions", 0, "targets", 0).(map[string]any)["xcf"] = x
		}, `is the dynamic XCF address of MVS2, not of`},
		{"distributed by a stack without a distribution", func(doc map[string]any) {
			at(doc, "dvipas", 0).(map[string]any)["distributedBy"] = "MVS3"
		}, `dvipas[0].distributedBy: MVS3 has no distribution of this DVIPA`},
		{"mask against prefixLen", func(doc map[string]any) {
			at(doc, "dvipas", 0).(map[string]any)["mask"] = "255.255.255.0"
		}, `dvipas[0].mask: 255.255.255.0 is /24, but prefixLen is 28`},
		// The runtime keys a stack's IKE peers by rule name.
		{"peer without a rule name", func(doc map[string]any) {
			for i := range doc["stacks"].([]any) {
				if ps, _ := at(doc, "stacks", i, "ike", "peers").([]any); len(ps) > 0 {
					ps[0].(map[string]any)["rule"] = ""
					return
				}
			}
		}, `.ike.peers[0].rule: must not be empty`},
		{"stack in two groups", func(doc map[string]any) {
			gs := doc["groups"].([]any)
			g := map[string]any{}
			for k, v := range gs[0].(map[string]any) {
				g[k] = v
			}
			g["xcfGroup"], g["stacks"] = "EZBTOTHR", []any{"MVS1"}
			doc["groups"] = append(gs, g)
		}, `groups[1].stacks[0]: MVS1 is in group`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(editPlan(t, c.edit)))
			if err == nil {
				t.Fatalf("ReadPlan accepts it; want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, c.want)
			}
		})
	}
}

// TestReadPlanShowsControlCharacters: a name with an escape sequence in
// an edited plan is named in the error as visible text.
func TestReadPlanShowsControlCharacters(t *testing.T) {
	doc := editPlan(t, func(doc map[string]any) {
		at(doc, "dvipas", 0).(map[string]any)["owner"] = "MVS\x1b[2J"
		at(doc, "dvipas", 0).(map[string]any)["bo\x1bgus"] = 1
	})
	_, err := Read(strings.NewReader(doc))
	if err == nil || strings.ContainsRune(err.Error(), 0x1b) || !strings.Contains(err.Error(), `dvipas[0].bo\x1bgus: unknown key`) {
		t.Errorf("error %q, want the unknown key shown with \\x1b and no raw escape", err)
	}
}

// TestReadPlanConfinesKeyRing: a key ring's files must stay inside the
// plan's directory (relative, no ".." step) and its certificate and CA
// bundle must be pinned by their SHA-256, so a plan edited to read
// another file, or to run with credentials compile never saw, is refused
// when it is read.
func TestReadPlanConfinesKeyRing(t *testing.T) {
	withRing := func(edit func(k map[string]any)) func(doc map[string]any) {
		return func(doc map[string]any) {
			k := map[string]any{"name": "IKED/RING", "cert": "c.pem", "key": "k.pem", "ca": "ca.pem",
				"fingerprint": strings.Repeat("ab", 32), "caFingerprint": strings.Repeat("cd", 32), "identities": []any{}}
			edit(k)
			at(doc, "stacks", 0).(map[string]any)["keyRing"] = k
		}
	}
	if _, err := Read(strings.NewReader(editPlan(t, withRing(func(map[string]any) {})))); err != nil {
		t.Fatalf("a confined, pinned key ring is refused: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(k map[string]any)
		want string
	}{
		{"absolute key", func(k map[string]any) { k["key"] = "/etc/shadow" }, `stacks[0].keyRing.key: "/etc/shadow" is not a path inside the plan's directory`},
		{"key up", func(k map[string]any) { k["key"] = "certs/../../k.pem" }, `stacks[0].keyRing.key: "certs/../../k.pem" is not a path inside the plan's directory`},
		{"ca up", func(k map[string]any) { k["ca"] = "../ca.pem" }, `stacks[0].keyRing.ca: "../ca.pem" is not a path inside the plan's directory`},
		{"empty cert", func(k map[string]any) { k["cert"] = "" }, `stacks[0].keyRing.cert: "" is not a path inside the plan's directory`},
		{"no fingerprint", func(k map[string]any) { delete(k, "fingerprint") }, `stacks[0].keyRing.fingerprint: missing`},
		{"no CA fingerprint", func(k map[string]any) { delete(k, "caFingerprint") }, `stacks[0].keyRing.caFingerprint: missing`},
		{"empty CA fingerprint", func(k map[string]any) { k["caFingerprint"] = "" }, `stacks[0].keyRing.caFingerprint`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(editPlan(t, withRing(c.edit))))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, c.want)
			}
		})
	}
}

// TestReadPlanRejectsKeysGivenTwice: a key given twice in one object (an
// owner edited in by appending it) is refused with its path; JSON decoding
// would silently keep the last one.
func TestReadPlanRejectsKeysGivenTwice(t *testing.T) {
	text := figure9JSON(t)
	edited := strings.Replace(text, `"owner": "MVS1",`, `"owner": "MVS1", "owner": "MVS2",`, 1)
	if edited == text {
		t.Fatal("the figure 9 plan has no owner MVS1 to edit")
	}
	_, err := Read(strings.NewReader(edited))
	if err == nil || !strings.Contains(err.Error(), `dvipas[0]: key "owner" is given twice`) {
		t.Fatalf("error %v", err)
	}
	if _, err := Read(strings.NewReader(strings.Repeat("[", 20000) + strings.Repeat("]", 20000))); err == nil {
		t.Fatal("a document nested 20,000 deep was read")
	}
}
