package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of a workbook, checked before excelize opens it. excelize streams
// the rows of a sheet, but it reads a cell whole, the shared string table
// whole when it is small, and every other part whole: a 100 KB file holding
// one 100 MB cell took 1 GB. A real export of a million invoices stays far
// below these.
const (
	// maxXLSXFile is the largest workbook read, compressed.
	maxXLSXFile = 512 << 20
	// maxXLSXUnzipped bounds the sum of its parts, uncompressed (excelize
	// writes large sheets to temporary files).
	maxXLSXUnzipped = 2 << 30
	// maxXLSXPart bounds each part excelize holds in memory whole: all but
	// the worksheets and the shared strings, which are scanned instead.
	maxXLSXPart = 64 << 20
	// maxXLSXSharedStrings bounds the shared string table.
	maxXLSXSharedStrings = 512 << 20
	// maxXMLCell bounds the XML of one cell (<c>) or one shared string
	// (<si>), markup included, and any other tag or text between tags.
	// MaxCellChars characters escaped as XML with rich-text runs fit.
	maxXMLCell = 256 << 10
)

// errNotXLSX tells that bytes named like a workbook are not one.
var errNotXLSX = errors.New("not an XLSX workbook")

// checkXLSXFile reads the parts of the workbook at path as a stream and
// refuses it before excelize sees it when a part, a cell or the whole is
// over its limit. It holds nothing but a small buffer.
func checkXLSXFile(path string) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("workbook refused: %w (%v)", errNotXLSX, err)
	}
	defer z.Close()
	if err := checkZip(&z.Reader); err != nil {
		return fmt.Errorf("workbook refused: %w", err)
	}
	return nil
}

// checkZip checks each part of an opened workbook.
func checkZip(z *zip.Reader) error {
	var total int64
	for _, f := range z.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		limit := int64(maxXLSXPart)
		scan := strings.HasPrefix(name, "xl/worksheets/") || name == "xl/sharedstrings.xml"
		switch {
		case name == "xl/sharedstrings.xml":
			limit = maxXLSXSharedStrings
		case scan:
			limit = maxXLSXUnzipped
		}
		n, err := checkPart(f, limit, scan)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		if total += n; total > maxXLSXUnzipped {
			return fmt.Errorf("more than %d GiB uncompressed: export it as CSV", maxXLSXUnzipped>>30)
		}
	}
	return nil
}

// checkPart reads one part of the zip, at most limit bytes, and with scan
// checks the size of its XML cells. It returns the bytes read.
func checkPart(f *zip.File, limit int64, scan bool) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	var x xmlCells
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := rc.Read(buf)
		if n += int64(k); n > limit {
			return n, fmt.Errorf("part larger than %d MiB uncompressed", limit>>20)
		}
		if scan {
			if e := x.scan(buf[:k]); e != nil {
				return n, e
			}
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// xmlCells measures, across the chunks of an XML stream, the bytes of each
// cell (<c>…</c>) or shared string (<si>…</si>), and of every tag or text
// outside them.
type xmlCells struct {
	inTag, nameDone bool
	inCell          bool
	name            [8]byte // the start of the current tag's name
	nlen            int
	prev            byte // the byte before the current one, in a tag
	size            int  // bytes of the current cell, or tag or text outside cells
}

var errXMLCell = fmt.Errorf("a cell larger than %d KiB (the limit is %d characters a cell)", maxXMLCell>>10, MaxCellChars)

func (x *xmlCells) scan(b []byte) error {
	for _, c := range b {
		x.size++
		switch {
		case c == '<' && !x.inTag:
			x.inTag, x.nameDone, x.nlen = true, false, 0
			if !x.inCell {
				x.size = 1
			}
		case x.inTag && c == '>':
			x.inTag = false
			x.tagEnd(x.prev == '/')
			if !x.inCell {
				x.size = 0
			}
		case x.inTag && !x.nameDone:
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || (c == '/' && x.nlen > 0) {
				x.nameDone = true
			} else if x.nlen < len(x.name) {
				x.name[x.nlen] = c
				x.nlen++
			}
		}
		x.prev = c
		if x.size > maxXMLCell {
			return errXMLCell
		}
	}
	return nil
}

// tagEnd opens or closes a cell on the tag whose name was just read,
// ignoring a namespace prefix (<x:c>).
func (x *xmlCells) tagEnd(selfClosing bool) {
	name := x.name[:x.nlen]
	closing := len(name) > 0 && name[0] == '/'
	if closing {
		name = name[1:]
	}
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	if string(name) != "c" && string(name) != "si" {
		return
	}
	x.inCell = !closing && !selfClosing
	x.size = 0
}
