package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock moves only when told to; Sleep advances it, so latency shows in the histogram
// without the test waiting.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)}
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func testConfig() config { return config{addr: ":0", livenessFail: -1, readyFail: -1} }

func newTestServer(cfg config) (*server, *fakeClock, *bytes.Buffer) {
	c, logs := newFakeClock(), &bytes.Buffer{}
	return newServer(cfg, c, logs, func() int64 { return 3 << 20 }), c, logs
}

func do(s *server, method, target string, body string, header map[string]string) *httptest.ResponseRecorder {
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func get(s *server, target string) *httptest.ResponseRecorder { return do(s, "GET", target, "", nil) }

func TestRoutes(t *testing.T) {
	s, _, _ := newTestServer(testConfig())
	for _, tc := range []struct {
		path string
		code int
		body string
	}{
		{"/", 200, "ok\n"}, {"/healthz", 200, "ok\n"}, {"/ready", 200, "ready\n"},
		{"/login", 401, "unauthorized\n"}, {"/nope", 404, "not found\n"}, {"/healthz/x", 404, "not found\n"},
	} {
		rec := get(s, tc.path)
		if rec.Code != tc.code || rec.Body.String() != tc.body {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, rec.Code, rec.Body.String(), tc.code, tc.body)
		}
	}
	if rec := get(s, "/metrics"); rec.Code != 200 || rec.Header().Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("GET /metrics = %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$`)
)

// parseExposition checks the text format line by line, as Prometheus reads it: HELP and TYPE
// before a family's samples, every sample of a declared family, labels well formed.
func parseExposition(t *testing.T, text string) (map[string]string, []sample) {
	t.Helper()
	types := map[string]string{}
	var samples []sample
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# "); ok {
			f := strings.SplitN(rest, " ", 3)
			if len(f) < 3 || (f[0] != "HELP" && f[0] != "TYPE") {
				t.Fatalf("line %d: bad comment %q", n, line)
			}
			if f[0] == "TYPE" {
				if _, dup := types[f[1]]; dup {
					t.Fatalf("line %d: second TYPE for %s", n, f[1])
				}
				types[f[1]] = f[2]
			}
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %d: not a sample: %q", n, line)
		}
		s := sample{name: m[1], labels: map[string]string{}}
		if m[2] != "" {
			for _, p := range strings.Split(m[2], ",") {
				lm := labelPair.FindStringSubmatch(p)
				if lm == nil {
					t.Fatalf("line %d: bad label %q", n, p)
				}
				s.labels[lm[1]] = lm[2]
			}
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("line %d: bad value %q", n, m[3])
		}
		s.value = v
		family := s.name
		if _, ok := types[family]; !ok {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if base, cut := strings.CutSuffix(s.name, suffix); cut && types[base] == "histogram" {
					family = base
				}
			}
		}
		if _, ok := types[family]; !ok {
			t.Fatalf("line %d: sample %s before (or without) its TYPE", n, s.name)
		}
		samples = append(samples, s)
	}
	return types, samples
}

func find(samples []sample, name string, labels map[string]string) (float64, bool) {
next:
	for _, s := range samples {
		if s.name != name || len(s.labels) != len(labels) {
			continue
		}
		for k, v := range labels {
			if s.labels[k] != v {
				continue next
			}
		}
		return s.value, true
	}
	return 0, false
}

