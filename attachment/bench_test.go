package attachment_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"strings"
	"testing"

	"github.com/gabriel-vasile/mimetype"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/attachment"
)

// containsScanner is a scanner cheap enough not to dominate a benchmark.
type containsScanner struct{ needle []byte }

func (s containsScanner) ScanText(text []byte) (string, bool) {
	return "payment card number", bytes.Contains(text, s.needle)
}

func benchPolicy() attachment.Policy {
	p := attachment.TextPDFImages()
	p.Scanner = containsScanner{needle: []byte("4111111111111111")}
	return p
}

func text1MB() []byte {
	line := "Order 12345 shipped to 10 Downing Street, London, on 2024-01-01.\n"
	return []byte(strings.Repeat(line, (1<<20)/len(line)+1)[:1<<20])
}

func benchCheck(b *testing.B, name string, content []byte) {
	p := benchPolicy()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(content)))
	for b.Loop() {
		got, err := p.Check(ctx, []attachment.Upload{upload(name, content)})
		if err != nil || len(got) != 1 {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckPNG1MB validates a 1 MB PNG: read, sniff, hash (no scan).
func BenchmarkCheckPNG1MB(b *testing.B) {
	img := pngFile(b, 592, 592, true)
	require.InDelta(b, 1<<20, len(img), 1<<16)
	benchCheck(b, "photo.png", img)
}

// BenchmarkCheckText1MB validates a 1 MB text file: read, sniff, hash, scan.
func BenchmarkCheckText1MB(b *testing.B) {
	benchCheck(b, "notes.txt", text1MB())
}

// BenchmarkBaseline1MB is the floor for both: reading the stream into memory
// with io.ReadAll, sniffing it and hashing it, without any policy.
func BenchmarkBaseline1MB(b *testing.B) {
	content := text1MB()
	b.ReportAllocs()
	b.SetBytes(int64(len(content)))
	for b.Loop() {
		data, err := io.ReadAll(bytes.NewReader(content))
		if err != nil {
			b.Fatal(err)
		}
		_ = mimetype.Detect(data)
		_ = sha256.Sum256(data)
	}
}
