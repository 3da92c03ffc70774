package switchboard_test

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/internal/desktest"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/transfer"
)

// update rewrites the golden files of testdata/wire from the current wire
// forms: go test -run TestWireGolden -update .
var update = flag.Bool("update", false, "rewrite the golden files of testdata/wire")

var (
	t0 = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	t1 = t0.Add(20 * time.Second)
)

// wireValues are values of every type a host sends to a client, with every
// field set that the type's wire form carries, keyed by golden file name.
func wireValues() map[string]any {
	files := []session.File{{Name: "invoice.pdf", MIMEType: "application/pdf", Size: 2048, Ref: "blob-7"}}
	options := []session.Option{{ID: "yes", Label: "Yes"}, {ID: "no", Label: "No"}}
	view := session.View{Seq: 7, At: t0, Type: session.EntryMessage, Private: true, From: "agent:a-17",
		FromName: "Ann", Subject: "agent:a-18", SubjectName: "Bob", Text: "check the invoice", Files: files,
		Options: options, Reason: "sold", Ref: 3,
		OnHold: true}
	chat := routing.Chat{ID: "c1", Kind: routing.CustomerChat, Queue: "sales", Channel: "chat",
		Customer: routing.Customer{ID: "u1", Name: "Carol"}, Priority: 2,
		Skills:     []routing.SkillRequirement{{Skill: "fr", Min: 2}},
		Transcript: []routing.Turn{{From: "bot", Text: "Hello", At: t0}}, Preferred: "a-17",
		PreferredUntil: t1, State: routing.Assigned, EnqueuedAt: t0, Seq: 4, QueuedAt: t0, QueueDeadline: t1,
		Agent: "a-17", AssignedAt: t1, WrapUpUntil: t1, EndedAt: t1, EndReason: routing.EndTimedOut,
		Rejected: []switchboard.AgentID{"a-19"}, Unanswered: 1, Pending: 1, Offers: 3, Hops: 1, Licensed: true,
		LicenceShard: 2, Consultants: []switchboard.AgentID{"a-18"},
		Invitation: routing.Invitation{Offer: "c1#3", Kind: routing.TransferOffer, From: "a-17", Queue: "sales",
			Declined: []switchboard.AgentID{"a-20"}, Comment: "VIP"},
		Holds: []routing.Hold{{Agent: "a-16", Channel: "chat", Until: t1}}, Parked: true, ParkedOn: "fr",
		ParkedEpoch: 6, OpensAt: t1, RelaxStep: 1, RelaxAt: t1, VirtualStart: t0.Add(-2 * time.Minute),
		OnHold: true, OnHoldSince: t0, OnHoldUntil: t1, Reopens: 1,
		Version: 9}
	offer := routing.Offer{ID: "c1#3", Kind: routing.InviteOffer, Chat: "c1", Agent: "a-18", Queue: "sales",
		Channel: "chat", From: "a-17", Comment: "VIP", Customer: "Carol", EnqueuedAt: t0, CreatedAt: t0,
		ExpiresAt: t1, Outcome: routing.TimedOut, Taken: true}
	wrapUp := session.WrapUp{Chat: "c1", Tenant: "t1", Queue: "sales", Owner: "a-17", Reason: "sold", At: t0, Until: t1}
	return map[string]any{
		"routing_event": routing.Event{Type: routing.OfferResolved, At: t0, Seq: 12, Txn: "tx-1", Agent: "a-17",
			Chat: "c1", Queue: "sales", Offer: "c1#1", State: routing.NotReady, Reason: routing.ReasonTimedOut,
			Kind: routing.TransferOffer, Outcome: routing.Rescinded, Taken: true, EndReason: routing.EndAbandoned,
			FromQueue: "support", From: "a-16", Customer: "Carol", EnqueuedAt: t0, ExpiresAt: t1, Comment: "VIP"},
		"routing_offer": offer,
		"routing_agent": routing.Agent{ID: "a-17", Profile: routing.Profile{DisplayName: "Ann", Tenant: "t1",
			Team: "sales", Supervisor: true, Queues: []switchboard.QueueID{"sales"},
			Capacity: []routing.Capacity{{Channel: "chat", Max: 3}}, Skills: []routing.Skill{{Name: "fr", Level: 3}}},
			State: routing.WrapUp, Reason: routing.ReasonWrapUp, StateSince: t0, IdleSince: t0, Used: []int{1},
			WrapUps: 1, Version: 4},
		"routing_queue_status": routing.QueueStatus{Queue: "sales", State: routing.Queued, Position: 2, Exact: true,
			Waiting: 90 * time.Second},
		"routing_queue": routing.Queue{ID: "sales", Tenant: "t1", Name: "Sales", Description: "Buying",
			Channel: "chat", Strategy: routing.RingAll, RingAllMax: 20, Priority: 1,
			RequiredSkills: []routing.SkillRequirement{{Skill: "en", Min: 1}}, AcceptTimeout: 20 * time.Second,
			MaxUnanswered: 3, MaxWait: 5 * time.Minute, Overflow: "support", PreferredWait: 1500 * time.Millisecond,
			WrapUp: 30 * time.Second, TransferFallback: routing.TransferEnd,
			Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold"},
				Responses: []switchboard.Response{{ID: "hi", Title: "Greeting", Text: "Hello {customer}"}},
				History:   switchboard.HistoryFromJoin, AfterClose: switchboard.PolicyNewLinked, Attachments: "default",
				Timers: switchboard.Timers{FirstResponse: time.Minute, FirstResponseWarning: 45 * time.Second,
					ResponseSLA: 2 * time.Minute, CustomerIdle: 5 * time.Minute, CustomerIdleClose: time.Minute,
					CustomerIdleText: "Still there?", CustomerIdleCloseText: "Bye for now", AgentIdle: 3 * time.Minute,
					AgentIdleReassign: true}},
			Hours: routing.BusinessHours{Zone: "Europe/London",
				Weekly: []routing.WeeklyInterval{{Day: time.Friday,
					Interval: routing.Interval{Open: routing.HM(22, 0), Close: routing.HM(2, 0)}}},
				Holidays: []routing.Date{{Year: 2024, Month: 12, Day: 25}},
				Overrides: []routing.DateHours{{Date: routing.Date{Year: 2024, Month: 12, Day: 24},
					Intervals: []routing.Interval{{Open: routing.HM(9, 0), Close: routing.HM(12, 30)}}}}},
			WhenClosed: routing.ClosedOverflow,
			Relax:      []routing.RelaxStep{{After: 30 * time.Second, Lower: 1}, {After: time.Minute, Drop: []string{"en"}}},
			AgingStep:  time.Minute,
			MaxOnHold:  2 * time.Minute, OnHoldEnd: routing.OnHoldRequeue,
			Version: 2},
		"routing_assignment": routing.Assignment{Chat: chat, Offer: offer},
		"session_view":       view,
		"session_delivery":   session.Delivery{Chat: "c1", Item: view, Invitation: true},
		"session_session": session.Session{ID: "c1", Version: 5, Txn: "tx-2", Tenant: "t1", Kind: session.KindCustomer,
			Queue: "sales", InitiatedBy: "customer:u1", Status: session.StatusCustomerLeft,
			History: switchboard.HistoryFromInvitation,
			Participants: []session.Participant{{ID: "agent:a-19", Role: session.RoleSupervisor, Name: "Sue",
				Mode: session.SupervisorCoach, AwaitingReply: true, Stints: []session.Stint{{Invited: 1, Joined: 2, Left: 4}},
				Read: session.ReadMark{Seq: 9, At: t1, Public: 8, PublicVersion: 3, PublicAt: t0}}},
			Attributes: []session.Attribute{{Name: "email", Value: "carol@example.com", Verified: true}},
			Menu:       &session.Menu{Version: 3, By: "agent:a-17", Prompt: "Pick one", Options: options},
			Video:      &session.VideoLeg{StartedBy: "agent:a-17", StartedAt: t0},
			WrapUp:     &wrapUp, LinkedFrom: "c0", LinkedTo: "c2", CreatedAt: t0, ClosedAt: t1, ReopenedAt: t1, Reopens: 1,
			Timers: session.TimerState{Settings: switchboard.Timers{ResponseSLA: time.Minute}, Owner: "a-17", AssignedAt: t0,
				Answered: true, CustomerAt: t1, AgentAt: t0, WarnedAt: t1, Fired: []session.Timer{session.TimerResponseSLA},
				Reassign: "a-17"},
			OnHold: true},
		"session_entry": session.Entry{ID: "m1", Seq: 7, Version: 3, At: t0, Type: session.EntryCorrection,
			FromRole: session.RoleConsulted, Audience: session.Audience{Kind: session.AudienceNamed,
				Members: []session.ParticipantID{"agent:a-18"}}, From: "agent:a-19", FromName: "Sue",
			Subject: "agent:a-18", SubjectName: "Bob", Text: "****", Files: files, Options: options,
			Reason: "coach", Ref: 5, RefVersion: 2,
			OnHold: true},
		"session_message": session.Message{ID: "m1", From: "agent:a-19", Mode: session.ModeCoach, To: "agent:a-18",
			Text: "say sorry", Files: files},
		"session_sent":    session.Sent{Chat: "c2", Seq: 1, Text: "hello", AfterClose: switchboard.PolicyReopen},
		"session_closure": session.Closure{WrapUp: wrapUp, Ended: true},
		"session_log_line": session.LogLine{View: view,
			Audience: session.Audience{Kind: session.AudienceAgents}, InternalNote: true},
		"session_directory_page": session.DirectoryPage{Agents: []session.AgentInfo{{ID: "a-18", Tenant: "t1",
			Name: "Bob", Group: "sales", Supervisor: true, LoggedIn: true}}, Page: 1, Pages: 3, Total: 41},
		"session_customer_delivery": session.CustomerDelivery{Chat: "c1", Item: session.CustomerView{Seq: 7, At: t0,
			Type: session.EntryOptionsOffered, FromName: "Ann", SubjectName: "Bob", Text: "Pick one", Files: files,
			Options: options, Ref: 3}},
		"transfer_record": transfer.Record{At: t0, By: "a-17", ByName: "Ann", Agent: "a-18", AgentName: "Bob",
			Queue: "sales", Comment: "VIP"},
		"transfer_target_agent": transfer.TargetAgent{ID: "a-18", Name: "Bob", Free: 2},
		"transfer_target_queue": transfer.TargetQueue{ID: "sales", Name: "Sales", Description: "Buying"},
		"transfer_request":      transfer.Request{Chat: "c1", From: "a-17", Queue: "sales", Comment: "VIP"},
		"routing_agent_cross_channel": routing.Agent{ID: "a-18", Profile: routing.Profile{
			Queues: []switchboard.QueueID{"sales"}, Budget: 4, LimitInterrupts: true,
			Capacity:   []routing.Capacity{{Channel: "chat", Max: 3}, {Channel: "voice", Max: 1, Weight: 3}},
			Interrupts: []routing.Interrupt{{Channel: "chat", By: "voice"}}},
			State: routing.Available, Used: []int{1, 0}, Work: []int{0, 1}, Version: 2},
		"routing_event_work": routing.Event{Type: routing.AgentWorkChanged, At: t0, Seq: 13, Agent: "a-18",
			State: routing.Available, Channel: "voice", Work: 1},
		"routing_verdict_cross_channel": routing.AgentVerdict{Agent: "a-18",
			Reasons: []routing.PassReason{routing.BudgetFullReason, routing.InterruptBlockedReason},
			State:   routing.Available, Load: 1, Capacity: 3, Units: 4, Budget: 4, BlockedBy: "voice"},
		"routing_explanation": routing.Explanation{Chat: "c1", Queue: "sales", State: routing.Queued, At: t0,
			Held: []routing.PassReason{routing.PreferredWaitReason}, Preferred: "a-17", PreferredUntil: t1,
			Agents: []routing.AgentVerdict{
				{Agent: "a-17", Eligible: true, State: routing.Available, Load: 1, Capacity: 2},
				{Agent: "a-18", Reasons: []routing.PassReason{routing.NotReadyReason, routing.MissingSkillReason},
					State: routing.NotReady, StateReason: "lunch", Capacity: 2,
					Missing: []routing.SkillShortfall{{Skill: "fr", Min: 2, Has: true, Level: 1}}},
			}, OpensAt: t1,
			Require: []routing.SkillRequirement{{Skill: "fr", Min: 2}}, RelaxStep: 1, NextRelaxAt: t1},
		"session_notice": session.Notice{Kind: session.NoticeRequeued, Position: 3, Wait: 90 * time.Second, Opens: t1,
			Estimated: true, Reason: session.RequeuedAgentLeft, Approximate: true},
		"stats_board": stats.Board{At: t0,
			Queues: map[switchboard.QueueID]*stats.QueueNow{"sales": {
				Chats: stats.Chats{Waiting: 3, Offered: 1, WaitingByPriority: map[int]int{0: 2, 5: 1},
					OfferedByPriority: map[int]int{0: 1}, Longest: 95 * time.Second, LongestChat: "c1", Talking: 4, WrappingUp: 1, OnHold: 1},
				Agents: stats.Agents{LoggedIn: 6, ByState: [5]int{0, 2, 3, 0, 1}, ByReason: map[string]int{"": 3, "lunch": 2, "wrap_up": 1},
					Slots: 12, InUse: 5, Reserved: 1, FreeSlots: map[switchboard.Channel]int{"chat": 4}},
				Eligible: 2}},
			Teams: map[string]*stats.GroupNow{"support": {Chats: stats.Chats{Talking: 4},
				Agents: stats.Agents{LoggedIn: 6, ByState: [5]int{0, 2, 3, 0, 1}, Slots: 12, InUse: 5}}},
			Tenants: map[switchboard.TenantID]*stats.GroupNow{"t1": {Chats: stats.Chats{Waiting: 3, Longest: 95 * time.Second, LongestChat: "c1"},
				Agents: stats.Agents{LoggedIn: 6, Slots: 12}}}},
		"session_customer_notice": session.CustomerDelivery{Chat: "c1", Item: session.CustomerView{Seq: 2, At: t0,
			Type: session.EntryNotice, Text: "You are number 2 in the queue.",
			Notice: session.Notice{Kind: session.NoticePosition, Position: 2, Wait: 45 * time.Second, Estimated: true}}},
		"conference_request": conference.Request{Chat: "c1", From: "a-17", Agent: "a-18"},
		"conference_config":  conference.Config{EndPolicy: conference.EndEverything},
		"session_receipt":    session.Receipt{Participant: "agent:a-17", Name: "Ann", Seq: 9, At: t1},
		"session_customer_receipt": session.CustomerDelivery{Chat: "c1", Item: session.CustomerView{At: t0,
			Type: session.EntryRead, FromName: "Ann", Ref: 8}},
		"session_customer_receipts": []session.CustomerReceipt{{Name: "Ann", Seq: 8, At: t0}},
	}
}

