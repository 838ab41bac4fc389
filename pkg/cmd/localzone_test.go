package cmd

import (
	"errors"
	"testing"
)

// TestLocalZone: the zone offered is an IANA name the API server takes,
// from $TZ or /etc/localtime's link, else none.
func TestLocalZone(t *testing.T) {
	for _, tc := range []struct {
		tz, link string
		want     string
	}{
		{"Asia/Shanghai", "", "Asia/Shanghai"},
		{":Europe/Berlin", "", "Europe/Berlin"},
		{"", "/usr/share/zoneinfo/America/New_York", "America/New_York"},
		{"", "../usr/share/zoneinfo/Etc/UTC", "Etc/UTC"},
		{"", "", ""},                             // no link
		{"Local", "", ""},                        // refused by the API server
		{"CST-8", "/usr/share/zoneinfo/UTC", ""}, // a POSIX rule, not a name
		{"", "/etc/some/file", ""},
	} {
		getenv := func(k string) string {
			if k == "TZ" {
				return tc.tz
			}
			return ""
		}
		readlink := func(string) (string, error) {
			if tc.link == "" {
				return "", errors.New("not a link")
			}
			return tc.link, nil
		}
		if got := localZone(getenv, readlink); got != tc.want {
			t.Errorf("TZ=%q link %q: %q, want %q", tc.tz, tc.link, got, tc.want)
		}
	}
}
