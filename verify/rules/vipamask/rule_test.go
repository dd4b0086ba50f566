package vipamask

import (
	"testing"

	"github.com/tcpipc/tcpipc/internal/ruletest"
)

func TestRule(t *testing.T) { ruletest.Run(t, Rule, "testdata/*.txtar") }
