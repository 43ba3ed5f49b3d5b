#include "minelab/lab_network.h"

#include <string>

#include "io/host_port.h"

namespace mw::minelab {

void AddAllowNonLoopback(CLI::App* cmd, bool* allow) {
  cmd->add_flag("--allow-non-loopback", *allow,
                "Accept addresses other than loopback (for network namespaces you create; "
                "never a real pool or network)");
}

Status RequireLoopback(std::string_view option, std::string_view host, bool allow) {
  if (allow || io::IsLoopbackHost(host)) return Status::Ok();
  return Status::InvalidArgument(std::string(option) + ": " + std::string(host) +
                                 " is not a loopback address; minelab listens and connects on "
                                 "loopback only (--allow-non-loopback for a network namespace)");
}

Status RequireLoopbackAddress(std::string_view option, std::string_view host_port, bool allow) {
  auto hp = io::ParseHostPort(host_port, true);
  if (!hp.ok()) return Status::InvalidArgument(std::string(option) + ": " + hp.status().message());
  return RequireLoopback(option, hp->host, allow);
}

}  // namespace mw::minelab
