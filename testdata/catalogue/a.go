// Package a is a fixture for the catalogue check: a source file citing an ID
// the catalogue does not list (SPEC X1), and a malformed range (SPEC X2-Y3).
package a
