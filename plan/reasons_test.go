package plan

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestReasonCodesAgree checks that validation accepts exactly the SWSA
// reason codes the schema lists (it once refused no-offers, which compile
// writes and the schema allows).
func TestReasonCodesAgree(t *testing.T) {
	raw, err := os.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	var swsa struct {
		Properties struct {
			Reasons struct {
				Items struct {
					Properties struct {
						Code struct {
							Enum []string `json:"enum"`
						} `json:"code"`
					} `json:"properties"`
				} `json:"items"`
			} `json:"reasons"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema.Defs["swsa"], &swsa); err != nil {
		t.Fatal(err)
	}
	enum := swsa.Properties.Reasons.Items.Properties.Code.Enum
	if len(enum) == 0 {
		t.Fatal("no reason codes found in the schema's $defs/swsa")
	}
	if !slices.Equal(slices.Sorted(slices.Values(enum)), slices.Sorted(slices.Values(reasonCodes))) {
		t.Errorf("schema lists %v, validation accepts %v", enum, reasonCodes)
	}
}
