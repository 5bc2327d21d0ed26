package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERM builds the binary, starts it, and checks that SIGTERM stops
// it cleanly (http.Server.Shutdown, then the store's Close): exit status 0
// and the "stopped" log line.
func TestSIGTERM(t *testing.T) {
	bin := forecourtBinary(t)
	dir := t.TempDir()
	cmd, addr := startBinary(t, bin, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "sig.db"), "--demo")
	if code, _ := do(t, "GET", "http://"+addr+"/healthz", "", nil); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var log []string
	for l := range cmd.lines {
		log = append(log, l)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, strings.Join(log, "\n"))
	}
	if !strings.Contains(strings.Join(log, "\n"), "msg=stopped") {
		t.Errorf("no clean stop logged:\n%s", strings.Join(log, "\n"))
	}
}

// TestKilledServerReleasesItsFile: a server killed outright (SIGKILL, a
// crash) leaves its SQLite file to the next server: the system drops its
// lock.
func TestKilledServerReleasesItsFile(t *testing.T) {
	bin := forecourtBinary(t)
	db := filepath.Join(t.TempDir(), "killed.db")
	cmd, _ := startBinary(t, bin, "serve", "--addr", "127.0.0.1:0", "--db", db)
	if err := serveOnce(nil, "--db", db); err == nil || !strings.Contains(err.Error(), "in use by another forecourt server (pid "+strconv.Itoa(cmd.Process.Pid)+")") {
		t.Fatalf("beside the running binary: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for range cmd.lines {
	}
	_ = cmd.Wait()
	_, stop := startServer(t, "--db", db)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

// forecourtBinary builds the binary once for the package's tests.
func forecourtBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "forecourt-bin"); binErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "forecourt"), ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "forecourt")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// runningBinary is a started binary and the lines of its stderr.
type runningBinary struct {
	*exec.Cmd
	lines chan string
}

// startBinary starts bin with args and waits until it listens; it returns
// the process and its address. The process is killed when the test ends.
func startBinary(t *testing.T, bin string, args ...string) (*runningBinary, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	addrRe := regexp.MustCompile(`msg=listening addr=(\S+)`)
	var addr string
	deadline := time.After(60 * time.Second)
	for addr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("server exited before listening")
			}
			if m := addrRe.FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
		case <-deadline:
			t.Fatal("server did not start")
		}
	}
	return &runningBinary{Cmd: cmd, lines: lines}, addr
}
