package otel_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/otel"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statsmem"
)

// An engine feeds its statistics to a stats store; RegisterMetrics exports
// them through the Prometheus exporter, which a scrape reads over HTTP, and
// Tracer opens a span per engine operation.
func Example() {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	routes, figures := routingmem.New(routingmem.Config{}), statsmem.New()
	cons, err := stats.NewConsumer(stats.Config{}, figures, nil)
	if err != nil {
		panic(err)
	}
	eng, err := engine.New(ctx, engine.Config{Routing: routes, Sessions: sessionmem.NewStore(),
		Desktops:     routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }),
		Participants: session.Discard{}, Clock: clk, Manual: true,
		Tracer: otel.Tracer(tp.Tracer("switchboard")), Consumers: []engine.EventConsumer{cons}})
	if err != nil {
		panic(err)
	}

	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		panic(err)
	}
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter)).Meter("switchboard")
	if _, err := otel.RegisterMetrics(meter, otel.MetricsConfig{Store: figures, Partitions: routes.Partitions(), Clock: clk}); err != nil {
		panic(err)
	}

	// One chat answered after 20s; another waiting for 90s.
	r := eng.Router()
	if _, err := r.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "acme"}); err != nil {
		panic(err)
	}
	if _, err := r.Login(ctx, "ada", routing.Profile{Tenant: "acme", Queues: []switchboard.QueueID{"sales"}}); err != nil {
		panic(err)
	}
	if _, err := eng.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "acme", Queue: "sales", Customer: "u1", CustomerName: "Dan"}); err != nil {
		panic(err)
	}
	clk.Add(20 * time.Second)
	offers, _ := r.Offers(ctx, "ada")
	if _, _, err := eng.Accept(ctx, "ada", offers[0].ID); err != nil {
		panic(err)
	}
	if _, err := eng.Start(ctx, engine.StartRequest{ID: "c2", Tenant: "acme", Queue: "sales", Customer: "u2", CustomerName: "Eve"}); err != nil {
		panic(err)
	}
	clk.Add(90 * time.Second)
	if err := eng.Settle(ctx); err != nil {
		panic(err)
	}

	srv := httptest.NewServer(promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "switchboard_") {
			fmt.Println(line)
		}
	}
	for _, s := range spans.Ended() {
		if s.Name() == "engine.Accept" {
			fmt.Print("span ", s.Name())
			for _, a := range s.Attributes() {
				fmt.Printf(" %s=%s", a.Key, a.Value.String())
			}
			fmt.Println()
		}
	}
	// Output:
	// switchboard_agents_logged_in{state="Available",tenant="acme"} 1
	// switchboard_agents_logged_in{state="NotReady",tenant="acme"} 0
	// switchboard_agents_logged_in{state="RONA",tenant="acme"} 0
	// switchboard_agents_logged_in{state="WrapUp",tenant="acme"} 0
	// switchboard_agents_occupancy_ratio{tenant="acme"} 1
	// switchboard_queue_agents_eligible{queue="sales"} 0
	// switchboard_queue_answer_time_seconds_total{queue="sales"} 20
	// switchboard_queue_chats_abandoned_total{queue="sales"} 0
	// switchboard_queue_chats_answered_total{queue="sales"} 1
	// switchboard_queue_chats_entered_total{queue="sales"} 2
	// switchboard_queue_chats_handled_total{queue="sales"} 0
	// switchboard_queue_chats_offered{queue="sales"} 0
	// switchboard_queue_chats_talking{queue="sales"} 1
	// switchboard_queue_chats_timed_out_total{queue="sales"} 0
	// switchboard_queue_chats_waiting{queue="sales"} 1
	// switchboard_queue_chats_wrapping_up{queue="sales"} 0
	// switchboard_queue_handle_time_seconds_total{queue="sales"} 0
	// switchboard_queue_wait_longest_seconds{queue="sales"} 90
	// span engine.Accept agent=ada offer=c1#1
}
