package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// ballast is memory held on purpose: DEMO_MEMORY_MB once at start (a steady working set),
// DEMO_LEAK_MB_PER_SEC more every second (until the kernel's OOM killer ends the process).
type ballast struct {
	mu     sync.Mutex
	chunks [][]byte // referenced forever, so the garbage collector never frees them
	held   atomic.Int64
}

func (b *ballast) grow(mib int) {
	chunk := make([]byte, mib<<20)
	// A fresh allocation is only reserved address space; writing to every page makes it
	// resident, so it counts in the container's working set and against its memory limit.
	page := os.Getpagesize()
	for i := 0; i < len(chunk); i += page {
		chunk[i] = 1
	}
	b.mu.Lock()
	b.chunks = append(b.chunks, chunk)
	b.mu.Unlock()
	b.held.Add(int64(len(chunk)))
}

func (b *ballast) bytes() int64 { return b.held.Load() }
func (b *ballast) mib() int64   { return b.held.Load() >> 20 }

func (b *ballast) leak(ctx context.Context, mibPerSec int, log io.Writer) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		b.grow(mibPerSec)
		fmt.Fprintf(log, "heap %dMi\n", b.mib())
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// burnCPU keeps about `millicores` of CPU busy: in each 10 ms slice a goroutine spins for its
// share and sleeps the rest, so the usage is steady rather than bursty (what a throttling or
// rightsizing check should see). Above 1000 millicores the load is spread over several
// goroutines, since one can use at most one core.
func burnCPU(ctx context.Context, millicores int) {
	workers := (millicores + 999) / 1000
	for range workers {
		go burn(ctx, time.Duration(millicores/workers)*burnSlice/1000)
	}
}

const burnSlice = 10 * time.Millisecond

var spinSink atomic.Uint64

func burn(ctx context.Context, busy time.Duration) {
	next := time.Now()
	for ctx.Err() == nil {
		sliceStart := next
		for time.Since(sliceStart) < busy {
			spinSink.Add(1)
		}
		next = sliceStart.Add(burnSlice)
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		} else {
			// throttled or descheduled: start a fresh schedule instead of catching up in a burst
			next = time.Now()
		}
	}
}
