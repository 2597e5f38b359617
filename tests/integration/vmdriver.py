# SPDX-License-Identifier: LGPL-2.1-or-later
"""The hands of test_client_virtmanager.py: a process on the suite's
desktop (guihelpers.Desktop) that drives a running virt-manager through
dogtail (AT-SPI), one action per JSON line read from stdin, one JSON
answer per line on stdout: {"ok": RESULT} or {"error": TEXT}.

It runs apart from pytest because the GLib and GDK connections that
dogtail opens end their process when the desktop they talk to goes away
(GDBus's exit-on-close, GDK's X I/O error handler): the suite stops this
process first, then the desktop.

Widgets are found by role and accessible name (the names virt-manager's
.ui files give: pool-add, vol-new, ...), or as the entry on the row of a
label ("Name:", "Target Path:"); every wait is bounded (WAIT seconds) and
a failed one answers with the path of a screenshot of the screen."""

import json
import os
import subprocess
import sys
import time

WAIT = 30


class GuiError(Exception):
    pass


def screenshot(path, box=None):
    argv = ["import", "-window", "root"]
    if box:
        argv += ["-crop", "%dx%d+%d+%d" % (box[2], box[3], box[0], box[1]), "+repage"]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    subprocess.run(argv + [path], capture_output=True, timeout=WAIT)


