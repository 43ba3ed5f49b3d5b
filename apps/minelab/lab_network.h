// minelab stays on loopback. Its miners speak real Stratum, so they must never reach a real
// pool, and its pool and node must not serve a real network. Every address a subcommand
// listens on or connects to goes through RequireLoopback; --allow-non-loopback lifts the check
// for addresses inside network namespaces you create (never a real pool).
#pragma once

#include <string_view>

#include "common/cli_main.h"
#include "core/status.h"
#include "io/host_port.h"

namespace mw::minelab {

// Adds --allow-non-loopback to `cmd`, bound to *allow.
void AddAllowNonLoopback(CLI::App* cmd, bool* allow);

// OK when `host` is loopback (io::IsLoopbackHost) or `allow`; else InvalidArgument naming
// `option` and the host. Names other than localhost are refused without being resolved.
Status RequireLoopback(std::string_view option, std::string_view host, bool allow);

// Parses `option`'s "HOST:PORT" and checks its host as RequireLoopback does; every error names
// the option.
Result<io::HostPort> ParseLabAddress(std::string_view option, std::string_view host_port, bool allow,
                                     bool allow_port_zero = true);

}  // namespace mw::minelab