// TestWireGolden pins the JSON form of every wire type to a golden file,
// so that a change of the wire is a visible diff, and requires each to
// read back equal to the value. SPEC W4.
func TestWireGolden(t *testing.T) {
	t.Parallel()
	for name, v := range wireValues() {
		got, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", "wire", name+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run go test -run TestWireGolden -update .)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: wire form changed:\n%s\nwant (%s):\n%s", name, got, path, want)
		}
		back := reflect.New(reflect.TypeOf(v))
		if err := json.Unmarshal(want, back.Interface()); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(back.Elem().Interface(), v) {
			t.Errorf("%s: round trip gives\n%#v\nwant\n%#v", name, back.Elem().Interface(), v)
		}
	}
}

// snake is a field name or enum text of the wire: lower case words joined
// by underscores.
func snake(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// TestWireIsSnakeCase walks every golden file and requires every key to be
// snake_case, durations to name their unit, and times to be RFC 3339.
// SPEC W4.
func TestWireIsSnakeCase(t *testing.T) {
	t.Parallel()
	var walk func(name, key string, v any)
	walk = func(name, key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !snake(k) {
					t.Errorf("%s: key %q is not snake_case", name, k)
				}
				if strings.HasPrefix(key, "by_") {
					// A count keyed by an enum text or a reason code,
					// such as by_state's "wrap_up": not a duration.
					walk(name, "", x)
					continue
				}
				walk(name, k, x)
			}
		case []any:
			for _, x := range v {
				walk(name, key, x)
			}
		case string:
			if strings.HasSuffix(key, "_at") || strings.HasSuffix(key, "_until") || key == "at" || key == "until" {
				if _, err := time.Parse(time.RFC3339, v); err != nil {
					t.Errorf("%s: %s %q is not RFC 3339", name, key, v)
				}
			}
		case float64:
			for _, d := range []string{"timeout", "wait", "waiting", "wrap_up"} {
				if strings.HasSuffix(key, d) {
					t.Errorf("%s: duration %s does not name its unit", name, key)
				}
			}
		}
	}
	for name, v := range wireValues() {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		walk(name, "", m)
	}
	var q map[string]any
	b, _ := json.Marshal(routing.Queue{AcceptTimeout: 20 * time.Second})
	_ = json.Unmarshal(b, &q)
	if q["accept_timeout_ms"] != float64(20000) {
		t.Errorf("queue accept timeout on the wire: %s", b)
	}
}