func TestMetricsExposition(t *testing.T) {
	cfg := testConfig()
	cfg.latency = 30 * time.Millisecond // each request to / takes 0.03 s on the fake clock
	s, _, _ := newTestServer(cfg)
	for range 3 {
		get(s, "/")
	}
	get(s, "/login?user=x&password=y")
	get(s, "/login?user=demo&password=demo")
	get(s, "/wp-admin")
	get(s, "/metrics") // counted after it answers: shows in the next scrape
	types, samples := parseExposition(t, get(s, "/metrics").Body.String())

	wantTypes := map[string]string{
		"demo_http_requests_total": "counter", "demo_http_request_duration_seconds": "histogram",
		"demo_auth_failures_total": "counter", "demo_memory_held_bytes": "gauge", "demo_build_info": "gauge",
	}
	for name, typ := range wantTypes {
		if types[name] != typ {
			t.Errorf("TYPE %s = %q, want %q", name, types[name], typ)
		}
	}
	if len(types) != len(wantTypes) {
		t.Errorf("families %v, want exactly %v", types, wantTypes)
	}
	for _, want := range []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"demo_http_requests_total", map[string]string{"path": "/", "code": "200"}, 3},
		{"demo_http_requests_total", map[string]string{"path": "/login", "code": "401"}, 1},
		{"demo_http_requests_total", map[string]string{"path": "/login", "code": "200"}, 1},
		{"demo_http_requests_total", map[string]string{"path": "other", "code": "404"}, 1},
		{"demo_http_requests_total", map[string]string{"path": "/metrics", "code": "200"}, 1},
		{"demo_auth_failures_total", map[string]string{}, 1},
		{"demo_memory_held_bytes", map[string]string{}, 3 << 20},
		{"demo_build_info", map[string]string{"version": version}, 1},
		{"demo_http_request_duration_seconds_count", map[string]string{"path": "/"}, 3},
		{"demo_http_request_duration_seconds_sum", map[string]string{"path": "/"}, 0.09},
		{"demo_http_request_duration_seconds_bucket", map[string]string{"path": "/", "le": "0.025"}, 0},
		{"demo_http_request_duration_seconds_bucket", map[string]string{"path": "/", "le": "0.05"}, 3},
		{"demo_http_request_duration_seconds_bucket", map[string]string{"path": "other", "le": "0.005"}, 1},
	} {
		got, ok := find(samples, want.name, want.labels)
		if !ok || (got-want.value) > 1e-9 || (want.value-got) > 1e-9 {
			t.Errorf("%s%v = %v (found %v), want %v", want.name, want.labels, got, ok, want.value)
		}
	}

	// every histogram: the listed buckets in order, cumulative, +Inf equal to _count
	wantLe := []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"}
	buckets := map[string][]sample{}
	for _, smp := range samples {
		if smp.name == "demo_http_request_duration_seconds_bucket" {
			buckets[smp.labels["path"]] = append(buckets[smp.labels["path"]], smp)
		}
	}
	if len(buckets) != 4 { // /, /login, /metrics, other
		t.Errorf("histograms for %d paths, want 4", len(buckets))
	}
	for path, bs := range buckets {
		if len(bs) != len(wantLe) {
			t.Fatalf("%s: %d buckets, want %d", path, len(bs), len(wantLe))
		}
		for i, b := range bs {
			if b.labels["le"] != wantLe[i] {
				t.Errorf("%s: bucket %d le=%s, want %s", path, i, b.labels["le"], wantLe[i])
			}
			if i > 0 && b.value < bs[i-1].value {
				t.Errorf("%s: bucket le=%s (%v) below the previous (%v): not cumulative", path, b.labels["le"], b.value, bs[i-1].value)
			}
		}
		count, _ := find(samples, "demo_http_request_duration_seconds_count", map[string]string{"path": path})
		if bs[len(bs)-1].value != count {
			t.Errorf("%s: +Inf bucket %v != _count %v", path, bs[len(bs)-1].value, count)
		}
	}
}

func TestErrorRateIsExact(t *testing.T) {
	for _, tc := range []struct {
		rate  string
		every int // every k-th request fails
	}{{"0.25", 4}, {"0.1", 10}, {"0.3", 3}, {"1", 1}, {"0", 0}} {
		cfg, err := loadConfig(mapEnv(map[string]string{"DEMO_ERROR_RATE": tc.rate}))
		if err != nil {
			t.Fatal(err)
		}
		s, _, _ := newTestServer(cfg)
		fails := 0
		for i := 1; i <= 120; i++ {
			code := get(s, "/").Code
			wantFail := tc.every > 0 && i%tc.every == 0
			if (code == 500) != wantFail {
				t.Fatalf("rate %s: request %d answered %d", tc.rate, i, code)
			}
			if code == 500 {
				fails++
			}
		}
		if tc.every > 0 && fails != 120/tc.every {
			t.Errorf("rate %s: %d failures in 120, want %d", tc.rate, fails, 120/tc.every)
		}
	}
}

