//go:build unix && !linux

package awstest

import (
	"os/exec"
	"syscall"
)

// prepareCmd puts moto_server in its own process group so stopMoto can kill the whole group.
// There is no parent-death signal outside Linux: on these systems use awstest.Main in TestMain,
// otherwise moto_server can outlive a test binary that exits abnormally.
func prepareCmd(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup SIGKILLs moto's whole process group.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
