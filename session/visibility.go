package session

import "github.com/switchboard-cc/switchboard"

// AudienceKind says who an entry is for.
type AudienceKind uint8

// Audience kinds. The zero kind admits nobody, so a forgotten audience fails
// closed.
const (
	// AudienceEveryone admits every participant, the customer included.
	AudienceEveryone AudienceKind = iota + 1
	// AudienceAgents admits agents and supervisors only: whispers, private
	// messages and internal events (SPEC S2, S3).
	AudienceAgents
	// AudienceNamed admits only the listed agents (a supervisor coaching one
	// agent). It never admits a customer or a bot, whatever the list says.
	AudienceNamed
)

var audienceNames = [...]string{"none", "everyone", "agents", "named"}

// String returns the kind's name.
func (k AudienceKind) String() string {
	if int(k) < len(audienceNames) {
		return audienceNames[k]
	}
	return "invalid"
}

// Audience is fixed when an entry is created and never changes.
type Audience struct {
	// Kind says who the entry is for.
	Kind AudienceKind `json:"kind,omitzero"`
	// Members lists the admitted participants for AudienceNamed.
	Members []ParticipantID `json:"members,omitzero"`
}

// Private reports whether the audience is anything but everyone. Private
// entries are never visible to a customer or a bot, and the organisation's
// log marks them as internal notes (SPEC S4).
func (a Audience) Private() bool { return a.Kind != AudienceEveryone }

func (a Audience) clone() Audience {
	a.Members = append([]ParticipantID(nil), a.Members...)
	return a
}

// Everyone is the audience of normal messages and public events.
func Everyone() Audience { return Audience{Kind: AudienceEveryone} }

// Agents is the audience of whispers and internal events.
func Agents() Audience { return Audience{Kind: AudienceAgents} }

// Visible is the one visibility decision of the package: it reports whether
// viewer may see entry e of a session whose history rule is rule. Every
// output (live delivery, history and catch-up, the customer transcript,
// events) is built from entries for which Visible returned true; none
// takes a flag to skip it. The only unfiltered projection is
// [OrganisationLog].
//
// An entry is visible when
//   - its audience admits the viewer: everyone; agents only (never the
//     customer or a bot); or the named agents; and
//   - it was written inside one of the viewer's stints, with the stint's
//     lower bound set by the history rule for late joiners; a participant
//     who left sees nothing written after it left; and
//   - for a correction, the corrected entry is visible too.
//
// Entries about the viewer itself (its own join, invitation or departure)
// pass the second test regardless, so an invited agent is told of the
// invitation. Visible does not allocate and is safe to call concurrently.
func Visible(rule switchboard.HistoryRule, viewer *Participant, e *Entry) bool {
	if viewer == nil || e == nil {
		return false
	}
	switch e.Audience.Kind {
	case AudienceEveryone:
	case AudienceAgents:
		if !viewer.Role.IsAgent() {
			return false
		}
	case AudienceNamed:
		if !viewer.Role.IsAgent() || !named(e.Audience.Members, viewer.ID) {
			return false
		}
	default:
		return false
	}
	if e.Subject == viewer.ID && e.Subject != "" {
		return true
	}
	if !within(rule, viewer, e.Version) {
		return false
	}
	return e.Ref == 0 || within(rule, viewer, e.RefVersion)
}

func named(ids []ParticipantID, id ParticipantID) bool {
	for _, m := range ids {
		if m == id {
			return true
		}
	}
	return false
}

// within reports whether version v lies inside one of p's stints.
func within(rule switchboard.HistoryRule, p *Participant, v uint64) bool {
	for i := range p.Stints {
		st := &p.Stints[i]
		if st.Joined == 0 {
			continue // invitation pending: nothing visible yet
		}
		if st.Left != 0 && v >= st.Left {
			continue
		}
		if v >= lowerBound(rule, p.Role, st) {
			return true
		}
	}
	return false
}

func lowerBound(rule switchboard.HistoryRule, role Role, st *Stint) uint64 {
	if role != RoleConsulted && role != RoleSupervisor {
		return 0
	}
	switch rule {
	case switchboard.HistoryFromInvitation:
		return st.Invited
	case switchboard.HistoryFromJoin:
		return st.Joined
	default:
		return 0
	}
}
