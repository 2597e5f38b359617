/*
 * storage_gluster_conn.c: connecting libgfapi to the Gluster volume of a
 * gluster pool, and releasing the connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two waits of libgfapi have no limit of their own: glfs_init on a
 * glusterd that accepts the connection and never answers, and glfs_fini,
 * which always takes about ten seconds (it waits for gfapi's timer
 * thread; an upstream won't-fix).  Both run on threads of their own here,
 * so that no caller of ours waits longer than
 * VIR_STORAGE_GLUSTER_CONNECT_TIME_LIMIT.
 */

#include <config.h>

#include "storage_gluster_conn.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_gluster_conn");

/* glusterd's port, when the pool's <host> gives none */
#define VIR_STORAGE_GLUSTER_DEFAULT_PORT 24007


/* A DNS name or an IP address: letters, digits, '.', '-', '_', ':'. */
static bool
virStorageGlusterHostNameValid(const char *name)
{
    const char *p;

    if (!name || !*name || *name == '-')
        return false;

    for (p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr(".-_:", *p))
            return false;
    }

    return true;
}


char *
virStorageGlusterServerName(const virStoragePoolDef *def)
{
    const virStoragePoolSourceHost *host;

    if (def->source.nhost == 0)
        return g_strdup("(no host)");

    host = &def->source.hosts[0];
    if (host->port)
        return g_strdup_printf(strchr(host->name, ':') ? "[%s]:%d" : "%s:%d",
                               host->name, host->port);
    return g_strdup(host->name);
}


char *
virStorageGlusterPoolDir(const virStoragePoolDef *def)
{
    const char *dir = def->source.dir;
    g_auto(GStrv) parts = NULL;
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    if (!def->source.name || !*def->source.name ||
        strchr(def->source.name, '/')) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("gluster pool '%s' needs the name of its Gluster volume, without '/', in <source><name>: give a subdirectory in <source><dir path='...'/>"),
                       def->name);
        return NULL;
    }

    if (!dir)
        return g_strdup("/");

    if (*dir != '/') {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("directory '%s' of gluster pool '%s' is not absolute: give it from the root of the Gluster volume, starting with '/'"),
                       dir, def->name);
        return NULL;
    }

    parts = g_strsplit(dir, "/", -1);
    for (i = 0; parts[i]; i++) {
        if (!*parts[i])
            continue;
        if (STREQ(parts[i], ".") || STREQ(parts[i], "..")) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("directory '%s' of gluster pool '%s' holds '.' or '..': give the path of the directory itself"),
                           dir, def->name);
            return NULL;
        }
        virBufferAsprintf(&buf, "/%s", parts[i]);
    }

    if (virBufferUse(&buf) == 0)
        return g_strdup("/");

    return virBufferContentAndReset(&buf);
}


/* ------------------------------------------------------------ release */

static gpointer
virStorageGlusterFiniThread(gpointer opaque)
{
    glfs_t *fs = opaque;
    gint64 start = g_get_monotonic_time();

    glfs_fini(fs);
    VIR_DEBUG("glfs_fini of %p took %lld ms", fs,
              (long long) (g_get_monotonic_time() - start) / 1000);
    return NULL;
}


void
virStorageGlusterRelease(glfs_t *fs)
{
    g_autoptr(GError) err = NULL;
    GThread *thread;

    if (!fs)
        return;

    if (!(thread = g_thread_try_new("gluster-fini", virStorageGlusterFiniThread,
                                    fs, &err))) {
        /* better late than leaked: this caller waits */
        VIR_WARN("cannot start a thread to release a gluster connection (%s): releasing it here",
                 err->message);
        virStorageGlusterFiniThread(fs);
        return;
    }

    g_thread_unref(thread);
}


/* ------------------------------------------------------------ connect */

/* One glfs_init on a thread of its own, shared by that thread and the
 * caller waiting for it: the last of the two to let go frees it. */
typedef struct {
    gint refs;
    GMutex lock;
    GCond cond;
    glfs_t *fs;
    bool done;          /* glfs_init returned */
    bool abandoned;     /* the caller stopped waiting: the thread releases fs */
    int rc;
    int err;            /* errno of a failed glfs_init */
} virStorageGlusterInitJob;


static void
virStorageGlusterInitJobUnref(virStorageGlusterInitJob *job)
{
    if (!g_atomic_int_dec_and_test(&job->refs))
        return;
    g_mutex_clear(&job->lock);
    g_cond_clear(&job->cond);
    g_free(job);
}


static gpointer
virStorageGlusterInitThread(gpointer opaque)
{
    virStorageGlusterInitJob *job = opaque;
    int rc = glfs_init(job->fs);
    int err = errno;
    bool abandoned;

    g_mutex_lock(&job->lock);
    job->rc = rc;
    job->err = err;
    job->done = true;
    abandoned = job->abandoned;
    g_cond_signal(&job->cond);
    g_mutex_unlock(&job->lock);

    if (abandoned) {
        VIR_DEBUG("glfs_init of %p returned %d after its caller gave up", job->fs, rc);
        glfs_fini(job->fs);
    }

    virStorageGlusterInitJobUnref(job);
    return NULL;
}


/* Runs glfs_init(@fs) for at most @seconds.  0 on success; -1 with
 * @err set to errno when it failed, or to ETIMEDOUT when it did not
 * return in time: @fs then belongs to the init thread, which releases it
 * (the caller must not). */
