// The data directory survives a SIGKILL in the middle of mining: on reopen the tip is a block the
// killed process had connected and the ledger matches it exactly.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "chain/chain_fixture.h"

namespace mw::chain {
namespace {

class ChainCrashTest : public testing::ChainFixture {};

[[noreturn]] void MineUntilKilled(const ChainParams& params, const std::string& dir, int out_fd,
                                  int64_t start_us, const PubKey& payout) {
  FakeEnv env;
  env.SetNowMicros(start_us);
  ChainOptions opts;
  opts.env = &env;
  auto chain = Chain::Open(params, dir, opts);
  if (!chain.ok()) _exit(3);
  for (;;) {
    const BlockTemplate t = (*chain)->CreateTemplate();
    Block b = t.Assemble(t.MakeCoinbase(payout, {}), t.time, 0);
    if (!testing::MineHeader(b.header)) _exit(4);
    env.AdvanceMicros(1'000'000);
    if (!(*chain)->AcceptBlock(b).verdict.ok()) _exit(5);
    const uint32_t h = (*chain)->Height();
    if (write(out_fd, &h, sizeof(h)) != ssize_t(sizeof(h))) _exit(6);
  }
}

TEST_F(ChainCrashTest, ReopensConsistentlyAfterSigkill) {
  chain_.reset();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    MineUntilKilled(params(), dir_.path(), fds[1], env_.NowMicros(), miner_.pubkey());
  }
  close(fds[1]);
  uint32_t height = 0;
  while (height < 8 && read(fds[0], &height, sizeof(height)) == ssize_t(sizeof(height))) {
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);

  env_.AdvanceMicros(int64_t(100'000) * 1'000'000);
  Reopen();
  const uint32_t tip = chain_->Height();
  EXPECT_GE(tip, 8u);
  // Coinbases of heights 1 .. tip - maturity have matured, nothing else was paid.
  const uint64_t matured = tip - params().coinbase_maturity;
  EXPECT_EQ(chain_->Balance(miner_.pubkey()), matured * params().subsidy);
  EXPECT_EQ(chain_->Account(miner_.pubkey()).immature,
            uint64_t(params().coinbase_maturity) * params().subsidy);
  MineBlocks(1, miner_.pubkey());
  EXPECT_EQ(chain_->Height(), tip + 1);
}

}  // namespace
}  // namespace mw::chain
