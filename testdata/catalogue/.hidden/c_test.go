package a

// A hidden directory is not read (SPEC Z3).
