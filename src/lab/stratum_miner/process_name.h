// Renames the running process the way stealthy miners do: prctl(PR_SET_NAME) for the thread
// name shown in /proc/PID/comm, top and ps -c, and an in-place overwrite of the argument area
// (/proc/PID/cmdline, ps -f). The argument area is located through /proc/self/stat (arg_start,
// arg_end), so no argv pointer is needed. Call early, before other threads start (threads
// created later inherit the comm name). Linux only.
#pragma once

#include <string>

#include "core/status.h"

namespace mw::lab::stratum_miner {

Status RenameProcess(const std::string& name);

}  // namespace mw::lab::stratum_miner
