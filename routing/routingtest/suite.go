package routingtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

var t0 = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

// RunStoreTests runs the conformance suite against the stores newStore
// returns. Each call must return a new, empty store; cases run in parallel.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) routing.Store) {
	cases := []struct {
		name string
		run  func(t *testing.T, s routing.Store)
	}{
		{"NotFound", testNotFound},
		{"CommitCreatesAndVersions", testCommitVersions},
		{"CommitIsAllOrNothing", testCommitAtomic},
		{"CommitRejectsDuplicates", testCommitDuplicates},
		{"ChatSequence", testChatSequence},
		{"CopiesAcrossTheBoundary", testCopies},
		{"Candidates", testCandidates},
		{"WaitingAndPosition", testWaiting},
		{"CandidatesBySkill", testSkillCandidates},
		{"ParkedChats", testParkedChats},
		{"AgentChats", testAgentChats},
		{"ConferenceFields", testConferenceFields},
		{"PendingOffers", testPendingOffers},
		{"QueuesAndLicence", testQueuesAndLicence},
		{"QueueStates", testQueueStates},
		{"ReadChecks", testReadChecks},
		{"LicenceCount", testLicenceCount},
		{"LicenceShards", testLicenceShards},
		{"LicenceShardCount", testLicenceShardCount},
		{"Due", testDue},
		{"AgentDeadlines", testAgentDeadlines},
		{"DisconnectedAgentsAreNoCandidates", testDisconnectedCandidates},
		{"LoggedIn", testLoggedIn},
		{"AgentLoader", testAgentLoader},
		{"CancelledContext", testCancelled},
		{"ConcurrentCompareAndSet", testConcurrentCAS},
		{"RouterRace", testRouterRace},
		{"EventsCommitWithWrites", testEventsCommitWithWrites},
		{"EventSeqPerPartition", testEventSeq},
		{"ConcurrentEvents", testConcurrentEvents},
		{"EventsAfterAndLimit", testEventsAfterAndLimit},
		{"EventTip", testEventTip},
		{"EventAppend", testEventAppend},
		{"Cursors", testCursors},
		{"EventRetention", testEventRetention},
		{"Applied", testApplied},
		{"CrossChannel", testCrossChannel},
		{"BusinessHours", testBusinessHours},
		{"AgingOrder", testAgingOrder},
		{"RelaxDeadline", testRelaxDeadline},
		{"PickRace", testPickRace},
		{"OnHoldDeadlines", testOnHoldDeadlines},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

func commit(t *testing.T, s routing.Store, txn routing.Txn) {
	t.Helper()
	require.NoError(t, s.Commit(context.Background(), txn))
}

func queue(id switchboard.QueueID, strategy routing.Strategy) routing.Queue {
	return routing.Queue{ID: id, Channel: switchboard.DefaultChannel, Strategy: strategy, AcceptTimeout: time.Minute}
}

func agent(id switchboard.AgentID, idle time.Duration, used, capacity int, queues ...switchboard.QueueID) routing.Agent {
	return routing.Agent{
		ID: id, State: routing.Available, IdleSince: t0.Add(idle), Used: []int{used},
		Profile: routing.Profile{
			DisplayName: string(id), Queues: queues,
			Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: capacity}},
			Skills:   []routing.Skill{{Name: "english", Level: 2}},
		},
	}
}

func chat(id switchboard.ChatID, q switchboard.QueueID, priority int, seq uint64, state routing.ChatState) routing.Chat {
	return routing.Chat{ID: id, Queue: q, Channel: switchboard.DefaultChannel, Priority: priority, Seq: seq,
		EnqueuedAt: t0, State: state}
}

func testNotFound(t *testing.T, s routing.Store) {
	ctx := context.Background()
	_, err := s.Agent(ctx, "nobody")
	require.ErrorIs(t, err, routing.ErrAgentNotFound)
	_, err = s.Chat(ctx, "nothing")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
	_, _, err = s.Position(ctx, "nothing")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
	_, err = s.Offer(ctx, "none")
	require.ErrorIs(t, err, routing.ErrOfferNotFound)
	_, err = s.Queue(ctx, "none")
	require.ErrorIs(t, err, routing.ErrQueueNotFound)
	l, err := s.Licence(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, routing.Licence{Shard: 3}, l)
	_, err = s.Licence(ctx, -1)
	require.ErrorIs(t, err, routing.ErrInvalid)
	qs, err := s.Queues(ctx)
	require.NoError(t, err)
	require.Empty(t, qs)
}

func testCommitVersions(t *testing.T, s routing.Store) {
	ctx := context.Background()
	q := queue("q", routing.LongestIdle)
	a := agent("a", 0, 0, 1, "q")
	commit(t, s, routing.Txn{Queues: []routing.Queue{q}, Agents: []routing.Agent{a}})
	got, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	require.EqualValues(t, 1, got.Version)
	require.Equal(t, a.Profile, got.Profile)

	// Creating it again conflicts.
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{Agents: []routing.Agent{a}}), routing.ErrConflict)
	// Updating with the read version succeeds once.
	got.State = routing.NotReady
	commit(t, s, routing.Txn{Agents: []routing.Agent{got}})
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{Agents: []routing.Agent{got}}), routing.ErrConflict)
	again, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	require.EqualValues(t, 2, again.Version)
	require.Equal(t, routing.NotReady, again.State)
	// Updating a record that does not exist conflicts.
	ghost := agent("ghost", 0, 0, 1)
	ghost.Version = 3
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{Agents: []routing.Agent{ghost}}), routing.ErrConflict)

	lic := routing.Licence{Limit: 5, Total: 5, Shards: 1}
	commit(t, s, routing.Txn{Licences: []routing.Licence{lic}})
	l, err := s.Licence(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, routing.Licence{Limit: 5, Total: 5, Shards: 1, Version: 1}, l)
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{Licences: []routing.Licence{lic}}), routing.ErrConflict)
}

func testCommitAtomic(t *testing.T, s routing.Store) {
	ctx := context.Background()
	commit(t, s, routing.Txn{Queues: []routing.Queue{queue("q", routing.LongestIdle)},
		Agents: []routing.Agent{agent("a", 0, 0, 1, "q")},
		Chats:  []routing.Chat{chat("c", "q", 0, 1, routing.Queued)}})
	a, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	c, err := s.Chat(ctx, "c")
	require.NoError(t, err)
	stale := c
	stale.Version = 7
	a.State = routing.NotReady
	offer := routing.Offer{ID: "c#1", Chat: "c", Agent: "a", Queue: "q", Channel: switchboard.DefaultChannel, ExpiresAt: t0.Add(time.Minute)}
	err = s.Commit(ctx, routing.Txn{Agents: []routing.Agent{a}, Chats: []routing.Chat{stale}, Offers: []routing.Offer{offer}})
	require.ErrorIs(t, err, routing.ErrConflict)

	after, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, routing.Available, after.State, "a failed commit changed an agent")
	_, err = s.Offer(ctx, "c#1")
	require.ErrorIs(t, err, routing.ErrOfferNotFound, "a failed commit created an offer")
	due, err := s.Due(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	require.Empty(t, due, "a failed commit indexed a deadline")
}

