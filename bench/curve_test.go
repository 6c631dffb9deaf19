package main

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

func curveOf(f func(n float64) float64) curve {
	c := curve{curveSpec: curveSpec{Name: "t", Title: "a <cost> & more", Series: []string{"relance", "baseline"}}}
	for _, n := range []int{100_000, 300_000, 1_000_000} {
		c.Points = append(c.Points, curvePoint{Invoices: n, Times: []time.Duration{
			time.Duration(f(float64(n)) * float64(time.Second)), time.Duration(float64(n) / 1e6 * float64(time.Second)),
		}})
	}
	return c
}

// The slope of the work that scales, once the fixed cost is taken away,
// tells linear from quadratic growth; the plain log-log slope is kept for
// the chart and reads a fixed cost as better than linear.
func TestCurveGrowth(t *testing.T) {
	for _, tt := range []struct {
		name  string
		f     func(n float64) float64
		plain float64 // the chart's log-log slope
		fixed float64 // seconds
		slope float64 // of what scales
		says  string
	}{
		{"linear", func(n float64) float64 { return n / 2e5 }, 1, 0, 1, "linear"},
		{"quadratic", func(n float64) float64 { return n * n / 1e11 }, 2, 0, 2, "**faster than linear**"},
		{"n log n", func(n float64) float64 { return n * math.Log(n) / 1e6 }, 1.08, 0, 1.08, "linear"},
		{"start-up and linear", func(n float64) float64 { return 2 + n/1e6 }, 0.156, 2, 1, "linear"},
		{"start-up and quadratic", func(n float64) float64 { return 2 + n*n/1e12 }, 0.176, 2, 2, "**faster than linear**"},
		{"concave, as noise makes it", func(n float64) float64 { return 10 * math.Sqrt(n/1e5) }, 0.5, 0, 0.5, "sublinear"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := curveOf(tt.f)
			if got := c.slope(0); math.Abs(got-tt.plain) > 0.02 {
				t.Errorf("plain slope %.3f, want %.2f", got, tt.plain)
			}
			fixed, slope := c.fit(0)
			if math.Abs(fixed.Seconds()-tt.fixed) > 0.02 {
				t.Errorf("fixed %v, want %.2fs", fixed, tt.fixed)
			}
			if math.Abs(slope-tt.slope) > 0.05 || growth(slope) != tt.says {
				t.Errorf("slope after the fixed cost %.3f (%s), want %.2f (%s)", slope, growth(slope), tt.slope, tt.says)
			}
		})
	}
	if s := (curve{curveSpec: curveSpec{Series: []string{"x"}}}).slope(0); !math.IsNaN(s) {
		t.Errorf("slope of no points %v, want NaN", s)
	}
	if _, s := (curve{curveSpec: curveSpec{Series: []string{"x"}}}).fit(0); !math.IsNaN(s) {
		t.Errorf("fit of no points %v, want NaN", s)
	}
}

// The chart is well-formed SVG with one line per series and every point
// marked, its title escaped.
func TestRenderSVG(t *testing.T) {
	svg := renderSVG(curveOf(func(n float64) float64 { return n / 2e5 }))
	dec := xml.NewDecoder(strings.NewReader(svg))
	count := map[string]int{}
	var texts []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			count[e.Name.Local]++
		case xml.CharData:
			texts = append(texts, string(e))
		}
	}
	if count["svg"] != 1 || count["polyline"] != 2 || count["circle"] != 6 {
		t.Errorf("elements %v, want 1 svg, 2 polylines, 6 circles", count)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"a <cost> & more", "100k", "1M", "slope 1.00", "10 s"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q among the texts %s", want, all)
		}
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("100000, 300000,1000000")
	if err != nil || len(got) != 3 || got[2] != 1_000_000 {
		t.Errorf("parseSizes = %v, %v", got, err)
	}
	if _, err := parseSizes("10,x"); err == nil {
		t.Error("parseSizes accepted 10,x")
	}
	if got, err := parseSizes(""); err != nil || len(got) != 0 {
		t.Errorf("parseSizes(\"\") = %v, %v, want no curves", got, err)
	}
}
