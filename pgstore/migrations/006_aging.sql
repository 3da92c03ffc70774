-- Priority aging: chats of a queue are ordered by (neg_priority, order_key,
-- seq, id), from routing.Chat.QueueOrder. A chat of a queue without aging
-- keeps neg_priority = -Priority and order_key = enqueued, today's order;
-- an aged chat has neg_priority 0 and its VirtualStart as order_key.
ALTER TABLE rt_chats ADD COLUMN order_key bigint;
UPDATE rt_chats SET order_key = enqueued;
ALTER TABLE rt_chats ALTER COLUMN order_key SET NOT NULL;
DROP INDEX rt_chats_queued;
DROP INDEX rt_chats_lined;
CREATE INDEX rt_chats_queued ON rt_chats (queue, neg_priority, order_key, seq, id) WHERE state = 0;
CREATE INDEX rt_chats_lined ON rt_chats (queue, neg_priority, order_key, seq, id) WHERE state IN (0, 1);
