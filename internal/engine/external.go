package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// externalCall is an outside call prepared inside a segment and made after its commit.
type externalCall struct {
	stepID, kind   string // the step by id: a version move during the call keeps it, not its address
	key            string // the idempotency key: the same for every attempt of the step
	hook           *notify.Webhook
	mail           *notify.Message
	slackURL, text string
	lookup         *enrich.Query // enrich: whom to ask about
	only           []string      // enrich: which providers
	input          map[string]any
}

// callResult is what the call gave, recorded by the next segment.
type callResult struct {
	stepID    string
	output    map[string]any
	err       error
	found     []enrich.Found // enrich: the providers' answers
	lookupErr string         // enrich: a provider that could not answer (not retried)
	input     map[string]any // what was sent (the URL, the idempotency key …), for the step's history
}

// resultFor tells whether the segment carries the result of st's outside call. Steps are matched by
// id: a version move during the call puts the run at the step with the same id, wherever it sits.
func (s *segment) resultFor(st *Step) bool {
	return s.result != nil && s.result.stepID == st.ID
}

// idempotencyKey is stable for a run's step across retries, crashes and a move to a new version.
func idempotencyKey(runID, stepID string) string {
	sum := sha256.Sum256([]byte(runID + "/" + stepID))
	return "sf-" + hex.EncodeToString(sum[:16])
}

// external handles webhook, send_email and notify: the first time it prepares the call; after the
// call it records the result. A dry-run workflow records what it would have sent.
func (s *segment) external(ctx context.Context, st *Step, name string, with map[string]any) (flow, error) {
	if s.resultFor(st) {
		delete(s.run.State, callingKey)
		out := s.result.output
		if out != nil {
			s.steps[st.ID] = out
		}
		_, err := s.history(ctx, st, "done", s.result.input, out, nil, "")
		s.result = nil
		return flow{next: st.Next, commit: true}, err
	}
	c, err := s.prepare(ctx, st, name, with)
	if err != nil {
		return flow{}, fmt.Errorf("step %s (%s): %w", st.ID, name, err)
	}
	if dry, _ := s.p.Plan["dry_run"].(bool); dry {
		_, err := s.history(ctx, st, "dry_run", c.input, nil, map[string]any{"note": "dry run: evaluated and recorded, nothing sent"}, "")
		return flow{next: st.Next}, err
	}
	// Committed with the run before the call; its result (or a failed attempt's record) clears it.
	s.run.State[callingKey] = map[string]any{"step": st.ID, "claim": s.job.Attempts}
	return flow{call: c}, nil
}

// errCutShort ends a call whose last attempt was cut short: it fails for good, yet may have been
// delivered, so the contact policy keeps its touch (stepFailed).
var errCutShort = errors.New("cut short")

// callingKey marks, in a run's state, the step (by id, which a version move keeps) whose outside call
// the run committed and whose result it has not recorded yet, with the claim of the job (its attempts
// count) under which it did.
const callingKey = "calling"

// cutShort records, before a call is made again (and before the contact policy looks at it again: the
// caller runs it only for a call still to make), that the attempt before it was cut short: the run
// committed the call (callingKey) under the job's previous claim, and that claim's lease ended without
// the job being given back (Job.Interrupted: the process was killed, shut down, or outlived its lease). A claim in between (a call given back and claimed
// again, then abandoned at a shutdown) makes no such entry: the call was not made under it. The
// receiver may have the call already, so the history says why it may get it twice, with the same
// idempotency key. The attempt counts as one (a call that brings the server down every time must not
// be made for ever) and, for the contact policy, as one that may have been delivered (settleTouch).
func (s *segment) cutShort(ctx context.Context, st *Step) error {
	mark, _ := s.run.State[callingKey].(map[string]any)
	if mark == nil || mark["step"] != st.ID || !s.job.Interrupted {
		return nil
	}
	delete(s.run.State, callingKey) // recorded here; the call, when made again, marks it afresh
	if int(num(mark["claim"]))+1 != s.job.Attempts {
		return nil
	}
	try, most := s.attempt(st), s.e.opts.MaxAttempts
	if try >= most {
		return permanent(fmt.Errorf("step %s: the server stopped during this call's attempt %d of %d; whether it arrived is unknown, and it is not made again: %w", st.ID, try, most, errCutShort))
	}
	_, err := s.history(ctx, st, "interrupted", nil, nil, map[string]any{"attempt": try, "max_attempts": most},
		"the server stopped during this call, so whether it arrived is unknown; it is made again with the same idempotency key")
	if err != nil {
		return err
	}
	s.failedTry(st)
	return s.settleTouch(ctx, st, true)
}

