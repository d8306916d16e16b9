package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestLoadSendsExactCountRoundRobin(t *testing.T) {
	var mu sync.Mutex
	byClient := map[string]int{}
	var bodies []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		byClient[r.Header.Get("X-Forwarded-For")]++
		bodies = append(bodies, r.Method+" "+r.Header.Get("Content-Type")+" "+string(b))
		mu.Unlock()
		if len(b) > 0 {
			w.WriteHeader(401)
		}
	}))
	defer target.Close()

	var stdout, stderr bytes.Buffer
	code := runLoad([]string{"--url", target.URL + "/login", "--rate", "200", "--duration", "100ms",
		"--forwarded-for", "198.51.100.1,198.51.100.2", "--form", "user=admin&password=x"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if byClient["198.51.100.1"] != 10 || byClient["198.51.100.2"] != 10 || len(byClient) != 2 {
		t.Errorf("requests by X-Forwarded-For: %v, want 10 each", byClient)
	}
	for _, b := range bodies {
		if b != "POST application/x-www-form-urlencoded user=admin&password=x" {
			t.Fatalf("request %q", b)
		}
	}
	last := strings.TrimSpace(stdout.String()[strings.LastIndex(strings.TrimSpace(stdout.String()), "\n")+1:])
	if !strings.HasPrefix(last, "load: sent=20 elapsed=") || !strings.HasSuffix(last, " 401=20 errors=0") {
		t.Errorf("summary %q", last)
	}
}

func TestLoadSummaryCountsErrors(t *testing.T) {
	r := loadResult{sent: 5, codes: map[int]int{500: 1, 200: 3}, errors: 1}
	if got := r.summary(); got != "load: sent=5 elapsed=0.0s 200=3 500=1 errors=1" {
		t.Errorf("summary %q", got)
	}
}

func TestLoadArgs(t *testing.T) {
	o, err := parseLoadArgs([]string{"--url", "http://web:8080/"}, io.Discard)
	if err != nil || o.method != "GET" || o.rate != 10 || o.duration != 0 || o.forwardedFor != nil {
		t.Errorf("defaults: %+v %v", o, err)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{}, "--url must be"},
		{[]string{"--url", "web:8080"}, "--url must be"},
		{[]string{"--url", "http://web/", "--rate", "0"}, "--rate must be > 0"},
		{[]string{"--url", "http://web/", "--form", "a=%zz"}, "--form is not"},
		{[]string{"--url", "http://web/", "extra"}, "unexpected argument"},
	} {
		if _, err := parseLoadArgs(tc.args, io.Discard); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.msg)
		}
	}
	var stderr bytes.Buffer
	if code := runLoad([]string{"--rate", "5"}, io.Discard, &stderr); code != 2 || !strings.HasPrefix(stderr.String(), "Error: --url") {
		t.Errorf("usage error: %d %q", code, stderr.String())
	}
}
