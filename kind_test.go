package switchboard_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/internal/desktest"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/transfer"
)

// sentinels lists every exported Err variable of the module's packages,
// keyed "dir.Name". TestSentinelListComplete checks it against the source,
// so a new sentinel must be listed here, and so given a kind.
var sentinels = map[string]error{
	"attachment.ErrDisabled":         attachment.ErrDisabled,
	"attachment.ErrInvalidPolicy":    attachment.ErrInvalidPolicy,
	"attachment.ErrTooManyFiles":     attachment.ErrTooManyFiles,
	"attachment.ErrTooLarge":         attachment.ErrTooLarge,
	"attachment.ErrTotalTooLarge":    attachment.ErrTotalTooLarge,
	"attachment.ErrEmpty":            attachment.ErrEmpty,
	"attachment.ErrSizeMismatch":     attachment.ErrSizeMismatch,
	"attachment.ErrBadName":          attachment.ErrBadName,
	"attachment.ErrTypeNotAllowed":   attachment.ErrTypeNotAllowed,
	"attachment.ErrTypeMismatch":     attachment.ErrTypeMismatch,
	"attachment.ErrExecutable":       attachment.ErrExecutable,
	"attachment.ErrSensitiveContent": attachment.ErrSensitiveContent,
	"attachment.ErrNotScanned":       attachment.ErrNotScanned,
	"attachment.ErrUnreadable":       attachment.ErrUnreadable,

	"compliance.ErrKeepTooMany":  compliance.ErrKeepTooMany,
	"compliance.ErrKeepNegative": compliance.ErrKeepNegative,
	"compliance.ErrBrand":        compliance.ErrBrand,
	"compliance.ErrPolicy":       compliance.ErrPolicy,
	"compliance.ErrDetector":     compliance.ErrDetector,
	"compliance.ErrSplitWindow":  compliance.ErrSplitWindow,
	"compliance.ErrMessageID":    compliance.ErrMessageID,

	"conference.ErrInvalid":          conference.ErrInvalid,
	"conference.ErrNotInConference":  conference.ErrNotInConference,
	"conference.ErrCannotEnd":        conference.ErrCannotEnd,
	"conference.ErrNobodyToTakeOver": conference.ErrNobodyToTakeOver,
	"conference.ErrNotOwner":         conference.ErrNotOwner,
	"conference.ErrNotConsultant":    conference.ErrNotConsultant,
	"conference.ErrCustomerLeft":     conference.ErrCustomerLeft,
	"conference.ErrChatEnded":        conference.ErrChatEnded,
	"conference.ErrChatNotFound":     conference.ErrChatNotFound,
	"conference.ErrInvitePending":    conference.ErrInvitePending,
	"conference.ErrTransferPending":  conference.ErrTransferPending,
	"conference.ErrAgentUnavailable": conference.ErrAgentUnavailable,
	"conference.ErrAgentNotFound":    conference.ErrAgentNotFound,
	"conference.ErrNoAgentAvailable": conference.ErrNoAgentAvailable,
	"conference.ErrQueueNotFound":    conference.ErrQueueNotFound,
	"conference.ErrAlreadyInChat":    conference.ErrAlreadyInChat,

	"engine.ErrNotRunning": engine.ErrNotRunning,
	"engine.ErrInvalid":    engine.ErrInvalid,
	"engine.ErrConfig":     engine.ErrConfig,
	"engine.ErrRunning":    engine.ErrRunning,
	"engine.ErrBusy":       engine.ErrBusy,

	"routing.ErrInvalid":          routing.ErrInvalid,
	"routing.ErrGraceOver":        routing.ErrGraceOver,
	"routing.ErrAgentNotFound":    routing.ErrAgentNotFound,
	"routing.ErrQueueNotFound":    routing.ErrQueueNotFound,
	"routing.ErrChatNotFound":     routing.ErrChatNotFound,
	"routing.ErrOfferNotFound":    routing.ErrOfferNotFound,
	"routing.ErrChatExists":       routing.ErrChatExists,
	"routing.ErrLoggedOut":        routing.ErrLoggedOut,
	"routing.ErrAlreadyLoggedIn":  routing.ErrAlreadyLoggedIn,
	"routing.ErrNotYourOffer":     routing.ErrNotYourOffer,
	"routing.ErrOfferExpired":     routing.ErrOfferExpired,
	"routing.ErrOfferTaken":       routing.ErrOfferTaken,
	"routing.ErrOfferWithdrawn":   routing.ErrOfferWithdrawn,
	"routing.ErrOfferCancelled":   routing.ErrOfferCancelled,
	"routing.ErrOfferAnswered":    routing.ErrOfferAnswered,
	"routing.ErrNotInChat":        routing.ErrNotInChat,
	"routing.ErrNotOwner":         routing.ErrNotOwner,
	"routing.ErrNotConsultant":    routing.ErrNotConsultant,
	"routing.ErrAlreadyInChat":    routing.ErrAlreadyInChat,
	"routing.ErrAgentUnavailable": routing.ErrAgentUnavailable,
	"routing.ErrNoAgentAvailable": routing.ErrNoAgentAvailable,
	"routing.ErrSameAgent":        routing.ErrSameAgent,
	"routing.ErrNotInTeam":        routing.ErrNotInTeam,
	"routing.ErrInvitePending":    routing.ErrInvitePending,
	"routing.ErrTransferPending":  routing.ErrTransferPending,
	"routing.ErrChatEnded":        routing.ErrChatEnded,
	"routing.ErrConflict":         routing.ErrConflict,
	"routing.ErrOutcomeUnknown":   routing.ErrOutcomeUnknown,
	// Picking by hand and returning to the queue.
	"routing.ErrChatTaken":   routing.ErrChatTaken,
	"routing.ErrNotManual":   routing.ErrNotManual,
	"routing.ErrNotEligible": routing.ErrNotEligible,
	"routing.ErrLicenceFull": routing.ErrLicenceFull,

	"routing/routingtest.ErrInjected": routingtest.ErrInjected,
	"routing/routingmem.ErrClosed":    routingmem.ErrClosed,

	"session.ErrNotFound":             session.ErrNotFound,
	"session.ErrExists":               session.ErrExists,
	"session.ErrConflict":             session.ErrConflict,
	"session.ErrOutcomeUnknown":       session.ErrOutcomeUnknown,
	"session.ErrDuplicate":            session.ErrDuplicate,
	"session.ErrInvalid":              session.ErrInvalid,
	"session.ErrNotParticipant":       session.ErrNotParticipant,
	"session.ErrForbidden":            session.ErrForbidden,
	"session.ErrLeft":                 session.ErrLeft,
	"session.ErrCustomerLeft":         session.ErrCustomerLeft,
	"session.ErrConfirmationRequired": session.ErrConfirmationRequired,
	"session.ErrInvalidWrapUp":        session.ErrInvalidWrapUp,
	"session.ErrAlreadyClosed":        session.ErrAlreadyClosed,
	"session.ErrReadOnly":             session.ErrReadOnly,
	"session.ErrInvalidState":         session.ErrInvalidState,
	"session.ErrEmptyMessage":         session.ErrEmptyMessage,
	"session.ErrTooLarge":             session.ErrTooLarge,
	"session.ErrSecondCustomer":       session.ErrSecondCustomer,
	"session.ErrCannotRemoveCustomer": session.ErrCannotRemoveCustomer,
	"session.ErrAlreadyParticipant":   session.ErrAlreadyParticipant,
	"session.ErrParticipantLimit":     session.ErrParticipantLimit,
	"session.ErrUnavailable":          session.ErrUnavailable,
	"session.ErrNoOffer":              session.ErrNoOffer,
	"session.ErrUnknownOption":        session.ErrUnknownOption,
	"session.ErrNotVisible":           session.ErrNotVisible,
	"session.ErrFiltered":             session.ErrFiltered,
	"session.ErrVideo":                session.ErrVideo,

	"stats.ErrBadKey":   stats.ErrBadKey,
	"stats.ErrConfig":   stats.ErrConfig,
	"stats.ErrConflict": stats.ErrConflict,
	"stats.ErrInvalid":  stats.ErrInvalid,

	"transfer.ErrInvalid":          transfer.ErrInvalid,
	"transfer.ErrSessionEnded":     transfer.ErrSessionEnded,
	"transfer.ErrNotOwner":         transfer.ErrNotOwner,
	"transfer.ErrAgentUnavailable": transfer.ErrAgentUnavailable,
	"transfer.ErrAgentNotFound":    transfer.ErrAgentNotFound,
	"transfer.ErrSameAgent":        transfer.ErrSameAgent,
	"transfer.ErrNotInTeam":        transfer.ErrNotInTeam,
	"transfer.ErrAlreadyInChat":    transfer.ErrAlreadyInChat,
	"transfer.ErrQueueNotFound":    transfer.ErrQueueNotFound,
	"transfer.ErrTransferPending":  transfer.ErrTransferPending,
	"transfer.ErrInvitePending":    transfer.ErrInvitePending,
	"transfer.ErrChatEnded":        transfer.ErrChatEnded,
}

