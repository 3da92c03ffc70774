// Package compliance finds payment card data and other personal data in
// chat text and masks it before anyone sees or stores it.
//
// A [Redactor], built by [New] from a [Config] whose zero value is ready to
// use, masks every payment card number in a text: each digit but the last
// four becomes '*', and every other character, separators included, is kept
// byte for byte:
//
//	r, _ := compliance.New(compliance.Config{})
//	res := r.Redact("card 4111 1111 1111 1111, exp 12/27, cvv 123")
//	// res.Text == "card **** **** **** 1111, exp **/**, cvv "
//	// res.Findings: the card (Visa), the expiry date, the removed code
//
// # Finding card numbers
//
// The detector reads the text once. Digits of any script (ASCII, fullwidth,
// Arabic-Indic, Devanagari and every other Unicode decimal digit) form
// groups; groups joined by one to three separators (space, no-break and
// narrow no-break space, figure and thin space, ideographic space, dashes,
// full stops) form a run. A card number is a sequence of whole groups of a
// run: a number glued to further digits is never cut into a shorter one.
// Every candidate must pass the Luhn check and start with an issuer prefix
// (IIN) of a [Brand] that issues numbers of its length; the brand table is
// plain data, [DefaultBrands], and can be replaced through [Config.Brands].
// Where several readings are possible, the longest valid number wins.
//
// Numbers that look like cards but are something else are left alone:
//
//   - a run of digits inside an identifier: letters and digits
//     interleaved ("ab12cd4111...ef", "0x4111..."), letters on both sides
//     ("a4111...b"), an IBAN, a hexadecimal string, a URL or an e-mail
//     address; one after '+' (phone numbers), one in a URL path (see
//     "Numbers glued to words" below);
//   - a run with more than three digits before its first card (one long
//     number, such as a tracking number);
//   - a number whose separators are of several kinds and that has a group
//     of fewer than three digits (a price followed by a date, "404.21
//     2024-01-06"); "5555 5555-5555 4444" is a card, and spaces of every
//     width count as one kind, "4111 - 1111 - 1111 - 1111" is fine;
//   - a number that continues after a lone full stop (a decimal) or that
//     holds a '*' (already masked); a number that follows an already masked
//     one in the same run is not looked at either;
//   - a number labelled by a trap word such as "order", "tracking" or
//     "IMEI" ([DefaultTrapWords], [Config.TrapWords]);
//   - numbers no brand issues: millisecond timestamps, ICCIDs, dates.
//
// # Numbers glued to words
//
// A number that an ASCII letter touches ("CARD4111111111111111",
// "4111111111111111exp 06/17") is a card when its digits alone are one and
// the text around it is not an identifier:
//
//   - the word touching it on each side is letters only, at most 24 of
//     them, and is not itself glued to a digit (of any script) or '_':
//     "ab12cd4111111111111111ef", "0x4111111111111111" and "1Z999AA1..."
//     interleave letters and digits;
//   - with words on both sides, the word before is a card word ("card",
//     "cc", "pan", "visa", "no", ...): "CARD4111111111111111exp" is a card,
//     "a4111111111111111b" is not;
//   - the card starts at the first group after the word: "XX00 4111 1111
//     1111 1111" is an account number;
//   - two capital letters and the digits do not pass the IBAN check;
//   - a glued word of six or more letters from a to f is part of a
//     hexadecimal string ("4111111111111111abcdef"); a hash interleaves
//     letters and digits;
//   - the token around it, up to a space, quote, bracket, comma or
//     semicolon and looked at for 64 characters on each side, holds no
//     '@' (an e-mail address) and no "://", and does not start with '/' or
//     "www." (a URL).
//
// A trap word glued to the number ("order4111...") works as one written
// before it.
//
// A security code (CVV, CVC) within a few characters after a card, or
// after a security-code word ("CVV 123", "security code: 123"), is removed
// ([CVVPolicy]); an expiry date after a card is masked ([ExpiryPolicy]).
//
// # Masking
//
// Masking replaces digits only, one '*' per digit whatever its script, and
// keeps separators. By default the last four digits stay visible;
// [Config.KeepFirst] and [Config.KeepLast] allow up to the first six and the
// last four, never more, and at least six digits of every number are always
// hidden. No hash of a card number is ever produced.
//
// # Numbers split over messages
//
// [Redactor.RedactNext] joins the digits at the end of a sender's recent
// messages to the start of the next one, so that "4111 1111" followed by
// "1111 1111" is caught, and returns [Correction]s that mask the earlier
// fragments retroactively. The caller keeps a [Tail] per chat and sender;
// the window is bounded by [SplitConfig].
//
// # Other personal data
//
// A [Detector] finds one kind of other personal data. [EmailDetector],
// [PhoneDetector], [SSNDetector] and [IBANDetector] (with its mod-97 check)
// are built in; none runs unless listed in [Config.Detectors].
//
// # Attachments
//
// [Redactor.ScanText] reports whether a byte slice holds a card number, or
// a kind listed in [Config.Block], with a short reason. It runs in linear
// time and does not copy the input.
//
// # Never keeping the number
//
// Nothing this package returns holds the original digits of a card number:
// a [Finding] has offsets, the kind, the brand and the masked form, and the
// String and Format output of every value is free of them. The package
// logs nothing and keeps no state; a [Tail] holds delivered fragments in the
// caller's memory only.
//
// # Concurrency and stability
//
// A Redactor is immutable and safe for concurrent use. Detectors must be
// safe for concurrent use too. The API follows semantic versioning; the
// default brand and trap-word tables may grow in minor versions.
package compliance
