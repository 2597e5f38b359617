# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kernel's own witnesses of what the daemon does to a file, for tests
that must prove a file was never opened, or must act at the exact moment
the daemon opens one (no timing race):

- OpenWatch: inotify on files; every open of them by anyone, in any mount
  namespace, is queued by the kernel and read afterwards.
- OpenGate: fanotify permission events on the entries of a directory: the
  process that opens one waits in open() until the test has answered, so
  the test can swap the entry at that very moment, then allow the open or
  deny it (the opener gets EPERM, as from any permission check).

Both are plain system calls through ctypes (Python has no module for
them); the gate needs root (CAP_SYS_ADMIN)."""

import ctypes
import errno
import os
import select
import struct
import threading

_libc = ctypes.CDLL(None, use_errno=True)
_libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64,
                                ctypes.c_int, ctypes.c_char_p]
_libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]

IN_ACCESS = 0x001
IN_OPEN = 0x020
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC

FAN_CLOEXEC = 0x1
FAN_CLASS_CONTENT = 0x4
FAN_OPEN_PERM = 0x00010000
FAN_EVENT_ON_CHILD = 0x08000000
FAN_MARK_ADD = 0x1
FAN_ALLOW = 0x1
FAN_DENY = 0x2
AT_FDCWD = -100

_EVENT = struct.Struct("IBBHQii")       # struct fanotify_event_metadata
_RESPONSE = struct.Struct("iI")         # struct fanotify_response
_INOTIFY = struct.Struct("iIII")        # struct inotify_event, before name


def _check(rc, what):
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))
    return rc


class OpenWatch:
    """Counts the opens and reads of @paths from now on."""

    def __init__(self, *paths):
        self.fd = _check(_libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC), "inotify_init1")
        self.paths = {}
        for path in paths:
            wd = _check(_libc.inotify_add_watch(self.fd, path.encode(),
                                                IN_OPEN | IN_ACCESS),
                        "inotify_add_watch %s" % path)
            self.paths[wd] = path

    def events(self):
        """[(path, mask)] of every event queued so far."""
        found = []
        while True:
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                return found
            off = 0
            while off < len(buf):
                wd, mask, _, length = _INOTIFY.unpack_from(buf, off)
                off += _INOTIFY.size + length
                if wd in self.paths:
                    found.append((self.paths[wd], mask))

    def close(self):
        os.close(self.fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class OpenGate:
    """Holds every open of the entry @name of directory @directory by
    another process until a thread of ours has answered it.

    At the first such open, @on_open() runs while the opener waits (the
    entry exists and is the file being opened); that open is allowed.
    The inode it opened is watched from then on too (it stays reachable
    through the opener's descriptor after the entry is swapped).  Every
    later open of the entry or of that inode is allowed, or, with
    @deny_after, denied (EPERM).  Opens of other entries, and our own, are
    allowed.  Closing the gate (or its fanotify descriptor, when the test
    dies) allows whatever still waits."""

    def __init__(self, directory, name, on_open, deny_after=False):
        self.directory = os.path.realpath(directory)
        self.path = os.path.join(self.directory, name)
        self.on_open = on_open
        self.deny_after = deny_after
        self.fired = False
        self.allowed = []        # pids of the later opens allowed
        self.denied = []         # pids of the later opens denied
        self.error = None
        self._inode = None
        self._stop = threading.Event()
        self.fd = _check(_libc.fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC,
                                             os.O_RDONLY), "fanotify_init")
        try:
            _check(_libc.fanotify_mark(self.fd, FAN_MARK_ADD,
                                       FAN_OPEN_PERM | FAN_EVENT_ON_CHILD,
                                       AT_FDCWD, self.directory.encode()),
                   "fanotify_mark %s" % self.directory)
        except OSError:
            os.close(self.fd)
            raise
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _answer(self, event_fd, response):
        os.write(self.fd, _RESPONSE.pack(event_fd, response))

    def _decide(self, event_fd, pid):
        if pid == os.getpid():
            return FAN_ALLOW
        st = os.fstat(event_fd)
        try:
            where = os.readlink("/proc/self/fd/%d" % event_fd)
        except OSError:
            where = ""
        ours = where == self.path or where == self.path + " (deleted)" or \
            (self._inode is not None and (st.st_dev, st.st_ino) == self._inode)
        if not ours:
            return FAN_ALLOW
        if not self.fired:
            self.fired = True
            self._inode = (st.st_dev, st.st_ino)
            # watch the inode itself: once swapped out, its opens through
            # a descriptor path no longer name the entry
            _check(_libc.fanotify_mark(self.fd, FAN_MARK_ADD, FAN_OPEN_PERM,
                                       event_fd, None), "fanotify_mark inode")
            self.on_open()
            return FAN_ALLOW
        if self.deny_after:
            self.denied.append(pid)
            return FAN_DENY
        self.allowed.append(pid)
        return FAN_ALLOW

    def _serve(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if not ready:
                continue
            try:
                buf = os.read(self.fd, 4096)
            except OSError as e:
                if e.errno in (errno.EAGAIN, errno.EINTR):
                    continue
                self.error = e
                return
            off = 0
            while off + _EVENT.size <= len(buf):
                length, _, _, _, _, event_fd, pid = _EVENT.unpack_from(buf, off)
                off += length
                if event_fd < 0:
                    continue
                response = FAN_ALLOW
                try:
                    response = self._decide(event_fd, pid)
                except Exception as e:      # answered all the same
                    self.error = e
                finally:
                    self._answer(event_fd, response)
                    os.close(event_fd)

    def close(self):
        self._stop.set()
        self._thread.join(5)
        os.close(self.fd)
        if self.error:
            raise self.error

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
