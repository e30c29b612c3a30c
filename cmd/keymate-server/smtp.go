package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// loadSMTPPassword returns the SMTP relay's password: the content of file
// (without its final line break), else KEYMATE_SMTP_PASSWORD, else "".
func loadSMTPPassword(file string) (string, error) {
	if file == "" {
		return os.Getenv(smtpPasswordEnv), nil
	}
	b, err := os.ReadFile(file) //nolint:gosec // G304: the operator names the file.
	if err != nil {
		return "", fmt.Errorf("--smtp-password-file: %w", err)
	}
	password := strings.TrimRight(string(b), "\r\n")
	if password == "" {
		return "", fmt.Errorf("--smtp-password-file: %s is empty", file)
	}
	return password, nil
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
