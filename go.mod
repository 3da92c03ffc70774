module github.com/switchboard-cc/switchboard

go 1.25.0

require (
	github.com/benbjohnson/clock v1.3.5
	github.com/google/btree v1.1.3
)

require golang.org/x/sync v0.22.0

require pgregory.net/rapid v1.3.0

require github.com/gabriel-vasile/mimetype v1.4.16

require go.uber.org/goleak v1.3.0 // indirect

require (
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
