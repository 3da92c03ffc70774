package compliance_test

import (
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard/compliance"
)

func Example() {
	r, err := compliance.New(compliance.Config{})
	if err != nil {
		panic(err)
	}
	res := r.Redact("card 4111 1111 1111 1111, exp 12/27, cvv 123")
	fmt.Printf("%q\n", res.Text)
	for _, f := range res.Findings {
		fmt.Println(f)
	}
	// Output:
	// "card **** **** **** 1111, exp **/**, cvv "
	// payment card number (Visa, 16 digits) at 5-24: **** **** **** 1111
	// card expiry date at 30-35: **/**
	// card security code removed at 41
}

func Example_unicodeDigits() {
	r, _ := compliance.New(compliance.Config{})
	fmt.Println(r.Redact("カード番号は４１１１\u3000１１１１\u3000１１１１\u3000１１１１です").Text)
	fmt.Println(r.Redact("رقم البطاقة ٥٥٥٥ ٥٥٥٥ ٥٥٥٥ ٤٤٤٤").Text)
	// Output:
	// カード番号は****　****　****　１１１１です
	// رقم البطاقة **** **** **** ٤٤٤٤
}

func Example_traps() {
	r, _ := compliance.New(compliance.Config{})
	for _, s := range []string{
		"order #4111111111111111",
		"call +4111111111111111",
		"IBAN DE89 3704 0044 0532 0130 00",
		"https://shop.example/p/4111111111111111",
		"4111 1111 1111 1112", // wrong check digit
	} {
		fmt.Println(r.Contains(s))
	}
	// Output:
	// false
	// false
	// false
	// false
	// false
}

func ExampleConfig_keepFirst() {
	r, err := compliance.New(compliance.Config{KeepFirst: 6, KeepLast: 4})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Redact("5555-5555-5555-4444").Text)

	_, err = compliance.New(compliance.Config{KeepFirst: 8})
	fmt.Println(err)
	// Output:
	// 5555-55**-****-4444
	// compliance: too many visible digits (at most first 6 and last 4): KeepFirst is 8
}

func ExampleRedactor_RedactNext() {
	r, _ := compliance.New(compliance.Config{})
	at := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

	var tail compliance.Tail // one per chat and sender
	next, tail, _ := r.RedactNext(tail, compliance.Message{ID: "m1", Sender: "customer", Text: "it is 4111 1111", At: at})
	fmt.Println(next.Text)
	next, _, _ = r.RedactNext(tail, compliance.Message{ID: "m2", Sender: "customer", Text: "1111 1111", At: at.Add(5 * time.Second)})
	fmt.Println(next.Text)
	for _, c := range next.Corrections {
		fmt.Printf("correct %s to %q\n", c.ID, c.Text)
	}
	// Output:
	// it is 4111 1111
	// **** 1111
	// correct m1 to "it is **** ****"
}

func ExampleRedactor_ScanText() {
	r, _ := compliance.New(compliance.Config{})
	fmt.Println(r.ScanText([]byte("name,card\nJane,5555 5555 5555 4444\n")))
	fmt.Println(r.ScanText([]byte("name,order\nJane,1234567\n")))
	// Output:
	// payment card number true
	//  false
}

func ExampleIBANDetector() {
	r, _ := compliance.New(compliance.Config{
		Detectors: []compliance.Detector{compliance.IBANDetector{}, compliance.EmailDetector{}},
	})
	fmt.Println(r.Redact("pay to GB82 WEST 1234 5698 7654 32, receipt to jo@example.org").Text)
	// Output:
	// pay to **** **** **** **** **** **, receipt to **@*******.***
}
