// Command orders is the Go rewrite of the worked example's Python orders API
// (data/example-services/orders-python/app.py): the same endpoints, the same
// JSON, the same integer-cent arithmetic.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync/atomic"
)

var catalogue = map[string]int64{"A1": 1299, "B2": 450, "C3": 8900, "D4": 35} // unit prices in cents

const (
	taxPct = 8
	maxQty = 10_000
)

// Quote is the price of a quantity of one article.
type Quote struct {
	SKU           string `json:"sku"`
	Qty           int64  `json:"qty"`
	UnitCents     int64  `json:"unit_cents"`
	DiscountPct   int64  `json:"discount_pct"`
	SubtotalCents int64  `json:"subtotal_cents"`
	DiscountCents int64  `json:"discount_cents"`
	TaxCents      int64  `json:"tax_cents"`
	TotalCents    int64  `json:"total_cents"`
}

// Order is a placed order.
type Order struct {
	OrderID    int64   `json:"order_id"`
	Customer   string  `json:"customer"`
	Lines      []Quote `json:"lines"`
	TotalCents int64   `json:"total_cents"`
}

type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func discountPct(qty int64) int64 {
	switch {
	case qty >= 100:
		return 12
	case qty >= 50:
		return 10
	case qty >= 10:
		return 5
	}
	return 0
}

func quote(sku string, qty int64) (Quote, error) {
	unit, ok := catalogue[sku]
	if !ok {
		return Quote{}, &httpError{http.StatusNotFound, fmt.Sprintf("unknown sku %q", sku)}
	}
	if qty < 1 || qty > maxQty {
		return Quote{}, &httpError{http.StatusBadRequest, fmt.Sprintf("qty must be 1..%d", maxQty)}
	}
	subtotal := unit * qty
	pct := discountPct(qty)
	discount := subtotal * pct / 100
	tax := (subtotal - discount) * taxPct / 100
	return Quote{SKU: sku, Qty: qty, UnitCents: unit, DiscountPct: pct, SubtotalCents: subtotal,
		DiscountCents: discount, TaxCents: tax, TotalCents: subtotal - discount + tax}, nil
}

var orderIDs atomic.Int64

type orderRequest struct {
	Customer string `json:"customer"`
	Items    []struct {
		SKU *string `json:"sku"`
		Qty *int64  `json:"qty"`
	} `json:"items"`
}

func placeOrder(in orderRequest) (Order, error) {
	if in.Customer == "" {
		return Order{}, &httpError{http.StatusBadRequest, "customer must be a non-empty string"}
	}
	if len(in.Items) == 0 || len(in.Items) > 100 {
		return Order{}, &httpError{http.StatusBadRequest, "items must be a list of 1..100 entries"}
	}
	out := Order{Customer: in.Customer, Lines: make([]Quote, 0, len(in.Items))}
	for _, it := range in.Items {
		if it.SKU == nil || it.Qty == nil {
			return Order{}, &httpError{http.StatusBadRequest, "each item needs a string sku and an integer qty"}
		}
		q, err := quote(*it.SKU, *it.Qty)
		if err != nil {
			return Order{}, err
		}
		out.Lines = append(out.Lines, q)
		out.TotalCents += q.TotalCents
	}
	out.OrderID = orderIDs.Add(1)
	return out, nil
}

func send(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func fail(w http.ResponseWriter, err error) {
	if he, ok := err.(*httpError); ok {
		send(w, he.status, map[string]string{"error": he.msg})
		return
	}
	send(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
}

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		send(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /quote", func(w http.ResponseWriter, r *http.Request) {
		qtyText := r.URL.Query().Get("qty")
		if qtyText == "" {
			qtyText = "1"
		}
		qty, err := strconv.ParseInt(qtyText, 10, 64)
		if err != nil {
			fail(w, &httpError{http.StatusBadRequest, "qty must be an integer"})
			return
		}
		q, err := quote(r.URL.Query().Get("sku"), qty)
		if err != nil {
			fail(w, err)
			return
		}
		send(w, http.StatusOK, q)
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		var in orderRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			fail(w, &httpError{http.StatusBadRequest, "body must be a JSON object"})
			return
		}
		o, err := placeOrder(in)
		if err != nil {
			fail(w, err)
			return
		}
		send(w, http.StatusCreated, o)
	})
	return mux
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	log.Printf("orders (go) listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, routes()))
}
