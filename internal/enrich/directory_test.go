package enrich

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// companyMap is an in-memory Companies.
type companyMap map[string]Company

func (m companyMap) CompanyByDomain(_ context.Context, domain string) (Company, bool, error) {
	if domain == "broken.com" {
		return Company{}, false, errors.New("database is down")
	}
	c, ok := m[domain]
	return c, ok, nil
}

func TestDirectory(t *testing.T) {
	t.Parallel()
	d := NewDirectory(companyMap{
		"acme.com":    {Domain: "acme.com", Name: "Acme", Industry: "Manufacturing", Country: "DE", Website: "https://acme.com", City: "Berlin", Employees: 1200},
		"initech.com": {Domain: "initech.com", Name: "Initech"},
	})
	require.Equal(t, "directory", d.Name())
	ctx := context.Background()

	f, err := d.Lookup(ctx, NewQuery("Ann@Sales.Acme.com", "", ""))
	require.NoError(t, err)
	require.Equal(t, Fields{"company": "Acme", "industry": "Manufacturing", "employees": 1200.0, "country": "DE", "website": "https://acme.com"}, f)

	f, err = d.Lookup(ctx, NewQuery("bob@initech.com", "", ""))
	require.NoError(t, err)
	require.Equal(t, Fields{"company": "Initech"}, f, "unknown values are left out, 0 employees included")

	f, err = d.Lookup(ctx, NewQuery("carl@unknown.com", "", ""))
	require.NoError(t, err)
	require.Nil(t, f)

	f, err = d.Lookup(ctx, NewQuery("dana@gmail.com", "", ""))
	require.NoError(t, err)
	require.Nil(t, f, "a free-mail lead has no domain to look up")

	_, err = d.Lookup(ctx, Query{Domain: "broken.com"})
	require.EqualError(t, err, "directory lookup of broken.com: database is down")
}

func TestFreeMail(t *testing.T) {
	t.Parallel()
	var p FreeMail
	require.Equal(t, "free_mail", p.Name())
	for _, email := range []string{"ann@gmail.com", "ANN@Yahoo.co.UK", "x@mx.mailinator.com"} {
		f, err := p.Lookup(context.Background(), NewQuery(email, "", ""))
		require.NoError(t, err)
		require.Equal(t, Fields{"free_mail": true}, f, email)
	}
	for _, email := range []string{"ann@acme.com", "", "not-an-address"} {
		f, err := p.Lookup(context.Background(), NewQuery(email, "", ""))
		require.NoError(t, err)
		require.Nil(t, f, email)
	}
	require.Equal(t, "gmail.com", p.CacheKey(NewQuery("Ann@GMail.com", "", "")), "cached by domain, not by address")
}

func TestNewQuery(t *testing.T) {
	t.Parallel()
	require.Equal(t, Query{Email: "ann@eu.acme.co.uk", Domain: "acme.co.uk", Company: "Acme"}, NewQuery(" Ann@EU.Acme.co.uk ", " Acme ", ""))
	require.Equal(t, "globex.com", NewQuery("ann@gmail.com", "", "https://www.globex.com").Domain, "the website wins")
	require.Empty(t, NewQuery("ann@gmail.com", "", "").Domain)
}
