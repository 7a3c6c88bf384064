package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/salesflow/salesflow/internal/bench"
)

// newBench is `salesflow bench`: load a running server with an intake workflow and measure it.
func newBench(g *globals) *cobra.Command {
	var conn apiConn
	o := bench.Options{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure a running server: leads/s and POST→webhook latency of a six-step intake workflow",
		Long: "Applies a six-step workflow (set, branch, set, webhook, log, set) that enrolls only the leads this run\n" +
			"posts, runs the webhook's receiver in this process, posts --leads leads (closed loop at --concurrency,\n" +
			"or open loop at --rate per second) and reports throughput and the latency from each POST to its\n" +
			"webhook's arrival. The server must allow the receiver: SALESFLOW_WEBHOOK_ALLOWLIST=127.0.0.1/32.\n" +
			"Pass --pid to sample the server's memory and CPU.",
		Example: "  salesflow bench --leads 5000 --concurrency 50 --pid $(pgrep -f 'salesflow serve')\n  salesflow bench --leads 2000 --rate 200",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Leads < 1 || o.Concurrency < 1 {
				return errors.New("--leads and --concurrency must be at least 1")
			}
			if _, err := conn.open(cmd.Context(), g); err != nil { // checks the server and the token
				return err
			}
			o.Server = firstSet(conn.server, g.env.Getenv("SALESFLOW_SERVER"), "http://127.0.0.1:8080")
			o.Token = firstSet(conn.token, g.env.Getenv("SALESFLOW_TOKEN"), g.env.Getenv("SALESFLOW_ADMIN_TOKEN"))
			res, err := bench.Run(cmd.Context(), o, g.env.Stderr)
			if err != nil {
				return err
			}
			fmt.Fprintln(g.env.Stdout, res)
			if res.Delivered < o.Leads-int(res.PostErrors) {
				return fmt.Errorf("only %d of %d webhooks arrived within %s", res.Delivered, o.Leads, o.Timeout)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Leads, "leads", 2000, "leads to post")
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", 50, "posters at once")
	cmd.Flags().Float64Var(&o.Rate, "rate", 0, "leads per second (0: as fast as the posters go)")
	cmd.Flags().StringVar(&o.Receiver, "receiver", "127.0.0.1:0", "where the webhook receiver listens")
	cmd.Flags().IntVar(&o.PID, "pid", 0, "the server's process id, to report its peak memory and the CPU it spent")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 2*time.Minute, "how long to wait for the last webhook")
	conn.flags(cmd.Flags())
	return cmd
}
