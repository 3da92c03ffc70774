package routing_test

import (
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// takeAndFinish has agent accept its single pending offer and end the chat.
func takeAndFinish(t *testing.T, r *routing.Router, b *testBundle, agent switchboard.AgentID) switchboard.ChatID {
	t.Helper()
	o := onlyOffer(t, r, b, agent)
	_, err := r.Accept(b.ctx, agent, o.ID)
	require.NoError(t, err)
	require.NoError(t, r.End(b.ctx, o.Chat))
	return o.Chat
}

func TestLongestIdle(t *testing.T) {
	t.Parallel()
	// SPEC R13: longest-idle offers the chat to the agent idle the longest.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a1", 1, "q")
	b.clock.Add(time.Second)
	login(t, r, b, "a2", 1, "q")
	b.clock.Add(time.Second)
	login(t, r, b, "a3", 1, "q")
	b.clock.Add(time.Second)

	enqueue(t, r, b, "c1", "q")
	require.Equal(t, []switchboard.AgentID{"a1"}, offeredTo(t, r, b, "c1", "a1", "a2", "a3"))
	b.clock.Add(time.Second)
	takeAndFinish(t, r, b, "a1") // a1 just finished: now the least idle

	enqueue(t, r, b, "c2", "q")
	require.Equal(t, []switchboard.AgentID{"a2"}, offeredTo(t, r, b, "c2", "a1", "a2", "a3"))
	enqueue(t, r, b, "c3", "q")
	require.Equal(t, []switchboard.AgentID{"a3"}, offeredTo(t, r, b, "c3", "a1", "a2", "a3"))
	enqueue(t, r, b, "c4", "q")
	require.Equal(t, []switchboard.AgentID{"a1"}, offeredTo(t, r, b, "c4", "a1", "a2", "a3"))
}

func TestLeastBusy(t *testing.T) {
	t.Parallel()
	// SPEC R13: least-busy offers the chat to the agent with the fewest
	// chats relative to its capacity.
	r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.LeastBusy})
	login(t, r, b, "big", 4, "q")
	b.clock.Add(time.Second)
	login(t, r, b, "small", 2, "q")

	// Both idle: the longest idle (big) first. Then big is at 1/4 and small
	// at 0/2: small. Then 1/4 < 1/2: big. Then 2/4 = 1/2: the longer idle.
	want := []switchboard.AgentID{"big", "small", "big"}
	for i, w := range want {
		id := switchboard.ChatID("c" + string(rune('1'+i)))
		enqueue(t, r, b, id, "q")
		got := offeredTo(t, r, b, id, "big", "small")
		require.Equal(t, []switchboard.AgentID{w}, got, "chat %s", id)
		_, err := r.Accept(b.ctx, w, offers(t, r, b, w)[len(offers(t, r, b, w))-1].ID)
		require.NoError(t, err)
		b.clock.Add(time.Second)
	}
	a, err := r.Agent(b.ctx, "big")
	require.NoError(t, err)
	require.Equal(t, 2, a.Load(switchboard.DefaultChannel))
}

func TestRoundRobinRemembers(t *testing.T) {
	t.Parallel()
	// SPEC R13: round-robin offers in turn and remembers where it was, even
	// across routers.
	r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.RoundRobin})
	for _, id := range []switchboard.AgentID{"a1", "a2", "a3"} {
		login(t, r, b, id, 1, "q")
	}
	var got []switchboard.AgentID
	for i := range 4 {
		id := switchboard.ChatID("c" + string(rune('1'+i)))
		enqueue(t, r, b, id, "q")
		to := offeredTo(t, r, b, id, "a1", "a2", "a3")
		require.Len(t, to, 1)
		got = append(got, to[0])
		takeAndFinish(t, r, b, to[0])
	}
	require.Equal(t, []switchboard.AgentID{"a1", "a2", "a3", "a1"}, got)

	// A second router over the same store continues the turn.
	r2, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	c, err := r2.Enqueue(b.ctx, routing.ChatRequest{ID: "c5", Queue: "q"})
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"a2"}, offeredTo(t, r, b, c.ID, "a1", "a2", "a3"))
	st, err := b.store.QueueState(b.ctx, "q")
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("a2"), st.Cursor)
}

