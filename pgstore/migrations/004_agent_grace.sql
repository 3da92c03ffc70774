-- Agent presence: an agent in its disconnect grace has a deadline, the end
-- of the grace (routing.Agent.NextDeadline), answered by Due as an
-- AgentDeadline; connected and logged-out agents have none.
ALTER TABLE rt_agents ADD COLUMN deadline bigint;
CREATE INDEX rt_agents_deadline ON rt_agents (deadline, id) WHERE deadline IS NOT NULL;
