# SPDX-License-Identifier: LGPL-2.1-or-later
"""The desktop the virt-manager suite drives (test_client_virtmanager.py,
docs/clients.rst).

`Desktop`: Xvfb (a free display chosen by Xvfb itself, -displayfd), a
private D-Bus session bus and at-spi-bus-launcher (the accessibility bus;
at-spi2-registryd is started by it).  GTK programs started with its env()
export their widgets over AT-SPI, where dogtail (python3-dogtail, as
virt-manager's own UI tests) finds them by role and accessible name and
clicks them with XTest events, like a user.  Every process is started in
a session of its own and stopped by its process group id.

`Driver`: vmdriver.py, the process that runs dogtail on that desktop
(not pytest itself: GLib and GDK end the process whose session bus or X
display goes away), one action per request, each bounded in time.
`VirtManager`: one virt-manager on that desktop, which the driver finds
in the AT-SPI tree by its PID.  A widget that does not appear in time
fails the test with a screenshot of the whole screen.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
WAIT = 30           # seconds for any widget or state to appear
SCREEN = "1280x1024x24"


def _stop(proc, timeout=10):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass


class Desktop:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="lvsvm-")
        self.home = os.path.join(self.dir, "home")
        self.runtime = os.path.join(self.dir, "run")
        os.makedirs(self.home)
        os.makedirs(self.runtime, mode=0o700)
        self.bus = os.path.join(self.dir, "session_bus")
        self.procs = []
        self.display = None
        self.log = open(os.path.join(self.dir, "log"), "a")

    def _spawn(self, argv, **kw):
        kw.setdefault("stdout", self.log)
        p = subprocess.Popen(argv, stderr=self.log, env=self.env(),
                             start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("LIBVIRT_", "XDG_", "DBUS_", "GTK_"))}
        env.update(HOME=self.home, XDG_RUNTIME_DIR=self.runtime,
                   XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
                   XDG_CACHE_HOME=os.path.join(self.home, ".cache"),
                   XDG_DATA_HOME=os.path.join(self.home, ".local/share"),
                   DBUS_SESSION_BUS_ADDRESS="unix:path=" + self.bus,
                   # settings in memory: every virt-manager starts as on
                   # a new user's first run
                   GSETTINGS_BACKEND="memory",
                   # what dogtail checks to know accessibility is on
                   GTK_MODULES="gail:atk-bridge", NO_AT_BRIDGE="0",
                   LANG="C.UTF-8", LC_ALL="C.UTF-8")
        if self.display:
            env["DISPLAY"] = self.display
        return env

    def _wait(self, ready, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError("%s exited (%s) waiting for %s: %s"
                                       % (p.args[0], p.returncode, what, self.tail()))
            if ready():
                return
            time.sleep(0.1)
        raise RuntimeError("no %s after %ss: %s" % (what, timeout, self.tail()))

    def start(self):
        xvfb = self._spawn(["Xvfb", "-displayfd", "1", "-screen", "0", SCREEN,
                            "-nolisten", "tcp"], stdout=subprocess.PIPE)
        ready, _, _ = select.select([xvfb.stdout], [], [], WAIT)
        num = xvfb.stdout.readline().strip() if ready else b""
        if not num.isdigit():
            raise RuntimeError("Xvfb gave no display number: %s" % self.tail())
        self.display = ":" + num.decode()
        self._spawn(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                     "--address=unix:path=" + self.bus])
        self._wait(lambda: os.path.exists(self.bus), "session bus socket")
        self._spawn(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"])
        self._wait(self._a11y_bus, "accessibility bus (org.a11y.Bus)")
        return self

    def _a11y_bus(self):
        res = subprocess.run(
            ["gdbus", "call", "--address", "unix:path=" + self.bus, "--dest",
             "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
             "--method", "org.freedesktop.DBus.NameHasOwner", "org.a11y.Bus"],
            capture_output=True, text=True, timeout=WAIT)
        return res.returncode == 0 and "true" in res.stdout

    def tail(self):
        try:
            with open(os.path.join(self.dir, "log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def screenshot(self, path, box=None):
        """The screen (or @box: x, y, w, h of it) as a PNG at @path."""
        argv = ["import", "-display", self.display, "-window", "root"]
        if box:
            argv += ["-crop", "%dx%d+%d+%d" % (box[2], box[3], box[0], box[1]), "+repage"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run(argv + [path], capture_output=True, timeout=WAIT)

    def stop(self):
        for p in reversed(self.procs):
            _stop(p)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Driver:
    """vmdriver.py on @desktop: call(action, *args) runs one of its do_*
    actions and returns its result; an error fails the test, and an
    action that does not answer in time ends the driver and fails."""

    TIMEOUT = 4 * WAIT

    def __init__(self, desktop, shots):
        self.desktop = desktop
        self.proc = subprocess.Popen(
            [sys.executable, "-u", os.path.join(HERE, "vmdriver.py"), shots],
            env=desktop.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=desktop.log, text=True, start_new_session=True)
        self.ready = self._read(WAIT, "start")

    def _read(self, timeout, what):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.stop()
            pytest.fail("virt-manager's driver gave no answer to %s in %ss: %s"
                        % (what, timeout, self.desktop.tail()), pytrace=False)
        return json.loads(line)

    def call(self, action, *args, vm=None):
        if self.proc.poll() is not None:
            pytest.fail("virt-manager's driver is gone: %s" % self.desktop.tail(),
                        pytrace=False)
        self.proc.stdin.write(json.dumps({"action": action, "args": args}) + "\n")
        self.proc.stdin.flush()
        res = self._read(self.TIMEOUT, action)
        if "error" in res:
            pytest.fail("virt-manager, %s: %s\nvirt-manager's log:\n%s"
                        % (action, res["error"], vm.tail() if vm else ""), pytrace=False)
        return res["ok"]

    def stop(self):
        _stop(self.proc)


class VirtManager:
    """virt-manager --show-host-summary on @desktop, connected to @uri,
    attached to @driver (which finds it by PID)."""

    def __init__(self, desktop, driver, uri, prefix):
        self.driver = driver
        self.log = open(os.path.join(desktop.dir, "virt-manager.log"), "a")
        self.proc = subprocess.Popen(
            ["virt-manager", "--no-fork", "--debug", "--connect", uri,
             "--show-host-summary"],
            env=desktop.env(), stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            self("attach", self.proc.pid, prefix)
        except BaseException:
            self.stop()
            raise

    def __call__(self, action, *args):
        return self.driver.call(action, *args, vm=self)

    def tail(self):
        try:
            with open(self.log.name) as f:
                return "".join(line for line in f.readlines()[-25:]
                               if not line.startswith((" ", "<")))
        except OSError:
            return ""

    def stop(self):
        _stop(self.proc)
        self.log.close()
        try:
            self.driver.call("detach")
        except BaseException:
            pass
