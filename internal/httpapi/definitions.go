package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// Definitions live under /api/v1/definitions. Their routes sit on a mux of their own because
// "GET /api/v1/definitions/{kind}/{name}" and "GET /api/v1/{objects}/{id}/timeline" both match
// /api/v1/definitions/x/timeline with neither more specific, which one ServeMux refuses to hold.
const definitionsPrefix = "/api/v1/definitions"

// FilesMediaType is the body of a multi-file apply: {"files":[{"name":…,"content":…}]}. One request,
// one transaction, so that the files of a directory see each other's definitions.
const FilesMediaType = "application/vnd.salesflow.files+json"

// maxDefinitionsBody bounds an apply; a directory of definitions is text, and small.
const maxDefinitionsBody = 8 << 20

func isDefinitionsRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return path == definitionsPrefix || strings.HasPrefix(path, definitionsPrefix+"/")
}

// newDefinitionsMux returns the mux the definitions routes are registered on, with the fallback
// (registered without a method, so any route with one is more specific).
func newDefinitionsMux() *http.ServeMux {
	defs := http.NewServeMux()
	defs.HandleFunc(definitionsPrefix, definitionsFallback(defs))
	defs.HandleFunc(definitionsPrefix+"/", definitionsFallback(defs))
	return defs
}

// withDefinitions sends the definitions paths to defs and everything else to rest.
func withDefinitions(defs, rest http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == definitionsPrefix || strings.HasPrefix(p, definitionsPrefix+"/") {
			defs.ServeHTTP(w, r)
			return
		}
		rest.ServeHTTP(w, r)
	})
}

func definitionRoutes(a *API) []route {
	item := definitionsPrefix + "/{kind}/{name}"
	return []route{
		{"GET " + definitionsPrefix, a.listDefinitions},
		{"POST " + definitionsPrefix, a.applyDefinitions},
		{"POST " + definitionsPrefix + "/pause-all", a.pauseAll},
		{"POST " + definitionsPrefix + "/resume-all", a.resumeAll},
		{"GET " + item, a.getDefinition},
		{"GET " + item + "/versions/{version}", a.getDefinitionVersion},
		{"GET " + item + "/diff", a.diffDefinition},
		{"POST " + item + "/rollback", a.rollbackDefinition},
		{"POST " + item + "/pause", a.changeState((*definitions.Service).Pause)},
		{"POST " + item + "/resume", a.changeState((*definitions.Service).Resume)},
		{"POST " + item + "/archive", a.changeState((*definitions.Service).Archive)},
	}
}

// definitionsFallback answers the requests under /api/v1/definitions that no route takes, as problems
// like every other API error: 405 naming the methods the path has, else 404.
func definitionsFallback(defs *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := defs.Handler(probe); strings.Contains(pattern, " ") {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(w, r, problem(http.StatusMethodNotAllowed, "method-not-allowed", r.URL.Path+" takes "+strings.Join(allow, ", ")))
			return
		}
		writeProblem(w, r, problem(http.StatusNotFound, "not-found", "no such route: "+r.Method+" "+r.URL.Path))
	}
}

// applyDefinitions lints and stores the documents of the body.
func (a *API) applyDefinitions(w http.ResponseWriter, r *http.Request) {
	sources, p := readSources(r)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	opts := definitions.ApplyOptions{Draft: r.URL.Query().Get("draft") == "true", Waiting: r.URL.Query().Get("waiting")}
	res, diags, err := a.defs.ApplyWith(r.Context(), actorOf(r), sources, opts)
	if err != nil {
		a.failDefinitions(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": nonNil(res.Applied), "warnings": nonNil(diags)})
}

// readSources reads the apply body: one YAML or JSON document stream named by ?file=, or the files
// envelope.
func readSources(r *http.Request) ([]workflow.Source, *Problem) {
	ct := r.Header.Get("Content-Type")
	mt := "application/yaml"
	if ct != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			return nil, fieldProblem(http.StatusUnsupportedMediaType, "Content-Type", "is not a media type: "+err.Error())
		}
	}
	body, p := readBody(r, maxDefinitionsBody)
	if p != nil {
		return nil, p
	}
	switch mt {
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json":
		file := r.URL.Query().Get("file")
		if file == "" {
			file = "request"
		}
		return []workflow.Source{{File: file, Content: body}}, nil
	case FilesMediaType:
		return decodeFiles(body)
	}
	return nil, fieldProblem(http.StatusUnsupportedMediaType, "Content-Type",
		fmt.Sprintf("%q is not accepted: send application/yaml, application/json or %s", mt, FilesMediaType))
}

