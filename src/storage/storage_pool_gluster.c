/*
 * storage_pool_gluster.c: gluster pools, one libgfapi connection per
 * active pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libvirt 9.0 connects to the volume for every refresh and every volume
 * call and releases the connection after it, and glfs_fini takes about
 * ten seconds each time.  Here a pool connects once, at start, and keeps
 * its connection while it is active: the connections live in a table
 * keyed by the pool's UUID, each holding one reference for the table and
 * one for each call using it; the last reference releases the glfs_t on
 * a background thread.
 */

#include <config.h>

#include <sys/statvfs.h>

#include "storage_pool_gluster.h"
#include "storage_conn_table.h"
#include "storage_gluster_conn.h"
#include "storage_vol_gluster_probe.h"
#include "viralloc.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_gluster");

struct _virStoragePoolGlusterConn {
    gint refs;
    char *name;             /* the pool's, for the log */
    glfs_t *fs;
    char *dir;              /* "/" or "/sub/dir" */
};


static void
virStoragePoolGlusterConnFree(virStoragePoolGlusterConn *conn)
{
    VIR_DEBUG("gluster pool '%s': releasing its volume connection", conn->name);
    virStorageGlusterRelease(conn->fs);
    g_free(conn->dir);
    g_free(conn->name);
    g_free(conn);
}


void
virStoragePoolGlusterConnPut(virStoragePoolGlusterConn *conn)
{
    if (conn && g_atomic_int_dec_and_test(&conn->refs))
        virStoragePoolGlusterConnFree(conn);
}


static void
virStoragePoolGlusterConnRef(virStoragePoolGlusterConn *conn)
{
    g_atomic_int_inc(&conn->refs);
}


/* the connections of the active pools, by UUID */
static virStorageConnTable virStoragePoolGlusterConns =
    VIR_STORAGE_CONN_TABLE_INIT(virStoragePoolGlusterConnRef, virStoragePoolGlusterConnPut);


glfs_t *
virStoragePoolGlusterConnFS(virStoragePoolGlusterConn *conn)
{
    return conn->fs;
}


const char *
virStoragePoolGlusterConnDir(virStoragePoolGlusterConn *conn)
{
    return conn->dir;
}


virStoragePoolGlusterConn *
virStoragePoolGlusterConnGet(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    virStoragePoolGlusterConn *conn;

    if (!(conn = virStorageConnTableGet(&virStoragePoolGlusterConns, def->uuid))) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("gluster pool '%s' is not connected to its Gluster volume: start the pool first"),
                       def->name);
    }

    return conn;
}


/* The pool's directory must be a directory of the volume (not a link:
 * the pool would then show another directory than its XML names). */
static int
virStoragePoolGlusterCheckDir(virStoragePoolDef *def,
                              glfs_t *fs,
                              const char *dir)
{
    g_autofree char *server = virStorageGlusterServerName(def);
    struct stat sb;

    if (glfs_lstat(fs, dir, &sb) < 0) {
        if (errno == ENOENT) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("directory '%s' of gluster pool '%s' does not exist in volume '%s' on Gluster server '%s': create it in the volume, or fix <source><dir path='...'/>"),
                           dir, def->name, def->source.name, server);
        } else {
            virReportSystemError(errno,
                                 _("cannot read directory '%s' of gluster pool '%s' in volume '%s' on Gluster server '%s'"),
                                 dir, def->name, def->source.name, server);
        }
        return -1;
    }

    if (!S_ISDIR(sb.st_mode)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' in volume '%s' on Gluster server '%s', the directory of gluster pool '%s', is not a directory (links are not followed): name a directory in <source><dir path='...'/>"),
                       dir, def->source.name, server, def->name);
        return -1;
    }

    return 0;
}


static int
virStoragePoolGlusterConnect(virStoragePoolDef *def)
{
    g_autofree char *dir = NULL;
    glfs_t *fs = NULL;
    virStoragePoolGlusterConn *conn;

    if (!(dir = virStorageGlusterPoolDir(def)))
        return -1;

    if (virStorageGlusterConnect(def, &fs) < 0)
        return -1;

    if (virStoragePoolGlusterCheckDir(def, fs, dir) < 0) {
        virStorageGlusterRelease(fs);
        return -1;
    }

    conn = g_new0(virStoragePoolGlusterConn, 1);
    conn->refs = 1;
    conn->name = g_strdup(def->name);
    conn->fs = fs;
    conn->dir = g_steal_pointer(&dir);
    virStorageConnTableSet(&virStoragePoolGlusterConns, def->uuid, conn);
    return 0;
}


