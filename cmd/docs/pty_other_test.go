//go:build !linux

package main

import (
	"fmt"
	"os"
)

// ptyrunMain needs Linux's /dev/ptmx; elsewhere the stories that use it fail
// with this message.
func ptyrunMain([]string) int {
	fmt.Fprintln(os.Stderr, "ptyrun: pseudo-terminals are only driven on Linux")
	return 1
}