func (s *segment) prepare(ctx context.Context, st *Step, name string, with map[string]any) (*externalCall, error) {
	c := &externalCall{stepID: st.ID, kind: name, key: idempotencyKey(s.run.ID, st.ID)}
	vars := s.vars()
	var err error
	switch name {
	case "webhook":
		c.hook, err = s.webhook(ctx, with, vars, c.key)
		if err == nil {
			c.input = map[string]any{"url": redacted(c.hook.URL), "method": c.hook.Method, "idempotency_key": c.key}
		}
	case "send_email":
		c.mail, err = s.email(ctx, with, vars, c.key)
		if err == nil {
			c.input = map[string]any{"to": c.mail.To, "subject": c.mail.Subject, "idempotency_key": c.key}
		}
	case "notify":
		err = s.notification(ctx, c, with, vars)
	}
	return c, err
}

// redacted is a URL as the run's history keeps it: a password in it shows as xxxxx.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)" // it may hold a password all the same
	}
	return u.Redacted()
}

func (s *segment) webhook(ctx context.Context, with map[string]any, vars expr.Vars, key string) (*notify.Webhook, error) {
	url, err := s.e.text(ctx, s.p, with["url"], vars)
	if err != nil {
		return nil, permanent(fmt.Errorf("url: %w", err))
	}
	w := &notify.Webhook{URL: url, Method: "POST", IdempotencyKey: key, Headers: map[string]string{}}
	if m, _ := with["method"].(string); m != "" {
		w.Method = m
	}
	if b := with["body"]; b != nil {
		body, err := s.e.text(ctx, s.p, b, vars)
		if err != nil {
			return nil, permanent(fmt.Errorf("body: %w", err))
		}
		if !json.Valid([]byte(body)) {
			return nil, permanent(fmt.Errorf("body is not valid JSON after rendering: %.200s", body))
		}
		w.Body = []byte(body)
	} else if w.Body, err = json.Marshal(map[string]any{"workflow": s.run.Workflow, "run_id": s.run.ID,
		"record_type": s.run.RecordType, "record": s.rec}); err != nil {
		return nil, err
	}
	headers, _ := with["headers"].(map[string]any)
	for k, v := range headers {
		if w.Headers[k], err = s.e.text(ctx, s.p, v, vars); err != nil {
			return nil, permanent(fmt.Errorf("header %s: %w", k, err))
		}
	}
	if env, _ := with["secret_env"].(string); env != "" {
		secret := s.e.opts.Secret(env)
		if secret == "" {
			return nil, permanent(fmt.Errorf("secret_env names %s, which is not set in the server's environment", env))
		}
		w.Secret = []byte(secret)
	}
	return w, nil
}

// email renders a template for the recipient (a lead or contact).
func (s *segment) email(ctx context.Context, with map[string]any, vars expr.Vars, key string) (*notify.Message, error) {
	to, err := s.e.eval(ctx, s.p, with["to"], vars)
	if err != nil {
		return nil, permanent(fmt.Errorf("to: %w", err))
	}
	rcpt, _ := to.(map[string]any)
	addr, _ := rcpt["email"].(string)
	if addr == "" {
		return nil, permanent(errors.New("the recipient has no email address"))
	}
	name, _ := with["template"].(string)
	t, err := s.e.template(ctx, s.tx, name)
	if err != nil {
		return nil, err
	}
	object := t.Object
	rec, err := loader{e: s.e, tx: s.tx}.record(ctx, object, idOf(rcpt), needs(definitionReads(t))[object])
	if err != nil {
		return nil, permanent(fmt.Errorf("recipient: %w", err))
	}
	tv := expr.Vars{object: map[string]any(rec)}
	plan := t.Plan()
	msg := &notify.Message{To: []string{addr}, IdempotencyKey: key}
	if msg.Subject, err = s.e.renderDef(ctx, t, plan["subject"], tv); err != nil {
		return nil, permanent(fmt.Errorf("template %s subject: %w", name, err))
	}
	body, err := s.e.renderDef(ctx, t, plan["body"], tv)
	if err != nil {
		return nil, permanent(fmt.Errorf("template %s body: %w", name, err))
	}
	if plan["format"] == "html" {
		msg.HTML = body
	} else {
		msg.Text = body
	}
	if from := with["from"]; from != nil {
		u, err := s.e.eval(ctx, s.p, from, vars)
		if err != nil {
			return nil, permanent(fmt.Errorf("from: %w", err))
		}
		if m, _ := u.(map[string]any); m != nil {
			msg.ReplyTo, _ = m["email"].(string)
		}
	}
	return msg, nil
}

