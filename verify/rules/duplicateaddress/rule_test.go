package duplicateaddress

import (
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/ruletest"
)

func TestRule(t *testing.T) { ruletest.Run(t, Rule, "testdata/*.txtar") }
