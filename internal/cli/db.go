package cli

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/auth"
)

func newMigrate(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			a, err := app.Open(cmd.Context(), cfg, true)
			if err != nil {
				return err
			}
			defer a.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "database %s is up to date\n", a.Store.Dialect().Name)
			return nil
		},
	}
}

func newToken(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	var role, user, name string
	var login bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token and print its secret once",
		Long: "Create an API token directly in the database (works while the server runs).\n" +
			"Rep and manager tokens belong to a user (--user EMAIL); admin tokens may belong to none.\n" +
			"With --login it prints a sign-in link for the web UI instead: the secret rides in the link's\n" +
			"#fragment, which browsers never send to a server, so it stays out of proxy and access logs.\n" +
			"The link starts with SALESFLOW_BASE_URL (default http://SALESFLOW_ADDR).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			link := ""
			if login {
				link = loginLink(cfg.Engine.BaseURL, envOr(g.env, "SALESFLOW_ADDR", "127.0.0.1:8080"))
			}
			return createToken(cmd.Context(), cfg, role, user, name, link, cmd)
		},
	}
	create.Flags().StringVar(&role, "role", "rep", "admin, manager or rep")
	create.Flags().StringVar(&user, "user", "", "the user's email")
	create.Flags().StringVar(&name, "name", "", "a label for the token")
	create.Flags().BoolVar(&login, "login", false, "print a sign-in link for the web UI instead of the bare secret")
	cmd.AddCommand(create)
	return cmd
}

// createToken creates a token and prints its secret, or, when link is set, link followed by the secret.
func createToken(ctx context.Context, cfg app.Config, role, user, name, link string, cmd *cobra.Command) error {
	a, err := app.Open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer a.Close()
	system := auth.Actor{Kind: auth.KindSystem, ID: "cli", Role: auth.Admin}
	tk, secret, err := a.Service.CreateToken(ctx, system, role, user, name)
	if err != nil {
		return err
	}
	if link != "" {
		fmt.Fprintln(cmd.OutOrStdout(), link+url.QueryEscape(secret))
		fmt.Fprintf(cmd.ErrOrStderr(), "token %s (%s) created; the link above signs in once per browser and is shown only once\n", tk.ID, tk.Role)
		return nil
	}
	fmt.Fprintln(cmd.OutOrStdout(), secret)
	fmt.Fprintf(cmd.ErrOrStderr(), "token %s (%s) created; the secret above is shown only once\n", tk.ID, tk.Role)
	return nil
}

// loginLink is the web UI's sign-in page, to be followed by the secret in the fragment, where the
// page's script reads it; the server only ever sees it in the sign-in form's POST body.
func loginLink(baseURL, addr string) string {
	return serverURL(baseURL, addr) + "/signin#token="
}

// serverURL is where people reach this server: SALESFLOW_BASE_URL, else http:// and the listen
// address (localhost for one that listens everywhere).
func serverURL(baseURL, addr string) string {
	if baseURL == "" {
		if host, port, err := net.SplitHostPort(addr); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
			addr = net.JoinHostPort("localhost", port)
		}
		baseURL = "http://" + addr
	}
	return strings.TrimRight(baseURL, "/")
}
