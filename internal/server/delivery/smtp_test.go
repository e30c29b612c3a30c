package delivery

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/smtptest"
)

const (
	smtpUser     = "keymate"
	smtpPassword = "relay-password-0123456789" //nolint:gosec // G101: a test-only secret.
)

// sendEmail makes one attempt to mail ops@example.com through cfg's relay.
func sendEmail(t *testing.T, cfg SMTP) error {
	t.Helper()
	s := NewSender(Config{SMTP: cfg, Destinations: loopback, Attempts: 1})
	return s.Send(t.Context(), Channel{Type: apiv1.ChannelTypeEmail, Email: &Email{Addresses: []string{"ops@example.com"}}},
		Message{Event: apiv1.EventTest}).Err
}

// TestSMTPCheckRefusesCredentialsInClear proves that a configuration that
// would send credentials without TLS, or cannot authenticate, is refused
// naming the flag to fix.
func TestSMTPCheckRefusesCredentialsInClear(t *testing.T) {
	for _, tc := range []struct {
		cfg  SMTP
		want string
	}{
		{SMTP{StartTLS: StartTLSOff, Username: smtpUser, Password: smtpPassword}, "--smtp-username needs --smtp-starttls require: SMTP credentials are never sent in clear"},
		{SMTP{Username: smtpUser}, "--smtp-username needs a password"},
		{SMTP{Password: smtpPassword}, "without --smtp-username"},
		{SMTP{StartTLS: "opportunistic"}, `--smtp-starttls must be one of require, off, got "opportunistic"`},
	} {
		if err := tc.cfg.Check(); err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), smtpPassword) {
			t.Errorf("Check(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	for _, ok := range []SMTP{{}, {Addr: "relay:587", Username: smtpUser, Password: smtpPassword}, {StartTLS: StartTLSOff}} {
		if err := ok.Check(); err != nil {
			t.Errorf("Check(%+v) = %v", ok, err)
		}
	}
}

// TestSMTPCredentialsNeverTravelInClear tries every way a relay, or an
// attacker between it and the server, could get the password in clear or
// from an unverified peer: STARTTLS stripped while AUTH is offered in
// clear, a certificate the server does not trust, a Sender built past
// Check with STARTTLS off, and a wrong password. Each attempt fails with an
// error that says why and does not hold the password, no mail is sent, and
// the relay hears neither AUTH nor the password outside TLS.
func TestSMTPCredentialsNeverTravelInClear(t *testing.T) {
	stripped := smtptest.Start(t, smtptest.Options{Username: smtpUser, Password: smtpPassword, AuthInClear: true})
	untrusted := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: smtpUser, Password: smtpPassword})
	good := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: smtpUser, Password: smtpPassword})
	for _, tc := range []struct {
		name  string
		relay *smtptest.Relay
		cfg   SMTP
		want  string
	}{
		{"STARTTLS stripped", stripped, SMTP{Addr: stripped.Addr, Username: smtpUser, Password: smtpPassword},
			"does not offer STARTTLS, which --smtp-starttls require needs; nothing was sent"},
		{"untrusted certificate", untrusted, SMTP{Addr: untrusted.Addr, Username: smtpUser, Password: smtpPassword},
			"STARTTLS: tls: failed to verify certificate"},
		{"STARTTLS off past Check", stripped, SMTP{Addr: stripped.Addr, StartTLS: StartTLSOff, Username: smtpUser, Password: smtpPassword},
			"refusing to send SMTP credentials without TLS"},
		{"wrong password", good, SMTP{Addr: good.Addr, RootCAs: good.RootCAs, Username: smtpUser, Password: "not-" + smtpPassword},
			`AUTH PLAIN as keymate: 535 "5.7.8 authentication failed"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := sendEmail(t, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), smtpPassword) {
				t.Fatalf("email = %v, want %q", err, tc.want)
			}
			clear := tc.relay.ClearText()
			for _, secret := range []string{"AUTH", smtpPassword, base64.StdEncoding.EncodeToString([]byte("\x00" + smtpUser + "\x00" + smtpPassword))} {
				if strings.Contains(clear, secret) {
					t.Fatalf("the relay heard %q in clear:\n%s", secret, clear)
				}
			}
			select {
			case m := <-tc.relay.Mails:
				t.Fatalf("the relay got a mail: %+v", m)
			default:
			}
		})
	}

	if err := sendEmail(t, SMTP{Addr: good.Addr, RootCAs: good.RootCAs, Username: smtpUser, Password: smtpPassword}); err != nil {
		t.Fatalf("email through the trusted relay with the right password: %v", err)
	}
	if m := <-good.Mails; !m.TLS || m.User != smtpUser || m.From != DefaultSMTPFrom {
		t.Fatalf("mail %+v, want it inside TLS as %s from %s", m, smtpUser, DefaultSMTPFrom)
	}
}
