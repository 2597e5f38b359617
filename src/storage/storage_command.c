/*
 * storage_command.c: running the tools a backend drives
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * mount, mkfs, qemu-img, lvm2 and our partition helper all say what went
 * wrong on stderr: a failure report ends with that text, so the user sees
 * the tool's own reason next to what we were doing.
 */

#include <config.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage_command.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_command");


/* The program @cmd runs, for messages: its argv[0] without directory. */
static char *
virStorageCommandProgramName(virCommand *cmd)
{
    g_autofree char *line = virCommandToString(cmd, false);
    g_auto(GStrv) words = NULL;

    if (!line || !(words = g_strsplit(line, " ", 2)) || !words[0])
        return g_strdup("the command");
    return g_path_get_basename(words[0]);
}


int
virStorageCommandRunStatus(virCommand *cmd,
                           char **errbuf)
{
    g_autofree char *err = NULL;
    int status = 0;

    virCommandSetErrorBuffer(cmd, &err);
    if (virCommandRun(cmd, &status) < 0)
        return -1;

    if (errbuf)
        *errbuf = err ? g_strstrip(g_steal_pointer(&err)) : g_strdup("");
    return status;
}


int
virStorageCommandRun(virCommand *cmd,
                     const char *fmt,
                     ...)
{
    g_autofree char *errbuf = NULL;
    g_autofree char *what = NULL;
    g_autofree char *program = NULL;
    va_list args;
    int status;

    if ((status = virStorageCommandRunStatus(cmd, &errbuf)) <= 0)
        return status;

    va_start(args, fmt);
    what = g_strdup_vprintf(fmt, args);
    va_end(args);

    program = virStorageCommandProgramName(cmd);
    virStorageCommandReportExit(what, program, status, errbuf);
    return -1;
}


void
virStorageCommandReportExit(const char *what,
                            const char *program,
                            int status,
                            const char *errbuf)
{
    if (*errbuf)
        virReportError(VIR_ERR_OPERATION_FAILED, "%s: %s", what, errbuf);
    else
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("%s: %s exited with status %d and printed nothing on stderr"),
                       what, program, status);
}


/*
 * Running with a deadline.
 *
 * A tool that waits on a network server or a device (showmount on a
 * host that accepts and never answers waits 2 minutes; mount.nfs, lvm2
 * on a dead disk, longer) must not hold the daemon's thread and the
 * pool's lock for ever.  The child runs in a process group of its own
 * (setpgid in the child, before exec), so that a stop also reaches what
 * it runs itself (mount runs mount.nfs, mount.glusterfs runs stat...).
 * Its output is read here, through pipes, while the deadline is watched;
 * at the deadline the group gets SIGTERM, and SIGKILL
 * VIR_STORAGE_COMMAND_KILL_GRACE seconds later.  Waits on an NFS server
 * or a FUSE file system are killable, so the child does end.
 *
 * The child's exit is noticed with waitid(WNOWAIT), which leaves it to
 * virCommandWait to reap: a helper that daemonized with our pipes open
 * (glusterfs) does not keep us reading until the deadline.
 */

/* Output kept of each stream; what a tool prints beyond is dropped. */
#define VIR_STORAGE_COMMAND_OUTPUT_MAX (64 * 1024 * 1024)

/* Poll slice: how late an exit is noticed when the pipes stay open. */
#define VIR_STORAGE_COMMAND_POLL_MS 100


static int
virStorageCommandOwnProcessGroup(void *opaque G_GNUC_UNUSED)
{
    return setpgid(0, 0);
}


static void
virStorageCommandSignal(pid_t pid,
                        int sig)
{
    /* before the child's setpgid, its group is still ours: only it */
    if (kill(-pid, sig) < 0)
        kill(pid, sig);
}


static bool
virStorageCommandExited(pid_t pid)
{
    siginfo_t info = { 0 };

    if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
        return errno != EINTR;
    return info.si_pid == pid;
}


typedef struct {
    int fd;
    GString *text;
} virStorageCommandStream;


/* Reads what @stream's pipe holds now; closes it at EOF or error. */
static void
virStorageCommandStreamRead(virStorageCommandStream *stream)
{
    char buf[65536];

    while (stream->fd >= 0) {
        ssize_t n = read(stream->fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            VIR_FORCE_CLOSE(stream->fd);
            return;
        }
        if (stream->text->len < VIR_STORAGE_COMMAND_OUTPUT_MAX)
            g_string_append_len(stream->text, buf, n);
    }
}


