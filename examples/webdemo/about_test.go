package main

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// estimating is a routing store that answers positions with an estimate,
// as a SQL store may where an exact rank is costly.
type estimating struct{ routing.Store }

func (s estimating) Position(ctx context.Context, id switchboard.ChatID) (int, bool, error) {
	n, _, err := s.Store.Position(ctx, id)
	return n, false, err
}

func estimate(s routing.Store) routing.Store { return estimating{s} }

// TestEstimatedPlaceReachesTheCustomer: a place the store estimated
// reaches the customer's page marked approximate, in words with "about";
// an exact one is not marked (SPEC W8).
func TestEstimatedPlaceReachesTheCustomer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		wrap   func(routing.Store) routing.Store
		approx bool
		words  string
	}{
		{"estimated", estimate, true, "You are about number 2 in the queue."},
		{"exact", nil, false, "You are number 2 in the queue."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, options{wrapRouting: tc.wrap})
			s.open(t, "customer").must("start", map[string]any{"name": "Ann", "queue": "billing"})
			second := s.open(t, "customer")
			second.must("start", map[string]any{"name": "Ben", "queue": "billing"})
			f := second.wait("queued second", noticeAt("queued", 2))
			n := f["notice"].(map[string]any)
			if got := n["approximate"] == true; got != tc.approx {
				t.Errorf("notice %v: approximate %v, want %v", n, got, tc.approx)
			}
			if text := f["item"].(map[string]any)["text"]; !strings.HasPrefix(text.(string), tc.words) {
				t.Errorf("notice's words %q, want %q", text, tc.words)
			}
		})
	}
}

// TestBrowserSaysAboutForAnEstimate: the widget's status line says "about
// 2nd in line" for a place the store estimated, and "2nd in line" for an
// exact one (SPEC W8).
func TestBrowserSaysAboutForAnEstimate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		wrap  func(routing.Store) routing.Store
		words string
	}{
		{"estimated", estimate, "You are about 2nd in line"},
		{"exact", nil, "You are 2nd in line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, options{wrapRouting: tc.wrap})
			first, second := b.open("first customer", "/"), b.open("second customer", "/")
			startChat(first, "Ann", "billing")
			startChat(second, "Ben", "billing")
			second.waitText("#status", tc.words)
			if tc.wrap == nil {
				second.never("about 2nd")
			}
		})
	}
}
