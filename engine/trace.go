package engine

import (
	"context"
	"log/slog"

	"github.com/switchboard-cc/switchboard/routing"
)

// Attribute keys the engine gives a [Tracer]: stable, so logs and metrics
// can be queried by them. No attribute ever holds message text or a card
// number.
const (
	KeyChat   = "chat"
	KeyAgent  = "agent"
	KeyQueue  = "queue"
	KeyOffer  = "offer"
	KeyEvent  = "event"
	KeyTenant = "tenant"
)

// Tracer is the one place every operation of an [Engine] and every routing
// event it processes passes through, so that logging, metrics and tracing
// attach without the domain packages doing any I/O. Start is called when an
// operation or event begins, with its name ("engine.Accept",
// "engine.event") and attributes; the function it returns is called once
// when it ends, with its error (nil on success). Start may return a derived
// context (carrying a span, say) that the operation uses from then on.
// Implementations must be safe for concurrent use and must not block.
type Tracer interface {
	Start(ctx context.Context, name string, attrs ...slog.Attr) (context.Context, func(err error))
}

type nopTracer struct{}

func (nopTracer) Start(ctx context.Context, _ string, _ ...slog.Attr) (context.Context, func(error)) {
	return ctx, func(error) {}
}

// LogTracer returns a Tracer that logs each operation and event to l when
// it ends: at Debug level on success, at Warn level with the error
// otherwise.
func LogTracer(l *slog.Logger) Tracer { return logTracer{l} }

type logTracer struct{ l *slog.Logger }

func (t logTracer) Start(ctx context.Context, name string, attrs ...slog.Attr) (context.Context, func(error)) {
	return ctx, func(err error) {
		if err != nil {
			t.l.LogAttrs(ctx, slog.LevelWarn, name, append(attrs, slog.String("err", err.Error()))...)
			return
		}
		t.l.LogAttrs(ctx, slog.LevelDebug, name, attrs...)
	}
}

func eventAttrs(ev *routing.Event) []slog.Attr {
	attrs := []slog.Attr{slog.String(KeyEvent, ev.Type.String()), slog.String(KeyChat, string(ev.Chat))}
	if ev.Agent != "" {
		attrs = append(attrs, slog.String(KeyAgent, string(ev.Agent)))
	}
	if ev.Queue != "" {
		attrs = append(attrs, slog.String(KeyQueue, string(ev.Queue)))
	}
	return attrs
}