func (s *segment) notification(ctx context.Context, c *externalCall, with map[string]any, vars expr.Vars) error {
	text, err := s.e.text(ctx, s.p, with["text"], vars)
	if err != nil {
		return permanent(fmt.Errorf("text: %w", err))
	}
	c.text = text
	to, _ := with["to"].(map[string]any)
	if with["channel"] == "slack" {
		ch := fmt.Sprint(with["to"])
		url := s.e.opts.Slack[ch]
		if url == "" {
			return permanent(fmt.Errorf("no Slack webhook URL is configured for %s (set SALESFLOW_SLACK_WEBHOOKS=\"%s=https://hooks.slack.com/…\")", ch, ch))
		}
		c.slackURL, c.input = url, map[string]any{"channel": ch, "text": text}
		return nil
	}
	u, err := s.e.eval(ctx, s.p, to, vars)
	if err != nil {
		return permanent(fmt.Errorf("to: %w", err))
	}
	m, _ := u.(map[string]any)
	addr, _ := m["email"].(string)
	if addr == "" {
		return permanent(errors.New("the user to notify has no email address (is the field empty?)"))
	}
	subject, _, _ := strings.Cut(text, "\n")
	c.mail = &notify.Message{To: []string{addr}, Subject: "Salesflow: " + subject, Text: text, IdempotencyKey: c.key}
	c.input = map[string]any{"channel": "email", "to": addr, "text": text}
	return nil
}

// perform makes the call. Errors keep the notify package's types, which say whether to retry.
func (e *Engine) perform(ctx context.Context, c *externalCall) *callResult {
	res := &callResult{stepID: c.stepID, input: c.input}
	cctx, cancel := context.WithTimeout(ctx, e.opts.Lease/2)
	defer cancel()
	switch {
	case c.lookup != nil:
		return e.lookup(cctx, c)
	case c.hook != nil:
		if e.opts.Webhooks == nil {
			res.err = permanent(errors.New("webhooks are not configured"))
			return res
		}
		r, err := e.opts.Webhooks.Send(cctx, *c.hook)
		res.err = err
		var body any = string(r.Body)
		var parsed any
		if json.Unmarshal(r.Body, &parsed) == nil {
			body = parsed
		}
		res.output = map[string]any{"status": float64(r.Status), "body": body}
	case c.slackURL != "":
		res.err = e.opts.Webhooks.Slack(cctx, c.slackURL, c.text, c.key)
		res.output = map[string]any{"sent": res.err == nil}
	case c.mail != nil:
		if e.opts.Mailer == nil {
			res.err = permanent(errors.New("email is not configured: set SALESFLOW_SMTP_HOST and the other SALESFLOW_SMTP_* settings (docs/operations.md)"))
			return res
		}
		res.err = e.opts.Mailer.Send(cctx, *c.mail)
		res.output = map[string]any{"to": c.mail.To, "subject": c.mail.Subject, "sent_at": e.now()}
	}
	return res
}

// notifyRetryable reads the notify package's verdict on a failed call: permanent failures are not
// retried; temporary ones are, after the delay the other side asked for (Retry-After) when it did.
func notifyRetryable(err error) (bool, time.Duration) {
	var pe *notify.PermanentError
	if errors.As(err, &pe) {
		return false, 0
	}
	var re *notify.RetryError
	if errors.As(err, &re) {
		return true, re.After
	}
	return true, 0
}

// template returns the current version of an email template.
func (e *Engine) template(ctx context.Context, tx *store.Tx, name string) (*workflow.Definition, error) {
	d, err := tx.Definition(ctx, "template", name)
	if err != nil {
		return nil, permanent(fmt.Errorf("template %s: %w", name, err))
	}
	return e.definition(ctx, tx, "template", name, d.Version)
}

// renderDef renders a template value of a definition's plan.
func (e *Engine) renderDef(ctx context.Context, d *workflow.Definition, node any, vars expr.Vars) (string, error) {
	return e.text(ctx, &Program{Def: d}, node, vars)
}