func testCommitDuplicates(t *testing.T, s routing.Store) {
	ctx := context.Background()
	q := queue("q", routing.LongestIdle)
	err := s.Commit(ctx, routing.Txn{Queues: []routing.Queue{q, q}})
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = s.Queue(ctx, "q")
	require.ErrorIs(t, err, routing.ErrQueueNotFound)
}

// testChatSequence checks Chat.Seq: assigned by Commit when it creates a
// chat (whatever was written), reported back in the Txn, increasing across
// commits, kept on update, and assigned anew to a chat written with Seq 0.
func testChatSequence(t *testing.T, s routing.Store) {
	ctx := context.Background()
	first := routing.Txn{Chats: []routing.Chat{chat("b", "q", 0, 0, routing.Queued), chat("a", "q", 0, 99, routing.Queued)}}
	commit(t, s, first)
	second := routing.Txn{Chats: []routing.Chat{chat("c", "q", 0, 0, routing.Queued)}}
	commit(t, s, second)
	seq := map[switchboard.ChatID]uint64{}
	for _, id := range []switchboard.ChatID{"b", "a", "c"} {
		c, err := s.Chat(ctx, id)
		require.NoError(t, err)
		seq[id] = c.Seq
	}
	require.NotZero(t, seq["b"])
	require.Less(t, seq["b"], seq["a"], "chats created in one commit are numbered in order")
	require.Less(t, seq["a"], seq["c"], "a later commit numbers higher")
	require.Equal(t, seq["b"], first.Chats[0].Seq, "Commit reports the Seq it assigned")
	require.Equal(t, seq["a"], first.Chats[1].Seq)
	require.Equal(t, seq["c"], second.Chats[0].Seq)

	// The queue order follows the stored sequence.
	waiting, err := s.Waiting(ctx, "q", 0, 0)
	require.NoError(t, err)
	require.Equal(t, []switchboard.ChatID{"b", "a", "c"}, waiting)

	// An update keeps the stored Seq, whatever was written.
	b, err := s.Chat(ctx, "b")
	require.NoError(t, err)
	b.State, b.Seq = routing.Offered, seq["c"]+100
	commit(t, s, routing.Txn{Chats: []routing.Chat{b}})
	b, err = s.Chat(ctx, "b")
	require.NoError(t, err)
	require.Equal(t, seq["b"], b.Seq)

	// An update written with Seq 0 takes a new, higher one.
	b.Seq = 0
	commit(t, s, routing.Txn{Chats: []routing.Chat{b}})
	b, err = s.Chat(ctx, "b")
	require.NoError(t, err)
	require.Greater(t, b.Seq, seq["c"])

	// A failed commit assigns nothing that a reader sees.
	err = s.Commit(ctx, routing.Txn{Chats: []routing.Chat{chat("a", "q", 0, 0, routing.Queued)}})
	require.ErrorIs(t, err, routing.ErrConflict)
	a, err := s.Chat(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, seq["a"], a.Seq)
}

func testCopies(t *testing.T, s routing.Store) {
	ctx := context.Background()
	q := queue("q", routing.LongestIdle)
	a := agent("a", 0, 0, 2, "q")
	c := chat("c", "q", 0, 1, routing.Queued)
	c.Transcript = []routing.Turn{{From: "bot", Text: "hello"}}
	c.Skills = []routing.SkillRequirement{{Skill: "english", Min: 1}}
	txn := routing.Txn{Queues: []routing.Queue{q}, Agents: []routing.Agent{a}, Chats: []routing.Chat{c}}
	commit(t, s, txn)
	// Changing what was committed changes nothing stored.
	txn.Agents[0].Profile.Queues[0] = "changed"
	txn.Agents[0].Used[0] = 9
	txn.Chats[0].Transcript[0].Text = "changed"
	txn.Chats[0].Skills[0].Min = 9

	got, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, switchboard.QueueID("q"), got.Profile.Queues[0])
	require.Equal(t, 0, got.Used[0])
	gc, err := s.Chat(ctx, "c")
	require.NoError(t, err)
	require.Equal(t, "hello", gc.Transcript[0].Text)
	require.Equal(t, 1, gc.Skills[0].Min)

	// Changing what was read changes nothing stored.
	got.Profile.Queues[0] = "changed"
	got.Profile.Capacity[0].Max = 9
	got.Used[0] = 9
	gc.Transcript[0].Text = "changed"
	again, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, switchboard.QueueID("q"), again.Profile.Queues[0])
	require.Equal(t, 2, again.Profile.Capacity[0].Max)
	require.Equal(t, 0, again.Used[0])
	gc2, err := s.Chat(ctx, "c")
	require.NoError(t, err)
	require.Equal(t, "hello", gc2.Transcript[0].Text)
}

func testCandidates(t *testing.T, s routing.Store) {
	ctx := context.Background()
	q := queue("q", routing.LeastBusy)
	notReady := agent("not-ready", 0, 0, 2, "q")
	notReady.State = routing.NotReady
	full := agent("full", 0, 2, 2, "q")
	other := agent("other-queue", 0, 0, 2, "elsewhere")
	noSkill := agent("no-skill", 0, 0, 2, "q")
	noSkill.Profile.Skills = nil
	agents := []routing.Agent{
		agent("a1", 3*time.Second, 1, 2, "q"), // load 1/2
		agent("a2", 2*time.Second, 0, 1, "q"), // load 0
		agent("a3", 1*time.Second, 1, 4, "q"), // load 1/4
		agent("a4", 4*time.Second, 0, 3, "q"), // load 0
		notReady, full, other, noSkill,
	}
	commit(t, s, routing.Txn{Queues: []routing.Queue{q, queue("elsewhere", routing.LongestIdle)}, Agents: agents})

	base := routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel,
		Require: []routing.SkillRequirement{{Skill: "english", Min: 1}}}
	cases := []struct {
		name string
		mod  func(*routing.CandidateQuery)
		want []switchboard.AgentID
	}{
		{"ByLoad", func(q *routing.CandidateQuery) { q.Order = routing.ByLoad }, []switchboard.AgentID{"a2", "a4", "a3", "a1"}},
		{"ByIdle", func(q *routing.CandidateQuery) { q.Order = routing.ByIdle }, []switchboard.AgentID{"a3", "a2", "a1", "a4"}},
		{"ByID", func(q *routing.CandidateQuery) { q.Order = routing.ByID }, []switchboard.AgentID{"a1", "a2", "a3", "a4"}},
		{"ByIDAfter", func(q *routing.CandidateQuery) { q.Order, q.After = routing.ByID, "a2" }, []switchboard.AgentID{"a3", "a4"}},
		{"Limit", func(q *routing.CandidateQuery) { q.Order, q.Limit = routing.ByLoad, 2 }, []switchboard.AgentID{"a2", "a4"}},
		{"Exclude", func(q *routing.CandidateQuery) {
			q.Order, q.Exclude = routing.ByLoad, []switchboard.AgentID{"a2", "a3"}
		}, []switchboard.AgentID{"a4", "a1"}},
		{"Require", func(q *routing.CandidateQuery) {
			q.Order, q.Require = routing.ByLoad, []routing.SkillRequirement{{Skill: "english", Min: 3}}
		}, nil},
		{"WithoutSkills", func(q *routing.CandidateQuery) { q.Order, q.Require = routing.ByID, nil },
			[]switchboard.AgentID{"a1", "a2", "a3", "a4", "no-skill"}},
	}
	for _, tc := range cases {
		q := base
		tc.mod(&q)
		got, err := s.Candidates(ctx, q)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}

	// Changes are reflected at once: a1 fills up, a3 goes NotReady.
	a1, err := s.Agent(ctx, "a1")
	require.NoError(t, err)
	a1.Used[0] = 2
	a3, err := s.Agent(ctx, "a3")
	require.NoError(t, err)
	a3.State = routing.NotReady
	commit(t, s, routing.Txn{Agents: []routing.Agent{a1, a3}})
	q1 := base
	q1.Order = routing.ByLoad
	got, err := s.Candidates(ctx, q1)
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"a2", "a4"}, got)
}

