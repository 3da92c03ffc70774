module github.com/switchboard-cc/switchboard/examples/webdemo

go 1.25.0

replace github.com/switchboard-cc/switchboard => ../../

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/coder/websocket v1.8.15
	github.com/jackc/pgx/v5 v5.12.0
	github.com/switchboard-cc/switchboard v0.0.0
	github.com/switchboard-cc/switchboard/pgstore v0.0.0
)

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	golang.org/x/text v0.41.0 // indirect
)

require (
	github.com/benbjohnson/clock v1.3.5 // indirect
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/gabriel-vasile/mimetype v1.4.16 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/google/btree v1.1.3 // indirect
	golang.org/x/sync v0.22.0 // indirect
)

replace github.com/switchboard-cc/switchboard/pgstore => ../../pgstore
