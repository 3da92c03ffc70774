-- Session state and logs. A session row holds the state as JSONB with its
-- version, the last Seq of its log, and typed copies of what queries
-- filter on; the log is one row per entry.

CREATE TABLE ss_sessions (
	id        text COLLATE "C" PRIMARY KEY,
	version   bigint NOT NULL,
	last_seq  bigint NOT NULL,
	part      integer NOT NULL,
	-- ClosedAt in Unix nanoseconds while closed; NULL while open.
	closed_at bigint,
	-- The participants present (joined and not left) while open.
	present   text[] NOT NULL,
	body      jsonb NOT NULL
);
-- ActiveSessions.
CREATE INDEX ss_sessions_present ON ss_sessions USING gin (present) WHERE closed_at IS NULL;
-- Closed (retention).
CREATE INDEX ss_sessions_closed ON ss_sessions (closed_at, id) WHERE closed_at IS NOT NULL;

CREATE TABLE ss_entries (
	chat     text COLLATE "C" NOT NULL REFERENCES ss_sessions (id) ON DELETE CASCADE,
	seq      bigint NOT NULL,
	entry_id text COLLATE "C",
	-- The feed: partition and position, in commit order per partition.
	part     integer NOT NULL,
	pos      bigint NOT NULL,
	body     jsonb NOT NULL,
	PRIMARY KEY (chat, seq)
);
CREATE UNIQUE INDEX ss_entries_id ON ss_entries (chat, entry_id) WHERE entry_id IS NOT NULL;
CREATE UNIQUE INDEX ss_entries_feed ON ss_entries (part, pos);

-- Feed partition counters, locked by each write until it commits.
CREATE TABLE ss_partitions (
	part integer PRIMARY KEY,
	pos  bigint NOT NULL
);

CREATE TABLE ss_cursors (
	consumer text COLLATE "C" NOT NULL,
	part     integer NOT NULL,
	position bigint NOT NULL,
	version  bigint NOT NULL,
	body     jsonb NOT NULL,
	PRIMARY KEY (consumer, part)
);

-- Card-number fragments: the only table that may hold the raw digits of a
-- message, each row until its deadline. Keep it out of backups and
-- replicas to archives.
CREATE TABLE ss_fragments (
	chat    text COLLATE "C" NOT NULL,
	message text COLLATE "C" NOT NULL,
	sender  text COLLATE "C" NOT NULL,
	at      bigint NOT NULL,
	until   bigint NOT NULL,
	text    text NOT NULL,
	PRIMARY KEY (chat, message)
);
CREATE INDEX ss_fragments_sender ON ss_fragments (chat, sender, at, message);
CREATE INDEX ss_fragments_until ON ss_fragments (until, chat, message);
