package records

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFreeMailList keeps freemail.txt in the form its header promises: lower-case registrable domains,
// each once, and enough of them to be the maintained list rather than a sample.
func TestFreeMailList(t *testing.T) {
	t.Parallel()
	domain := regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
	seen := map[string]int{}
	for i, line := range strings.Split(freeMailList, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n := i + 1
		require.Regexp(t, domain, line, "freemail.txt:%d", n)
		// A subdomain entry could never match: CompanyDomain asks about the registrable domain.
		require.Equal(t, line, RegistrableDomain(line), "freemail.txt:%d is not a registrable domain", n)
		require.NotContains(t, seen, line, "freemail.txt:%d repeats line %d", n, seen[line])
		seen[line] = n
	}
	require.GreaterOrEqual(t, len(seen), 300)
	require.Len(t, freeMail(), len(seen))
}

func TestIsFreeMailList(t *testing.T) {
	t.Parallel()
	for _, d := range []string{"yahoo.co.uk", "Hotmail.FR", "live.com.mx", "gmx.net", "mail.ru", "yandex.com",
		"126.com", "naver.com", "protonmail.ch", "tutanota.com", "mailinator.com", "guerrillamail.com",
		"10minutemail.com", "docomo.ne.jp"} {
		require.True(t, IsFreeMail(d), d)
	}
	for _, d := range []string{"acme.com", "yahoo.acme.com", "google.com", "microsoft.com", "example.com"} {
		require.False(t, IsFreeMail(d), d)
	}
}

func TestParseDomainList(t *testing.T) {
	t.Parallel()
	got := parseDomainList("# header\n\nA.com\n  b.org  # trailing comment\r\n#c.net\n")
	require.Equal(t, map[string]struct{}{"a.com": {}, "b.org": {}}, got)
}

func TestCompanyDomainSkipsFreeMail(t *testing.T) {
	t.Parallel()
	require.Empty(t, CompanyDomain("", "ann@yahoo.co.uk"))
	require.Empty(t, CompanyDomain("", "ann@mx.mailinator.com"), "reduced to the registrable domain first")
	require.Equal(t, "acme.co.uk", CompanyDomain("", "ann@eu.acme.co.uk"))
}
