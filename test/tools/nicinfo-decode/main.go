// nicinfo-decode: reads NicInfo v3 (the XDR a guest sends after
// "SetGuestInfo  10 ") on stdin and prints it as JSON on stdout.
//
// A test tool: an XDR decoder that shares nothing with vmt's encoder. The XDR
// itself is decoded by Debian's golang-github-davecgh-go-xdr-dev (xdr2, the
// package govmomi's toolbox is written against); the types below follow
// open-vm-tools' lib/guestRpc/nicinfo.x. Debian's govmomi 0.24.2 leaves the
// toolbox package (and with it toolbox.GuestNicInfo) out, and davecgh's xdr2
// knows no `xdr:"optional"` tag (govmomi relies on a fork for it), so an
// optional `T *x` is written here as what RFC 4506 §4.19 says it is on the
// wire: a variable-length array of at most one element (`T x<1>`).
//
// Sizes are checked against nicinfo.x's bounds, as rpcgen's decoder on the
// host would; trailing bytes are an error. Exit status: 0 decoded, 1 the
// bytes are not NicInfo v3, 2 usage.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"

	xdr "github.com/davecgh/go-xdr/xdr2"
)

// nicinfo.x's bounds
const (
	nicInfoMaxNics    = 16
	nicInfoMaxIPs     = 2048
	nicInfoMacLen     = 18
	nicInfoMaxRoutes  = 100
	inetAddressMaxLen = 255
	dnsInfoMaxAddrLen = 255
	dnsInfoMaxSuffix  = 10
	dnsInfoMaxServers = 16
	dhcpMaxConfigSize = 16384
	nicInfoV3         = 3
)

type typedIPAddress struct {
	Type    int32 // InetAddressType
	Address []byte
}

type ipAddressEntry struct {
	Address      typedIPAddress
	PrefixLength uint32
	Origin       []int32 // IpAddressOrigin *: at most one
	Status       []int32 // IpAddressStatus *: at most one
}

type dnsConfigInfo struct {
	HostName       []string // DnsHostname *: at most one
	DomainName     []string // DnsHostname *: at most one
	Servers        []typedIPAddress
	SearchSuffixes []string
}

type winsConfigInfo struct {
	Primary   typedIPAddress
	Secondary typedIPAddress
}

type dhcpConfigInfo struct {
	Enabled  bool
	Settings string
}

type inetCidrRouteEntry struct {
	Dest         typedIPAddress
	PrefixLength uint32
	NextHop      []typedIPAddress // TypedIpAddress *: at most one
	IfIndex      uint32
	Type         int32 // InetCidrRouteType
	Metric       uint32
}

type guestNicV3 struct {
	MacAddress string
	IPs        []ipAddressEntry
	DNS        []dnsConfigInfo  // *: at most one
	WINS       []winsConfigInfo // *: at most one
	DHCPv4     []dhcpConfigInfo // *: at most one
	DHCPv6     []dhcpConfigInfo // *: at most one
}

type nicInfo struct {
	Nics   []guestNicV3
	Routes []inetCidrRouteEntry
	DNS    []dnsConfigInfo
	WINS   []winsConfigInfo
	DHCPv4 []dhcpConfigInfo
	DHCPv6 []dhcpConfigInfo
}

// union GuestNicProto switch (NicInfoVersion ver) { case NIC_INFO_V3: NicInfoV3 *nicInfoV3; ... }
type guestNicProto struct {
	Version int32
	V3      []nicInfo // *: at most one
}

// JSON out

type jsonAddr struct {
	Type    string `json:"type"`
	Address string `json:"address"`
}

type jsonIP struct {
	Type         string  `json:"type"`
	Address      string  `json:"address"`
	PrefixLength uint32  `json:"prefixLength"`
	Origin       *string `json:"origin"`
	Status       *string `json:"status"`
}

type jsonDNS struct {
	HostName       *string    `json:"hostName"`
	DomainName     *string    `json:"domainName"`
	Servers        []jsonAddr `json:"servers"`
	SearchSuffixes []string   `json:"searchSuffixes"`
}

type jsonWINS struct {
	Primary   jsonAddr `json:"primary"`
	Secondary jsonAddr `json:"secondary"`
}

type jsonDHCP struct {
	Enabled  bool   `json:"enabled"`
	Settings string `json:"settings"`
}

