// Compiles parsed feeds and an allowlist into a snapshot file (see snapshot.h for the reader).
//
// Feeds whose category is kAllowlist form the allowlist. Feed entries the allowlist covers (an
// address range inside an allowlisted range, a name equal to an allowlisted name) are dropped
// and recorded as skipped lines with reason kAllowlisted, so `intel stats` can say so; the
// lookup-time rules in snapshot.h handle the rest. Exact
// duplicates within one feed are kept once. Not thread-safe; use one builder per thread.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "intel/feed_parser.h"

namespace mw::intel {

class SnapshotBuilder {
 public:
  void AddFeed(ParsedFeed feed);
  // The snapshot bytes. Fails with kOutOfRange past 65535 feeds or 4 GiB of text.
  Result<Bytes> Build() const;

 private:
  std::vector<ParsedFeed> feeds_;
};

// Writes `bytes` to `path` through a temporary file and a rename.
Status WriteSnapshotFile(const std::string& path, const Bytes& bytes);

}  // namespace mw::intel
