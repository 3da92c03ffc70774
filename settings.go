package switchboard

// ChatSettings are a queue's settings for the conversations it routes.
// They live in the queue's one record (routing.Queue.Chat), beside its
// routing settings, so every process reads the same and a change made at
// run time reaches every new decision.
type ChatSettings struct {
	// WrapUpReasons is the list an agent's wrap-up reason must come from
	// (SPEC S11). Defaults to none: any reason, even empty, is accepted.
	WrapUpReasons []string `json:"wrap_up_reasons,omitzero"`
	// WrapUpTags is the list an agent's wrap-up tags must come from: labels
	// an agent may put on a conversation at wrap-up, several at once,
	// beside its one reason. Defaults to none: no tag is accepted.
	WrapUpTags []string `json:"wrap_up_tags,omitzero"`
	// Responses are the queue's predefined responses (SPEC S12). Defaults
	// to none: the feature reports that it is unavailable.
	Responses []Response `json:"responses,omitzero"`
	// History is the late-joiner history rule of the queue's sessions.
	// Defaults to the session configuration's rule.
	History HistoryRule `json:"history,omitzero"`
	// AfterClose is what a customer message to a closed session of the
	// queue does. Defaults to the session configuration's policy.
	AfterClose AfterClosePolicy `json:"after_close,omitzero"`
	// Attachments names the attachment policy of the queue's sessions,
	// registered by that name with the engine (settings that are code, such
	// as a content scanner, are registered by name and named here).
	// Defaults to "": attachments are off (SPEC A3).
	Attachments string `json:"attachments,omitzero"`

	// Timers are the queue's timers after a chat is assigned: first
	// response, reply promise, customer and agent inactivity. Defaults to
	// all off.
	Timers Timers `json:"timers,omitzero"`
}

// Response is a predefined response (SPEC S12). Its text may hold the
// placeholders {customer}, {agent} and {queue}, resolved for the agent who
// inserts it.
type Response struct {
	// ID identifies the response within its queue.
	ID string `json:"id"`
	// Title is what the agent picks from.
	Title string `json:"title,omitzero"`
	// Text is the response itself.
	Text string `json:"text,omitzero"`
}

// HistoryRule says how much history a late joiner may read: an agent added
// after the session started as consulted agent or supervisor. Customers,
// bots and owners always read the whole history (a new owner takes over
// the whole visible conversation).
type HistoryRule uint8

// History rules.
const (
	// HistoryAll lets a late joiner read everything visible to its role.
	HistoryAll HistoryRule = iota + 1
	// HistoryFromInvitation lets it read what was written from its
	// invitation on.
	HistoryFromInvitation
	// HistoryFromJoin lets it read what was written from its join on.
	HistoryFromJoin
)

var historyNames = [...]string{"default", "all", "from-invitation", "from-join"}

// String returns the rule's name.
func (h HistoryRule) String() string {
	if int(h) < len(historyNames) {
		return historyNames[h]
	}
	return "invalid"
}

// AfterClosePolicy decides what a customer message to a closed session
// does.
type AfterClosePolicy uint8

// After-close policies.
const (
	// PolicyReopen reopens the session; the engine routes it to the first
	// free agent of its queue (SPEC R9).
	PolicyReopen AfterClosePolicy = iota + 1
	// PolicyNewLinked starts a new session linked to the closed one.
	PolicyNewLinked
	// PolicyReadOnly refuses the message.
	PolicyReadOnly
)

var policyNames = [...]string{"default", "reopen", "new-linked", "read-only"}

// String returns the policy's name.
func (p AfterClosePolicy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "invalid"
}
