// Command demo is the application every test pod on the test bed's real node runs. One static
// binary, standard library only, so that it can be put into an image without a registry or a
// daemon; environment variables switch on the failures the scenarios need (missing
// configuration, memory growth, failing probes, 5xx answers, credential stuffing). See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// version is reported by `demo version`, the start line and demo_build_info; a build may
// override it with -ldflags "-X main.version=...".
var version = "1.0.0"

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}

const usage = `usage:
  demo                 serve HTTP (behaviour set by DEMO_* environment variables, see README.md)
  demo load --url URL [--rate N] [--duration D] [--method M] [--forwarded-for a,b] [--form k=v&...]
  demo version
`

// run is main without the process: it returns the exit code, so tests can call it.
func run(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "load":
			return runLoad(args[1:], stdout, stderr)
		case "version", "--version":
			fmt.Fprintf(stdout, "demo-app %s\n", version)
			return 0
		case "help", "-h", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		default:
			fmt.Fprintf(stderr, "Error: unknown command %q\n%s", args[0], usage)
			return 2
		}
	}
	return serve(lookup, stdout, stderr)
}

// config is the environment, parsed once at start.
type config struct {
	addr         string
	errorEvery   uint64        // every k-th request to / answers 500; 0 = never
	latency      time.Duration // added to every request to /
	livenessFail time.Duration // /healthz fails from this age on; < 0 = never
	readyFail    time.Duration // /ready fails from this age on; < 0 = never
	jsonLogs     bool
	memoryMiB    int
	leakMiBPerS  int
	cpuMilli     int
}

// checkRequiredEnv reports the first variable of the comma-separated list that is unset or
// empty, with the message the crashloop scenario expects in `kubectl logs`.
func checkRequiredEnv(list string, lookup func(string) (string, bool)) error {
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if v, ok := lookup(name); !ok || v == "" {
			return fmt.Errorf("required environment variable %s is not set", name)
		}
	}
	return nil
}

func loadConfig(lookup func(string) (string, bool)) (config, error) {
	get := func(name string) string { v, _ := lookup(name); return strings.TrimSpace(v) }
	cfg := config{addr: ":8080", livenessFail: -1, readyFail: -1}
	if v := get("DEMO_ADDR"); v != "" {
		cfg.addr = v
	}
	var err error
	var latencyMS int
	if v := get("DEMO_ERROR_RATE"); v != "" {
		rate, perr := strconv.ParseFloat(v, 64)
		if perr != nil || rate < 0 || rate > 1 {
			return cfg, fmt.Errorf("DEMO_ERROR_RATE must be a number from 0 to 1, got %q", v)
		}
		if rate > 0 {
			// every k-th request rather than a random draw, so a test can count exactly
			cfg.errorEvery = uint64(1/rate + 0.5)
		}
	}
	ints := []struct {
		name string
		dst  *int
	}{
		{"DEMO_LATENCY_MS", &latencyMS}, {"DEMO_MEMORY_MB", &cfg.memoryMiB},
		{"DEMO_LEAK_MB_PER_SEC", &cfg.leakMiBPerS}, {"DEMO_CPU_MILLICORES", &cfg.cpuMilli},
	}
	for _, f := range ints {
		if v := get(f.name); v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 {
				return cfg, fmt.Errorf("%s must be a whole number >= 0, got %q", f.name, v)
			}
			*f.dst = n
		}
	}
	cfg.latency = time.Duration(latencyMS) * time.Millisecond
	for _, f := range []struct {
		name string
		dst  *time.Duration
	}{{"DEMO_LIVENESS_FAIL_AFTER", &cfg.livenessFail}, {"DEMO_READINESS_FAIL_AFTER", &cfg.readyFail}} {
		if v := get(f.name); v != "" {
			if *f.dst, err = time.ParseDuration(v); err != nil || *f.dst < 0 {
				return cfg, fmt.Errorf("%s must be a duration such as 20s, got %q", f.name, v)
			}
		}
	}
	switch get("DEMO_LOG_FORMAT") {
	case "", "text":
	case "json":
		cfg.jsonLogs = true
	default:
		return cfg, fmt.Errorf("DEMO_LOG_FORMAT must be text or json, got %q", get("DEMO_LOG_FORMAT"))
	}
	return cfg, nil
}

func serve(lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "demo-app %s starting\n", version)
	// Before anything else: the crashloop scenario wants this and only this in the logs.
	if v, _ := lookup("DEMO_REQUIRE_ENV"); v != "" {
		if err := checkRequiredEnv(v, lookup); err != nil {
			fmt.Fprintf(stderr, "Error: %v\n", err)
			return 1
		}
	}
	cfg, err := loadConfig(lookup)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}

	// SIGTERM and SIGINT end the process cleanly; as PID 1 in a container the kernel would
	// otherwise ignore them, since PID 1 gets no default signal actions.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	held := &ballast{}
	if cfg.memoryMiB > 0 {
		held.grow(cfg.memoryMiB)
		fmt.Fprintf(stdout, "holding %dMi\n", held.mib())
	}
	if cfg.leakMiBPerS > 0 {
		go held.leak(ctx, cfg.leakMiBPerS, stdout)
	}
	if cfg.cpuMilli > 0 {
		burnCPU(ctx, cfg.cpuMilli)
	}

	srv := newServer(cfg, realClock{}, stdout, held.bytes)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	// Promise: exit within 1 s of SIGTERM, even with slow requests in flight.
	sctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := hs.Shutdown(sctx); errors.Is(err, context.DeadlineExceeded) {
		hs.Close()
	}
	fmt.Fprintln(stdout, "demo-app stopped")
	return 0
}
