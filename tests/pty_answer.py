#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, for tests of keywright's
interactive paths (passphrase prompts, overwrite confirmation).

    pty_answer.py EXPECT SEND [EXPECT SEND ...] -- COMMAND [ARGS...]

Each EXPECT is waited for (5 s at most) in what the command writes to the terminal after
the previous EXPECT; then SEND and a newline are typed, as a person would type after the
prompt, once the command has switched echo off: at most 5 s later when EXPECT asks for a
passphrase or password, 0.3 s for other questions (which are not secret and keep echo on).
Afterwards everything the command wrote to the terminal is printed, and the command's exit
code becomes ours: 124 (with a note on stderr) when a prompt never came, or when the
command was still running 10 s (or $PTY_ANSWER_IDLE s) after the last answer; both times the
command is killed."""
import os
import pty
import select
import sys
import termios
import time


def read_until(fd, wanted, seen, start, deadline):
    """Reads until `wanted` is in seen[start:]: returns seen and where the match ends, or
    None when the deadline passes or the terminal closes first. Only what came after
    `start` counts: a prompt asked again must not match where it was asked before."""
    while wanted not in seen[start:]:
        left = deadline - time.monotonic()
        if left <= 0:
            return seen, None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return seen, None
        if not chunk:
            return seen, None
        seen += chunk
    return seen, seen.index(wanted, start) + len(wanted)


def wait_for_echo_off(fd, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not termios.tcgetattr(fd)[3] & termios.ECHO:
            return
        time.sleep(0.01)


def wait_for_exit(pid, seconds):
    """The wait status of pid, or None when it is still running after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def give_up(pid, seen, why):
    sys.stdout.buffer.write(seen)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    print(f"pty_answer.py: {why}; killed", file=sys.stderr)
    sys.exit(124)


def main():
    split = sys.argv.index("--")
    pairs, command = sys.argv[1:split], sys.argv[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    seen, answered = b"", 0
    for expect, send in zip(pairs[0::2], pairs[1::2]):
        seen, answered = read_until(fd, expect.encode(), seen, answered, time.monotonic() + 5)
        if answered is None:
            give_up(pid, seen, f"no {expect!r} within 5 s")
        # A prompt is written before echo goes off (rpassword does it in that order); on a
        # busy machine the gap can be long, and typing into it would echo the secret.
        secret = any(word in expect.lower() for word in ("passphrase", "password"))
        wait_for_echo_off(fd, 5 if secret else 0.3)
        os.write(fd, send.encode() + b"\n")
    # The terminal closes when the command exits; one still running after `idle` seconds
    # is waiting for input it will never get (a prompt the dialogue did not expect). The
    # exit status can come a moment after the terminal closes: hence the second more.
    idle = int(os.environ.get("PTY_ANSWER_IDLE", "10"))
    seen, _ = read_until(fd, b"\0never\0", seen, len(seen), time.monotonic() + idle)
    status = wait_for_exit(pid, 1)
    if status is None:
        give_up(pid, seen, f"still running {idle} s after the last answer")
    sys.stdout.buffer.write(seen)
    sys.exit(os.waitstatus_to_exitcode(status))


main()