// kindsOf returns the kinds err matches with errors.Is.
func kindsOf(err error) []error {
	var out []error
	for _, k := range switchboard.Kinds() {
		if errors.Is(err, k) {
			out = append(out, k)
		}
	}
	return out
}

// TestSentinelListComplete parses every non-test Go file of the module and
// requires the exported Err variables it declares to be exactly those of
// the sentinels list (the root package's kinds aside). SPEC W1.
func TestSentinelListComplete(t *testing.T) {
	t.Parallel()
	var found []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != "." {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					if strings.HasPrefix(name.Name, "Err") && name.IsExported() && dir != "." {
						found = append(found, dir+"."+name.Name)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for name := range sentinels {
		listed = append(listed, name)
	}
	sort.Strings(found)
	sort.Strings(listed)
	for _, name := range found {
		if _, ok := sentinels[name]; !ok {
			t.Errorf("%s is declared but not in the sentinels list: give it a kind and list it", name)
		}
	}
	for _, name := range listed {
		if !slices.Contains(found, name) {
			t.Errorf("%s is listed but no longer declared", name)
		}
	}
}

// TestEverySentinelHasOneKind: every sentinel of the module matches exactly
// one kind with errors.Is, and keeps doing so wrapped. SPEC W1.
func TestEverySentinelHasOneKind(t *testing.T) {
	t.Parallel()
	for name, err := range sentinels {
		ks := kindsOf(err)
		if len(ks) != 1 {
			t.Errorf("%s matches %d kinds %v, want exactly one", name, len(ks), ks)
			continue
		}
		wrapped := fmt.Errorf("op: %w", err)
		if got := switchboard.KindOf(wrapped); got != ks[0] {
			t.Errorf("KindOf(wrapped %s) = %v, want %v", name, got, ks[0])
		}
		if !errors.Is(wrapped, err) {
			t.Errorf("wrapped %s no longer matches itself", name)
		}
	}
}

// TestTypedErrorsHaveOneKind: the typed errors match their package sentinel,
// its kind, and nothing else, and are still found with errors.As. SPEC W1.
func TestTypedErrorsHaveOneKind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		err      error
		sentinel error
		kind     error
	}{
		{"routing.InvalidError", &routing.InvalidError{Field: "id", Problem: "empty"}, routing.ErrInvalid, switchboard.ErrInvalid},
		{"routing.StateError", &routing.StateError{Entity: "chat", ID: "c1", State: "queued", Action: "end"}, nil, switchboard.ErrState},
		{"session.StatusError", &session.StatusError{}, session.ErrInvalidState, switchboard.ErrState},
		{"session.WrapUpError", &session.WrapUpError{Reason: "x"}, session.ErrInvalidWrapUp, switchboard.ErrInvalid},
		{"session.TooLargeError", &session.TooLargeError{What: "files", Size: 3, Limit: 2}, session.ErrTooLarge, switchboard.ErrInvalid},
		{"compliance.BrandError", &compliance.BrandError{Name: "x"}, compliance.ErrBrand, switchboard.ErrInvalid},
		{"attachment.RejectedError", &attachment.RejectedError{Err: attachment.ErrExecutable}, attachment.ErrExecutable, switchboard.ErrInvalid},
	}
	for _, c := range cases {
		err := fmt.Errorf("op: %w", c.err)
		if ks := kindsOf(err); len(ks) != 1 || ks[0] != c.kind {
			t.Errorf("%s matches kinds %v, want [%v]", c.name, ks, c.kind)
		}
		if c.sentinel != nil && !errors.Is(err, c.sentinel) {
			t.Errorf("%s does not match %v", c.name, c.sentinel)
		}
	}
	var ie *routing.InvalidError
	if !errors.As(fmt.Errorf("op: %w", &routing.InvalidError{Field: "id"}), &ie) || ie.Field != "id" {
		t.Error("errors.As no longer finds a routing.InvalidError")
	}
}

