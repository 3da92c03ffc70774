package pgstore

// FaultPoint exports faultPoint to the tests.
type FaultPoint = faultPoint

// The fault points, for the tests.
const (
	BeforeCommit = beforeCommit
	AfterCommit  = afterCommit
	BeforeWrite  = beforeWrite
	AfterWrite   = afterWrite
)

// SetRoutingFaults makes s ask f at each fault point.
func SetRoutingFaults(s *RoutingStore, f func(FaultPoint) error) { s.faults = f }

// SetSessionFaults makes s ask f at each fault point.
func SetSessionFaults(s *SessionStore, f func(FaultPoint) error) { s.faults = f }
