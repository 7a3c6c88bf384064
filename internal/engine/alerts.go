package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/store"
)

// alertWindow is how often a workflow's owner hears about its failures at most: the first failure is
// told at once, later ones in one digest at the end of the window (T4).
const alertWindow = time.Hour

func alertKey(workflow string) string { return "alert:" + workflow }

// alertFailure adds a failed run to its workflow's next alert, scheduling the alert when none is: at
// once when none went out within the window, else at the window's end, as a digest.
func (e *Engine) alertFailure(ctx context.Context, tx *store.Tx, r store.Run, step string, cause error) error {
	key := alertKey(r.Workflow)
	j, ok, err := tx.JobByKey(ctx, key)
	if err != nil {
		return err
	}
	if ok { // a new generation: a digest being sent right now must not delete this run with its job
		runs := append(asList(j.Payload["runs"]), r.ID)
		return tx.UpsertJob(ctx, store.Job{Key: key, Kind: "alert", DueAt: j.DueAt, Payload: map[string]any{"workflow": r.Workflow, "runs": runs}}, e.now())
	}
	now := e.now()
	due := now
	last, sent, err := tx.AlertSentAt(ctx, key)
	if err != nil {
		return err
	}
	if next := last.Add(alertWindow); sent && next.After(now) {
		due = next
	}
	return tx.UpsertJob(ctx, store.Job{Key: key, Kind: "alert", DueAt: due, Payload: map[string]any{"workflow": r.Workflow, "runs": []any{r.ID}}}, now)
}

// fireAlert emails the owner the workflow's runs that failed since the last alert.
func (e *Engine) fireAlert(ctx context.Context, j store.Job) error {
	name, _ := j.Payload["workflow"].(string)
	var msg *notify.Message
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		d, err := tx.Definition(ctx, "workflow", name)
		if err != nil {
			return err
		}
		var runs []store.Run
		for _, id := range asList(j.Payload["runs"]) {
			r, err := tx.ReadRun(ctx, fmt.Sprint(id))
			if err != nil {
				return err
			}
			runs = append(runs, r)
		}
		msg = failureDigest(d.Owner, name, runs, e.opts.BaseURL, j.Key+"/"+fmt.Sprint(j.Gen))
		return nil
	})
	if err != nil {
		return err
	}
	if msg != nil {
		if e.opts.Mailer == nil {
			e.log.Warn("workflow runs failed, and email is not configured to tell the owner", "workflow", name, "owner", msg.To, "subject", msg.Subject)
		} else if err := e.opts.Mailer.Send(ctx, *msg); err != nil {
			return err
		}
	}
	return e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.SetAlertSent(ctx, alertKey(name), e.now()); err != nil {
			return err
		}
		_, err := tx.FinishJob(ctx, j)
		return err
	})
}

// failureDigest is the alert email, or nil when there is nothing to tell.
func failureDigest(owner, workflow string, runs []store.Run, base, key string) *notify.Message {
	var lines []string
	for _, r := range runs {
		lines = append(lines, fmt.Sprintf("- run %s (%s %s), %s: %s\n  %s/api/v1/runs/%s", r.ID, r.RecordType, r.RecordID,
			r.EndReason, r.Error, strings.TrimRight(base, "/"), r.ID))
	}
	if len(lines) == 0 || owner == "" {
		return nil
	}
	subject := fmt.Sprintf("Salesflow: a run of %s failed", workflow)
	if len(lines) > 1 {
		subject = fmt.Sprintf("Salesflow: %d runs of %s failed", len(lines), workflow)
	}
	text := fmt.Sprintf("Runs of the workflow %s failed after their retries:\n\n%s\n\nRetry them with `salesflow runs retry ID` or `salesflow runs retry --workflow %s --status failed`.\n",
		workflow, strings.Join(lines, "\n"), workflow)
	return &notify.Message{To: []string{owner}, Subject: subject, Text: text,
		IdempotencyKey: key + "/" + runs[0].ID}
}

// queueMail schedules a system email (a record fell to a routing queue, …) as a job of its own, so it
// goes out after the transaction that caused it commits, is retried with backoff, and is sent at most
// once per key.
func (e *Engine) queueMail(ctx context.Context, tx *store.Tx, key, to, subject, text string) error {
	return tx.UpsertJob(ctx, store.Job{Key: "mail:" + key, Kind: "mail", DueAt: e.now(),
		Payload: map[string]any{"to": to, "subject": subject, "text": text}}, e.now())
}

// fireMail sends a queued system email.
func (e *Engine) fireMail(ctx context.Context, j store.Job) error {
	to, _ := j.Payload["to"].(string)
	subject, _ := j.Payload["subject"].(string)
	text, _ := j.Payload["text"].(string)
	if e.opts.Mailer == nil {
		e.log.Warn("email is not configured; a notice was not sent", "to", to, "subject", subject)
	} else if err := e.opts.Mailer.Send(ctx, notify.Message{To: []string{to}, Subject: subject, Text: text, IdempotencyKey: j.Key}); err != nil {
		return err
	}
	return e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.FinishJob(ctx, j)
		return err
	})
}
