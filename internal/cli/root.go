// Package cli holds the salesflow subcommands. Each command writes to the injected streams and reads
// the environment through the injected getenv, so tests run them in-process.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/salesflow/salesflow/internal/app"
)

// Env is what the commands read from outside.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// IsTerminal reports whether the file descriptor is a terminal (progress bars only draw there).
	IsTerminal func(fd uintptr) bool
}

type globals struct {
	env         Env
	dataDir     string
	databaseURL string
	logLevel    string
}

// NewRoot builds the command tree.
func NewRoot(env Env) *cobra.Command {
	g := &globals{env: env}
	root := &cobra.Command{
		Use:           "salesflow",
		Short:         "Salesflow: a self-hosted sales workflow engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetIn(env.Stdin)
	pf := root.PersistentFlags()
	pf.StringVar(&g.dataDir, "data", envOr(env, "SALESFLOW_DATA", "./salesflow-data"), "data directory holding the SQLite database (env SALESFLOW_DATA)")
	pf.StringVar(&g.databaseURL, "database-url", env.Getenv("SALESFLOW_DATABASE_URL"), "postgres://… to use PostgreSQL instead of SQLite (env SALESFLOW_DATABASE_URL)")
	pf.StringVar(&g.logLevel, "log-level", envOr(env, "SALESFLOW_LOG_LEVEL", "info"), "debug, info, warn or error (env SALESFLOW_LOG_LEVEL)")
	root.AddCommand(newServe(g), newMigrate(g), newToken(g), newImport(g), newExport(g), newVersion())
	root.AddCommand(newApply(g), newDefinitions(g), newKillSwitch(g, "pause"), newKillSwitch(g, "resume"))
	root.AddCommand(newLint(g), newSchema(), newRuns(g), newEnroll(g), newWorker(g), newBench(g), newRoute(g), newTasks(g))
	return root
}

// Main runs the CLI and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	root := NewRoot(env)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(env.Stderr, "salesflow:", err)
		if code, ok := err.(interface{ ExitCode() int }); ok {
			return code.ExitCode()
		}
		return 1
	}
	return 0
}

func envOr(env Env, key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}

func (g *globals) logger() (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToLower(g.logLevel))); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not debug, info, warn or error", g.logLevel)
	}
	return slog.New(slog.NewJSONHandler(g.env.Stderr, &slog.HandlerOptions{Level: lvl})), nil
}

func (g *globals) config() (app.Config, error) {
	log, err := g.logger()
	if err != nil {
		return app.Config{}, err
	}
	ec, err := engineConfig(g.env.Getenv)
	if err != nil {
		return app.Config{}, err
	}
	return app.Config{DataDir: g.dataDir, DatabaseURL: g.databaseURL, AdminToken: g.env.Getenv("SALESFLOW_ADMIN_TOKEN"), Logger: log,
		Engine: ec, Getenv: g.env.Getenv}, nil
}

func newVersion() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "Print the version", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "salesflow", Version)
			return nil
		}}
}

// Version is set at build time with -ldflags "-X github.com/salesflow/salesflow/internal/cli.Version=…".
var Version = "dev"
