package importer

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
)

// writeXLSX writes a minimal workbook by hand, so that tests can build
// hostile ones (a 100 MB cell in a 100 KB file) without holding them in
// memory: sheet writes the <sheetData> rows, sst the <si> items of the
// shared string table (none when nil).
func writeXLSX(path string, sheet, sst func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	if err := writeXLSXTo(bw, sheet, sst); err != nil {
		return err
	}
	return bw.Flush()
}

// writeXLSXTo writes the workbook of writeXLSX to out.
func writeXLSXTo(out io.Writer, sheet, sst func(w io.Writer) error) error {
	z := zip.NewWriter(out)
	// The fastest deflate: a 100 MB run of one letter still packs into a
	// few hundred KB, in a fraction of the default level's time.
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	part := func(name, head string, body func(w io.Writer) error, tail string) error {
		w, err := z.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, head); err != nil {
			return err
		}
		if body != nil {
			if err := body(w); err != nil {
				return err
			}
		}
		_, err = io.WriteString(w, tail)
		return err
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	const rel = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	parts := []struct {
		name, head string
		body       func(w io.Writer) error
		tail       string
	}{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`, nil, ""},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`, nil, ""},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook ` + ns + ` ` + rel + `><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`, nil, ""},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`, nil, ""},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + ns + `><sheetData>`, sheet, `</sheetData></worksheet>`},
		{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst ` + ns + `>`, sst, `</sst>`},
	}
	for _, p := range parts {
		if err := part(p.name, p.head, p.body, p.tail); err != nil {
			return err
		}
	}
	return z.Close()
}

// xlsxRow writes one row of inline-string cells (or shared-string indexes,
// for cells written "#N").
func xlsxRow(w io.Writer, n int, cells ...string) error {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, n)
	for i, c := range cells {
		ref := fmt.Sprintf("%c%d", 'A'+i, n)
		if idx, ok := strings.CutPrefix(c, "#"); ok {
			fmt.Fprintf(&b, `<c r="%s" t="s"><v>%s</v></c>`, ref, idx)
			continue
		}
		var esc strings.Builder
		_ = xml.EscapeText(&esc, []byte(c))
		fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, esc.String())
	}
	b.WriteString(`</row>`)
	_, err := io.WriteString(w, b.String())
	return err
}

// repeatTo writes n bytes of c to w.
func repeatTo(w io.Writer, c byte, n int) error {
	chunk := []byte(strings.Repeat(string(c), 1<<20))
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// writeXLSXWithHugeCell writes an invoice sheet whose client name is a
// shared string of size bytes.
func writeXLSXWithHugeCell(path string, size int) error {
	return writeXLSX(path, func(w io.Writer) error {
		if err := xlsxRow(w, 1, "invoice_number", "client_name", "issue_date", "amount"); err != nil {
			return err
		}
		return xlsxRow(w, 2, "F1", "#0", "2025-01-15", "100")
	}, func(w io.Writer) error {
		if _, err := io.WriteString(w, `<si><t>`); err != nil {
			return err
		}
		if err := repeatTo(w, 'A', size); err != nil {
			return err
		}
		_, err := io.WriteString(w, `</t></si>`)
		return err
	})
}
