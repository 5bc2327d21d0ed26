package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// One server per SQLite file. A SQLite file serves one server: a second
// would run a writer of its own (group commit assumes one), keep caches
// the first cannot invalidate, and index leads the first thinks unindexed.
// So a server (a store opened with AsServer) holds an exclusive lock on the
// file <database>.lock, beside the database, for as long as it is open;
// the system drops it when the process ends, even killed. Any other store
// (the operator commands) takes a shared lock on it only while it opens
// the database: holding it, no server runs, and the store may migrate;
// failing to, a server runs, and the store must not change the schema
// under it (see openSQLite). A server that finds the shared lock held waits
// for the operator command to finish opening; one that finds the exclusive
// lock held refuses to start.
//
// The lock file is never removed: removing it while another process waits
// to open it would let two processes lock two different files of one name.

// lockPath returns the path of the lock file of the database at path,
// beside the file the path resolves to (a symbolic link locks its target).
func lockPath(path string) string {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	} else if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		path = filepath.Join(dir, filepath.Base(path))
	}
	return path + ".lock"
}

// fileLock is a lock held on a lock file.
type fileLock struct{ f *os.File }

// release drops the lock; nil releases nothing.
func (l *fileLock) release() error {
	if l == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// errInUse refuses a second server on a SQLite file.
type errInUse struct{ db, lock, pid string }

func (e *errInUse) Error() string {
	by := "another forecourt server"
	if e.pid != "" {
		by += " (pid " + e.pid + ")"
	}
	return fmt.Sprintf("%s is in use by %s, which holds %s: a SQLite file serves one server "+
		"(run several servers over PostgreSQL); the operator commands work beside it", e.db, by, e.lock)
}

func openLockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}

// lockAsServer takes the exclusive lock of the database at dbPath for a
// server, waiting while operator commands open the database, and fails at
// once when a server holds it. It writes the process id into the file,
// for the message of the next server that tries.
func lockAsServer(ctx context.Context, dbPath string) (*fileLock, error) {
	path := lockPath(dbPath)
	f, err := openLockFile(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	for {
		ok, err := tryLock(f, true)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			if err := f.Truncate(0); err == nil {
				_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
			}
			return &fileLock{f: f}, nil
		}
		// Held: shared by operator commands, or exclusively by a server?
		g, err := openLockFile(path)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		shared, err := tryLock(g, false)
		if shared {
			_ = unlock(g)
		}
		g.Close()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !shared {
			pid, _ := io.ReadAll(io.LimitReader(f, 32))
			f.Close()
			return nil, &errInUse{db: dbPath, lock: path, pid: strings.TrimSpace(string(pid))}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// lockBeside takes the shared lock of the database at dbPath for a store
// that is not a server: it returns the lock when no server holds the
// file, and nil when one does.
func lockBeside(dbPath string) (*fileLock, error) {
	path := lockPath(dbPath)
	f, err := openLockFile(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	ok, err := tryLock(f, false)
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return nil, nil
	}
	return &fileLock{f: f}, nil
}
