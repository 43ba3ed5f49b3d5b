#include "core/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mw {

Result<Account> LookUpAccount(const std::string& name) {
  long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(hint > 0 ? size_t(hint) : 4096);
  passwd entry{};
  passwd* found = nullptr;
  int rc;
  while ((rc = getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found)) == ERANGE &&
         buffer.size() < (size_t{1} << 20)) {
    buffer.resize(buffer.size() * 2);
  }
  if (rc != 0) return Status::IoError("looking up user '" + name + "': " + std::strerror(rc));
  if (found == nullptr) return Status::NotFound("no user '" + name + "' on this system");
  return Account{found->pw_name, found->pw_uid, found->pw_gid};
}

Status DropPrivileges(const Account& account) {
  const auto is_account = [&] {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    return getresuid(&r, &e, &s) == 0 && getresgid(&gr, &ge, &gs) == 0 && r == account.uid &&
           e == account.uid && s == account.uid && gr == account.gid && ge == account.gid &&
           gs == account.gid;
  };
  if (is_account()) return Status::Ok();
  if (geteuid() != 0) {
    return Status::FailedPrecondition("becoming user '" + account.name +
                                      "' needs the process to start as root");
  }
  auto failed = [&](const char* step) {
    return Status::IoError(std::string(step) + " for user '" + account.name +
                           "' failed: " + std::strerror(errno));
  };
  if (initgroups(account.name.c_str(), account.gid) != 0) return failed("initgroups");
  if (setresgid(account.gid, account.gid, account.gid) != 0) return failed("setresgid");
  if (setresuid(account.uid, account.uid, account.uid) != 0) return failed("setresuid");
  if (!is_account()) {
    return Status::Internal("user ids are not those of '" + account.name + "' after the change");
  }
  // (Leaving uid 0 for good must have taken the way back with it.)
  if (account.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
    return Status::Internal("root could be taken back after becoming '" + account.name + "'");
  }
  return Status::Ok();
}

}  // namespace mw
