// Package app is the composition root: it opens the database the configuration names, applies
// migrations and wires the service and the HTTP handler. main and the end-to-end tests use it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/httpapi"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/store/postgres"
	"github.com/salesflow/salesflow/internal/store/sqlite"
	"github.com/salesflow/salesflow/internal/web"
)

// Config is everything serve and the database commands need.
type Config struct {
	Addr        string // listen address, host:port
	DataDir     string // holds the SQLite file (and the demo token)
	DatabaseURL string // postgres://… selects PostgreSQL; empty means SQLite in DataDir
	AdminToken  string // SALESFLOW_ADMIN_TOKEN
	Demo        bool
	Logger      *slog.Logger
	Now         func() time.Time
	Engine      EngineConfig
	// Getenv reads the environment for webhook secrets (secret_env); nil means none are set.
	Getenv func(string) string
}

// EngineConfig configures the workflow engine and its outside connections.
type EngineConfig struct {
	Off              bool   // serve the API without running workflows (another process does)
	Workers          int    // jobs run at once (SALESFLOW_WORKERS)
	WebhookAllowlist string // hosts and CIDRs webhooks may reach though private (SALESFLOW_WEBHOOK_ALLOWLIST)
	SMTP             notify.SMTPConfig
	Slack            map[string]string  // channel → incoming-webhook URL (SALESFLOW_SLACK_WEBHOOKS)
	BaseURL          string             // the server's public address, for links in alerts (SALESFLOW_BASE_URL)
	EnrichHTTP       *enrich.HTTPConfig // the HTTP enrichment provider (SALESFLOW_ENRICH_HTTP_*); nil: none
	EnrichTTL        time.Duration      // how long enrichment answers are cached (SALESFLOW_ENRICH_TTL); 0: 30 days
}

// App is an opened, migrated installation.
type App struct {
	Config  Config
	Store   *store.Store
	Service *crm.Service
	// Definitions stores workflows and the other definition kinds, with their versions.
	Definitions *definitions.Service
	// Engine runs the workflows; Serve and Worker start it.
	Engine  *engine.Engine
	release func()
}

// SQLitePath is where the SQLite database lives in a data directory.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "salesflow.db") }

// Open opens the database and applies pending migrations. exclusive takes the SQLite file's process
// lock (serve and migrate do; one-off commands such as token create do not need to).
func Open(ctx context.Context, cfg Config, exclusive bool) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &App{Config: cfg, release: func() {}}
	var err error
	switch {
	case strings.HasPrefix(cfg.DatabaseURL, "postgres://") || strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		a.Store, err = postgres.Open(ctx, cfg.DatabaseURL)
	case cfg.DatabaseURL != "":
		return nil, fmt.Errorf("--database-url must start with postgres:// (leave it empty for SQLite in --data)")
	default:
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path := SQLitePath(cfg.DataDir)
		if exclusive {
			if a.release, err = sqlite.Lock(path); err != nil {
				return nil, err
			}
		}
		a.Store, err = sqlite.Open(ctx, path)
	}
	if err != nil {
		a.release()
		return nil, err
	}
	applied, err := a.Store.Migrate(ctx)
	if err != nil {
		a.Close()
		return nil, err
	}
	if len(applied) > 0 {
		cfg.Logger.Info("migrations applied", "database", a.Store.Dialect().Name, "versions", applied)
	}
	a.Service = crm.New(a.Store, records.NewCatalog(), cfg.Now)
	a.Definitions = definitions.New(a.Store, a.Service.Catalog(), cfg.Now, nil)
	if a.Engine, err = newEngine(a.Service, a.Store, cfg); err != nil {
		a.Close()
		return nil, err
	}
	a.Store.AfterWrite(a.Engine.Changed)
	a.Definitions.SetRuntime(a.Engine)
	return a, nil
}

// newEngine builds the engine with its outside connections from the configuration.
func newEngine(svc *crm.Service, st *store.Store, cfg Config) (*engine.Engine, error) {
	guard, err := notify.NewGuard(cfg.Engine.WebhookAllowlist)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", notify.AllowlistSetting, err)
	}
	var mailer *notify.Mailer
	if cfg.Engine.SMTP.Host != "" {
		if mailer, err = notify.NewMailer(cfg.Engine.SMTP); err != nil {
			return nil, err
		}
	}
	secret := cfg.Getenv
	if secret == nil {
		secret = func(string) string { return "" }
	}
	enricher, err := newEnricher(st, cfg)
	if err != nil {
		return nil, err
	}
	return engine.New(svc, engine.Options{Logger: cfg.Logger, Now: cfg.Now, Workers: cfg.Engine.Workers,
		Webhooks: notify.NewSender(guard, 30*time.Second, cfg.Now), Mailer: mailer, Slack: cfg.Engine.Slack,
		Secret: secret, BaseURL: cfg.Engine.BaseURL, Enricher: enricher}), nil
}

