package testutil

import (
	"time"

	expect "github.com/Netflix/go-expect"
)

// Settle reads the terminal until it has been quiet for a moment: survey
// asks the terminal where the cursor is right after it draws a question and
// drops keys that arrive during that exchange, which on a busy machine can
// take longer than any fixed pause. A person never types that fast.
func Settle(c *expect.Console) {
	for i := 0; i < 20; i++ {
		if _, err := c.Expect(expect.String("\x00never printed\x00"), expect.WithTimeout(300*time.Millisecond)); err != nil {
			return
		}
	}
}
