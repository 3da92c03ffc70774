package routing_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// bullseye is a queue whose chats need French at level 3, then at 2 after
// 30 s, at 1 after 60 s, and no French at all after 90 s.
func bullseye() routing.Queue {
	return routing.Queue{ID: "q", RequiredSkills: []routing.SkillRequirement{{Skill: "fr", Min: 3}},
		Relax: []routing.RelaxStep{{After: 30 * time.Second, Lower: 1}, {After: time.Minute, Lower: 1},
			{After: 90 * time.Second, Drop: []string{"fr"}}}}
}

func loginInQ(t *testing.T, r *routing.Router, b *testBundle, id switchboard.AgentID, skills ...routing.Skill) {
	t.Helper()
	_, err := r.Login(b.ctx, id, routing.Profile{Queues: qids("q"), Capacity: chatCap(1), Skills: skills})
	require.NoError(t, err)
}

func TestRequirementsApplyTheStepsReached(t *testing.T) {
	t.Parallel()
	// SPEC V1: a chat's requirements are its queue's and its own, each
	// step reached dropping the skills it names and lowering the others,
	// never below 0.
	q := routing.Queue{ID: "q", Channel: switchboard.DefaultChannel, RequiredSkills: []routing.SkillRequirement{{Skill: "fr", Min: 3}, {Skill: "billing", Min: 1}},
		Relax: []routing.RelaxStep{{After: time.Second, Lower: 2}, {After: 2 * time.Second, Drop: []string{"billing", "vip"}}}}
	c := routing.Chat{ID: "c", Queue: "q", Skills: []routing.SkillRequirement{{Skill: "vip", Min: 2}, {Skill: "de", Min: 4}}}
	want := [][]routing.SkillRequirement{
		{{Skill: "fr", Min: 3}, {Skill: "billing", Min: 1}, {Skill: "vip", Min: 2}, {Skill: "de", Min: 4}},
		{{Skill: "fr", Min: 1}, {Skill: "billing", Min: 0}, {Skill: "vip", Min: 0}, {Skill: "de", Min: 2}},
		{{Skill: "fr", Min: 1}, {Skill: "de", Min: 2}},
		{{Skill: "fr", Min: 1}, {Skill: "de", Min: 2}}, // past the last step: all of them
	}
	for step, w := range want {
		c.RelaxStep = step
		require.Equal(t, w, routing.Requirements(&q, &c), "step %d", step)
	}
	require.Len(t, q.RequiredSkills, 2, "the queue's requirements are left as they are")
	require.Equal(t, 3, q.RequiredSkills[0].Min)

	// Level 0 still asks for the skill: an agent without billing is not
	// eligible at step 1, and is at step 2.
	a := routing.Agent{ID: "a", State: routing.Available, Profile: routing.Profile{Queues: qids("q"), Capacity: chatCap(1),
		Skills: []routing.Skill{{Name: "fr", Level: 1}, {Name: "de", Level: 2}, {Name: "vip", Level: 0}}}}
	c.RelaxStep = 1
	require.False(t, routing.Eligible(&a, &q, &c))
	c.RelaxStep = 2
	require.True(t, routing.Eligible(&a, &q, &c))
}

func TestEachStepWidensThePoolExactlyAtItsTime(t *testing.T) {
	t.Parallel()
	// SPEC V2: a chat no agent can take waits, parked, until its step
	// comes; at that instant, not before, the agents the step admits are
	// offered it.
	cases := []struct {
		step  int
		at    time.Duration
		agent routing.Skill
	}{
		{1, 30 * time.Second, routing.Skill{Name: "fr", Level: 2}},
		{2, time.Minute, routing.Skill{Name: "fr", Level: 1}},
		{3, 90 * time.Second, routing.Skill{Name: "en", Level: 5}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("step=%d", tc.step), func(t *testing.T) {
			t.Parallel()
			r, b := setup(t, bullseye())
			loginInQ(t, r, b, "agent", tc.agent)
			c, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c", Queue: "q"})
			require.NoError(t, err)
			require.Equal(t, routing.Queued, c.State)
			require.Equal(t, start.Add(30*time.Second), c.RelaxAt, "the first step's instant is stored")

			advance(t, r, b, tc.at-time.Millisecond)
			got := mustChat(t, r, b, "c")
			require.Equal(t, routing.Queued, got.State, "not before its step")
			require.Equal(t, tc.step-1, got.RelaxStep)
			require.True(t, got.Parked, "no agent could take it: it is parked")
			require.Empty(t, offers(t, r, b, "agent"))

			advance(t, r, b, time.Millisecond)
			got = mustChat(t, r, b, "c")
			require.Equal(t, routing.Offered, got.State, "at its step")
			require.Equal(t, tc.step, got.RelaxStep)
			require.Equal(t, "c", string(onlyOffer(t, r, b, "agent").Chat))
		})
	}
}

