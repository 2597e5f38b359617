/*
 * fuzz_replay.c: a harness without libFuzzer, as a unit test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   NAME_fuzzer PATH...
 *
 * Runs the harness once on every file named, and on every file found
 * below every directory named (its seed corpus and its regressions/).
 * A crash or a broken promise aborts; a path that holds no file at all
 * fails too, so that a corpus that went missing is noticed.
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"


static gint
replayCompareNames(gconstpointer a,
                   gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


static int
replayFile(const char *path,
           size_t *nrun)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize len;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        fprintf(stderr, "cannot read %s: %s\n", path, err->message);
        return -1;
    }

    fprintf(stderr, "replaying %s (%zu bytes)\n", path, (size_t) len);
    LLVMFuzzerTestOneInput((const uint8_t *) data, len);
    (*nrun)++;
    return 0;
}


static int
replayPath(const char *path,
           size_t *nrun)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = NULL;
    const char *name;
    size_t i;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR))
        return replayFile(path, nrun);

    if (!(dir = g_dir_open(path, 0, &err))) {
        fprintf(stderr, "cannot open %s: %s\n", path, err->message);
        return -1;
    }

    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir))) {
        if (name[0] != '.' && !g_str_equal(name, "README"))
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
    }
    g_ptr_array_sort(names, replayCompareNames);

    for (i = 0; i < names->len; i++) {
        if (replayPath(g_ptr_array_index(names, i), nrun) < 0)
            return -1;
    }
    return 0;
}


int
main(int argc,
     char **argv)
{
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
        return EXIT_FAILURE;
    }

    LLVMFuzzerInitialize(&argc, &argv);

    for (i = 1; i < argc; i++) {
        size_t nrun = 0;

        if (replayPath(argv[i], &nrun) < 0)
            return EXIT_FAILURE;
        if (nrun == 0) {
            fprintf(stderr, "%s holds no input\n", argv[i]);
            return EXIT_FAILURE;
        }
        printf("%s: %zu inputs replayed\n", argv[i], nrun);
    }
    return EXIT_SUCCESS;
}
