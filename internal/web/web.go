// Package web serves the browser UI (I4): sign-in with an API token kept in an HttpOnly cookie, the rep
// inbox with in-place task moves (htmx), workflows drawn as SVG from their definitions, and runs that
// explain themselves. Pages are rendered on the server with templ; the only script is htmx and a few
// lines that show times in the viewer's zone, all served from the binary.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"unicode"

	"github.com/a-h/templ"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/records"
)

//go:embed static
var static embed.FS

const cookieName = "sf_session"

// UI is the web interface.
type UI struct {
	svc        *crm.Service
	eng        *engine.Engine
	defs       *definitions.Service
	adminToken string
	// adminPrint is auth.AdminFingerprint(adminToken), computed once, when first needed.
	adminPrint func() string
	log        *slog.Logger
}

// New returns the UI's handler.
func New(svc *crm.Service, eng *engine.Engine, defs *definitions.Service, adminToken string, log *slog.Logger) http.Handler {
	u := &UI{svc: svc, eng: eng, defs: defs, adminToken: adminToken, log: log,
		adminPrint: sync.OnceValue(func() string { return auth.AdminFingerprint(adminToken) })}
	mux := http.NewServeMux()
	sub, _ := fs.Sub(static, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.FS(sub))))
	mux.HandleFunc("GET /signin", u.signinForm)
	mux.HandleFunc("POST /signin", u.signin)
	mux.HandleFunc("POST /signout", u.signout)
	mux.HandleFunc("GET /{$}", u.signedIn(u.dashboard))
	for _, k := range kinds {
		mux.HandleFunc("GET /"+k.Plural, u.signedIn(u.list(k)))
		mux.HandleFunc("GET /"+k.Plural+"/{id}", u.signedIn(u.record(k)))
	}
	mux.HandleFunc("GET /inbox", u.signedIn(u.inbox))
	mux.HandleFunc("POST /inbox/tasks/{id}/{move}", u.signedIn(u.moveTask))
	mux.HandleFunc("GET /workflows", u.signedIn(u.workflows))
	mux.HandleFunc("GET /workflows/{name}", u.signedIn(u.workflow))
	mux.HandleFunc("POST /workflows/{name}/{verb}", u.signedIn(u.setState))
	mux.HandleFunc("GET /routing", u.signedIn(u.definitionList("routing", "Routing rulesets",
		"No routing rulesets yet. Write one (docs/sales-blocks.md) and run salesflow apply -f FILE.")))
	mux.HandleFunc("GET /routing/{name}", u.signedIn(u.routingPage))
	mux.HandleFunc("GET /scoring", u.signedIn(u.definitionList("scoring", "Scoring models",
		"No scoring models yet. Write one (docs/sales-blocks.md) and run salesflow apply -f FILE.")))
	mux.HandleFunc("GET /scoring/{name}", u.signedIn(u.scoringPage))
	mux.HandleFunc("GET /runs", u.signedIn(u.runs))
	mux.HandleFunc("GET /runs/{id}", u.signedIn(u.run))
	mux.HandleFunc("POST /runs/{id}/retry", u.signedIn(u.retry))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u.render(w, r, http.StatusNotFound, "Not found", "", problemPage("Not found", "There is no page at "+r.URL.Path+". Try the inbox."))
	})
	csrf := http.NewCrossOriginProtection()
	return secureHeaders(csrf.Handler(mux))
}

// secureHeaders forbids framing and keeps every asset on this server.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// adminHash is the fingerprint of SALESFLOW_ADMIN_TOKEN, or "" when it is not set.
func (u *UI) adminHash() string {
	if u.adminToken == "" {
		return ""
	}
	return u.adminPrint()
}

// actor resolves a token typed in to sign in, as the API does: the admin token, else a stored API token.
func (u *UI) actor(ctx context.Context, secret string) (auth.Actor, error) {
	if u.adminToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(u.adminToken)) == 1 {
		return auth.Actor{Kind: auth.KindAdminToken, ID: "SALESFLOW_ADMIN_TOKEN", Role: auth.Admin}, nil
	}
	return u.svc.Authenticate(ctx, secret)
}

type page func(w http.ResponseWriter, r *http.Request, a auth.Actor)