// newEnricher sets up enrichment: the company directory, the free-mail list and, when configured, the
// HTTP provider, in that order of precedence, with answers cached in the database.
func newEnricher(st *store.Store, cfg Config) (*enrich.Enricher, error) {
	es := engine.EnrichStore{St: st}
	providers := []enrich.Provider{enrich.NewDirectory(es), enrich.FreeMail{}}
	if cfg.Engine.EnrichHTTP != nil {
		h, err := enrich.NewHTTP(*cfg.Engine.EnrichHTTP)
		if err != nil {
			return nil, err
		}
		lead, _ := records.NewCatalog().Get("lead")
		for _, f := range h.Fields() {
			if fd, ok := lead.Field(f); !ok || fd.ReadOnly {
				return nil, fmt.Errorf("SALESFLOW_ENRICH_HTTP_MAP: %s is not a lead field enrichment can fill", f)
			}
		}
		providers = append(providers, h)
	}
	ttl := cfg.Engine.EnrichTTL
	if ttl == 0 {
		ttl = 30 * 24 * time.Hour
	}
	return &enrich.Enricher{Providers: providers, Cache: es, TTL: ttl, Now: cfg.Now}, nil
}

// Close releases the database and the lock.
func (a *App) Close() {
	if a.Store != nil {
		_ = a.Store.Close()
	}
	a.release()
}

// Handler returns the HTTP surface.
func (a *App) Handler() http.Handler {
	api := httpapi.New(a.Service, httpapi.Options{AdminToken: a.Config.AdminToken, Logger: a.Config.Logger, Definitions: a.Definitions, Engine: a.Engine})
	ui := web.New(a.Service, a.Engine, a.Definitions, a.Config.AdminToken, a.Config.Logger)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPI(r.URL.Path) {
			api.ServeHTTP(w, r)
			return
		}
		ui.ServeHTTP(w, r)
	})
}

// isAPI tells the API's paths (and the probes, metrics and form hooks) from the browser UI's.
func isAPI(path string) bool {
	for _, p := range []string{"/api/", "/hooks/", "/healthz", "/readyz", "/metrics"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Serve runs the server until ctx ends, then shuts down gracefully. ready, when not nil, receives the
// bound address once the server accepts connections.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	if !a.Config.Engine.Off {
		if err := a.Engine.Init(ctx); err != nil {
			return fmt.Errorf("start the workflow engine: %w", err)
		}
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.Config.Logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Config.Logger.Info("salesflow listening", "addr", ln.Addr().String(), "database", a.Store.Dialect().Name)
	if ready != nil {
		ready(ln.Addr().String())
	}
	go a.expireIdempotencyKeys(ctx)
	stop := a.startEngine(ctx)
	defer stop()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Config.Logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startEngine runs the engine (unless configured off) until the returned stop is called or ctx ends;
// stop waits for the running jobs to finish their transactions.
func (a *App) startEngine(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if a.Config.Engine.Off {
			return
		}
		if err := a.Engine.Run(ctx); err != nil {
			a.Config.Logger.Error("workflow engine stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }
}

// Work runs the engine only — no HTTP — until ctx ends: `salesflow worker`, for scale-out on PostgreSQL.
func (a *App) Work(ctx context.Context) error {
	a.Config.Logger.Info("salesflow worker running", "database", a.Store.Dialect().Name)
	stop := a.startEngine(ctx)
	<-ctx.Done()
	stop()
	return nil
}

// IdempotencyKeyLifetime is how long a create's response is kept for replays of its Idempotency-Key.
const IdempotencyKeyLifetime = 24 * time.Hour

// ExpireIdempotencyKeys deletes the responses kept longer than IdempotencyKeyLifetime, by the
// installation's clock (Config.Now): the keys are stamped by it, so a clock set elsewhere than the
// wall's must not expire them early or late.
func (a *App) ExpireIdempotencyKeys(ctx context.Context) (int64, error) {
	now := time.Now
	if a.Config.Now != nil {
		now = a.Config.Now
	}
	var n int64
	err := a.Store.Write(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.ExpireIdempotencyKeys(ctx, now().Add(-IdempotencyKeyLifetime))
		return err
	})
	return n, err
}

// expireIdempotencyKeys deletes old idempotency keys every hour until ctx ends. Any process may do it:
// the delete is idempotent.
func (a *App) expireIdempotencyKeys(ctx context.Context) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		n, err := a.ExpireIdempotencyKeys(ctx)
		if n > 0 {
			a.Config.Logger.Info("idempotency keys expired", "count", n)
		}
		if err != nil && ctx.Err() == nil {
			a.Config.Logger.Warn("expire idempotency keys", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
