/*
 * parthelper_asan.c: AddressSanitizer defaults of the helper, linked in
 * only when the build is sanitized (-Db_sanitize=address...)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libparted 3.5's constructor (ped_disk_gpt_init, run before main) hands
 * strchr a line that ASan's strchr interceptor reads one byte past:
 * every program linking libparted aborts at start under ASan.  The
 * interceptor is turned off; our own code is still instrumented.  The
 * environment's ASAN_OPTIONS are read after these defaults.
 */

const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
    return "intercept_strchr=0";
}
