package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// `demo load` is a small load generator in the same binary, so that a test pod (or the host)
// can send traffic without any other image: steady 5xx traffic for error-rate checks, and
// failed logins from many client addresses (--forwarded-for) for a credential-stuffing drill.

type loadOptions struct {
	url          string
	rate         float64
	duration     time.Duration // 0 = until SIGTERM/SIGINT
	method       string
	forwardedFor []string // round-robin X-Forwarded-For values; empty = none
	form         string   // urlencoded body; empty = no body
}

type loadResult struct {
	sent     int
	codes    map[int]int
	errors   int
	firstErr error
	elapsed  time.Duration
}

// summary is the one line printed at the end, codes in ascending order.
func (r loadResult) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "load: sent=%d elapsed=%.1fs", r.sent, r.elapsed.Seconds())
	codes := make([]int, 0, len(r.codes))
	for c := range r.codes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		fmt.Fprintf(&b, " %d=%d", c, r.codes[c])
	}
	fmt.Fprintf(&b, " errors=%d", r.errors)
	return b.String()
}

func parseLoadArgs(args []string, stderr io.Writer) (loadOptions, error) {
	fs := flag.NewFlagSet("demo load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o loadOptions
	var ff string
	fs.StringVar(&o.url, "url", "", "target URL (required), e.g. http://web:8080/login")
	fs.Float64Var(&o.rate, "rate", 10, "requests per second")
	fs.DurationVar(&o.duration, "duration", 0, "how long to send, e.g. 30s (0 = until SIGTERM)")
	fs.StringVar(&o.method, "method", "", "HTTP method (default GET, or POST with --form)")
	fs.StringVar(&ff, "forwarded-for", "", "comma-separated X-Forwarded-For values, used round-robin")
	fs.StringVar(&o.form, "form", "", "urlencoded form sent as the request body, e.g. user=admin&password=x")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	u, err := url.Parse(o.url)
	if o.url == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return o, fmt.Errorf("--url must be an http:// or https:// URL, got %q", o.url)
	}
	if o.rate <= 0 {
		return o, fmt.Errorf("--rate must be > 0, got %v", o.rate)
	}
	if o.duration < 0 {
		return o, fmt.Errorf("--duration must be >= 0, got %v", o.duration)
	}
	if o.form != "" {
		if _, err := url.ParseQuery(o.form); err != nil {
			return o, fmt.Errorf("--form is not a urlencoded form: %v", err)
		}
	}
	if o.method == "" {
		o.method = http.MethodGet
		if o.form != "" {
			o.method = http.MethodPost
		}
	}
	o.method = strings.ToUpper(o.method)
	for _, v := range strings.Split(ff, ",") {
		if v = strings.TrimSpace(v); v != "" {
			o.forwardedFor = append(o.forwardedFor, v)
		}
	}
	return o, nil
}

func runLoad(args []string, stdout, stderr io.Writer) int {
	o, err := parseLoadArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	fmt.Fprintf(stdout, "load: %s %s at %g/s for %s\n", o.method, o.url, o.rate, durationText(o.duration))
	r := generateLoad(ctx, o, &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}})
	if r.firstErr != nil {
		fmt.Fprintf(stderr, "load: first error: %v\n", r.firstErr)
	}
	fmt.Fprintln(stdout, r.summary())
	return 0
}

func durationText(d time.Duration) string {
	if d == 0 {
		return "ever"
	}
	return d.String()
}

// maxInFlight bounds the goroutines when the target is slower than the rate; past it the
// generator waits, so the achieved rate drops instead of memory growing.
const maxInFlight = 256

// generateLoad sends request i at start + i/rate while that is before start + duration, so a
// run of --rate 10 --duration 3s sends exactly 30 requests.
func generateLoad(ctx context.Context, o loadOptions, client *http.Client) loadResult {
	res := loadResult{codes: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxInFlight)
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
loop:
	for i := 0; ; i++ {
		at := time.Duration(float64(i) / o.rate * float64(time.Second))
		if o.duration > 0 && at >= o.duration {
			break
		}
		timer.Reset(time.Until(start.Add(at)))
		select {
		case <-ctx.Done():
			break loop
		case <-timer.C:
		}
		select {
		case <-ctx.Done():
			break loop
		case sem <- struct{}{}:
		}
		req, err := newLoadRequest(ctx, o, i)
		if err != nil { // the URL was validated, so this is not expected
			res.firstErr = err
			break
		}
		res.sent++
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			code, err := send(client, req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				if res.firstErr == nil {
					res.firstErr = err
				}
				return
			}
			res.codes[code]++
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func newLoadRequest(ctx context.Context, o loadOptions, i int) (*http.Request, error) {
	var body io.Reader
	if o.form != "" {
		body = strings.NewReader(o.form)
	}
	// Requests in flight when the run is stopped still finish (bounded by the client's
	// timeout), so the summary counts every request that was sent.
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), o.method, o.url, body)
	if err != nil {
		return nil, err
	}
	if o.form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if len(o.forwardedFor) > 0 {
		req.Header.Set("X-Forwarded-For", o.forwardedFor[i%len(o.forwardedFor)])
	}
	req.Header.Set("User-Agent", "demo-load/"+version)
	return req, nil
}

func send(client *http.Client, req *http.Request) (int, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body) // drained, so the connection is reused
	return resp.StatusCode, nil
}
