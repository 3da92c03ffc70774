package session_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// withTags gives queue sales the wrap-up tags upsell, complaint and vip.
func withTags(c *session.Config) {
	qc := c.Queues["sales"]
	qc.WrapUpTags = []string{"upsell", "complaint", "vip"}
	c.Queues["sales"] = qc
}

// endedEntry returns the EntryEnded of views.
func endedEntry(t *testing.T, vs []session.View) session.View {
	t.Helper()
	for _, v := range vs {
		if v.Type == session.EntryEnded {
			return v
		}
	}
	t.Fatal("no ended entry")
	return session.View{}
}

func TestWrapUpTagsAreRecordedBesideTheReason(t *testing.T) {
	t.Parallel()
	// SPEC Q2: tags from the queue's list are recorded with the wrap-up,
	// in the organisation's log and in agents' history, each once, and
	// never in the customer's transcript.
	m, _ := setup(t, withTags)
	chat := chatWithOwner(t, m)
	w, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true,
		Tags: []string{"vip", "upsell", "vip"}})
	require.NoError(t, err)
	require.Equal(t, "sold", w.Reason)
	require.Equal(t, []string{"vip", "upsell"}, w.Tags, "duplicates are folded, the agent's order kept")

	s, err := m.Session(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, []string{"vip", "upsell"}, s.WrapUp.Tags)

	log, err := m.OrganisationLog(ctx, chat)
	require.NoError(t, err)
	var ended []session.LogLine
	for _, l := range log {
		if l.Type == session.EntryEnded {
			ended = append(ended, l)
		}
	}
	require.Len(t, ended, 1)
	require.Equal(t, "sold", ended[0].Reason)
	require.Equal(t, []string{"vip", "upsell"}, ended[0].Tags)
	require.True(t, ended[0].InternalNote)

	require.Equal(t, []string{"vip", "upsell"}, endedEntry(t, history(t, m, chat, annP)).Tags)
	tr, err := m.Transcript(ctx, chat)
	require.NoError(t, err)
	for _, v := range tr {
		require.Empty(t, v.Tags, "the customer never sees wrap-up tags")
	}
}

func TestUnknownWrapUpTagsChangeNothing(t *testing.T) {
	t.Parallel()
	// SPEC Q2: a tag not in the queue's list is refused with an error
	// wrapping ErrInvalid that names it, and the session is unchanged.
	m, b := setup(t, withTags)
	chat := chatWithOwner(t, m)
	before := snap(t, b, chat)
	_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true,
		Tags: []string{"vip", "bogus", "", "bogus"}})
	require.ErrorIs(t, err, session.ErrInvalid)
	var te *session.TagError
	require.ErrorAs(t, err, &te)
	require.Equal(t, []string{"bogus", ""}, te.Unknown)
	require.Equal(t, []string{"upsell", "complaint", "vip"}, te.Allowed)
	require.Equal(t, before, snap(t, b, chat))

	_, err = m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true, Tags: []string{"bogus"}})
	require.ErrorIs(t, err, session.ErrInvalid, "Close applies the same rule")
	_, err = m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true, Forced: true, Tags: []string{"bogus"}})
	require.ErrorIs(t, err, session.ErrInvalid, "a forced end is held to the list too")
	require.Equal(t, before, snap(t, b, chat))
}

func TestWrapUpTagsNeedAList(t *testing.T) {
	t.Parallel()
	// SPEC Q2: a queue without a tag list accepts no tag, and an end
	// without tags records none.
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	before := snap(t, b, chat)
	_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true, Tags: []string{"vip"}})
	require.ErrorIs(t, err, session.ErrInvalid)
	require.Equal(t, before, snap(t, b, chat))

	w, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.Empty(t, w.Tags)
}

func TestWrapUpTagsFunction(t *testing.T) {
	t.Parallel()
	// SPEC Q2: the rule as a plain function.
	allowed := []string{"a", "b", "c"}
	got, err := session.WrapUpTags([]string{"c", "a", "c", "a"}, allowed)
	require.NoError(t, err)
	require.Equal(t, []string{"c", "a"}, got)
	got, err = session.WrapUpTags(nil, allowed)
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = session.WrapUpTags([]string{"a", "z"}, allowed)
	require.ErrorIs(t, err, session.ErrInvalid)
	require.ErrorContains(t, err, "z")
	_, err = session.WrapUpTags([]string{"a"}, nil)
	require.ErrorIs(t, err, session.ErrInvalid)
}

func TestWrapUpTagsFollowTheQueueSettings(t *testing.T) {
	t.Parallel()
	// SPEC Q2: the list is read from the queue's settings at the time of
	// the end, like the wrap-up reasons.
	tags := []string{"vip"}
	m, _ := setup(t, func(c *session.Config) {
		c.QueueSettings = func(_ context.Context, q switchboard.QueueID) (switchboard.ChatSettings, error) {
			return switchboard.ChatSettings{WrapUpTags: tags}, nil
		}
	})
	chat := chatWithOwner(t, m)
	tags = []string{"vip", "late"}
	w, err := m.End(ctx, chat, "ann", session.EndOptions{Confirm: true, Tags: []string{"late"}})
	require.NoError(t, err)
	require.Equal(t, []string{"late"}, w.Tags)
}