int
virStoragePoolGlusterCheck(virStoragePoolObj *pool,
                           bool *active)
{
    /* Only a pool that was active when the daemon stopped (its state was
     * saved) is connected again; the others stay inactive. */
    if (!virStoragePoolObjIsActive(pool)) {
        *active = false;
        return 0;
    }

    if (virStoragePoolGlusterConnect(virStoragePoolObjGetDef(pool)) < 0)
        return -1;

    *active = true;
    return 0;
}


int
virStoragePoolGlusterStart(virStoragePoolObj *pool)
{
    return virStoragePoolGlusterConnect(virStoragePoolObjGetDef(pool));
}


int
virStoragePoolGlusterStop(virStoragePoolObj *pool)
{
    virStorageConnTableSet(&virStoragePoolGlusterConns,
                           virStoragePoolObjGetDef(pool)->uuid, NULL);
    return 0;
}


/* The pool's sizes as libvirt 9.0 shows them: capacity the volume's
 * size, available its free blocks, allocation the rest. */
static int
virStoragePoolGlusterStat(virStoragePoolDef *def,
                          virStoragePoolGlusterConn *conn)
{
    g_autofree char *server = NULL;
    struct statvfs sb;

    if (glfs_statvfs(conn->fs, conn->dir, &sb) < 0) {
        server = virStorageGlusterServerName(def);
        virReportSystemError(errno,
                             _("cannot read the size of volume '%s' on Gluster server '%s' of gluster pool '%s': check that the server runs and the volume is started"),
                             def->source.name, server, def->name);
        return -1;
    }

    def->capacity = (unsigned long long) sb.f_frsize * sb.f_blocks;
    def->available = (unsigned long long) sb.f_frsize * sb.f_bfree;
    def->allocation = def->capacity - def->available;
    return 0;
}


/* Threads probing the entries of a refresh at once: each probe waits for
 * a few round trips to the bricks (open, header read, close). */
#define VIR_STORAGE_POOL_GLUSTER_PROBE_THREADS 16

/* One entry of the pool's directory, as listed and as probed. */
typedef struct {
    char *name;
    struct stat sb;                 /* from glfs_readdirplus */
    virStorageVolDef *vol;          /* the probe's result */
    int rc;                         /* the probe's, 0 or -errno */
} virStoragePoolGlusterEntry;

typedef struct {
    glfs_t *fs;
    const char *dir;
    virStoragePoolSource *source;
} virStoragePoolGlusterProbeCtx;


static void
virStoragePoolGlusterProbeEntry(gpointer data,
                                gpointer opaque)
{
    virStoragePoolGlusterEntry *entry = data;
    virStoragePoolGlusterProbeCtx *ctx = opaque;

    entry->vol = g_new0(virStorageVolDef, 1);
    entry->vol->name = g_strdup(entry->name);
    entry->rc = virStorageVolGlusterProbeQuiet(ctx->fs, ctx->dir, entry->name,
                                               &entry->sb, ctx->source, entry->vol);
}


/* Probes every entry of @entries, on up to
 * VIR_STORAGE_POOL_GLUSTER_PROBE_THREADS threads at once (a glfs_t may be
 * used by several threads); here alone when no thread can be made. */
static void
virStoragePoolGlusterProbeAll(virStoragePoolGlusterProbeCtx *ctx,
                              virStoragePoolGlusterEntry *entries,
                              size_t nentries)
{
    g_autoptr(GError) err = NULL;
    GThreadPool *threads = NULL;
    size_t i;

    if (nentries > 1)
        threads = g_thread_pool_new(virStoragePoolGlusterProbeEntry, ctx,
                                    MIN(nentries, VIR_STORAGE_POOL_GLUSTER_PROBE_THREADS),
                                    TRUE, &err);

    for (i = 0; i < nentries; i++) {
        if (!threads || !g_thread_pool_push(threads, &entries[i], NULL))
            virStoragePoolGlusterProbeEntry(&entries[i], ctx);
    }

    if (threads)
        g_thread_pool_free(threads, FALSE, TRUE);
}