// signedIn runs a page for a signed-in user, or sends the browser to the sign-in form.
func (u *UI) signedIn(p page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err == nil {
			if a, err := u.svc.SessionActor(r.Context(), c.Value, u.adminHash()); err == nil {
				p(w, r, a)
				return
			}
		}
		if r.Header.Get("HX-Request") != "" {
			w.Header().Set("HX-Redirect", "/signin")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
}

// localPath keeps a sign-in's return address on this server: a clean path with its query, never
// another host. Backslashes and control characters, which browsers drop or read as slashes, are
// refused outright, and the path is cleaned before it is checked, as http.Redirect would clean it.
func localPath(next string) string {
	if next == "" || strings.ContainsRune(next, '\\') || strings.IndexFunc(next, unicode.IsControl) >= 0 {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.EscapedPath(), "/") {
		return "/"
	}
	p := path.Clean(u.EscapedPath())
	if strings.HasPrefix(p, "//") {
		return "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

func (u *UI) signinForm(w http.ResponseWriter, r *http.Request) {
	u.render(w, r, http.StatusOK, "Sign in", "", signinPage(localPath(r.URL.Query().Get("next")), ""))
}

// signin checks the token typed in and gives the browser a session token of its own (crm.StartSession),
// not the token itself: the cookie then expires with the session, and signing out ends it.
func (u *UI) signin(w http.ResponseWriter, r *http.Request) {
	secret := strings.TrimSpace(r.PostFormValue("token"))
	a, err := u.actor(r.Context(), secret)
	if secret == "" || err != nil {
		u.render(w, r, http.StatusUnauthorized, "Sign in", "", signinPage(localPath(r.PostFormValue("next")), "That token is not valid (revoked, mistyped, or for another server)."))
		return
	}
	session, _, err := u.svc.StartSession(r.Context(), a, u.adminHash())
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	// Max-Age, not an absolute Expires: the session lasts SessionTTL by the server's clock, and a
	// browser whose clock disagrees with the server's must neither drop the cookie at once nor keep it
	// longer than that.
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: session, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https", MaxAge: int(crm.SessionTTL.Seconds())})
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

// signout revokes the browser's session and forgets the cookie.
func (u *UI) signout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
		if err := u.svc.EndSession(r.Context(), c.Value); err != nil {
			u.log.ErrorContext(r.Context(), "sign-out failed", "err", err)
			u.render(w, r, http.StatusInternalServerError, "Something went wrong", "",
				problemPage("Not signed out", "The session could not be ended; you are still signed in. Try again."))
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// who names the signed-in user in the header: by the name read when the session was checked, so that
// a page does not read the user a second time.
func (u *UI) who(ctx context.Context, a auth.Actor) string {
	if a.Name != "" {
		return a.Name + " (" + string(a.Role) + ")"
	}
	if a.UserID != "" {
		if rec, err := u.svc.Get(ctx, "user", a.UserID); err == nil {
			return rec.String("name") + " (" + string(a.Role) + ")"
		}
	}
	return "admin token"
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, title, who string, body templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := layout(title, who, r.URL.Path, body).Render(r.Context(), w); err != nil {
		u.log.ErrorContext(r.Context(), "render page", "path", r.URL.Path, "err", err)
	}
}

// fail answers an error as a page: not found, forbidden, a conflict or invalid input (with the
// reason), or an internal error (logged, with no details for the browser).
func (u *UI) fail(w http.ResponseWriter, r *http.Request, a auth.Actor, err error) {
	status, title, msg := http.StatusInternalServerError, "Something went wrong", "Something went wrong; the server log has the details."
	var unknown *engine.UnknownDefinitionError
	var conflict *crm.ConflictError
	var invalid *records.ValidationError
	switch {
	case errors.Is(err, records.ErrNotFound), errors.As(err, &unknown):
		status, title, msg = http.StatusNotFound, "Not found", "There is nothing here."
	case errors.Is(err, crm.ErrForbidden):
		status, title, msg = http.StatusForbidden, "Not allowed", err.Error()
	case errors.As(err, &conflict):
		status, title, msg = http.StatusConflict, "Not now", conflict.Message
	case errors.As(err, &invalid):
		status, title, msg = http.StatusUnprocessableEntity, "Not valid", invalid.Error()
	default:
		u.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
	}
	u.render(w, r, status, title, u.who(r.Context(), a), problemPage(title, msg))
}

// current marks the link to the page being shown (aria-current), or nothing.
func current(yes bool) templ.Attributes {
	if yes {
		return templ.Attributes{"aria-current": "page"}
	}
	return templ.Attributes{}
}

// mainNav is the header's links: path and label.
var mainNav = [][2]string{{"/", "Today"}, {"/inbox", "Inbox"}, {"/leads", "Leads"}, {"/contacts", "Contacts"}, {"/accounts", "Accounts"},
	{"/deals", "Deals"}, {"/workflows", "Workflows"}, {"/runs", "Runs"}, {"/routing", "Routing"}, {"/scoring", "Scoring"}}

// section is the header link a page belongs to: /leads/ID is under /leads.
func section(path string) string {
	if path == "/" {
		return "/"
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return "/" + first
}
