package aging

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"sort"
)

// contentTypes is the part of a workbook that lists its content types.
const contentTypes = "[Content_Types].xml"

// sortedZip copies the zip archive src to w with its entries in name
// order and the content types listed in order. excelize writes a workbook's
// parts, and the content types' defaults, in map order, so the same report
// came out as different bytes from one run to the next; canonical, `relance
// aging --format xlsx` and the dashboard's download give the same file for
// the same data. The other parts' compressed bytes are copied untouched.
func sortedZip(w io.Writer, src []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		return err
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	zw := zip.NewWriter(w)
	for _, f := range files {
		if f.Name == contentTypes {
			if err := rewriteSorted(zw, f); err != nil {
				return err
			}
			continue
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return err
		}
		dst, err := zw.CreateRaw(&f.FileHeader)
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, raw); err != nil {
			return err
		}
	}
	return zw.Close()
}

// typeElement is one <Default/> or <Override/> of the content types.
var typeElement = regexp.MustCompile(`<(Default|Override) [^>]*>(</(Default|Override)>)?`)

// rewriteSorted writes f with its content type elements sorted, each kind
// in its place.
func rewriteSorted(zw *zip.Writer, f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	locs := typeElement.FindAllIndex(body, -1)
	if len(locs) > 0 {
		elems := make([]string, len(locs))
		for i, l := range locs {
			elems[i] = string(body[l[0]:l[1]])
		}
		// Defaults stay before Overrides: "<D" sorts before "<O".
		sort.Strings(elems)
		var out bytes.Buffer
		out.Write(body[:locs[0][0]])
		for i, e := range elems {
			out.WriteString(e)
			if i+1 < len(locs) {
				out.Write(body[locs[i][1]:locs[i+1][0]])
			}
		}
		out.Write(body[locs[len(locs)-1][1]:])
		body = out.Bytes()
	}
	h := f.FileHeader
	h.CompressedSize64, h.UncompressedSize64, h.CRC32 = 0, 0, 0
	dst, err := zw.CreateHeader(&h)
	if err != nil {
		return err
	}
	_, err = dst.Write(body)
	return err
}
