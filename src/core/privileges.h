// Giving up root: a program that needs root only to open something (a live capture) becomes an
// ordinary account before it reads what others send it.
//
//   MW_ASSIGN_OR_RETURN(Account who, LookUpAccount("minewatch"));
//   ... open what needs root ...
//   MW_RETURN_IF_ERROR(DropPrivileges(who));
//
// Not thread-safe with respect to other threads of the process (setuid(2) in glibc changes every
// thread, but a thread in the middle of a file operation may finish it as root): call it while
// the process has one thread.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/status.h"

namespace mw {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;  // its primary group
};

// The account called `name` (from the passwd database: /etc/passwd, or whatever NSS says).
// NotFound when there is none.
Result<Account> LookUpAccount(const std::string& name);

// Becomes `account`: its supplementary groups (initgroups), its primary group, then its user id,
// for real, effective and saved ids alike; afterwards, checks that root cannot be taken back.
// Leaving root this way clears every capability. Needs root (CAP_SETUID and CAP_SETGID); a process
// that already runs as `account` gets Ok. FailedPrecondition when the process may not change
// users, IoError when a step fails; the process should then stop, it is in between.
Status DropPrivileges(const Account& account);

}  // namespace mw
