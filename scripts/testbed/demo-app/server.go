package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// clock is injected so tests can move time (probe deadlines, latency) without sleeping.
type clock interface {
	Now() time.Time
	Sleep(time.Duration)
}

type realClock struct{}

func (realClock) Now() time.Time        { return time.Now() }
func (realClock) Sleep(d time.Duration) { time.Sleep(d) }

type server struct {
	cfg      config
	clock    clock
	start    time.Time
	metrics  *metrics
	log      *requestLog
	rootSeen atomic.Uint64 // requests to /, numbered for the deterministic error rate
}

func newServer(cfg config, c clock, logOut io.Writer, heldBytes func() int64) *server {
	return &server{
		cfg:     cfg,
		clock:   c,
		start:   c.Now(),
		metrics: newMetrics(version, heldBytes),
		log:     &requestLog{out: logOut, json: cfg.jsonLogs, now: c.Now},
	}
}

// routes are matched exactly; anything else is "other" in the metrics, so a scanner probing
// random paths cannot blow up the number of series.
var routes = map[string]bool{"/": true, "/healthz": true, "/ready": true, "/login": true, "/metrics": true}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := s.clock.Now()
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	path := r.URL.Path
	if !routes[path] {
		path = "other"
	}
	switch path {
	case "/":
		s.root(rec)
	case "/healthz":
		s.healthz(rec)
	case "/ready":
		s.ready(rec)
	case "/login":
		s.login(rec, r)
	case "/metrics":
		s.metrics.write(rec)
	default:
		http.Error(rec, "not found", http.StatusNotFound)
	}
	s.metrics.observe(path, rec.code, s.clock.Now().Sub(began))
	if rec.code >= 500 {
		s.log.write(logEntry{Level: "error", Msg: "request failed", Status: rec.code,
			Client: clientAddr(r), Method: r.Method, Path: r.URL.Path})
	}
}

func (s *server) root(w http.ResponseWriter) {
	n := s.rootSeen.Add(1)
	if s.cfg.latency > 0 {
		s.clock.Sleep(s.cfg.latency)
	}
	if s.cfg.errorEvery > 0 && n%s.cfg.errorEvery == 0 {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	text(w, http.StatusOK, "ok\n")
}

// failing tells whether a probe that fails from age `after` on (negative: never) fails now.
func (s *server) failing(after time.Duration) bool {
	return after >= 0 && s.clock.Now().Sub(s.start) >= after
}

func (s *server) healthz(w http.ResponseWriter) {
	if s.failing(s.cfg.livenessFail) {
		text(w, http.StatusInternalServerError, "unhealthy\n")
		return
	}
	text(w, http.StatusOK, "ok\n")
}

func (s *server) ready(w http.ResponseWriter) {
	if s.failing(s.cfg.readyFail) {
		text(w, http.StatusServiceUnavailable, "not ready\n")
		return
	}
	text(w, http.StatusOK, "ready\n")
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		text(w, http.StatusMethodNotAllowed, "method not allowed\n")
		return
	}
	// FormValue reads the query and, for POST, a urlencoded body.
	user, password := r.FormValue("user"), r.FormValue("password")
	if user == "demo" && password == "demo" {
		text(w, http.StatusOK, "welcome\n")
		return
	}
	s.metrics.authFailure()
	s.log.write(logEntry{Level: "warn", Msg: "authentication failed", Status: http.StatusUnauthorized,
		Client: clientAddr(r), Method: r.Method, Path: r.URL.Path, User: &user})
	text(w, http.StatusUnauthorized, "unauthorized\n")
}

func text(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, body)
}

// clientAddr is the address a security tool should attribute the request to: behind a proxy
// (or the load generator's --forwarded-for) the first X-Forwarded-For entry, else the peer.
func clientAddr(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		if first = strings.TrimSpace(first); first != "" {
			return first
		}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

type statusRecorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.code, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

// requestLog writes one line per logged request, as text or JSON (DEMO_LOG_FORMAT).
type requestLog struct {
	mu   sync.Mutex
	out  io.Writer
	json bool
	now  func() time.Time
}

// logEntry's field order is the JSON key order log parsers and tests see.
type logEntry struct {
	TS     string  `json:"ts"`
	Level  string  `json:"level"`
	Msg    string  `json:"msg"`
	Status int     `json:"status"`
	Client string  `json:"client"`
	Method string  `json:"method"`
	Path   string  `json:"path"`
	User   *string `json:"user,omitempty"` // set for login failures only, even when empty
}

func (l *requestLog) write(e logEntry) {
	e.TS = l.now().UTC().Format(time.RFC3339Nano)
	var line string
	if l.json {
		b, _ := json.Marshal(e)
		line = string(b)
	} else {
		line = fmt.Sprintf("%s %s %s status=%d client=%s", e.TS, strings.ToUpper(e.Level), e.Msg,
			e.Status, textValue(e.Client))
		if e.User != nil {
			line += " user=" + textValue(*e.User)
		} else {
			line += " method=" + textValue(e.Method)
		}
		line += " path=" + textValue(e.Path)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.out, line+"\n")
}

// textValue quotes a value only when a key=value parser would otherwise split it wrongly
// (user names come from the client and may hold anything).
func textValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\r\n\"=\\") || !isPrintable(v) {
		return strconv.Quote(v)
	}
	return v
}

func isPrintable(v string) bool {
	for _, r := range v {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}