// enum is one enum type: its values and a fresh zero to unmarshal into.
type enum struct {
	name   string
	values []encoding.TextMarshaler
	fresh  func() encoding.TextUnmarshaler
}

// enums lists every enum a wire type holds, with every valid value.
func enums() []enum {
	vals := func(n int, f func(i int) encoding.TextMarshaler) []encoding.TextMarshaler {
		out := make([]encoding.TextMarshaler, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	return []enum{
		{"routing.State", vals(5, func(i int) encoding.TextMarshaler { return routing.State(i) }), func() encoding.TextUnmarshaler { return new(routing.State) }},
		{"routing.Strategy", vals(int(routing.Manual)+1, func(i int) encoding.TextMarshaler { return routing.Strategy(i) }), func() encoding.TextUnmarshaler { return new(routing.Strategy) }},
		{"routing.ChatKind", vals(1, func(i int) encoding.TextMarshaler { return routing.ChatKind(i) }), func() encoding.TextUnmarshaler { return new(routing.ChatKind) }},
		{"routing.ChatState", vals(6, func(i int) encoding.TextMarshaler { return routing.ChatState(i) }), func() encoding.TextUnmarshaler { return new(routing.ChatState) }},
		{"routing.EndReason", vals(6, func(i int) encoding.TextMarshaler { return routing.EndReason(i) }), func() encoding.TextUnmarshaler { return new(routing.EndReason) }},
		{"routing.TransferPolicy", vals(2, func(i int) encoding.TextMarshaler { return routing.TransferPolicy(i) }), func() encoding.TextUnmarshaler { return new(routing.TransferPolicy) }},
		{"routing.OfferKind", vals(3, func(i int) encoding.TextMarshaler { return routing.OfferKind(i) }), func() encoding.TextUnmarshaler { return new(routing.OfferKind) }},
		{"routing.OfferOutcome", vals(6, func(i int) encoding.TextMarshaler { return routing.OfferOutcome(i) }), func() encoding.TextUnmarshaler { return new(routing.OfferOutcome) }},
		{"routing.EventType", vals(int(routing.ChatOnHoldRequeued)+1, func(i int) encoding.TextMarshaler { return routing.EventType(i) }), func() encoding.TextUnmarshaler { return new(routing.EventType) }},
		{"session.Kind", vals(3, func(i int) encoding.TextMarshaler { return session.Kind(i) }), func() encoding.TextUnmarshaler { return new(session.Kind) }},
		{"session.Status", vals(5, func(i int) encoding.TextMarshaler { return session.Status(i) }), func() encoding.TextUnmarshaler { return new(session.Status) }},
		{"session.Trigger", vals(7, func(i int) encoding.TextMarshaler { return session.Trigger(i) }), func() encoding.TextUnmarshaler { return new(session.Trigger) }},
		{"session.Role", vals(6, func(i int) encoding.TextMarshaler { return session.Role(i) }), func() encoding.TextUnmarshaler { return new(session.Role) }},
		{"session.SupervisorMode", vals(4, func(i int) encoding.TextMarshaler { return session.SupervisorMode(i) }), func() encoding.TextUnmarshaler { return new(session.SupervisorMode) }},
		{"session.Mode", vals(3, func(i int) encoding.TextMarshaler { return session.Mode(i) }), func() encoding.TextUnmarshaler { return new(session.Mode) }},
		{"session.AudienceKind", vals(int(session.AudienceCustomer)+1, func(i int) encoding.TextMarshaler { return session.AudienceKind(i) }), func() encoding.TextUnmarshaler { return new(session.AudienceKind) }},
		{"session.EntryType", vals(int(session.EntryRead)+1, func(i int) encoding.TextMarshaler { return session.EntryType(i) }), func() encoding.TextUnmarshaler { return new(session.EntryType) }},
		{"switchboard.HistoryRule", vals(4, func(i int) encoding.TextMarshaler { return switchboard.HistoryRule(i) }), func() encoding.TextUnmarshaler { return new(switchboard.HistoryRule) }},
		{"switchboard.AfterClosePolicy", vals(4, func(i int) encoding.TextMarshaler { return switchboard.AfterClosePolicy(i) }), func() encoding.TextUnmarshaler { return new(switchboard.AfterClosePolicy) }},
		{"routing.PassReason", vals(int(routing.ClosedReason)+1, func(i int) encoding.TextMarshaler { return routing.PassReason(i) }), func() encoding.TextUnmarshaler { return new(routing.PassReason) }},
		{"session.NoticeKind", vals(int(session.NoticeResumed)+1, func(i int) encoding.TextMarshaler { return session.NoticeKind(i) }), func() encoding.TextUnmarshaler { return new(session.NoticeKind) }},
		{"routing.ClosedPolicy", vals(3, func(i int) encoding.TextMarshaler { return routing.ClosedPolicy(i) }), func() encoding.TextUnmarshaler { return new(routing.ClosedPolicy) }},
		{"session.Timer", vals(int(session.TimerCustomerIdleClose)+1, func(i int) encoding.TextMarshaler { return session.Timer(i) }), func() encoding.TextUnmarshaler { return new(session.Timer) }},
		{"conference.EndPolicy", vals(2, func(i int) encoding.TextMarshaler { return conference.EndPolicy(i) }), func() encoding.TextUnmarshaler { return new(conference.EndPolicy) }},
		{"routing.OnHoldPolicy", vals(2, func(i int) encoding.TextMarshaler { return routing.OnHoldPolicy(i) }), func() encoding.TextUnmarshaler { return new(routing.OnHoldPolicy) }},
	}
}

// TestEnumTexts: every value of every enum has a distinct snake_case text
// that reads back as the value; the value after the last has none; and an
// unknown text is an error matching ErrInvalid that leaves the target
// unchanged. SPEC W5.
func TestEnumTexts(t *testing.T) {
	t.Parallel()
	for _, e := range enums() {
		seen := map[string]bool{}
		for i, v := range e.values {
			text, err := v.MarshalText()
			if err != nil {
				t.Errorf("%s(%d): %v", e.name, i, err)
				continue
			}
			if !snake(string(text)) || seen[string(text)] {
				t.Errorf("%s(%d): text %q is not snake_case or not distinct", e.name, i, text)
			}
			seen[string(text)] = true
			back := e.fresh()
			if err := back.UnmarshalText(text); err != nil {
				t.Errorf("%s(%d): %v", e.name, i, err)
			} else if got := reflect.ValueOf(back).Elem().Uint(); got != uint64(i) {
				t.Errorf("%s: %q reads back as %d, want %d", e.name, text, got, i)
			}
		}
		past := reflect.New(reflect.TypeOf(e.values[0])).Elem()
		past.SetUint(uint64(len(e.values)))
		if _, err := past.Interface().(encoding.TextMarshaler).MarshalText(); !errors.Is(err, switchboard.ErrInvalid) {
			t.Errorf("%s(%d) marshals: %v", e.name, len(e.values), err)
		}
		target := e.fresh()
		last, _ := e.values[len(e.values)-1].MarshalText()
		if err := target.UnmarshalText(last); err != nil {
			t.Fatal(err)
		}
		before := reflect.ValueOf(target).Elem().Uint()
		for _, bad := range []string{"Nope", "NotReady", "owner-changed", " active"} {
			err := target.UnmarshalText([]byte(bad))
			if !errors.Is(err, switchboard.ErrInvalid) {
				t.Errorf("%s: unknown text %q gives %v", e.name, bad, err)
			}
			if reflect.ValueOf(target).Elem().Uint() != before {
				t.Errorf("%s: unknown text %q changed the target", e.name, bad)
			}
		}
	}
	var ev routing.Event
	err := json.Unmarshal([]byte(`{"type":"ChatOffered"}`), &ev)
	if !errors.Is(err, switchboard.ErrInvalid) || !errors.Is(err, routing.ErrInvalid) {
		t.Errorf("an event of unknown type decodes with %v", err)
	}
}

// TestCustomerWireHidesAgents drives a chat with a whisper and a wrap-up
// reason through the engine and requires the customer's wire forms, the
// session's and each live delivery's, to hold neither the whisper nor any
// agent ID nor the reason; a delivery projected for an agent is refused.
// SPEC W6.
func TestCustomerWireHidesAgents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := desktest.New(t, []routing.Queue{{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second}},
		session.Config{Queues: map[switchboard.QueueID]session.QueueConfig{"sales": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: []string{"upsold-premium"}}}}})
	if _, err := f.Router.Login(ctx, "a-17", routing.Profile{DisplayName: "Ann", Tenant: "t1", Queues: []switchboard.QueueID{"sales"}}); err != nil {
		t.Fatal(err)
	}
	f.FreshChat("c1", "sales", "a-17")
	ann, carol := session.AgentParticipant("a-17"), session.CustomerParticipant("u2")
	f.Send(carol, "Where is my parcel?", session.ModeNormal)
	f.Send(ann, "whisper-secret-7731", session.ModeWhisper)
	f.Send(ann, "It is on its way.", session.ModeNormal)
	if _, err := f.Engine.End(ctx, "c1", "a-17", session.EndOptions{Confirm: true, Reason: "upsold-premium"}); err != nil {
		t.Fatal(err)
	}

	cw, err := f.Sessions.ForCustomer(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cw)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"whisper-secret-7731", "a-17", string(ann), "upsold-premium", `"private"`} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("customer wire form holds %q:\n%s", secret, b)
		}
	}
	for _, seen := range []string{"Where is my parcel?", "It is on its way.", `"from_name":"Ann"`} {
		if !bytes.Contains(b, []byte(seen)) {
			t.Errorf("customer wire form lacks %q:\n%s", seen, b)
		}
	}

	delivered := 0
	for _, d := range f.Transport.Received(carol) {
		cd, err := session.CustomerDeliveryOf(d)
		if err != nil {
			t.Errorf("delivery %d to the customer refused: %v", d.Item.Seq, err)
			continue
		}
		b, _ := json.Marshal(cd)
		if bytes.Contains(b, []byte("a-17")) || bytes.Contains(b, []byte("whisper-secret")) {
			t.Errorf("customer delivery holds an agent ID or the whisper: %s", b)
		}
		delivered++
	}
	if delivered == 0 {
		t.Error("the customer got no deliveries")
	}
	refused := 0
	for _, d := range f.Transport.Received(ann) {
		if _, err := session.CustomerDeliveryOf(d); err != nil {
			if !errors.Is(err, switchboard.ErrForbidden) {
				t.Errorf("agent delivery refused with %v", err)
			}
			refused++
		}
	}
	if refused == 0 {
		t.Error("no delivery projected for the agent was refused")
	}
}

