package compliance_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-cc/switchboard/compliance"
)

// The benchmarks compare the detector with what users typically write by
// hand: a regular expression for 13 to 19 digits with spaces or dashes,
// followed by a Luhn check of each match.
var baselineRe = regexp.MustCompile(`\b(?:\d[ -]*?){13,19}\b`)

// baselineFind returns how many Luhn-valid matches of baselineRe s holds.
func baselineFind(s string) int {
	n := 0
	for _, m := range baselineRe.FindAllString(s, -1) {
		digits := make([]byte, 0, 19)
		for i := 0; i < len(m); i++ {
			if m[i] >= '0' && m[i] <= '9' {
				digits = append(digits, m[i])
			}
		}
		if luhnCheckDigit(string(digits[:len(digits)-1])) == int(digits[len(digits)-1]-'0') {
			n++
		}
	}
	return n
}

var chatWords = strings.Fields(`hi hello thanks please order delivery refund my your the a is
was not yet arrived package account password card payment charged twice yesterday today
tomorrow store help support agent can you could I we they it when where why how ok sure great
sorry problem issue email address phone number item size colour return exchange invoice
shipping tracking status update waiting minutes hours days week`)

// chatCorpus builds about size bytes of chat-like lines: words, times,
// prices, dates, order and phone numbers, and, when cards is true, a card
// number in about one line in fifty.
func chatCorpus(size int, cards bool) string {
	rng := rand.New(rand.NewPCG(1, 2))
	pans := []string{"4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "6011 0009 9013 9424", "4012888888881881"}
	var b strings.Builder
	for b.Len() < size {
		words := 4 + rng.IntN(14)
		for w := 0; w < words; w++ {
			if w > 0 {
				b.WriteByte(' ')
			}
			switch rng.IntN(20) {
			case 0:
				fmt.Fprintf(&b, "%d:%02d", rng.IntN(24), rng.IntN(60))
			case 1:
				fmt.Fprintf(&b, "%d.%02d", rng.IntN(500), rng.IntN(100))
			case 2:
				fmt.Fprintf(&b, "#%d", 100000+rng.IntN(900000))
			case 3:
				fmt.Fprintf(&b, "2024-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
			default:
				b.WriteString(chatWords[rng.IntN(len(chatWords))])
			}
		}
		if rng.IntN(30) == 0 {
			fmt.Fprintf(&b, " call me on +44 7911 %06d", rng.IntN(1000000))
		}
		if cards && rng.IntN(50) == 0 {
			b.WriteString(" my card is " + pans[rng.IntN(len(pans))])
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// unicodeCorpus is chat text in Japanese, Arabic and German with native
// digits; with cards, one line in four holds a fullwidth card number.
func unicodeCorpus(size int, cards bool) string {
	lines := []string{
		"ご注文番号は１２３４５です。明日お届けします。\n",
		"お支払いありがとうございます、またのご利用をお待ちしております。\n",
		"شكرا لك، رقم الطلب ١٢٣٤٥ وسيصل غدا إن شاء الله.\n",
		"Das Paket kommt am 15.01.2024 um 10:30 Uhr.\n",
	}
	if cards {
		lines[1] = "お支払いありがとうございます、カード４１１１　１１１１　１１１１　１１１１で。\n"
	}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString(lines[i%len(lines)])
	}
	return b.String()
}

// adversarialCorpus is long runs of digits and separators, the worst case
// for a scanner that rescans from each position.
func adversarialCorpus(size int) string {
	rng := rand.New(rand.NewPCG(3, 4))
	seps := []string{" ", "-", ".", "  ", " - ", "\u00a0"}
	var b strings.Builder
	for b.Len() < size {
		for k := 1 + rng.IntN(5); k > 0; k-- {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		b.WriteString(seps[rng.IntN(len(seps))])
	}
	return b.String()[:size]
}

var corpora = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"chat":           chatCorpus(1<<20, true),
		"ascii-nocard":   chatCorpus(1<<20, false),
		"unicode":        unicodeCorpus(1<<20, true),
		"unicode-nocard": unicodeCorpus(1<<20, false),
	}
})

var benchCorpora = []string{"chat", "ascii-nocard", "unicode", "unicode-nocard"}

// SPEC P4: throughput of the detector on text without cards (it reads all
// of it), beside the baseline.
func BenchmarkContains(b *testing.B) {
	r := newRedactor(b, compliance.Config{})
	for _, name := range []string{"ascii-nocard", "unicode-nocard"} {
		text := corpora()[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				r.Contains(text)
			}
		})
	}
}

// SPEC P4: the attachment path, on bytes without cards.
func BenchmarkScanText(b *testing.B) {
	r := newRedactor(b, compliance.Config{})
	for _, name := range []string{"ascii-nocard"} {
		text := []byte(corpora()[name])
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				r.ScanText(text)
			}
		})
	}
}

