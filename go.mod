module github.com/switchboard-cc/switchboard

go 1.25.0

require (
	github.com/benbjohnson/clock v1.3.5
	github.com/google/btree v1.1.3
)
