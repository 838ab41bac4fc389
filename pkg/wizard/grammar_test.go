package wizard

import (
	"testing"

	"github.com/jobwizard/kubectl-job-wizard/pkg/i18n"
)

func TestCountGrammar(t *testing.T) {
	en, zh := New(Config{Printer: i18n.New(i18n.English)}), New(Config{Printer: i18n.New(i18n.Chinese)})
	cases := []struct{ got, want string }{
		{countOf(en, 1, "%d node", "%d nodes"), "1 node"},
		{countOf(en, 2, "%d node", "%d nodes"), "2 nodes"},
		{countOf(en, 0, "%d node", "%d nodes"), "0 nodes"},
		{countOf(en, 1, "%d key", "%d keys"), "1 key"},
		{nodesMatch(en, 1, 1), "1 of 1 node matches."},
		{nodesMatch(en, 1, 3), "1 of 3 nodes matches."},
		{nodesMatch(en, 2, 3), "2 of 3 nodes match."},
		{countOf(zh, 1, "%d node", "%d nodes"), "1 个节点"},
		{countOf(zh, 2, "%d node", "%d nodes"), "2 个节点"},
		{nodesMatch(zh, 1, 1), "1 个节点匹配 (共 1 个)。"},
		{nodesMatch(zh, 1, 3), "1 个节点匹配 (共 3 个)。"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