/* Adds the volume of the probed @entry; an entry that is no volume, or
 * whose header does not hold together, is skipped with its reason
 * logged. */
static int
virStoragePoolGlusterAddEntry(virStoragePoolObj *pool,
                              virStoragePoolGlusterEntry *entry)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    const char *name = entry->name;

    switch (entry->rc) {
    case 0:
        break;
    case -ELOOP:
        VIR_INFO("gluster pool '%s': skipping '%s', a symbolic link", def->name, name);
        return 0;
    case -ENOTSUP:
        VIR_INFO("gluster pool '%s': skipping '%s', neither a file nor a directory",
                 def->name, name);
        return 0;
    case -EINVAL:
        VIR_WARN("gluster pool '%s': skipping '%s', whose image header does not hold together",
                 def->name, name);
        return 0;
    default:
        VIR_WARN("gluster pool '%s': skipping '%s': %s", def->name, name,
                 g_strerror(-entry->rc));
        return 0;
    }

    if (virStoragePoolObjAddVol(pool, entry->vol) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot add volume '%s' to gluster pool '%s'"),
                       name, def->name);
        return -1;
    }
    entry->vol = NULL;
    return 0;
}


static void
virStoragePoolGlusterEntriesFree(virStoragePoolGlusterEntry *entries,
                                 size_t nentries)
{
    size_t i;

    for (i = 0; i < nentries; i++) {
        g_free(entries[i].name);
        if (entries[i].vol)
            virStorageVolDefFree(entries[i].vol);
    }
    g_free(entries);
}


/* Lists the pool's directory with glfs_readdirplus, which gives each
 * entry's inode with its name: no stat per entry. */
static int
virStoragePoolGlusterList(virStoragePoolDef *def,
                          virStoragePoolGlusterConn *conn,
                          virStoragePoolGlusterEntry **entriesRet,
                          size_t *nentriesRet)
{
    g_autofree char *server = virStorageGlusterServerName(def);
    virStoragePoolGlusterEntry *entries = NULL;
    size_t nentries = 0;
    size_t alloc = 0;
    glfs_fd_t *dirfd;
    struct dirent *ent;
    struct stat sb;

    if (!(dirfd = glfs_opendir(conn->fs, conn->dir))) {
        virReportSystemError(errno,
                             _("cannot list directory '%s' of volume '%s' on Gluster server '%s' of gluster pool '%s'"),
                             conn->dir, def->source.name, server, def->name);
        return -1;
    }

    while (true) {
        errno = 0;
        if (!(ent = glfs_readdirplus(dirfd, &sb))) {
            if (errno != 0) {
                virReportSystemError(errno,
                                     _("cannot list directory '%s' of volume '%s' on Gluster server '%s' of gluster pool '%s'"),
                                     conn->dir, def->source.name, server, def->name);
                glfs_closedir(dirfd);
                virStoragePoolGlusterEntriesFree(entries, nentries);
                return -1;
            }
            break;
        }

        if (STREQ(ent->d_name, ".") || STREQ(ent->d_name, ".."))
            continue;

        VIR_RESIZE_N(entries, alloc, nentries, 1);
        entries[nentries].name = g_strdup(ent->d_name);
        entries[nentries].sb = sb;
        nentries++;
    }

    glfs_closedir(dirfd);
    *entriesRet = entries;
    *nentriesRet = nentries;
    return 0;
}


int
virStoragePoolGlusterRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;
    virStoragePoolGlusterProbeCtx ctx = { 0 };
    virStoragePoolGlusterEntry *entries = NULL;
    size_t nentries = 0;
    size_t i;
    int ret = -1;

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;

    if (virStoragePoolGlusterStat(def, conn) < 0)
        return -1;

    if (virStoragePoolGlusterList(def, conn, &entries, &nentries) < 0)
        return -1;

    ctx.fs = conn->fs;
    ctx.dir = conn->dir;
    ctx.source = &def->source;
    virStoragePoolGlusterProbeAll(&ctx, entries, nentries);

    for (i = 0; i < nentries; i++) {
        if (virStoragePoolGlusterAddEntry(pool, &entries[i]) < 0)
            goto cleanup;
    }

    VIR_DEBUG("gluster pool '%s': %zu entries", def->name, nentries);
    ret = 0;

 cleanup:
    virStoragePoolGlusterEntriesFree(entries, nentries);
    return ret;
}
