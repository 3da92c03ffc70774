package stats_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/stats"
)

// TestTimelineQueueFigures scripts a queue's morning on the mock clock and
// checks every figure against a hand count (SPEC M1, M2, M3). A chat that
// entered at 09:10 and was answered at 09:16 is entered in the 09:00
// interval and answered in the 09:15 one; a chat abandoned while offered
// counts as offered, abandoned and abandoned-while-offered; one abandoned
// within 5s is short and left out of service level.
func TestTimelineQueueFigures(t *testing.T) {
	g := newRig(t, stats.Config{}, routing.Queue{ID: "sales", Tenant: "acme", AcceptTimeout: 10 * time.Minute, WrapUp: time.Minute})
	g.login("ada", "red", 1, "sales")
	g.to("09:10:00")
	g.enqueue("c1", "sales") // offered to ada at once
	g.to("09:16:00")
	g.accept("ada") // waited 6m
	g.to("09:17:00")
	g.enqueue("c2", "sales") // ada is busy: c2 waits
	g.to("09:17:03")
	require.NoError(t, g.r.Abandon(g.ctx, "c2")) // short abandon: 3s
	g.to("09:20:00")
	require.NoError(t, g.r.End(g.ctx, "c1")) // talk 4m; ada wraps up
	g.to("09:20:30")
	require.NoError(t, g.r.CompleteWrapUp(g.ctx, "c1", "ada")) // wrap-up 30s
	g.to("09:21:00")
	g.enqueue("c3", "sales") // offered to ada at once
	g.to("09:22:00")
	require.NoError(t, g.r.Abandon(g.ctx, "c3")) // abandoned while offered after 60s
	g.to("09:23:00")
	g.enqueue("c4", "sales")
	g.to("09:23:10")
	g.accept("ada") // waited 10s: within both thresholds

	first := g.window(stats.ByQueue, "sales", "09:00:00", "09:15:00")
	require.Equal(t, int64(1), first.Entered)
	require.Equal(t, int64(1), first.Offered)
	require.Equal(t, int64(1), first.Offers)
	require.Zero(t, first.Answered, "c1 is answered in the next interval")

	second := g.window(stats.ByQueue, "sales", "09:15:00", "09:30:00")
	require.Equal(t, int64(3), second.Entered, "c2, c3, c4")
	require.Equal(t, int64(2), second.Offered, "c3, c4 (c2 never was)")
	require.Equal(t, int64(2), second.Answered, "c1, c4")
	require.Equal(t, 6*time.Minute+10*time.Second, second.AnswerTime)
	require.Equal(t, 6*time.Minute, second.AnswerMax)
	asa, ok := second.AverageSpeedOfAnswer()
	require.True(t, ok)
	require.Equal(t, 3*time.Minute+5*time.Second, asa)
	require.Equal(t, [stats.MaxThresholds]int64{1, 1, 0, 0}, second.AnsweredWithin)
	require.Equal(t, int64(2), second.Abandoned)
	require.Equal(t, int64(1), second.ShortAbandoned)
	require.Equal(t, int64(1), second.AbandonedOffered)
	require.Equal(t, 63*time.Second, second.AbandonTime)
	sl, ok := second.ServiceLevel(0)
	require.True(t, ok)
	require.InDelta(t, 1.0/3, sl, 1e-9, "1 within 20s ÷ (2 answered + 2 abandoned − 1 short)")
	require.Equal(t, int64(2), second.Offers, "c3, c4: c1's offer was made in the first interval")
	require.Equal(t, int64(2), second.OffersAccepted)
	require.Equal(t, int64(1), second.OffersCancelled)
	require.Equal(t, int64(1), second.Handled)
	require.Equal(t, 4*time.Minute, second.TalkTime)
	require.Equal(t, 30*time.Second, second.WrapUpTime)
	aht, _ := second.AverageHandleTime()
	require.Equal(t, 4*time.Minute+30*time.Second, aht)

	// The tenant counts each contact once, its wait from when it began.
	tenant := g.window(stats.ByTenant, "acme", "09:00:00", "09:30:00")
	require.Equal(t, int64(4), tenant.Entered)
	require.Equal(t, int64(2), tenant.Answered)
	require.Equal(t, int64(2), tenant.Abandoned)

	// ada: Available 09:00–09:20 (cut at 09:15), WrapUp 09:20–09:20:30;
	// it held c1 from 09:16 to 09:20:30.
	ada1 := g.window(stats.ByAgent, "ada", "09:00:00", "09:15:00")
	require.Equal(t, 15*time.Minute, ada1.TimeIn(routing.Available))
	require.Equal(t, 15*time.Minute, ada1.SlotTime)
	ada2 := g.window(stats.ByAgent, "ada", "09:15:00", "09:30:00")
	require.Equal(t, 5*time.Minute, ada2.TimeIn(routing.Available))
	require.Equal(t, 30*time.Second, ada2.TimeIn(routing.WrapUp))
	require.Equal(t, 4*time.Minute+30*time.Second, ada2.ChatTime)
	occ, ok := ada2.Occupancy()
	require.True(t, ok)
	require.InDelta(t, 270.0/330, occ, 1e-9)
	require.Equal(t, int64(2), ada2.Answered)
	require.Equal(t, int64(1), ada2.Handled)
	team := g.window(stats.ByTeam, "red", "09:15:00", "09:30:00")
	require.Equal(t, ada2.ChatTime, team.ChatTime)
	require.Equal(t, ada2.Answered, team.Answered)
}

