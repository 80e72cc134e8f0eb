package tools

import (
	"log/slog"
	"time"
)

// Env carries what every family needs besides its AWS clients: a logger and a clock. Nothing below cmd/
// reads environment variables or globals; it gets them from here.
type Env struct {
	Logger *slog.Logger
	Now    func() time.Time
}

// Clock returns the current time from env (time.Now when unset).
func (e Env) Clock() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// Log returns the logger (a discarding one when unset).
func (e Env) Log() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}
