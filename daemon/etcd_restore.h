#pragma once
// `frankenetesd etcd restore`: puts a verified snapshot back into an etcd member whose group
// exists, step by step, printing each step:
//   1. the configuration, the member (role etcd), the storage section (Shared Key: the Azure
//      Files REST API takes the account key), and the state directory's lock — so a running
//      daemon, which would start the group this stops, is refused;
//   2. GET the group: where its --data-dir lives (etcd::restore_target: the azureFile share of
//      storage.account and the path inside it) and etcdctl's flags;
//   3. the snapshot (--snapshot NAME, else the newest), downloaded and verified: etcd's SHA-256
//      trailer and size rule, and the blob's sha256 and size metadata — a tampered blob stops
//      here;
//   4. `etcdctl snapshot restore` into a temporary data directory;
//   5. refuses to go on without --yes while the group is Running (a restore throws away what
//      was written since the snapshot); --dry-run stops here, having changed nothing;
//   6. stop the group, replace the data directory on the share (delete_tree, upload_tree),
//      start the group — or, when the group is gone (ARM's 404), write the data directory and
//      recreate the group from the member's spec — and wait (with a deadline) until etcd
//      answers and its revision is the snapshot's;
//   7. restart the members that depend on it, transitively (apiserver watch caches must not
//      outlive a restore), and forget the member's data-loss record in the state directory.
// Exit codes: 0 restored (or dry run done), 1 a step failed (the output says which and what is
// left as it was), 2 invalid usage or configuration, or a refusal.

#include "daemon/cli.h"

namespace frankenetes::daemon {

int run_etcd_restore(const CliOptions& options);

}  // namespace frankenetes::daemon
