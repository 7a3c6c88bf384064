package web

import (
	"fmt"
	"html"
	"sort"
	"strings"
)

// The workflow graph (I4): drawn on the server as SVG from the definition's steps — a box per step, its
// branches side by side beneath it, arrows where the run goes — with the runs waiting at each step.

const (
	nodeW, nodeH = 220, 46
	gapX, gapY   = 24, 34
)

type gnode struct {
	addr, kind, label, detail string
	x, y, waiting             int
}

type gedge struct {
	x1, y1, x2, y2 int
	label          string
}

type graph struct {
	nodes   []gnode
	edges   []gedge
	waiting map[string]int
}

// exit is a point the flow leaves a list from, to join whatever follows.
type exit struct{ x, y int }

// drawGraph lays out a workflow's steps (the plan's raw list) and returns the SVG.
func drawGraph(steps []any, waiting map[string]int) string {
	g := &graph{waiting: waiting}
	w, h, _, _ := g.list(steps, "", 10, 10, nil)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" aria-label="workflow steps" width="%d" height="%d" viewBox="0 0 %d %d">`, w+20, h+20, w+20, h+20)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#667"/></marker></defs>`)
	for _, e := range g.edges {
		fmt.Fprintf(&b, `<path d="M%d %d C %d %d, %d %d, %d %d" stroke="#667" fill="none" marker-end="url(#arrow)"/>`,
			e.x1, e.y1, e.x1, (e.y1+e.y2)/2, e.x2, (e.y1+e.y2)/2, e.x2, e.y2)
		if e.label != "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="edge">%s</text>`, (e.x1+e.x2)/2+4, (e.y1+e.y2)/2, html.EscapeString(e.label))
		}
	}
	for _, n := range g.nodes {
		fmt.Fprintf(&b, `<g class="node %s" data-addr="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="6"/>`, n.kind, html.EscapeString(n.addr), n.x, n.y, nodeW, nodeH)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="label">%s</text>`, n.x+8, n.y+18, html.EscapeString(clip(n.label, 30)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="detail">%s</text>`, n.x+8, n.y+36, html.EscapeString(clip(n.detail, 34)))
		if n.waiting > 0 {
			fmt.Fprintf(&b, `<g class="waiting"><circle cx="%d" cy="%d" r="12"/><text x="%d" y="%d">%d</text></g>`, n.x+nodeW, n.y, n.x+nodeW, n.y+4, n.waiting)
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// list lays out a list of steps from (x, y); in are the exits that flow into its first step. It returns
// the list's width and height and the exits that leave it.
func (g *graph) list(steps []any, path string, x, y int, in []exit) (w, h int, out []exit, first *gnode) {
	w, top := nodeW, y
	out = in
	for i, raw := range steps {
		st, _ := raw.(map[string]any)
		addr := fmt.Sprint(i + 1)
		if path != "" {
			addr = path + "/" + addr
		}
		n := gnode{addr: addr, kind: text(st["type"]), x: x, y: y, waiting: g.waiting[addr]}
		n.label, n.detail = describe(st, addr)
		g.nodes = append(g.nodes, n)
		if first == nil {
			first = &g.nodes[len(g.nodes)-1]
		}
		for _, e := range out {
			g.edges = append(g.edges, gedge{x1: e.x, y1: e.y, x2: x + nodeW/2, y2: y})
		}
		bottom := exit{x + nodeW/2, y + nodeH}
		y += nodeH + gapY
		branches := sublists(st)
		if len(branches) == 0 {
			out = []exit{bottom}
			if n.kind == "stop" {
				out = nil
			}
			continue
		}
		bx, bh := x, 0
		out = nil
		for _, br := range branches {
			if len(br.steps) == 0 {
				out = append(out, bottom) // an empty branch goes straight on
				continue
			}
			g.edges = append(g.edges, gedge{x1: bottom.x, y1: bottom.y, x2: bx + nodeW/2, y2: y, label: br.label})
			bw, hh, bout, _ := g.list(br.steps, addr+"/"+br.key, bx, y, nil)
			out = append(out, bout...)
			bx += bw + gapX
			bh = max(bh, hh)
		}
		w = max(w, bx-x-gapX)
		y += bh
	}
	return w, y - top, out, first
}

type branch struct {
	key, label string
	steps      []any
}

// sublists are a step's branches in the order the engine addresses them.
func sublists(st map[string]any) []branch {
	list := func(v any) []any { l, _ := v.([]any); return l }
	var out []branch
	switch text(st["type"]) {
	case "if":
		out = append(out, branch{"then", "then", list(st["then"])})
		for i, ei := range list(st["else_if"]) {
			m, _ := ei.(map[string]any)
			out = append(out, branch{fmt.Sprintf("else_if/%d/then", i+1), "else if " + exprText(m["if"]), list(m["then"])})
		}
		out = append(out, branch{"else", "else", list(st["else"])})
	case "switch":
		cases, _ := st["cases"].(map[string]any)
		keys := make([]string, 0, len(cases))
		for k := range cases {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, branch{"cases/" + k, k, list(cases[k])})
		}
		out = append(out, branch{"default", "default", list(st["default"])})
	case "split":
		for i, b := range list(st["split"]) {
			m, _ := b.(map[string]any)
			out = append(out, branch{fmt.Sprintf("split/%d/steps", i+1), fmt.Sprintf("%v %v%%", m["name"], m["percent"]), list(m["steps"])})
		}
	case "wait_for":
		if l := list(st["on_timeout"]); len(l) > 0 {
			out = append(out, branch{"on_timeout", "timed out", l}, branch{"", "event", nil})
		}
	case "task":
		if l := list(st["on_skip"]); len(l) > 0 {
			out = append(out, branch{"on_skip", "skipped", l})
		}
		if l := list(st["on_decline"]); len(l) > 0 {
			out = append(out, branch{"on_decline", "declined", l})
		}
		if len(out) > 0 {
			out = append(out, branch{"", "done", nil})
		}
	}
	return out
}

