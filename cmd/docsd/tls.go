package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"

	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/exitcode"
)

// tlsConfig loads server.tls_cert_file and server.tls_key_file, so docsd
// serves HTTPS itself. It returns nil when neither is set, and refuses one
// without the other.
func (e *env) tlsConfig() (*tls.Config, error) {
	certFile, keyFile := e.cfg.Server.TLSCertFile, e.cfg.Server.TLSKeyFile
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, exitcode.Usagef("server.tls_cert_file (%s) and server.tls_key_file (%s) go together: set both for HTTPS, or neither",
			config.EnvName("server.tls_cert_file"), config.EnvName("server.tls_key_file"))
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("server.tls_cert_file %s, server.tls_key_file %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, CipherSuites: aeadSuites}, nil
}

// aeadSuites are the TLS 1.2 suites docsd offers: forward secret (ECDHE)
// and authenticated encryption, with neither CBC nor SHA-1 (Go's defaults
// still offer ECDHE with AES-CBC-SHA). TLS 1.3 has only such suites, and
// Go does not let them be chosen.
var aeadSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// warnPlainHTTP warns when docsd listens beyond this machine over plain
// HTTP and marks the session cookie for any connection: allowed, since a
// TLS proxy may be in front, but then session.secure_cookie belongs on.
func warnPlainHTTP(log *slog.Logger, addr net.Addr, https, secureCookie bool) {
	if https || secureCookie {
		return
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return
	}
	log.Warn("listening beyond loopback over plain HTTP with session cookies not marked Secure: "+
		"set server.tls_cert_file and server.tls_key_file, or session.secure_cookie when a TLS proxy is in front",
		"addr", addr.String())
}
