package routingmem

import "github.com/switchboard-cc/switchboard"

// ErrClosed is returned by [Subscription.Next] after [Subscription.Close].
var ErrClosed = switchboard.NewError(switchboard.ErrState, "routingmem: subscription closed")
