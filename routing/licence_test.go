package routing_test

import (
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// shardedSetup returns a router over a store that counts licence shard
// writes, with the limit set over shards, and agent a1 able to take ten
// chats of queue q.
func shardedSetup(t *testing.T, shards, limit int) (*routing.Router, *testBundle, *countingStore) {
	t.Helper()
	_, b := setup(t, routing.Queue{ID: "q"})
	store := &countingStore{Store: b.store}
	r, err := routing.New(store, b.bus, routing.Config{Clock: b.clock, LicenceShards: shards})
	require.NoError(t, err)
	login(t, r, b, "a1", 10, "q")
	require.NoError(t, r.SetLicenceLimit(b.ctx, limit))
	return r, b, store
}

// homeShard is the shard a chat ID hashes to: FNV-1a mod shards.
func homeShard(id switchboard.ChatID, shards int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(shards))
}

func TestLicenceShardsSpreadTheUnits(t *testing.T) {
	t.Parallel()
	// SPEC R7: with the limit of 4 over 4 shards, four chats take their
	// units from four different shards, each first offer writing one shard
	// only; a fifth waits while every shard is full and is offered when a
	// chat ends.
	r, b, store := shardedSetup(t, 4, 4)
	before := store.writes()
	for i := range 4 {
		c := enqueue(t, r, b, switchboard.ChatID(fmt.Sprintf("c%d", i)), "q")
		require.Equal(t, routing.Offered, c.State)
	}
	shardOf := map[int]switchboard.ChatID{}
	for i := range 4 {
		id := switchboard.ChatID(fmt.Sprintf("c%d", i))
		c, err := r.Chat(b.ctx, id)
		require.NoError(t, err)
		require.True(t, c.Licensed)
		require.NotContains(t, shardOf, c.LicenceShard, "two chats on one shard")
		shardOf[c.LicenceShard] = id
	}
	after := store.writes()
	for shard := range 4 {
		require.Equal(t, 1, after[shard]-before[shard], "writes of shard %d by the four offers", shard)
		l, err := b.store.Licence(b.ctx, shard)
		require.NoError(t, err)
		require.Equal(t, 1, l.InUse, "units of shard %d", shard)
	}

	fifth := enqueue(t, r, b, "c4", "q")
	require.Equal(t, routing.Queued, fifth.State, "the fifth chat waits for a unit")
	require.NoError(t, r.Abandon(b.ctx, "c0"))
	c, err := r.Chat(b.ctx, "c4")
	require.NoError(t, err)
	require.Equal(t, routing.Offered, c.State, "offered once a unit is free")
	ended, err := r.Chat(b.ctx, "c0")
	require.NoError(t, err)
	require.Equal(t, ended.LicenceShard, c.LicenceShard, "the unit freed is the one taken")
	_, inUse, _, err := licenceSum(b.ctx, b.store)
	require.NoError(t, err)
	require.Equal(t, 4, inUse)
}

func TestFullLicenceShardOverflowsToTheNext(t *testing.T) {
	t.Parallel()
	// SPEC R7: a chat whose shard is full takes a unit from the next shard
	// with room, so no chat waits while a unit is free anywhere.
	r, b, _ := shardedSetup(t, 2, 4) // two units per shard
	var ids []switchboard.ChatID
	for i := 0; len(ids) < 3; i++ {
		if id := switchboard.ChatID(fmt.Sprintf("c%d", i)); homeShard(id, 2) == 0 {
			ids = append(ids, id)
		}
	}
	for i, id := range ids {
		require.Equal(t, routing.Offered, enqueue(t, r, b, id, "q").State)
		c, err := r.Chat(b.ctx, id)
		require.NoError(t, err)
		want := 0
		if i == 2 {
			want = 1 // shard 0 holds two units already
		}
		require.Equal(t, want, c.LicenceShard, "shard of %s", id)
	}
	for shard, want := range []int{2, 1} {
		l, err := b.store.Licence(b.ctx, shard)
		require.NoError(t, err)
		require.Equal(t, want, l.InUse, "units of shard %d", shard)
	}
	// The overflowed chat frees its unit to the shard it took it from.
	require.NoError(t, r.Abandon(b.ctx, ids[2]))
	l, err := b.store.Licence(b.ctx, 1)
	require.NoError(t, err)
	require.Zero(t, l.InUse)
}

func TestLicenceShardsRecountWhenTheirNumberChanges(t *testing.T) {
	t.Parallel()
	// SPEC R7: units held under one shard count move with a new count: each
	// chat counts on its shard mod the new count, and the units in use stay
	// within the limit.
	r, b, _ := shardedSetup(t, 4, 4)
	for i := range 4 {
		enqueue(t, r, b, switchboard.ChatID(fmt.Sprintf("c%d", i)), "q")
	}
	two, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock, LicenceShards: 2})
	require.NoError(t, err)
	require.NoError(t, two.SetLicenceLimit(b.ctx, 5))
	total, inUse, shards, err := licenceSum(b.ctx, b.store)
	require.NoError(t, err)
	require.Equal(t, 5, total)
	require.Equal(t, 4, inUse)
	require.Len(t, shards, 2)
	for _, l := range shards {
		require.Equal(t, 2, l.InUse, "shard %d counts the units of shards %d and %d", l.Shard, l.Shard, l.Shard+2)
	}
	require.Equal(t, routing.Offered, enqueue(t, two, b, "c4", "q").State, "one unit is free")
	require.Equal(t, routing.Queued, enqueue(t, two, b, "c5", "q").State, "none is")
	for i, shard := range []int{2, 3} {
		l, err := b.store.Licence(b.ctx, shard)
		require.NoError(t, err)
		require.Zero(t, l.InUse, "shard %d left over", shard)
		require.Equal(t, 2, l.Shards, "left over shard %d was rewritten", i)
	}
}

func TestLicenceLoweredBelowTheUnitsInUse(t *testing.T) {
	t.Parallel()
	// SPEC R7: a limit lowered below the units in use takes no chat away;
	// new chats wait until enough chats end, whichever shards they held.
	r, b, _ := shardedSetup(t, 4, 4)
	for i := range 4 {
		enqueue(t, r, b, switchboard.ChatID(fmt.Sprintf("c%d", i)), "q")
	}
	require.NoError(t, r.SetLicenceLimit(b.ctx, 2))
	require.Equal(t, routing.Queued, enqueue(t, r, b, "w", "q").State)
	require.NoError(t, r.Abandon(b.ctx, "c0"))
	require.NoError(t, r.Abandon(b.ctx, "c1"))
	c, err := r.Chat(b.ctx, "w")
	require.NoError(t, err)
	require.Equal(t, routing.Queued, c.State, "two units in use of two")
	require.NoError(t, r.Abandon(b.ctx, "c2"))
	c, err = r.Chat(b.ctx, "w")
	require.NoError(t, err)
	require.Equal(t, routing.Offered, c.State)
	total, inUse, _, err := licenceSum(b.ctx, b.store)
	require.NoError(t, err)
	require.Equal(t, 2, total)
	require.Equal(t, 2, inUse)
}