// testSkillCandidates checks required skills and minimum levels, for a
// skill held by one agent, by none, and two skills at once, in each order a
// queue's strategy selects by.
func testSkillCandidates(t *testing.T, s routing.Store) {
	ctx := context.Background()
	for _, strategy := range []routing.Strategy{routing.LongestIdle, routing.LeastBusy, routing.RoundRobin} {
		qid := switchboard.QueueID("skills-" + strategy.String())
		var agents []routing.Agent
		for i, skills := range [][]routing.Skill{
			{{Name: "english", Level: 1}},
			{{Name: "english", Level: 3}, {Name: "french", Level: 1}},
			{{Name: "english", Level: 2}, {Name: "billing", Level: 2}},
			{{Name: "french", Level: 2}, {Name: "billing", Level: 1}},
			{{Name: "english", Level: 5}, {Name: "french", Level: 2}, {Name: "rare", Level: 1}},
		} {
			a := agent(switchboard.AgentID(fmt.Sprintf("%s-%d", qid, i)), time.Duration(i)*time.Second, 0, 2, qid)
			a.Profile.Skills = skills
			agents = append(agents, a)
		}
		busy := agent(switchboard.AgentID(string(qid)+"-busy"), 0, 2, 2, qid) // full: never a candidate
		busy.Profile.Skills = []routing.Skill{{Name: "rare", Level: 9}}
		commit(t, s, routing.Txn{Queues: []routing.Queue{queue(qid, strategy)}, Agents: append(agents, busy)})
		id := func(i int) switchboard.AgentID { return agents[i].ID }

		cases := []struct {
			name string
			req  []routing.SkillRequirement
			want []switchboard.AgentID // in ID order
		}{
			{"HeldByOne", []routing.SkillRequirement{{Skill: "rare", Min: 1}}, []switchboard.AgentID{id(4)}},
			{"HeldByNone", []routing.SkillRequirement{{Skill: "nobody", Min: 0}}, nil},
			{"LevelHeldByNone", []routing.SkillRequirement{{Skill: "billing", Min: 3}}, nil},
			{"MinimumLevel", []routing.SkillRequirement{{Skill: "english", Min: 2}}, []switchboard.AgentID{id(1), id(2), id(4)}},
			{"LevelZeroNeedsTheSkill", []routing.SkillRequirement{{Skill: "billing", Min: 0}}, []switchboard.AgentID{id(2), id(3)}},
			{"TwoSkills", []routing.SkillRequirement{{Skill: "english", Min: 1}, {Skill: "french", Min: 2}}, []switchboard.AgentID{id(4)}},
			{"TwoSkillsNobodyHasBoth", []routing.SkillRequirement{{Skill: "billing", Min: 1}, {Skill: "rare", Min: 1}}, nil},
		}
		order := routing.OrderOf(strategy)
		for _, tc := range cases {
			for _, limit := range []int{0, 1} {
				got, err := s.Candidates(ctx, routing.CandidateQuery{Queue: qid, Channel: switchboard.DefaultChannel,
					Require: tc.req, Order: order, Limit: limit})
				require.NoError(t, err, tc.name)
				want := sortedAgents(agents, order, tc.want)
				if limit > 0 && len(want) > limit {
					want = want[:limit]
				}
				require.Equal(t, want, got, "%s %s limit %d", strategy, tc.name, limit)
			}
		}

		// A change of skills is reflected at once.
		a0, err := s.Agent(ctx, id(0))
		require.NoError(t, err)
		a0.Profile.Skills = append(a0.Profile.Skills, routing.Skill{Name: "rare", Level: 1})
		commit(t, s, routing.Txn{Agents: []routing.Agent{a0}})
		got, err := s.Candidates(ctx, routing.CandidateQuery{Queue: qid, Channel: switchboard.DefaultChannel,
			Require: []routing.SkillRequirement{{Skill: "rare", Min: 1}}, Order: routing.ByID})
		require.NoError(t, err)
		require.Equal(t, []switchboard.AgentID{id(0), id(4)}, got, strategy.String())
	}
}

// sortedAgents returns ids in the order o puts the agents with those IDs.
func sortedAgents(agents []routing.Agent, o routing.Order, ids []switchboard.AgentID) []switchboard.AgentID {
	var sel []*routing.Agent
	for i := range agents {
		if slices.Contains(ids, agents[i].ID) {
			sel = append(sel, &agents[i])
		}
	}
	slices.SortFunc(sel, func(a, b *routing.Agent) int { return routing.Compare(o, switchboard.DefaultChannel, a, b) })
	var out []switchboard.AgentID
	for _, a := range sel {
		out = append(out, a.ID)
	}
	return out
}

