package routing

// Validate reports whether the router would accept the request's
// identifiers and skills, with the [*InvalidError] [Router.Enqueue] would
// return. It reads nothing: an unknown queue is found only by Enqueue. A
// caller that must do something else before enqueueing (create the chat's
// session, say) checks first, so that routing cannot refuse afterwards for
// a reason known in advance.
func (req *ChatRequest) Validate() error { return req.validate() }
