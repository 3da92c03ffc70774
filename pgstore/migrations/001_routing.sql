-- Routing records. Every record is a row with a version (compare-and-set
-- on commit), its full contents as JSONB, and typed copies of the fields a
-- query filters or orders on. IDs use the "C" collation so that the
-- database orders them byte by byte, as the library does.

CREATE TABLE rt_queues (
	id      text COLLATE "C" PRIMARY KEY,
	version bigint NOT NULL,
	body    jsonb NOT NULL
);

CREATE TABLE rt_queue_states (
	queue   text COLLATE "C" PRIMARY KEY,
	version bigint NOT NULL,
	body    jsonb NOT NULL
);

CREATE TABLE rt_licences (
	shard   integer PRIMARY KEY,
	version bigint NOT NULL,
	body    jsonb NOT NULL
);

CREATE TABLE rt_agents (
	id      text COLLATE "C" PRIMARY KEY,
	version bigint NOT NULL,
	tenant  text COLLATE "C" NOT NULL,
	state   smallint NOT NULL,
	queues  text[] NOT NULL,
	body    jsonb NOT NULL
);
-- Candidates: the available agents serving a queue.
CREATE INDEX rt_agents_available ON rt_agents USING gin (queues) WHERE state = 1;
-- LoggedIn: the logged-in agents of a tenant, by ID.
CREATE INDEX rt_agents_logged_in ON rt_agents (tenant, id) WHERE state <> 0;

CREATE SEQUENCE rt_chat_seq;

CREATE TABLE rt_chats (
	id            text COLLATE "C" PRIMARY KEY,
	version       bigint NOT NULL,
	seq           bigint NOT NULL,
	queue         text COLLATE "C" NOT NULL,
	state         smallint NOT NULL,
	-- Queue order: higher priority first, then EnqueuedAt (Unix
	-- nanoseconds), Seq and ID.
	neg_priority  integer NOT NULL,
	enqueued      bigint NOT NULL,
	-- NextDeadline in Unix nanoseconds; NULL when none.
	deadline      bigint,
	licensed      boolean NOT NULL,
	licence_shard integer NOT NULL,
	final_at      bigint,
	body          jsonb NOT NULL
);
-- Waiting: Queued chats in queue order.
CREATE INDEX rt_chats_queued ON rt_chats (queue, neg_priority, enqueued, seq, id) WHERE state = 0;
-- Position: Queued and Offered chats in queue order.
CREATE INDEX rt_chats_lined ON rt_chats (queue, neg_priority, enqueued, seq, id) WHERE state IN (0, 1);
-- Due.
CREATE INDEX rt_chats_deadline ON rt_chats (deadline, id) WHERE deadline IS NOT NULL;
-- CountLicence.
CREATE INDEX rt_chats_licensed ON rt_chats (licence_shard) WHERE licensed;
-- Retention of finished chats.
CREATE INDEX rt_chats_final ON rt_chats (final_at) WHERE final_at IS NOT NULL;

-- AgentChats: the chats each agent is in, kept on every chat write.
CREATE TABLE rt_agent_chats (
	agent text COLLATE "C" NOT NULL,
	chat  text COLLATE "C" NOT NULL REFERENCES rt_chats (id) ON DELETE CASCADE,
	PRIMARY KEY (agent, chat)
);
CREATE INDEX rt_agent_chats_chat ON rt_agent_chats (chat);

CREATE TABLE rt_offers (
	id       text COLLATE "C" PRIMARY KEY,
	version  bigint NOT NULL,
	-- created orders offers oldest first.
	created  bigint GENERATED ALWAYS AS IDENTITY,
	chat     text COLLATE "C" NOT NULL,
	agent    text COLLATE "C" NOT NULL,
	pending  boolean NOT NULL,
	deadline bigint,
	body     jsonb NOT NULL
);
-- PendingOffers by chat and by agent; every offer of a chat for retention.
CREATE INDEX rt_offers_chat ON rt_offers (chat, created);
CREATE INDEX rt_offers_agent_pending ON rt_offers (agent, created) WHERE pending;
CREATE INDEX rt_offers_deadline ON rt_offers (deadline, id) WHERE deadline IS NOT NULL;

-- The event log: a counter row per partition, locked by each commit that
-- appends to the partition until it commits, so Seq follows commit order
-- without gaps.
CREATE TABLE rt_partitions (
	part integer PRIMARY KEY,
	seq  bigint NOT NULL
);

CREATE TABLE rt_events (
	part integer NOT NULL,
	seq  bigint NOT NULL,
	txn  text NOT NULL,
	body jsonb NOT NULL,
	PRIMARY KEY (part, seq)
);

CREATE TABLE rt_cursors (
	consumer text COLLATE "C" NOT NULL,
	part     integer NOT NULL,
	position bigint NOT NULL,
	version  bigint NOT NULL,
	body     jsonb NOT NULL,
	PRIMARY KEY (consumer, part)
);
CREATE INDEX rt_cursors_part ON rt_cursors (part, position);

-- Committed transaction IDs, with their commit time (Unix nanoseconds by
-- the library's clock).
CREATE TABLE rt_txns (
	id text PRIMARY KEY,
	at bigint NOT NULL
);
CREATE INDEX rt_txns_at ON rt_txns (at);
