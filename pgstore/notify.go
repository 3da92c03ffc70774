package pgstore

import "github.com/switchboard-cc/switchboard/routing"

// notifier is told of each commit that applied.
type notifier interface {
	committed(txn *routing.Txn)
}
