package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// SPEC S7: an agent has many sessions at once and the count is observable.
func TestActiveCount(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	for i, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		_, err := m.Create(ctx, session.CustomerSession{ID: id, Queue: "sales", Customer: switchboard.CustomerID(id), CustomerName: "C"})
		require.NoError(t, err)
		_, err = m.AssignOwner(ctx, id, ann)
		require.NoError(t, err)
		n, err := m.ActiveCount(ctx, "ann")
		require.NoError(t, err)
		require.Equal(t, i+1, n)
	}
	_, err := m.Close(ctx, "c2", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	n, err := m.ActiveCount(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	ids, err := m.ActiveSessions(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, []switchboard.ChatID{"c1", "c3"}, ids)
}

// SPEC S12: predefined responses per queue: searchable, inserted one at a
// time with placeholders resolved for the agent, editable before sending;
// unavailable when none are configured.
func TestPredefinedResponses(t *testing.T) {
	t.Parallel()
	m, _ := setup(t, func(c *session.Config) {
		c.Queues["sales"] = session.QueueConfig{ChatSettings: switchboard.ChatSettings{Responses: []switchboard.Response{
			{ID: "greet", Title: "Greeting", Text: "Hello {customer}, I am {agent} from {queue}."},
			{ID: "bye", Title: "Goodbye", Text: "Thanks for contacting us!"},
		}}}
	})
	chat := chatWithOwner(t, m)
	all, err := m.Responses(ctx, chat, "ann", "")
	require.NoError(t, err)
	require.Len(t, all, 2)
	found, err := m.Responses(ctx, chat, "ann", "GOOD")
	require.NoError(t, err)
	require.Equal(t, []switchboard.Response{{ID: "bye", Title: "Goodbye", Text: "Thanks for contacting us!"}}, found)

	draft, err := m.InsertResponse(ctx, chat, "ann", "greet")
	require.NoError(t, err)
	require.Equal(t, "Hello Carol, I am Ann from sales.", draft)
	sent := send(t, m, chat, annP, session.ModeNormal, draft+" How can I help?")
	require.Equal(t, "Hello Carol, I am Ann from sales. How can I help?", sent.Text)

	_, err = m.InsertResponse(ctx, chat, "ann", "nope")
	require.ErrorIs(t, err, session.ErrNotFound)
	_, err = m.Responses(ctx, chat, "bob", "")
	require.ErrorIs(t, err, session.ErrNotParticipant)

	m2, _ := setup(t)
	chat2 := chatWithOwner(t, m2)
	_, err = m2.Responses(ctx, chat2, "ann", "")
	require.ErrorIs(t, err, session.ErrUnavailable)
	_, err = m2.InsertResponse(ctx, chat2, "ann", "greet")
	require.ErrorIs(t, err, session.ErrUnavailable)
}

// SPEC S13: structured options offered to the customer; the choice is
// recorded as a choice and validated.
func TestOfferOptions(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	opts := []session.Option{{ID: "upgrade", Label: "Upgrade my plan"}, {ID: "cancel", Label: "Cancel"}}
	require.NoError(t, m.OfferOptions(ctx, chat, "ann", "What would you like?", opts))
	got := b.transport.Received(customer)
	offer := got[len(got)-1].Item
	require.Equal(t, session.EntryOptionsOffered, offer.Type)
	require.Equal(t, opts, offer.Options)

	before := snap(t, b, chat)
	_, err := m.Choose(ctx, chat, customer, "refund")
	require.ErrorIs(t, err, session.ErrUnknownOption)
	_, err = m.Choose(ctx, chat, annP, "upgrade")
	require.ErrorIs(t, err, session.ErrForbidden)
	require.Equal(t, before, snap(t, b, chat))

	chosen, err := m.Choose(ctx, chat, customer, "upgrade")
	require.NoError(t, err)
	require.Equal(t, opts[0], chosen)
	got = b.transport.Received(annP)
	choice := got[len(got)-1].Item
	require.Equal(t, session.EntryOptionChosen, choice.Type)
	require.Equal(t, []session.Option{opts[0]}, choice.Options)
	require.Empty(t, choice.Text, "a choice, not free text")

	_, err = m.Choose(ctx, chat, customer, "cancel")
	require.ErrorIs(t, err, session.ErrNoOffer, "an offer is answered once")
	require.ErrorIs(t, m.OfferOptions(ctx, chat, "ann", "?", []session.Option{{ID: "a", Label: "A"}, {ID: "a", Label: "B"}}), session.ErrInvalid)
}

// SPEC S14: customer attributes carry verified or claimed.
func TestCustomerAttributes(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	_, err := m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol",
		Attributes: []session.Attribute{{Name: "email", Value: "carol@example.com", Verified: true}}})
	require.NoError(t, err)
	require.NoError(t, m.SetAttribute(ctx, "c1", session.Attribute{Name: "account", Value: "12345"}))
	s, err := m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []session.Attribute{
		{Name: "email", Value: "carol@example.com", Verified: true},
		{Name: "account", Value: "12345", Verified: false},
	}, s.Attributes)
}

