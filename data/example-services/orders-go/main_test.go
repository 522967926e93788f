package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestQuoteMatchesThePythonService(t *testing.T) {
	// The Python service answers {"total_cents":4208} for 3 × A1: 3897 + 8 % tax rounded down.
	q, err := quote("A1", 3)
	if err != nil || q.TotalCents != 4208 || q.TaxCents != 311 {
		t.Fatalf("quote(A1, 3) = %+v, %v", q, err)
	}
	q, _ = quote("B2", 50) // 10 % volume discount
	if q.DiscountPct != 10 || q.DiscountCents != 2250 || q.TotalCents != 21870 {
		t.Fatalf("quote(B2, 50) = %+v", q)
	}
	if _, err := quote("ZZ", 1); err == nil {
		t.Fatal("unknown sku accepted")
	}
}

func TestOrdersEndpoint(t *testing.T) {
	srv := httptest.NewServer(routes())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/orders", "application/json",
		strings.NewReader(`{"customer":"c1","items":[{"sku":"A1","qty":3},{"sku":"B2","qty":50}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp2, err := http.Post(srv.URL+"/orders", "application/json", strings.NewReader(`{"customer":"c1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusBadRequest {
		t.Fatalf("missing items: status %d", resp2.StatusCode)
	}
}
