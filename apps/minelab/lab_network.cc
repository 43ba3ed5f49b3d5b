#include "minelab/lab_network.h"

#include <string>

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

Result<io::HostPort> ParseLabAddress(std::string_view option, std::string_view host_port, bool allow,
                                     bool allow_port_zero) {
  auto hp = io::ParseHostPort(host_port, allow_port_zero);
  if (!hp.ok()) return Status::InvalidArgument(std::string(option) + ": " + hp.status().message());
  MW_RETURN_IF_ERROR(RequireLoopback(option, hp->host, allow));
  return hp;
}

}  // namespace mw::minelab
