package otel_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/otel"
)

// TestTracerOpensASpanPerOperation checks that each operation becomes a
// span with the engine's attributes, nested under the caller's span, and
// that an operation's error is recorded with status Error.
func TestTracerOpensASpanPerOperation(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tr := otel.Tracer(tp.Tracer("test"))
	parent, root := tp.Tracer("host").Start(context.Background(), "request")

	ctx, end := tr.Start(parent, "engine.Accept", slog.String(engine.KeyAgent, "ada"), slog.String(engine.KeyChat, "c1"))
	if !trace.SpanContextFromContext(ctx).IsValid() {
		t.Fatal("the context carries no span")
	}
	end(nil)
	_, end = tr.Start(parent, "engine.End", slog.String(engine.KeyChat, "c1"))
	end(errors.New("no such chat"))
	root.End()

	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	accept, failed := spans[0], spans[1]
	if accept.Name() != "engine.Accept" || accept.Parent().SpanID() != root.SpanContext().SpanID() {
		t.Fatalf("span %q with parent %v", accept.Name(), accept.Parent().SpanID())
	}
	want := []attribute.KeyValue{attribute.String("agent", "ada"), attribute.String("chat", "c1")}
	if got := accept.Attributes(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("attributes %v, want %v", got, want)
	}
	if accept.Status().Code != codes.Unset {
		t.Fatalf("status of a success: %v", accept.Status())
	}
	if failed.Status().Code != codes.Error || failed.Status().Description != "no such chat" || len(failed.Events()) != 1 {
		t.Fatalf("a failure: status %v, %d events", failed.Status(), len(failed.Events()))
	}
}

// TestRegisterMetricsNeedsAStore checks the config RegisterMetrics refuses.
func TestRegisterMetricsNeedsAStore(t *testing.T) {
	meter := sdkmetricMeter()
	if _, err := otel.RegisterMetrics(meter, otel.MetricsConfig{}); !errors.Is(err, otel.ErrConfig) {
		t.Fatalf("no store: %v", err)
	}
}

func sdkmetricMeter() metric.Meter {
	return sdkmetric.NewMeterProvider().Meter("test")
}