// errHost stands for a host store's own error.
var errHost = errors.New("connection refused")

// TestKindOfPrecedence pins the order KindOf applies to an error matching
// several kinds, and what it reports for errors of no kind. SPEC W2.
func TestKindOfPrecedence(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"host error", fmt.Errorf("routing: accept o1: %w", errHost), switchboard.ErrUnavailable},
		{"cancelled", fmt.Errorf("routing: accept o1: %w", context.Canceled), context.Canceled},
		{"deadline", fmt.Errorf("session c1: %w", context.DeadlineExceeded), context.DeadlineExceeded},
		{"unknown beats cancelled", errors.Join(context.Canceled, routing.ErrOutcomeUnknown), switchboard.ErrOutcomeUnknown},
		{"cancelled beats unavailable", errors.Join(engine.ErrNotRunning, context.Canceled), context.Canceled},
		{"unavailable beats conflict", errors.Join(session.ErrConflict, routingtest.ErrInjected), switchboard.ErrUnavailable},
		{"conflict beats not found", errors.Join(routing.ErrChatNotFound, routing.ErrConflict), switchboard.ErrConflict},
		{"not found beats exists", errors.Join(session.ErrExists, session.ErrNotFound), switchboard.ErrNotFound},
		{"exists beats forbidden", errors.Join(routing.ErrNotOwner, routing.ErrChatExists), switchboard.ErrExists},
		{"forbidden beats state", errors.Join(routing.ErrChatEnded, routing.ErrNotOwner), switchboard.ErrForbidden},
		{"state beats invalid", errors.Join(session.ErrEmptyMessage, session.ErrReadOnly), switchboard.ErrState},
		{"invalid", fmt.Errorf("x: %w", compliance.ErrPolicy), switchboard.ErrInvalid},
		{"kind itself", switchboard.ErrForbidden, switchboard.ErrForbidden},
	}
	for _, c := range cases {
		if got := switchboard.KindOf(c.err); got != c.want {
			t.Errorf("%s: KindOf = %v, want %v", c.name, got, c.want)
		}
	}
	wrapped := fmt.Errorf("engine: start c1: %w", errHost)
	if !errors.Is(wrapped, errHost) {
		t.Error("the host's error is hidden")
	}
	if errors.Is(wrapped, switchboard.ErrUnavailable) {
		t.Error("a host error matches ErrUnavailable itself; only KindOf maps it")
	}
}

