//go:build linux

package awstest

import (
	"os/exec"
	"syscall"
)

// prepareCmd puts moto_server in its own process group (so stopMoto can kill the whole group, including
// anything the pyenv shim or Python spawns) and asks the kernel to SIGKILL it when the thread that
// started it dies. startMoto starts the process from a goroutine locked to its OS thread that lives
// until the process exits, so in practice the kernel kills moto whenever the test binary exits,
// even if awstest.Main is not used (os.Exit, panic, go test timeout, Ctrl-C).
func prepareCmd(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup SIGKILLs moto's whole process group.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
