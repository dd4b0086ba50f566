package ipsec

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	return loadCredentials(certFile, keyFile, caFile, caPEM)
}

// loadCredentials is LoadCredentials with the CA bundle already read.
func loadCredentials(certFile, keyFile, caFile string, caPEM []byte) (*ikesa.Credentials, error) {
	chain, err := readCerts(certFile)
	if err != nil {
		return nil, err
	}
	cas, err := pemfile.Certificates(caPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", caFile, err)
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
// none. Its files must be inside the plan's directory (k.Dir, the
// working directory for a plan read from a file), symbolic links
// resolved, as lint confines them to the sysplex directory
// (model.Root); the certificate and the CA bundle must still be the ones
// compile saw (their fingerprints), so a plan never runs with credentials
// lint did not check.
func credentialsFromPlan(st *plan.Stack) (*ikesa.Credentials, error) {
	k := st.KeyRing
	if k == nil {
		return nil, nil
	}
	cert, err := confinedFile(k.Dir, k.Cert, true)
	if err != nil {
		return nil, fmt.Errorf("key ring %s: %w", k.Name, err)
	}
	// The key's last element is not resolved: ReadPrivate refuses a link.
	key, err := confinedFile(k.Dir, k.Key, false)
	if err != nil {
		return nil, fmt.Errorf("key ring %s: %w", k.Name, err)
	}
	ca, err := confinedFile(k.Dir, k.CA, true)
	if err != nil {
		return nil, fmt.Errorf("key ring %s: %w", k.Name, err)
	}
	caPEM, err := os.ReadFile(ca)
	if err != nil {
		return nil, fmt.Errorf("key ring %s: %w", k.Name, err)
	}
	if sum := sha256.Sum256(caPEM); hex.EncodeToString(sum[:]) != k.CAFingerprint {
		return nil, fmt.Errorf("key ring %s: CA bundle %s changed since the plan was compiled; compile again", k.Name, k.CA)
	}
	c, err := loadCredentials(cert, key, ca, caPEM)
	if err != nil {
		return nil, fmt.Errorf("key ring %s: %w", k.Name, err)
	}
	sum := sha256.Sum256(c.Chain[0].Raw)
	if hex.EncodeToString(sum[:]) != k.Fingerprint {
		return nil, fmt.Errorf("key ring %s: certificate %s changed since the plan was compiled; compile again", k.Name, k.Cert)
	}
	return c, nil
}

// confinedFile returns the path of p (slash-separated, relative to dir)
// with symbolic links resolved (all of them, or all but the last element
// when last is false), or an error when it leads outside dir.
func confinedFile(dir, p string, last bool) (string, error) {
	if !plan.Confined(p) {
		return "", fmt.Errorf("%s is not a path inside the plan's directory", p)
	}
	if dir == "" {
		dir = "."
	}
	root, err := realDir(dir)
	if err != nil {
		return "", err
	}
	full := filepath.Join(root, filepath.FromSlash(p))
	if !last {
		parent, err := filepath.EvalSymlinks(filepath.Dir(full))
		if err != nil {
			return "", err
		}
		full = filepath.Join(parent, filepath.Base(full))
	} else if full, err = filepath.EvalSymlinks(full); err != nil {
		return "", err
	}
	if rel, err := filepath.Rel(root, full); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s leads outside the plan's directory %s (through a symbolic link)", p, dir)
	}
	return full, nil
}

// realDir is dir as an absolute path with every symbolic link resolved.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
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