// TestKindsDistinct: the kinds are distinct, each matches itself only, and
// Kinds lists them in KindOf's order. SPEC W2.
func TestKindsDistinct(t *testing.T) {
	t.Parallel()
	ks := switchboard.Kinds()
	if len(ks) != 8 {
		t.Fatalf("%d kinds, want 8", len(ks))
	}
	for i, k := range ks {
		for j, other := range ks {
			if errors.Is(k, other) != (i == j) {
				t.Errorf("errors.Is(%v, %v) = %v", k, other, i != j)
			}
		}
		if switchboard.KindOf(errors.Join(k, ks[len(ks)-1])) != k {
			t.Errorf("%v does not take precedence over the kinds after it", k)
		}
	}
}

// httpStatus is the one switch a host writes to map errors to HTTP.
func httpStatus(err error) int {
	switch switchboard.KindOf(err) {
	case nil:
		return http.StatusOK
	case switchboard.ErrNotFound:
		return http.StatusNotFound
	case switchboard.ErrExists, switchboard.ErrConflict, switchboard.ErrState:
		return http.StatusConflict
	case switchboard.ErrInvalid:
		return http.StatusBadRequest
	case switchboard.ErrForbidden:
		return http.StatusForbidden
	case switchboard.ErrOutcomeUnknown:
		return http.StatusGatewayTimeout
	case context.Canceled:
		return 499 // client closed the request
	case context.DeadlineExceeded:
		return http.StatusGatewayTimeout
	default: // ErrUnavailable
		return http.StatusServiceUnavailable
	}
}