func TestAStepIsAStoredDeadlineAnyRouterApplies(t *testing.T) {
	t.Parallel()
	// SPEC V2: the router that enqueued the chat is gone; a new router over
	// the same store finds the step due and applies it.
	first, b := setup(t, bullseye())
	loginInQ(t, first, b, "agent", routing.Skill{Name: "fr", Level: 2})
	_, err := first.Enqueue(b.ctx, routing.ChatRequest{ID: "c", Queue: "q"})
	require.NoError(t, err)
	c := mustChat(t, first, b, "c")
	require.Equal(t, c.RelaxAt, c.NextDeadline(), "the step is the chat's next deadline")

	second, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	b.clock.Add(30 * time.Second)
	due, err := b.store.Due(b.ctx, b.clock.Now(), 10)
	require.NoError(t, err)
	require.Equal(t, []routing.Due{{At: start.Add(30 * time.Second), Kind: routing.ChatDeadline, Key: "c"}}, due)
	n, err := second.Sweep(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	c = mustChat(t, second, b, "c")
	require.Equal(t, routing.Offered, c.State)
	require.Equal(t, 1, c.RelaxStep)
	require.Equal(t, start.Add(time.Minute), c.RelaxAt, "the next step is stored in turn")
}

func TestAChatPassedOverByRelaxationIsNotBlockingTheOnesBehind(t *testing.T) {
	t.Parallel()
	// SPEC V2: a chat at an early step that no agent can take does not
	// hold back a chat behind it whose step already admits an agent.
	q := bullseye()
	q.Relax[0].After = time.Minute // first step at 60 s, second at 60 s + 1 ms
	q.Relax[1].After = time.Minute + time.Millisecond
	r, b := setup(t, q)
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "old", Queue: "q"})
	require.NoError(t, err)
	advance(t, r, b, time.Minute+time.Millisecond) // "old" at step 2: fr 1
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "new", Queue: "q", Priority: 5})
	require.NoError(t, err)
	loginInQ(t, r, b, "agent", routing.Skill{Name: "fr", Level: 1})
	require.Equal(t, routing.Queued, chatState(t, r, b, "new"), "new, first in the queue, needs fr 3")
	require.Equal(t, routing.Offered, chatState(t, r, b, "old"), "old, behind it, needs fr 1")
}

func TestABackInQueueChatTakesTheStepsThatCame(t *testing.T) {
	t.Parallel()
	// SPEC V2: steps count from when the chat entered the queue; one that
	// came while the chat was offered applies when it is queued again.
	q := bullseye()
	q.AcceptTimeout = 2 * time.Minute
	r, b := setup(t, q)
	loginInQ(t, r, b, "expert", routing.Skill{Name: "fr", Level: 3})
	enqueue(t, r, b, "c", "q")
	o := onlyOffer(t, r, b, "expert")
	advance(t, r, b, 45*time.Second)
	require.Equal(t, 0, mustChat(t, r, b, "c").RelaxStep, "an offered chat is not relaxed")
	loginInQ(t, r, b, "second", routing.Skill{Name: "fr", Level: 2})
	require.NoError(t, r.Reject(b.ctx, "expert", o.ID))
	c := mustChat(t, r, b, "c")
	require.Equal(t, 1, c.RelaxStep)
	require.Equal(t, start.Add(time.Minute), c.RelaxAt)
	require.Equal(t, routing.Offered, c.State)
	require.Equal(t, "c", string(onlyOffer(t, r, b, "second").Chat))
}

func TestAnOverflowedChatStartsTheNewQueuesSteps(t *testing.T) {
	t.Parallel()
	// SPEC V2: a chat moving to another queue starts that queue's steps,
	// from when it entered it.
	first := bullseye()
	first.MaxWait, first.Overflow = 40*time.Second, "second"
	second := bullseye()
	second.ID = "second"
	r, b := setup(t, first, second)
	enqueue(t, r, b, "c", "q")
	advance(t, r, b, 40*time.Second)
	c := mustChat(t, r, b, "c")
	require.Equal(t, switchboard.QueueID("second"), c.Queue)
	require.Equal(t, 0, c.RelaxStep)
	require.Equal(t, start.Add(70*time.Second), c.RelaxAt)
}

