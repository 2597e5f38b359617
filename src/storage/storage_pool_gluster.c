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
#include "storage_gluster_conn.h"
#include "storage_vol_gluster_probe.h"
#include "virerror.h"
#include "virlog.h"
#include "viruuid.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_gluster");

struct _virStoragePoolGlusterConn {
    gint refs;
    char *name;             /* the pool's, for the log */
    glfs_t *fs;
    char *dir;              /* "/" or "/sub/dir" */
};

/* UUID string -> virStoragePoolGlusterConn * (the table's reference) */
static GHashTable *virStoragePoolGlusterConns;
static GMutex virStoragePoolGlusterConnsLock;


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


static void
virStoragePoolGlusterConnKey(virStoragePoolDef *def,
                             char *key)
{
    virUUIDFormat(def->uuid, key);
}


virStoragePoolGlusterConn *
virStoragePoolGlusterConnGet(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    char key[VIR_UUID_STRING_BUFLEN];
    virStoragePoolGlusterConn *conn = NULL;

    virStoragePoolGlusterConnKey(def, key);

    g_mutex_lock(&virStoragePoolGlusterConnsLock);
    if (virStoragePoolGlusterConns &&
        (conn = g_hash_table_lookup(virStoragePoolGlusterConns, key)))
        g_atomic_int_inc(&conn->refs);
    g_mutex_unlock(&virStoragePoolGlusterConnsLock);

    if (!conn) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("gluster pool '%s' is not connected to its Gluster volume: start the pool first"),
                       def->name);
    }

    return conn;
}


/* Puts @conn in the table for @def, taking the caller's reference; a
 * connection the pool had already is dropped. */
static void
virStoragePoolGlusterConnAdd(virStoragePoolDef *def,
                             virStoragePoolGlusterConn *conn)
{
    char key[VIR_UUID_STRING_BUFLEN];
    virStoragePoolGlusterConn *old = NULL;

    virStoragePoolGlusterConnKey(def, key);

    g_mutex_lock(&virStoragePoolGlusterConnsLock);
    if (!virStoragePoolGlusterConns)
        virStoragePoolGlusterConns = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                           g_free, NULL);
    old = g_hash_table_lookup(virStoragePoolGlusterConns, key);
    g_hash_table_replace(virStoragePoolGlusterConns, g_strdup(key), conn);
    g_mutex_unlock(&virStoragePoolGlusterConnsLock);

    virStoragePoolGlusterConnPut(old);
}


/* Takes @def's connection out of the table and drops the table's
 * reference: calls still using it finish first. */
static void
virStoragePoolGlusterConnRemove(virStoragePoolDef *def)
{
    char key[VIR_UUID_STRING_BUFLEN];
    virStoragePoolGlusterConn *old = NULL;

    virStoragePoolGlusterConnKey(def, key);

    g_mutex_lock(&virStoragePoolGlusterConnsLock);
    if (virStoragePoolGlusterConns &&
        (old = g_hash_table_lookup(virStoragePoolGlusterConns, key)))
        g_hash_table_remove(virStoragePoolGlusterConns, key);
    g_mutex_unlock(&virStoragePoolGlusterConnsLock);

    virStoragePoolGlusterConnPut(old);
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
    virStoragePoolGlusterConnAdd(def, conn);
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
    virStoragePoolGlusterConnRemove(virStoragePoolObjGetDef(pool));
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


/* Adds a volume for the entry @name (inode @sb) of the pool's
 * directory; an entry that is no volume, or whose header does not hold
 * together, is skipped with its reason logged. */
static int
virStoragePoolGlusterAddEntry(virStoragePoolObj *pool,
                              virStoragePoolGlusterConn *conn,
                              const char *name,
                              const struct stat *sb)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageVolDef) vol = g_new0(virStorageVolDef, 1);
    int rc;

    vol->name = g_strdup(name);
    rc = virStorageVolGlusterProbeQuiet(conn->fs, conn->dir, name, sb,
                                        &def->source, vol);
    switch (rc) {
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
                 g_strerror(-rc));
        return 0;
    }

    if (virStoragePoolObjAddVol(pool, vol) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("cannot add volume '%s' to gluster pool '%s'"),
                       name, def->name);
        return -1;
    }
    vol = NULL;
    return 0;
}


int
virStoragePoolGlusterRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;
    g_autofree char *server = NULL;
    glfs_fd_t *dirfd;
    struct dirent *ent;
    struct stat sb;
    size_t n = 0;
    int ret = -1;

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;

    if (virStoragePoolGlusterStat(def, conn) < 0)
        return -1;

    server = virStorageGlusterServerName(def);
    if (!(dirfd = glfs_opendir(conn->fs, conn->dir))) {
        virReportSystemError(errno,
                             _("cannot list directory '%s' of volume '%s' on Gluster server '%s' of gluster pool '%s'"),
                             conn->dir, def->source.name, server, def->name);
        return -1;
    }

    /* glfs_readdirplus gives each entry's inode with its name: no stat
     * per entry */
    while (true) {
        errno = 0;
        if (!(ent = glfs_readdirplus(dirfd, &sb))) {
            if (errno != 0) {
                virReportSystemError(errno,
                                     _("cannot list directory '%s' of volume '%s' on Gluster server '%s' of gluster pool '%s'"),
                                     conn->dir, def->source.name, server, def->name);
                goto cleanup;
            }
            break;
        }

        if (STREQ(ent->d_name, ".") || STREQ(ent->d_name, ".."))
            continue;

        if (virStoragePoolGlusterAddEntry(pool, conn, ent->d_name, &sb) < 0)
            goto cleanup;
        n++;
    }

    VIR_DEBUG("gluster pool '%s': %zu entries", def->name, n);
    ret = 0;

 cleanup:
    glfs_closedir(dirfd);
    return ret;
}