type jsonNic struct {
	MacAddress string    `json:"macAddress"`
	IPs        []jsonIP  `json:"ips"`
	DNS        *jsonDNS  `json:"dns"`
	WINS       *jsonWINS `json:"wins"`
	DHCPv4     *jsonDHCP `json:"dhcpv4"`
	DHCPv6     *jsonDHCP `json:"dhcpv6"`
}

type jsonRoute struct {
	Dest         jsonAddr  `json:"dest"`
	PrefixLength uint32    `json:"prefixLength"`
	NextHop      *jsonAddr `json:"nextHop"`
	IfIndex      uint32    `json:"ifIndex"`
	Type         string    `json:"type"`
	Metric       uint32    `json:"metric"`
}

type jsonNicInfo struct {
	Version int         `json:"version"`
	Nics    []jsonNic   `json:"nics"`
	Routes  []jsonRoute `json:"routes"`
	DNS     *jsonDNS    `json:"dns"`
	WINS    *jsonWINS   `json:"wins"`
	DHCPv4  *jsonDHCP   `json:"dhcpv4"`
	DHCPv6  *jsonDHCP   `json:"dhcpv6"`
}

func name(names map[int32]string, v int32) string {
	if s, ok := names[v]; ok {
		return s
	}
	return fmt.Sprintf("%d", v)
}

var addrTypes = map[int32]string{0: "unknown", 1: "ipv4", 2: "ipv6", 3: "ipv4z", 4: "ipv6z", 16: "dns"}
var origins = map[int32]string{1: "other", 2: "manual", 4: "dhcp", 5: "linklayer", 6: "random"}
var statuses = map[int32]string{1: "preferred", 2: "deprecated", 3: "invalid", 4: "inaccessible", 5: "unknown", 6: "tentative", 7: "duplicate", 8: "optimistic"}
var routeTypes = map[int32]string{1: "other", 2: "reject", 3: "local", 4: "remote"}

type checker struct{ err error }

func (c *checker) max(what string, n, limit int) {
	if c.err == nil && n > limit {
		c.err = fmt.Errorf("%s: %d, more than nicinfo.x allows (%d)", what, n, limit)
	}
}

func (c *checker) optional(what string, n int) { c.max(what+" (optional, so 0 or 1)", n, 1) }

func (c *checker) addr(what string, a typedIPAddress) jsonAddr {
	c.max(what+" length", len(a.Address), inetAddressMaxLen)
	s := hex.EncodeToString(a.Address)
	if a.Type == 1 && len(a.Address) == 4 {
		s = netip.AddrFrom4(*(*[4]byte)(a.Address)).String()
	} else if a.Type == 2 && len(a.Address) == 16 {
		s = netip.AddrFrom16(*(*[16]byte)(a.Address)).String()
	}
	return jsonAddr{Type: name(addrTypes, a.Type), Address: s}
}

func (c *checker) hostname(what string, s []string) *string {
	c.optional(what, len(s))
	if len(s) == 0 {
		return nil
	}
	c.max(what+" length", len(s[0]), dnsInfoMaxAddrLen)
	return &s[0]
}

func (c *checker) dns(what string, d []dnsConfigInfo) *jsonDNS {
	c.optional(what, len(d))
	if len(d) == 0 {
		return nil
	}
	out := &jsonDNS{HostName: c.hostname(what+".hostName", d[0].HostName), DomainName: c.hostname(what+".domainName", d[0].DomainName), Servers: []jsonAddr{}, SearchSuffixes: []string{}}
	c.max(what+".servers", len(d[0].Servers), dnsInfoMaxServers)
	for _, s := range d[0].Servers {
		out.Servers = append(out.Servers, c.addr(what+".server", s))
	}
	c.max(what+".searchSuffixes", len(d[0].SearchSuffixes), dnsInfoMaxSuffix)
	for _, s := range d[0].SearchSuffixes {
		c.max(what+".searchSuffix length", len(s), dnsInfoMaxAddrLen)
		out.SearchSuffixes = append(out.SearchSuffixes, s)
	}
	return out
}

func (c *checker) wins(what string, w []winsConfigInfo) *jsonWINS {
	c.optional(what, len(w))
	if len(w) == 0 {
		return nil
	}
	return &jsonWINS{Primary: c.addr(what+".primary", w[0].Primary), Secondary: c.addr(what+".secondary", w[0].Secondary)}
}