// testParkedChats checks that Waiting leaves out the chats parked at their
// skill's current epoch, lists them again once the epoch moves, whatever
// else the queue state holds, and still counts them in positions.
func testParkedChats(t *testing.T, s routing.Store) {
	ctx := context.Background()
	first := chat("first", "pq", 0, 0, routing.Queued)
	rare := chat("rare", "pq", 0, 0, routing.Queued)
	rare.Parked, rare.ParkedOn = true, "rare"
	anyone := chat("anyone", "pq", 0, 0, routing.Queued)
	anyone.Parked = true
	last := chat("last", "pq", 0, 0, routing.Queued)
	for i, c := range []*routing.Chat{&first, &rare, &anyone, &last} {
		c.EnqueuedAt = t0.Add(time.Duration(i) * time.Second)
	}
	st := routing.QueueState{Queue: "pq", Epochs: []routing.SkillEpoch{{Skill: "rare"}, {Skill: ""}}}
	commit(t, s, routing.Txn{Queues: []routing.Queue{queue("pq", routing.LongestIdle)},
		Chats: []routing.Chat{first, rare, anyone, last}, QueueStates: []routing.QueueState{st}})
	waiting := func() []switchboard.ChatID {
		t.Helper()
		ids, err := s.Waiting(ctx, "pq", 0, 0)
		require.NoError(t, err)
		return ids
	}
	require.Equal(t, []switchboard.ChatID{"first", "last"}, waiting(), "parked chats are left out")
	page, err := s.Waiting(ctx, "pq", 1, 1)
	require.NoError(t, err)
	require.Equal(t, []switchboard.ChatID{"last"}, page, "offsets count only chats listed")
	n, exact, err := s.Position(ctx, "last")
	require.NoError(t, err)
	if exact {
		require.Equal(t, 3, n, "parked chats keep their place")
	}
	got, err := s.QueueState(ctx, "pq")
	require.NoError(t, err)
	require.Equal(t, st.Epochs, got.Epochs)
	require.True(t, got.ParkedNow(&rare))

	// Another skill's epoch moving wakes nobody parked on "rare".
	st = got
	st.Epochs = []routing.SkillEpoch{{Skill: "rare"}, {Skill: ""}, {Skill: "french", Epoch: 4}}
	commit(t, s, routing.Txn{QueueStates: []routing.QueueState{st}})
	require.Equal(t, []switchboard.ChatID{"first", "last"}, waiting())

	// The "" epoch moves: the chat parked on it waits again.
	st.Version++
	st.Epochs[1].Epoch++
	commit(t, s, routing.Txn{QueueStates: []routing.QueueState{st}})
	require.Equal(t, []switchboard.ChatID{"first", "anyone", "last"}, waiting())

	// A chat parked at an epoch already past is waiting.
	c, err := s.Chat(ctx, "first")
	require.NoError(t, err)
	require.False(t, c.Parked)
	c.Parked, c.ParkedOn, c.ParkedEpoch = true, "", 0
	commit(t, s, routing.Txn{Chats: []routing.Chat{c}})
	require.Equal(t, []switchboard.ChatID{"first", "anyone", "last"}, waiting())

	// The "rare" epoch moves; then a chat written unparked is listed too.
	st.Version++
	st.Epochs[0].Epoch = 7
	commit(t, s, routing.Txn{QueueStates: []routing.QueueState{st}})
	require.Equal(t, []switchboard.ChatID{"first", "rare", "anyone", "last"}, waiting())
	r, err := s.Chat(ctx, "rare")
	require.NoError(t, err)
	require.True(t, r.Parked, "the store keeps the record as written")
	r.Parked, r.ParkedEpoch = true, 7
	commit(t, s, routing.Txn{Chats: []routing.Chat{r}})
	require.Equal(t, []switchboard.ChatID{"first", "anyone", "last"}, waiting(), "parked again at the current epoch")
	r.Version++
	r.Parked = false
	commit(t, s, routing.Txn{Chats: []routing.Chat{r}})
	require.Equal(t, []switchboard.ChatID{"first", "rare", "anyone", "last"}, waiting())
}

func testWaiting(t *testing.T, s routing.Store) {
	ctx := context.Background()
	chats := []routing.Chat{
		chat("low-1", "q", 0, 1, routing.Queued),
		chat("high-1", "q", 2, 2, routing.Queued),
		chat("offered", "q", 1, 3, routing.Offered),
		chat("low-2", "q", 0, 4, routing.Queued),
		chat("high-2", "q", 2, 5, routing.Queued),
		chat("other", "r", 9, 6, routing.Queued),
		chat("done", "q", 9, 7, routing.Done),
	}
	chats[3].EnqueuedAt = t0.Add(-time.Second) // older than low-1 despite its sequence
	commit(t, s, routing.Txn{Queues: []routing.Queue{queue("q", routing.LongestIdle), queue("r", routing.LongestIdle)}, Chats: chats})

	all, err := s.Waiting(ctx, "q", 0, 0)
	require.NoError(t, err)
	require.Equal(t, []switchboard.ChatID{"high-1", "high-2", "low-2", "low-1"}, all)
	page, err := s.Waiting(ctx, "q", 1, 2)
	require.NoError(t, err)
	require.Equal(t, []switchboard.ChatID{"high-2", "low-2"}, page)
	none, err := s.Waiting(ctx, "q", 4, 2)
	require.NoError(t, err)
	require.Empty(t, none)

	for id, want := range map[switchboard.ChatID]int{"high-1": 0, "high-2": 1, "offered": 2, "low-2": 3, "low-1": 4, "other": 0} {
		got, exact, err := s.Position(ctx, id)
		require.NoError(t, err)
		if exact {
			require.Equal(t, want, got, "chats ahead of %s", id)
		} else {
			// An estimate still counts only chats of the queue that wait.
			require.GreaterOrEqual(t, got, 0, "estimate of the chats ahead of %s", id)
			require.Less(t, got, 5, "estimate of the chats ahead of %s", id)
		}
	}
}

func testAgentChats(t *testing.T, s routing.Store) {
	ctx := context.Background()
	assigned := chat("assigned", "q", 0, 1, routing.Assigned)
	assigned.Agent = "a"
	wrap := chat("wrap", "q", 0, 2, routing.InWrapUp)
	wrap.Agent, wrap.WrapUpUntil = "a", t0.Add(time.Minute)
	done := chat("done", "q", 0, 3, routing.Done)
	done.Agent = "a"
	other := chat("other", "q", 0, 4, routing.Assigned)
	other.Agent = "b"
	commit(t, s, routing.Txn{Chats: []routing.Chat{assigned, wrap, done, other}})
	got, err := s.AgentChats(ctx, "a")
	require.NoError(t, err)
	ids := make([]switchboard.ChatID, len(got))
	for i, c := range got {
		ids[i] = c.ID
	}
	require.ElementsMatch(t, []switchboard.ChatID{"assigned", "wrap"}, ids)
	got, err = s.AgentChats(ctx, "b")
	require.NoError(t, err)
	require.Len(t, got, 1)
}