class Gui:
    def __init__(self, shots):
        self.shots = shots
        self.prefix = "gui"
        self.pid = None
        self.app = None
        self.host = None

    # ------------------------------------------------------------ basics

    def shot(self, step, node=None):
        """A screenshot of the screen (or of @node's window) kept as
        SHOTS/PREFIX-STEP.png."""
        path = os.path.join(self.shots, "%s-%s.png" % (self.prefix, step))
        box = None
        if node is not None:
            try:
                box = node.extents
            except Exception:
                box = None
        screenshot(path, box)
        return path

    def fail(self, what):
        raise GuiError("%s (screenshot %s)" % (what, self.shot("FAILED")))

    def alive(self):
        try:
            os.kill(self.pid, 0)
            with open("/proc/%d/stat" % self.pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def wait(self, find, what, timeout=WAIT, fail=True):
        """Poll @find() until it returns something true (a list: its first
        item); after @timeout seconds, fail with a screenshot (@what, or
        what() when it is callable, says what was awaited), or return
        None if @fail is False."""
        deadline = time.monotonic() + timeout
        while True:
            if self.pid is not None and not self.alive():
                self.fail("virt-manager exited waiting for %s"
                          % (what() if callable(what) else what))
            try:
                got = find()
            except GuiError:
                raise
            except Exception:       # a node that went away meanwhile
                got = None
            if got:
                return got[0] if isinstance(got, list) else got
            if time.monotonic() > deadline:
                if not fail:
                    return None
                self.fail("no %s after %ss" % (what() if callable(what) else what,
                                               timeout))
            time.sleep(0.2)

    @staticmethod
    def find_all(node, pred):
        return node.findChildren(lambda n: n.showing and pred(n))

    def child(self, node, what, pred):
        return self.wait(lambda: self.find_all(node, pred), what)

    def window(self, title_part, role="frame"):
        return self.wait(lambda: [w for w in self.app.children
                                  if w.roleName == role and title_part in w.name
                                  and w.showing],
                         "window %r" % title_part)

    def gone(self, node, what):
        def closed():
            try:
                return not node.showing
            except Exception:
                return True
        self.wait(lambda: closed(), "%s closed" % what)

    def named(self, node, name, role=None):
        return self.child(node, "%s %r" % (role or "widget", name),
                          lambda n: n.name == name and (role is None or n.roleName == role))

    def click(self, node, name, role=None):
        w = self.named(node, name, role)
        self.wait(lambda: w.sensitive, "%r sensitive" % name)
        w.click()
        return w

    def row(self, win, label, roles):
        """The widgets of @roles right of the label @label, on its row,
        from left to right (an empty list while there is none)."""
        labs = self.find_all(win, lambda n: n.name == label and n.roleName == "label")
        if not labs:
            return []
        lx, ly, lw, lh = labs[0].extents
        row = [c for c in self.find_all(win, lambda n: n.roleName in roles)
               if abs(c.extents[1] + c.extents[3] / 2 - (ly + lh / 2)) < 12
               and c.extents[0] > lx]
        return sorted(row, key=lambda c: c.extents[0])

    def field(self, win, label, roles=("text", "combo box")):
        """The entry or combo box on the row of the label @label."""
        self.named(win, label, "label")
        return self.wait(lambda: self.row(win, label, roles), "the field of %r" % label)

    def set_text(self, win, label, text):
        entry = self.field(win, label, ("text",))
        entry.text = text
        self.wait(lambda: entry.text == text, "%r set to %r" % (label, text))

    def type_in_combo(self, win, label, text):
        """Type @text into the entry of the combo box of @label."""
        combo = self.field(win, label, ("combo box",))
        entry = self.wait(lambda: combo.findChildren(lambda n: n.roleName == "text"),
                          "the entry of %r" % label)
        entry.text = text
        self.wait(lambda: entry.text == text, "%r set to %r" % (label, text))

    def choose(self, win, label, item):
        """Open the combo box of @label (by its arrow) and click its menu
        item @item ("fs: Pre-Formatted Block Device" leaves "fs" as the
        combo's name)."""
        from dogtail import rawinput
        combo = self.field(win, label, ("combo box",))
        short = item.split(":")[0]
        if combo.name in (item, short):
            return
        x, y, w, h = combo.extents
        rawinput.click(x + w - 8, y + h // 2)
        self.wait(lambda: [m for m in combo.findChildren(
            lambda n: n.roleName == "menu item" and n.name == item and n.showing)],
            "menu item %r" % item).click()
        self.wait(lambda: combo.name in (item, short), "%r chosen in %r" % (item, label))

    def alerts(self):
        return [w for w in self.app.children if w.roleName == "alert" and w.showing]

    def answer(self, button):
        """Click @button of the alert virt-manager shows (a question or an
        error); returns the alert's text."""
        alert = self.wait(self.alerts, "an alert")
        text = " ".join(l.name for l in self.find_all(alert, lambda n: n.roleName == "label"))
        self.click(alert, button, "push button")
        self.gone(alert, "the alert")
        return text

    def closed_or_alert(self, win, what):
        got = self.wait(lambda: self.alerts() or ([] if win.showing else ["closed"]),
                        "%s closed or an error" % what)
        return got == "closed"

    # ------------------------------------------------------------ actions

    def do_attach(self, pid, prefix):
        """Find virt-manager @pid's accessible application, open the
        Storage tab of its Connection Details."""
        from dogtail import tree
        self.pid, self.prefix = pid, prefix

        def pid_of(acc):
            try:
                return acc.get_process_id()
            except Exception:
                return None
        self.app = self.wait(lambda: [a for a in tree.root.children
                                      if pid_of(a) == pid],
                             "virt-manager's accessible application")
        self.host = self.window("Connection Details")
        self.click(self.host, "Storage", "page tab")
        self.named(self.host, "pool-add")

    def do_shot(self, step, window=None):
        node = self.host if window == "host" else None
        return self.shot(step, node)

    def do_add_pool(self, name, ptype, fields=(), choices=(), combo_texts=()):
        """The Add Pool wizard: name, type (an item of Type:), the menu
        items of @choices, the texts of @fields and of the combo boxes of
        @combo_texts ((label, value) pairs), Finish.  Returns the error
        virt-manager showed (then the wizard is cancelled), or None."""
        self.click(self.host, "pool-add")
        wiz = self.window("Add a New Storage Pool")
        self.set_text(wiz, "Name:", name)
        self.choose(wiz, "Type:", ptype)
        for label, value in choices:
            self.choose(wiz, label, value)
        for label, value in fields:
            self.set_text(wiz, label, value)
        for label, value in combo_texts:
            self.type_in_combo(wiz, label, value)
        self.shot("1-add-pool", wiz)
        self.click(wiz, "Finish", "push button")
        if self.closed_or_alert(wiz, "the wizard"):
            return None
        self.shot("1-add-pool-error")
        text = self.answer("Close")
        if wiz.showing:
            self.click(wiz, "Cancel", "push button")
            self.gone(wiz, "the wizard")
        return text

    def select_pool(self, name, state=None):
        """Select pool @name in the list; with @state ("Active" or
        "Inactive"), wait until its State: label shows it: virt-manager
        updates it from the daemon's events, later under load."""
        plist = self.named(self.host, "pool-list")
        self.child(plist, "pool %r in the list" % name,
                   lambda n: n.roleName == "table cell"
                   and n.name.split("\n")[0] == name).click()
        self.wait(lambda: [e for e in self.find_all(self.host,
                                                    lambda n: n.name == "pool-name")
                           if e.text == name], "pool %r selected" % name)
        if state:
            self.wait_state(name, state)

    def shown_state(self):
        """The text of the State: label of the selected pool ("Active",
        "Inactive"), or None while there is none."""
        try:
            got = self.row(self.host, "State:", ("label",))
            return got[0].name if got else None
        except Exception:           # a node that went away meanwhile
            return None

    def wait_state(self, name, state, timeout=WAIT, fail=True):
        """Wait until the State: label shows @state (pool @name being
        selected); returns what it shows then."""
        seen = [None]

        def shows():
            seen[0] = self.shown_state()
            return seen[0] == state
        self.wait(shows, lambda: "pool %r shown %s (State: shows %r)"
                  % (name, state, seen[0]), timeout, fail)
        return seen[0]

    def do_pool_state(self, name, state, timeout=WAIT):
        """Select pool @name and wait up to @timeout seconds for its
        State: label to show @state; returns what it shows (no failure:
        the test decides)."""
        self.select_pool(name)
        return self.wait_state(name, state, timeout, fail=False)

    def do_new_volume(self, pool, name, capacity_gib, fmt=None):
        """The New Volume dialog of @pool; returns the name it proposed and
        the error virt-manager showed, if any."""
        self.select_pool(pool, "Active")
        self.click(self.host, "vol-new")
        win = self.window("Add a Storage Volume")
        entry = self.field(win, "Name:", ("text",))
        # the dialog fills in its proposal as it opens
        proposed = self.wait(lambda: entry.text, "a name proposed")
        self.set_text(win, "Name:", name)
        if fmt:
            self.choose(win, "Format:", fmt)
        cap = self.field(win, "Capacity:", ("spin button",))
        cap.value = float(capacity_gib)
        self.wait(lambda: abs(cap.value - capacity_gib) < 1e-6, "the capacity set")
        self.shot("2-new-volume", win)
        self.click(win, "Finish", "push button")
        if self.closed_or_alert(win, "the New Volume dialog"):
            return [proposed, None]
        self.shot("2-new-volume-error")
        text = self.answer("Close")
        self.click(win, "Cancel", "push button")
        self.gone(win, "the New Volume dialog")
        return [proposed, text]

    def do_delete_volume(self, volname):
        vlist = self.named(self.host, "vol-list")
        self.child(vlist, "volume %r in the list" % volname,
                   lambda n: n.roleName == "table cell" and n.name == volname).click()
        self.shot("3-volumes", self.host)
        self.click(self.host, "vol-delete")
        return self.answer("Yes")

    def do_stop_pool(self, name):
        self.select_pool(name, "Active")
        self.click(self.host, "pool-stop")

    def do_delete_pool(self, name):
        self.select_pool(name, "Inactive")
        self.click(self.host, "pool-delete")
        return self.answer("Yes")

    def do_errors(self, step=None):
        """The texts of the alerts virt-manager shows now, and a screenshot
        (PREFIX-STEP.png) if @step is given."""
        if step:
            self.shot(step)
        return [" ".join(l.name for l in self.find_all(a, lambda n: n.roleName == "label"))
                for a in self.alerts()]

    def do_detach(self):
        self.pid = self.app = self.host = None


def main():
    out = sys.stdout
    sys.stdout = sys.stderr         # dogtail's own prints stay off the pipe
    from dogtail import config
    config.config.logDebugToFile = False
    config.config.logDebugToStdOut = False
    config.config.searchCutoffCount = 1
    config.config.actionDelay = 0.15
    config.config.defaultDelay = 0.1
    config.config.typingDelay = 0.02
    gui = Gui(sys.argv[1])
    out.write(json.dumps({"ok": "ready"}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        try:
            res = {"ok": getattr(gui, "do_" + req["action"])(*req.get("args", []))}
        except GuiError as e:
            res = {"error": str(e)}
        except Exception as e:
            res = {"error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(res) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
