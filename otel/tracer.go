package otel

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-cc/switchboard/engine"
)

// Tracer returns an engine.Tracer that opens a span of t for each
// operation and each routing event of the engine, named as the engine
// names them ("engine.Accept", "engine.event"), with the engine's
// attributes (engine.KeyChat and the others) as string attributes. A span
// that ends with an error records it and has status Error. The context it
// returns carries the span, so spans the host opens below it nest.
func Tracer(t trace.Tracer) engine.Tracer { return tracer{t} }

type tracer struct{ t trace.Tracer }

func (tr tracer) Start(ctx context.Context, name string, attrs ...slog.Attr) (context.Context, func(error)) {
	kv := make([]attribute.KeyValue, 0, len(attrs))
	for _, a := range attrs {
		kv = append(kv, attribute.String(a.Key, a.Value.String()))
	}
	ctx, span := tr.t.Start(ctx, name, trace.WithAttributes(kv...))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}
