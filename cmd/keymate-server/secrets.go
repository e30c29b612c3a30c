package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// loadSecret returns a secret: the content of file (without its final line
// break) when the flag fileFlag names one, else the environment variable
// env, else "". Files suit systemd credentials and container secrets, which
// the environment would expose (to ps -e, to docker inspect).
func loadSecret(fileFlag, file, env string) (string, error) {
	if file == "" {
		return os.Getenv(env), nil
	}
	b, err := os.ReadFile(file) //nolint:gosec // G304: the operator names the file.
	if err != nil {
		return "", fmt.Errorf("--%s: %w", fileFlag, err)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if secret == "" {
		return "", fmt.Errorf("--%s: %s is empty", fileFlag, file)
	}
	return secret, nil
}

// loadCertPool returns the certificates of the PEM file, or nil (the
// system's roots) when file is "".
func loadCertPool(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file) //nolint:gosec // G304: the operator names the file.
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errors.New(file + " holds no PEM certificate")
	}
	return pool, nil
}
