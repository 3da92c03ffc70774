package session_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/session"
)

func TestRecordTransfer(t *testing.T) {
	t.Parallel()
	// SPEC T5: a transfer record says who, when, to whom and why; agents and
	// the organisation's log see it, the customer never does.
	m, b := setup(t)
	_, err := m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	_, err = m.AssignOwner(ctx, "c1", ann)
	require.NoError(t, err)
	b.transport.Reset()

	require.NoError(t, m.RecordTransfer(ctx, "c1", session.TransferNote{By: "ann", Agent: "bob", AgentName: "Bob", Comment: "billing"}))
	views, err := m.History(ctx, "c1", annP)
	require.NoError(t, err)
	last := views[len(views)-1]
	require.Equal(t, session.EntryTransfer, last.Type)
	require.True(t, last.Private)
	require.Equal(t, annP, last.From)
	require.Equal(t, bobP, last.Subject)
	require.Equal(t, "Bob", last.SubjectName)
	require.Equal(t, "billing", last.Text)
	require.Equal(t, b.clock.Now(), last.At)

	for _, out := range [][]session.View{mustHistory(t, m, customer), mustTranscript(t, m)} {
		for _, v := range out {
			require.NotEqual(t, session.EntryTransfer, v.Type)
		}
	}
	for _, d := range b.transport.Received(customer) {
		require.NotEqual(t, session.EntryTransfer, d.Item.Type)
	}
	log, err := m.OrganisationLog(ctx, "c1")
	require.NoError(t, err)
	require.True(t, log[len(log)-1].InternalNote)
	require.Equal(t, "transfer", log[len(log)-1].Type.String())
}

func TestRecordTransferRefusesBadInput(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	_, err := m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	_, err = m.AssignOwner(ctx, "c1", ann)
	require.NoError(t, err)
	long := make([]byte, 4097)
	for _, tc := range []struct {
		name string
		note session.TransferNote
		want error
	}{
		{"NoAgent", session.TransferNote{Agent: "bob"}, session.ErrInvalid},
		{"NoTarget", session.TransferNote{By: "ann"}, session.ErrInvalid},
		{"TwoTargets", session.TransferNote{By: "ann", Agent: "bob", Queue: "sales"}, session.ErrInvalid},
		{"LongComment", session.TransferNote{By: "ann", Queue: "sales", Comment: string(long)}, session.ErrInvalid},
		{"Stranger", session.TransferNote{By: "eve", Queue: "sales"}, session.ErrNotParticipant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, m.RecordTransfer(ctx, "c1", tc.note), tc.want)
		})
	}
	log, err := m.OrganisationLog(ctx, "c1")
	require.NoError(t, err)
	for _, l := range log {
		require.NotEqual(t, session.EntryTransfer, l.Type, "a refused record writes nothing")
	}
	_, err = m.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.ErrorIs(t, m.RecordTransfer(ctx, "c1", session.TransferNote{By: "ann", Queue: "sales"}), session.ErrInvalidState)
}

func mustHistory(t *testing.T, m *session.Manager, p session.ParticipantID) []session.View {
	t.Helper()
	v, err := m.History(ctx, "c1", p)
	require.NoError(t, err)
	return v
}

func mustTranscript(t *testing.T, m *session.Manager) []session.View {
	t.Helper()
	v, err := m.Transcript(ctx, "c1")
	require.NoError(t, err)
	return v
}
