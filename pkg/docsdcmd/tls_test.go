package docsdcmd

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
)

// TestTLS serves HTTPS with a certificate made for the test: a client
// that trusts it logs in, the cookie is Secure without session.secure_cookie,
// and plain HTTP on the port gets no API answer.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	env := map[string]string{
		"DOCSD_DATABASE": filepath.Join(dir, "d.db"), "DOCSD_AUTH_BCRYPT_COST": "4",
		"DOCSD_SERVER_TLS_CERT_FILE": certFile, "DOCSD_SERVER_TLS_KEY_FILE": keyFile,
	}
	mustSeed(t, env)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	var log bytes.Buffer
	base, stop := serveWith(t, env, serveWithOptions{scheme: "https", client: client, log: &log})
	r, err := apitest.Send(context.Background(), client, "POST", base+"/login", nil, nil, `{"username":"alice","password":"password"}`)
	if err != nil || r.Status != 200 {
		t.Fatalf("POST /login over HTTPS = %d, %v; want 200", r.Status, err)
	}
	cookie := r.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "docs_session=") || !strings.Contains(cookie, "; Secure") {
		t.Errorf("Set-Cookie over HTTPS = %q; want a Secure docs_session cookie", cookie)
	}
	if got := r.Header.Get("Strict-Transport-Security"); got != hsts {
		t.Errorf("Strict-Transport-Security over HTTPS = %q; want %q", got, hsts)
	}
	t.Run("TLS 1.2 offers AEAD suites only", func(t *testing.T) {
		addr := strings.TrimPrefix(base, "https://")
		for _, suite := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
			if !slices.Contains(suite.SupportedVersions, tls.VersionTLS12) {
				continue
			}
			conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite.ID}})
			if err == nil {
				conn.Close()
			}
			// The test's certificate is ECDSA, so these three are the AEAD
			// suites it can serve.
			want := slices.Contains([]uint16{
				tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
				tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
				tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			}, suite.ID)
			if got := err == nil; got != want {
				t.Errorf("TLS 1.2 handshake offering only %s: got accepted %v (%v), want %v", suite.Name, got, err, want)
			}
		}
	})
	plain, err := apitest.Send(context.Background(), http.DefaultClient, "GET", "http"+strings.TrimPrefix(base, "https")+"/healthz", nil, nil, "")
	if err == nil && plain.Status == 200 {
		t.Errorf("plain HTTP to the HTTPS port = 200; want no API answer")
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown; want nil", err)
	}
	if !strings.Contains(log.String(), `msg="docsd listening" url=https://127.0.0.1:`) {
		t.Errorf("start-up log = %q; want the https URL", log.String())
	}

	t.Run("a certificate without its key is refused", func(t *testing.T) {
		_, errOut, code := docsd(t, map[string]string{"DOCSD_DATABASE": env["DOCSD_DATABASE"], "DOCSD_SERVER_TLS_CERT_FILE": certFile}, "", "serve")
		if code != 2 || !strings.Contains(errOut, "server.tls_key_file") {
			t.Errorf("serve with only a certificate = exit %d, %q; want 2 naming server.tls_key_file", code, errOut)
		}
	})
	t.Run("a key that does not load names the settings", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.pem")
		if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := docsd(t, map[string]string{"DOCSD_DATABASE": env["DOCSD_DATABASE"], "DOCSD_SERVER_TLS_CERT_FILE": certFile, "DOCSD_SERVER_TLS_KEY_FILE": bad}, "", "serve")
		if code == 0 || !strings.Contains(errOut, "server.tls_key_file "+bad) {
			t.Errorf("serve with a bad key = exit %d, %q; want a failure naming server.tls_key_file", code, errOut)
		}
	})
}

// TestPlainHTTPBeyondLoopbackWarns: listening on every interface without
// TLS and without session.secure_cookie starts, with a warning; loopback,
// or a Secure cookie (a TLS proxy in front), starts without one.
func TestPlainHTTPBeyondLoopbackWarns(t *testing.T) {
	_, port, _ := net.SplitHostPort(freeAddr(t))
	for _, tc := range []struct {
		name string
		addr string
		env  map[string]string
		warn bool
	}{
		{"every interface, plain HTTP: warned", "0.0.0.0:" + port, nil, true},
		{"every interface behind a TLS proxy (secure_cookie): quiet", "0.0.0.0:" + port, map[string]string{"DOCSD_SESSION_SECURE_COOKIE": "true"}, false},
		{"loopback: quiet", "127.0.0.1:" + port, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DOCSD_DATABASE": filepath.Join(t.TempDir(), "d.db")}
			for k, v := range tc.env {
				env[k] = v
			}
			var log bytes.Buffer
			_, stop := serveWith(t, env, serveWithOptions{addr: tc.addr, log: &log})
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(log.String(), "level=WARN msg=\"listening beyond loopback over plain HTTP"); got != tc.warn {
				t.Errorf("warned = %v; want %v. Log:\n%s", got, tc.warn, log.String())
			}
		})
	}
}

// TestStrictTransportSecurity: browsers are told to come back over HTTPS
// only when docsd is reached over HTTPS: with its own TLS (TestTLS), or
// behind a TLS proxy (session.secure_cookie); never over plain HTTP alone.
func TestStrictTransportSecurity(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"plain HTTP: none", nil, ""},
		{"behind a TLS proxy (session.secure_cookie): sent", map[string]string{"DOCSD_SESSION_SECURE_COOKIE": "true"}, hsts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DOCSD_DATABASE": filepath.Join(t.TempDir(), "d.db")}
			for k, v := range tc.env {
				env[k] = v
			}
			base, stop := serveWith(t, env, serveWithOptions{})
			defer func() {
				if err := stop(); err != nil {
					t.Error(err)
				}
			}()
			for _, path := range []string{"/healthz", "/nowhere"} {
				r, err := apitest.Send(context.Background(), http.DefaultClient, "GET", base+path, nil, nil, "")
				if err != nil {
					t.Fatal(err)
				}
				if got := r.Header.Get("Strict-Transport-Security"); got != tc.want {
					t.Errorf("GET %s: Strict-Transport-Security = %q; want %q", path, got, tc.want)
				}
			}
		})
	}
}

// hsts is the Strict-Transport-Security docsd sends over HTTPS: a year.
const hsts = "max-age=31536000"

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "docsd test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
