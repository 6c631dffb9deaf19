package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Chart geometry, in SVG user units.
const (
	svgWidth, svgHeight         = 720, 400
	plotLeft, plotRight         = 70, 460 // the legend sits right of the plot
	plotTop, plotBottom         = 40, 340
	svgFont                     = "font-family=\"sans-serif\" font-size=\"12\""
	svgTitleFont                = "font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\""
	svgTickLen          float64 = 5
)

// seriesColours: relance first (strong), then the baselines.
var seriesColours = []string{"#c0392b", "#2c3e50", "#7f8c8d", "#27ae60", "#8e44ad"}

// renderSVG draws c as a log-log line chart: invoices on x, seconds on y, one
// line with markers per series, decade grid lines, and a legend giving
// each series' slope.
func renderSVG(c curve) string {
	xs, ys := c.bounds()
	sx := logScale(xs[0], xs[1], plotLeft, plotRight)
	sy := logScale(ys[0], ys[1], plotBottom, plotTop)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n",
		svgWidth, svgHeight, svgWidth, svgHeight)
	fmt.Fprintf(&sb, `<rect width="%d" height="%d" fill="white"/>`+"\n", svgWidth, svgHeight)
	fmt.Fprintf(&sb, `<text x="%d" y="22" %s>%s</text>`+"\n", plotLeft, svgTitleFont, esc(c.Title))
	gridX(&sb, xs, sx)
	gridY(&sb, ys, sy)
	fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="black"/>`+"\n",
		plotLeft, plotTop, plotRight-plotLeft, plotBottom-plotTop)
	fmt.Fprintf(&sb, `<text x="%d" y="%d" %s text-anchor="middle">invoices (log)</text>`+"\n",
		(plotLeft+plotRight)/2, svgHeight-22, svgFont)
	fmt.Fprintf(&sb, `<text x="16" y="%d" %s text-anchor="middle" transform="rotate(-90 16 %d)">seconds (log)</text>`+"\n",
		(plotTop+plotBottom)/2, svgFont, (plotTop+plotBottom)/2)
	for k, name := range c.Series {
		colour := seriesColours[k%len(seriesColours)]
		var pts []string
		for _, p := range c.Points {
			if t := p.Times[k].Seconds(); t > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", sx(float64(p.Invoices)), sy(t)))
			}
		}
		dash := ""
		if k > 0 {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&sb, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), colour, dash)
		for _, pt := range pts {
			x, y, _ := strings.Cut(pt, ",")
			fmt.Fprintf(&sb, `<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`+"\n", x, y, colour)
		}
		ly := plotTop + 10 + k*36
		fmt.Fprintf(&sb, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n",
			plotRight+15, ly, plotRight+40, ly, colour, dash)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" %s>%s</text>`+"\n", plotRight+46, ly+4, svgFont, esc(shorten(name, 34)))
		fmt.Fprintf(&sb, `<text x="%d" y="%d" %s fill="#555">slope %.2f</text>`+"\n", plotRight+46, ly+19, svgFont, c.slope(k))
	}
	sb.WriteString("</svg>\n")
	return sb.String()
}

// bounds are the decades around every point: [lo, hi] of x and of y.
func (c curve) bounds() (x, y [2]float64) {
	x, y = [2]float64{math.Inf(1), 0}, [2]float64{math.Inf(1), 0}
	for _, p := range c.Points {
		x[0], x[1] = math.Min(x[0], float64(p.Invoices)), math.Max(x[1], float64(p.Invoices))
		for _, t := range p.Times {
			if s := t.Seconds(); s > 0 {
				y[0], y[1] = math.Min(y[0], s), math.Max(y[1], s)
			}
		}
	}
	if math.IsInf(x[0], 1) {
		x = [2]float64{1, 10}
	}
	if math.IsInf(y[0], 1) {
		y = [2]float64{0.1, 1}
	}
	return decades(x), decades(y)
}

// decades widens [lo, hi] to whole powers of ten, at least one apart.
func decades(r [2]float64) [2]float64 {
	lo, hi := math.Pow(10, math.Floor(math.Log10(r[0]))), math.Pow(10, math.Ceil(math.Log10(r[1])))
	if hi <= lo {
		hi = lo * 10
	}
	return [2]float64{lo, hi}
}

// logScale maps [lo, hi] logarithmically onto [a, b].
func logScale(lo, hi float64, a, b int) func(float64) float64 {
	l0, l1 := math.Log10(lo), math.Log10(hi)
	return func(v float64) float64 {
		return float64(a) + (math.Log10(v)-l0)/(l1-l0)*float64(b-a)
	}
}

// ticks are 1, 2 and 5 of each decade of r, up to its end.
func ticks(r [2]float64) []float64 {
	var out []float64
	for d := r[0]; d < r[1]*1.0001; d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := d * m; v <= r[1]*1.0001 {
				out = append(out, v)
			}
		}
	}
	return out
}

// gridX draws a labelled grid line at each tick of invoices.
func gridX(sb *strings.Builder, r [2]float64, sx func(float64) float64) {
	for _, v := range ticks(r) {
		x := sx(v)
		fmt.Fprintf(sb, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x, plotTop, x, plotBottom)
		fmt.Fprintf(sb, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="black"/>`+"\n", x, plotBottom, x, float64(plotBottom)+svgTickLen)
		fmt.Fprintf(sb, `<text x="%.1f" y="%d" %s text-anchor="middle">%s</text>`+"\n", x, plotBottom+18, svgFont, humanCount(int(math.Round(v))))
	}
}

// gridY draws a labelled grid line at each tick of seconds.
func gridY(sb *strings.Builder, r [2]float64, sy func(float64) float64) {
	for _, v := range ticks(r) {
		y := sy(v)
		fmt.Fprintf(sb, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", plotLeft, y, plotRight, y)
		fmt.Fprintf(sb, `<line x1="%.1f" y1="%.1f" x2="%d" y2="%.1f" stroke="black"/>`+"\n", float64(plotLeft)-svgTickLen, y, plotLeft, y)
		fmt.Fprintf(sb, `<text x="%d" y="%.1f" %s text-anchor="end">%s</text>`+"\n", plotLeft-8, y+4, svgFont, seconds(v))
	}
}

// seconds labels an axis value: 0.05 s, 2 s, 100 s.
func seconds(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".") + " s"
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }
