package main

import (
	"bufio"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Written by hand (no client library: the module has no dependencies) in the Prometheus text
// exposition format 0.0.4.

var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type requestKey struct {
	path string
	code int
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last one is +Inf
	sum    float64
	count  uint64
}

type metrics struct {
	mu           sync.Mutex
	version      string
	heldBytes    func() int64
	requests     map[requestKey]uint64
	durations    map[string]*histogram
	authFailures uint64
}

func newMetrics(version string, heldBytes func() int64) *metrics {
	if heldBytes == nil {
		heldBytes = func() int64 { return 0 }
	}
	return &metrics{version: version, heldBytes: heldBytes,
		requests: map[requestKey]uint64{}, durations: map[string]*histogram{}}
}

func (m *metrics) observe(path string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{path, code}]++
	h := m.durations[path]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(durationBuckets)+1)}
		m.durations[path] = h
	}
	s := d.Seconds()
	i, _ := slices.BinarySearch(durationBuckets, s) // first bucket with le >= s
	h.counts[i]++
	h.sum += s
	h.count++
}

func (m *metrics) authFailure() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.authFailures++
}

func (m *metrics) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	m.mu.Lock()
	defer m.mu.Unlock()

	family := func(name, typ, help string) {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}

	// sorted, so that two scrapes list series in the same order
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b requestKey) int {
		return cmp.Or(strings.Compare(a.path, b.path), cmp.Compare(a.code, b.code))
	})
	family("demo_http_requests_total", "counter", "HTTP requests answered, by path and status code.")
	for _, k := range keys {
		fmt.Fprintf(bw, "demo_http_requests_total{path=\"%s\",code=\"%d\"} %d\n", escapeLabel(k.path), k.code, m.requests[k])
	}

	paths := make([]string, 0, len(m.durations))
	for p := range m.durations {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	family("demo_http_request_duration_seconds", "histogram", "Time taken to answer HTTP requests, by path.")
	for _, p := range paths {
		h, lp := m.durations[p], escapeLabel(p)
		var cumulative uint64
		for i, le := range durationBuckets {
			cumulative += h.counts[i]
			fmt.Fprintf(bw, "demo_http_request_duration_seconds_bucket{path=\"%s\",le=\"%s\"} %d\n", lp, formatFloat(le), cumulative)
		}
		fmt.Fprintf(bw, "demo_http_request_duration_seconds_bucket{path=\"%s\",le=\"+Inf\"} %d\n", lp, h.count)
		fmt.Fprintf(bw, "demo_http_request_duration_seconds_sum{path=\"%s\"} %s\n", lp, formatFloat(h.sum))
		fmt.Fprintf(bw, "demo_http_request_duration_seconds_count{path=\"%s\"} %d\n", lp, h.count)
	}

	family("demo_auth_failures_total", "counter", "Failed logins on /login.")
	fmt.Fprintf(bw, "demo_auth_failures_total %d\n", m.authFailures)
	family("demo_memory_held_bytes", "gauge", "Memory held on purpose (DEMO_MEMORY_MB, DEMO_LEAK_MB_PER_SEC).")
	fmt.Fprintf(bw, "demo_memory_held_bytes %d\n", m.heldBytes())
	family("demo_build_info", "gauge", "Always 1; the version is in the label.")
	fmt.Fprintf(bw, "demo_build_info{version=\"%s\"} 1\n", escapeLabel(m.version))
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func escapeLabel(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}
