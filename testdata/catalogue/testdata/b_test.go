package a

// A testdata directory is not read (SPEC Z2).
