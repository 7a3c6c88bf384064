package workflow

import (
	"slices"
	"strings"
)

// action checks an action step: a known action, its parameters, and the fields it writes.
func (c *checker) action(n *Node) {
	for _, p := range n.Pairs {
		switch p.Key {
		case "action", "id", "with":
		default:
			c.errorf(p.KeyPos, "unknown key %q in an action step (action, id, with)", p.Key)
		}
	}
	nameNode := n.Get("action")
	if nameNode.Kind != ScalarNode {
		c.errorf(nameNode.Pos, "action must be an action's name")
		return
	}
	name := nameNode.Value
	spec, ok := ActionSpecs[name]
	if !ok {
		msg := "unknown action " + quote(name)
		if near := closest(name, actionNames()); near != "" {
			msg += " (did you mean " + near + "?)"
		} else {
			msg += " (known: " + strings.Join(actionNames(), ", ") + ")"
		}
		c.errorf(nameNode.Pos, "%s", msg)
		return
	}
	if len(spec.Objects) > 0 && c.object != nil && !slices.Contains(spec.Objects, c.object.Name) {
		c.errorf(nameNode.Pos, "action %s works on %s records, and this workflow is about %ss", name, strings.Join(spec.Objects, " or "), c.object.Name)
	}
	with := n.Get("with")
	if name == "set" {
		if with == nil {
			c.errorf(n.Pos, "action set needs `with`: the fields to set")
			return
		}
		c.value(with, &Value{Kind: KFields}, "with")
		return
	}
	if with == nil {
		with = &Node{Kind: MapNode, Pos: nameNode.Pos}
	}
	c.mapNode(with, spec, "with")
	if with.Kind != MapNode {
		return
	}
	switch name {
	case "send_email":
		c.templateFor(with)
	case "create_record":
		c.createdFields(with)
	case "notify":
		c.notifyTarget(with)
	case "assign":
		c.noteWrite("owner_id", "", nameNode.Pos)
	case "score":
		c.noteWrite("score", "", nameNode.Pos)
	case "convert_lead":
		c.noteWrite("status", "converted", nameNode.Pos)
		if st := with.Get("stage"); st != nil && st.Kind == ScalarNode {
			c.refs = append(c.refs, Ref{Kind: "stage", Name: with.Get("pipeline").Str() + "/" + st.Value, File: c.file, Pos: st.Pos})
		}
	case "enrich":
		for _, f := range []string{"company", "industry", "employees", "country"} {
			c.noteWrite(f, "", nameNode.Pos)
		}
	}
}

// noteWrite records a field an action changes, when the object has it.
func (c *checker) noteWrite(field, value string, p Pos) {
	if c.object != nil {
		if _, ok := c.object.Field(field); ok {
			c.writes = append(c.writes, write{Object: c.object.Name, Field: field, Value: value, Pos: p})
		}
	}
}

// notifyTarget: email goes to a user given by an expression; Slack to a #channel.
func (c *checker) notifyTarget(with *Node) {
	to := with.Get("to")
	if to == nil || to.Kind != ScalarNode {
		return
	}
	switch with.Get("channel").Str() {
	case "email":
		c.expr(to, "user", c.scope)
	case "slack":
		if !strings.HasPrefix(to.Value, "#") {
			c.errorf(to.Pos, "a Slack channel is written #name")
		}
	}
}

func quote(s string) string { return `"` + s + `"` }

// createdFields checks a create_record's fields against the object it creates, with templates read in
// the workflow's own scope.
func (c *checker) createdFields(with *Node) {
	target, _ := c.cat.Get(with.Get("object").Str())
	if target != nil {
		c.creates = append(c.creates, target.Name)
	}
	fields := with.Get("fields")
	if target == nil || fields == nil || fields.Kind != MapNode {
		return
	}
	own := c.object
	c.object = target.WithCustom(c.custom[target.Name])
	c.fields(fields, "with.fields")
	c.object = own
}

// templateFor notes which object a send_email's template must be about: the type of its `to`.
func (c *checker) templateFor(with *Node) {
	to, tmpl := with.Get("to"), with.Get("template")
	if to == nil || tmpl == nil || to.Kind != ScalarNode || tmpl.Kind != ScalarNode {
		return
	}
	object := c.yields[to.Pos] // recorded when `to` was checked
	if object == "" {
		return
	}
	for i := range c.refs {
		if c.refs[i].Kind == "template" && c.refs[i].Pos == tmpl.Pos {
			c.refs[i].Object = object
		}
	}
}
