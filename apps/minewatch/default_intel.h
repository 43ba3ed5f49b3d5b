// Where minewatch finds its default intel snapshot when --intel is not given.
#pragma once

#include <string>

namespace mw::minewatch {

// $MINEWATCH_INTEL if set; else rules/intel/default.mwintel next to the build's bin/ folder
// (build/rules/intel/default.mwintel for build/bin/minewatch, made at build time from
// rules/intel and ../shared/intel). The file may not exist; callers check.
std::string DefaultIntelPath();

}  // namespace mw::minewatch
