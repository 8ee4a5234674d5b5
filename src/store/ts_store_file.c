/* ts_store_file.c: what a file is, before anything is done to it
 * (ts_file_identify, ts_store.h): the check behind `run --store` refusing a
 * file that is not this job's store, and behind every reader's messages. */
#include "ts_store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *ts_file_kind_phrase(ts_file_kind k)
{
    switch (k) {
    case TS_FILE_ABSENT: return "no such file";
    case TS_FILE_STORE: return "a tailsweep store";
    case TS_FILE_STORE_OLD:
        return "a tailsweep store of an older format, which this tailsweep does not read: rerun its job into a "
               "new store (`tailsweep run JOB --store NEW.h5`; the job's text is in the store's attribute "
               "job_text)";
    case TS_FILE_STORE_NEWER: return "a tailsweep store of a newer format: use a newer tailsweep";
    case TS_FILE_STACKED: return "a stack of stores made by `tailsweep aggregate -o`, not a job's store";
    case TS_FILE_OTHER_HDF5: return "an HDF5 file that is not a tailsweep store";
    case TS_FILE_NOT_HDF5: return "not an HDF5 file, so not a tailsweep store";
    case TS_FILE_DIRECTORY: return "a directory, not a store";
    case TS_FILE_UNREADABLE: return "cannot be read";
    }
    return "unknown";
}

void ts_file_info_clear(ts_file_info *info)
{
    free(info->job);
    memset(info, 0, sizeof *info);
}

void ts_file_identify(const char *path, ts_file_info *info)
{
    memset(info, 0, sizeof *info);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        info->kind = errno == ENOENT ? TS_FILE_ABSENT : TS_FILE_UNREADABLE;
        snprintf(info->why, sizeof info->why, "%s", strerror(errno));
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        info->kind = TS_FILE_DIRECTORY;
        return;
    }
    if (access(path, R_OK) != 0) {
        info->kind = TS_FILE_UNREADABLE;
        snprintf(info->why, sizeof info->why, "%s", strerror(errno));
        return;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (sb.st_size == 0 || H5Fis_hdf5(path) <= 0) {
        info->kind = TS_FILE_NOT_HDF5;
        if (sb.st_size == 0) snprintf(info->why, sizeof info->why, "the file is empty");
        return;
    }
    hid_t fapl = st_fapl();
    hid_t f = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDONLY, fapl) : -1;
    if (fapl >= 0) H5Pclose(fapl);
    if (f < 0) {
        info->kind = TS_FILE_UNREADABLE;
        st_h5_reason(info->why, sizeof info->why);
        return;
    }
    char *kind = st_attr_read_str(f, TS_ATTR_KIND);
    double num = 1;
    info->format = st_attr_read_num(f, TS_ATTR_FORMAT, &num) ? (int)num : 1;
    if (!kind || H5Lexists(f, TS_DS_STATUS, H5P_DEFAULT) <= 0) {
        info->kind = TS_FILE_OTHER_HDF5;
        if (H5Lexists(f, "samples", H5P_DEFAULT) > 0)
            snprintf(info->why, sizeof info->why, "it looks like a `tailsweep sample` output");
    } else if (H5Aexists(f, TS_ATTR_STACKED) > 0) {
        info->kind = TS_FILE_STACKED;
    } else if (info->format < TS_STORE_FORMAT) {
        info->kind = TS_FILE_STORE_OLD;
        snprintf(info->why, sizeof info->why, "format %d; this tailsweep reads format %d", info->format,
                 TS_STORE_FORMAT);
    } else if (info->format > TS_STORE_FORMAT) {
        info->kind = TS_FILE_STORE_NEWER;
        snprintf(info->why, sizeof info->why, "format %d; this tailsweep reads format %d", info->format,
                 TS_STORE_FORMAT);
    } else {
        info->kind = TS_FILE_STORE;
    }
    if (kind) snprintf(info->kind_name, sizeof info->kind_name, "%s", kind);
    free(kind);
    info->job = st_attr_read_str(f, TS_ATTR_JOB);
    if (st_attr_read_num(f, TS_ATTR_SEED, &num)) info->seed = (uint64_t)num;
    hid_t d = H5Lexists(f, TS_DS_STATUS, H5P_DEFAULT) > 0 ? H5Dopen2(f, TS_DS_STATUS, H5P_DEFAULT) : -1;
    if (d >= 0) {
        hid_t sp = H5Dget_space(d);
        hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
        info->tasks = n > 0 ? (uint64_t)n : 0;
        if (sp >= 0) H5Sclose(sp);
        H5Dclose(d);
    }
    H5Fclose(f);
}
