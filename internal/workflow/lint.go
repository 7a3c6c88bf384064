package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/salesflow/salesflow/internal/records"
)

// Source is one file (or API document) to lint.
type Source struct {
	File    string
	Content []byte
}

// Resolver answers whether something a definition refers to exists outside the files being linted:
// teams, users and pipelines in the database, definitions already applied. lint --server and the
// server's own apply use one; plain lint has none and checks definitions against the files only.
type Resolver interface {
	Exists(ctx context.Context, kind, name string) (bool, error)
}

// Linter checks definitions.
type Linter struct {
	Catalog *records.Catalog
	// Custom holds the custom fields of each object, so expressions see them (from the server).
	Custom   map[string][]records.Field
	Exprs    ExprChecker
	Resolver Resolver
}

// Definition is one checked document.
type Definition struct {
	Kind, Name  string
	File        string
	Pos         Pos
	Source      string // the document's text, as written
	Hash        string // of Source: identical text is the same version
	Owner       string
	ReviewEvery string
	Object      string
	Root        *Node
	// Compiled holds every expression's compiled program (*expr.Program) or template (*expr.Template)
	// by its position ("12:9"), the "at" of the expression in the Plan: compiled once, with the version.
	Compiled map[string]any
	refs     []Ref
	creates  []string // objects its steps create
	enrolls  []string // workflows its steps enroll records in
	writes   []write
	reads    []string
}

// Refers reports whether the definition refers to the definition kind/name (a workflow to its
// routing ruleset, a template, a calendar …), so that archiving one in use can be refused.
func (d *Definition) Refers(kind, name string) bool {
	for _, r := range d.refs {
		if r.Kind == kind && r.Name == name {
			return true
		}
	}
	return false
}

// Lint checks every document of every source and returns the definitions and all problems found.
// Definitions are returned even when there are errors, so callers can show what was read.
func (l *Linter) Lint(ctx context.Context, sources []Source) ([]*Definition, []Diagnostic) {
	ds := &Diagnostics{}
	var defs []*Definition
	for _, src := range sources {
		docs, diags := ParseFile(src.File, src.Content)
		ds.list = append(ds.list, diags...)
		for _, doc := range docs {
			if d := l.document(doc, ds); d != nil {
				defs = append(defs, d)
			}
		}
	}
	l.crossCheck(ctx, defs, ds)
	return defs, ds.Sorted()
}

func hasContent(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") {
			return true
		}
	}
	return false
}

func (l *Linter) document(doc Document, ds *Diagnostics) *Definition {
	text := doc.Text
	root := doc.Root
	c := &checker{file: doc.File, ds: ds, exprs: l.Exprs, cat: l.Catalog, custom: l.Custom, ids: map[string]Pos{}}
	if root.Kind != MapNode {
		c.errorf(root.Pos, "a definition is a map starting with kind:")
		return nil
	}
	kindNode := root.Get("kind")
	if kindNode == nil || kindNode.Kind != ScalarNode {
		c.errorf(root.Pos, "a definition needs kind: (one of %s)", strings.Join(kindNames(), ", "))
		return nil
	}
	spec, ok := Kinds[kindNode.Value]
	if !ok {
		c.errorf(kindNode.Pos, "kind %s", scalar(enum(kindNames()...), kindNode.Value))
		return nil
	}
	sum := sha256.Sum256([]byte(text))
	d := &Definition{Kind: kindNode.Value, Name: root.Get("name").Str(), File: doc.File, Pos: root.Pos, Source: text,
		Hash: hex.EncodeToString(sum[:]), Owner: root.Get("owner").Str(), ReviewEvery: root.Get("review_every").Str(), Root: root}
	if name := root.Get("name"); name != nil && !nameRe.MatchString(name.Str()) {
		c.errorf(name.Pos, "a name is lower-case letters, digits, - and _ (at most 63), like inbound-lead-intake")
	}
	d.Object = l.objectOf(d.Kind, root)
	if d.Object != "" {
		c.object = l.objectWithCustom(d.Object)
		c.scope = Scope{Object: d.Object}
	}
	if d.Kind == "workflow" {
		// `event` is the triggering event in every expression of a workflow (wait_for.when rebinds it).
		c.scope.Event = root.Get("trigger").Get("on").Str()
	}
	switch d.Kind {
	case "workflow":
		c.workflow(root)
	case "scoring":
		c.scope.Object = "lead"
		c.object = l.objectWithCustom("lead")
		c.scoring(root, spec)
	default:
		c.mapNode(root, spec, d.Kind)
		c.kindRules(d.Kind, root)
	}
	d.refs, d.writes, d.reads, d.Compiled = c.refs, c.writes, c.reads, c.compiled
	d.creates, d.enrolls = c.creates, c.enrolls
	return d
}

func (l *Linter) objectOf(kind string, root *Node) string {
	switch kind {
	case "workflow", "template":
		return root.Get("object").Str()
	case "routing":
		if o := root.Get("object").Str(); o != "" {
			return o
		}
		return "lead"
	case "scoring":
		return "lead"
	}
	return ""
}

func (l *Linter) objectWithCustom(name string) *records.Object {
	o, ok := l.Catalog.Get(name)
	if !ok {
		return nil
	}
	return o.WithCustom(l.Custom[o.Name])
}

func kindNames() []string {
	names := make([]string, 0, len(Kinds))
	for k := range Kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// scoring checks a scoring model: fit rules read the lead, engagement rules each activity of it.
func (c *checker) scoring(root *Node, spec *Spec) {
	eng := root.Get("engagement")
	if eng != nil && eng.Kind == MapNode {
		// Engagement rules see the activity too; check them with that scope, the rest without.
		outer := c.scope
		c.scope.Vars = map[string]string{"activity": "activity"}
		c.mapNode(eng, spec.mustField("engagement").Value.Spec, "engagement")
		c.scope = outer
		rest := *root
		rest.Pairs = nil
		for _, p := range root.Pairs {
			if p.Key != "engagement" {
				rest.Pairs = append(rest.Pairs, p)
			}
		}
		c.mapNode(&rest, spec, "scoring")
		return
	}
	c.mapNode(root, spec, "scoring")
}

func (s *Spec) mustField(key string) Field {
	f, ok := s.Field(key)
	if !ok {
		panic(fmt.Sprintf("spec %s has no field %s", s.Name, key))
	}
	return f
}
