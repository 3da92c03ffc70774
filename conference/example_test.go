package conference_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// Ann consults Bob with a whisper the customer never sees, then hands the
// customer over to him and leaves.
func Example() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	eng, _ := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}, Clock: mock, Manual: true})
	router, sessions := eng.Router(), eng.Sessions()
	_, _ = router.PutQueue(ctx, routing.Queue{ID: "sales", WrapUp: time.Minute})

	_, _ = router.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"sales"}})
	_, _ = eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	offers, _ := router.Offers(ctx, "ann")
	_, _, _ = eng.Accept(ctx, "ann", offers[0].ID)
	_, _ = router.Login(ctx, "bob", routing.Profile{DisplayName: "Bob"})

	invite, err := eng.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _, _ = eng.Accept(ctx, "bob", invite.ID)
	_, _ = eng.Send(ctx, "c1", session.Message{From: session.AgentParticipant("ann"), Text: "She wants a refund", Mode: session.ModeWhisper})
	if err := eng.HandOver(ctx, "c1", "ann", "bob"); err != nil {
		fmt.Println(err)
		return
	}

	s, _ := sessions.Session(ctx, "c1")
	fmt.Println("owner:", s.Owner().Name)
	views, _ := sessions.History(ctx, "c1", session.CustomerParticipant("u1"))
	for _, v := range views {
		if v.Type == session.EntryJoined || v.Type == session.EntryLeft {
			fmt.Println("customer sees:", v.Type, v.SubjectName)
		}
		if v.Private {
			fmt.Println("the customer saw a whisper")
		}
	}
	ann, _ := router.Agent(ctx, "ann")
	fmt.Println("ann:", ann.State)
	// Output:
	// owner: Bob
	// customer sees: joined Ann
	// customer sees: joined Bob
	// customer sees: left Ann
	// ann: WrapUp
}

// An owner who wants to leave before anyone joined is refused: the chat is
// never left without an agent. With EndEverything, ending the conference
// ends the chat too.
func Example_endEverything() {
	ctx := context.Background()
	mock := clock.NewMock()
	eng, _ := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}, Clock: mock, Manual: true,
		Conference: conference.Config{EndPolicy: conference.EndEverything}})
	router, sessions := eng.Router(), eng.Sessions()
	_, _ = router.PutQueue(ctx, routing.Queue{ID: "sales"})

	_, _ = router.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"sales"}})
	_, _ = eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	offers, _ := router.Offers(ctx, "ann")
	_, _, _ = eng.Accept(ctx, "ann", offers[0].ID)
	_, _ = router.Login(ctx, "bob", routing.Profile{DisplayName: "Bob"})

	_, _ = eng.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	err := eng.Leave(ctx, "c1", "ann")
	fmt.Println(errors.Is(err, conference.ErrNobodyToTakeOver))

	err = eng.EndConference(ctx, "c1", "ann", session.EndOptions{Reason: "resolved", Confirm: true})
	fmt.Println(err)
	c, _ := router.Chat(ctx, "c1")
	s, _ := sessions.Session(ctx, "c1")
	fmt.Println(c.State, s.Status, len(c.Consultants))
	// Output:
	// true
	// <nil>
	// Done ended 0
}