// ExampleKindOf maps the library's errors to HTTP status codes with one
// switch.
func ExampleKindOf() {
	for _, err := range []error{
		nil,
		fmt.Errorf("routing: accept o1: %w", routing.ErrOfferNotFound),
		fmt.Errorf("routing: accept o1: %w", routing.ErrNotYourOffer),
		fmt.Errorf("session c1: %w", session.ErrEmptyMessage),
		fmt.Errorf("routing: end c1: %w", routing.ErrChatEnded),
		fmt.Errorf("session c1: write: %w", session.ErrConflict),
		fmt.Errorf("engine: start c1: %w", errHost),
	} {
		fmt.Println(httpStatus(err), err)
	}
	// Output:
	// 200 <nil>
	// 404 routing: accept o1: offer not found
	// 403 routing: accept o1: offer was made to another agent
	// 400 session c1: empty message
	// 409 routing: end c1: chat has ended
	// 409 session c1: write: version conflict
	// 503 engine: start c1: connection refused
}

// TestRefusalsKeepOneKind: a refusal of routing or the session passed on
// by transfer or conference matches both packages' sentinels and still
// exactly one kind, the original's, with the original's message. SPEC W1.
func TestRefusalsKeepOneKind(t *testing.T) {
	t.Parallel()
	for name, s := range sentinels {
		if !strings.HasPrefix(name, "routing.") && !strings.HasPrefix(name, "session.") {
			continue
		}
		orig := fmt.Errorf("routing: transfer c1: %w", s)
		for pkg, err := range map[string]error{"transfer": transfer.Refusal(orig), "conference": conference.Refusal(orig)} {
			ks := kindsOf(err)
			if len(ks) != 1 || ks[0] != switchboard.KindOf(s) {
				t.Errorf("%s.Refusal(%s) matches kinds %v, want %v", pkg, name, ks, switchboard.KindOf(s))
			}
			if !errors.Is(err, s) {
				t.Errorf("%s.Refusal(%s) no longer matches it", pkg, name)
			}
			if !strings.HasSuffix(err.Error(), orig.Error()) {
				t.Errorf("%s.Refusal(%s) reads %q", pkg, name, err)
			}
		}
	}
	if err := transfer.Refusal(fmt.Errorf("x: %w", routing.ErrNotOwner)); !errors.Is(err, transfer.ErrNotOwner) {
		t.Errorf("transfer refusal does not match transfer.ErrNotOwner: %v", err)
	}
	if err := conference.Refusal(fmt.Errorf("x: %w", session.ErrNotFound)); !errors.Is(err, conference.ErrChatNotFound) {
		t.Errorf("conference refusal does not match conference.ErrChatNotFound: %v", err)
	}
}

// errBench is a typical error as a host sees it: a sentinel wrapped twice.
var errBench = fmt.Errorf("engine: transfer c1: %w", fmt.Errorf("routing: transfer c1: %w", routing.ErrChatEnded))

// BenchmarkKindOf measures the one-switch mapping of a wrapped state
// refusal, which walks the kinds in precedence order.
func BenchmarkKindOf(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if switchboard.KindOf(errBench) != switchboard.ErrState {
			b.Fatal("wrong kind")
		}
	}
}

// BenchmarkErrorsIsBaseline is the baseline of BenchmarkKindOf: one
// errors.Is against the package sentinel, what a host listing sentinels
// pays per comparison.
func BenchmarkErrorsIsBaseline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !errors.Is(errBench, routing.ErrChatEnded) {
			b.Fatal("no match")
		}
	}
}

// TestHostStoreErrorIsUnavailable: a routing store failing with an error of
// its own makes the engine and the router return an error whose kind is
// ErrUnavailable, with the host's error still in it. SPEC W2.
func TestHostStoreErrorIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var fs *routingtest.FaultStore
	f := desktest.New(t, []routing.Queue{{ID: "sales", Tenant: "t1"}}, session.Config{}, func(c *engine.Config) {
		fs = routingtest.NewFaultStore(c.Routing)
		c.Routing = fs
	})
	fs.FailFrom(fs.Count()+1, errHost)
	_, errStart := f.Engine.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	_, errChat := f.Router.Chat(ctx, "c1")
	for name, err := range map[string]error{"engine start": errStart, "router chat": errChat} {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errors.Is(err, errHost) {
			t.Errorf("%s: %v hides the host's error", name, err)
		}
		if k := switchboard.KindOf(err); k != switchboard.ErrUnavailable {
			t.Errorf("%s: kind %v, want unavailable", name, k)
		}
	}
}
