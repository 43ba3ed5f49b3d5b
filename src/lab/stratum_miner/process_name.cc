#include "lab/stratum_miner/process_name.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstring>
#include <algorithm>
#include <vector>

namespace mw::lab::stratum_miner {

Status RenameProcess(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("empty process name");
  if (prctl(PR_SET_NAME, name.substr(0, 15).c_str(), 0, 0, 0) != 0) {
    return Status::IoError("prctl(PR_SET_NAME) failed");
  }
  std::string text;
  {
    const int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IoError("cannot open /proc/self/stat");
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
    close(fd);
  }
  // Fields after the ")" that closes comm; arg_start and arg_end are fields 48 and 49.
  const size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return Status::IoError("cannot parse /proc/self/stat");
  std::vector<std::string> fields;
  size_t pos = close_paren + 1;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n')) ++pos;
    const size_t end = text.find_first_of(" \n", pos);
    if (pos < text.size()) fields.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  // rest starts at field 3 (state).
  if (fields.size() < 47) return Status::IoError("short /proc/self/stat");
  const unsigned long long arg_start = std::stoull(fields[48 - 3]);
  const unsigned long long arg_end = std::stoull(fields[49 - 3]);
  if (arg_end <= arg_start) return Status::IoError("no argument area");
  char* area = reinterpret_cast<char*>(static_cast<uintptr_t>(arg_start));
  const size_t size = size_t(arg_end - arg_start);
  std::memset(area, 0, size);
  std::memcpy(area, name.data(), std::min(name.size(), size - 1));
  return Status::Ok();
}

}  // namespace mw::lab::stratum_miner
