package dashboard

import (
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/money"
)

// The bars' colours, from not due (green) to the oldest bucket (dark red);
// a bucket past the palette takes its last colour.
var bucketColours = []string{"#4c9a6a", "#e3b341", "#e08a3c", "#d0603a", "#b13a3a", "#7a1f2b"}

// segmentsPerBar is how many of a bucket's largest clients get their own
// segment; the rest share one.
const segmentsPerBar = 3

// agingChart draws the stacked bar chart of one currency's aged balance:
// one bar per bucket, as high as its total, stacked from its largest
// clients, each bar a link to the clients behind it (href(bucket)). Each
// bar carries data-bucket and data-amount (cents), for the tests and for
// whoever reads the page's source.
func agingChart(s aging.Section, buckets []aging.Bucket, locale string, href func(aging.Bucket) string) string {
	const width, height, top, bottom, left = 720, 260, 24, 40, 8
	barSpace := (width - left) / len(buckets)
	barWidth := barSpace * 3 / 5
	var max money.Amount
	for _, a := range s.Total.Buckets {
		if a > max {
			max = a
		}
	}
	scale := func(a money.Amount) float64 {
		if max <= 0 || a <= 0 {
			return 0
		}
		return float64(a) / float64(max) * float64(height-top-bottom)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		width, height, html.EscapeString(say(locale, "chart.title")))
	base := float64(height - bottom)
	fmt.Fprintf(&b, `<line x1="0" y1="%.1f" x2="%d" y2="%.1f" class="axis"/>`, base, width, base)
	for i, bk := range buckets {
		total := s.Total.Buckets[i]
		x := left + i*barSpace + (barSpace-barWidth)/2
		colour := bucketColours[min(i, len(bucketColours)-1)]
		fmt.Fprintf(&b, `<a href="%s" class="bar-link"><g class="bar" data-bucket="%s" data-amount="%d">`,
			html.EscapeString(href(bk)), bk.Name, int64(total))
		fmt.Fprintf(&b, `<title>%s: %s</title>`, html.EscapeString(bk.Label(locale)), html.EscapeString(formatMoney(total, s.Currency, locale)))
		y := base
		for j, seg := range barSegments(s, i, locale) {
			h := scale(seg.amount)
			if h <= 0 {
				continue
			}
			y -= h
			fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s" fill-opacity="%.2f" class="segment"><title>%s — %s: %s</title></rect>`,
				x, y, barWidth, h, colour, 1-0.18*float64(j), html.EscapeString(bk.Label(locale)),
				html.EscapeString(seg.label), html.EscapeString(formatMoney(seg.amount, s.Currency, locale)))
		}
		// A transparent hit area the height of the plot, so that a small
		// bar is as easy to click as a tall one.
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="transparent"/>`, x, top, barWidth, height-top-bottom)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="value">%s</text>`, x+barWidth/2, y-6, html.EscapeString(shortMoney(total, locale)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="label">%s</text>`, x+barWidth/2, height-bottom+18, html.EscapeString(bk.Label(locale)))
		b.WriteString(`</g></a>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

type segment struct {
	label  string
	amount money.Amount
}

// barSegments splits bucket i of s into its largest clients and the rest
// (positive amounts only: a credit note netted in a bucket lowers the
// bar, it draws nothing).
func barSegments(s aging.Section, i int, locale string) []segment {
	var segs []segment
	for _, r := range s.Rows {
		if a := r.Buckets[i]; a > 0 {
			segs = append(segs, segment{r.ClientCode + " " + r.ClientName, a})
		}
	}
	sort.SliceStable(segs, func(x, y int) bool { return segs[x].amount > segs[y].amount })
	if len(segs) > segmentsPerBar+1 {
		var rest money.Amount
		for _, sg := range segs[segmentsPerBar:] {
			rest += sg.amount
		}
		segs = append(segs[:segmentsPerBar], segment{fmt.Sprintf("%d %s", len(segs)-segmentsPerBar, say(locale, "chart.others")), rest})
	}
	// Scale the segments to the bucket's total, which credit notes may
	// have lowered below their sum.
	var sum money.Amount
	for _, sg := range segs {
		sum += sg.amount
	}
	if total := s.Total.Buckets[i]; sum > total && sum > 0 {
		for j := range segs {
			segs[j].amount = money.Amount(int64(segs[j].amount) * int64(max(total, 0)) / int64(sum))
		}
	}
	return segs
}

// shortMoney writes a bar's amount without cents: "12 345" or "12,345".
func shortMoney(a money.Amount, locale string) string {
	units := int64(a) / 100
	neg := units < 0
	if neg {
		units = -units
	}
	s := fmt.Sprint(units)
	sep := ","
	if locale == "fr" {
		sep = "\u202f"
	}
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	res := strings.Join(out, sep)
	if neg {
		res = "-" + res
	}
	return res
}

// heatColour is the fill of a cohort cell: white at 0 %, deep green at
// 100 %.
func heatColour(r aging.Rate) string {
	f := min(max(r.Fraction(), 0), 1)
	mix := func(from, to int) int { return from + int(float64(to-from)*f) }
	return fmt.Sprintf("#%02x%02x%02x", mix(0xf7, 0x1b), mix(0xf4, 0x7a), mix(0xee, 0x4a))
}

// cohortHeatMap draws the recovery triangle: a row per billing month, a
// column per month after it, each cell coloured by the share collected.
func cohortHeatMap(cs []aging.Cohort, locale string) string {
	cols := 0
	for _, c := range cs {
		cols = max(cols, len(c.Collected))
	}
	if cols == 0 {
		return ""
	}
	const cell, rowH, labelW, headH = 52, 24, 84, 22
	width, height := labelW+cols*cell, headH+len(cs)*rowH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="heatmap" width="%[1]d" height="%[2]d" viewBox="0 0 %[1]d %[2]d" role="img" aria-label="%[3]s" xmlns="http://www.w3.org/2000/svg">`,
		width, height, html.EscapeString(say(locale, "cohorts")))
	for k := range cols {
		fmt.Fprintf(&b, `<text x="%d" y="15" class="head">M+%d</text>`, labelW+k*cell+cell/2, k)
	}
	for i, c := range cs {
		y := headH + i*rowH
		month := c.Month.Format("01/2006")
		if locale != "fr" {
			month = c.Month.Format("2006-01")
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="month">%s</text>`, labelW-8, y+16, month)
		for k, r := range c.Collected {
			fill := heatColour(r)
			text := "#222"
			if r.Fraction() > 0.55 {
				text = "#fff"
			}
			fmt.Fprintf(&b, `<g class="cell" data-month="%s" data-k="%d" data-rate="%d"><rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`,
				c.Month.Format("2006-01"), k, int64(r), labelW+k*cell, y, cell-2, rowH-2, fill)
			fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s</text></g>`, labelW+k*cell+cell/2-1, y+16, text,
				html.EscapeString(fmt.Sprintf("%d%%", (int64(r)+50)/100)))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}
