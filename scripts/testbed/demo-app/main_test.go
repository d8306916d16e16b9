package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the demo binary: with DEMO_TEST_RUN_MAIN=1 it runs main, so the
// tests see real exit codes, streams and signal handling of a separate process.
func TestMain(m *testing.M) {
	if os.Getenv("DEMO_TEST_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func demoCommand(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	// GORACE: a -race binary otherwise sleeps 1 s before exiting
	cmd.Env = append([]string{"DEMO_TEST_RUN_MAIN=1", "PATH=" + os.Getenv("PATH"), "GORACE=atexit_sleep_ms=0"}, env...)
	return cmd
}

func TestCheckRequiredEnv(t *testing.T) {
	env := mapEnv(map[string]string{"A": "1", "EMPTY": ""})
	if err := checkRequiredEnv("A", env); err != nil {
		t.Errorf("A is set: %v", err)
	}
	for list, missing := range map[string]string{"A,B,C": "B", "EMPTY,B": "EMPTY", " A , C ": "C"} {
		err := checkRequiredEnv(list, env)
		if err == nil || err.Error() != "required environment variable "+missing+" is not set" {
			t.Errorf("%q: %v, want %s missing", list, err, missing)
		}
	}
}

func TestRequiredEnvExit(t *testing.T) {
	cmd := demoCommand(t, "DEMO_REQUIRE_ENV=APP_MODE,DATABASE_URL,CACHE_URL", "APP_MODE=prod",
		"DEMO_ADDR=127.0.0.1:0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want code 1", err)
	}
	if got, want := stdout.String(), "demo-app "+version+" starting\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got, want := stderr.String(), "Error: required environment variable DATABASE_URL is not set\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// SIGTERM: the server stops and the process exits 0 within a second.
func TestSIGTERM(t *testing.T) {
	cmd := demoCommand(t, "DEMO_ADDR=127.0.0.1:0", "DEMO_LATENCY_MS=5000")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewReader(out)
	var addr string
	for addr == "" {
		line, err := lines.ReadString('\n')
		if err != nil {
			t.Fatalf("no listening line: %v", err)
		}
		addr, _ = strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if addr == strings.TrimSpace(line) {
			addr = ""
		}
	}
	if rec, err := http.Get("http://" + addr + "/healthz"); err != nil || rec.StatusCode != 200 {
		t.Fatalf("GET /healthz: %v", err)
	}
	go http.Get("http://" + addr + "/") // in flight for 5 s: must not hold the exit up
	time.Sleep(100 * time.Millisecond)

	began := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(lines)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if took := time.Since(began); took > time.Second {
		t.Errorf("exit took %v, want < 1s", took)
	}
	if !strings.Contains(string(rest), "demo-app stopped") {
		t.Errorf("stdout after SIGTERM: %q", rest)
	}
}

func TestCommands(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version"}, mapEnv(nil), &stdout, &stderr); code != 0 || stdout.String() != "demo-app "+version+"\n" {
		t.Errorf("version: %d %q", code, stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"frobnicate"}, mapEnv(nil), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, stderr.String())
	}
}

func TestBallastIsCounted(t *testing.T) {
	var b ballast
	b.grow(2)
	b.grow(1)
	if b.bytes() != 3<<20 || b.mib() != 3 {
		t.Errorf("held %d bytes", b.bytes())
	}
}
