package routingmem

import "errors"

// ErrClosed is returned by [Subscription.Next] after [Subscription.Close].
var ErrClosed = errors.New("routingmem: subscription closed")