static int
virStorageGlusterInitTimed(glfs_t *fs,
                           int seconds,
                           int *err,
                           bool *handedOver)
{
    virStorageGlusterInitJob *job = g_new0(virStorageGlusterInitJob, 1);
    g_autoptr(GError) gerr = NULL;
    GThread *thread;
    gint64 deadline;
    int rc;

    *handedOver = false;
    job->refs = 2;
    job->fs = fs;
    g_mutex_init(&job->lock);
    g_cond_init(&job->cond);

    if (!(thread = g_thread_try_new("gluster-init", virStorageGlusterInitThread,
                                    job, &gerr))) {
        job->refs = 1;
        virStorageGlusterInitJobUnref(job);
        *err = EAGAIN;
        return -1;
    }
    g_thread_unref(thread);

    deadline = g_get_monotonic_time() + (gint64) seconds * G_TIME_SPAN_SECOND;

    g_mutex_lock(&job->lock);
    while (!job->done) {
        if (!g_cond_wait_until(&job->cond, &job->lock, deadline) && !job->done) {
            job->abandoned = true;
            break;
        }
    }
    if (job->done) {
        rc = job->rc;
        *err = job->err;
    } else {
        rc = -1;
        *err = ETIMEDOUT;
        *handedOver = true;
    }
    g_mutex_unlock(&job->lock);

    virStorageGlusterInitJobUnref(job);
    return rc < 0 ? -1 : 0;
}


static void
virStorageGlusterReportInit(const virStoragePoolDef *def,
                            const char *server,
                            int err)
{
    switch (err) {
    case ETIMEDOUT:
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       _("Gluster server '%s' of gluster pool '%s' did not serve volume '%s' within %d seconds: check that glusterd runs there and answers on its port, and that the volume is started"),
                       server, def->name, def->source.name,
                       VIR_STORAGE_GLUSTER_CONNECT_TIME_LIMIT);
        return;
    case ENOENT:
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("Gluster server '%s' of gluster pool '%s' has no volume '%s': check 'gluster volume list' there, or name an existing volume in <source><name>"),
                       server, def->name, def->source.name);
        return;
    default:
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot connect gluster pool '%s' to volume '%s' on Gluster server '%s' (%s): check that the host and port are right, that glusterd runs there and that the volume is started"),
                       def->name, def->source.name, server, g_strerror(err));
        return;
    }
}


/* A new glfs_t on @def's volume and server, not initialized. */
static glfs_t *
virStorageGlusterNew(const virStoragePoolDef *def,
                     const char *server)
{
    const virStoragePoolSourceHost *host = &def->source.hosts[0];
    g_autofree char *ping = g_strdup_printf("%d", VIR_STORAGE_GLUSTER_PING_TIME_LIMIT);
    glfs_t *fs;

    if (!(fs = glfs_new(def->source.name))) {
        virReportSystemError(errno,
                             _("cannot create a libgfapi handle for volume '%s' of gluster pool '%s'"),
                             def->source.name, def->name);
        return NULL;
    }

    if (glfs_set_volfile_server(fs, "tcp", host->name,
                                host->port ? host->port : VIR_STORAGE_GLUSTER_DEFAULT_PORT) < 0) {
        virReportSystemError(errno,
                             _("libgfapi refuses Gluster server '%s' of gluster pool '%s'"),
                             server, def->name);
        virStorageGlusterRelease(fs);
        return NULL;
    }

    /* gfapi's own log would go to the daemon's stderr: our errors say
     * what failed */
    if (glfs_set_logging(fs, "/dev/null", 0) < 0)
        VIR_DEBUG("gluster pool '%s': cannot turn libgfapi's log off", def->name);

    /* a brick that stops answering fails calls in bounded time */
    if (glfs_set_xlator_option(fs, "*-client-*", "ping-timeout", ping) < 0)
        VIR_DEBUG("gluster pool '%s': cannot set the client ping-timeout", def->name);

    return fs;
}


int
virStorageGlusterConnect(const virStoragePoolDef *def,
                         glfs_t **fs)
{
    g_autofree char *server = NULL;
    g_autofree char *dir = NULL;
    glfs_t *handle;
    gint64 start;
    bool handedOver = false;
    int err = 0;

    if (def->source.nhost != 1 ||
        !virStorageGlusterHostNameValid(def->source.hosts[0].name)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("gluster pool '%s' needs one Gluster server, given by name or IP address in <source><host name='...'/>"),
                       def->name);
        return -1;
    }

    if (!(dir = virStorageGlusterPoolDir(def)))
        return -1;

    server = virStorageGlusterServerName(def);
    if (!(handle = virStorageGlusterNew(def, server)))
        return -1;

    start = g_get_monotonic_time();
    if (virStorageGlusterInitTimed(handle, VIR_STORAGE_GLUSTER_CONNECT_TIME_LIMIT,
                                   &err, &handedOver) < 0) {
        virStorageGlusterReportInit(def, server, err);
        if (!handedOver)
            virStorageGlusterRelease(handle);
        return -1;
    }

    VIR_DEBUG("gluster pool '%s' connected to volume '%s' on %s in %lld ms",
              def->name, def->source.name, server,
              (long long) (g_get_monotonic_time() - start) / 1000);

    *fs = handle;
    return 0;
}
