// Package policytest shows how a host tests its routing policy with
// package enginetest: each case of policy_test.go is a timeline (chats
// arrive, time passes, agents answer or do not) with what each agent's
// desktop and the customer should see at each point. It runs on a mock
// clock with no sleeps, so a whole day of timeouts takes milliseconds.
//
//	go test ./examples/policytest
//
// Copy the file and change the queues and timelines to yours.
package policytest
