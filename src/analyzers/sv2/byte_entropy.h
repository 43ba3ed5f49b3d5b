// Shannon entropy of a byte histogram: how random a handshake's first bytes look.
#pragma once

#include "core/bytes.h"

namespace mw::analyzers::sv2 {

// In bits per byte (0..8). With n bytes the estimate cannot exceed log2(n): 64 random bytes
// typically score about 5.6-5.9, ASCII text under 5.
double ByteEntropy(ByteSpan data);

}  // namespace mw::analyzers::sv2
