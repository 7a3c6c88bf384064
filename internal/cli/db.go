package cli

import (
	"context"
	"fmt"

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
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token and print its secret once",
		Long: "Create an API token directly in the database (works while the server runs).\n" +
			"Rep and manager tokens belong to a user (--user EMAIL); admin tokens may belong to none.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			return createToken(cmd.Context(), cfg, role, user, name, cmd)
		},
	}
	create.Flags().StringVar(&role, "role", "rep", "admin, manager or rep")
	create.Flags().StringVar(&user, "user", "", "the user's email")
	create.Flags().StringVar(&name, "name", "", "a label for the token")
	cmd.AddCommand(create)
	return cmd
}

func createToken(ctx context.Context, cfg app.Config, role, user, name string, cmd *cobra.Command) error {
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
	fmt.Fprintln(cmd.OutOrStdout(), secret)
	fmt.Fprintf(cmd.ErrOrStderr(), "token %s (%s) created; the secret above is shown only once\n", tk.ID, tk.Role)
	return nil
}
