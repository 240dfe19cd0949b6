package provsync

import (
	"context"
	"log/slog"
)

// slogLogger is a retryablehttp.LeveledLogger writing to slog. The
// library reports every failed attempt at its Error level; a failed
// attempt that will be retried is a warning for the hall, so it is logged
// as one (the relay logs the call's final failure itself).
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) log(level slog.Level, msg string, kv []any) {
	s.l.Log(context.Background(), level, "province http: "+msg, kv...)
}

func (s slogLogger) Error(msg string, kv ...any) { s.log(slog.LevelWarn, msg, kv) }
func (s slogLogger) Warn(msg string, kv ...any)  { s.log(slog.LevelWarn, msg, kv) }
func (s slogLogger) Info(msg string, kv ...any)  { s.log(slog.LevelInfo, msg, kv) }
func (s slogLogger) Debug(msg string, kv ...any) { s.log(slog.LevelDebug, msg, kv) }
