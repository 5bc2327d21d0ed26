//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an flock(2) lock on f, exclusive or shared, without
// waiting: false when another open file holds a conflicting one. The lock
// belongs to f's open file, so two opens in one process exclude each other
// too, and the system drops it when f is closed or the process dies.
func tryLock(f *os.File, exclusive bool) (bool, error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, err
	}
}

// unlock drops the lock tryLock took on f.
func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
