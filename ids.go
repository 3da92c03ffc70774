package switchboard

// AgentID identifies an agent. It is chosen by the host application and is
// never shown to customers.
type AgentID string

// CustomerID identifies a customer. It is chosen by the host application;
// customers are shown to agents by display name.
type CustomerID string

// QueueID identifies a queue.
type QueueID string

// ChatID identifies a chat: one customer conversation (or one agent-to-agent
// conversation) from the moment it is created until it is closed.
type ChatID string

// TenantID identifies a tenant (an organisation) in a multi-tenant
// deployment. Agents and queues of different tenants never see each other.
type TenantID string

// Channel names the media channel a chat travels on, such as "chat" or
// "email". Agent capacity is counted per channel.
type Channel string

// DefaultChannel is the channel used when none is given.
const DefaultChannel Channel = "chat"

// MaxCommentBytes is the longest comment a transfer or an invite carries,
// in bytes: the note the target agent reads, and what the transfer history
// keeps.
const MaxCommentBytes = 4096
