/* ts_store_schema.c: the per-task datasets of a store, their types, fill
 * values and CF attributes (ts_store_schema.h). */
#include <math.h>

#include "ts_store_internal.h"

/* The order the checksum covers them in: the task's results come first,
 * then these up to and including status; the checksum is not covered. */
const char *const ts_schema_task_dsets[] = {
    TS_DS_ATTEMPT, TS_DS_RANK, TS_DS_WALL, TS_DS_END, TS_DS_HOST, TS_DS_MESSAGE, TS_DS_STATUS,
    TS_DS_CHECKSUM, NULL
};

static const uint32_t zero_u32 = 0;
static const uint64_t zero_u64 = 0;
static const int32_t no_rank = -1;
static const int8_t todo = 0;
static const double nan_fill = NAN;

const st_task_dset st_task_dsets[] = {
    { TS_DS_ATTEMPT, ST_U32, 4, &zero_u32, "attempts made at the task (0: never run)", "1" },
    { TS_DS_RANK, ST_I32, 4, &no_rank, "MPI rank that ran the task last", NULL },
    { TS_DS_WALL, ST_F64, 8, &nan_fill, "wall-clock time of the task's last attempt", "s" },
    { TS_DS_END, ST_F64, 8, &nan_fill, "time the task's last attempt ended", "seconds since 1970-01-01 00:00:00 UTC" },
    { TS_DS_HOST, ST_STR, TS_STORE_HOST_LEN, NULL, "host that ran the task last", NULL },
    { TS_DS_MESSAGE, ST_STR, TS_STORE_MSG_LEN, NULL, "why the task failed or diverged", NULL },
    { TS_DS_STATUS, ST_I8, 1, &todo, "task status; results are NaN unless done or diverged", NULL },
    { TS_DS_CHECKSUM, ST_U64, 8, &zero_u64,
      "64-bit hash (XXH3) of the task's record (its results, then attempt .. status), for detecting torn or "
      "damaged records", NULL },
};

void st_numeric_types(st_type t, hid_t *ftype, hid_t *mtype)
{
    switch (t) {
    case ST_U32: *ftype = H5T_STD_U32LE; *mtype = H5T_NATIVE_UINT32; return;
    case ST_U64: *ftype = H5T_STD_U64LE; *mtype = H5T_NATIVE_UINT64; return;
    case ST_I32: *ftype = H5T_STD_I32LE; *mtype = H5T_NATIVE_INT32; return;
    case ST_F64: *ftype = H5T_IEEE_F64LE; *mtype = H5T_NATIVE_DOUBLE; return;
    case ST_I8: *ftype = H5T_STD_I8LE; *mtype = H5T_NATIVE_INT8; return;
    case ST_STR: *ftype = *mtype = -1; return;
    }
}

size_t st_n_task_dsets(void)
{
    return sizeof st_task_dsets / sizeof st_task_dsets[0];
}

hid_t st_fapl(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    /* HDF5's flock-based locking fails on many cluster file systems
     * (HDF5_USE_FILE_LOCKING); a store has its own lock, and readers must
     * open a store that is being written */
    if (H5Pset_file_locking(fapl, 0, 1) < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

int64_t ts_store_h5_fapl(void)
{
    return st_fapl();
}