func TestRandomStrategy(t *testing.T) {
	t.Parallel()
	// SPEC R13: random offers to a uniformly random eligible agent; the
	// random source is injectable for tests.
	mock := clock.NewMock()
	mock.Set(start)
	var asked []int
	seq := []int{1, 1}
	next := func(n int) int { asked = append(asked, n); return seq[len(asked)-1] }
	r, err := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: mock, Rand: next})
	require.NoError(t, err)
	b := &testBundle{ctx: t.Context(), clock: mock}
	_, err = r.PutQueue(b.ctx, routing.Queue{ID: "q", Strategy: routing.Random})
	require.NoError(t, err)
	login(t, r, b, "a1", 1, "q")
	login(t, r, b, "a2", 1, "q")
	login(t, r, b, "a3", 1, "q")
	enqueue(t, r, b, "c1", "q")
	require.Equal(t, []switchboard.AgentID{"a2"}, offeredTo(t, r, b, "c1", "a1", "a2", "a3"))
	enqueue(t, r, b, "c2", "q") // a2 is busy now: a1 and a3 are left
	require.Equal(t, []switchboard.AgentID{"a3"}, offeredTo(t, r, b, "c2", "a1", "a2", "a3"))
	require.Equal(t, []int{3, 2}, asked)
}

func TestRandomStrategyIsSpread(t *testing.T) {
	t.Parallel()
	// SPEC R13: with the default random source every agent gets a share.
	r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.Random})
	agents := []switchboard.AgentID{"a1", "a2", "a3", "a4"}
	for _, id := range agents {
		login(t, r, b, id, 1, "q")
	}
	counts := map[switchboard.AgentID]int{}
	for i := range 400 {
		id := switchboard.ChatID("c" + string(rune(1000+i)))
		enqueue(t, r, b, id, "q")
		to := offeredTo(t, r, b, id, agents...)
		require.Len(t, to, 1)
		counts[to[0]]++
		takeAndFinish(t, r, b, to[0])
	}
	for _, id := range agents {
		require.Greater(t, counts[id], 50, "agent %s got %d of 400", id, counts[id])
	}
}

func TestPreferredAgentWithFallback(t *testing.T) {
	t.Parallel()
	// SPEC R13: a chat naming a preferred (last) agent waits for it up to the
	// queue's PreferredWait, then falls back to the queue's strategy.
	r, b := setup(t, routing.Queue{ID: "q", PreferredWait: time.Minute})
	login(t, r, b, "other", 1, "q")
	login(t, r, b, "last", 1, "q")
	require.NoError(t, r.SetState(b.ctx, "last", routing.NotReady, "busy"))

	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c1", Queue: "q", Preferred: "last"})
	require.NoError(t, err)
	require.Empty(t, offers(t, r, b, "other"), "waits for the preferred agent")

	// A chat behind it without a preference is not held up.
	enqueue(t, r, b, "c2", "q")
	require.Equal(t, switchboard.ChatID("c2"), onlyOffer(t, r, b, "other").Chat)
	require.NoError(t, r.Reject(b.ctx, "other", onlyOffer(t, r, b, "other").ID))

	// The preferred agent comes back within the wait: it gets the chat.
	advance(t, r, b, 30*time.Second)
	require.NoError(t, r.SetState(b.ctx, "last", routing.Available, ""))
	require.Equal(t, switchboard.ChatID("c1"), onlyOffer(t, r, b, "last").Chat)

	// Fallback after the timeout.
	r2, b2 := setup(t, routing.Queue{ID: "q", PreferredWait: time.Minute})
	login(t, r2, b2, "other", 1, "q")
	login(t, r2, b2, "last", 1, "q")
	require.NoError(t, r2.SetState(b2.ctx, "last", routing.NotReady, "busy"))
	_, err = r2.Enqueue(b2.ctx, routing.ChatRequest{ID: "c1", Queue: "q", Preferred: "last"})
	require.NoError(t, err)
	advance(t, r2, b2, 59*time.Second)
	require.Empty(t, offers(t, r2, b2, "other"))
	advance(t, r2, b2, time.Second)
	require.Equal(t, switchboard.ChatID("c1"), onlyOffer(t, r2, b2, "other").Chat)

	// A preferred agent that is logged out is not waited for.
	r3, b3 := setup(t, routing.Queue{ID: "q", PreferredWait: time.Hour})
	login(t, r3, b3, "other", 1, "q")
	_, err = r3.Enqueue(b3.ctx, routing.ChatRequest{ID: "c1", Queue: "q", Preferred: "gone"})
	require.NoError(t, err)
	require.Equal(t, switchboard.ChatID("c1"), onlyOffer(t, r3, b3, "other").Chat)
}