func decodeFiles(body []byte) ([]workflow.Source, *Problem) {
	if _, p := decodeObject(body); p != nil {
		return nil, p
	}
	var env struct {
		Files []struct {
			Name    string  `json:"name"`
			Content *string `json:"content"`
		} `json:"files"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, fieldProblem(http.StatusUnprocessableEntity, "files", err.Error())
	}
	if len(env.Files) == 0 {
		return nil, fieldProblem(http.StatusUnprocessableEntity, "files", "lists no file")
	}
	var errs []records.FieldError
	seen := map[string]bool{}
	sources := make([]workflow.Source, 0, len(env.Files))
	for i, f := range env.Files {
		switch {
		case strings.TrimSpace(f.Name) == "":
			errs = append(errs, records.FieldError{Field: fmt.Sprintf("files[%d].name", i), Message: "is required"})
		case seen[f.Name]:
			errs = append(errs, records.FieldError{Field: fmt.Sprintf("files[%d].name", i), Message: fmt.Sprintf("%q is listed twice", f.Name)})
		case f.Content == nil:
			errs = append(errs, records.FieldError{Field: fmt.Sprintf("files[%d].content", i), Message: "is required"})
		default:
			seen[f.Name] = true
			sources = append(sources, workflow.Source{File: f.Name, Content: []byte(*f.Content)})
		}
	}
	if len(errs) > 0 {
		return nil, problem(http.StatusUnprocessableEntity, "validation", errs[0].Field+": "+errs[0].Message, errs...)
	}
	return sources, nil
}

// lintProblem is the 422 answer to definitions with errors: errors names each as FILE:LINE:COL, and
// diagnostics holds every error and warning in structured form.
type lintProblem struct {
	*Problem
	Diagnostics []workflow.Diagnostic `json:"diagnostics"`
}

// failDefinitions answers lint errors with their locations, and anything else as fail does.
func (a *API) failDefinitions(w http.ResponseWriter, r *http.Request, err error) {
	var le *definitions.LintError
	if !errors.As(err, &le) {
		a.fail(w, r, err)
		return
	}
	var errs []records.FieldError
	for _, d := range le.Diagnostics {
		if d.Severity == workflow.Error {
			errs = append(errs, records.FieldError{Field: fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Col), Message: d.Message})
		}
	}
	p := lintProblem{Problem: problem(http.StatusUnprocessableEntity, "lint", le.Error(), errs...), Diagnostics: le.Diagnostics}
	p.Instance = r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) listDefinitions(w http.ResponseWriter, r *http.Request) {
	defs, err := a.defs.List(r.Context(), r.URL.Query().Get("kind"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(defs)})
}

func (a *API) getDefinition(w http.ResponseWriter, r *http.Request) {
	d, err := a.defs.Get(r.Context(), r.PathValue("kind"), r.PathValue("name"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d.Versions = nonNil(d.Versions)
	writeJSON(w, http.StatusOK, d)
}

// parseVersion reads a version number, written 3 or v3; "" is 0 (the default) when optional.
func parseVersion(field, s string, optional bool) (int, *Problem) {
	if s == "" && optional {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "v"))
	if err != nil || n < 1 {
		return 0, fieldProblem(http.StatusBadRequest, field, "must be a version number (1, 2, … or v1, v2, …)")
	}
	return n, nil
}

func (a *API) getDefinitionVersion(w http.ResponseWriter, r *http.Request) {
	n, p := parseVersion("version", r.PathValue("version"), false)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	v, err := a.defs.Version(r.Context(), r.PathValue("kind"), r.PathValue("name"), n)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) diffDefinition(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, p := parseVersion("from", q.Get("from"), true)
	if p == nil {
		var to int
		if to, p = parseVersion("to", q.Get("to"), true); p == nil {
			d, err := a.defs.Diff(r.Context(), r.PathValue("kind"), r.PathValue("name"), from, to)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, d)
			return
		}
	}
	writeProblem(w, r, p)
}

func (a *API) rollbackDefinition(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Version int `json:"version"`
	}
	if p := decodeInto(r, &in); p != nil {
		writeProblem(w, r, p)
		return
	}
	if in.Version < 1 {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "version", "is required: the version whose text comes back"))
		return
	}
	ap, diags, err := a.defs.Rollback(r.Context(), actorOf(r), r.PathValue("kind"), r.PathValue("name"), in.Version)
	if err != nil {
		a.failDefinitions(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": ap.Kind, "name": ap.Name, "version": ap.Version, "status": ap.Status,
		"warnings": nonNil(diags)})
}

// stateChange is one of the service's state methods, as a method expression.
type stateChange func(s *definitions.Service, ctx context.Context, a auth.Actor, kind, name string) (store.Definition, error)

// changeState answers a pause, resume or archive with the definition as it is afterwards.
func (a *API) changeState(change stateChange) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, err := change(a.defs, r.Context(), actorOf(r), r.PathValue("kind"), r.PathValue("name"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
	}
}

func (a *API) pauseAll(w http.ResponseWriter, r *http.Request) {
	n, err := a.defs.PauseAll(r.Context(), actorOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"paused": n})
}

func (a *API) resumeAll(w http.ResponseWriter, r *http.Request) {
	n, err := a.defs.ResumeAll(r.Context(), actorOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"resumed": n})
}
