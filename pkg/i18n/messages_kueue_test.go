package i18n

import "testing"

// TestKueueMessagesAreTheirOwn: the Kueue catalog is merged into the main
// one, so a key in both would lose one translation without a word.
func TestKueueMessagesAreTheirOwn(t *testing.T) {
	main := zhMessages()
	for k := range zhKueueMessages() {
		if _, ok := main[k]; ok {
			t.Errorf("%q is in both messages.go and messages_kueue.go", k)
		}
	}
}