// testConferenceFields checks the records of invites, consultants and
// wrap-up holds: AgentChats counts consultants and holders, a hold's end is
// a deadline even after the chat is over, and the new slices are copied
// across the boundary.
func testConferenceFields(t *testing.T, s routing.Store) {
	ctx := context.Background()
	conf := chat("conf", "q", 0, 1, routing.Assigned)
	conf.Agent, conf.Consultants = "owner", []switchboard.AgentID{"consultant"}
	conf.Holds = []routing.Hold{{Agent: "former", Channel: switchboard.DefaultChannel, Until: t0.Add(2 * time.Minute)}}
	conf.Invitation = routing.Invitation{Offer: "conf#2", Kind: routing.InviteOffer, From: "owner", Queue: "q",
		Declined: []switchboard.AgentID{"busy"}}
	over := chat("over", "q", 0, 2, routing.Done)
	over.Agent = "owner"
	over.Holds = []routing.Hold{{Agent: "consultant", Channel: switchboard.DefaultChannel, Until: t0.Add(time.Minute)}}
	invite := routing.Offer{ID: "conf#2", Kind: routing.InviteOffer, Chat: "conf", Agent: "invitee", From: "owner",
		Queue: "q", Channel: switchboard.DefaultChannel, ExpiresAt: t0.Add(30 * time.Second), Comment: "note"}
	txn := routing.Txn{Chats: []routing.Chat{conf, over}, Offers: []routing.Offer{invite}}
	commit(t, s, txn)
	txn.Chats[0].Consultants[0] = "changed"
	txn.Chats[0].Holds[0].Agent = "changed"
	txn.Chats[0].Invitation.Declined[0] = "changed"

	ids := func(agent switchboard.AgentID) []switchboard.ChatID {
		got, err := s.AgentChats(ctx, agent)
		require.NoError(t, err)
		out := []switchboard.ChatID{}
		for _, c := range got {
			out = append(out, c.ID)
		}
		return out
	}
	require.Equal(t, []switchboard.ChatID{"conf"}, ids("owner"))
	require.ElementsMatch(t, []switchboard.ChatID{"conf", "over"}, ids("consultant"))
	require.Equal(t, []switchboard.ChatID{"conf"}, ids("former"))
	require.Empty(t, ids("invitee"))

	got, err := s.Chat(ctx, "conf")
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"consultant"}, got.Consultants)
	require.Equal(t, "former", string(got.Holds[0].Agent))
	require.Equal(t, []switchboard.AgentID{"busy"}, got.Invitation.Declined)
	got.Consultants[0], got.Holds[0].Agent, got.Invitation.Declined[0] = "changed", "changed", "changed"
	again, err := s.Chat(ctx, "conf")
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"consultant"}, again.Consultants)
	require.Equal(t, "former", string(again.Holds[0].Agent))
	require.Equal(t, []switchboard.AgentID{"busy"}, again.Invitation.Declined)
	o, err := s.Offer(ctx, "conf#2")
	require.NoError(t, err)
	require.Equal(t, routing.InviteOffer, o.Kind)
	require.Equal(t, switchboard.AgentID("owner"), o.From)
	require.Equal(t, "note", o.Comment)
	pending, err := s.PendingOffers(ctx, routing.OfferFilter{Agent: "invitee"})
	require.NoError(t, err)
	require.Len(t, pending, 1)

	due, err := s.Due(ctx, t0.Add(3*time.Minute), 0)
	require.NoError(t, err)
	require.Equal(t, []routing.Due{
		{At: t0.Add(30 * time.Second), Kind: routing.OfferDeadline, Key: "conf#2"},
		{At: t0.Add(time.Minute), Kind: routing.ChatDeadline, Key: "over"},
		{At: t0.Add(2 * time.Minute), Kind: routing.ChatDeadline, Key: "conf"},
	}, normaliseDue(due))

	// A hold completed: the deadline and the holder's chat go with it.
	again.Holds = nil
	again.Consultants = nil
	commit(t, s, routing.Txn{Chats: []routing.Chat{again}})
	require.Empty(t, ids("former"))
	require.Equal(t, []switchboard.ChatID{"over"}, ids("consultant"))
	due, err = s.Due(ctx, t0.Add(3*time.Minute), 0)
	require.NoError(t, err)
	require.Len(t, due, 2)
}

func testPendingOffers(t *testing.T, s routing.Store) {
	ctx := context.Background()
	mk := func(id routing.OfferID, c switchboard.ChatID, a switchboard.AgentID, created time.Duration) routing.Offer {
		return routing.Offer{ID: id, Chat: c, Agent: a, Queue: "q", Channel: switchboard.DefaultChannel,
			CreatedAt: t0.Add(created), ExpiresAt: t0.Add(created + time.Minute)}
	}
	resolved := mk("c1#3", "c1", "b", 3)
	resolved.Outcome = routing.Rejected
	commit(t, s, routing.Txn{Offers: []routing.Offer{mk("c1#1", "c1", "a", 1), mk("c1#2", "c1", "b", 2), resolved, mk("c2#1", "c2", "a", 4)}})

	byChat, err := s.PendingOffers(ctx, routing.OfferFilter{Chat: "c1"})
	require.NoError(t, err)
	require.Equal(t, []routing.OfferID{"c1#1", "c1#2"}, offerIDs(byChat))
	byAgent, err := s.PendingOffers(ctx, routing.OfferFilter{Agent: "a"})
	require.NoError(t, err)
	require.Equal(t, []routing.OfferID{"c1#1", "c2#1"}, offerIDs(byAgent))

	o, err := s.Offer(ctx, "c1#1")
	require.NoError(t, err)
	o.Outcome = routing.Accepted
	commit(t, s, routing.Txn{Offers: []routing.Offer{o}})
	byAgent, err = s.PendingOffers(ctx, routing.OfferFilter{Agent: "a"})
	require.NoError(t, err)
	require.Equal(t, []routing.OfferID{"c2#1"}, offerIDs(byAgent))
	got, err := s.Offer(ctx, "c1#1")
	require.NoError(t, err, "resolved offers stay readable")
	require.Equal(t, routing.Accepted, got.Outcome)
}

func offerIDs(os []routing.Offer) []routing.OfferID {
	ids := make([]routing.OfferID, len(os))
	for i, o := range os {
		ids[i] = o.ID
	}
	return ids
}

func testQueuesAndLicence(t *testing.T, s routing.Store) {
	ctx := context.Background()
	b := queue("b", routing.RingAll)
	b.RequiredSkills = []routing.SkillRequirement{{Skill: "x", Min: 1}}
	commit(t, s, routing.Txn{Queues: []routing.Queue{b, queue("a", routing.LongestIdle)}})
	qs, err := s.Queues(ctx)
	require.NoError(t, err)
	require.Len(t, qs, 2)
	require.Equal(t, switchboard.QueueID("a"), qs[0].ID)
	require.Equal(t, b.RequiredSkills, qs[1].RequiredSkills)
	got, err := s.Queue(ctx, "b")
	require.NoError(t, err)
	got.Strategy = routing.LeastBusy
	commit(t, s, routing.Txn{Queues: []routing.Queue{got}})
	got, err = s.Queue(ctx, "b")
	require.NoError(t, err)
	require.Equal(t, routing.LeastBusy, got.Strategy)
	require.EqualValues(t, 2, got.Version)
}

