package session_test

import (
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

func TestPartitionOfIsFNV1aModN(t *testing.T) {
	t.Parallel()
	require.Equal(t, 220, session.PartitionOf("a", 1000), "FNV-1a of \"a\" is 3826002220")
	for i := range 200 {
		id := switchboard.ChatID(fmt.Sprintf("chat-%d", i))
		h := fnv.New32a()
		_, _ = h.Write([]byte(id))
		for _, n := range []int{1, 7, 16, 1 << 40} {
			require.Equal(t, int(uint64(h.Sum32())%uint64(n)), session.PartitionOf(id, n))
		}
	}
	require.Zero(t, session.PartitionOf("a", 0))
	require.Zero(t, session.PartitionOf("a", -3))
}

// A statistics consumer reads what it counts from the feed: every change
// is an entry committed with it, messages carry the sender's role.
func TestFeedCarriesWhatStatisticsCount(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	send(t, m, chat, customer, session.ModeNormal, "hi")
	send(t, m, chat, annP, session.ModeNormal, "hello")
	send(t, m, chat, annP, session.ModeWhisper, "note")
	require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorBarge))
	send(t, m, chat, sueP, session.ModeNormal, "supervisor here")
	require.NoError(t, m.Leave(ctx, chat, customer))
	_, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold"})
	require.NoError(t, err)

	p := session.PartitionOf(chat, b.store.Partitions())
	feed, err := b.store.Feed(ctx, p, 0, 0)
	require.NoError(t, err)
	messages := map[session.Role]int{}
	var types []session.EntryType
	for _, fe := range feed {
		require.Equal(t, chat, fe.Chat)
		if fe.Entry.Type == session.EntryMessage {
			messages[fe.Entry.FromRole]++
		}
		types = append(types, fe.Entry.Type)
	}
	require.Equal(t, map[session.Role]int{session.RoleCustomer: 1, session.RoleOwner: 2, session.RoleSupervisor: 1}, messages)
	require.Contains(t, types, session.EntryJoined)
	require.Contains(t, types, session.EntryCustomerLeft)
	require.Contains(t, types, session.EntryEnded)
	require.Equal(t, session.EntryClosed, types[len(types)-1])
	log, err := b.store.ReadEntries(ctx, chat, 0, 0)
	require.NoError(t, err)
	require.Len(t, feed, len(log), "the feed is the log")
}
