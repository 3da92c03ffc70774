module github.com/switchboard-cc/switchboard/examples/webdemo

go 1.25.0

replace github.com/switchboard-cc/switchboard => ../../

require (
	github.com/coder/websocket v1.8.15
	github.com/switchboard-cc/switchboard v0.0.0-00010101000000-000000000000
)

require (
	github.com/benbjohnson/clock v1.3.5 // indirect
	github.com/gabriel-vasile/mimetype v1.4.16 // indirect
	github.com/google/btree v1.1.3 // indirect
	golang.org/x/sync v0.22.0 // indirect
)