// TestTimelineTransfersOverflowsAndReopens follows one chat through an
// overflow, a transfer back to the queue it came from, an agent logging
// out mid-chat and a reopen, and checks each queue, agent and the tenant
// against a hand count (SPEC M4).
func TestTimelineTransfersOverflowsAndReopens(t *testing.T) {
	g := newRig(t, stats.Config{},
		routing.Queue{ID: "support", Tenant: "acme", AcceptTimeout: 10 * time.Minute},
		routing.Queue{ID: "sales", Tenant: "acme", AcceptTimeout: 10 * time.Minute, MaxWait: 2 * time.Minute, Overflow: "support"})
	g.login("bob", "blue", 2, "support")
	g.enqueue("c1", "sales") // no sales agent
	g.to("09:02:00")         // overflows to support, offered to bob
	g.to("09:02:30")
	g.accept("bob")
	g.to("09:05:00")
	_, err := g.r.Transfer(g.ctx, routing.TransferRequest{Chat: "c1", From: "bob", Queue: "sales"})
	require.NoError(t, err)
	g.to("09:06:00")
	g.login("ada", "red", 1, "sales")
	g.accept("ada") // sales answers it after 6m in sales
	g.to("09:08:00")
	require.NoError(t, g.r.Logout(g.ctx, "ada")) // mid-chat: c1 back in sales
	g.login("cy", "red", 1, "sales")
	g.to("09:09:00")
	g.accept("cy")
	g.to("09:10:00")
	require.NoError(t, g.r.End(g.ctx, "c1")) // no wrap-up: done
	g.to("09:11:00")
	_, err = g.r.Reopen(g.ctx, routing.ChatRequest{ID: "c1", Queue: "support"}) // a new contact
	require.NoError(t, err)
	g.to("09:11:05")
	g.accept("bob")

	sales := g.window(stats.ByQueue, "sales", "09:00:00", "09:15:00")
	require.Equal(t, int64(1), sales.Entered, "entered once, though transferred back")
	require.Equal(t, int64(1), sales.OverflowedOut)
	require.Zero(t, sales.TransferredIn, "it had been in sales during the contact")
	require.Equal(t, int64(1), sales.Answered, "answered once though two agents took it")
	require.Equal(t, 6*time.Minute, sales.AnswerTime, "from entering sales at 09:00 to ada at 09:06")
	require.Equal(t, int64(1), sales.Handled, "done in sales")
	require.Equal(t, 7*time.Minute+30*time.Second, sales.TalkTime, "from the contact's first answer")

	support := g.window(stats.ByQueue, "support", "09:00:00", "09:15:00")
	require.Equal(t, int64(2), support.Entered, "overflow in, and the reopened contact")
	require.Equal(t, int64(1), support.OverflowedIn)
	require.Equal(t, int64(1), support.TransferredOut)
	require.Equal(t, int64(2), support.Answered)
	require.Equal(t, 35*time.Second, support.AnswerTime, "30s after overflowing in, 5s after reopening")

	tenant := g.window(stats.ByTenant, "acme", "09:00:00", "09:15:00")
	require.Equal(t, int64(2), tenant.Entered, "two contacts")
	require.Equal(t, int64(2), tenant.Answered)
	require.Equal(t, 2*time.Minute+35*time.Second, tenant.AnswerTime, "from each contact's start")
	require.Zero(t, tenant.OverflowedOut+tenant.TransferredOut, "moves inside the tenant")

	ada := g.window(stats.ByAgent, "ada", "09:00:00", "09:15:00")
	require.Equal(t, 2*time.Minute, ada.ChatTime, "09:06 to its logout at 09:08")
	require.Equal(t, 2*time.Minute, ada.TimeIn(routing.Available))
	require.Equal(t, int64(1), ada.Answered)
	require.Zero(t, ada.Handled)
	cy := g.window(stats.ByAgent, "cy", "09:00:00", "09:15:00")
	require.Equal(t, time.Minute, cy.ChatTime)
	require.Equal(t, int64(1), cy.Handled)
	bob := g.window(stats.ByAgent, "bob", "09:00:00", "09:15:00")
	require.Equal(t, 2*time.Minute+30*time.Second, bob.ChatTime, "the reopened chat is still open")
	require.Equal(t, int64(1), bob.TransferredOut)
	require.Equal(t, int64(2), bob.Answered)
	red := g.window(stats.ByTeam, "red", "09:00:00", "09:15:00")
	require.Equal(t, int64(2), red.Answered)
	require.Equal(t, int64(1), red.Handled)
	require.Equal(t, 3*time.Minute, red.ChatTime)
}
