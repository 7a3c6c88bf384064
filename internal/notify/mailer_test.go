package notify

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

const testFrom = "Salesflow <noreply@sales.example.com>"

func plainMailer(t *testing.T, host string, port int) *Mailer {
	t.Helper()
	m, err := NewMailer(SMTPConfig{Host: host, Port: port, From: testFrom, TLS: "none", Timeout: 10 * time.Second})
	require.NoError(t, err)
	return m
}

// parsed reads a delivered message and decodes its body, so assertions see
// what a mail client would show.
func parsed(t *testing.T, d delivery) (netmail.Header, string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(d.data))
	require.NoError(t, err)
	body := msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	text, err := io.ReadAll(body)
	require.NoError(t, err)
	return msg.Header, string(text)
}

func TestMailerDeliversWithStableMessageID(t *testing.T) {
	t.Parallel()
	box := &mailbox{}
	host, port := startSMTP(t, box, nil)
	m := plainMailer(t, host, port)

	msg := Message{
		To:             []string{"ann@customer.example"},
		ReplyTo:        "owner@sales.example.com",
		Subject:        "Deal won: Acme Ltd",
		Text:           "Acme signed the contract for 120 seats.",
		IdempotencyKey: "run-42/step-3",
	}
	require.NoError(t, m.Send(t.Context(), msg))
	require.NoError(t, m.Send(t.Context(), msg))
	other := msg
	other.IdempotencyKey = "run-43/step-3"
	require.NoError(t, m.Send(t.Context(), other))

	got := box.deliveries()
	require.Len(t, got, 3)
	var ids []string
	for _, d := range got {
		h, body := parsed(t, d)
		subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
		require.NoError(t, err)
		require.Equal(t, msg.Subject, subject)
		require.Equal(t, []string{"ann@customer.example"}, d.to)
		require.Equal(t, "noreply@sales.example.com", d.from)
		to, err := h.AddressList("To")
		require.NoError(t, err)
		require.Equal(t, "ann@customer.example", to[0].Address)
		require.Contains(t, h.Get("Reply-To"), "owner@sales.example.com")
		require.Contains(t, body, msg.Text)
		ids = append(ids, h.Get("Message-Id"))
	}
	h0, _ := parsed(t, got[0])
	require.Equal(t, "run-42/step-3", h0.Get(IdempotencyMailHeader))
	require.Equal(t, ids[0], ids[1], "a retried send carries the same Message-ID")
	require.NotEqual(t, ids[0], ids[2], "another key gives another Message-ID")
	require.Regexp(t, `^<[0-9a-f]{32}@sales\.example\.com>$`, ids[0])
}

func TestMailerSendsHTMLAlternative(t *testing.T) {
	t.Parallel()
	box := &mailbox{}
	host, port := startSMTP(t, box, nil)
	err := plainMailer(t, host, port).Send(t.Context(), Message{
		From: "Rep <rep@sales.example.com>", To: []string{"a@x.example", "b@x.example"},
		Subject: "Hi", Text: "plain part", HTML: "<p>html part</p>",
	})
	require.NoError(t, err)
	got := box.deliveries()
	require.Len(t, got, 1)
	require.Equal(t, "rep@sales.example.com", got[0].from)
	require.ElementsMatch(t, []string{"a@x.example", "b@x.example"}, got[0].to)
	h, _ := parsed(t, got[0])
	require.Contains(t, h.Get("Content-Type"), "multipart/alternative")
	require.Contains(t, string(got[0].data), "plain part")
	require.Contains(t, string(got[0].data), "html part")
}

func TestMailerClassifiesRecipientRejection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code      int
		permanent bool
	}{
		{550, true},
		{553, true},
		{451, false},
		{452, false},
	} {
		box := &mailbox{rcptErr: &smtp.SMTPError{Code: tc.code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "no thanks"}}
		host, port := startSMTP(t, box, nil)
		err := plainMailer(t, host, port).Send(t.Context(), Message{To: []string{"x@y.example"}, Subject: "s", Text: "t"})
		if tc.permanent {
			var pe *PermanentError
			require.ErrorAs(t, err, &pe, "%d", tc.code)
			require.Equal(t, tc.code, pe.Status)
		} else {
			var re *RetryError
			require.ErrorAs(t, err, &re, "%d", tc.code)
		}
		require.Empty(t, box.deliveries())
	}
}

func TestMailerConnectionRefusedIsRetryable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())

	err = plainMailer(t, "127.0.0.1", port).Send(t.Context(), Message{To: []string{"x@y.example"}, Subject: "s", Text: "t"})
	var re *RetryError
	require.ErrorAs(t, err, &re)
}

