// Package httpapi serves the REST API under /api/v1, the inbound form webhook, health, readiness and
// metrics. Handlers parse and answer; the crm service does the work.
package httpapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// Options configure the API.
type Options struct {
	// AdminToken, when set, is accepted as an admin token (SALESFLOW_ADMIN_TOKEN).
	AdminToken string
	Logger     *slog.Logger
	// Registry receives the API's metrics; a new one is made when nil.
	Registry *prometheus.Registry
	// Definitions serves /api/v1/definitions; one on the same store is made when nil.
	Definitions *definitions.Service
	// Engine serves runs, enrollment and events; one on the same store (not running) is made when nil.
	Engine *engine.Engine
}

// API is the HTTP surface.
type API struct {
	svc        *crm.Service
	defs       *definitions.Service
	engine     *engine.Engine
	log        *slog.Logger
	adminToken string
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

// New builds the handler with every route.
func New(svc *crm.Service, opt Options) http.Handler {
	a := &API{svc: svc, defs: opt.Definitions, engine: opt.Engine, log: opt.Logger, adminToken: opt.AdminToken, reg: opt.Registry}
	if a.engine == nil {
		a.engine = engine.New(svc, engine.Options{Logger: opt.Logger})
	}
	if a.defs == nil {
		a.defs = definitions.New(svc.Store(), svc.Catalog(), nil, nil)
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.reg == nil {
		a.reg = prometheus.NewRegistry()
	}
	a.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "salesflow_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	a.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "salesflow_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
	a.reg.MustRegister(a.engine.Collectors()...)
	a.reg.MustRegister(writerCollectors(svc.Store())...)
	a.reg.MustRegister(a.requests, a.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(svc.Store().DB(), svc.Store().Dialect().Name))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("POST /hooks/forms/{form}", a.submitForm)
	mux.HandleFunc("GET /api/v1/openapi.json", a.openapi)

	defs := newDefinitionsMux()
	for _, rt := range a.routes() {
		m := mux
		if isDefinitionsRoute(rt.pattern) {
			m = defs
		}
		m.Handle(rt.pattern, a.authenticate(rt.handler))
	}
	return a.observe(withDefinitions(problems(defs), problems(mux)))
}

// writerCollectors are the SQLite writer's counters (none on PostgreSQL): its busy time against the
// clock says how close the server is to the single writer's limit.
func writerCollectors(st *store.Store) []prometheus.Collector {
	if _, ok := st.WriterStats(); !ok {
		return nil
	}
	counter := func(name, help string, f func(store.WriterStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 {
			w, _ := st.WriterStats()
			return f(w)
		})
	}
	return []prometheus.Collector{
		counter("salesflow_store_writer_busy_seconds_total", "Time SQLite's single writer spent running groups of writes, commits included.",
			func(w store.WriterStats) float64 { return w.Busy.Seconds() }),
		counter("salesflow_store_write_groups_total", "Transactions SQLite's single writer ran, each a group of writes sharing one commit.",
			func(w store.WriterStats) float64 { return float64(w.Groups) }),
		counter("salesflow_store_writes_total", "Writes SQLite's single writer ran, in groups.",
			func(w store.WriterStats) float64 { return float64(w.Writes) }),
		counter("salesflow_store_write_replays_total", "Times a group's writes were run again, one of them having failed after it wrote.",
			func(w store.WriterStats) float64 { return float64(w.Replays) }),
	}
}

type route struct {
	pattern string
	handler http.HandlerFunc
}

// routes lists every authenticated API route; the OpenAPI test checks each is documented.
func (a *API) routes() []route {
	return append(append(append(append(definitionRoutes(a), engineRoutes(a)...), blockRoutes(a)...), taskRoutes(a)...), []route{
		{"GET /api/v1/me", a.me},
		{"GET /api/v1/fields", a.listFields},
		{"POST /api/v1/fields", a.createField},
		{"DELETE /api/v1/fields/{object}/{name}", a.deleteField},
		{"GET /api/v1/settings", a.getSettings},
		{"PATCH /api/v1/settings", a.patchSettings},
		{"GET /api/v1/tokens", a.listTokens},
		{"POST /api/v1/tokens", a.createToken},
		{"DELETE /api/v1/tokens/{id}", a.revokeToken},
		{"GET /api/v1/forms", a.listForms},
		{"POST /api/v1/forms", a.createForm},
		{"GET /api/v1/{objects}", a.list},
		{"POST /api/v1/{objects}", a.create},
		{"POST /api/v1/{objects}/batch", a.batch},
		{"GET /api/v1/{objects}/{id}", a.get},
		{"PATCH /api/v1/{objects}/{id}", a.update},
		{"DELETE /api/v1/{objects}/{id}", a.remove},
		{"GET /api/v1/{objects}/{id}/timeline", a.timeline},
	}...)
}

// authenticate resolves the bearer token to an actor: 401 without a valid one.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" { // the scheme is case-insensitive (RFC 9110)
			writeProblem(w, r, problem(http.StatusUnauthorized, "unauthorized", "send Authorization: Bearer <API token>"))
			return
		}
		var actor auth.Actor
		if a.adminToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(a.adminToken)) == 1 {
			actor = auth.Actor{Kind: auth.KindAdminToken, ID: "SALESFLOW_ADMIN_TOKEN", Role: auth.Admin}
		} else {
			var err error
			if actor, err = a.svc.Authenticate(r.Context(), secret); err != nil {
				if !errors.Is(err, records.ErrNotFound) {
					a.fail(w, r, err) // the database failed: not the caller's fault
					return
				}
				a.log.DebugContext(r.Context(), "token rejected", slog.Any("err", err))
				writeProblem(w, r, problem(http.StatusUnauthorized, "unauthorized", "the token is unknown, revoked, or its user is deactivated"))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(auth.WithActor(r.Context(), actor)))
	})
}

func actorOf(r *http.Request) auth.Actor { a, _ := auth.FromContext(r.Context()); return a }

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// observe records metrics by route pattern (never by raw path, which would explode label counts),
// logs each request and turns a panic into a 500.
func (a *API) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				a.log.ErrorContext(r.Context(), "panic", slog.Any("panic", p), slog.String("path", r.URL.Path))
				if sw.status == 0 {
					writeProblem(sw, r, problem(http.StatusInternalServerError, "internal", "internal error"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			d := time.Since(start)
			a.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
			a.latency.WithLabelValues(route).Observe(d.Seconds())
			a.log.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("route", route), slog.Int("status", sw.status), slog.Duration("took", d))
		}()
		next.ServeHTTP(sw, r)
	})
}

// problems answers unknown paths and methods with problem documents, like every other error.
func problems(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := httptest.NewRecorder() // the mux's own answer says whether it is a 404 or a 405
		h.ServeHTTP(probe, r)
		if allow := probe.Header().Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		status := probe.Code
		if status != http.StatusMethodNotAllowed {
			status = http.StatusNotFound
		}
		writeProblem(w, r, problem(status, "not-found", r.Method+" "+r.URL.Path+" is not part of the API (see /api/v1/openapi.json)"))
	})
}

func (a *API) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 once the database answers and no migration is pending.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	st := a.svc.Store()
	if err := st.Ping(ctx); err != nil {
		a.log.WarnContext(r.Context(), "not ready: database", slog.Any("err", err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	if pending, err := st.Pending(ctx); err != nil || pending {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "migrations pending"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": st.Dialect().Name})
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	act := actorOf(r)
	writeJSON(w, http.StatusOK, map[string]string{"kind": act.Kind, "id": act.ID, "user_id": act.UserID, "role": act.Role})
}
