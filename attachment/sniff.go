package attachment

import (
	"archive/zip"
	"bytes"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// executableTypes are refused whatever the policy says. A detected type is
// executable when it, or any type it descends from in the sniffer's
// hierarchy, is listed here (so every ELF kind is caught by
// "application/x-elf").
var executableTypes = []string{
	"application/vnd.microsoft.portable-executable", // PE and MS-DOS "MZ"
	"application/x-elf",
	"application/x-mach-binary",
	"application/x-ms-installer",
	"application/x-ms-shortcut",
	"application/java-archive",
	"application/x-java-applet",
	"application/vnd.android.package-archive",
	"application/x-chrome-extension",
	"application/wasm",
	"application/x-bytecode.python",
	"application/x-shockwave-flash",
	"application/vnd.debian.binary-package",
	"application/x-rpm",
	"application/x-installshield",
	"application/vnd.ms-htmlhelp",
	"text/x-shellscript",
	"text/x-python",
	"text/x-perl",
	"text/x-php",
	"text/javascript",
	"text/x-lua",
	"text/x-ruby",
	"text/x-tcl",
}

// detect sniffs content. It returns the sniffer's type, refined for zip
// archives whose office markers lie beyond the sniffer's read window.
func detect(content []byte) *mimetype.MIME {
	m := mimetype.Detect(content)
	if m.Is("application/zip") {
		if refined := officeFromZip(content); refined != nil {
			return refined
		}
	}
	return m
}

// officeFromZip recognises an Office Open XML package from its central
// directory: a [Content_Types].xml entry and a word/, xl/ or ppt/ part. The
// sniffer only reads the first few kilobytes, so a package written with its
// parts in an unusual order sniffs as plain zip; this looks at the same
// markers through archive/zip instead of a byte window.
func officeFromZip(content []byte) *mimetype.MIME {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return nil
	}
	var types bool
	var main string
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			types = true
		case main != "":
		case strings.HasPrefix(f.Name, "word/"):
			main = mimeDocx
		case strings.HasPrefix(f.Name, "xl/"):
			main = mimeXlsx
		case strings.HasPrefix(f.Name, "ppt/"):
			main = mimePptx
		}
	}
	if !types || main == "" {
		return nil
	}
	return mimetype.Lookup(main)
}

// isExecutable reports whether m, or a type it descends from, is a program
// or script.
func isExecutable(m *mimetype.MIME) bool {
	for ; m != nil; m = m.Parent() {
		if executable[bareType(m)] {
			return true
		}
	}
	return false
}

// executable holds executableTypes, which are the sniffer's canonical names.
var executable = func() map[string]bool {
	set := make(map[string]bool, len(executableTypes))
	for _, t := range executableTypes {
		set[t] = true
	}
	return set
}()

// descendsFrom reports whether m is t or descends from it. t must be the
// sniffer's canonical name for the type.
func descendsFrom(m *mimetype.MIME, t string) bool {
	for ; m != nil; m = m.Parent() {
		if bareType(m) == t {
			return true
		}
	}
	return false
}

// bareType returns the sniffed type without parameters, as in
// "text/plain". The sniffer's names are lower case and its only parameter
// is charset, so cutting at ";" is enough and costs no allocation.
func bareType(m *mimetype.MIME) string {
	t, _, _ := strings.Cut(m.String(), ";")
	return strings.TrimSpace(t)
}