// SPEC P1: masking whole corpora (every card found and masked).
func BenchmarkRedact(b *testing.B) {
	r := newRedactor(b, compliance.Config{})
	for _, name := range benchCorpora {
		text := corpora()[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				r.Redact(text)
			}
		})
	}
	b.Run("message-nocard", func(b *testing.B) {
		msg := "Hi, my order #123456 from 2024-01-15 has not arrived yet, can you help? Thanks!"
		b.SetBytes(int64(len(msg)))
		b.ReportAllocs()
		for b.Loop() {
			r.Redact(msg)
		}
	})
	b.Run("message-card", func(b *testing.B) {
		msg := "Hi, please charge my card 4111 1111 1111 1111, exp 12/27, thanks!"
		b.SetBytes(int64(len(msg)))
		b.ReportAllocs()
		for b.Loop() {
			r.Redact(msg)
		}
	})
}

// baselineMask masks the Luhn-valid matches of baselineRe as a typical
// user would, with ReplaceAllStringFunc, keeping the last four digits.
func baselineMask(s string) string {
	return baselineRe.ReplaceAllStringFunc(s, func(m string) string {
		if baselineFind(m) == 0 {
			return m
		}
		out := []byte(m)
		seen, total := 0, 0
		for _, c := range out {
			if c >= '0' && c <= '9' {
				total++
			}
		}
		for i, c := range out {
			if c >= '0' && c <= '9' {
				seen++
				if seen <= total-4 {
					out[i] = '*'
				}
			}
		}
		return string(out)
	})
}

// The masking baseline beside BenchmarkRedact, in the same run.
func BenchmarkBaselineRegexpLuhnMask(b *testing.B) {
	for _, name := range []string{"chat", "ascii-nocard"} {
		text := corpora()[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				baselineMask(text)
			}
		})
	}
}

// countDigits is the simplest scan of a text: a plain loop over every byte
// that counts ASCII digits. A detector that skips what cannot start a
// number can beat it.
func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i]-'0' <= 9 {
			n++
		}
	}
	return n
}

var digitSink int

// The per-byte baseline beside BenchmarkContains and BenchmarkRedact on
// card-free text, in the same run.
func BenchmarkBaselineCountDigits(b *testing.B) {
	for _, name := range []string{"ascii-nocard", "unicode-nocard"} {
		text := corpora()[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				digitSink += countDigits(text)
			}
		})
	}
}

// The detection baseline on the same corpora, in the same run.
func BenchmarkBaselineRegexpLuhn(b *testing.B) {
	for _, name := range benchCorpora {
		text := corpora()[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				baselineFind(text)
			}
		})
	}
	for _, size := range []int{1 << 10, 64 << 10} {
		text := adversarialCorpus(size)
		b.Run(fmt.Sprintf("adversarial-%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				baselineFind(text)
			}
		})
	}
}

// SPEC P4: the cost per byte stays flat as adversarial input grows. Each
// iteration reads a different slice of a 4 MB corpus, so that the branch
// predictor cannot learn a small input by heart.
func BenchmarkAdversarial(b *testing.B) {
	r := newRedactor(b, compliance.Config{})
	corpus := adversarialCorpus(4 << 20)
	for _, size := range []int{1 << 10, 64 << 10, 1 << 20} {
		var chunks []string
		for off := 0; off+size <= len(corpus); off += size {
			chunks = append(chunks, corpus[off:off+size])
		}
		label := fmt.Sprintf("%dKB", size>>10)
		b.Run("Contains-"+label, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				r.Contains(chunks[k%len(chunks)])
				k++
			}
		})
		b.Run("Redact-"+label, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				r.Redact(chunks[k%len(chunks)])
				k++
			}
		})
	}
}

// SPEC P4: the corpora hold what the benchmarks claim: the detector finds
// exactly the cards put in the chat corpus, where the baseline also reports
// prices and dates as cards.
func TestBenchCorpora(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	chat := chatCorpus(256<<10, true)
	found := 0
	for _, f := range r.Redact(chat).Findings {
		if f.Kind == compliance.KindCard {
			found++
		}
	}
	inserted := strings.Count(chat, "my card is ")
	if inserted == 0 || found != inserted {
		t.Fatalf("detector found %d cards, the corpus holds %d", found, inserted)
	}
	t.Logf("cards: %d; baseline reports %d", inserted, baselineFind(chat))
	if r.Contains(chatCorpus(256<<10, false)) || r.Contains(unicodeCorpus(64<<10, false)) {
		t.Fatal("a no-card corpus holds something detectable")
	}
	uni := unicodeCorpus(64<<10, true)
	if got, want := len(r.Redact(uni).Findings), strings.Count(uni, "カード"); got != want {
		t.Fatalf("detector found %d cards in the Unicode corpus, which holds %d", got, want)
	}
}
