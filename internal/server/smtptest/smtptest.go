// Package smtptest runs a small SMTP relay on 127.0.0.1 for tests: plain,
// or offering STARTTLS with a self-signed certificate, and AUTH PLAIN with
// one username and password. It records what it was told in clear, so that
// a test can prove that no credential ever travelled unencrypted.
package smtptest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/testcert"
)

// Options choose what the relay offers.
type Options struct {
	// StartTLS offers STARTTLS with a self-signed certificate for 127.0.0.1,
	// ::1 and localhost (Relay.RootCAs and Relay.CertPEM trust it).
	StartTLS bool
	// Username and Password, when set, make the relay offer AUTH PLAIN
	// (after STARTTLS only, as real relays do, unless AuthInClear) and
	// require it before MAIL FROM.
	Username, Password string
	// AuthInClear offers AUTH PLAIN on a plain connection too: a relay (or
	// an attacker who stripped STARTTLS) inviting credentials in clear.
	AuthInClear bool
}

// Mail is one message the relay accepted.
type Mail struct {
	From string
	To   []string
	Data string
	// User is the username the session authenticated as ("" for none).
	User string
	// TLS reports whether the message travelled inside STARTTLS.
	TLS bool
}

// Header returns the value of a header of the message.
func (m Mail) Header(name string) string {
	h, _ := textproto.NewReader(bufio.NewReader(strings.NewReader(m.Data))).ReadMIMEHeader()
	return h.Get(name)
}

// Relay is a running test relay.
type Relay struct {
	// Addr is the relay's host:port on 127.0.0.1.
	Addr string
	// Mails reports every message the relay accepted.
	Mails <-chan Mail
	// RootCAs and CertPEM trust the relay's certificate (nil without
	// StartTLS).
	RootCAs *x509.CertPool
	CertPEM []byte

	opts  Options
	tls   *tls.Config
	mails chan Mail
	mu    sync.Mutex
	clear []string
}

// Start starts a relay that lives until the test ends.
func Start(t testing.TB, opts Options) *Relay {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	mails := make(chan Mail, 10)
	r := &Relay{Addr: ln.Addr().String(), Mails: mails, opts: opts, mails: mails}
	if opts.StartTLS {
		cert := testcert.New(t)
		r.tls = &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}
		r.RootCAs, r.CertPEM = cert.Roots, cert.CertPEM
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(conn)
		}
	}()
	return r
}

// ClearText returns every line the relay was sent outside TLS, in order.
func (r *Relay) ClearText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.clear, "\n")
}

// session is the state of one connection.
type session struct {
	tp     *textproto.Conn
	secure bool
	user   string
	mail   Mail
}

func (r *Relay) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // bounds a broken client only
	s := &session{tp: textproto.NewConn(conn)}
	if s.reply("220 keymate smtptest ESMTP") != nil {
		return
	}
	for {
		line, err := s.tp.ReadLine()
		if err != nil {
			return
		}
		if !s.secure {
			r.mu.Lock()
			r.clear = append(r.clear, line)
			r.mu.Unlock()
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch verb = strings.ToUpper(verb); {
		case verb == "EHLO" || verb == "HELO":
			err = s.replyLines(r.extensions(s))
		case verb == "STARTTLS" && r.tls != nil && !s.secure:
			if s.reply("220 ready to start TLS") != nil {
				return
			}
			tlsConn := tls.Server(conn, r.tls)
			if tlsConn.HandshakeContext(context.Background()) != nil {
				return
			}
			conn, s = tlsConn, &session{tp: textproto.NewConn(tlsConn), secure: true} // RFC 3207: forget the session
			continue
		case verb == "AUTH" && r.offersAuth(s):
			err = s.reply(r.authenticate(s, arg))
		case verb == "MAIL" && r.opts.Username != "" && s.user == "":
			err = s.reply("530 5.7.0 authentication required")
		case verb == "MAIL":
			s.mail = Mail{From: address(arg, "FROM:"), User: s.user, TLS: s.secure}
			err = s.reply("250 OK")
		case verb == "RCPT":
			s.mail.To = append(s.mail.To, address(arg, "TO:"))
			err = s.reply("250 OK")
		case verb == "DATA":
			if s.reply("354 go ahead") != nil {
				return
			}
			data, derr := s.tp.ReadDotBytes()
			if derr != nil {
				return
			}
			s.mail.Data = string(data)
			r.mails <- s.mail
			err = s.reply("250 OK")
		case verb == "QUIT":
			_ = s.reply("221 bye")
			return
		default:
			err = s.reply("502 5.5.1 not implemented")
		}
		if err != nil {
			return
		}
	}
}

func (r *Relay) offersAuth(s *session) bool {
	return r.opts.Username != "" && (s.secure || r.opts.AuthInClear)
}

func (r *Relay) extensions(s *session) []string {
	lines := []string{"250-keymate smtptest"}
	if r.tls != nil && !s.secure {
		lines = append(lines, "250-STARTTLS")
	}
	if r.offersAuth(s) {
		lines = append(lines, "250-AUTH PLAIN")
	}
	return append(lines, "250 8BITMIME")
}

// authenticate answers "AUTH PLAIN <base64 of \0user\0password>".
func (r *Relay) authenticate(s *session, arg string) string {
	mech, initial, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		return "504 5.5.4 only PLAIN"
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	parts := bytes.Split(raw, []byte{0})
	if err != nil || len(parts) != 3 || string(parts[1]) != r.opts.Username || string(parts[2]) != r.opts.Password {
		return "535 5.7.8 authentication failed"
	}
	s.user = r.opts.Username
	return "235 2.7.0 authenticated"
}

func (s *session) reply(line string) error { return s.tp.PrintfLine("%s", line) }

func (s *session) replyLines(lines []string) error {
	for _, l := range lines {
		if err := s.reply(l); err != nil {
			return err
		}
	}
	return nil
}

// address returns the address of "FROM:<a>" or "TO:<a>".
func address(arg, prefix string) string {
	if len(arg) >= len(prefix) && strings.EqualFold(arg[:len(prefix)], prefix) {
		arg = arg[len(prefix):]
	}
	arg, _, _ = strings.Cut(arg, " ")
	return strings.Trim(arg, "<>")
}
