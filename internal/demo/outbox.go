package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Outbox is where a demo's outbound messages go when no SMTP server or Slack webhook is configured: a
// real SMTP server and a real Slack-compatible webhook receiver, both on 127.0.0.1, that keep the last
// messages in memory and list them at URL. The workflows' email and Slack steps go through their real
// delivery paths (SMTP, HTTPS-style webhook with retries); only the far end is local, so a newcomer
// sees what would have been sent. Nothing reaches a real inbox or channel.
type Outbox struct {
	SMTPHost string
	SMTPPort int
	URL      string // the message list (GET), and the Slack receiver (POST URL/slack/CHANNEL)

	mu   sync.Mutex
	msgs []OutboxMessage
	smtp *smtp.Server
	http *http.Server
}

// OutboxMessage is one caught message.
type OutboxMessage struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // email | slack
	From    string    `json:"from,omitempty"`
	To      []string  `json:"to"`
	Subject string    `json:"subject,omitempty"`
	Text    string    `json:"text"`
}

const outboxKeep = 200

// StartOutbox starts the outbox's two listeners.
func StartOutbox() (*Outbox, error) {
	o := &Outbox{}
	sl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo outbox: %w", err)
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sl.Close()
		return nil, fmt.Errorf("demo outbox: %w", err)
	}
	host, port, _ := net.SplitHostPort(sl.Addr().String())
	o.SMTPHost = host
	o.SMTPPort, _ = strconv.Atoi(port)
	o.URL = "http://" + hl.Addr().String()
	o.smtp = smtp.NewServer(o)
	o.smtp.Domain, o.smtp.AllowInsecureAuth = "localhost", true
	o.smtp.ReadTimeout, o.smtp.WriteTimeout = 10*time.Second, 10*time.Second
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", o.list)
	mux.HandleFunc("POST /slack/{channel}", o.slack)
	o.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = o.smtp.Serve(sl) }()
	go func() { _ = o.http.Serve(hl) }()
	return o, nil
}

// SlackURL is the receiver for a channel ("#sales").
func (o *Outbox) SlackURL(channel string) string {
	return o.URL + "/slack/" + strings.TrimPrefix(channel, "#")
}

// Close stops both listeners.
func (o *Outbox) Close() {
	_ = o.smtp.Close()
	_ = o.http.Shutdown(context.Background())
}

// Messages returns the caught messages, newest first.
func (o *Outbox) Messages() []OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]OutboxMessage, len(o.msgs))
	for i, m := range o.msgs {
		out[len(o.msgs)-1-i] = m
	}
	return out
}

func (o *Outbox) add(m OutboxMessage) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	if len(o.msgs) > outboxKeep {
		o.msgs = o.msgs[len(o.msgs)-outboxKeep:]
	}
}

func (o *Outbox) list(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"items": o.Messages()})
}

func (o *Outbox) slack(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || body.Text == "" {
		http.Error(w, "want a JSON body with text", http.StatusBadRequest)
		return
	}
	o.add(OutboxMessage{At: time.Now().UTC(), Kind: "slack", To: []string{"#" + r.PathValue("channel")}, Text: body.Text})
	_, _ = io.WriteString(w, "ok")
}

// NewSession implements smtp.Backend.
func (o *Outbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &outboxSession{o: o}, nil }

type outboxSession struct {
	o    *Outbox
	from string
	to   []string
}

func (s *outboxSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *outboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *outboxSession) Reset()        { s.from, s.to = "", nil }
func (s *outboxSession) Logout() error { return nil }

func (s *outboxSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(io.LimitReader(r, 1<<20))
	if err != nil {
		return errors.New("demo outbox: not a mail message")
	}
	body, _ := io.ReadAll(msg.Body)
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		subject = msg.Header.Get("Subject")
	}
	s.o.add(OutboxMessage{At: time.Now().UTC(), Kind: "email", From: s.from, To: s.to, Subject: subject, Text: decodeQP(msg.Header.Get("Content-Transfer-Encoding"), body)})
	return nil
}

func decodeQP(enc string, body []byte) string {
	if !strings.EqualFold(enc, "quoted-printable") {
		return string(body)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(body))))
	if err != nil {
		return string(body)
	}
	return string(b)
}