func TestSkillsAndPriority(t *testing.T) {
	t.Parallel()
	// SPEC R14: chats may require skills with a minimum proficiency; higher
	// priority is served first, FIFO within a priority.
	r, b := setup(t, routing.Queue{ID: "q", RequiredSkills: []routing.SkillRequirement{{Skill: "english", Min: 1}}})
	_, err := r.Login(b.ctx, "novice", routing.Profile{Queues: qids("q"), Capacity: chatCap(5),
		Skills: []routing.Skill{{Name: "english", Level: 5}, {Name: "billing", Level: 2}}})
	require.NoError(t, err)
	_, err = r.Login(b.ctx, "nolang", routing.Profile{Queues: qids("q"), Capacity: chatCap(5),
		Skills: []routing.Skill{{Name: "billing", Level: 9}}})
	require.NoError(t, err)

	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "expert", Queue: "q",
		Skills: []routing.SkillRequirement{{Skill: "billing", Min: 5}}})
	require.NoError(t, err)
	require.Empty(t, offeredTo(t, r, b, "expert", "novice", "nolang"), "nobody has english and billing 5")

	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "simple", Queue: "q",
		Skills: []routing.SkillRequirement{{Skill: "billing", Min: 2}}})
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"novice"}, offeredTo(t, r, b, "simple", "novice", "nolang"))

	// Priority and FIFO: one slot, several chats waiting.
	r2, b2 := setup(t, routing.Queue{ID: "q"})
	for i, p := range []int{0, 5, 0, 5, 1} {
		id := switchboard.ChatID([]string{"low1", "high1", "low2", "high2", "mid"}[i])
		_, err := r2.Enqueue(b2.ctx, routing.ChatRequest{ID: id, Queue: "q", Priority: p})
		require.NoError(t, err)
	}
	login(t, r2, b2, "a", 1, "q")
	var order []switchboard.ChatID
	for range 5 {
		order = append(order, takeAndFinish(t, r2, b2, "a"))
	}
	require.Equal(t, []switchboard.ChatID{"high1", "high2", "mid", "low1", "low2"}, order)
}

func TestQueuePriorityAcrossQueues(t *testing.T) {
	t.Parallel()
	// SPEC R14: an agent serving several queues is offered the chat of the
	// higher-priority queue first.
	r, b := setup(t, routing.Queue{ID: "gold", Priority: 10}, routing.Queue{ID: "basic"})
	enqueue(t, r, b, "b1", "basic")
	b.clock.Add(time.Minute)
	enqueue(t, r, b, "g1", "gold")
	login(t, r, b, "a", 1, "basic", "gold")
	require.Equal(t, switchboard.ChatID("g1"), onlyOffer(t, r, b, "a").Chat)
}

func TestPreferredAgentLogsOutWhileAwaited(t *testing.T) {
	t.Parallel()
	// SPEC R13: a chat waiting for its preferred agent moves on at once when
	// that agent logs out, rather than waiting out PreferredWait.
	r, b := setup(t, routing.Queue{ID: "q", PreferredWait: time.Hour})
	login(t, r, b, "last", 1, "q")
	require.NoError(t, r.SetState(b.ctx, "last", routing.NotReady, "busy"))
	login(t, r, b, "other", 1, "q")
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c1", Queue: "q", Preferred: "last"})
	require.NoError(t, err)
	require.Empty(t, offers(t, r, b, "other"))
	require.NoError(t, r.Logout(b.ctx, "last"))
	require.Equal(t, switchboard.ChatID("c1"), onlyOffer(t, r, b, "other").Chat)
}
