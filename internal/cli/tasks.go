package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// newTasks is `salesflow tasks`: the inbox, and a rep's moves on a task.
func newTasks(g *globals) *cobra.Command {
	var conn apiConn
	var owner, team string
	cmd := &cobra.Command{Use: "tasks", Short: "Your inbox: open tasks by urgency (breached, due soon, priority) with the reason; or a team's queue",
		Example: "  salesflow tasks\n  salesflow tasks --team TEAM_ID\n  salesflow tasks done TASK_ID connected\n  salesflow tasks snooze TASK_ID 2026-12-01T09:00:00Z",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			in, err := cl.Inbox(cmd.Context(), owner, team)
			if err != nil {
				return err
			}
			printInbox(g.env.Stdout, in)
			return nil
		}}
	cmd.Flags().StringVar(&owner, "owner", "", "whose inbox: me (default) or a user id")
	cmd.Flags().StringVar(&team, "team", "", "a team's queue (its id), for the team's manager")
	conn.flags(cmd.PersistentFlags())
	move := func(use, short, key string, n int) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.RangeArgs(1, n),
			RunE: func(cmd *cobra.Command, args []string) error {
				cl, err := conn.open(cmd.Context(), g)
				if err != nil {
					return err
				}
				value := strings.Join(args[1:], " ")
				var out map[string]any
				name := strings.Fields(use)[0]
				if name == "done" {
					out, err = cl.CompleteTask(cmd.Context(), args[0], value)
				} else {
					body := map[string]any{}
					if value != "" {
						body[key] = value
					}
					out, err = cl.MoveTask(cmd.Context(), args[0], name, body)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(g.env.Stdout, "task %s: %v (owner %v)\n", out["id"], out["status"], out["owner_id"])
				return nil
			}}
	}
	cmd.AddCommand(
		move("done TASK_ID [OUTCOME]", "Complete a task, with one of its outcomes", "outcome", 2),
		move("skip TASK_ID [REASON…]", "Skip a task; its run takes the on_skip path", "reason", 100),
		move("snooze TASK_ID UNTIL", "Snooze a task until a time (2026-12-01T09:00:00Z)", "until", 2),
		move("decline TASK_ID REASON…", "Decline a task with a reason; its run takes the on_decline path", "reason", 100),
		move("reassign TASK_ID USER_ID", "Give a task to a teammate (managers: to their team)", "owner_id", 2),
	)
	return cmd
}

func printInbox(w io.Writer, in map[string]any) {
	items, _ := in["items"].([]any)
	if len(items) == 0 {
		fmt.Fprintln(w, "nothing open: the inbox is empty")
		return
	}
	for _, it := range items {
		m, _ := it.(map[string]any)
		t, _ := m["task"].(map[string]any)
		rec, _ := m["record"].(map[string]any)
		when := ""
		if s, ok := jsonNumber(m["overdue_by"]); ok {
			when = fmt.Sprintf("overdue by %s", human(s))
		} else if s, ok := jsonNumber(m["due_in"]); ok {
			when = fmt.Sprintf("due in %s", human(s))
		}
		fmt.Fprintf(w, "%-12s %-8s %s  %s  [%s]\n", m["urgency"], t["priority"], t["id"], t["title"], when)
		if why, _ := t["why"].(string); why != "" {
			fmt.Fprintf(w, "             why: %s\n", oneLine(why))
		}
		if rec != nil {
			fmt.Fprintf(w, "             %s %v %v %v %v\n", rec["type"], orDash(rec["first_name"]), orDash(rec["last_name"]), orDash(rec["company"]), orDash(rec["email"]))
		}
	}
	if b, _ := in["breaches"].(map[string]any); len(b) > 0 {
		fmt.Fprintf(w, "breaches by owner: %v\n", b)
	}
	if n, ok := jsonNumber(in["omitted"]); ok && n > 0 {
		fmt.Fprintf(w, "%.0f more open tasks not shown (the inbox reads the 1,000 soonest due of each queue)\n", n)
	}
}

// jsonNumber reads a number as the client decodes it (json.Number): seconds, counts.
func jsonNumber(v any) (float64, bool) {
	if v == nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	return f, err == nil
}

func human(secs float64) string {
	d := int64(secs)
	switch {
	case d < 3600:
		return fmt.Sprintf("%dm", d/60)
	case d < 86400:
		return fmt.Sprintf("%dh%02dm", d/3600, d%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", d/86400, d%86400/3600)
}

func orDash(v any) any {
	if v == nil {
		return "-"
	}
	return v
}
