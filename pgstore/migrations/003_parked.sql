-- Parked chats: a Queued chat no agent could take is left out of Waiting
-- while the epoch of the skill it was parked on, in its queue's state, is
-- the one it was parked at.
ALTER TABLE rt_chats
	ADD COLUMN parked       boolean NOT NULL DEFAULT false,
	ADD COLUMN parked_on    text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN parked_epoch bigint NOT NULL DEFAULT 0;