// TestReasonsAreNamed parses routing's source and refuses an event or state
// reason written as a string literal: every reason the router sets is one
// of the Reason constants, documented in routing/wire.go. SPEC W7.
func TestReasonsAreNamed(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join("routing", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	// Calls whose last string argument is a reason.
	reasonCalls := map[string]bool{"requeue": true, "setAgentState": true, "releaseAssigned": true,
		"removeConsultant": true, "dropConsultants": true, "changeOwner": true, "logout": true, "transferFailed": true}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "wire.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Reason" {
					if lit, ok := n.Value.(*ast.BasicLit); ok && lit.Value != `""` {
						t.Errorf("%s: reason %s written as a literal", fset.Position(n.Pos()), lit.Value)
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && reasonCalls[sel.Sel.Name] {
					for _, a := range n.Args {
						if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING && lit.Value != `""` && sel.Sel.Name != "changeOwner" {
							t.Errorf("%s: reason %s written as a literal", fset.Position(a.Pos()), lit.Value)
						}
					}
					if sel.Sel.Name == "changeOwner" && len(n.Args) > 2 {
						if lit, ok := n.Args[2].(*ast.BasicLit); ok {
							t.Errorf("%s: reason %s written as a literal", fset.Position(lit.Pos()), lit.Value)
						}
					}
				}
			}
			return true
		})
	}
}
