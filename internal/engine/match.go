package engine

import (
	"context"
	"net/url"
	"strings"

	"github.com/salesflow/salesflow/internal/matching"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// AccountMatch is a lead's best account, if any reached the minimum, and the ranking behind it.
type AccountMatch struct {
	Best   *matching.Scored  `json:"best"`
	Ranked []matching.Scored `json:"ranked"`
}

// matchLead finds a lead's account (S4): candidates narrowed in the database by domain and by name,
// scored by the matching package.
func (e *Engine) matchLead(ctx context.Context, tx *store.Tx, rec records.Values, min float64) (AccountMatch, error) {
	lead := matching.Lead{Company: rec.String("company"), WebsiteDomain: hostDomain(rec.String("website"))}
	if email := rec.String("email"); strings.Contains(email, "@") {
		d := records.RegistrableDomain(email[strings.LastIndexByte(email, '@')+1:])
		if !records.IsFreeMail(d) {
			lead.EmailDomain = d
		}
	}
	cands, err := tx.AccountCandidates(ctx, []string{lead.EmailDomain, lead.WebsiteDomain}, strings.Fields(matching.NormalizeName(lead.Company)), lead.Company, 50)
	if err != nil {
		return AccountMatch{}, err
	}
	mc := make([]matching.Candidate, 0, len(cands))
	for _, c := range cands {
		mc = append(mc, matching.Candidate{ID: c.ID, Name: c.Name, Domain: strings.ToLower(c.Domain), WebsiteDomain: hostDomain(c.Website),
			Contacts: c.Contacts, OwnerActive: c.OwnerActive, UpdatedAt: c.UpdatedAt})
	}
	best, ranked := matching.Match(lead, mc, min)
	if len(ranked) > 5 {
		ranked = ranked[:5]
	}
	return AccountMatch{Best: best, Ranked: ranked}, nil
}

// hostDomain is a website's registrable domain, or "".
func hostDomain(website string) string {
	if website == "" {
		return ""
	}
	if !strings.Contains(website, "://") {
		website = "https://" + website
	}
	u, err := url.Parse(website)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	return records.RegistrableDomain(u.Hostname())
}

// matchAccount is the match_account action: it stores the best account and its confidence on the
// lead (or clears them when nothing reaches the minimum).
func (s *segment) matchAccount(ctx context.Context, with map[string]any) (map[string]any, map[string]any, error) {
	min := matching.DefaultMin
	if f, ok := with["min_confidence"].(float64); ok {
		min = f
	}
	m, err := s.e.matchLead(ctx, s.tx, records.Values(s.rec), min)
	if err != nil {
		return nil, nil, err
	}
	sys := records.Values{"matched_account_id": nil, "matched_account_confidence": nil}
	out := map[string]any{"account": nil, "confidence": 0.0, "candidates": anyList(m.Ranked)}
	if m.Best != nil {
		sys["matched_account_id"], sys["matched_account_confidence"] = m.Best.ID, m.Best.Confidence
		out["account"] = map[string]any{"id": m.Best.ID, "name": m.Best.Name}
		out["confidence"], out["by"], out["reason"] = m.Best.Confidence, m.Best.By, m.Best.Reason
	}
	in := map[string]any{"min_confidence": min, "company": s.rec["company"], "email": s.rec["email"], "website": s.rec["website"]}
	if _, err := s.e.crm.UpdateSystemTx(ctx, s.tx, s.actor, "lead", s.run.RecordID, nil, sys); err != nil {
		return in, nil, err
	}
	return in, out, s.reload(ctx)
}
