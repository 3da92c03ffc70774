-- Session timers after assignment: a session whose timer runs has a
-- deadline, its next (session.Session.NextDeadline), answered by
-- DueSessions; every other session has none.
ALTER TABLE ss_sessions ADD COLUMN deadline bigint;
CREATE INDEX ss_sessions_deadline ON ss_sessions (deadline, id) WHERE deadline IS NOT NULL;