func TestProbeTiming(t *testing.T) {
	cfg, err := loadConfig(mapEnv(map[string]string{
		"DEMO_LIVENESS_FAIL_AFTER": "20s", "DEMO_READINESS_FAIL_AFTER": "1m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s, clk, logs := newTestServer(cfg)
	expect := func(path string, code int) {
		t.Helper()
		if got := get(s, path).Code; got != code {
			t.Errorf("at +%v GET %s = %d, want %d", clk.Now().Sub(s.start), path, got, code)
		}
	}
	expect("/healthz", 200)
	clk.Sleep(20*time.Second - time.Nanosecond)
	expect("/healthz", 200)
	expect("/ready", 200)
	clk.Sleep(time.Nanosecond)
	expect("/healthz", 500)
	if got := get(s, "/healthz").Body.String(); got != "unhealthy\n" {
		t.Errorf("body %q, want unhealthy", got)
	}
	expect("/ready", 200)
	clk.Sleep(40 * time.Second)
	expect("/ready", 503)
	if !strings.Contains(logs.String(), "ERROR request failed status=500 client=192.0.2.1 method=GET path=/healthz") {
		t.Errorf("5xx answers are logged; got %q", logs.String())
	}

	// 0s: never ready; unset: always ready and alive
	cfg, _ = loadConfig(mapEnv(map[string]string{"DEMO_READINESS_FAIL_AFTER": "0s"}))
	s, clk, _ = newTestServer(cfg)
	expect("/ready", 503)
	s, clk, _ = newTestServer(testConfig())
	clk.Sleep(1000 * time.Hour)
	expect("/ready", 200)
	expect("/healthz", 200)
}

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoginLogging(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			cfg := testConfig()
			cfg.jsonLogs = format == "json"
			s, _, logs := newTestServer(cfg)

			// successes are not logged, from the query or from a POST form
			if rec := get(s, "/login?user=demo&password=demo"); rec.Code != 200 {
				t.Fatalf("GET good login = %d", rec.Code)
			}
			if rec := do(s, "POST", "/login", "user=demo&password=demo", nil); rec.Code != 200 {
				t.Fatalf("POST good login = %d", rec.Code)
			}
			if logs.Len() != 0 {
				t.Fatalf("successful logins logged: %q", logs.String())
			}
			do(s, "POST", "/login", url.Values{"user": {"admin"}, "password": {"x"}}.Encode(),
				map[string]string{"X-Forwarded-For": "203.0.113.7, 10.1.2.3"})
			get(s, "/login?user=al+ice&password=demo") // no X-Forwarded-For: the peer's IP

			lines := strings.Split(strings.TrimSuffix(logs.String(), "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d log lines, want 2: %q", len(lines), logs.String())
			}
			ts := "2026-01-02T03:04:05.0000006Z"
			if format == "text" {
				want := []string{
					ts + " WARN authentication failed status=401 client=203.0.113.7 user=admin path=/login",
					ts + ` WARN authentication failed status=401 client=192.0.2.1 user="al ice" path=/login`,
				}
				for i := range want {
					if lines[i] != want[i] {
						t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
					}
				}
				return
			}
			want := `{"ts":"` + ts + `","level":"warn","msg":"authentication failed","status":401,"client":"203.0.113.7","method":"POST","path":"/login","user":"admin"}`
			if lines[0] != want {
				t.Errorf("line 0:\n got %s\nwant %s", lines[0], want)
			}
			var e map[string]any
			if err := json.Unmarshal([]byte(lines[1]), &e); err != nil {
				t.Fatal(err)
			}
			if e["client"] != "192.0.2.1" || e["user"] != "al ice" || e["method"] != "GET" {
				t.Errorf("line 1: %v", e)
			}
		})
	}
}

func TestLoginMethod(t *testing.T) {
	s, _, logs := newTestServer(testConfig())
	if rec := do(s, "DELETE", "/login", "", nil); rec.Code != 405 || rec.Header().Get("Allow") != "GET, POST" {
		t.Errorf("DELETE /login = %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	if logs.Len() != 0 {
		t.Errorf("logged %q", logs.String())
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for env, msg := range map[string]string{
		"DEMO_ERROR_RATE=1.5":           "DEMO_ERROR_RATE must be a number from 0 to 1",
		"DEMO_LATENCY_MS=-3":            "DEMO_LATENCY_MS must be a whole number",
		"DEMO_MEMORY_MB=lots":           "DEMO_MEMORY_MB must be a whole number",
		"DEMO_LIVENESS_FAIL_AFTER=20":   "DEMO_LIVENESS_FAIL_AFTER must be a duration",
		"DEMO_READINESS_FAIL_AFTER=-1s": "DEMO_READINESS_FAIL_AFTER must be a duration",
		"DEMO_LOG_FORMAT=xml":           "DEMO_LOG_FORMAT must be text or json",
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := loadConfig(mapEnv(map[string]string{k: v}))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want %q", env, err, msg)
		}
	}
	cfg, err := loadConfig(mapEnv(nil))
	if err != nil || cfg.addr != ":8080" || cfg.livenessFail >= 0 || cfg.readyFail >= 0 || cfg.errorEvery != 0 || cfg.jsonLogs {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
}