type fakeContacts struct {
	tenant   switchboard.TenantID
	customer switchboard.CustomerID
}

func (f *fakeContacts) Contact(ctx context.Context, tenant switchboard.TenantID, c switchboard.CustomerID) (session.Contact, error) {
	if tenant != f.tenant || c != f.customer {
		return session.Contact{}, session.ErrNotFound
	}
	return session.Contact{Customer: c, Name: "Carol", Fields: map[string]string{"phone": "+1 555 0100"}}, nil
}

func (f *fakeContacts) History(ctx context.Context, tenant switchboard.TenantID, c switchboard.CustomerID, limit int) ([]session.ContactRecord, error) {
	if tenant != f.tenant || c != f.customer {
		return nil, errors.New("unknown customer")
	}
	all := []session.ContactRecord{{Chat: "old-2", Queue: "sales", Summary: "upgrade"}, {Chat: "old-1", Queue: "support", Summary: "login"}}
	return all[:min(limit, len(all))], nil
}

// SPEC S15: contact info and history come from a host interface.
func TestContactInfoAndHistory(t *testing.T) {
	t.Parallel()
	m, _ := setup(t, func(c *session.Config) { c.Contacts = &fakeContacts{tenant: "t1", customer: "u1"} })
	chat := chatWithOwner(t, m)
	c, err := m.ContactInfo(ctx, chat, "ann")
	require.NoError(t, err)
	require.Equal(t, "+1 555 0100", c.Fields["phone"])
	h, err := m.ContactHistory(ctx, chat, "ann", 1)
	require.NoError(t, err)
	require.Equal(t, []session.ContactRecord{{Chat: "old-2", Queue: "sales", Summary: "upgrade"}}, h)
	_, err = m.ContactInfo(ctx, chat, "bob")
	require.ErrorIs(t, err, session.ErrNotParticipant)

	m2, _ := setup(t)
	chat2 := chatWithOwner(t, m2)
	_, err = m2.ContactInfo(ctx, chat2, "ann")
	require.ErrorIs(t, err, session.ErrUnavailable)
}

// SPEC S16: a video leg starts and ends inside the chat; ending it leaves
// the chat going and tells the other side.
func TestVideoLeg(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.StartVideo(ctx, chat, annP))
	require.ErrorIs(t, m.StartVideo(ctx, chat, customer), session.ErrVideo)
	b.clock.Add(5 * time.Minute)
	require.NoError(t, m.EndVideo(ctx, chat, annP))
	got := b.transport.Received(customer)
	require.Equal(t, "Ann has left the video call", got[len(got)-1].Item.Text)
	require.Equal(t, session.EntryVideoEnded, got[len(got)-1].Item.Type)
	require.ErrorIs(t, m.EndVideo(ctx, chat, annP), session.ErrVideo)

	s, err := m.Session(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, session.StatusActive, s.Status)
	send(t, m, chat, customer, session.ModeNormal, "still here")

	require.NoError(t, m.StartVideo(ctx, chat, customer))
	require.NoError(t, m.EndVideo(ctx, chat, customer))
	got = b.transport.Received(annP)
	require.Equal(t, "Carol has left the video call", got[len(got)-1].Item.Text)
}

// SPEC S17: messages carry text, files, pictures and emoticons.
func TestRichContent(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	files := []session.File{
		{Name: "invoice.pdf", MIMEType: "application/pdf", Size: 20480, Ref: "blob/1"},
		{Name: "screen.png", MIMEType: "image/png", Size: 4096, Ref: "blob/2"},
	}
	_, err := m.Send(ctx, chat, session.Message{From: customer, Text: "see attached 🙂", Files: files})
	require.NoError(t, err)
	for _, p := range []session.ParticipantID{customer, annP} {
		got := b.transport.Received(p)
		item := got[len(got)-1].Item
		require.Equal(t, "see attached 🙂", item.Text)
		require.Equal(t, files, item.Files)
		require.False(t, item.Files[0].IsPicture())
		require.True(t, item.Files[1].IsPicture())
	}
	_, err = m.Send(ctx, chat, session.Message{From: annP, Files: files[1:]})
	require.NoError(t, err, "a picture alone is a message")
}