func TestMailerSTARTTLSWithAuth(t *testing.T) {
	t.Parallel()
	serverTLS, roots := selfSigned(t)
	box := &mailbox{username: "bot", password: "pw"}
	host, port := startSMTP(t, box, serverTLS)

	send := func(password string) error {
		m, err := NewMailer(SMTPConfig{Host: host, Port: port, From: testFrom, Username: "bot", Password: password})
		require.NoError(t, err)
		m.tlsConfig.RootCAs = roots
		return m.Send(t.Context(), Message{To: []string{"x@y.example"}, Subject: "s", Text: "t"})
	}
	require.NoError(t, send("pw"))
	got := box.deliveries()
	require.Len(t, got, 1)
	require.True(t, got[0].tls, "message must travel after STARTTLS")

	var pe *PermanentError
	require.ErrorAs(t, send("wrong"), &pe, "bad credentials are not retried")
	require.Equal(t, 535, pe.Status)
}

func TestMailerRefusesServerWithoutSTARTTLS(t *testing.T) {
	t.Parallel()
	box := &mailbox{}
	host, port := startSMTP(t, box, nil)
	m, err := NewMailer(SMTPConfig{Host: host, Port: port, From: testFrom})
	require.NoError(t, err)
	err = m.Send(t.Context(), Message{To: []string{"x@y.example"}, Subject: "s", Text: "t"})
	require.Error(t, err)
	require.ErrorContains(t, err, "STARTTLS")
	require.Empty(t, box.deliveries(), "no plaintext fallback")
}

func TestMailerRejectsInvalidMessages(t *testing.T) {
	t.Parallel()
	m := plainMailer(t, "127.0.0.1", 1) // never dialled: validation fails first
	for name, msg := range map[string]Message{
		"no recipients": {Subject: "s", Text: "t"},
		"no body":       {To: []string{"a@b.example"}, Subject: "s"},
		"bad To":        {To: []string{"not an address"}, Text: "t"},
		"bad From":      {From: "nope", To: []string{"a@b.example"}, Text: "t"},
		"bad key":       {To: []string{"a@b.example"}, Text: "t", IdempotencyKey: "a\r\nBcc: x@y"},
	} {
		var pe *PermanentError
		require.ErrorAs(t, m.Send(t.Context(), msg), &pe, name)
	}
}

func TestNilMailerReportsNoSMTP(t *testing.T) {
	t.Parallel()
	var m *Mailer
	err := m.Send(t.Context(), Message{To: []string{"a@b.example"}, Text: "t"})
	var pe *PermanentError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, ErrNoSMTP)
}

func TestSMTPConfigValidation(t *testing.T) {
	t.Parallel()
	m, err := NewMailer(SMTPConfig{})
	require.Nil(t, m)
	require.ErrorIs(t, err, ErrNoSMTP)
	for _, setting := range []string{"HOST", "PORT", "USERNAME", "PASSWORD", "FROM", "TLS"} {
		require.Contains(t, err.Error(), "SALESFLOW_SMTP_"+setting)
	}

	good := SMTPConfig{Host: "smtp.example.com", From: testFrom}
	require.NoError(t, good.Validate())
	for want, mutate := range map[string]func(*SMTPConfig){
		"SALESFLOW_SMTP_TLS":      func(c *SMTPConfig) { c.TLS = "ssl" },
		"SALESFLOW_SMTP_PORT":     func(c *SMTPConfig) { c.Port = 70000 },
		"SALESFLOW_SMTP_FROM":     func(c *SMTPConfig) { c.From = "" },
		"SALESFLOW_SMTP_HOST":     func(c *SMTPConfig) { c.Host = "smtp.example.com:587" },
		"SALESFLOW_SMTP_PASSWORD": func(c *SMTPConfig) { c.Username = "bot" },
		"SALESFLOW_SMTP_USERNAME": func(c *SMTPConfig) { c.Password = "pw" },
		"SALESFLOW_SMTP_TIMEOUT":  func(c *SMTPConfig) { c.Timeout = -time.Second },
	} {
		c := good
		mutate(&c)
		err := c.Validate()
		require.ErrorContains(t, err, want)
		require.False(t, errors.Is(err, ErrNoSMTP), want)
		_, err = NewMailer(c)
		require.ErrorContains(t, err, want)
	}

	err = SMTPConfig{Host: "smtp.example.com", From: "bad", TLS: "x"}.Validate()
	require.ErrorContains(t, err, "SALESFLOW_SMTP_FROM")
	require.ErrorContains(t, err, "SALESFLOW_SMTP_TLS", "all problems are reported at once")
}

func TestSMTPConfigDefaults(t *testing.T) {
	t.Parallel()
	for tlsMode, port := range map[string]int{"": 587, "STARTTLS": 587, "tls": 465, "none": 25} {
		c := SMTPConfig{Host: "h", From: testFrom, TLS: tlsMode}.withDefaults()
		require.Equal(t, port, c.Port, tlsMode)
		require.Equal(t, defaultSMTPTimeout, c.Timeout)
	}
}
