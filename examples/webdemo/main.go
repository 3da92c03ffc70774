// Command webdemo serves a customer chat widget, an agent desktop and a
// supervisor wallboard over one in-memory engine, so a chat can be watched
// going through the library in a browser: a customer waiting with a
// position, an offer ringing and turning into RONA when ignored, a whisper
// the customer never sees, a card number masked before an agent reads it,
// conferences, transfers and a wallboard whose numbers move.
//
//	cd examples/webdemo && go run . -addr 127.0.0.1:8080
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	accept := flag.Duration("accept-timeout", 20*time.Second, "how long an offer rings before it turns into RONA")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, options{Addr: *addr, AcceptTimeout: *accept, Ready: func(url string) {
		fmt.Printf("switchboard web demo on %s\n  customer:   %s/\n  agent:      %s/agent\n  supervisor: %s/supervisor\n", url, url, url, url)
	}})
	if err != nil {
		log.Fatal(err)
	}
}
