package telephony

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"forecourt/internal/core"
)

func TestLogDialerIncreasingIDs(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	d := LogDialer{Log: slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))}
	const n = 50
	ids := make(chan int64, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := d.Dial(context.Background(), core.Call{LeadID: 7, ClientPhone: "666777888"})
			if err != nil {
				t.Error(err)
			}
			ids <- id
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if id <= 0 || seen[id] {
			t.Fatalf("id %d repeated or not positive", id)
		}
		seen[id] = true
	}
	first, _ := d.Dial(context.Background(), core.Call{})
	second, _ := LogDialer{}.Dial(context.Background(), core.Call{}) // a copy shares the counter
	if second <= first {
		t.Errorf("ids not increasing: %d then %d", first, second)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "client_phone=666777888") {
		t.Errorf("log does not name the client's phone: %s", buf.String())
	}
}

func TestLogDialerCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (LogDialer{}).Dial(ctx, core.Call{}); err == nil {
		t.Error("Dial on a cancelled context succeeded")
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
