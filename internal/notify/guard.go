package notify

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// AllowlistSetting names the setting that operators use to let webhooks
// reach internal destinations; refusals mention it so the fix is obvious.
const AllowlistSetting = "SALESFLOW_WEBHOOK_ALLOWLIST"

// Guard keeps user-configured webhooks away from the server's own network
// (server-side request forgery). It refuses loopback, private, link-local,
// CGNAT, multicast, unspecified and reserved addresses, including the cloud
// metadata service, unless the operator allow-listed the host name or a CIDR
// containing the address. A Guard is immutable and safe for concurrent use.
type Guard struct {
	hosts   map[string]bool
	allowed []netip.Prefix
	blocked []blockedRange
	nat64   netip.Prefix
}

type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// RefusedError reports a destination address that the Guard refused.
type RefusedError struct {
	Host   string     // host name from the URL, or the literal address
	Addr   netip.Addr // the address that would have been dialled
	Reason string     // which kind of address it is, e.g. "loopback address"
}

// Error names the address and how an operator can allow it.
func (e *RefusedError) Error() string {
	bits := 32
	if e.Addr.Is6() {
		bits = 128
	}
	allow := fmt.Sprintf("%q", netip.PrefixFrom(e.Addr, bits).String())
	if e.Host != "" && e.Host != e.Addr.String() {
		allow = fmt.Sprintf("%q or %s", e.Host, allow)
	}
	return fmt.Sprintf("refused to connect to %s for host %q: %s; to allow it, add %s to %s",
		e.Addr, e.Host, e.Reason, allow, AllowlistSetting)
}

// NewGuard parses a comma-separated allowlist of host names, IP addresses and
// CIDRs. Host names match exactly (case-insensitive, no wildcards) so that an
// entry never widens to names nobody reviewed. The caller reads the setting;
// an empty string allows nothing beyond public addresses.
func NewGuard(allowlist string) (*Guard, error) {
	g := newGuard()
	for _, entry := range strings.Split(allowlist, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if strings.Contains(entry, "/") {
			p, err := netip.ParsePrefix(entry)
			if err != nil {
				return nil, fmt.Errorf("%s entry %q: not a valid CIDR: %w", AllowlistSetting, entry, err)
			}
			g.allowed = append(g.allowed, unmapPrefix(p.Masked()))
			continue
		}
		if ip, err := netip.ParseAddr(entry); err == nil {
			ip = ip.Unmap().WithZone("")
			g.allowed = append(g.allowed, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		host := normalizeHost(entry)
		if !validHostName(host) {
			return nil, fmt.Errorf("%s entry %q: not a host name, IP address or CIDR", AllowlistSetting, entry)
		}
		g.hosts[host] = true
	}
	return g, nil
}

func newGuard() *Guard {
	g := &Guard{hosts: map[string]bool{}, nat64: netip.MustParsePrefix("64:ff9b::/96")}
	for _, b := range []struct{ cidr, reason string }{
		{"169.254.169.254/32", "cloud metadata address"},
		{"0.0.0.0/8", "unspecified (\"this network\") address"},
		{"127.0.0.0/8", "loopback address"},
		{"10.0.0.0/8", "private address (RFC 1918)"},
		{"172.16.0.0/12", "private address (RFC 1918)"},
		{"192.168.0.0/16", "private address (RFC 1918)"},
		{"100.64.0.0/10", "carrier-grade NAT address (RFC 6598)"},
		{"169.254.0.0/16", "link-local address"},
		{"224.0.0.0/4", "multicast address"},
		{"240.0.0.0/4", "reserved or broadcast address"},
		{"::/128", "unspecified address"},
		{"::1/128", "loopback address"},
		{"::/96", "deprecated IPv4-compatible address"},
		{"fc00::/7", "private address (unique local, RFC 4193)"},
		{"fe80::/10", "link-local address"},
		{"fec0::/10", "deprecated site-local address"},
		{"ff00::/8", "multicast address"},
	} {
		g.blocked = append(g.blocked, blockedRange{netip.MustParsePrefix(b.cidr), b.reason})
	}
	return g
}

// Check returns a *RefusedError when ip must not be contacted on behalf of
// host; host may be empty when only the address is known.
func (g *Guard) Check(host string, ip netip.Addr) error {
	// Prefix.Contains never matches zoned or IPv4-mapped forms, so normalise
	// first; otherwise ::ffff:127.0.0.1 would slip through.
	ip = ip.WithZone("").Unmap()
	if g.hosts[normalizeHost(host)] {
		return nil
	}
	for _, p := range g.allowed {
		if p.Contains(ip) {
			return nil
		}
	}
	if reason := g.classify(ip); reason != "" {
		return &RefusedError{Host: host, Addr: ip, Reason: reason}
	}
	return nil
}

// classify returns why ip is internal, or "" for a public address.
func (g *Guard) classify(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid address"
	}
	for _, b := range g.blocked {
		if b.prefix.Contains(ip) {
			return b.reason
		}
	}
	// NAT64 embeds an IPv4 address; judge the one the gateway would reach.
	if g.nat64.Contains(ip) {
		b := ip.As16()
		if r := g.classify(netip.AddrFrom4([4]byte(b[12:]))); r != "" {
			return r + " (via NAT64)"
		}
	}
	return ""
}

// DialContext dials like net.Dialer but checks every address it connects to,
// after name resolution, so that DNS rebinding cannot bypass the Guard. Other
// outbound HTTP clients can use it as their Transport's DialContext.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	d := net.Dialer{
		KeepAlive: 30 * time.Second,
		Control: func(_, dialled string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(dialled)
			if err != nil {
				// Fail closed: an address we cannot read is one we cannot vet.
				return fmt.Errorf("check dialled address %q: %w", dialled, err)
			}
			return g.Check(host, ap.Addr())
		},
	}
	return d.DialContext(ctx, network, address)
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}

// unmapPrefix turns ::ffff:a.b.c.d/n into a.b.c.d/(n-96) so that it matches
// the unmapped addresses Check compares against.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p
}