// describe is a step's title and one line of detail; a step without an id of its own is named by its
// kind only (the plan gives it its address as id).
func describe(st map[string]any, addr string) (string, string) {
	id := text(st["id"])
	if id == addr {
		id = ""
	}
	name := func(kind string) string {
		if id != "" {
			return kind + " · " + id
		}
		return kind
	}
	switch text(st["type"]) {
	case "action":
		with, _ := st["with"].(map[string]any)
		detail := ""
		for _, k := range []string{"routing", "model", "template", "channel", "url", "user"} {
			if v, ok := with[k]; ok {
				detail = k + ": " + exprText(v)
				break
			}
		}
		if detail == "" && len(with) > 0 {
			keys := make([]string, 0, len(with))
			for k := range with {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			detail = strings.Join(keys, ", ")
		}
		return name(text(st["action"])), detail
	case "if":
		return name("if"), exprText(st["if"])
	case "switch":
		return name("switch"), exprText(st["switch"])
	case "split":
		return name("split"), "A/B by record"
	case "delay":
		return name("delay"), fmt.Sprint(humanMap(st["delay"]))
	case "wait_for":
		return name("wait for"), fmt.Sprint(humanMap(st["wait_for"]))
	case "task":
		t, _ := st["task"].(map[string]any)
		d := text(t["type"]) + " task"
		if _, ok := t["sla"]; ok {
			d += " · SLA"
		}
		return name("task"), d
	case "handoff":
		return name("handoff"), "to " + fmt.Sprint(humanMap(mapOf(st["handoff"])["to"]))
	case "enroll", "unenroll":
		return name(text(st["type"])), text(mapOf(st[text(st["type"])])["workflow"])
	case "stop":
		return "stop", fmt.Sprint(st["stop"])
	}
	return name(text(st["type"])), ""
}

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }

// exprText shows a plan value: an expression's or template's text, else the literal.
func exprText(v any) string {
	if m, ok := v.(map[string]any); ok {
		if t, ok := m["text"].(string); ok && m["seconds"] != nil {
			return t // a duration, as written
		}
		for _, k := range []string{"expr", "template"} {
			if s, ok := m[k].(string); ok {
				return s
			}
		}
	}
	return fmt.Sprint(v)
}

// humanMap shows a small map of plan values as k: v pairs.
func humanMap(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return exprText(v)
	}
	if t, ok := m["text"].(string); ok && m["seconds"] != nil {
		return t // a duration, as written
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+": "+exprText(m[k]))
	}
	return strings.Join(parts, ", ")
}

func text(v any) string { s, _ := v.(string); return s }
