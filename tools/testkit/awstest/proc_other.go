//go:build !unix

package awstest

import "os/exec"

// prepareCmd is a no-op where process groups are not available; use awstest.Main in TestMain.
func prepareCmd(*exec.Cmd) {}

// killGroup kills the moto_server process itself.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
