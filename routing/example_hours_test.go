package routing_test

import (
	"context"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // hours name IANA zones: embed the database in case the host has none

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// Business hours: 09:00 to 17:00 New York time on weekdays, closed on
// Christmas Day. OpenAt is a plain function of the hours and an instant.
func ExampleBusinessHours_OpenAt() {
	hours := routing.BusinessHours{Zone: "America/New_York", Holidays: []routing.Date{{Year: 2026, Month: 12, Day: 25}}}
	for d := time.Monday; d <= time.Friday; d++ {
		hours.Weekly = append(hours.Weekly, routing.WeeklyInterval{Day: d,
			Interval: routing.Interval{Open: routing.HM(9, 0), Close: routing.HM(17, 0)}})
	}
	for _, at := range []time.Time{
		time.Date(2026, 12, 24, 15, 0, 0, 0, time.UTC), // Thursday, 10:00 in New York
		time.Date(2026, 12, 24, 23, 0, 0, 0, time.UTC), // Thursday, 18:00 in New York
	} {
		open, next := hours.OpenAt(at)
		fmt.Printf("%s: open %v, changes %s\n", at.Format("Mon 15:04 MST"), open, next.Format("Mon Jan 2 15:04 MST"))
	}
	// Output:
	// Thu 15:00 UTC: open true, changes Thu Dec 24 22:00 UTC
	// Thu 23:00 UTC: open false, changes Mon Dec 28 14:00 UTC
}

// A queue that refuses chats while it is closed, and one that keeps them
// waiting until it opens.
func ExampleClosedError() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)) // Monday
	router, _ := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: mock})
	hours := routing.BusinessHours{Zone: "Europe/London", Weekly: []routing.WeeklyInterval{
		{Day: time.Monday, Interval: routing.Interval{Open: routing.HM(8, 0), Close: routing.HM(18, 0)}}}}
	router.PutQueue(ctx, routing.Queue{ID: "sales", Hours: hours, WhenClosed: routing.ClosedRefuse})
	router.PutQueue(ctx, routing.Queue{ID: "support", Hours: hours}) // waits, the default
	router.Login(ctx, "ada", routing.Profile{Queues: []switchboard.QueueID{"sales", "support"}})

	_, err := router.Enqueue(ctx, routing.ChatRequest{ID: "c1", Queue: "sales"})
	var closed *routing.ClosedError
	if errors.As(err, &closed) {
		fmt.Println("refused; sales opens at", closed.Opens.Format("15:04"))
	}
	c, _ := router.Enqueue(ctx, routing.ChatRequest{ID: "c2", Queue: "support"})
	fmt.Println("c2 is", c.State, "until", c.OpensAt.Format("15:04"))

	mock.Add(time.Hour)
	router.Sweep(ctx)
	c, _ = router.Chat(ctx, "c2")
	fmt.Println("at 08:00 c2 is", c.State)
	// Output:
	// refused; sales opens at 08:00
	// c2 is Queued until 08:00
	// at 08:00 c2 is Offered
}