// testQueueStates checks the queue state record: zero until stored,
// versioned like every record, written twice in a Txn rejected, and
// independent of the queue's configuration record.
func testQueueStates(t *testing.T, s routing.Store) {
	ctx := context.Background()
	st, err := s.QueueState(ctx, "q")
	require.NoError(t, err)
	require.Equal(t, routing.QueueState{Queue: "q"}, st, "a state never stored is the zero state of its queue")

	commit(t, s, routing.Txn{Queues: []routing.Queue{queue("q", routing.RoundRobin)}})
	commit(t, s, routing.Txn{QueueStates: []routing.QueueState{{Queue: "q", Cursor: "a1"}}})
	st, err = s.QueueState(ctx, "q")
	require.NoError(t, err)
	require.Equal(t, routing.QueueState{Queue: "q", Cursor: "a1", Version: 1}, st)
	q, err := s.Queue(ctx, "q")
	require.NoError(t, err)
	require.EqualValues(t, 1, q.Version, "writing the state left the queue record alone")

	// Creating it again, or updating a stale version, conflicts and
	// changes nothing.
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{QueueStates: []routing.QueueState{{Queue: "q", Cursor: "x"}}}), routing.ErrConflict)
	next := st
	next.Cursor = "a2"
	commit(t, s, routing.Txn{QueueStates: []routing.QueueState{next}})
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{QueueStates: []routing.QueueState{next}}), routing.ErrConflict)
	ghost := routing.QueueState{Queue: "ghost", Cursor: "a1", Version: 4}
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{QueueStates: []routing.QueueState{ghost}}), routing.ErrConflict)
	st, err = s.QueueState(ctx, "q")
	require.NoError(t, err)
	require.Equal(t, routing.QueueState{Queue: "q", Cursor: "a2", Version: 2}, st)

	// A state conflict fails the whole Txn.
	cfg := q
	cfg.MaxUnanswered = 3
	err = s.Commit(ctx, routing.Txn{Queues: []routing.Queue{cfg}, QueueStates: []routing.QueueState{next}})
	require.ErrorIs(t, err, routing.ErrConflict)
	q, err = s.Queue(ctx, "q")
	require.NoError(t, err)
	require.Zero(t, q.MaxUnanswered, "a failed commit changed the queue")

	// Changing the configuration leaves the state alone.
	commit(t, s, routing.Txn{Queues: []routing.Queue{cfg}})
	st, err = s.QueueState(ctx, "q")
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("a2"), st.Cursor)
	require.EqualValues(t, 2, st.Version)

	// The same state twice in one Txn is invalid.
	dup := routing.QueueState{Queue: "r"}
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{QueueStates: []routing.QueueState{dup, dup}}), routing.ErrInvalid)
	st, err = s.QueueState(ctx, "r")
	require.NoError(t, err)
	require.Zero(t, st.Version)
}

// testReadChecks checks Txn.Checks: a check passes while the record is at
// the version, fails the whole Txn with ErrConflict once it is not, writes
// nothing itself, and a record both checked and written is invalid.
func testReadChecks(t *testing.T, s routing.Store) {
	ctx := context.Background()
	commit(t, s, routing.Txn{
		Queues:      []routing.Queue{queue("q", routing.RoundRobin)},
		QueueStates: []routing.QueueState{{Queue: "q"}},
		Agents:      []routing.Agent{agent("a", 0, 0, 1, "q")},
		Chats:       []routing.Chat{chat("c", "q", 0, 0, routing.Queued)},
		Offers:      []routing.Offer{{ID: "c#1", Chat: "c", Agent: "a", Queue: "q", ExpiresAt: t0.Add(time.Minute)}},
	})
	lic := routing.Check{Kind: routing.LicenceRecord, ID: "0"}
	checks := []routing.Check{lic,
		{Kind: routing.AgentRecord, ID: "a", Version: 1},
		{Kind: routing.ChatRecord, ID: "c", Version: 1},
		{Kind: routing.OfferRecord, ID: "c#1", Version: 1},
		{Kind: routing.QueueRecord, ID: "q", Version: 1},
		{Kind: routing.QueueStateRecord, ID: "q", Version: 1},
		{Kind: routing.ChatRecord, ID: "not-stored"},
	}
	// Every check holds: the write goes through, and nothing checked changes.
	commit(t, s, routing.Txn{Agents: []routing.Agent{agent("b", 0, 0, 1, "q")}, Checks: checks})
	for _, c := range checks {
		commit(t, s, routing.Txn{Checks: []routing.Check{c}}) // still at the same versions
	}
	for _, c := range checks {
		stale := c
		stale.Version++
		err := s.Commit(ctx, routing.Txn{Agents: []routing.Agent{agent(switchboard.AgentID("x-"+c.ID), 0, 0, 1)}, Checks: []routing.Check{stale}})
		require.ErrorIs(t, err, routing.ErrConflict, "check of %+v at a version it is not at", stale)
		_, err = s.Agent(ctx, switchboard.AgentID("x-"+c.ID))
		require.ErrorIs(t, err, routing.ErrAgentNotFound, "a failed check let a write through")
	}

	// A check fails once another commit wrote the record.
	l := routing.Licence{Limit: 2, Total: 2, Shards: 1}
	commit(t, s, routing.Txn{Licences: []routing.Licence{l}})
	err := s.Commit(ctx, routing.Txn{Agents: []routing.Agent{agent("y", 0, 0, 1)}, Checks: []routing.Check{lic}})
	require.ErrorIs(t, err, routing.ErrConflict)
	lic.Version = 1
	commit(t, s, routing.Txn{Agents: []routing.Agent{agent("y", 0, 0, 1)}, Checks: []routing.Check{lic}})

	// Checking a record the Txn writes, or of an unknown kind, is invalid.
	l, err = s.Licence(ctx, 0)
	require.NoError(t, err)
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{Licences: []routing.Licence{l}, Checks: []routing.Check{lic}}), routing.ErrInvalid)
	for _, id := range []string{"", "-1", "x", "01"} {
		bad := routing.Check{Kind: routing.LicenceRecord, ID: id}
		require.ErrorIs(t, s.Commit(ctx, routing.Txn{Checks: []routing.Check{bad}}), routing.ErrInvalid, "licence check naming %q", id)
	}
	a, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	err = s.Commit(ctx, routing.Txn{Agents: []routing.Agent{a}, Checks: []routing.Check{{Kind: routing.AgentRecord, ID: "a", Version: 1}}})
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{Checks: []routing.Check{{Kind: 99, ID: "a"}}}), routing.ErrInvalid)
	again, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	require.EqualValues(t, 1, again.Version, "an invalid Txn wrote")
}

// testLicenceCount checks Txn.CountLicence: the stored licence counts the
// chats with Licensed set, including those the same Txn writes, and the
// licence needs a write.
func testLicenceCount(t *testing.T, s routing.Store) {
	ctx := context.Background()
	held := func(id switchboard.ChatID, state routing.ChatState) routing.Chat {
		c := chat(id, "q", 0, 0, state)
		c.Licensed = true
		return c
	}
	commit(t, s, routing.Txn{Chats: []routing.Chat{held("o", routing.Offered), held("a", routing.Assigned),
		chat("q", "q", 0, 0, routing.Queued), chat("d", "q", 0, 0, routing.Done)}})
	freed, err := s.Chat(ctx, "a")
	require.NoError(t, err)
	freed.State, freed.Licensed = routing.Done, false

	l := routing.Licence{Limit: 5, Total: 5, Shards: 1, InUse: 42}
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{CountLicence: true}), routing.ErrInvalid)
	commit(t, s, routing.Txn{Licences: []routing.Licence{l}, CountLicence: true,
		Chats: []routing.Chat{freed, held("new", routing.Offered), held("new2", routing.Assigned)}})
	got, err := s.Licence(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, routing.Licence{Limit: 5, Total: 5, Shards: 1, InUse: 3, Version: 1}, got, "o, new and new2 hold a unit")

	// Without CountLicence the written count is stored as it is.
	got.InUse = 4
	commit(t, s, routing.Txn{Licences: []routing.Licence{got}})
	got, err = s.Licence(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, routing.Licence{Limit: 5, Total: 5, Shards: 1, InUse: 4, Version: 2}, got)
}

