/* field_lmdb: LMDB (Debian liblmdb-dev, 0.9.24) through the black-box protocol
 * (field_common.h). The environment is $POWERCUT_ROOT itself (data.mdb and
 * lock.mdb); one write transaction per key.
 *
 *   field_lmdb workload N MODE   MODE: durable (no flags: the commit writes
 *     the data pages, fdatasyncs, then writes the meta page through the
 *     O_DSYNC descriptor LMDB keeps for it), nometasync (MDB_NOMETASYNC), or
 *     nosync (MDB_NOSYNC). lmdb.h documents what each promises; see
 *     docs/field-results.md.
 *   field_lmdb check   opens the image with the default flags (LMDB picks the
 *     meta page with the higher transaction id) and prints every key: exit 1
 *     when mdb_env_open or the first transaction fails, 2 when a cursor read
 *     fails (MDB_CORRUPTED, MDB_PAGE_NOTFOUND, ...). */
#include <lmdb.h>

#include "field_common.h"

/* Exits `status` with LMDB's message when rc is not MDB_SUCCESS. */
static void lmdb_check(int rc, const char* what, int status) {
  if (rc == MDB_SUCCESS) return;
  fprintf(stderr, "field_lmdb: %s: %s\n", what, mdb_strerror(rc));
  exit(status);
}

/* An environment on `dir` opened with `flags`; failures exit `status`. */
static MDB_env* open_env(const char* dir, unsigned flags, int status) {
  MDB_env* env = NULL;
  lmdb_check(mdb_env_create(&env), "mdb_env_create", kFieldError);
  lmdb_check(mdb_env_set_mapsize(env, 1 << 20), "mdb_env_set_mapsize", kFieldError);
  lmdb_check(mdb_env_open(env, dir, flags, 0644), "mdb_env_open", status);
  return env;
}

/* The MDB_ flags of a workload MODE; exits 3 on an unknown one. */
static unsigned mode_flags(const char* mode) {
  if (strcmp(mode, "durable") == 0) return 0;
  if (strcmp(mode, "nometasync") == 0) return MDB_NOMETASYNC;
  if (strcmp(mode, "nosync") == 0) return MDB_NOSYNC;
  fprintf(stderr, "field_lmdb: mode '%s' is not durable, nometasync or nosync\n", mode);
  exit(kFieldError);
}

static void workload(int keys, const char* mode) {
  MDB_env* env = open_env(field_dir("POWERCUT_ROOT"), mode_flags(mode), kFieldError);
  for (int i = 0; i < keys; ++i) {
    char key[32], value[32];
    snprintf(key, sizeof key, "k%d", i);
    snprintf(value, sizeof value, "v%d", i);
    MDB_txn* txn = NULL;
    MDB_dbi dbi;
    field_ack("W", key, value);
    lmdb_check(mdb_txn_begin(env, NULL, 0, &txn), "mdb_txn_begin", kFieldError);
    lmdb_check(mdb_dbi_open(txn, NULL, 0, &dbi), "mdb_dbi_open", kFieldError);
    MDB_val k = {strlen(key), key}, v = {strlen(value), value};
    lmdb_check(mdb_put(txn, dbi, &k, &v, 0), "mdb_put", kFieldError);
    lmdb_check(mdb_txn_commit(txn), "mdb_txn_commit", kFieldError);
    field_ack("A", key, value);
  }
  mdb_env_close(env);
}

static int check(void) {
  MDB_env* env = open_env(field_dir("POWERCUT_IMAGE"), 0, kFieldCannotRecover);
  MDB_txn* txn = NULL;
  MDB_dbi dbi;
  MDB_cursor* cursor = NULL;
  lmdb_check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "mdb_txn_begin", kFieldCannotRecover);
  lmdb_check(mdb_dbi_open(txn, NULL, 0, &dbi), "mdb_dbi_open", kFieldCannotRecover);
  lmdb_check(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open", kFieldDamaged);
  MDB_val k, v;
  int rc;
  while ((rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
    printf("%.*s %.*s\n", (int)k.mv_size, (const char*)k.mv_data, (int)v.mv_size,
           (const char*)v.mv_data);
  }
  if (rc != MDB_NOTFOUND) lmdb_check(rc, "mdb_cursor_get", kFieldDamaged);
  mdb_cursor_close(cursor);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return kFieldRecovered;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "init") == 0) {
    mdb_env_close(open_env(field_dir("POWERCUT_ROOT"), 0, kFieldError));
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "workload") == 0) {
    workload(field_keys(argv[2]), argv[3]);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "check") == 0) return check();
  fprintf(stderr, "usage: field_lmdb init | workload N durable|nometasync|nosync | check\n");
  return kFieldError;
}
