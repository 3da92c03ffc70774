// Command redact masks payment card numbers in text, for example in chat
// transcripts exported for analysis.
//
// It reads standard input and writes it to standard output with every card
// number masked: each digit except the last four becomes '*', separators
// are kept, and every other byte is copied unchanged. Each input line gives
// exactly one output line; lines may be of any length, and a missing final
// newline stays missing.
//
//	redact < transcript.txt > transcript.masked.txt
//
// With -codes, security codes and expiry dates written next to a card are
// masked too (their digits become '*').
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/switchboard-cc/switchboard/compliance"
)

func main() {
	codes := flag.Bool("codes", false, "also mask security codes and expiry dates next to a card")
	flag.Parse()

	cfg := compliance.Config{CVV: compliance.CVVKeep, Expiry: compliance.ExpiryKeep}
	if *codes {
		cfg.CVV, cfg.Expiry = compliance.CVVMask, compliance.ExpiryMask
	}
	r, err := compliance.New(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redact:", err)
		os.Exit(2)
	}
	if err := run(os.Stdin, os.Stdout, r); err != nil {
		fmt.Fprintln(os.Stderr, "redact:", err)
		os.Exit(1)
	}
}

// run copies in to out line by line, masking each line with r.
func run(in io.Reader, out io.Writer, r *compliance.Redactor) error {
	br := bufio.NewReaderSize(in, 64<<10)
	bw := bufio.NewWriterSize(out, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			body, nl := line, ""
			if line[len(line)-1] == '\n' {
				body, nl = line[:len(line)-1], "\n"
			}
			if _, werr := bw.WriteString(r.Redact(body).Text + nl); werr != nil {
				return fmt.Errorf("write: %w", werr)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