/*
 * Reads the child's output until it exits.  Returns true when it had to
 * be stopped at @deadline.
 */
static bool
virStorageCommandCollect(pid_t pid,
                         virStorageCommandStream *streams,
                         size_t nstreams,
                         gint64 deadline)
{
    gint64 killAt = 0;
    bool stopped = false;
    size_t i;

    while (!virStorageCommandExited(pid)) {
        struct pollfd fds[2];
        nfds_t nfds = 0;
        gint64 now = g_get_monotonic_time();

        if (!stopped && now >= deadline) {
            VIR_WARN("stopping child %lld at its time limit", (long long) pid);
            virStorageCommandSignal(pid, SIGTERM);
            stopped = true;
            killAt = now + VIR_STORAGE_COMMAND_KILL_GRACE * G_USEC_PER_SEC;
        } else if (stopped && killAt && now >= killAt) {
            virStorageCommandSignal(pid, SIGKILL);
            killAt = 0;
        }

        for (i = 0; i < nstreams; i++) {
            if (streams[i].fd < 0)
                continue;
            fds[nfds].fd = streams[i].fd;
            fds[nfds].events = POLLIN;
            fds[nfds].revents = 0;
            nfds++;
        }

        if (poll(fds, nfds, VIR_STORAGE_COMMAND_POLL_MS) < 0 && errno != EINTR)
            g_usleep(VIR_STORAGE_COMMAND_POLL_MS * 1000);

        for (i = 0; i < nstreams; i++)
            virStorageCommandStreamRead(&streams[i]);
    }

    /* what it wrote just before it ended */
    for (i = 0; i < nstreams; i++)
        virStorageCommandStreamRead(&streams[i]);
    return stopped;
}


static int
virStorageCommandSetNonBlock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        virReportSystemError(errno, "%s",
                             _("cannot make a pipe from a tool non-blocking"));
        return -1;
    }
    return 0;
}


int
virStorageCommandRunLimited(virCommand *cmd,
                            unsigned int seconds,
                            const char *what,
                            char **out,
                            char **err,
                            bool *timedOut)
{
    virStorageCommandStream streams[2] = { { -1, NULL }, { -1, NULL } };
    g_autoptr(GString) outText = g_string_new(NULL);
    g_autoptr(GString) errText = g_string_new(NULL);
    g_autofree char *program = virStorageCommandProgramName(cmd);
    gint64 deadline;
    bool stopped;
    pid_t pid = -1;
    int status = 0;
    int ret = -1;

    if (timedOut)
        *timedOut = false;

    streams[0].text = outText;
    streams[1].text = errText;
    if (out)
        virCommandSetOutputFD(cmd, &streams[0].fd);
    virCommandSetErrorFD(cmd, &streams[1].fd);
    virCommandSetPreExecHook(cmd, virStorageCommandOwnProcessGroup, NULL);
    virCommandRawStatus(cmd);

    deadline = g_get_monotonic_time() + (gint64) seconds * G_USEC_PER_SEC;
    if (virCommandRunAsync(cmd, &pid) < 0)
        goto cleanup;

    if ((streams[0].fd >= 0 && virStorageCommandSetNonBlock(streams[0].fd) < 0) ||
        virStorageCommandSetNonBlock(streams[1].fd) < 0) {
        virCommandAbort(cmd);
        goto cleanup;
    }

    stopped = virStorageCommandCollect(pid, streams, G_N_ELEMENTS(streams), deadline);

    if (virCommandWait(cmd, &status) < 0)
        goto cleanup;

    if (stopped) {
        if (timedOut)
            *timedOut = true;
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       _("%s: %s did not finish within %u seconds and was stopped"),
                       what, program, seconds);
        goto cleanup;
    }

    if (WIFSIGNALED(status)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("%s: %s was killed by signal %d"),
                       what, program, WTERMSIG(status));
        goto cleanup;
    }

    if (out)
        *out = g_strdup(outText->str);
    if (err)
        *err = g_strstrip(g_strdup(errText->str));
    ret = WEXITSTATUS(status);

 cleanup:
    VIR_FORCE_CLOSE(streams[0].fd);
    VIR_FORCE_CLOSE(streams[1].fd);
    return ret;
}
