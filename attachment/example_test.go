package attachment_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-cc/switchboard/attachment"
)

// cardDetector stands in for the compliance package's detector: it blocks
// text holding the test card number.
type cardDetector struct{}

func (cardDetector) ScanText(text []byte) (string, bool) {
	return "payment card number", bytes.Contains(text, []byte("4111 1111 1111 1111"))
}

// A queue configured with the text, PDF and image policy checks the files of
// a message before they are sent.
func Example() {
	policy := attachment.TextPDFImages()
	policy.Scanner = cardDetector{}

	notes := []byte("Your order shipped today.\n")
	files, err := policy.Check(context.Background(), []attachment.Upload{
		{Name: "../notes.txt", DeclaredSize: int64(len(notes)), Body: bytes.NewReader(notes)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(f.Name, f.MIME, f.Size, f.NameChanges)
	}
	// Output:
	// notes.txt text/plain; charset=utf-8 26 directory part removed
}

// A renamed program is refused, and the error says which file and why.
func Example_renamedExecutable() {
	policy := attachment.TextPDFImages()
	policy.Scanner = cardDetector{}

	_, err := policy.Check(context.Background(), []attachment.Upload{
		{Name: "notes.txt", Body: strings.NewReader("See the invoice.")},
		{Name: "invoice.pdf", Body: strings.NewReader("MZ\x90\x00 this is a Windows program")},
	})
	var rejected *attachment.RejectedError
	if errors.As(err, &rejected) {
		fmt.Println(rejected.Index, rejected.Name, errors.Is(err, attachment.ErrExecutable))
		fmt.Println(rejected.Reason)
	}
	// Output:
	// 1 invoice.pdf true
	// the file is a program or script (application/vnd.microsoft.portable-executable)
}

// A spreadsheet holding a card number is not sent.
func Example_sensitiveContent() {
	policy := attachment.TextPDFImages()
	policy.Scanner = cardDetector{}

	_, err := policy.Check(context.Background(), []attachment.Upload{
		{Name: "cards.csv", Body: strings.NewReader("name,card\nAda,4111 1111 1111 1111\n")},
	})
	fmt.Println(errors.Is(err, attachment.ErrSensitiveContent))
	fmt.Println(err)
	// Output:
	// true
	// attachment: file 1 "cards.csv" refused: the file contains sensitive data (payment card number)
}

// The zero Policy switches attachments off, so a queue without a configured
// policy accepts no files.
func ExamplePolicy_Check_disabled() {
	policies := map[string]attachment.Policy{"sales": attachment.OfficeDocuments()}

	_, err := policies["support"].Check(context.Background(), []attachment.Upload{
		{Name: "notes.txt", Body: strings.NewReader("hello")},
	})
	fmt.Println(err)
	// Output:
	// attachment: attachments are disabled
}

func ExampleSanitizeName() {
	for _, name := range []string{
		"../../etc/passwd",
		"invoice\u202Efdp.exe",
		"report.pdf.",
		"CON.txt",
	} {
		clean, changes, err := attachment.SanitizeName(name, 0)
		fmt.Printf("%q %v %v\n", clean, changes, err)
	}
	// Output:
	// "passwd" directory part removed <nil>
	// "invoicefdp.exe" invisible format characters removed <nil>
	// "report.pdf" leading or trailing dots removed <nil>
	// "_CON.txt" Windows device name prefixed <nil>
}
