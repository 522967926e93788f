package parser

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want []Pair
	}{
		{"", nil},
		{"a=1", []Pair{{"a", "1"}}},
		{" a = 1 ; b=two words ;", []Pair{{"a", "1"}, {"b", "two words"}}},
		{`name="go \"gopher\""; size=10`, []Pair{{"name", `go "gopher"`}, {"size", "10"}}},
		{`path="C:\\temp"`, []Pair{{"path", `C:\temp`}}},
		{`empty=; q=""`, []Pair{{"empty", ""}, {"q", ""}}},
		{`semi="a;b"`, []Pair{{"semi", "a;b"}}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{";", "=1", "a", "a 1", `a="x`, `a=x"y`, `a=x\y`, `a="x" b=1`} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", in, got)
		} else if !strings.HasPrefix(err.Error(), "offset ") {
			t.Errorf("Parse(%q): error %q does not name the offset", in, err)
		}
	}
}

func TestFormatRoundTrip(t *testing.T) {
	pairs := []Pair{{"a", ""}, {"b", `"quoted" \ back; slash`}, {"c.d-e_f", " spaced "}}
	got, err := Parse(Format(pairs))
	if err != nil || !reflect.DeepEqual(got, pairs) {
		t.Fatalf("Parse(Format(%q)) = %q, %v", pairs, got, err)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// survives a round trip through Format.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"", "a=1", "k=v;", `name="go \"gopher\""; size=10`, `path="C:\\temp"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pairs, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(Format(pairs))
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))): %v", s, err)
		}
		if len(pairs) != len(again) || (len(pairs) > 0 && !reflect.DeepEqual(pairs, again)) {
			t.Fatalf("round trip of %q: %q became %q", s, pairs, again)
		}
	})
}
