package ikesa

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestOnKeys checks the key-log hook: both ends report the same SK_* keys
// under the same SPIs, once after IKE_SA_INIT and again after an IKE SA
// rekey, and printing the event never shows a key.
func TestOnKeys(t *testing.T) {
	keysI, keysR := make(chan IKESAKeys, 10), make(chan IKESAKeys, 10)
	_, initiator, responder := pair(t, setup{
		onKeysI: func(k IKESAKeys) { keysI <- k },
		onKeysR: func(k IKESAKeys) { keysR <- k },
	})
	sa, _, _ := establish(t, initiator, responder)
	ki, kr := wait(t, keysI, "initiator keys"), wait(t, keysR, "responder keys")
	same := func(a, b IKESAKeys) {
		t.Helper()
		if a.ID != b.ID || a.ID.SPIi == 0 || a.ID.SPIr == 0 {
			t.Fatalf("key events name %v and %v", a.ID, b.ID)
		}
		if !bytes.Equal(a.Keys.Ei, b.Keys.Ei) || !bytes.Equal(a.Keys.Er, b.Keys.Er) || len(a.Keys.Ei) != 20 {
			t.Fatal("the two ends report different SK_e keys")
		}
		if a.Suite != b.Suite {
			t.Fatalf("suites %v and %v", a.Suite, b.Suite)
		}
	}
	same(ki, kr)
	if got := fmt.Sprintf("%v %+v", ki, ki); strings.Contains(got, fmt.Sprintf("%x", []byte(ki.Keys.Ei))) || !strings.Contains(got, "redacted") {
		t.Errorf("formatted key event shows key material: %s", got)
	}
	done := make(chan error, 1)
	if err := sa.Rekey(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	waitDone(t, done, "IKE rekey")
	ki2, kr2 := wait(t, keysI, "initiator keys after rekey"), wait(t, keysR, "responder keys after rekey")
	same(ki2, kr2)
	if ki2.ID == ki.ID || bytes.Equal(ki2.Keys.Ei, ki.Keys.Ei) {
		t.Error("the rekeyed IKE SA reports the old SPIs or keys")
	}
}
