package main

import (
	"io"
	"log/slog"
)

// Log formats and levels of --log-format and --log-level.
const (
	logFormatText = "text"
	logFormatJSON = "json"
)

var (
	logFormats = []string{logFormatText, logFormatJSON}
	logLevels  = []string{"debug", "info", "warn", "error"}
)

// newLogger returns the server's logger: lines of format (text or json) at
// level and above, written to w. The server logs no request headers or
// bodies and no secret; TestSecretsNeverReachTheLog holds it to that.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // one of logLevels, which slog knows
	opts := &slog.HandlerOptions{Level: l}
	if format == logFormatJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
