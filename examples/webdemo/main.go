// Command webdemo serves a customer chat widget, an agent desktop and a
// supervisor wallboard over one engine, so a chat can be watched going
// through the library in a browser: a customer waiting with a position,
// an offer ringing and turning into RONA when ignored, a whisper the
// customer never sees, a card number masked before an agent reads it,
// conferences, transfers and a wallboard whose numbers move.
//
// By default everything lives in the process's memory:
//
//	cd examples/webdemo && go run . -addr 127.0.0.1:8080
//
// With a PostgreSQL URL (-pg, or SWITCHBOARD_PG_URL) the stores live in
// that database, and any number of processes given the same URL serve
// the same chats: a customer connected to one talks with an agent
// connected to another.
//
//	go run . -pg postgres://user@host/db -addr 127.0.0.1:8081
//	go run . -pg postgres://user@host/db -addr 127.0.0.1:8082
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	accept := flag.Duration("accept-timeout", 20*time.Second, "how long an offer rings before it turns into RONA")
	wrapUp := flag.Duration("wrap-up", 30*time.Second, "how long an agent may wrap a chat up")
	pg := flag.String("pg", os.Getenv("SWITCHBOARD_PG_URL"),
		"PostgreSQL URL to keep the stores in, shared with every process given it (default $SWITCHBOARD_PG_URL; empty: in memory)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	where := "in memory"
	if *pg != "" {
		where = "over PostgreSQL"
	}
	err := run(ctx, options{Addr: *addr, AcceptTimeout: *accept, WrapUp: *wrapUp, PG: *pg,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Ready: func(url string) {
			fmt.Printf("switchboard web demo on %s, %s\n  customer:   %s/\n  agent:      %s/agent\n  supervisor: %s/supervisor\n",
				url, where, url, url, url)
		}})
	if err != nil {
		log.Fatal(err)
	}
}
