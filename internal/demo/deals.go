package demo

import (
	"fmt"
	"math"
	"time"
)

type deal struct {
	id, name string
	pipeline *pipeline
	stage    stage
	account  *account
	contact  *contact
	owner    *user
	amount   float64
	close    time.Time
}

// dealPlan says how many deals sit in each stage: every stage of both pipelines has some.
var dealPlan = map[string][]int{
	"New business": {6, 6, 5, 4, 5, 4},
	"Renewals":     {3, 3, 2, 2},
}

var dealProducts = []string{"Platform rollout", "Workflow automation", "RevOps pilot", "EMEA expansion",
	"Routing add-on", "Sales team licences", "Inbound speed-to-lead", "Enterprise upgrade"}

// seedDeals opens new-business deals on prospect accounts (owned by AEs) and renewals on customer
// accounts (owned by CSMs), each with the account's buyer as the contact.
func (s *seeder) seedDeals() error {
	var prospects, customers []*account
	for _, a := range s.accounts {
		if a.customer {
			customers = append(customers, a)
		} else {
			prospects = append(prospects, a)
		}
	}
	for _, p := range []*pipeline{s.newBusiness, s.renewals} {
		pool := prospects
		if p == s.renewals {
			pool = customers
		}
		order := s.rng.Perm(len(pool))
		n := 0
		for i, count := range dealPlan[p.name] {
			for range count {
				d := &deal{pipeline: p, stage: p.stages[i], account: pool[order[n%len(pool)]]}
				n++
				if err := s.addDeal(d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *seeder) addDeal(d *deal) error {
	a := d.account
	d.owner, d.contact = a.owner, a.contacts[0]
	if len(a.contacts) > 1 && s.chance(0.3) {
		d.contact = a.contacts[1]
	}
	switch {
	case d.stage.closed():
		d.close = s.ago(3, 40)
	case d.pipeline == s.renewals:
		d.close = s.now.AddDate(0, 0, s.between(20, 90))
	default: // the further along, the sooner it closes
		d.close = s.now.AddDate(0, 0, s.between(5, 30)+int((100-d.stage.probability)*0.9))
	}
	// Bigger companies buy bigger deals: half the draw is the account's size on a log scale.
	size := math.Log(a.employees/10) / math.Log(2000)
	r := max(0, min(1, (size+s.rng.Float64())/2))
	if d.pipeline == s.renewals {
		d.name = fmt.Sprintf("%s – %d renewal", a.name, d.close.Year())
		d.amount = roundTo(12_000*math.Pow(15, r), 500)
	} else {
		d.name = fmt.Sprintf("%s – %s", a.name, pick(s.rng, dealProducts))
		d.amount = roundTo(5_000*math.Pow(50, r), 500)
	}
	in := map[string]any{
		"name": d.name, "account_id": a.id, "contact_id": d.contact.id, "pipeline_id": d.pipeline.id,
		"stage": d.stage.name, "amount": d.amount, "currency": currencies[a.country],
		"close_date": day(d.close), "owner_id": d.owner.id,
	}
	rec, err := s.create("deal", d.name, in)
	if err != nil {
		return err
	}
	d.id = rec.ID()
	s.deals = append(s.deals, d)
	s.sum.Deals++
	return nil
}

func roundTo(x, step float64) float64 { return math.Round(x/step) * step }
