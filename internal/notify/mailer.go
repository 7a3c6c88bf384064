package notify

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/netip"
	"net/textproto"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// IdempotencyMailHeader carries the caller's key so that receiving systems
// and people debugging a delivery can match a message to its workflow step.
const IdempotencyMailHeader = "X-Salesflow-Idempotency-Key"

// Message is one email. Text, HTML or both may be given; with both, mail
// clients pick the part they can show.
type Message struct {
	From    string // optional; defaults to SMTPConfig.From
	ReplyTo string
	To      []string
	Subject string
	Text    string
	HTML    string
	// IdempotencyKey fixes the Message-ID, so a retried send that the server
	// had in fact accepted is recognisably the same message to receiving
	// systems that de-duplicate. Without it each attempt gets a random ID.
	IdempotencyKey string
}

// Mailer sends Messages over SMTP. It opens one connection per Send, which
// keeps attempts independent and suits notification volumes. A nil *Mailer
// is valid and fails every Send with ErrNoSMTP, so callers can hold one
// whether or not email is configured.
type Mailer struct {
	cfg SMTPConfig
	// tlsConfig verifies the server against the system roots; tests swap in
	// their own roots rather than disabling verification.
	tlsConfig *tls.Config
}

// NewMailer validates cfg and returns a Mailer. With an empty Host it
// returns ErrNoSMTP, which callers should treat as "email disabled".
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	if err := cfg.Validate(); err != nil {
		if errors.Is(err, ErrNoSMTP) {
			return nil, err
		}
		return nil, fmt.Errorf("smtp configuration: %w", err)
	}
	cfg = cfg.withDefaults()
	return &Mailer{cfg: cfg, tlsConfig: &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}}, nil
}

// Send makes one delivery attempt. It returns a *PermanentError for an
// invalid message or an SMTP 5xx reply, and a *RetryError for connection
// failures, timeouts and SMTP 4xx replies. Once the server has accepted the
// message, later hiccups (RSET, QUIT) are ignored: retrying would deliver a
// duplicate. ctx bounds dialing, and its deadline, when sooner than the
// configured timeout, bounds the whole conversation.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	if m == nil {
		return &PermanentError{Err: ErrNoSMTP}
	}
	gm, err := m.build(msg)
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("email %q: %w", msg.Subject, err)}
	}
	timeout := m.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if timeout <= 0 {
		return &RetryError{Err: fmt.Errorf("email %q: %w", msg.Subject, context.DeadlineExceeded)}
	}
	client, err := mail.NewClient(m.clientHost(), m.options(timeout)...)
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("email %q: smtp client: %w", msg.Subject, err)}
	}
	return m.classify(gm, msg.Subject, client.DialAndSendWithContext(ctx, gm))
}

func (m *Mailer) build(msg Message) (*mail.Msg, error) {
	from := cmp.Or(msg.From, m.cfg.From)
	if len(msg.To) == 0 {
		return nil, errors.New("no recipients in To")
	}
	if msg.Text == "" && msg.HTML == "" {
		return nil, errors.New("neither a text nor an HTML body")
	}
	if strings.ContainsFunc(msg.IdempotencyKey, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, errors.New("idempotency key contains control characters")
	}
	gm := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := gm.From(from); err != nil {
		return nil, fmt.Errorf("sender %q: %w", from, err)
	}
	if err := gm.To(msg.To...); err != nil {
		return nil, fmt.Errorf("recipients %q: %w", msg.To, err)
	}
	if msg.ReplyTo != "" {
		if err := gm.ReplyTo(msg.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to %q: %w", msg.ReplyTo, err)
		}
	}
	gm.Subject(msg.Subject)
	gm.SetUserAgent("Salesflow-Mailer/1")
	switch {
	case msg.Text != "" && msg.HTML != "":
		gm.SetBodyString(mail.TypeTextPlain, msg.Text)
		gm.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	case msg.Text != "":
		gm.SetBodyString(mail.TypeTextPlain, msg.Text)
	default:
		gm.SetBodyString(mail.TypeTextHTML, msg.HTML)
	}
	if msg.IdempotencyKey != "" {
		gm.SetMessageIDWithValue(messageID(msg.IdempotencyKey, from))
		gm.SetGenHeader(IdempotencyMailHeader, msg.IdempotencyKey)
	}
	return gm, nil
}

// messageID derives the Message-ID (without angle brackets) from the key:
// hashed, because keys may hold internal identifiers and the local part must
// stay within RFC 5322's dot-atom characters; under the sender's domain,
// because Message-IDs are meant to be unique per originating domain.
func messageID(key, from string) string {
	domain := "salesflow"
	if a, err := netmail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 && i < len(a.Address)-1 {
			domain = strings.ToLower(a.Address[i+1:])
		}
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:32] + "@" + domain
}

func (m *Mailer) options(timeout time.Duration) []mail.Option {
	opts := []mail.Option{
		mail.WithPort(m.cfg.Port),
		mail.WithTimeout(timeout),
		mail.WithTLSConfig(m.tlsConfig),
	}
	switch m.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if m.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(m.cfg.Username), mail.WithPassword(m.cfg.Password))
	}
	return opts
}

// clientHost brackets IPv6 literals because go-mail joins host and port
// with a plain colon.
func (m *Mailer) clientHost() string {
	if ip, err := netip.ParseAddr(m.cfg.Host); err == nil && ip.Is6() {
		return "[" + m.cfg.Host + "]"
	}
	return m.cfg.Host
}

func (m *Mailer) classify(gm *mail.Msg, subject string, err error) error {
	if err == nil || gm.IsDelivered() {
		return nil
	}
	what := fmt.Sprintf("email %q via %s:%d", subject, m.cfg.Host, m.cfg.Port)
	if code := smtpCode(err); code >= 500 {
		return &PermanentError{Status: code, Err: fmt.Errorf("%s: %w", what, err)}
	}
	return &RetryError{Err: fmt.Errorf("%s: %w", what, err)}
}

// smtpCode finds the server's reply code in a go-mail error, or 0 when the
// failure happened below SMTP (network, TLS, timeout).
func smtpCode(err error) int {
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		return se.ErrorCode()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}
