#include "minewatch/default_intel.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace mw::minewatch {

std::string DefaultIntelPath() {
  if (const char* env = std::getenv("MINEWATCH_INTEL"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const std::filesystem::path candidate = exe.parent_path().parent_path() / "rules" / "intel" /
                                          "default.mwi";
  return std::filesystem::exists(candidate, ec) ? candidate.string() : "";
}

}  // namespace mw::minewatch
