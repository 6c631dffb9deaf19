package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"
)

var secret = []byte("whsec_0123456789abcdef")

// TestSignMatchesTheContract recomputes the signature by hand, as a
// provider reading docs/letters-webhook.md would.
func TestSignMatchesTheContract(t *testing.T) {
	at := time.Unix(1757930400, 0)
	body := []byte(`{"key":"relance-1"}`)
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("1757930400." + string(body)))
	want := "t=1757930400,v1=" + hex.EncodeToString(h.Sum(nil))
	if got := Sign(secret, at, body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1757930400, 0)
	body := []byte(`{"key":"relance-1","event":"delivered"}`)
	good := Sign(secret, now.Add(-time.Minute), body)
	other := Sign([]byte("another secret, rotated out"), now, body)
	for _, tt := range []struct {
		name, header string
		body         []byte
		want         error
	}{
		{"signed a minute ago", good, body, nil},
		{"signed a minute ahead (clocks drift)", Sign(secret, now.Add(time.Minute), body), body, nil},
		{"a v1 made for another timestamp", other + "," + good[len("t=1757930340,"):], body, ErrBadSignature},
		{"two v1, one matching", Sign(secret, now, body) + ",v1=00ff", body, nil},
		{"forged: another secret", other, body, ErrBadSignature},
		{"tampered body", good, []byte(`{"key":"relance-2","event":"delivered"}`), ErrBadSignature},
		{"stale: six minutes old", Sign(secret, now.Add(-6*time.Minute), body), body, ErrStale},
		{"from the future", Sign(secret, now.Add(6*time.Minute), body), body, ErrStale},
		{"no header", "", body, ErrNoSignature},
		{"no timestamp", "v1=" + good[len("t=1757930340,v1="):], body, ErrNoSignature},
		{"no v1", "t=1757930340", body, ErrNoSignature},
		{"v0 only", "t=1757930340,v0=abcd", body, ErrNoSignature},
		{"timestamp not a number", "t=soon,v1=abcd", body, ErrNoSignature},
		{"timestamp changed", "t=" + strconv.FormatInt(now.Unix(), 10) + good[len("t=1757930340"):], body, ErrBadSignature},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(secret, tt.header, tt.body, now, 5*time.Minute)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzVerify: whatever the header, Verify never panics and never accepts
// what the secret did not sign; what Sign made always verifies.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1757930400, 0)
	f.Add("t=1757930400,v1=abc", []byte("{}"))
	f.Add(Sign(secret, now, []byte("{}")), []byte("{}"))
	f.Add(",,=,t==,v1=,", []byte(""))
	f.Add("t=99999999999999999999,v1=00", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := Verify(secret, header, body, now, 5*time.Minute)
		if err == nil {
			// A header verifies only by carrying the right v1 for its t.
			ts, sigs := parts(header)
			h := hmac.New(sha256.New, secret)
			h.Write([]byte(ts + "." + string(body)))
			want, ok := h.Sum(nil), false
			for _, sig := range sigs {
				ok = ok || hmac.Equal(sig, want)
			}
			if !ok {
				t.Fatalf("accepted %q over %q", header, body)
			}
		}
		if err := Verify(secret, Sign(secret, now, body), body, now, time.Second); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
	})
}

// parts reads the last t and every v1 of a header, by hand (the fuzz
// oracle).
func parts(header string) (string, [][]byte) {
	var ts string
	var v1 [][]byte
	for i := 0; i < len(header); {
		j := i
		for j < len(header) && header[j] != ',' {
			j++
		}
		kv := header[i:j]
		if len(kv) > 2 && kv[:2] == "t=" {
			ts = kv[2:]
		}
		if len(kv) > 3 && kv[:3] == "v1=" {
			if b, err := hex.DecodeString(kv[3:]); err == nil {
				v1 = append(v1, b)
			}
		}
		i = j + 1
	}
	return ts, v1
}

func ExampleSign() {
	body := []byte(`{"key":"relance-4f1c","event":"delivered","at":"2025-09-18T10:42:00+02:00"}`)
	header := Sign([]byte("whsec_0123456789abcdef"), time.Unix(1758184920, 0), body)
	fmt.Println(header)
	fmt.Println(Verify([]byte("whsec_0123456789abcdef"), header, body, time.Unix(1758185000, 0), 5*time.Minute))
	// Output:
	// t=1758184920,v1=8e29bb8a5083f8c464b61451a0fd699e79ad6186e0dfbb374a537d235395df1f
	// <nil>
}