func (c *checker) dhcp(what string, d []dhcpConfigInfo) *jsonDHCP {
	c.optional(what, len(d))
	if len(d) == 0 {
		return nil
	}
	c.max(what+".settings length", len(d[0].Settings), dhcpMaxConfigSize)
	return &jsonDHCP{Enabled: d[0].Enabled, Settings: d[0].Settings}
}

func (c *checker) enum(what string, names map[int32]string, v []int32) *string {
	c.optional(what, len(v))
	if len(v) == 0 {
		return nil
	}
	s := name(names, v[0])
	return &s
}

func convert(p guestNicProto) (*jsonNicInfo, error) {
	c := &checker{}
	c.optional("nicInfoV3", len(p.V3))
	if c.err != nil {
		return nil, c.err
	}
	if len(p.V3) == 0 {
		return nil, fmt.Errorf("no NicInfoV3 (a null pointer in the union)")
	}
	in := p.V3[0]
	out := &jsonNicInfo{Version: int(p.Version), Nics: []jsonNic{}, Routes: []jsonRoute{}}
	c.max("nics", len(in.Nics), nicInfoMaxNics)
	for i, n := range in.Nics {
		w := fmt.Sprintf("nics[%d]", i)
		c.max(w+".macAddress length", len(n.MacAddress), nicInfoMacLen)
		c.max(w+".ips", len(n.IPs), nicInfoMaxIPs)
		nic := jsonNic{MacAddress: n.MacAddress, IPs: []jsonIP{}}
		for _, ip := range n.IPs {
			a := c.addr(w+".ip", ip.Address)
			nic.IPs = append(nic.IPs, jsonIP{Type: a.Type, Address: a.Address, PrefixLength: ip.PrefixLength,
				Origin: c.enum(w+".ip.origin", origins, ip.Origin), Status: c.enum(w+".ip.status", statuses, ip.Status)})
		}
		nic.DNS = c.dns(w+".dns", n.DNS)
		nic.WINS = c.wins(w+".wins", n.WINS)
		nic.DHCPv4 = c.dhcp(w+".dhcpv4", n.DHCPv4)
		nic.DHCPv6 = c.dhcp(w+".dhcpv6", n.DHCPv6)
		out.Nics = append(out.Nics, nic)
	}
	c.max("routes", len(in.Routes), nicInfoMaxRoutes)
	for _, r := range in.Routes {
		route := jsonRoute{Dest: c.addr("route.dest", r.Dest), PrefixLength: r.PrefixLength, IfIndex: r.IfIndex, Type: name(routeTypes, r.Type), Metric: r.Metric}
		c.optional("route.nextHop", len(r.NextHop))
		if len(r.NextHop) == 1 {
			h := c.addr("route.nextHop", r.NextHop[0])
			route.NextHop = &h
		}
		out.Routes = append(out.Routes, route)
	}
	out.DNS = c.dns("dns", in.DNS)
	out.WINS = c.wins("wins", in.WINS)
	out.DHCPv4 = c.dhcp("dhcpv4", in.DHCPv4)
	out.DHCPv6 = c.dhcp("dhcpv6", in.DHCPv6)
	return out, c.err
}

func decode(data []byte) (*jsonNicInfo, error) {
	// accept the whole RPC as well as its payload
	data = bytes.TrimPrefix(data, []byte("SetGuestInfo  10 "))
	r := bytes.NewReader(data)
	// no count can be larger than the input: a bogus one fails instead of allocating
	d := xdr.NewDecoderLimited(r, uint(len(data)))
	var p guestNicProto
	if _, err := d.Decode(&p.Version); err != nil {
		return nil, fmt.Errorf("the version: %v", err)
	}
	if p.Version != nicInfoV3 {
		return nil, fmt.Errorf("version %d, not NIC_INFO_V3 (3)", p.Version)
	}
	if _, err := d.Decode(&p.V3); err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%d bytes left after NicInfoV3 (of %d)", r.Len(), len(data))
	}
	return convert(p)
}

func main() {
	if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "nicinfo-decode: takes no arguments; the XDR comes on stdin")
		fmt.Fprintln(os.Stderr, "Usage: nicinfo-decode < nicinfo.xdr")
		os.Exit(2)
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nicinfo-decode: reading stdin: %v\n", err)
		os.Exit(1)
	}
	info, err := decode(data)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nicinfo-decode: not NicInfo v3: %v\n", err)
		os.Exit(1)
	}
	out, _ := json.MarshalIndent(info, "", "  ")
	os.Stdout.Write(append(out, '\n'))
}