func TestRelaxationStepsAreValidated(t *testing.T) {
	t.Parallel()
	// SPEC V3: bad steps or a bad aging step are refused with ErrInvalid,
	// and the stored queue is left as it was.
	step := func(after time.Duration, lower int, drop ...string) routing.RelaxStep {
		return routing.RelaxStep{After: after, Lower: lower, Drop: drop}
	}
	many := make([]routing.RelaxStep, routing.MaxRelaxSteps+1)
	for i := range many {
		many[i] = step(time.Duration(i+1)*time.Second, 1)
	}
	cases := map[string]routing.Queue{
		"zero after":         {Relax: []routing.RelaxStep{step(0, 1)}},
		"negative after":     {Relax: []routing.RelaxStep{step(-time.Second, 1)}},
		"not increasing":     {Relax: []routing.RelaxStep{step(time.Minute, 1), step(time.Minute, 1)}},
		"decreasing":         {Relax: []routing.RelaxStep{step(time.Minute, 1), step(time.Second, 1)}},
		"negative lower":     {Relax: []routing.RelaxStep{step(time.Minute, -1)}},
		"widens nothing":     {Relax: []routing.RelaxStep{step(time.Minute, 0)}},
		"empty drop":         {Relax: []routing.RelaxStep{step(time.Minute, 0, "")}},
		"dropped twice":      {Relax: []routing.RelaxStep{step(time.Minute, 0, "fr", "fr")}},
		"too many steps":     {Relax: many},
		"negative aging":     {AgingStep: -time.Second},
		"aging beyond a day": {AgingStep: routing.MaxAgingStep + time.Second},
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, b := setup(t, routing.Queue{ID: "q", Name: "before"})
			q.ID, q.Name = "q", "after"
			_, err := r.PutQueue(b.ctx, q)
			require.ErrorIs(t, err, routing.ErrInvalid)
			require.ErrorIs(t, err, switchboard.ErrInvalid)
			var ie *routing.InvalidError
			require.True(t, errors.As(err, &ie))
			require.Contains(t, []string{"relax", "aging step"}, ie.Field)
			got, err := r.Queue(b.ctx, "q")
			require.NoError(t, err)
			require.Equal(t, "before", got.Name, "the stored queue is unchanged")
		})
	}
	r, b := setup(t)
	q := bullseye()
	got, err := r.PutQueue(b.ctx, q)
	require.NoError(t, err)
	q.Relax[2].Drop[0] = "changed"
	require.Equal(t, "fr", got.Relax[2].Drop[0], "the router keeps its own copy")
	stored, err := r.Queue(b.ctx, "q")
	require.NoError(t, err)
	require.Equal(t, []string{"fr"}, stored.Relax[2].Drop)
}

func TestExplainSaysWhichStepAndWhenTheNext(t *testing.T) {
	t.Parallel()
	// SPEC V4: the explanation names the chat's step, the next step's
	// instant and the requirements the verdicts are judged against.
	r, b := setup(t, bullseye())
	loginInQ(t, r, b, "novice", routing.Skill{Name: "fr", Level: 1})
	loginInQ(t, r, b, "fluent", routing.Skill{Name: "fr", Level: 2})
	require.NoError(t, r.SetState(b.ctx, "fluent", routing.NotReady, "lunch"))
	enqueue(t, r, b, "c", "q")
	e, err := r.Explain(b.ctx, "c")
	require.NoError(t, err)
	require.Equal(t, 0, e.RelaxStep)
	require.Equal(t, start.Add(30*time.Second), e.NextRelaxAt)
	require.Equal(t, []routing.SkillRequirement{{Skill: "fr", Min: 3}}, e.Require)

	advance(t, r, b, 30*time.Second)
	e, err = r.Explain(b.ctx, "c")
	require.NoError(t, err)
	require.Equal(t, 1, e.RelaxStep)
	require.Equal(t, start.Add(time.Minute), e.NextRelaxAt)
	require.Equal(t, []routing.SkillRequirement{{Skill: "fr", Min: 2}}, e.Require)
	v, ok := e.Verdict("novice")
	require.True(t, ok)
	require.Equal(t, []routing.SkillShortfall{{Skill: "fr", Min: 2, Has: true, Level: 1}}, v.Missing)
	v, _ = e.Verdict("fluent")
	require.Equal(t, []routing.PassReason{routing.NotReadyReason}, v.Reasons, "fluent lacks no skill at step 1")

	advance(t, r, b, 30*time.Second)
	e, err = r.Explain(b.ctx, "c")
	require.NoError(t, err)
	require.Equal(t, routing.Offered, e.State, "novice qualifies at step 2")
	require.Equal(t, 2, e.RelaxStep)
	require.Equal(t, start.Add(90*time.Second), e.NextRelaxAt)
}

