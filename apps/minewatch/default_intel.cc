#include "minewatch/default_intel.h"

#include <cstdlib>
#include <filesystem>

namespace mw::minewatch {

std::string DefaultIntelPath() {
  if (const char* env = std::getenv("MINEWATCH_INTEL"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "build/rules/intel/default.mwintel";
  return (exe.parent_path().parent_path() / "rules" / "intel" / "default.mwintel").string();
}

}  // namespace mw::minewatch
