// The one vocabulary every protocol analyzer shares: which way bytes travel in a flow.
// "Server" is the side that accepted the connection (or received the first UDP datagram).
#pragma once

#include <cstdint>

namespace mw::analyzers {

enum class Direction : uint8_t { kToServer = 0, kToClient = 1 };

inline constexpr int DirectionIndex(Direction d) { return d == Direction::kToServer ? 0 : 1; }

}  // namespace mw::analyzers
