package i18n

import "testing"

// TestKueueMessagesAreTheirOwn: the Kueue catalog is merged into the main
// one, so a key in both would lose one translation without a word.
func TestKueueMessagesAreTheirOwn(t *testing.T) {
	others := zhMessages()
	for k := range zhSecurityMessages() {
		others[k] = ""
	}
	for k := range zhKueueMessages() {
		if _, ok := others[k]; ok {
			t.Errorf("%q is in messages_kueue.go and another catalog file", k)
		}
	}
}