func TestAChatParkedAfterAStepWakesForTheWiderPool(t *testing.T) {
	t.Parallel()
	// SPEC V2: a chat whose own skill a step dropped, parked again after
	// the step, is woken by an agent without that skill.
	q := routing.Queue{ID: "q", Relax: []routing.RelaxStep{{After: 30 * time.Second, Drop: []string{"vip"}}}}
	r, b := setup(t, q)
	login(t, r, b, "plain", 1, "q")
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c", Queue: "q",
		Skills: []routing.SkillRequirement{{Skill: "vip", Min: 1}, {Skill: "de", Min: 1}}})
	require.NoError(t, err)
	advance(t, r, b, 30*time.Second)
	c := mustChat(t, r, b, "c")
	require.True(t, c.Parked, "plain speaks no German")
	require.Equal(t, 1, c.RelaxStep)
	loginInQ(t, r, b, "german", routing.Skill{Name: "de", Level: 1})
	require.Equal(t, "c", string(onlyOffer(t, r, b, "german").Chat))
}

// relaxModel applies steps to reqs as the test understands them, apart from
// the library's code.
func relaxModel(reqs []routing.SkillRequirement, steps []routing.RelaxStep) []routing.SkillRequirement {
	var out []routing.SkillRequirement
	for _, r := range reqs {
		dropped := false
		for _, s := range steps {
			for _, d := range s.Drop {
				dropped = dropped || d == r.Skill
			}
			r.Min -= s.Lower
		}
		if !dropped {
			out = append(out, routing.SkillRequirement{Skill: r.Skill, Min: max(r.Min, 0)})
		}
	}
	return out
}

func TestExplainAgreesWithCandidatesAtEveryStep(t *testing.T) {
	t.Parallel()
	// SPEC V1, V4: at whatever step a chat is, the agents Explain calls
	// eligible are exactly those the store returns for the requirements
	// the steps leave, and Explain reports those requirements.
	skills := []string{"fr", "de", "vip"}
	rapid.Check(t, func(rt *rapid.T) {
		q := routing.Queue{ID: "q", RequiredSkills: []routing.SkillRequirement{{Skill: "fr", Min: rapid.IntRange(0, 3).Draw(rt, "queue min")}}}
		after := time.Duration(0)
		for range rapid.IntRange(0, 3).Draw(rt, "steps") {
			after += time.Duration(rapid.IntRange(1, 60).Draw(rt, "after (s)")) * time.Second
			s := routing.RelaxStep{After: after, Lower: rapid.IntRange(0, 2).Draw(rt, "lower"),
				Drop: rapid.SliceOfNDistinct(rapid.SampledFrom(skills), 0, 2, rapid.ID).Draw(rt, "drop")}
			if s.Lower == 0 && len(s.Drop) == 0 {
				s.Lower = 1
			}
			q.Relax = append(q.Relax, s)
		}
		r, b := setup(t, q)
		var txn routing.Txn
		for i := range rapid.IntRange(0, 10).Draw(rt, "agents") {
			a := routing.Agent{ID: switchboard.AgentID(fmt.Sprintf("a%02d", i)), State: routing.Available,
				Profile: routing.Profile{Queues: qids("q"), Capacity: chatCap(1)}}
			for _, s := range rapid.SliceOfNDistinct(rapid.SampledFrom(skills), 0, 3, rapid.ID).Draw(rt, "skills") {
				a.Profile.Skills = append(a.Profile.Skills, routing.Skill{Name: s, Level: rapid.IntRange(0, 3).Draw(rt, "level")})
			}
			txn.Agents = append(txn.Agents, a)
		}
		c := routing.Chat{ID: "c", Queue: "q", Channel: switchboard.DefaultChannel, State: routing.Queued,
			EnqueuedAt: start, QueuedAt: start, RelaxStep: rapid.IntRange(0, len(q.Relax)).Draw(rt, "step")}
		for _, s := range rapid.SliceOfNDistinct(rapid.SampledFrom(skills), 0, 2, rapid.ID).Draw(rt, "chat skills") {
			c.Skills = append(c.Skills, routing.SkillRequirement{Skill: s, Min: rapid.IntRange(0, 3).Draw(rt, "chat min")})
		}
		txn.Chats = append(txn.Chats, c)
		require.NoError(rt, b.store.Commit(b.ctx, txn))

		reqs := relaxModel(append(slices.Clone(q.RequiredSkills), c.Skills...), q.Relax[:c.RelaxStep])
		e, err := r.Explain(b.ctx, "c")
		require.NoError(rt, err)
		require.Equal(rt, c.RelaxStep, e.RelaxStep)
		require.Equal(rt, reqs, e.Require)
		want, err := b.store.Candidates(b.ctx, routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel,
			Require: reqs, Order: routing.ByID})
		require.NoError(rt, err)
		var got []switchboard.AgentID
		for _, v := range e.Agents {
			if v.Eligible {
				got = append(got, v.Agent)
			}
		}
		require.Equal(rt, want, got)
	})
}