// testLicenceShards checks that licence shards are separate records: each
// is written, read and compare-and-set on its own, a Txn may write several,
// and a shard written twice or a negative shard is invalid.
func testLicenceShards(t *testing.T, s routing.Store) {
	ctx := context.Background()
	shard := func(i int) routing.Licence { return routing.Licence{Shard: i, Shards: 4, Total: 7, Limit: 2} }
	commit(t, s, routing.Txn{Licences: []routing.Licence{shard(0), shard(2)}})
	for i, want := range []uint64{1, 0, 1, 0} {
		l, err := s.Licence(ctx, i)
		require.NoError(t, err)
		require.Equal(t, i, l.Shard)
		require.Equal(t, want, l.Version, "shard %d", i)
	}

	// A write of one shard does not conflict with one of another.
	s0, err := s.Licence(ctx, 0)
	require.NoError(t, err)
	s2, err := s.Licence(ctx, 2)
	require.NoError(t, err)
	s0.InUse, s2.InUse = 1, 2
	commit(t, s, routing.Txn{Licences: []routing.Licence{s0}})
	commit(t, s, routing.Txn{Licences: []routing.Licence{s2}})
	got, err := s.Licence(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, routing.Licence{Shard: 2, Shards: 4, Total: 7, Limit: 2, InUse: 2, Version: 2}, got)

	// A stale shard fails the whole Txn: the other shard is not written.
	s1 := shard(1)
	err = s.Commit(ctx, routing.Txn{Licences: []routing.Licence{s1, s0}})
	require.ErrorIs(t, err, routing.ErrConflict)
	got, err = s.Licence(ctx, 1)
	require.NoError(t, err)
	require.Zero(t, got.Version, "a failed commit wrote shard 1")

	// A read-check names its shard: a check of shard 1 is not disturbed by
	// writes of shard 0.
	s0, err = s.Licence(ctx, 0)
	require.NoError(t, err)
	commit(t, s, routing.Txn{Licences: []routing.Licence{s0}, Checks: []routing.Check{{Kind: routing.LicenceRecord, ID: "1"}}})
	err = s.Commit(ctx, routing.Txn{Checks: []routing.Check{{Kind: routing.LicenceRecord, ID: "0", Version: 2}}})
	require.ErrorIs(t, err, routing.ErrConflict)

	require.ErrorIs(t, s.Commit(ctx, routing.Txn{Licences: []routing.Licence{s1, s1}}), routing.ErrInvalid)
	require.ErrorIs(t, s.Commit(ctx, routing.Txn{Licences: []routing.Licence{{Shard: -1}}}), routing.ErrInvalid)
	got, err = s.Licence(ctx, 1)
	require.NoError(t, err)
	require.Zero(t, got.Version, "an invalid Txn wrote")
}

// testLicenceShardCount checks Txn.CountLicence over shards: each written
// shard counts the chats whose LicenceShard mod Shards is its index, and a
// shard beyond Shards counts none.
func testLicenceShardCount(t *testing.T, s routing.Store) {
	ctx := context.Background()
	held := func(id switchboard.ChatID, shard int) routing.Chat {
		c := chat(id, "q", 0, 0, routing.Assigned)
		c.Licensed, c.LicenceShard = true, shard
		return c
	}
	commit(t, s, routing.Txn{Chats: []routing.Chat{held("a", 0), held("b", 1), held("c", 1), held("d", 3),
		chat("e", "q", 0, 0, routing.Queued)}})
	four := make([]routing.Licence, 4)
	for i := range four {
		four[i] = routing.Licence{Shard: i, Shards: 4, Total: 8, Limit: 2, InUse: 9}
	}
	commit(t, s, routing.Txn{Licences: four, CountLicence: true})
	for i, want := range []int{1, 2, 0, 1} {
		l, err := s.Licence(ctx, i)
		require.NoError(t, err)
		require.Equal(t, want, l.InUse, "units on shard %d of 4", i)
	}

	// Two shards: chats of shard 3 count on shard 1, shards 2 and 3 none.
	two := make([]routing.Licence, 4)
	for i := range two {
		l, err := s.Licence(ctx, i)
		require.NoError(t, err)
		two[i] = routing.Licence{Shard: i, Shards: 2, Total: 8, Version: l.Version}
	}
	commit(t, s, routing.Txn{Licences: two, CountLicence: true})
	for i, want := range []int{1, 3, 0, 0} {
		l, err := s.Licence(ctx, i)
		require.NoError(t, err)
		require.Equal(t, want, l.InUse, "units on shard %d of 2", i)
	}
}

func testDue(t *testing.T, s routing.Store) {
	ctx := context.Background()
	queued := chat("queued", "q", 0, 1, routing.Queued)
	queued.QueueDeadline = t0.Add(3 * time.Minute)
	sticky := chat("sticky", "q", 0, 2, routing.Queued)
	sticky.Preferred, sticky.PreferredUntil = "a", t0.Add(time.Minute)
	wrap := chat("wrap", "q", 0, 3, routing.InWrapUp)
	wrap.Agent, wrap.WrapUpUntil = "a", t0.Add(2*time.Minute)
	later := chat("later", "q", 0, 4, routing.Queued)
	later.QueueDeadline = t0.Add(time.Hour)
	offer := routing.Offer{ID: "o", Chat: "x", Agent: "a", Queue: "q", ExpiresAt: t0.Add(30 * time.Second)}
	answered := routing.Offer{ID: "p", Chat: "x", Agent: "b", Queue: "q", ExpiresAt: t0.Add(10 * time.Second), Outcome: routing.Rejected}
	commit(t, s, routing.Txn{Chats: []routing.Chat{queued, sticky, wrap, later}, Offers: []routing.Offer{offer, answered}})

	due, err := s.Due(ctx, t0.Add(3*time.Minute), 0)
	require.NoError(t, err)
	require.Equal(t, []routing.Due{
		{At: t0.Add(30 * time.Second), Kind: routing.OfferDeadline, Key: "o"},
		{At: t0.Add(time.Minute), Kind: routing.ChatDeadline, Key: "sticky"},
		{At: t0.Add(2 * time.Minute), Kind: routing.ChatDeadline, Key: "wrap"},
		{At: t0.Add(3 * time.Minute), Kind: routing.ChatDeadline, Key: "queued"},
	}, normaliseDue(due))
	two, err := s.Due(ctx, t0.Add(3*time.Minute), 2)
	require.NoError(t, err)
	require.Len(t, two, 2)

	// A changed record's deadline moves with it.
	o, err := s.Offer(ctx, "o")
	require.NoError(t, err)
	o.Outcome = routing.Accepted
	w, err := s.Chat(ctx, "wrap")
	require.NoError(t, err)
	w.State = routing.Done
	commit(t, s, routing.Txn{Offers: []routing.Offer{o}, Chats: []routing.Chat{w}})
	due, err = s.Due(ctx, t0.Add(3*time.Minute), 0)
	require.NoError(t, err)
	require.Len(t, due, 2)
}

