#include "core/privileges.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace mw {
namespace {

TEST(LookUpAccount, FindsRootAndRefusesAnUnknownName) {
  auto root = LookUpAccount("root");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->uid, 0u);
  EXPECT_EQ(root->gid, 0u);
  auto none = LookUpAccount("no-such-user-mw");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("no-such-user-mw"), std::string::npos);
}

TEST(DropPrivileges, TheAccountItRunsAsAlreadyIsOk) {
  Account self{"self", getuid(), getgid()};
  if (geteuid() != getuid() || getegid() != getgid()) GTEST_SKIP() << "set-id process";
  uid_t r, e, s;
  gid_t gr, ge, gs;
  ASSERT_EQ(getresuid(&r, &e, &s), 0);
  ASSERT_EQ(getresgid(&gr, &ge, &gs), 0);
  if (s != r || gs != gr) GTEST_SKIP() << "saved ids differ";
  EXPECT_TRUE(DropPrivileges(self).ok());
}

// The effective capability set of this process, from /proc (hex).
std::string CapEff() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("CapEff:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 7));
  }
  return "?";
}

// In a child (this process stays root for the other tests): after the drop the ids are nobody's
// everywhere, root cannot be taken back, no capability is left and no group of root's.
TEST(DropPrivileges, RootBecomesTheAccountForGood) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  auto nobody = LookUpAccount("nobody");
  if (!nobody.ok()) GTEST_SKIP() << "no user nobody";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const gid_t root_group = 0;  // (a shell started by a service manager may have no groups)
    if (setgroups(1, &root_group) != 0) _exit(7);
    const Status st = DropPrivileges(*nobody);
    int code = 0;
    if (!st.ok()) code = 1;
    else if (getuid() != nobody->uid || geteuid() != nobody->uid || getgid() != nobody->gid) code = 2;
    else if (setuid(0) == 0 || seteuid(0) == 0) code = 3;
    else if (CapEff() != "0000000000000000") code = 4;
    else if (open("/etc/shadow", O_RDONLY) >= 0) code = 5;
    gid_t groups[64];
    const int n = getgroups(64, groups);
    for (int i = 0; i < n; ++i) {
      if (groups[i] == 0) code = 6;
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: drop failed, 2: ids, 3: root came back, 4: capabilities "
                                       "left, 5: /etc/shadow still readable, 6: root's group kept";
}

TEST(DropPrivileges, WithoutRootItSaysSo) {
  if (geteuid() == 0) {
    // As root, check it from a child that became nobody first.
    auto nobody = LookUpAccount("nobody");
    if (!nobody.ok()) GTEST_SKIP() << "no user nobody";
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (!DropPrivileges(*nobody).ok()) _exit(1);
      const Status st = DropPrivileges(Account{"root", 0, 0});
      _exit(st.code() == StatusCode::kFailedPrecondition &&
                    st.message().find("needs the process to start as root") != std::string::npos
                ? 0
                : 2);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    return;
  }
  const Status st = DropPrivileges(Account{"root", 0, 0});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mw
