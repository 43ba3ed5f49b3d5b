// Known-answer checks of the hashing code, run at start-up by every program that mines or
// validates (as xmrig does): a wrong result from a miscompiled or unsupported fast path is
// caught before it produces wrong work.
#pragma once

#include "core/status.h"

namespace mw {

// Checks OpenSSL SHA-256d and every HeaderHasher implementation available on this CPU against
// Bitcoin block 125552 and the mainnet and regtest genesis headers. Cheap (microseconds).
Status RunHashSelfTest();

}  // namespace mw
