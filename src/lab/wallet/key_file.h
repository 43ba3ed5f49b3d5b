// The wallet key file. Holds one secret key in JSON, mode 0600.
// Functions are thread-compatible (they touch only the named file).
#pragma once

#include <string>

#include "chain/keys.h"
#include "core/status.h"

namespace mw::lab::wallet {

// Creates PATH with a fresh key. Refuses an existing file (kAlreadyExists): a wallet is never
// overwritten. The file is created 0600 with O_EXCL and written in full before returning.
Result<chain::KeyPair> CreateKeyFile(const std::string& path);

// Loads PATH. Refuses (kFailedPrecondition) a file with any group/other permission bits, and
// (kCorruption) one that is not a valid key file or whose address does not match its key.
Result<chain::KeyPair> LoadKeyFile(const std::string& path);

}  // namespace mw::lab::wallet
