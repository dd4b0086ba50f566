package ipsec

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/pemfile"
	"github.com/tcpipc/tcpipc/internal/secretfile"
	"github.com/tcpipc/tcpipc/plan"
)

// LoadCredentials reads a certificate chain, its private key and a CA
// bundle from PEM files. The key file is a secret like a pre-shared key:
// one that its group or others can read, that another user owns or that
// is reached through a symbolic link is refused (internal/secretfile's
// rules), and no error quotes its content.
func LoadCredentials(certFile, keyFile, caFile string) (*ikesa.Credentials, error) {
	chain, err := readCerts(certFile)
	if err != nil {
		return nil, err
	}
	cas, err := readCerts(caFile)
	if err != nil {
		return nil, err
	}
	// One open, checked by its descriptor: no window between a check of
	// the path and the read, no link followed, no file of another user.
	data, err := secretfile.ReadPrivate(keyFile)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	key, err := pemfile.PrivateKey(data)
	clear(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", keyFile, err)
	}
	if !pemfile.SamePublicKey(key.Public(), chain[0].PublicKey) {
		return nil, fmt.Errorf("key file %s does not hold the private key of %s's certificate %s", keyFile, certFile, chain[0].Subject)
	}
	return &ikesa.Credentials{Chain: chain, Key: key, CAs: cas}, nil
}

func readCerts(name string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	certs, err := pemfile.Certificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return certs, nil
}

// credentialsFromPlan loads the stack's key ring, nil when the plan maps
// none. The certificate must still be the one compile saw (its
// fingerprint), so a plan never runs with credentials lint did not check.
func credentialsFromPlan(st *plan.Stack) (*ikesa.Credentials, error) {
	k := st.KeyRing
	if k == nil {
		return nil, nil
	}
	at := func(p string) string { return filepath.Join(k.Dir, filepath.FromSlash(p)) }
	c, err := LoadCredentials(at(k.Cert), at(k.Key), at(k.CA))
	if err != nil {
		return nil, fmt.Errorf("key ring %s: %w", k.Name, err)
	}
	sum := sha256.Sum256(c.Chain[0].Raw)
	if k.Fingerprint != "" && hex.EncodeToString(sum[:]) != k.Fingerprint {
		return nil, fmt.Errorf("key ring %s: certificate %s changed since the plan was compiled; compile again", k.Name, k.Cert)
	}
	return c, nil
}

// authMethod maps z/OS HowToAuthMe to the AUTH method we sign with
// ("KeyExchangeAction statement", z/OS Communications Server IP
// Configuration Reference, ibm.com/support/knowledgecenter/SSLTBW_2.2.0/
// com.ibm.zos.v2r2.halz001/keyexchangeactionstatement.htm): RsaSignature is RSA_SIG, ECDSA-256/384/521
// are RFC 4754's methods 9 to 11, DigitalSignature is RFC 7427.
func authMethod(how string, creds *ikesa.Credentials) (wire.AuthMethod, error) {
	m, ok := map[string]wire.AuthMethod{
		"RSASIGNATURE": wire.AuthRSASig, "ECDSA-256": wire.AuthECDSA256, "ECDSA-384": wire.AuthECDSA384,
		"ECDSA-521": wire.AuthECDSA521, "DIGITALSIGNATURE": wire.AuthDigitalSig,
	}[how]
	switch {
	case !ok:
		return 0, fmt.Errorf("authentication %s is not supported", how)
	case creds == nil:
		return 0, errors.New("authentication " + how + " needs a certificate, and the plan maps no key ring for the stack (manifest keyrings)")
	}
	return m, nil
}
