package attachment_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/attachment"
)

func machOFile() []byte {
	b := make([]byte, 64)
	binary.LittleEndian.PutUint32(b, 0xfeedfacf)     // 64-bit Mach-O
	binary.LittleEndian.PutUint32(b[4:], 0x0100000c) // arm64
	binary.LittleEndian.PutUint32(b[12:], 2)         // MH_EXECUTE
	return b
}

// SPEC A5: programs and scripts are refused under any allowed name.
func TestExecutablesRefused(t *testing.T) {
	t.Parallel()

	shared := elfFile()
	binary.LittleEndian.PutUint16(shared[16:], 3) // ET_DYN
	cases := map[string][]byte{
		"ELF executable":   elfFile(),
		"ELF shared":       shared,
		"PE":               peFile(),
		"MS-DOS":           []byte("MZ\x90\x00\x03\x00\x00\x00"),
		"Mach-O":           machOFile(),
		"Java class":       {0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x00, 0x00, 0x34},
		"shell script":     []byte("#!/bin/bash\necho hi\n"),
		"python script":    []byte("#!/usr/bin/env python3\nprint('hi')\n"),
		"PHP":              []byte("<?php echo 1; ?>\n"),
		"WebAssembly":      []byte("\x00asm\x01\x00\x00\x00"),
		"Windows shortcut": {0x4C, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00, 0, 0, 0, 0},
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, file := range []string{"invoice.pdf", "notes.txt", "photo.png"} {
				_, err := textPolicy().Check(context.Background(), []attachment.Upload{upload(file, content)})
				requireRejected(t, err, 0, attachment.ErrExecutable)
			}
			p := officePolicy()
			_, err := p.Check(context.Background(), []attachment.Upload{upload("book.xlsx", content)})
			require.ErrorIs(t, err, attachment.ErrExecutable)
		})
	}
}
