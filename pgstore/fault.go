package pgstore

// faultPoint names a point of a write where this package's tests inject a
// fault, to check what the library does with each outcome the database can
// give: an error before anything reached it, or a connection lost once
// COMMIT was applied.
type faultPoint uint8

const (
	beforeCommit faultPoint = iota + 1 // RoutingStore.Commit, before BEGIN
	afterCommit                        // RoutingStore.Commit, after COMMIT applied
	beforeWrite                        // a SessionStore write, before BEGIN
	afterWrite                         // a SessionStore write, after COMMIT applied
)

// fault returns the error the tests inject at point p; nil without one.
func (s *RoutingStore) fault(p faultPoint) error {
	if s.faults == nil {
		return nil
	}
	return s.faults(p)
}

// fault returns the error the tests inject at point p; nil without one.
func (s *SessionStore) fault(p faultPoint) error {
	if s.faults == nil {
		return nil
	}
	return s.faults(p)
}
