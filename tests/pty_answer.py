#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, for tests of keywright's
interactive paths (passphrase prompts, overwrite confirmation).

    pty_answer.py EXPECT SEND [EXPECT SEND ...] -- COMMAND [ARGS...]

Each EXPECT is waited for (5 s at most) in what the command writes to the terminal; then
SEND and a newline are typed, once the command has switched echo off (or after 0.3 s, for
questions that are not secret), as a person would type after the prompt. Afterwards everything the command wrote to the terminal is
printed, and the command's exit code becomes ours (124 when a prompt never came, or when
the command was still running 10 s after the last answer)."""
import os
import pty
import select
import sys
import termios
import time


def read_until(fd, wanted, seen, deadline):
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            return seen, False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return seen, False
        if not chunk:
            return seen, False
        seen += chunk
    return seen, True


def wait_for_echo_off(fd, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not termios.tcgetattr(fd)[3] & termios.ECHO:
            return
        time.sleep(0.01)


def main():
    split = sys.argv.index("--")
    pairs, command = sys.argv[1:split], sys.argv[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    seen = b""
    for expect, send in zip(pairs[0::2], pairs[1::2]):
        seen, found = read_until(fd, expect.encode(), seen, time.monotonic() + 5)
        if not found:
            sys.stdout.buffer.write(seen)
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.exit(124)
        wait_for_echo_off(fd, 0.3)
        os.write(fd, send.encode() + b"\n")
    # The terminal closes when the command exits; one still running after 10 s is waiting
    # for input it will never get (a prompt the dialogue did not expect) and is killed.
    deadline = time.monotonic() + 10
    seen, _ = read_until(fd, b"\0never\0", seen, deadline)
    done, status = os.waitpid(pid, os.WNOHANG)
    # The terminal can close a moment before the exit status is there to collect.
    while done == 0 and time.monotonic() < deadline + 1:
        time.sleep(0.01)
        done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        sys.stdout.buffer.write(seen)
        sys.exit(124)
    sys.stdout.buffer.write(seen)
    sys.exit(os.waitstatus_to_exitcode(status))


main()
