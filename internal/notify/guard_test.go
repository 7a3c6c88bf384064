package notify

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// countingServer reports how many requests reached it, to prove a refusal
// happened before any traffic.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestGuardRefusesLoopbackWithoutAllowlist(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	g, err := NewGuard("")
	require.NoError(t, err)
	s := NewSender(g, 5*time.Second, nil)
	t.Cleanup(s.CloseIdleConnections)

	// The literal address is refused before dialing; the host name only at
	// connect time, after resolution, which is the DNS-rebinding defence.
	for _, u := range []string{srv.URL, "http://localhost:" + port, "http://[::ffff:127.0.0.1]:" + port} {
		_, err := s.Send(t.Context(), Webhook{URL: u, Body: []byte(`{}`)})
		var pe *PermanentError
		require.ErrorAs(t, err, &pe, u)
		var re *RefusedError
		require.ErrorAs(t, err, &re, u)
		require.Equal(t, "loopback address", re.Reason)
		require.Regexp(t, `127\.0\.0\.1|::1`, err.Error(), u)
		require.Contains(t, err.Error(), AllowlistSetting, u)
	}
	require.Zero(t, hits.Load(), "no request may reach a refused address")
}

func TestGuardAllowlistLetsLoopbackThrough(t *testing.T) {
	t.Parallel()
	srv, hits := countingServer(t)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)

	for allowlist, target := range map[string]string{
		"127.0.0.1/32": srv.URL,
		"localhost":    "http://localhost:" + port,
		"LocalHost.":   "http://localhost:" + port,
	} {
		g, err := NewGuard(allowlist)
		require.NoError(t, err)
		s := NewSender(g, 5*time.Second, nil)
		_, err = s.Send(t.Context(), Webhook{URL: target, Body: []byte(`{}`)})
		require.NoError(t, err, allowlist)
		s.CloseIdleConnections()
	}
	require.EqualValues(t, 3, hits.Load())
}

func TestGuardDialContextChecksDialledAddress(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	g, err := NewGuard("")
	require.NoError(t, err)

	conn, err := g.DialContext(t.Context(), "tcp", l.Addr().String())
	if conn != nil {
		_ = conn.Close()
	}
	var re *RefusedError
	require.ErrorAs(t, err, &re)
	require.Equal(t, netip.MustParseAddr("127.0.0.1"), re.Addr)
}

func TestGuardClassifiesAddresses(t *testing.T) {
	t.Parallel()
	g, err := NewGuard("")
	require.NoError(t, err)
	for _, tc := range []struct {
		ip      string
		refused bool
	}{
		{"10.1.2.3", true},
		{"192.168.1.1", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"169.254.169.254", true},
		{"169.254.1.1", true},
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"100.64.1.1", true},
		{"100.127.255.255", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"::", true},
		{"::1", true},
		{"fc00::1", true},
		{"fd00:ec2::254", true},
		{"fe80::1%eth0", true},
		{"ff02::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::127.0.0.1", true},
		{"64:ff9b::7f00:1", true},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"2606:4700:4700::1111", false},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::808:808", false},
	} {
		err := g.Check("", netip.MustParseAddr(tc.ip))
		if !tc.refused {
			require.NoError(t, err, tc.ip)
			continue
		}
		var re *RefusedError
		require.ErrorAs(t, err, &re, tc.ip)
		require.NotEmpty(t, re.Reason, tc.ip)
	}
	err = g.Check("", netip.MustParseAddr("169.254.169.254"))
	require.ErrorContains(t, err, "metadata")
}

func TestGuardAllowlistEntries(t *testing.T) {
	t.Parallel()
	g, err := NewGuard(" 10.0.0.0/8 , Internal.Example.com., 192.168.1.5,, ::ffff:172.16.0.0/108, fd00::/8 ")
	require.NoError(t, err)
	allowed := func(host, ip string) bool { return g.Check(host, netip.MustParseAddr(ip)) == nil }

	require.True(t, allowed("a.example.com", "10.9.9.9"))
	require.True(t, allowed("internal.example.com", "192.168.0.1"))
	require.True(t, allowed("INTERNAL.EXAMPLE.COM.", "127.0.0.1"))
	require.False(t, allowed("other.example.com", "192.168.0.1"))
	require.False(t, allowed("sub.internal.example.com", "192.168.0.1"), "no implicit subdomains")
	require.True(t, allowed("", "192.168.1.5"))
	require.False(t, allowed("", "192.168.1.6"))
	require.True(t, allowed("", "172.16.3.4"), "IPv4-mapped CIDR applies to IPv4")
	require.True(t, allowed("", "::ffff:10.1.1.1"), "IPv4-mapped address matches IPv4 CIDR")
	require.True(t, allowed("", "fd12::1"))
	require.False(t, allowed("", "fc00::1"))
}

func TestGuardRejectsBadAllowlistEntries(t *testing.T) {
	t.Parallel()
	for _, entry := range []string{"10.0.0.0/33", "exa mple.com", "*.example.com", "http://x.example", "host:80", "-bad.example", "a..b"} {
		_, err := NewGuard("127.0.0.1/32, " + entry)
		require.Error(t, err, entry)
		require.Contains(t, err.Error(), entry)
		require.True(t, strings.Contains(err.Error(), AllowlistSetting), entry)
	}
}
