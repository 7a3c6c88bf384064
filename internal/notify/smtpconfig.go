package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"time"
)

// TLS modes for SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // upgrade on the submission port; refuse servers without STARTTLS
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // plain text; only for local relays and tests
)

const defaultSMTPTimeout = 30 * time.Second

// ErrNoSMTP means email is not configured. It is an expected state, not a
// crash: the application runs without email and tells whoever tries to use
// it which settings to fill in.
var ErrNoSMTP = errors.New("email is not configured: set SALESFLOW_SMTP_HOST (the SMTP server), " +
	"SALESFLOW_SMTP_FROM (the default sender) and, as needed, SALESFLOW_SMTP_PORT (default 587), " +
	"SALESFLOW_SMTP_USERNAME, SALESFLOW_SMTP_PASSWORD and SALESFLOW_SMTP_TLS (starttls, tls or none)")

// SMTPConfig describes the outgoing mail server. Field names map to the
// SALESFLOW_SMTP_* settings, which the caller reads.
type SMTPConfig struct {
	Host string
	// Port defaults by TLS mode: 587 for starttls, 465 for tls, 25 for none.
	Port               int
	Username, Password string
	From               string // default sender, e.g. "Salesflow <noreply@example.com>"
	// TLS is "starttls" (default; mandatory, so a downgrade is refused),
	// "tls" (implicit) or "none".
	TLS string
	// Timeout bounds one delivery attempt; 0 means 30s.
	Timeout time.Duration
}

// Validate reports every problem at once, each naming its setting, so an
// operator can fix the configuration in one pass. An empty Host yields
// ErrNoSMTP.
func (c SMTPConfig) Validate() error {
	if strings.TrimSpace(c.Host) == "" {
		return ErrNoSMTP
	}
	var errs []error
	if _, err := netip.ParseAddr(c.Host); err != nil && strings.ContainsAny(c.Host, ":/ @") {
		errs = append(errs, fmt.Errorf("SALESFLOW_SMTP_HOST %q: give only the host name; the port goes in SALESFLOW_SMTP_PORT", c.Host))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("SALESFLOW_SMTP_PORT %d: not a TCP port (1-65535, or 0 for the default)", c.Port))
	}
	if m := c.tlsMode(); m != TLSStartTLS && m != TLSImplicit && m != TLSNone {
		errs = append(errs, fmt.Errorf("SALESFLOW_SMTP_TLS %q: use starttls, tls or none", c.TLS))
	}
	if strings.TrimSpace(c.From) == "" {
		errs = append(errs, errors.New(`SALESFLOW_SMTP_FROM: required, e.g. "Salesflow <noreply@example.com>"`))
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("SALESFLOW_SMTP_FROM %q: %w", c.From, err))
	}
	if c.Username != "" && c.Password == "" {
		errs = append(errs, errors.New("SALESFLOW_SMTP_PASSWORD: required when SALESFLOW_SMTP_USERNAME is set"))
	}
	if c.Username == "" && c.Password != "" {
		errs = append(errs, errors.New("SALESFLOW_SMTP_USERNAME: required when SALESFLOW_SMTP_PASSWORD is set"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("SALESFLOW_SMTP_TIMEOUT %s: must not be negative", c.Timeout))
	}
	return errors.Join(errs...)
}

func (c SMTPConfig) tlsMode() string {
	m := strings.ToLower(strings.TrimSpace(c.TLS))
	if m == "" {
		return TLSStartTLS
	}
	return m
}

// withDefaults fills the zero values Validate allows.
func (c SMTPConfig) withDefaults() SMTPConfig {
	c.Host = strings.TrimSpace(c.Host)
	c.TLS = c.tlsMode()
	if c.Port == 0 {
		switch c.TLS {
		case TLSImplicit:
			c.Port = 465
		case TLSNone:
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.Timeout == 0 {
		c.Timeout = defaultSMTPTimeout
	}
	return c
}
