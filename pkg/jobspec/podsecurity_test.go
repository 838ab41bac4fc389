package jobspec

import (
	"strings"
	"testing"

	psapi "k8s.io/pod-security-admission/api"
)

// TestProfileContradiction: --security-profile with a value of the user's
// own that the level forbids is refused by Validate, naming both flags and
// the rule; values the level allows (and a privileged Job without any
// profile, which a namespace enforcing nothing accepts) are not.
func TestProfileContradiction(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		other string // the contradicting flag the message names; "" for none
	}{
		{[]string{"--security-profile", "restricted", "--privileged"}, "--privileged"},
		{[]string{"--security-profile", "baseline", "--privileged"}, "--privileged"},
		{[]string{"--security-profile", "restricted", "--allow-privilege-escalation=true"}, "--allow-privilege-escalation=true"},
		{[]string{"--security-profile", "restricted", "--run-as-non-root=false"}, "--run-as-non-root=false"},
		{[]string{"--security-profile", "restricted", "--run-as-user", "0"}, "--run-as-user 0"},
		{[]string{"--security-profile", "restricted", "--seccomp-profile", "Unconfined"}, "--seccomp-profile Unconfined"},
		{[]string{"--security-profile", "restricted", "--cap-add", "SYS_ADMIN"}, "--cap-add"},
		{[]string{"--security-profile", "baseline", "--cap-add", "SYS_ADMIN"}, "--cap-add"},
		{[]string{"--security-profile", "restricted", "--host-network"}, "--host-network"},
		{[]string{"--security-profile", "baseline", "--volume", "logs=hostpath:/var/log", "--mount", "/logs=logs"}, "hostpath --volume"},
		// Allowed by the level: no contradiction.
		{[]string{"--security-profile", "restricted", "--cap-add", "NET_BIND_SERVICE", "--run-as-user", "1000"}, ""},
		{[]string{"--security-profile", "baseline", "--run-as-user", "0", "--cap-add", "CHOWN"}, ""},
		{[]string{"--security-profile", "restricted", "--seccomp-profile", "Localhost:p.json"}, ""},
		// No profile: the server accepts a privileged Job where nothing is enforced.
		{[]string{"--privileged", "--host-network"}, ""},
	} {
		args := append([]string{"j", "--image", "busybox:1.36"}, tc.args...)
		s, err := ParseArgs(args)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		err = s.Validate()
		if tc.other == "" {
			if err != nil {
				t.Errorf("%v refused: %v", tc.args, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%v accepted", tc.args)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "always may escalate") {
			t.Errorf("%v: the profile filled in a value the server refuses beside the user's:\n%s", tc.args, msg)
		}
		for _, want := range []string{"--security-profile", tc.other, "contradicts another value you gave", "one that does not enforce it accepts the Job", tc.args[1]} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: message lacks %q:\n%s", tc.args, want, msg)
			}
		}
	}
}

func TestProfileFixes(t *testing.T) {
	restricted, err := ParsePodSecurityLevel("restricted", "")
	if err != nil {
		t.Fatal(err)
	}
	baseline, _ := ParsePodSecurityLevel("baseline", "latest")
	plain, _ := ParseArgs([]string{"j", "--image", "busybox"})
	if !ProfileFixes(restricted, plain) {
		t.Error("the profile does not fix a plain Job for restricted")
	}
	priv, _ := ParseArgs([]string{"j", "--image", "busybox", "--privileged"})
	if ProfileFixes(restricted, priv) || ProfileFixes(baseline, priv) {
		t.Error("the profile cannot fix --privileged")
	}
	if _, err := ParsePodSecurityLevel("strict", ""); err == nil {
		t.Error("a level the plugin cannot parse")
	}
	if l, _ := ParsePodSecurityLevel("baseline", "v1.30"); l.Level != psapi.LevelBaseline || l.Version.String() != "v1.30" {
		t.Errorf("level %v", l)
	}
}
