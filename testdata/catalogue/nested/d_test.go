package nested

// A nested module is not read (SPEC Z4).
