package httpserver

import "crypto/tls"

// LoadTLS loads a certificate and its key for Config.TLS, offering TLS
// 1.2 and later with the suites of aeadSuites only.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, CipherSuites: aeadSuites()}, nil
}

// aeadSuites are the TLS 1.2 suites docsd offers: forward secret (ECDHE)
// and authenticated encryption, with neither CBC nor SHA-1 (Go's defaults
// still offer ECDHE with AES-CBC-SHA). TLS 1.3 has only such suites, and
// Go does not let them be chosen.
func aeadSuites() []uint16 {
	return []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
}
