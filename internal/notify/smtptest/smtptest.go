// Package smtptest runs a real SMTP server in process (github.com/emersion/go-smtp) that keeps every
// message it accepts, for tests of what Salesflow sends. Test support: import it from _test files only.
package smtptest

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From   string
	To     []string
	Header mail.Header
	Body   string
	Raw    []byte
}

// Server is a running SMTP server on 127.0.0.1.
type Server struct {
	Host   string
	Port   int
	mu     sync.Mutex
	msgs   []Message
	fail   int // the next messages to refuse with a temporary error
	reject int // the next messages to refuse for good
	stall  int // the next messages to keep but answer late
	delay  time.Duration
}

// FailNext makes the server refuse the next n messages with 451 (try again later), as a busy relay does.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// RejectNext makes the server refuse the next n messages with 550 (mailbox unavailable): a permanent
// failure, which no retry can fix.
func (s *Server) RejectNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = n
}

// StallNext makes the server keep the next n messages but answer each only after d, as a relay does
// that is slow to confirm: a client that gives up first does not know its message went out.
func (s *Server) StallNext(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall, s.delay = n, d
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	srv := smtp.NewServer(s)
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp listen: %v", err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error   { x.to = append(x.to, to); return nil }
func (x *session) Reset()                                      { x.from, x.to = "", nil }
func (x *session) Logout() error                               { return nil }

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	reject := x.s.reject > 0
	refuse := !reject && x.s.fail > 0
	if reject {
		x.s.reject--
	} else if refuse {
		x.s.fail--
	}
	x.s.mu.Unlock()
	if reject {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	}
	if refuse {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "busy, try again later"}
	}
	m := Message{From: x.from, To: x.to, Raw: raw}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = msg.Header
		var body io.Reader = msg.Body
		if msg.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		m.Body = string(b)
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	var stall time.Duration
	if x.s.stall > 0 {
		x.s.stall--
		stall = x.s.delay
	}
	x.s.mu.Unlock()
	time.Sleep(stall)
	return nil
}
