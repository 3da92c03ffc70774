package a

import "testing"

// TestPlain cites one ID (SPEC X3).
func TestPlain(t *testing.T) {}

// TestList cites a list: SPEC X3, X4: more text.
func TestList(t *testing.T) {}

func TestSlash(t *testing.T) {
	// SPEC X4/X5 in the body.
}

// TestAnd cites SPEC X5 and X6.
func TestAnd(t *testing.T) {}

// TestRange cites SPEC X6–X8.
func TestRange(t *testing.T) {}

// TestHyphen cites SPEC X6-X7, X8.
func TestHyphen(t *testing.T) {}

// TestTwo cites SPEC X3 SPEC X4.
func TestTwo(t *testing.T) {}

// TestBroken cites over two lines (SPEC
// X5, X6).
func TestBroken(t *testing.T) {}

func TestSPEC_X9_X3_byName(t *testing.T) {}

func TestString(t *testing.T) {
	t.Log("SPEC X7: in a string")
}

// TestNot cites nothing: SPEC Rx, SPEC.md, SPECX3, XSPEC X3, TestSpecX3.
func TestNot(t *testing.T) {}

// TestBad cites a range backwards (SPEC X8-X6) and an ID that is not
// listed (SPEC Z1).
func TestBad(t *testing.T) {}
