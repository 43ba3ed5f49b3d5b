// Where minewatch finds its default intel snapshot when --intel is not given.
#pragma once

#include <string>

namespace mw::minewatch {

// $MINEWATCH_INTEL if set; else the snapshot built next to the binary (build/rules/intel/
// default.mwi, made from rules/intel and ../shared/intel at build time); else "" (none).
std::string DefaultIntelPath();

}  // namespace mw::minewatch