func normaliseDue(ds []routing.Due) []routing.Due {
	out := make([]routing.Due, len(ds))
	for i, d := range ds {
		out[i] = routing.Due{At: d.At.UTC(), Kind: d.Kind, Key: d.Key}
	}
	return out
}

func testLoggedIn(t *testing.T, s routing.Store) {
	ctx := context.Background()
	b := agent("b", 0, 0, 1)
	a := agent("a", 0, 0, 1)
	out := agent("out", 0, 0, 1)
	out.State = routing.LoggedOut
	other := agent("other", 0, 0, 1)
	other.Profile.Tenant = "elsewhere"
	commit(t, s, routing.Txn{Agents: []routing.Agent{b, a, out, other}})
	got, err := s.LoggedIn(ctx, "")
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, []switchboard.AgentID{"a", "b"}, []switchboard.AgentID{got[0].ID, got[1].ID})
	got, err = s.LoggedIn(ctx, "elsewhere")
	require.NoError(t, err)
	require.Len(t, got, 1)
}

// testAgentLoader checks the optional [routing.AgentLoader], when the store
// has it: the record read equals Agent's, whatever dst held before, and it
// shares nothing with the store.
func testAgentLoader(t *testing.T, s routing.Store) {
	loader, ok := s.(routing.AgentLoader)
	if !ok {
		t.Skip("the store does not implement routing.AgentLoader")
	}
	ctx := context.Background()
	a := agent("a", 0, 1, 3, "q", "r")
	commit(t, s, routing.Txn{Agents: []routing.Agent{a}})
	want, err := s.Agent(ctx, "a")
	require.NoError(t, err)

	dst := agent("garbage", time.Hour, 2, 9, "x", "y", "z")
	dst.Profile.Skills = append(dst.Profile.Skills, routing.Skill{Name: "extra", Level: 1})
	require.NoError(t, loader.LoadAgent(ctx, "a", &dst))
	require.Equal(t, want, dst)

	dst.Profile.Queues[0] = "changed"
	dst.Used[0] = 7
	again, err := s.Agent(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, want, again, "changing the loaded record changed the store")

	before := dst
	err = loader.LoadAgent(ctx, "nobody", &dst)
	require.ErrorIs(t, err, routing.ErrAgentNotFound)
	require.Equal(t, before, dst, "a failed load changed dst")
}

func testCancelled(t *testing.T, s routing.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Agent(ctx, "a")
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.QueueState(ctx, "q")
	require.ErrorIs(t, err, context.Canceled)
	err = s.Commit(ctx, routing.Txn{Queues: []routing.Queue{queue("q", routing.LongestIdle)}})
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Queue(context.Background(), "q")
	require.ErrorIs(t, err, routing.ErrQueueNotFound, "a cancelled commit wrote")
	_, err = s.Events(ctx, 0, 0, 0)
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Cursor(ctx, "c", 0)
	require.ErrorIs(t, err, context.Canceled)
	err = s.SaveCursor(ctx, routing.Cursor{Consumer: "c"})
	require.ErrorIs(t, err, context.Canceled)
	c, err := s.Cursor(context.Background(), "c", 0)
	require.NoError(t, err)
	require.Zero(t, c.Version, "a cancelled save wrote")
	_, err = s.Applied(ctx, "t")
	require.ErrorIs(t, err, context.Canceled)
}

func testConcurrentCAS(t *testing.T, s routing.Store) {
	ctx := context.Background()
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				for {
					l, err := s.Licence(ctx, 0)
					if err != nil {
						errs <- err
						return
					}
					l.InUse++
					err = s.Commit(ctx, routing.Txn{Licences: []routing.Licence{l}})
					if err == nil {
						break
					}
					if !errors.Is(err, routing.ErrConflict) {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	l, err := s.Licence(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, workers*each, l.InUse, "lost updates")
}

// racingAgents starts a router over s on a mock clock at t0, with a "stats"
// consumer registered, queue "q" of strategy, and n agents a00, a01, ...
// logged in to it.
func racingAgents(t *testing.T, s routing.Store, strategy routing.Strategy, n int) (*routing.Router, *clock.Mock) {
	t.Helper()
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(t0)
	r, err := routing.New(s, routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), routing.Config{Clock: mock})
	require.NoError(t, err)
	register(t, s, "stats")
	_, err = r.PutQueue(ctx, routing.Queue{ID: "q", Strategy: strategy})
	require.NoError(t, err)
	for i := range n {
		_, err := r.Login(ctx, switchboard.AgentID(fmt.Sprintf("a%02d", i)), routing.Profile{Queues: []switchboard.QueueID{"q"}})
		require.NoError(t, err)
	}
	return r, mock
}

// testRouterRace runs a router over the store: 16 agents race for one
// ring-all chat and exactly one wins, in the records and in the event log.
func testRouterRace(t *testing.T, s routing.Store) {
	ctx := context.Background()
	const n = 16
	r, _ := racingAgents(t, s, routing.RingAll, n)
	_, err := r.Enqueue(ctx, routing.ChatRequest{ID: "c", Queue: "q"})
	require.NoError(t, err)
	offers := make([]routing.OfferID, n)
	for i := range n {
		os, err := r.Offers(ctx, switchboard.AgentID(fmt.Sprintf("a%02d", i)))
		require.NoError(t, err)
		require.Len(t, os, 1, "every agent is offered the ring-all chat")
		offers[i] = os[0].ID
	}
	var wg sync.WaitGroup
	wins := make(chan switchboard.AgentID, n)
	for i := range n {
		id := switchboard.AgentID(fmt.Sprintf("a%02d", i))
		wg.Go(func() {
			if _, err := r.Accept(ctx, id, offers[i]); err == nil {
				wins <- id
			} else if !errors.Is(err, routing.ErrOfferTaken) {
				t.Errorf("agent %s: %v", id, err)
			}
		})
	}
	wg.Wait()
	close(wins)
	var winners []switchboard.AgentID
	for w := range wins {
		winners = append(winners, w)
	}
	require.Len(t, winners, 1)
	c, err := r.Chat(ctx, "c")
	require.NoError(t, err)
	require.Equal(t, winners[0], c.Agent)
	for i := range n {
		a, err := r.Agent(ctx, switchboard.AgentID(fmt.Sprintf("a%02d", i)))
		require.NoError(t, err)
		want := 0
		if a.ID == winners[0] {
			want = 1
		}
		require.Equal(t, want, a.Load(switchboard.DefaultChannel))
	}

	// The losers' retried attempts logged nothing: the log tells the same
	// story as the records.
	var assigned []switchboard.AgentID
	accepted, taken := 0, 0
	for _, e := range allEvents(t, s) {
		switch {
		case e.Type == routing.ChatAssigned:
			assigned = append(assigned, e.Agent)
		case e.Type == routing.OfferResolved && e.Outcome == routing.Accepted:
			accepted++
		case e.Type == routing.OfferResolved && e.Outcome == routing.Rescinded && e.Taken:
			taken++
		}
	}
	require.Equal(t, winners, assigned)
	require.Equal(t, 1, accepted)
	require.Equal(t, n-1, taken)
}
